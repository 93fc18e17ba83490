//! Health, the OpenAPI document, units, people, ledgers, and how malformed requests are answered.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn health_check_reports_the_database() {
    let app = spawn_app().await;
    let r = app.get("/healthz").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json, json!({"status": "ok", "database": "sqlite"}));
}

#[tokio::test]
async fn the_openapi_document_is_served() {
    let app = spawn_app().await;
    let r = app.get("/api/v1/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["openapi"], "3.1.0");
    assert!(r.json["paths"]["/api/v1/tasks"]["get"].is_object());
}

#[tokio::test]
async fn units_are_created_read_updated_and_deleted() {
    let app = spawn_app().await;
    let r = app
        .post(
            "/api/v1/units",
            json!({"name": " 旗住房和城乡建设局 ", "kind": "政府部门", "aliases": ["旗住建局", "住建局"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let id = r.json["id"].as_i64().unwrap();
    assert_eq!(r.json["name"], "旗住房和城乡建设局");
    assert_eq!(r.json["kind"], "department");
    let r = app.get("/api/v1/resolve?name=住建局").await;
    assert_eq!(r.json, json!({"unit": id}));
    let r = app
        .send("put", &format!("/api/v1/units/{id}"), Some(json!({"name": "旗住建局新名", "kind": "institution"})), &[])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["aliases"], json!([]));
    assert_eq!(app.get("/api/v1/units").await.json.as_array().unwrap().len(), 1);
    let r = app.send("delete", &format!("/api/v1/units/{id}"), None, &[]).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app.get(&format!("/api/v1/units/{id}")).await;
    assert_eq!((r.status, code(&r)), (StatusCode::NOT_FOUND, "not_found"));
}

#[tokio::test]
async fn a_taken_name_is_a_conflict_and_a_bad_kind_is_explained_in_chinese() {
    let app = spawn_app().await;
    app.unit("旗财政局").await;
    let r = app.post("/api/v1/units", json!({"name": "旗财政局"})).await;
    assert_eq!((r.status, code(&r)), (StatusCode::CONFLICT, "conflict"));
    let r = app.post("/api/v1/units", json!({"name": "某局", "kind": "星际"})).await;
    assert_eq!((r.status, code(&r)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"));
    assert_eq!(r.json["error"]["field"], "kind");
    assert!(r.json["error"]["message"].as_str().unwrap().contains("单位类型"));
    let r = app.post("/api/v1/units", json!({"name": ""})).await;
    assert_eq!(r.json["error"]["message"], "单位名称不能为空");
}

#[tokio::test]
async fn a_unit_with_tasks_cannot_be_deleted() {
    let app = spawn_app().await;
    let u = app.unit("旗司法局").await;
    app.task(json!({"title": "清理文件", "lead": [{"unit": u}]})).await;
    let r = app.send("delete", &format!("/api/v1/units/{u}"), None, &[]).await;
    assert_eq!((r.status, code(&r)), (StatusCode::CONFLICT, "conflict"));
}

#[tokio::test]
async fn people_are_managed_and_deactivated_not_deleted() {
    let app = spawn_app().await;
    let u = app.unit("旗政府办公室").await;
    let r = app.post("/api/v1/people", json!({"name": "王督查", "username": "wang", "unit_id": u, "roles": ["督查室"], "email": "wang@naiman.gov"})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let id = r.json["id"].as_i64().unwrap();
    assert_eq!(r.json["roles"], json!(["office"]));
    let r = app.post("/api/v1/people", json!({"name": "重名", "username": "wang"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = app.post("/api/v1/people", json!({"name": "坏", "username": "bad name"})).await;
    assert_eq!(r.json["error"]["field"], "username");
    let r = app
        .send(
            "put",
            &format!("/api/v1/people/{id}"),
            Some(json!({"name": "王督查", "username": "wang", "title": "主任"})),
            &[],
        )
        .await;
    assert_eq!(r.json["title"], "主任");
    let r = app.send("delete", &format!("/api/v1/people/{id}"), None, &[]).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&format!("/api/v1/people/{id}")).await.json["active"], false);
}

#[tokio::test]
async fn ledgers_are_created_and_listed() {
    let app = spawn_app().await;
    let r = app
        .post(
            "/api/v1/ledgers",
            json!({"name": "优化营商环境攻坚年", "doc_number": "奈政字〔2025〕43号", "issued": "2022-03-18"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.json["issued"], "2022-03-18");
    let r = app.post("/api/v1/ledgers", json!({"name": "坏日期", "issued": "3月18日"})).await;
    assert_eq!((r.status, r.json["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("issued")));
    assert_eq!(app.get("/api/v1/ledgers").await.json.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn malformed_requests_get_stable_codes_and_chinese_messages() {
    let app = spawn_app().await;
    let r = app
        .client
        .post(format!("{}/api/v1/units", app.base))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let j: serde_json::Value = r.json().await.unwrap();
    assert_eq!(j["error"]["code"], "invalid_input");
    assert!(j["error"]["message"].as_str().unwrap().contains("请求内容"));
    let r = app.get("/api/v1/units/abc").await;
    assert_eq!((r.status, code(&r)), (StatusCode::BAD_REQUEST, "invalid_input"));
    let r = app.get("/api/v1/nothing-here").await;
    assert_eq!((r.status, code(&r)), (StatusCode::NOT_FOUND, "not_found"));
    let r = app.get("/api/v1/resolve?name=不存在的局").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}
