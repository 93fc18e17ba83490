//! The API needs a session and scopes what it shows like the pages: tokens from
//! `POST /api/v1/session`, roles deciding what may be changed, 涉密 and other units' tasks unseen
//! — in work lists, notices and their recipients, subtasks, suggestions and the desk's inbox too
//! (issue 9; the whole matrix of routes × roles is in `matrix.rs`).

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn token(app: &TestApp, username: &str, password: &str) -> String {
    let r = app
        .send(
            "post",
            "/api/v1/session",
            Some(json!({"username": username, "password": password})),
            &[("authorization", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    r.json["token"].as_str().unwrap().to_string()
}

async fn as_(app: &TestApp, token: &str, method: &str, path: &str, body: Option<Value>) -> Reply {
    app.send(method, path, body, &[("authorization", &format!("Bearer {token}"))]).await
}

#[tokio::test]
async fn without_a_session_only_health_and_the_document_answer() {
    let app = spawn_app().await;
    let anonymous = |path: &'static str| {
        let base = app.base.clone();
        async move { reqwest::get(format!("{base}{path}")).await.unwrap().status() }
    };
    assert_eq!(anonymous("/healthz").await, StatusCode::OK);
    assert_eq!(anonymous("/api/v1/openapi.json").await, StatusCode::OK);
    let r = app.send("get", "/api/v1/tasks", None, &[("authorization", "Bearer nonsense")]).await;
    assert_eq!((r.status, code(&r)), (StatusCode::UNAUTHORIZED, "unauthenticated"));
    assert_eq!(anonymous("/api/v1/units").await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_officer_signs_in_sees_only_their_units_tasks_and_acts_only_as_themselves() {
    let app = spawn_app().await;
    let a = app.unit("旗行政审批和政务服务局").await;
    let b = app.unit("旗自然资源局").await;
    let officer = app
        .post("/api/v1/people", json!({"name": "甲经办", "username": "jia", "unit_id": a, "roles": ["officer"]}))
        .await
        .json;
    let other = app
        .post("/api/v1/people", json!({"name": "乙经办", "username": "yi", "unit_id": b, "roles": ["officer"]}))
        .await
        .json;
    app.duban
        .sign_in()
        .set_password(duban_domain::ids::PersonId(officer["id"].as_i64().unwrap()), "Ledger-pass-2026")
        .await
        .unwrap();
    let mine = app.task(json!({"title": "甲局任务", "lead": [{"unit": a}]})).await;
    let theirs = app.task(json!({"title": "乙局任务", "lead": [{"unit": b}]})).await;
    let secret = app.task(json!({"title": "涉密任务", "lead": [{"unit": a}], "classification": "涉密"})).await;
    // A wrong password is explained; the right one gives a token.
    let r = app
        .send("post", "/api/v1/session", Some(json!({"username": "jia", "password": "x"})), &[("authorization", "")])
        .await;
    assert_eq!(
        (r.status, r.json["error"]["message"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("用户名或密码不正确"))
    );
    let t = token(&app, "jia", "Ledger-pass-2026").await;
    let list = as_(&app, &t, "get", "/api/v1/tasks", None).await.json;
    let titles: Vec<&str> = list["items"].as_array().unwrap().iter().map(|x| x["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["甲局任务"]);
    for hidden in [&theirs, &secret] {
        let r = as_(&app, &t, "get", &format!("/api/v1/tasks/{}", hidden["id"]), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
    // Officers act through the lifecycle, as themselves only, and do not edit tasks.
    let r = as_(&app, &t, "post", "/api/v1/tasks", Some(json!({"title": "自建", "lead": [{"unit": a}]}))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let path = format!("/api/v1/tasks/{}/actions", mine["id"]);
    let r = as_(&app, &t, "post", &path, Some(json!({"action": "sign", "actor": other["id"], "version": 1}))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = as_(&app, &t, "post", &path, Some(json!({"action": "sign", "version": 1}))).await;
    assert_eq!(r.json["status"], "signed", "{}", r.json);
    let events = as_(&app, &t, "get", &format!("/api/v1/tasks/{}/events", mine["id"]), None).await.json;
    assert_eq!(events.as_array().unwrap().last().unwrap()["actor_id"], officer["id"]);
    // Another unit's work list is not theirs to read; signing out ends the token.
    let r = as_(&app, &t, "get", &format!("/api/v1/work?unit={b}"), None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(as_(&app, &t, "delete", "/api/v1/session", None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(as_(&app, &t, "get", "/api/v1/tasks", None).await.status, StatusCode::UNAUTHORIZED);
}

/// A session for a person, made in the store (no password hashing), as a bearer token.
async fn session_for(app: &TestApp, person: &Value) -> String {
    let id = person["id"].as_i64().unwrap();
    app.session(id, &id.to_string()).await
}

async fn person(app: &TestApp, username: &str, unit: i64, roles: Value, charge: Value) -> Value {
    let body = json!({"name": username, "username": username, "unit_id": unit, "roles": roles,
                      "charge_units": charge, "email": format!("{username}@naiman.example"), "phone": "13800000000"});
    let r = app.post("/api/v1/people", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    r.json
}

fn titles(list: &Value) -> Vec<&str> {
    let mut t: Vec<&str> = list["items"].as_array().unwrap().iter().map(|x| x["title"].as_str().unwrap()).collect();
    t.sort();
    t
}

#[tokio::test]
async fn work_lists_hold_only_what_the_caller_may_see_and_only_units_and_people_within_reach() {
    let app = spawn_app().await;
    let a = app.unit("旗行政审批和政务服务局").await;
    let b = app.unit("旗自然资源局").await;
    let gov = app.unit("旗政府办公室").await;
    let officer = person(&app, "jia", a, json!(["officer"]), json!([])).await;
    let leader = person(&app, "lingdao", gov, json!(["leader"]), json!([a])).await;
    let office = person(&app, "ducha", gov, json!(["office"]), json!([])).await;
    app.task(json!({"title": "甲局任务", "lead": [{"unit": a}]})).await;
    app.task(json!({"title": "具名涉密", "lead": [{"unit": a}], "classification": "涉密",
                    "responsible_person_id": officer["id"]}))
        .await;
    app.task(json!({"title": "无名涉密", "lead": [{"unit": a}], "classification": "涉密"})).await;
    let (t_officer, t_leader, t_office) =
        (session_for(&app, &officer).await, session_for(&app, &leader).await, session_for(&app, &office).await);
    // The office and the leader in charge see the unit's work, without any 涉密 task.
    for t in [&t_office, &t_leader] {
        let r = as_(&app, t, "get", &format!("/api/v1/work?unit={a}"), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        assert_eq!((titles(&r.json["to_sign"]), r.json["to_sign"]["total"].as_u64()), (vec!["甲局任务"], Some(1)));
    }
    // The officer sees the 涉密 task naming them, not the one naming nobody.
    for path in [format!("/api/v1/work?unit={a}"), format!("/api/v1/work?person={}", officer["id"])] {
        let r = as_(&app, &t_officer, "get", &path, None).await;
        assert_eq!(
            (titles(&r.json["to_sign"]), r.json["to_sign"]["total"].as_u64()),
            (vec!["具名涉密", "甲局任务"], Some(2)),
            "{path}"
        );
    }
    // Nobody asks beyond their reach: a leader for a unit not in their charge, an officer for
    // someone of another unit.
    let r = as_(&app, &t_leader, "get", &format!("/api/v1/work?unit={b}"), None).await;
    assert_eq!((r.status, code(&r)), (StatusCode::FORBIDDEN, "forbidden"));
    let r = as_(&app, &t_officer, "get", &format!("/api/v1/work?person={}", office["id"]), None).await;
    assert_eq!((r.status, code(&r)), (StatusCode::FORBIDDEN, "forbidden"));
    // The leader may ask for the work of someone in a unit in their charge.
    let r = as_(&app, &t_leader, "get", &format!("/api/v1/work?person={}", officer["id"]), None).await;
    assert_eq!((r.status, titles(&r.json["to_sign"])), (StatusCode::OK, vec!["甲局任务"]));
}

#[tokio::test]
async fn notices_of_a_secret_task_reach_only_its_named_people_and_keep_its_title_off_mail_and_sms() {
    let app = spawn_app().await;
    let a = app.unit("旗行政审批和政务服务局").await;
    let gov = app.unit("旗政府办公室").await;
    let officer = person(&app, "jia", a, json!(["officer"]), json!([])).await;
    let head = person(&app, "juzhang", a, json!(["unit_head"]), json!([])).await;
    let leader = person(&app, "lingdao", gov, json!(["leader"]), json!([a])).await;
    app.clock.set(bj("2026-03-02T09:00"));
    let secret = app
        .task(json!({"title": "保密专网改造", "lead": [{"unit": a}], "classification": "涉密",
                     "responsible_person_id": officer["id"], "deadline": "2026-12-31"}))
        .await;
    let open = app.task(json!({"title": "政务服务提速", "lead": [{"unit": a}], "deadline": "2026-12-31"})).await;
    // Reminders in the warning window, then 督办 once signing is overdue, for both tasks.
    app.duban.supervision().pass(bj("2026-03-04T10:00")).await.unwrap();
    let r = app.duban.supervision().pass(bj("2026-03-06T09:00")).await.unwrap();
    assert_eq!(r.notices.len(), 2, "{r:?}");
    let all = app.store.list_messages(None, 1000).await.unwrap();
    let about = |t: &Value| -> Vec<&duban_store::NewMessage> {
        all.iter().map(|m| &m.message).filter(|m| m.task_id.map(|x| x.0) == t["id"].as_i64()).collect()
    };
    // The open task: its unit's officer and head, and the leader in charge, by every channel.
    let mut to: Vec<i64> = about(&open).iter().filter_map(|m| m.person_id.map(|p| p.0)).collect();
    to.sort();
    to.dedup();
    let mut everyone = vec![officer["id"].as_i64().unwrap(), head["id"].as_i64().unwrap()];
    everyone.push(leader["id"].as_i64().unwrap());
    everyone.sort();
    assert_eq!(to, everyone);
    // The 涉密 task: the responsible person named on it only; its title in the inbox only.
    let msgs = about(&secret);
    assert!(msgs.iter().any(|m| m.kind == "supervise") && msgs.iter().any(|m| m.kind == "remind"));
    for m in &msgs {
        assert_eq!(m.person_id.map(|p| p.0), officer["id"].as_i64(), "{m:?}");
        let text = format!("{}{}", m.subject, m.body);
        if m.channel == "inbox" {
            assert!(text.contains("保密专网改造"), "{m:?}");
        } else {
            assert!(!text.contains("保密专网改造") && text.contains("请登录督办系统查看"), "{m:?}");
        }
    }
    assert!(msgs.iter().any(|m| m.channel == "sms") && msgs.iter().any(|m| m.channel == "email"));
}

#[tokio::test]
async fn a_subtask_under_a_hidden_task_answers_like_one_under_a_missing_task() {
    let app = spawn_app().await;
    let a = app.unit("旗行政审批和政务服务局").await;
    // The administrator (also the office) is named on one 涉密 task and not on the other.
    let root = app.get("/api/v1/people").await.json[0]["id"].clone();
    let hidden = app.task(json!({"title": "无名涉密", "lead": [{"unit": a}], "classification": "涉密"})).await;
    let named = app
        .task(json!({"title": "具名涉密", "lead": [{"unit": a}], "classification": "涉密",
                     "responsible_person_id": root}))
        .await;
    let child = |parent: &Value, classification: &str| json!({"title": "子任务", "lead": [{"unit": a}], "parent_id": parent, "classification": classification});
    let missing = app.post("/api/v1/tasks", child(&json!(999_999), "涉密")).await;
    let under_hidden = app.post("/api/v1/tasks", child(&hidden["id"], "涉密")).await;
    assert_eq!((missing.status, code(&missing)), (StatusCode::NOT_FOUND, "not_found"));
    assert_eq!((under_hidden.status, &under_hidden.json), (missing.status, &missing.json));
    let r = app.get(&format!("/api/v1/tasks?parent={}", hidden["id"])).await;
    assert_eq!(r.json["total"], 0);
    // Under a 涉密 task they may see, only a 涉密 subtask.
    let r = app.post("/api/v1/tasks", child(&named["id"], "内部")).await;
    assert_eq!(
        (r.status, r.json["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("classification"))
    );
    let r = app.post("/api/v1/tasks", child(&named["id"], "涉密")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
}

#[tokio::test]
async fn the_lead_suggester_never_learns_from_secret_tasks() {
    let app = spawn_app().await;
    let a = app.unit("旗国家保密局").await;
    let b = app.unit("旗交通运输局").await;
    for title in ["保密通信专网建设", "涉密载体销毁专项检查"] {
        app.task(json!({"title": title, "lead": [{"unit": a}], "classification": "涉密"})).await;
    }
    for title in ["国道养护工程", "农村公路桥梁检修"] {
        app.task(json!({"title": title, "lead": [{"unit": b}]})).await;
    }
    let r = app.get("/api/v1/suggest?text=保密通信专网建设").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let units: Vec<i64> = r.json.as_array().unwrap().iter().map(|s| s["unit_id"].as_i64().unwrap()).collect();
    assert!(!units.contains(&a), "a unit known only from 涉密 tasks was suggested: {}", r.json);
}

#[tokio::test]
async fn the_desk_hides_notices_of_a_task_the_viewer_may_no_longer_see() {
    let app = spawn_app().await;
    let a = app.unit("旗行政审批和政务服务局").await;
    let head = person(&app, "juzhang", a, json!(["unit_head"]), json!([])).await;
    let token = session_for(&app, &head).await;
    app.clock.set(bj("2026-03-02T09:00"));
    let task = app.task(json!({"title": "园区供电改造", "lead": [{"unit": a}], "deadline": "2026-12-31"})).await;
    app.clock.set(bj("2026-03-06T09:00"));
    assert_eq!(app.duban.supervision().pass(bj("2026-03-06T09:00")).await.unwrap().notices.len(), 1);
    let desk = || async {
        let r = reqwest::Client::new().get(format!("{}/", app.base)).header("cookie", format!("duban_session={token}"));
        r.send().await.unwrap().text().await.unwrap()
    };
    assert!(desk().await.contains("督办通知"), "the notice is on the desk");
    // The task is classified 涉密, naming nobody: its notice leaves the head's desk.
    let version = app.get(&format!("/api/v1/tasks/{}", task["id"])).await.json["version"].as_i64().unwrap();
    let r = app.patch(&format!("/api/v1/tasks/{}", task["id"]), version, json!({"classification": "涉密"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let page = desk().await;
    assert!(!page.contains("园区供电改造") && !page.contains("督办通知"), "{page}");
}
