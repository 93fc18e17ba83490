//! Liaison (包联) and project stewards (项目管家), issue 14 §2–3: the office assigns, coverage
//! (全覆盖) and gaps; the obligation job makes one task per assignment and quarter on the one
//! engine, which turns yellow and is reminded before the quarter ends when no visit is
//! recorded; a visit completes it through the trail; a problem found links to the demand it
//! became; stewards are flagged when missing or of the wrong rank.

use crate::helpers::*;
use duban_app::actor::Actor;
use duban_app::jobs::{Outcome, Runner};
use duban_domain::enterprise::{EnterpriseInput, ProjectInput};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

async fn as_person(app: &TestApp, token: &str, method: &str, path: &str, body: Option<Value>) -> Reply {
    app.send(method, path, body, &[("Authorization", &format!("Bearer {token}"))]).await
}

#[tokio::test]
async fn liaison_visits_run_on_the_one_engine() {
    liaison_flow(spawn_app().await).await;
}

#[tokio::test]
async fn liaison_visits_run_on_the_one_engine_on_postgres() {
    if let Some(app) = spawn_app_on_postgres().await {
        liaison_flow(app).await;
    }
}

async fn liaison_flow(app: TestApp) {
    app.clock.set(bj("2026-10-08T09:00"));
    let town = app.unit("大沁他拉镇").await;
    let (head, token) = app
        .person_signed_in(json!({"name": "包联镇长", "username": "zhenzhang", "unit_id": town, "roles": ["unit_head"]}))
        .await;
    let office = Actor::command_line();
    let e = |name: &str, code: &str, scale: &str| EnterpriseInput {
        name: Some(name.into()),
        credit_code: Some(code.into()),
        scale: Some(scale.into()),
        ..Default::default()
    };
    let ents = app.duban.enterprises();
    let e1 = ents.create_enterprise(&office, e("甲能源公司", "91350100M000100Y43", "规上")).await.unwrap();
    let code2 = duban_domain::enterprise::CreditCode::completing("91152723MA0N12345").unwrap();
    let e2 = ents.create_enterprise(&office, e("乙商贸公司", code2.as_str(), "其他")).await.unwrap();

    // Only the office assigns; the liaison's unit is recorded.
    let body = json!({"person_id": head, "enterprise_id": e1.id.0});
    let r = as_person(&app, &token, "post", "/api/v1/liaison", Some(body.clone())).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app.post("/api/v1/liaison", body.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let id = r.json["id"].as_i64().unwrap();
    assert_eq!((r.json["unit_id"].as_i64(), r.json["assigned_by"].is_number()), (Some(town), true));
    assert_eq!(app.post("/api/v1/liaison", body).await.status, StatusCode::CONFLICT);
    let r = app.post("/api/v1/liaison", json!({"person_id": head, "project_id": 1})).await;
    assert_eq!((r.status, code(&r)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"));
    let r = app.post("/api/v1/liaison", json!({"person_id": 9_000_000_000_i64, "enterprise_id": e1.id.0})).await;
    assert_eq!((r.status, code(&r)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"), "no such person");

    // 全覆盖: one of two, the other a gap.
    assert_eq!(app.get("/api/v1/liaison/coverage?offset=-1").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let c = app.get("/api/v1/liaison/coverage").await.json;
    assert_eq!(
        (c["enterprises"].as_u64(), c["covered"].as_u64(), c["percent"].as_f64()),
        (Some(2), Some(1), Some(50.0))
    );
    assert_eq!(c["gaps"][0]["id"].as_i64(), Some(e2.id.0));
    assert_eq!(c["period"], "2026年第4季度");

    // The job makes the quarter's task once, through the runner (under its lease).
    let runner = Runner::new(app.duban.clone()).every(Duration::from_secs(60));
    let ran = |o: Option<Outcome>| match o {
        Some(Outcome::Ran(line)) => line,
        other => panic!("did not run: {other:?}"),
    };
    assert_eq!(ran(runner.run_now("service_obligations").await), "obligation tasks created 1");
    assert_eq!(ran(runner.run_now("service_obligations").await), "obligation tasks created 0");
    let rows = app.get("/api/v1/liaison").await.json;
    assert_eq!(
        (rows[0]["target"].as_str(), rows[0]["visited_this_period"].as_bool()),
        (Some("甲能源公司"), Some(false))
    );
    let task_id = rows[0]["task_id"].as_i64().unwrap();
    let t = app.get(&format!("/api/v1/tasks/{task_id}")).await.json;
    assert_eq!(t["title"], "走访甲能源公司（2026年第4季度）");
    assert_eq!((t["source"].as_str(), t["deadline"].as_str()), (Some("liaison"), Some("2026-12-31")));
    assert_eq!((t["status"].as_str(), t["responsible_person_id"].as_i64()), (Some("signed"), Some(head)));
    assert_eq!(t["lead"], json!([{"unit": town}]));
    assert_eq!(t["light"], "green");
    let ledgers = app.get("/api/v1/ledgers").await.json;
    assert!(ledgers.as_array().unwrap().iter().any(|l| l["name"] == "包联走访台账" && l["id"] == t["ledger_id"]));

    // No visit: yellow in the rules' warning window before the quarter ends, and reminded.
    let light = |app: &TestApp| {
        let app = app.duban.clone();
        async move { app.tasks().get_task(duban_domain::ids::TaskId(task_id)).await.unwrap().light }
    };
    app.clock.set(bj("2026-12-21T10:00"));
    assert_eq!(light(&app).await, Some(duban_domain::task::Light::Green));
    let quiet = app.duban.supervision().pass(bj("2026-12-21T10:00")).await.unwrap();
    assert_eq!(quiet.reminders, 0, "{quiet:?}");
    app.clock.set(bj("2026-12-30T10:00"));
    assert_eq!(light(&app).await, Some(duban_domain::task::Light::Yellow));
    let pass = app.duban.supervision().pass(bj("2026-12-30T10:00")).await.unwrap();
    assert!(pass.reminders > 0, "{pass:?}");

    // Evidence is an attachment of the quarter's task; someone else may not record the visit.
    let evidence = app.attach(&t, "走访照片.pdf", b"%PDF-1.4 photo").await;
    let visit = json!({"visited_on": "2026-12-30", "met": "王经理", "policies": "稳增长若干措施",
                       "problems": ["用电成本高", "招工难"], "evidence": [evidence]});
    let (_, other_token) = app
        .person_signed_in(json!({"name": "他人", "username": "taren", "unit_id": town, "roles": ["unit_head"]}))
        .await;
    let r = as_person(&app, &other_token, "post", &format!("/api/v1/liaison/{id}/visits"), Some(visit.clone())).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = as_person(
        &app,
        &token,
        "post",
        &format!("/api/v1/liaison/{id}/visits"),
        Some(json!({"visited_on": "2027-01-02", "met": "x"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "not in the future");
    let r = as_person(&app, &token, "post", &format!("/api/v1/liaison/{id}/visits"), Some(visit)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let v = r.json;
    assert_eq!((v["task_id"].as_i64(), v["problems"][1]["text"].as_str()), (Some(task_id), Some("招工难")));

    // The quarter's task is done, through its trail.
    let t = app.get(&format!("/api/v1/tasks/{task_id}")).await.json;
    assert_eq!((t["status"].as_str(), t["light"].is_null()), (Some("closed"), true));
    let events = app.store.task_events(duban_domain::ids::TaskId(task_id)).await.unwrap();
    let last = events.last().unwrap();
    assert_eq!((last.kind.as_str(), last.actor_id.map(|p| p.0)), ("feedback", Some(head)));
    assert_eq!(last.data["evidence"], json!(["走访照片.pdf"]));
    let c = app.get("/api/v1/liaison/coverage").await.json;
    assert_eq!(c["per_liaison"][0]["percent"].as_f64(), Some(100.0));
    assert_eq!(c["per_unit"][0]["id"].as_i64(), Some(town));
    assert_eq!(app.get(&format!("/api/v1/liaison/{id}/visits")).await.json[0]["id"], v["id"]);

    // 转为企业诉求: the demand task is linked to the problem once; only a demand.
    let demand = app.task(json!({"title": "协调降低用电成本", "source": "enterprise", "lead": [{"unit": town}]})).await;
    let plain = app.task(json!({"title": "别的任务", "lead": [{"unit": town}]})).await;
    let path = format!("/api/v1/liaison/visits/{}/problems/0/demand", v["id"]);
    let r = as_person(&app, &token, "post", &path, Some(json!({"task_id": plain["id"]}))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = as_person(&app, &token, "post", &path, Some(json!({"task_id": demand["id"]}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["problems"][0]["demand_task_id"], demand["id"]);
    assert_eq!(
        as_person(&app, &token, "post", &path, Some(json!({"task_id": demand["id"]}))).await.status,
        StatusCode::CONFLICT
    );
    let r = as_person(
        &app,
        &other_token,
        "post",
        &format!("/api/v1/liaison/visits/{}/problems/1/demand", v["id"]),
        Some(json!({"task_id": demand["id"]})),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // In one step: problem 1 becomes a new demand of the visited enterprise, channel 包联走访,
    // sent at once to the chosen lead unit, on the 1/3 working-day clock from now.
    let path = format!("/api/v1/liaison/visits/{}/problems/1/demand", v["id"]);
    let r = as_person(&app, &token, "post", &path, Some(json!({"kind": "用工招工", "lead": []}))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a lead unit is needed: {}", r.json);
    let raise = json!({"kind": "用工招工", "lead": [{"unit": town}]});
    let r = as_person(&app, &token, "post", &path, Some(raise.clone())).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "no phone listed nor the liaison's");
    assert!(r.json["error"]["message"].as_str().unwrap().contains("联系电话"), "{}", r.json);
    let mut listed = e1.fields.clone();
    listed.contact_phone = "0475-1234567".into();
    app.store.update_enterprise(e1.id, e1.version, &listed, None, bj("2026-12-30T10:00")).await.unwrap();
    let r = as_person(&app, &token, "post", &path, Some(raise.clone())).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let raised = r.json["problems"][1]["demand_task_id"].as_i64().unwrap();
    let t = app.get(&format!("/api/v1/tasks/{raised}")).await.json;
    assert_eq!((t["source"].as_str(), t["title"].as_str()), (Some("enterprise"), Some("甲能源公司：招工难")));
    let list = app.get("/api/v1/demands").await.json;
    let row = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["demand"]["task_id"].as_i64() == Some(raised))
        .unwrap()["demand"]
        .clone();
    assert_eq!(
        (row["channel"].as_str(), row["enterprise_id"].as_i64(), row["reference"].as_str()),
        (Some("visit"), Some(e1.id.0), Some(format!("visit:{}", v["id"])).as_deref()),
        "{row}"
    );
    assert_eq!(as_person(&app, &token, "post", &path, Some(raise)).await.status, StatusCode::CONFLICT);

    // Ended: no longer covering; once only.
    let r = app.post(&format!("/api/v1/liaison/{id}/end"), json!({"until": "2026-12-30"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["until"], "2026-12-30");
    assert_eq!(app.post(&format!("/api/v1/liaison/{id}/end"), json!({})).await.status, StatusCode::CONFLICT);
    assert_eq!(app.post(&format!("/api/v1/stewards/{id}/end"), json!({})).await.status, StatusCode::NOT_FOUND);
    app.clock.set(bj("2026-12-31T10:00"));
    assert_eq!(app.get("/api/v1/liaison/coverage").await.json["covered"].as_u64(), Some(0));
}

#[tokio::test]
async fn stewards_are_flagged_when_missing_or_of_the_wrong_rank() {
    let app = spawn_app().await;
    app.clock.set(bj("2026-11-02T09:00"));
    let bureau = app.unit("旗发展和改革委员会").await;
    let (leader, _) = app
        .person_signed_in(json!({"name": "副旗长", "username": "fuqizhang", "unit_id": bureau, "roles": ["unit_head"]}))
        .await;
    let office = Actor::command_line();
    let p = app
        .duban
        .enterprises()
        .create_project(
            &office,
            ProjectInput {
                name: Some("风电装备制造项目".into()),
                total_investment: Some("2亿".into()),
                signed_on: Some("2026-03-01".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let e = app
        .duban
        .enterprises()
        .create_enterprise(
            &office,
            EnterpriseInput {
                name: Some("规上工业企业".into()),
                credit_code: Some("91350100M000100Y43".into()),
                scale: Some("规上".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let flags = app.get("/api/v1/stewards/flags").await.json;
    let labels: Vec<&str> = flags.as_array().unwrap().iter().map(|f| f["flag"]["flag"].as_str().unwrap()).collect();
    assert_eq!(labels, vec!["missing", "missing"]);

    let r = app.post("/api/v1/stewards", json!({"person_id": leader, "project_id": p.id.0})).await;
    assert_eq!((r.status, r.json["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("rank")));
    let r = app.post("/api/v1/stewards", json!({"person_id": leader, "project_id": p.id.0, "rank": "副处级"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let low = r.json["id"].as_i64().unwrap();
    let flags = app.get("/api/v1/stewards/flags").await.json;
    assert_eq!(
        flags[0]["flag"],
        json!({"flag": "wrong_rank", "assignment_id": low, "required": "division", "actual": "deputy_division"})
    );
    assert_eq!(flags[0]["label"], "职级不符：应为正处级及以上，现为副处级");
    assert_eq!(flags[0]["investment"], "20000万元");

    // A 县级 leader fits a 正处级 tier; the enterprise steward needs no tier.
    app.post(&format!("/api/v1/stewards/{low}/end"), json!({})).await;
    app.post("/api/v1/stewards", json!({"person_id": leader, "project_id": p.id.0, "rank": "县级"})).await;
    let r = app.post("/api/v1/stewards", json!({"person_id": leader, "enterprise_id": e.id.0, "rank": "科员"})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(app.get("/api/v1/stewards/flags").await.json, json!([]));

    // The monthly on-site task, completed by the record.
    assert_eq!(app.duban.liaison().create_obligations().await.unwrap(), 2);
    let rows = app.get("/api/v1/stewards").await.json;
    let active = rows.as_array().unwrap().iter().find(|r| r["active"] == true).unwrap();
    let sid = active["assignment"]["id"].as_i64().unwrap();
    let t = app.get(&format!("/api/v1/tasks/{}", active["task_id"])).await.json;
    assert_eq!((t["source"].as_str(), t["deadline"].as_str()), (Some("steward"), Some("2026-11-30")));
    let r = app.post(&format!("/api/v1/stewards/{sid}/records"), json!({"work": "现场协调用地指标"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    assert_eq!(app.get(&format!("/api/v1/tasks/{}", active["task_id"])).await.json["status"], "closed");
    assert_eq!(app.get(&format!("/api/v1/stewards/{sid}/records")).await.json.as_array().unwrap().len(), 1);
    assert_eq!(app.get(&format!("/api/v1/liaison/{sid}/visits")).await.status, StatusCode::NOT_FOUND);
}
