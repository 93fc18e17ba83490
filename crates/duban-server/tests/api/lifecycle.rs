//! The closed loop through the API: sign, deploy, report, feedback, return, approve; extensions,
//! disputes and suspensions; who may act; subtasks closing their parent.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

struct Cast {
    unit_a: i64,
    unit_b: i64,
    officer: i64,
    head: i64,
    office: i64,
    leader: i64,
    outsider: i64,
}

async fn person(app: &TestApp, username: &str, unit: i64, roles: &[&str], charge: &[i64]) -> i64 {
    let r = app
        .post(
            "/api/v1/people",
            json!({"name": username, "username": username, "unit_id": unit, "roles": roles, "charge_units": charge}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    r.json["id"].as_i64().unwrap()
}

async fn cast(app: &TestApp) -> Cast {
    let unit_a = app.unit("旗行政审批和政务服务局").await;
    let unit_b = app.unit("旗市场监督管理局").await;
    let office_unit = app.unit("旗政府办公室").await;
    Cast {
        unit_a,
        unit_b,
        officer: person(app, "officer", unit_a, &["officer"], &[]).await,
        head: person(app, "head", unit_a, &["unit_head"], &[]).await,
        office: person(app, "office", office_unit, &["office"], &[]).await,
        leader: person(app, "leader", office_unit, &["leader"], &[unit_a]).await,
        outsider: person(app, "outsider", unit_b, &["officer"], &[]).await,
    }
}

async fn act(app: &TestApp, task: &Value, body: Value) -> Reply {
    let id = task["id"].as_i64().unwrap();
    let mut body = body;
    body["version"] = task["version"].clone();
    app.post(&format!("/api/v1/tasks/{id}/actions"), body).await
}

fn stage<'a>(t: &'a Value, s: &str) -> &'a Value {
    t["stages"].as_array().unwrap().iter().find(|x| x["stage"] == s).unwrap()
}

