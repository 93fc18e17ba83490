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
    assert!(matches!(d.set_password(p, "short").await, Err(Error::Invalid { .. })));
    d.set_password(p, "奈曼旗2026!").await.unwrap();
    let s = d.sign_in(" wang ", "奈曼旗2026!").await.unwrap();
    assert_eq!(s.person.id, p);
    assert_eq!(s.token.len(), 64);
    assert_ne!(s.session.token_hash, s.token, "only the token's hash is stored");
    let (found, who) = d.session(&s.token).await.unwrap().unwrap();
    assert_eq!((found.csrf.clone(), who.id), (s.session.csrf.clone(), p));
    assert!(d.session("not-a-token").await.unwrap().is_none());
    // 36 hours later the session has expired.
    app.clock.set(bj("2026-03-03T21:01"));
    assert!(d.session(&s.token).await.unwrap().is_none());
    // Signing out ends a session at once.
    let s = d.sign_in("wang", "奈曼旗2026!").await.unwrap();
    d.sign_out(&s.token).await.unwrap();
    assert!(d.session(&s.token).await.unwrap().is_none());
    // A deactivated person cannot sign in, and their sessions stop working.
    let s = d.sign_in("wang", "奈曼旗2026!").await.unwrap();
    d.store().deactivate_person(p).await.unwrap();
    assert!(d.session(&s.token).await.unwrap().is_none());
    assert!(matches!(d.sign_in("wang", "奈曼旗2026!").await, Err(Error::Invalid { .. })));
}

#[tokio::test]
async fn repeated_failures_make_the_account_wait_before_the_next_attempt() {
    let app = spawn_app().await;
    let d = &app.duban;
    let p = person(&app).await;
    d.set_password(p, "奈曼旗2026!").await.unwrap();
    // An unknown name and a wrong password get the same answer.
    let unknown = d.sign_in("nobody", "奈曼旗2026!").await.unwrap_err();
    let wrong = d.sign_in("wang", "guess-1").await.unwrap_err();
    assert_eq!(unknown.to_string(), wrong.to_string());
    for i in 2..=5 {
        assert!(matches!(d.sign_in("wang", &format!("guess-{i}")).await, Err(Error::Invalid { .. })));
    }
    // The fifth failure earns 30 s: even the right password waits.
    let e = d.sign_in("wang", "奈曼旗2026!").await.unwrap_err();
    assert_eq!(e, Error::TooManyAttempts { retry_after_secs: 30 });
    assert!(e.to_string().contains("30 秒"));
    app.clock.set(bj("2026-03-02T09:00:31"));
    // A sixth failure doubles the wait; then the right password, after it, succeeds and resets.
    assert!(matches!(d.sign_in("wang", "guess-6").await, Err(Error::Invalid { .. })));
    assert_eq!(d.sign_in("wang", "奈曼旗2026!").await.unwrap_err(), Error::TooManyAttempts { retry_after_secs: 60 });
    app.clock.set(bj("2026-03-02T09:01:32"));
    d.sign_in("wang", "奈曼旗2026!").await.unwrap();
    assert!(matches!(d.sign_in("wang", "guess-7").await, Err(Error::Invalid { .. })));
    d.sign_in("wang", "奈曼旗2026!").await.unwrap();
}
