//! Pre-procedures of key projects (issue 14 §4): the office adds a project's procedures and
//! starts them; each start is a task of source Procedure in the ledger 项目前期手续台账, due on
//! the committed date counted in working days; the supervision pass, run with a clock moved by
//! hand, issues a 督办 to the department that misses its commitment and not to one within it;
//! finishing goes through the lifecycle; the weekly dispatch, its .xlsx, the monthly .docx and
//! the battle map's page read what the tasks say.

use crate::helpers::*;
use duban_app::actor::Actor;
use duban_domain::enterprise::ProjectInput;
use reqwest::StatusCode;
use serde_json::{Value, json};

struct World {
    unit: i64,
    officer: i64,
    officer_token: String,
    project: i64,
    kinds: Vec<Value>,
}

async fn world(app: &TestApp) -> World {
    let unit = app.unit("旗发展和改革委员会").await;
    let (officer, officer_token) = app
        .person_signed_in(json!({"name": "发改经办", "username": "fg", "unit_id": unit, "roles": ["officer"]}))
        .await;
    let input = ProjectInput {
        name: Some("风电装备制造项目".into()),
        total_investment: Some("3亿".into()),
        stage: Some("前期手续".into()),
        ..Default::default()
    };
    let project = app.duban.enterprises().create_project(&Actor::command_line(), input).await.unwrap().id.0;
    let r = app.get("/api/v1/procedures/kinds").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let kinds = r.json.as_array().unwrap().clone();
    World { unit, officer, officer_token, project, kinds }
}

fn kind(w: &World, name: &str) -> i64 {
    w.kinds.iter().find(|k| k["name"] == name).unwrap()["id"].as_i64().unwrap()
}

async fn act(app: &TestApp, task: i64, action: &str, actor: i64, extra: Value) -> Value {
    let t = app.get(&format!("/api/v1/tasks/{task}")).await.json;
    let mut body = json!({"action": action, "actor": actor, "version": t["version"], "text": "已办理"});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let r = app.post(&format!("/api/v1/tasks/{task}/actions"), body).await;
    assert_eq!(r.status, StatusCode::OK, "{action}: {}", r.json);
    r.json
}

