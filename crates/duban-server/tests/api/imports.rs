//! Importing a document through the API: preview (raw upload or multipart form), commit with
//! corrections, and re-import that updates rather than duplicates.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

const DOC: &str = "关于印发某旗重点任务清单的通知\n2026年3月1日\n一、重点任务\n（一）优化营商环境\n\
（1）开办时间压缩至0.5个工作日以内，6月底前完成。（牵头单位：旗行政审批和政务服务局；责任单位：旗市场监管局、公安局）\n\
（2）推进不动产登记一窗受理，年底前完成。（牵头单位：旗自然资源局）\n";

async fn upload(app: &TestApp, body: &str) -> (StatusCode, Value) {
    let r = app
        .client
        .post(format!("{}/api/v1/imports/preview?filename=清单.txt", app.base))
        .header("content-type", "application/octet-stream")
        .body(body.as_bytes().to_vec())
        .send()
        .await
        .unwrap();
    let status = r.status();
    let json: Value = r.json().await.unwrap();
    app.check_documented("post", "/api/v1/imports/preview", status, &json);
    (status, json)
}

#[tokio::test]
async fn a_document_is_previewed_corrected_and_committed_once() {
    let app = spawn_app().await;
    app.unit("旗行政审批和政务服务局").await;
    app.unit("旗市场监管局").await;
    let (status, preview) = upload(&app, DOC).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(preview["document"]["title"], "某旗重点任务清单");
    assert_eq!(preview["tasks"].as_array().unwrap().len(), 2);
    let t1 = &preview["tasks"][0];
    assert_eq!(t1["deadline"], "2026-06-30");
    let unknown: Vec<&str> = t1["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["code"] == "unknown_unit")
        .map(|w| w["name"].as_str().unwrap())
        .collect();
    assert_eq!(unknown, vec!["旗公安局"]);
    // Committing with units the directory does not know is refused, and nothing is written.
    let r = app.post("/api/v1/imports/commit", json!({"preview": preview})).await;
    assert_eq!((r.status, r.json["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("units")));
    assert!(r.json["error"]["message"].as_str().unwrap().contains("旗公安局"));
    assert_eq!(app.get("/api/v1/ledgers").await.json, json!([]));
    // The user corrects the preview: drops the unknown unit, and moves a deadline.
    let mut fixed = preview.clone();
    fixed["tasks"][0]["cooperating"] = json!(["旗市场监管局"]);
    fixed["tasks"][1]["lead"] = json!(["旗行政审批和政务服务局"]);
    let r = app.post("/api/v1/imports/commit", json!({"preview": fixed})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!((r.json["created"].as_i64(), r.json["ledger"].as_str()), (Some(2), Some("某旗重点任务清单")));
    let ledger = r.json["ledger_id"].as_i64().unwrap();
    let tasks = app.get(&format!("/api/v1/tasks?ledger={ledger}&sort=number")).await.json;
    assert_eq!(tasks["total"], 2);
    assert_eq!(tasks["items"][0]["section"], "一、重点任务 / （一）优化营商环境");
    assert_eq!(tasks["items"][0]["targets"], json!(["压缩至0.5个工作日以内"]));
    assert_eq!(tasks["items"][0]["deadline"], "2026-06-30");
    // The same preview again changes nothing.
    let r = app.post("/api/v1/imports/commit", json!({"preview": fixed})).await;
    assert_eq!((r.json["created"].as_i64(), r.json["unchanged"].as_i64()), (Some(0), Some(2)));
    // A changed document updates its ledger: one task changed, one gone.
    let mut changed = fixed.clone();
    changed["tasks"][0]["deadline"] = json!("2026-09-30");
    changed["tasks"].as_array_mut().unwrap().pop();
    let r = app.post("/api/v1/imports/commit", json!({"preview": changed})).await;
    assert_eq!(
        (r.json["updated"].as_i64(), r.json["withdrawn"].as_i64(), r.json["created"].as_i64()),
        (Some(1), Some(1), Some(0))
    );
    let tasks = app.get(&format!("/api/v1/tasks?ledger={ledger}&sort=number")).await.json;
    assert_eq!(tasks["items"][0]["deadline"], "2026-09-30");
    assert_eq!(tasks["items"][1]["status"], "cancelled");
    assert_eq!(app.get("/api/v1/ledgers").await.json.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_file_can_be_uploaded_as_a_form() {
    let app = spawn_app().await;
    let part = reqwest::multipart::Part::bytes(DOC.as_bytes().to_vec()).file_name("清单.txt");
    let form = reqwest::multipart::Form::new().text("note", "x").part("file", part);
    let r = app.client.post(format!("{}/api/v1/imports/preview", app.base)).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["tasks"].as_array().unwrap().len(), 2);
    // Without a directory in the database, no unit is reported unknown.
    assert!(v["tasks"][0]["warnings"].as_array().unwrap().iter().all(|w| w["code"] != "unknown_unit"));
    let empty = reqwest::multipart::Form::new().text("note", "x");
    let r = app.client.post(format!("{}/api/v1/imports/preview", app.base)).multipart(empty).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn unreadable_uploads_are_explained() {
    let app = spawn_app().await;
    let (status, v) = upload(&app, "").await;
    assert_eq!((status, v["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("file")));
    let r = app
        .client
        .post(format!("{}/api/v1/imports/preview?filename=a.docx", app.base))
        .body(b"PK\x03\x04\x14\x00not a zip".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .post(
            "/api/v1/imports/commit",
            json!({"preview": {"document": {"title": "", "doc_number": null, "issued": null}, "tasks": []}}),
        )
        .await;
    assert_eq!(r.json["error"]["field"], "document.title");
}

#[tokio::test]
async fn lead_units_are_suggested_from_the_ledgers() {
    let app = spawn_app().await;
    let tax = app.unit("旗税务局").await;
    let land = app.unit("旗自然资源局").await;
    for (title, unit) in [
        ("增值税留抵退税提速", tax),
        ("出口退税时间压缩", tax),
        ("不动产登记一窗受理", land),
        ("不动产抵押登记网上办", land),
    ] {
        app.task(json!({"title": title, "lead": [{"unit": unit}]})).await;
    }
    let r = app.get("/api/v1/suggest?text=推进留抵退税智能审批").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json[0]["unit_id"], tax);
    assert_eq!(r.json[0]["name"], "旗税务局");
    // A new task changes what is learnt at once.
    let health = app.unit("旗卫健委").await;
    app.task(json!({"title": "基本公共卫生服务满意度", "lead": [{"unit": health}]})).await;
    let r = app.get("/api/v1/suggest?text=公共卫生服务").await;
    assert_eq!(r.json[0]["unit_id"], health);
    let r = app.get("/api/v1/suggest?text=%20").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}
