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
        (rows["total"].as_u64(), rows["page"].as_u64(), rows["per_page"].as_u64()),
        (Some(1), Some(1), Some(50))
    );
    let rows = &rows["items"];
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
    let labels: Vec<&str> =
        flags["items"].as_array().unwrap().iter().map(|f| f["flag"]["flag"].as_str().unwrap()).collect();
    assert_eq!((labels, flags["total"].as_u64()), (vec!["missing", "missing"], Some(2)));

    let r = app.post("/api/v1/stewards", json!({"person_id": leader, "project_id": p.id.0})).await;
    assert_eq!((r.status, r.json["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("rank")));
    let r = app.post("/api/v1/stewards", json!({"person_id": leader, "project_id": p.id.0, "rank": "副处级"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let low = r.json["id"].as_i64().unwrap();
    let flags = &app.get("/api/v1/stewards/flags").await.json["items"];
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
    assert_eq!(
        app.get("/api/v1/stewards/flags").await.json,
        json!({"items": [], "total": 0, "page": 1, "per_page": 50})
    );

    // The monthly on-site task, completed by the record.
    assert_eq!(app.duban.liaison().create_obligations().await.unwrap(), 2);
    let rows = app.get("/api/v1/stewards").await.json;
    let active = rows["items"].as_array().unwrap().iter().find(|r| r["active"] == true).unwrap();
    let sid = active["assignment"]["id"].as_i64().unwrap();
    let t = app.get(&format!("/api/v1/tasks/{}", active["task_id"])).await.json;
    assert_eq!((t["source"].as_str(), t["deadline"].as_str()), (Some("steward"), Some("2026-11-30")));
    let r = app.post(&format!("/api/v1/stewards/{sid}/records"), json!({"work": "现场协调用地指标"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    assert_eq!(app.get(&format!("/api/v1/tasks/{}", active["task_id"])).await.json["status"], "closed");
    assert_eq!(app.get(&format!("/api/v1/stewards/{sid}/records")).await.json.as_array().unwrap().len(), 1);
    assert_eq!(app.get(&format!("/api/v1/liaison/{sid}/visits")).await.status, StatusCode::NOT_FOUND);
}

/// A valid 统一社会信用代码 numbered `n`.
fn credit_code(n: u32) -> String {
    duban_domain::enterprise::CreditCode::completing(&format!("91150525ME{n:07}")).unwrap().to_string()
}

async fn enterprise(app: &TestApp, name: &str, n: u32, scale: &str) -> i64 {
    let input = EnterpriseInput {
        name: Some(name.into()),
        credit_code: Some(credit_code(n)),
        scale: Some(scale.into()),
        ..Default::default()
    };
    app.duban.enterprises().create_enterprise(&Actor::command_line(), input).await.unwrap().id.0
}

async fn project(app: &TestApp, name: &str, amount: &str) -> i64 {
    let input = ProjectInput {
        name: Some(name.into()),
        total_investment: Some(amount.into()),
        signed_on: Some("2026-03-01".into()),
        ..Default::default()
    };
    app.duban.enterprises().create_project(&Actor::command_line(), input).await.unwrap().id.0
}

/// Every page of a list of `per_page`, read one after another, in order.
async fn every_page(app: &TestApp, path: &str, per_page: u32) -> (Vec<Value>, u64) {
    let mut items = Vec::new();
    let mut total = 0;
    for page in 1..=50 {
        let sep = if path.contains('?') { '&' } else { '?' };
        let r = app.get(&format!("{path}{sep}page={page}&per_page={per_page}")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        assert_eq!((r.json["page"].as_u64(), r.json["per_page"].as_u64()), (Some(page), Some(u64::from(per_page))));
        total = r.json["total"].as_u64().unwrap();
        let got = r.json["items"].as_array().unwrap().clone();
        assert!(got.len() <= per_page as usize);
        if got.is_empty() {
            break;
        }
        items.extend(got);
    }
    (items, total)
}

#[tokio::test]
async fn the_lists_are_pages_with_a_total_and_a_search() {
    paged_lists(spawn_app().await).await;
}

#[tokio::test]
async fn the_lists_are_pages_with_a_total_and_a_search_on_postgres() {
    if let Some(app) = spawn_app_on_postgres().await {
        paged_lists(app).await;
    }
}

async fn paged_lists(app: TestApp) {
    app.clock.set(bj("2026-11-02T09:00"));
    let town = app.unit("分页镇").await;
    let (wang, _) = app
        .person_signed_in(json!({"name": "王包联", "username": "wangbl", "unit_id": town, "roles": ["unit_head"]}))
        .await;
    let (li, _) = app
        .person_signed_in(json!({"name": "李包联", "username": "libl", "unit_id": town, "roles": ["unit_head"]}))
        .await;
    let mut es = Vec::new();
    for i in 1..=6 {
        es.push(enterprise(&app, &format!("分页企业{i}"), i, if i % 2 == 0 { "规上" } else { "其他" }).await);
    }
    let mut ids = Vec::new();
    for (i, e) in es.iter().enumerate() {
        let person = if i == 5 { li } else { wang };
        let r = app.post("/api/v1/liaison", json!({"person_id": person, "enterprise_id": e})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
        ids.push(r.json["id"].as_i64().unwrap());
    }
    // The first one ended: it comes last.
    let r = app.post(&format!("/api/v1/liaison/{}/end", ids[0]), json!({"until": "2026-11-01"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let in_order: Vec<i64> = ids[1..].iter().copied().chain([ids[0]]).collect();

    let r = app.get("/api/v1/liaison?per_page=2&page=3").await.json;
    assert_eq!((r["total"].as_u64(), r["items"].as_array().unwrap().len()), (Some(6), 2));
    assert_eq!(
        (r["items"][1]["assignment"]["id"].as_i64(), r["items"][1]["active"].as_bool()),
        (Some(ids[0]), Some(false))
    );
    for per_page in [1, 4, 200] {
        let (items, total) = every_page(&app, "/api/v1/liaison", per_page).await;
        let got: Vec<i64> = items.iter().map(|r| r["assignment"]["id"].as_i64().unwrap()).collect();
        assert_eq!((got, total), (in_order.clone(), 6), "per_page {per_page}");
    }
    let r = app.get("/api/v1/liaison?page=9").await.json;
    assert_eq!((r["items"].as_array().unwrap().len(), r["total"].as_u64()), (0, Some(6)), "past the end");

    // Search: the person's name, the enterprise's name.
    let r = app.get(&format!("/api/v1/liaison?q={}", "李包")).await.json;
    assert_eq!((r["total"].as_u64(), r["items"][0]["assignment"]["id"].as_i64()), (Some(1), Some(ids[5])));
    assert_eq!(r["items"][0]["person"], "李包联");
    let r = app.get(&format!("/api/v1/liaison?q={}&per_page=1", "分页企业3")).await.json;
    assert_eq!((r["total"].as_u64(), r["items"][0]["target"].as_str()), (Some(1), Some("分页企业3")));
    assert_eq!(app.get("/api/v1/liaison?q=%25_").await.json["total"], 0, "wildcards match literally");

    // Bounds: per_page 1–200, page 1–1,000,000; the usual invalid answer otherwise.
    for path in ["/api/v1/liaison", "/api/v1/stewards", "/api/v1/stewards/flags"] {
        for bad in ["per_page=0", "per_page=201", "page=0", "page=1000001"] {
            let r = app.get(&format!("{path}?{bad}")).await;
            assert_eq!((r.status, code(&r)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"), "{path}?{bad}");
        }
        let r = app.get(&format!("{path}?page=1000000&per_page=200")).await;
        assert_eq!((r.status, r.json["items"].as_array().map(Vec::len)), (StatusCode::OK, Some(0)), "{path}");
    }

    // Steward flags: projects by name (missing ones and ranks below the tier merged), then the
    // 规上 enterprises without one; every page size reads the same list.
    let p1 = project(&app, "甲风电项目", "2亿").await;
    let p2 = project(&app, "乙光伏项目", "2亿").await;
    let p3 = project(&app, "丙储能项目", "8000万").await;
    let p4 = project(&app, "丁氢能项目", "3000万").await;
    let steward = |person: i64, target: Value, rank: &str| {
        let mut body = json!({"person_id": person, "rank": rank});
        body.as_object_mut().unwrap().extend(target.as_object().unwrap().clone());
        let app = &app;
        async move {
            let r = app.post("/api/v1/stewards", body).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
        }
    };
    steward(wang, json!({"project_id": p2}), "副处级").await;
    steward(li, json!({"project_id": p2}), "科级").await;
    steward(wang, json!({"project_id": p3}), "副处级").await;
    steward(wang, json!({"enterprise_id": es[1]}), "科员").await;
    let (all, total) = every_page(&app, "/api/v1/stewards/flags", 200).await;
    let seen: Vec<(i64, &str)> = all
        .iter()
        .map(|f| {
            let id = f["target"]["project"].as_i64().or(f["target"]["enterprise"].as_i64()).unwrap();
            (id, f["flag"]["flag"].as_str().unwrap())
        })
        .collect();
    // By name in Unicode order: 丁 丙 乙 甲; then 分页企业4, 分页企业6.
    let want = vec![
        (p4, "missing"),
        (p2, "wrong_rank"),
        (p2, "wrong_rank"),
        (p1, "missing"),
        (es[3], "missing"),
        (es[5], "missing"),
    ];
    assert_eq!((seen, total), (want, 6), "{all:?}");
    for per_page in [1, 2, 3, 4, 5] {
        assert_eq!(every_page(&app, "/api/v1/stewards/flags", per_page).await, (all.clone(), 6), "per_page {per_page}");
    }
    let (stewards, total) = every_page(&app, "/api/v1/stewards?q=%E4%B9%99", 1).await;
    assert_eq!((stewards.len(), total), (2, 2), "乙光伏项目's two stewards");
}

fn root_cookie() -> String {
    format!("duban_session=root-session-{}", std::process::id())
}

/// A page as the root session (the office): status and HTML.
async fn page(app: &TestApp, path: &str) -> (StatusCode, String) {
    let r =
        reqwest::Client::new().get(format!("{}{path}", app.base)).header("cookie", root_cookie()).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

/// Posts a form as the root session (the office): status, where it redirects, and the page.
async fn submit(app: &TestApp, path: &str, form: &[(&str, &str)]) -> (StatusCode, String, String) {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let mut fields = vec![("csrf", "root-csrf")];
    fields.extend_from_slice(form);
    let r =
        client.post(format!("{}{path}", app.base)).header("cookie", root_cookie()).form(&fields).send().await.unwrap();
    let to = r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    (r.status(), to, r.text().await.unwrap())
}

#[tokio::test]
async fn the_assign_form_takes_a_credit_code_or_a_name_not_a_list_of_every_enterprise() {
    let app = spawn_app().await;
    app.clock.set(bj("2026-11-02T09:00"));
    let town = app.unit("表单镇").await;
    let (head, _) = app
        .person_signed_in(json!({"name": "表单镇长", "username": "biaodan", "unit_id": town, "roles": ["unit_head"]}))
        .await;
    let e1 = enterprise(&app, "甲能源公司", 11, "规上").await;
    let e2 = enterprise(&app, "甲能源公司二厂", 12, "其他").await;
    let e3 = enterprise(&app, "乙商贸公司", 13, "其他").await;
    let person = head.to_string();

    // No select of enterprises; each gap links to the form filled with it.
    let (status, html) = page(&app, "/liaison").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("<select name=\"enterprise_id\""), "{html}");
    assert!(html.contains(&format!("href=\"/liaison?target=enterprise:{e3}#assign\">设置</a>")), "{html}");
    assert!(html.contains(&format!("value=\"{head}\">表单镇长（表单镇）</option>")), "{html}");
    let (_, html) = page(&app, &format!("/liaison?target=enterprise:{e3}")).await;
    assert!(html.contains("name=\"enterprise\" value=\"乙商贸公司\""), "{html}");
    assert_eq!(crate::web::hidden(&html, "enterprise_id"), e3.to_string());

    // A credit code (in lower case, with spaces), the exact name, the link's hidden id.
    let assigned = |app: &TestApp| {
        let app = app.duban.clone();
        async move {
            let page = app
                .liaison()
                .assignments(&Actor::command_line(), duban_domain::liaison::ServiceKind::Liaison, &Default::default())
                .await
                .unwrap();
            page.items.iter().map(|r| r.assignment.fields.target).collect::<Vec<_>>()
        }
    };
    use duban_domain::ids::EnterpriseId;
    use duban_domain::liaison::Target;
    let code = format!(" {} ", credit_code(12).to_lowercase());
    let (status, to, body) = submit(&app, "/liaison", &[("person_id", &person), ("enterprise", &code)]).await;
    assert_eq!((status, to.as_str()), (StatusCode::SEE_OTHER, "/liaison?done=assigned"), "{body}");
    let (status, _, body) = submit(&app, "/liaison", &[("person_id", &person), ("enterprise", "甲能源公司")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the exact name, though 甲能源公司二厂 contains it too: {body}");
    let e3s = e3.to_string();
    let form = [("person_id", person.as_str()), ("enterprise", "乙商贸公司"), ("enterprise_id", e3s.as_str())];
    assert_eq!(submit(&app, "/liaison", &form).await.0, StatusCode::SEE_OTHER);
    assert_eq!(
        assigned(&app).await,
        vec![
            Target::Enterprise(EnterpriseId(e2)),
            Target::Enterprise(EnterpriseId(e1)),
            Target::Enterprise(EnterpriseId(e3))
        ]
    );

    // Several, or none: refused in Chinese, the text kept in the form.
    let (status, _, html) = submit(&app, "/liaison", &[("person_id", &person), ("enterprise", "甲能源")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("“甲能源”对应多个企业：甲能源公司、甲能源公司二厂"), "{html}");
    assert!(html.contains("name=\"enterprise\" value=\"甲能源\""), "{html}");
    let (status, _, html) = submit(&app, "/liaison", &[("person_id", &person), ("enterprise", "丙化工")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("未找到企业“丙化工”"), "{html}");
    let (status, _, html) = submit(&app, "/liaison", &[("person_id", &person), ("enterprise", "")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("请选择企业或项目"), "{html}");
    assert_eq!(assigned(&app).await.len(), 3);

    // Stewards: a missing project links to the form; the project by its name.
    let p = project(&app, "风电装备制造项目", "2亿").await;
    let (_, html) = page(&app, "/stewards").await;
    assert!(html.contains(&format!("href=\"/stewards?target=project:{p}#assign\">设置</a>")), "{html}");
    let (_, html) = page(&app, &format!("/stewards?target=project:{p}")).await;
    assert_eq!(crate::web::hidden(&html, "project_id"), p.to_string());
    let form = [("person_id", person.as_str()), ("project", "风电装备"), ("rank", "division")];
    let (status, _, body) = submit(&app, "/stewards", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, html) = page(&app, "/stewards").await;
    assert!(html.contains("需关注（1）") && html.contains("甲能源公司"), "only 甲能源公司 (规上) is left: {html}");
}
