//! The API needs a session and scopes what it shows like the pages: tokens from
//! `POST /api/v1/session`, roles deciding what may be changed, 涉密 and other units' tasks unseen.

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