async fn add_and_start(app: &TestApp, w: &World, kind_name: &str, days: u32) -> Value {
    let body = json!({"project_id": w.project, "kind_id": kind(w, kind_name), "unit_id": w.unit, "days": days});
    let r = app.post("/api/v1/procedures", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    assert_eq!(r.json["task_id"], Value::Null);
    let r = app.post(&format!("/api/v1/procedures/{}/start", r.json["id"]), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    r.json
}

#[tokio::test]
async fn a_missed_commitment_is_supervised_and_a_kept_one_finishes_through_the_lifecycle() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let names: Vec<&str> = w.kinds.iter().map(|k| k["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["立项", "选址", "用地预审", "规划许可", "环评", "能评", "施工许可"]);

    // Monday 2026-03-02: 立项 committed in 5 working days (03-09), 环评 in 20 (03-30).
    app.clock.set(bj("2026-03-02T09:00"));
    let lx = add_and_start(&app, &w, "立项", 5).await;
    assert_eq!((lx["status"].as_str(), lx["light"].as_str()), (Some("in_progress"), Some("green")));
    assert_eq!((lx["started_on"].as_str(), lx["committed_on"].as_str()), (Some("2026-03-02"), Some("2026-03-09")));
    let hp = add_and_start(&app, &w, "环评", 20).await;
    assert_eq!(hp["committed_on"], "2026-03-30");

    // Each is a task on the one engine: source, title, lead unit, deadline, ledger.
    let lx_task = lx["task_id"].as_i64().unwrap();
    let t = app.get(&format!("/api/v1/tasks/{lx_task}")).await.json;
    assert_eq!((t["source"].as_str(), t["title"].as_str()), (Some("procedure"), Some("风电装备制造项目·立项")));
    assert_eq!((t["deadline"].as_str(), t["lead"][0]["unit"].as_i64()), (Some("2026-03-09"), Some(w.unit)));
    let ledgers = app.get("/api/v1/ledgers").await.json;
    let ledger = ledgers.as_array().unwrap().iter().find(|l| l["id"] == t["ledger_id"]).unwrap();
    assert_eq!(ledger["name"], "项目前期手续台账");

    // Started once only; the same kind twice on a project, or without a limit, is refused.
    let again = app.post(&format!("/api/v1/procedures/{}/start", lx["id"]), json!({})).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let dup = json!({"project_id": w.project, "kind_id": kind(&w, "立项"), "unit_id": w.unit, "days": 3});
    assert_eq!(app.post("/api/v1/procedures", dup).await.status, StatusCode::CONFLICT);
    let no_days = json!({"project_id": w.project, "kind_id": kind(&w, "能评"), "unit_id": w.unit});
    let r = app.post("/api/v1/procedures", no_days).await;
    assert_eq!((r.status, code(&r)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"), "{}", r.json);
    let future = app
        .post(
            "/api/v1/procedures",
            json!({"project_id": w.project, "kind_id": kind(&w, "能评"),
        "unit_id": w.unit, "days": 3}),
        )
        .await;
    let r =
        app.post(&format!("/api/v1/procedures/{}/start", future.json["id"]), json!({"started_on": "2026-03-20"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json);

    // The department signs and deploys both on time.
    for task in [lx_task, hp["task_id"].as_i64().unwrap()] {
        act(&app, task, "sign", w.officer, json!({})).await;
        act(&app, task, "deploy", w.officer, json!({})).await;
    }

    // 环评 is finished through the lifecycle: feedback with evidence, approved by the office.
    app.clock.set(bj("2026-03-10T10:00"));
    let hp_task = hp["task_id"].as_i64().unwrap();
    let t = app.get(&format!("/api/v1/tasks/{hp_task}")).await.json;
    let evidence = app.attach(&t, "环评批复.pdf", b"%PDF-1.4 pi fu").await;
    act(&app, hp_task, "feedback", w.officer, json!({"evidence": [evidence]})).await;
    let people = app.store.list_people().await.unwrap();
    let root = people.iter().find(|p| p.fields.username == "root").unwrap().id.0;
    act(&app, hp_task, "approve", root, json!({})).await;

    // The pass after 立项's committed date: a 督办 for it, none for 环评.
    let r = app.duban.supervision().pass(bj("2026-03-10T10:30")).await.unwrap();
    assert_eq!(r.notices.len(), 1, "{:?}", r.notices);
    let events = app.get(&format!("/api/v1/tasks/{lx_task}/events")).await.json;
    assert!(events.as_array().unwrap().iter().any(|e| e["kind"] == "supervised"), "{events:#}");
    let events = app.get(&format!("/api/v1/tasks/{hp_task}/events")).await.json;
    assert!(!events.as_array().unwrap().iter().any(|e| e["kind"] == "supervised"));

    // The project's procedures and the battle map's page: 立项 red, 环评 done on 03-10.
    let p = app.get(&format!("/api/v1/procedures/projects/{}", w.project)).await.json;
    let by_kind = |k: &str| p["procedures"].as_array().unwrap().iter().find(|x| x["kind"] == k).unwrap().clone();
    assert_eq!(by_kind("立项")["light"], "red");
    assert_eq!(
        (by_kind("环评")["status"].as_str(), by_kind("环评")["finished_on"].as_str()),
        (Some("done"), Some("2026-03-10"))
    );
    assert_eq!(by_kind("能评")["status"], "not_started");
    let m = app.get("/api/v1/procedures?page=1").await.json;
    assert_eq!((m["total"].as_i64(), m["rows"][0]["cells"].as_array().unwrap().len()), (Some(1), 7));
    assert_eq!(m["rows"][0]["cells"][0]["light"], "red");
    assert_eq!(m["rows"][0]["cells"][1], Value::Null);

    // The week's dispatch: 立项 overdue, 环评 finished this week; the workbook and the report.
    let wk = app.get("/api/v1/procedures/weekly?day=2026-03-11").await.json;
    let lines: Vec<(&str, &str)> = wk["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["line"].as_str().unwrap(), l["procedure"]["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(lines, [("overdue", "立项"), ("finished_this_week", "环评")]);
    assert_eq!((wk["by_unit"][0]["overdue"].as_i64(), wk["by_unit"][0]["finished"].as_i64()), (Some(1), Some(1)));
    let bad = app.get("/api/v1/procedures/weekly?day=2026-13-01").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let x = app.client.get(format!("{}/api/v1/procedures/weekly/xlsx?day=2026-03-11", app.base)).send().await.unwrap();
    assert_eq!(x.status(), StatusCode::OK);
    assert!(x.headers()["content-type"].to_str().unwrap().contains("spreadsheetml"));
    assert!(x.bytes().await.unwrap().starts_with(b"PK"));
    let mo = app.get("/api/v1/procedures/monthly?month=2026-03").await.json;
    assert_eq!(mo["lines"][0]["label"], "逾期未办结");
    let d = app.client.get(format!("{}/api/v1/procedures/monthly/docx?month=2026-03", app.base)).send().await.unwrap();
    assert_eq!(d.status(), StatusCode::OK);
    let bytes = d.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK"));

    // Only the office adds and starts; a department's officer reads.
    let officer = reqwest::Client::new();
    let auth = format!("Bearer {}", w.officer_token);
    let r = officer
        .post(format!("{}/api/v1/procedures/kinds", app.base))
        .header("authorization", &auth)
        .json(&json!({"name": "防雷审查"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = officer.get(format!("{}/api/v1/procedures", app.base)).header("authorization", &auth).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = app.post("/api/v1/procedures/kinds", json!({"name": "防雷审查", "default_days": 5})).await;
    assert_eq!((r.status, r.json["builtin"].as_bool()), (StatusCode::CREATED, Some(false)), "{}", r.json);
    assert_eq!(app.post("/api/v1/procedures/kinds", json!({"name": "防雷审查"})).await.status, StatusCode::CONFLICT);
    // A kind with a default limit needs none in the form.
    let r = app
        .post("/api/v1/procedures", json!({"project_id": w.project, "kind_id": r.json["id"], "unit_id": w.unit}))
        .await;
    assert_eq!((r.status, r.json["days"].as_i64()), (StatusCode::CREATED, Some(5)), "{}", r.json);
}

#[tokio::test]
async fn procedures_on_postgres() {
    let Some(app) = spawn_app_on_postgres().await else { return };
    let w = world(&app).await;
    app.clock.set(bj("2026-03-02T09:00"));
    let lx = add_and_start(&app, &w, "立项", 5).await;
    assert_eq!(lx["committed_on"], "2026-03-09");
    let r = app.duban.supervision().pass(bj("2026-03-10T10:30")).await.unwrap();
    assert!(!r.notices.is_empty(), "{r:?}");
    app.clock.set(bj("2026-03-10T10:30"));
    let m = app.get("/api/v1/procedures").await.json;
    assert_eq!(m["rows"][0]["cells"][0]["light"], "red");
    let wk = app.get("/api/v1/procedures/weekly?day=2026-03-10").await.json;
    assert_eq!(wk["lines"][0]["line"], "overdue");
}
