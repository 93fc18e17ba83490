//! Sign-in: argon2id passwords, sessions that expire, backoff after repeated failures.

use crate::helpers::*;
use duban_domain::Error;
use duban_domain::ids::PersonId;
use serde_json::json;

async fn person(app: &TestApp) -> PersonId {
    let unit = app.unit("旗行政审批和政务服务局").await;
    let r = app
        .post("/api/v1/people", json!({"name": "王科员", "username": "wang", "unit_id": unit, "roles": ["officer"]}))
        .await;
    PersonId(r.json["id"].as_i64().unwrap())
}

#[tokio::test]
async fn a_person_signs_in_with_the_right_password_and_the_session_expires() {
    let app = spawn_app().await;
    let d = &app.duban;
    let p = person(&app).await;
    assert!(matches!(d.sign_in().set_password(p, "short").await, Err(Error::Invalid { .. })));
    d.sign_in().set_password(p, "奈曼旗2026!").await.unwrap();
    let s = d.sign_in().sign_in(" wang ", "奈曼旗2026!").await.unwrap();
    assert_eq!(s.person.id, p);
    assert_eq!(s.token.len(), 64);
    assert_ne!(s.session.token_hash, s.token, "only the token's hash is stored");
    let (found, who) = d.sign_in().session(&s.token).await.unwrap().unwrap();
    assert_eq!((found.csrf.clone(), who.id), (s.session.csrf.clone(), p));
    assert!(d.sign_in().session("not-a-token").await.unwrap().is_none());
    // 36 hours later the session has expired.
    app.clock.set(bj("2026-03-03T21:01"));
    assert!(d.sign_in().session(&s.token).await.unwrap().is_none());
    // Signing out ends a session at once.
    let s = d.sign_in().sign_in("wang", "奈曼旗2026!").await.unwrap();
    d.sign_in().sign_out(&s.token).await.unwrap();
    assert!(d.sign_in().session(&s.token).await.unwrap().is_none());
    // A deactivated person cannot sign in, and their sessions stop working.
    let s = d.sign_in().sign_in("wang", "奈曼旗2026!").await.unwrap();
    app.store.deactivate_person(p).await.unwrap();
    assert!(d.sign_in().session(&s.token).await.unwrap().is_none());
    assert!(matches!(d.sign_in().sign_in("wang", "奈曼旗2026!").await, Err(Error::Invalid { .. })));
}

#[tokio::test]
async fn repeated_failures_make_the_account_wait_before_the_next_attempt() {
    let app = spawn_app().await;
    let d = &app.duban;
    let p = person(&app).await;
    d.sign_in().set_password(p, "奈曼旗2026!").await.unwrap();
    // An unknown name and a wrong password get the same answer.
    let unknown = d.sign_in().sign_in("nobody", "奈曼旗2026!").await.unwrap_err();
    let wrong = d.sign_in().sign_in("wang", "guess-1").await.unwrap_err();
    assert_eq!(unknown.to_string(), wrong.to_string());
    for i in 2..=5 {
        assert!(matches!(d.sign_in().sign_in("wang", &format!("guess-{i}")).await, Err(Error::Invalid { .. })));
    }
    // The fifth failure earns 30 s: even the right password waits.
    let e = d.sign_in().sign_in("wang", "奈曼旗2026!").await.unwrap_err();
    assert_eq!(e, Error::TooManyAttempts { retry_after_secs: 30 });
    assert!(e.to_string().contains("30 秒"));
    app.clock.set(bj("2026-03-02T09:00:31"));
    // A sixth failure doubles the wait; then the right password, after it, succeeds and resets.
    assert!(matches!(d.sign_in().sign_in("wang", "guess-6").await, Err(Error::Invalid { .. })));
    assert_eq!(
        d.sign_in().sign_in("wang", "奈曼旗2026!").await.unwrap_err(),
        Error::TooManyAttempts { retry_after_secs: 60 }
    );
    app.clock.set(bj("2026-03-02T09:01:32"));
    d.sign_in().sign_in("wang", "奈曼旗2026!").await.unwrap();
    assert!(matches!(d.sign_in().sign_in("wang", "guess-7").await, Err(Error::Invalid { .. })));
    d.sign_in().sign_in("wang", "奈曼旗2026!").await.unwrap();
}

/// A client that connects from a loopback address of its own (all of 127.0.0.0/8 is loopback),
/// so the server sees a different client address for each.
fn client_from(last_octet: u8) -> reqwest::Client {
    reqwest::Client::builder().local_address(std::net::IpAddr::from([127, 0, 0, last_octet])).build().unwrap()
}

async fn api_sign_in(app: &TestApp, client: &reqwest::Client, username: &str, password: &str) -> reqwest::Response {
    client
        .post(format!("{}/api/v1/session", app.base))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
}