#[tokio::test]
async fn a_task_goes_round_the_closed_loop() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let t = app.task(json!({"title": "推行一照通办", "lead": [{"unit": c.unit_a}], "deadline": "2026-06-30"})).await;
    let avail = app.get(&format!("/api/v1/tasks/{}/actions?actor={}", t["id"], c.officer)).await;
    let codes: Vec<&str> = avail.json.as_array().unwrap().iter().map(|a| a["action"].as_str().unwrap()).collect();
    assert_eq!(codes, vec!["sign", "request_extension", "raise_dispute"]);
    let r = act(&app, &t, json!({"action": "sign", "actor": c.outsider})).await;
    assert_eq!((r.status, code(&r)), (StatusCode::FORBIDDEN, "forbidden"));
    let t = act(&app, &t, json!({"action": "签收", "actor": c.officer})).await.json;
    assert_eq!(t["status"], "signed");
    assert_eq!(stage(&t, "sign")["state"], "met");
    let r = act(&app, &t, json!({"action": "deploy", "actor": c.officer})).await;
    assert_eq!((r.status, r.json["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("text")));
    let t = act(&app, &t, json!({"action": "deploy", "actor": c.head, "text": "制定方案，明确专人"})).await.json;
    let t = act(&app, &t, json!({"action": "report", "actor": c.officer, "text": "已完成系统对接"})).await.json;
    assert_eq!(t["status"], "in_progress");
    let r = act(&app, &t, json!({"action": "feedback", "actor": c.officer, "text": "已全面推行"})).await;
    assert_eq!(r.json["error"]["field"], "evidence");
    let report = app.attach(&t, "推行情况报告.pdf", b"%PDF-1.4 report").await;
    let t = app.get(&format!("/api/v1/tasks/{}", t["id"])).await.json;
    let t =
        act(&app, &t, json!({"action": "feedback", "actor": c.officer, "text": "已全面推行", "evidence": [report]}))
            .await
            .json;
    assert_eq!((t["status"].as_str(), stage(&t, "done")["state"].as_str()), (Some("feedback"), Some("met")));
    let r = act(&app, &t, json!({"action": "approve", "actor": c.officer})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let t = act(&app, &t, json!({"action": "return", "actor": c.office, "text": "佐证材料不全"})).await.json;
    assert_eq!((t["status"].as_str(), stage(&t, "done")["state"].as_str()), (Some("returned"), Some("open")));
    let more = app.attach(&t, "补充.pdf", b"%PDF-1.4 more").await;
    let t = app.get(&format!("/api/v1/tasks/{}", t["id"])).await.json;
    let t = act(&app, &t, json!({"action": "feedback", "actor": c.officer, "text": "补充材料", "evidence": [more]}))
        .await
        .json;
    let t = act(&app, &t, json!({"action": "approve", "actor": c.leader})).await.json;
    assert_eq!((t["status"].as_str(), t["light"].clone()), (Some("closed"), Value::Null));
    let events = app.get(&format!("/api/v1/tasks/{}/events", t["id"])).await.json;
    let kinds: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        vec![
            "created", "sign", "deploy", "report", "attached", "feedback", "return", "attached", "feedback", "approve"
        ]
    );
    assert_eq!(events[6]["actor_id"], c.office);
    assert_eq!(events[6]["data"]["text"], "佐证材料不全");
    assert!(
        app.get(&format!("/api/v1/tasks/{}/actions?actor={}", t["id"], c.office))
            .await
            .json
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn an_extension_is_decided_by_the_office_or_the_leader_and_limited() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let t = app.task(json!({"title": "清理文件", "lead": [{"unit": c.unit_a}], "deadline": "2026-06-30"})).await;
    let r = act(&app, &t, json!({"action": "request_extension", "actor": c.officer, "text": "上级政策未出台", "new_deadline": "2026-05-01"})).await;
    assert_eq!(r.json["error"]["field"], "new_deadline");
    let t = act(&app, &t, json!({"action": "request_extension", "actor": c.officer, "text": "上级政策未出台", "new_deadline": "2026-09-30"})).await.json;
    assert_eq!(t["status"], "extension");
    let t = act(&app, &t, json!({"action": "approve_extension", "actor": c.leader, "new_deadline": "2026-09-30"}))
        .await
        .json;
    assert_eq!((t["status"].as_str(), t["deadline"].as_str()), (Some("assigned"), Some("2026-09-30")));
    let r = act(
        &app,
        &t,
        json!({"action": "request_extension", "actor": c.officer, "text": "再延", "new_deadline": "2026-12-31"}),
    )
    .await;
    assert_eq!((r.status, code(&r)), (StatusCode::CONFLICT, "conflict"));
    assert!(r.json["error"]["message"].as_str().unwrap().contains("上限"));
}

#[tokio::test]
async fn a_dispute_is_ruled_and_reassigns_the_task() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let t = app.task(json!({"title": "转供电加价整治", "lead": [{"unit": c.unit_a}]})).await;
    let t = act(&app, &t, json!({"action": "sign", "actor": c.officer})).await.json;
    let t = act(
        &app,
        &t,
        json!({"action": "raise_dispute", "actor": c.head, "text": "审批局认为属市场监管职责；市场监管局认为…"}),
    )
    .await
    .json;
    assert_eq!(t["status"], "disputed");
    let r = act(&app, &t, json!({"action": "rule", "actor": c.office, "text": "由市场监管局牵头"})).await;
    assert_eq!(r.json["error"]["field"], "lead");
    let t = act(&app, &t, json!({"action": "rule", "actor": c.office, "text": "由市场监管局牵头", "lead": [{"unit": c.unit_b}], "cooperating": [{"unit": c.unit_a}]})).await.json;
    assert_eq!((t["status"].as_str(), t["lead"].clone()), (Some("assigned"), json!([{"unit": c.unit_b}])));
    assert_eq!(stage(&t, "sign")["state"], "open");
    // The new lead unit signs now; the old one no longer may.
    let r = act(&app, &t, json!({"action": "sign", "actor": c.officer})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let t = act(&app, &t, json!({"action": "sign", "actor": c.outsider})).await.json;
    assert_eq!(t["status"], "signed");
}

#[tokio::test]
async fn a_suspended_task_has_no_light_and_resumes() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let t = app.task(json!({"title": "园区用地清查", "lead": [{"unit": c.unit_a}]})).await;
    let t = act(&app, &t, json!({"action": "sign", "actor": c.officer})).await.json;
    let t = act(&app, &t, json!({"action": "suspend", "actor": c.office, "text": "旗政府常务会议决定暂缓"})).await.json;
    assert_eq!((t["status"].as_str(), t["light"].clone()), (Some("suspended"), Value::Null));
    let t = act(&app, &t, json!({"action": "resume", "actor": c.office})).await.json;
    assert_eq!(t["status"], "signed");
    let stale = json!({"action": "report", "actor": c.officer, "text": "x", "version": 1});
    let r = app.post(&format!("/api/v1/tasks/{}/actions", t["id"]), stale).await;
    assert_eq!((r.status, r.json["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("version_conflict")));
}

#[tokio::test]
async fn a_parent_closes_when_its_subtasks_have() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let parent = app.task(json!({"title": "优化企业开办服务", "lead": [{"unit": c.unit_a}]})).await;
    let mut kids = Vec::new();
    for title in ["一照通办", "开办压缩至0.5天"] {
        kids.push(app.task(json!({"title": title, "lead": [{"unit": c.unit_a}], "parent_id": parent["id"]})).await);
    }
    let p = act(&app, &parent, json!({"action": "sign", "actor": c.officer})).await.json;
    let p = act(&app, &p, json!({"action": "report", "actor": c.officer, "text": "分解为两项"})).await.json;
    let x = app.attach(&p, "x.pdf", b"x").await;
    let p = app.get(&format!("/api/v1/tasks/{}", p["id"])).await.json;
    let r = act(&app, &p, json!({"action": "feedback", "actor": c.officer, "text": "完成", "evidence": [x]})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "a parent waits for its subtasks");
    for k in kids {
        let k = act(&app, &k, json!({"action": "sign", "actor": c.officer})).await.json;
        let k = act(&app, &k, json!({"action": "report", "actor": c.officer, "text": "办理中"})).await.json;
        let x = app.attach(&k, "x.pdf", b"x").await;
        let k = app.get(&format!("/api/v1/tasks/{}", k["id"])).await.json;
        let k = act(&app, &k, json!({"action": "feedback", "actor": c.officer, "text": "完成", "evidence": [x]}))
            .await
            .json;
        act(&app, &k, json!({"action": "approve", "actor": c.office})).await;
    }
    let p = app.get(&format!("/api/v1/tasks/{}", parent["id"])).await.json;
    assert_eq!(p["status"], "closed");
    let events = app.get(&format!("/api/v1/tasks/{}/events", parent["id"])).await.json;
    assert_eq!(events.as_array().unwrap().last().unwrap()["kind"], "closed_by_subtasks");
}

#[tokio::test]
async fn a_unit_and_its_people_see_their_work_lists() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    app.clock.set(bj("2026-03-02T09:00"));
    let fresh = app.task(json!({"title": "待签收", "lead": [{"unit": c.unit_a}]})).await;
    let signed = app.task(json!({"title": "待报告", "lead": [{"unit": c.unit_a}]})).await;
    act(&app, &signed, json!({"action": "sign", "actor": c.officer})).await;
    let returned = app.task(json!({"title": "被退回", "lead": [{"unit": c.unit_a}]})).await;
    let r = act(&app, &returned, json!({"action": "sign", "actor": c.officer})).await.json;
    let r = act(&app, &r, json!({"action": "report", "actor": c.officer, "text": "x"})).await.json;
    let x = app.attach(&r, "x.pdf", b"x").await;
    let r = app.get(&format!("/api/v1/tasks/{}", r["id"])).await.json;
    let r =
        act(&app, &r, json!({"action": "feedback", "actor": c.officer, "text": "完成", "evidence": [x]})).await.json;
    act(&app, &r, json!({"action": "return", "actor": c.office, "text": "不合格"})).await;
    app.task(json!({"title": "别的单位的", "lead": [{"unit": c.unit_b}]})).await;
    // Ten days on, the unsigned task is past its 3-working-day signing limit.
    app.clock.set(bj("2026-03-12T09:00"));
    let w = app.get(&format!("/api/v1/work?unit={}", c.unit_a)).await.json;
    let titles = |k: &str| {
        w[k]["items"].as_array().unwrap().iter().map(|t| t["title"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    assert_eq!(titles("to_sign"), vec!["待签收"]);
    assert_eq!(titles("to_report"), vec!["待报告"]);
    assert_eq!(titles("returned"), vec!["被退回"]);
    assert!(titles("overdue").contains(&"待签收".to_string()));
    assert_eq!(w["to_sign"]["items"][0]["id"], fresh["id"]);
    let by_person = app.get(&format!("/api/v1/work?person={}", c.officer)).await.json;
    assert_eq!(by_person, w);
    let r = app.get("/api/v1/work").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn evidence_is_a_file_uploaded_to_the_task_and_downloads_as_sent() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let t = app.task(json!({"title": "推行一照通办", "lead": [{"unit": c.unit_a}]})).await;
    let other = app.task(json!({"title": "别的任务", "lead": [{"unit": c.unit_a}]})).await;
    let t = act(&app, &t, json!({"action": "sign", "actor": c.officer})).await.json;
    let t = act(&app, &t, json!({"action": "report", "actor": c.officer, "text": "办理中"})).await.json;
    let bytes: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
    let mine = app.attach(&t, "验收报告（终稿）.pdf", &bytes).await;
    let theirs = app.attach(&other, "别的.pdf", b"x").await;
    let t = app.get(&format!("/api/v1/tasks/{}", t["id"])).await.json;
    // Another task's file is not evidence for this one, and nothing changes.
    let r =
        act(&app, &t, json!({"action": "feedback", "actor": c.officer, "text": "完成", "evidence": [theirs]})).await;
    assert_eq!((r.status, r.json["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("evidence")));
    let r = act(&app, &t, json!({"action": "feedback", "actor": c.officer, "text": "完成", "evidence": [mine]})).await;
    assert_eq!(r.json["status"], "feedback");
    let list = app.get(&format!("/api/v1/tasks/{}/attachments", t["id"])).await.json;
    assert_eq!(list[0]["name"], "验收报告（终稿）.pdf");
    assert_eq!(list[0]["size"], 100_000);
    let resp = app.client.get(format!("{}/api/v1/attachments/{mine}", app.base)).send().await.unwrap();
    assert_eq!(resp.headers()["content-type"], "application/pdf");
    assert!(
        resp.headers()["content-disposition"].to_str().unwrap().starts_with("attachment; filename*=UTF-8''%E9%AA%8C")
    );
    assert_eq!(resp.bytes().await.unwrap().to_vec(), bytes);
    let events = app.get(&format!("/api/v1/tasks/{}/events", t["id"])).await.json;
    let fb = events.as_array().unwrap().iter().find(|e| e["kind"] == "feedback").unwrap();
    assert_eq!(
        (fb["data"]["evidence"][0].as_str(), fb["data"]["attachments"][0].as_i64()),
        (Some("验收报告（终稿）.pdf"), Some(mine))
    );
    // An empty file or a missing name is refused.
    let r = app
        .client
        .post(format!("{}/api/v1/tasks/{}/attachments?filename=a.pdf", app.base, t["id"]))
        .body(Vec::new())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r =
        app.client.post(format!("{}/api/v1/tasks/{}/attachments", app.base, t["id"])).body("x").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