// Several worker threads, so that the guesses really run at the same time.
#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn simultaneous_guesses_are_counted_before_they_are_checked() {
    let app = spawn_app().await;
    let d = app.duban.clone();
    let p = person(&app).await;
    d.sign_in().set_password(p, "奈曼旗2026!").await.unwrap();
    // Fifty guesses at once from one client: only the five free ones are even checked.
    let guesses: Vec<_> = (0..50)
        .map(|i| {
            let d = d.clone();
            tokio::spawn(async move { d.sign_in().sign_in("wang", &format!("guess-{i}")).await })
        })
        .collect();
    let mut checked = 0;
    for g in guesses {
        match g.await.unwrap() {
            Err(Error::Invalid { .. }) => checked += 1,
            Err(Error::TooManyAttempts { .. }) => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(checked, 5, "every guess past the fifth must wait, however many arrive at once");
}

#[tokio::test]
async fn a_storm_from_other_addresses_does_not_lock_the_user_out_of_their_own() {
    let app = spawn_app().await;
    let p = person(&app).await;
    app.duban.sign_in().set_password(p, "奈曼旗2026!").await.unwrap();
    // Ten other addresses guess six times each: each of them is made to wait …
    for octet in 2..12 {
        let c = client_from(octet);
        let mut statuses = Vec::new();
        for i in 0..6 {
            statuses.push(api_sign_in(&app, &c, "wang", &format!("guess-{i}")).await.status().as_u16());
        }
        assert_eq!(statuses, [422, 422, 422, 422, 422, 429], "from 127.0.0.{octet}");
    }
    // … but the user, from their own address, signs in with the right password at once.
    let r = api_sign_in(&app, &client_from(1), "wang", "奈曼旗2026!").await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
}

#[tokio::test]
async fn unknown_and_known_names_get_the_same_answers_and_every_429_says_when() {
    let app = spawn_app().await;
    let p = person(&app).await;
    app.duban.sign_in().set_password(p, "奈曼旗2026!").await.unwrap();
    let c = client_from(20);
    let mut answers = Vec::new();
    for name in ["wang", "nobody"] {
        let mut seen = Vec::new();
        for i in 0..7 {
            let r = api_sign_in(&app, &c, name, &format!("guess-{i}")).await;
            let status = r.status().as_u16();
            let retry = r.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
            let body: serde_json::Value = r.json().await.unwrap();
            app.check_documented("post", "/api/v1/session", reqwest::StatusCode::from_u16(status).unwrap(), &body);
            if status == 429 {
                assert_eq!(retry.as_deref(), Some("30"), "{name}: a 429 says when to come back");
            }
            seen.push((status, body["error"]["code"].clone(), body["error"]["message"].clone()));
        }
        answers.push(seen);
    }
    assert_eq!(answers[0], answers[1], "an unknown name is answered exactly like a known one");
    assert_eq!(answers[0][5].0, 429);
}

#[tokio::test]
async fn weak_passwords_are_refused_with_the_reason() {
    let app = spawn_app().await;
    let d = &app.duban;
    let p = person(&app).await;
    for (password, reason) in [
        ("        ", "不能为空"),
        ("password", "三类"),
        ("Password@123", "常见密码"),
        ("woaini1314", "三类"),
        ("Woaini1314!", "常见密码"),
        ("Wang-2026-x", "用户名"),
        (" Naiman-2026 ", "首尾"),
    ] {
        match d.sign_in().set_password(p, password).await {
            Err(Error::Invalid { message, .. }) => assert!(message.contains(reason), "{password:?}: {message}"),
            other => panic!("{password:?} was not refused: {other:?}"),
        }
    }
    d.sign_in().set_password(p, "Naiman-2026").await.unwrap();
}

#[tokio::test]
async fn a_password_reset_or_deactivation_ends_every_session_of_that_person() {
    let app = spawn_app().await;
    let d = &app.duban;
    let p = person(&app).await;
    d.sign_in().set_password(p, "奈曼旗2026!").await.unwrap();
    let web = d.sign_in().sign_in("wang", "奈曼旗2026!").await.unwrap();
    let api = d.sign_in().sign_in("wang", "奈曼旗2026!").await.unwrap();
    d.sign_in().set_password(p, "奈曼旗2027!").await.unwrap();
    assert!(d.sign_in().session(&web.token).await.unwrap().is_none(), "the reset ends the sessions");
    assert!(d.sign_in().session(&api.token).await.unwrap().is_none());
    // Deactivation through the API removes the sessions themselves, not only their use.
    let s = d.sign_in().sign_in("wang", "奈曼旗2027!").await.unwrap();
    let r = app.send("delete", &format!("/api/v1/people/{}", p.0), None, &[]).await;
    assert_eq!(r.status, 204, "{}", r.json);
    let stored = app.store.session(&duban_app::sign_in::token_hash(&s.token), d.core().now()).await.unwrap();
    assert!(stored.is_none(), "the deactivated person's session is gone");
}

#[tokio::test]
async fn the_last_administrator_cannot_be_demoted_or_deactivated_through_the_api() {
    let app = spawn_app().await;
    let root = app.get("/api/v1/people").await.json[0].clone();
    assert_eq!(root["username"], "root");
    let id = root["id"].as_i64().unwrap();
    let put = |roles: serde_json::Value| json!({"name": "系统管理员", "username": "root", "roles": roles});
    let r = app.send("put", &format!("/api/v1/people/{id}"), Some(put(json!(["office"]))), &[]).await;
    assert_eq!((r.status.as_u16(), code(&r)), (409, "conflict"), "{}", r.json);
    assert!(r.json["error"]["message"].as_str().unwrap().contains("唯一的管理员"));
    let r = app.send("delete", &format!("/api/v1/people/{id}"), None, &[]).await;
    assert_eq!((r.status.as_u16(), code(&r)), (409, "conflict"), "{}", r.json);
    assert_eq!(app.get(&format!("/api/v1/people/{id}")).await.json["active"], true);
    // With a second administrator, the first may step down.
    let r = app.post("/api/v1/people", json!({"name": "副管理员", "username": "deputy", "roles": ["admin"]})).await;
    assert_eq!(r.status, 201, "{}", r.json);
    let r = app.send("put", &format!("/api/v1/people/{id}"), Some(put(json!(["office"]))), &[]).await;
    assert_eq!(r.status, 200, "{}", r.json);
}
