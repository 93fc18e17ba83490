//! The import review through the API (issue 11): the document's year, set or read from the
//! document; a default deadline for tasks without one; deadlines already past at the clock's
//! date, refused at commit unless confirmed (`import.past_deadlines`); unknown unit names kept as
//! written, flagged, and settled by the office — mapped to a unit as an alias, or created — in
//! the administrative audit log, so that the next document resolves them.

use crate::helpers::*;
use crate::web::person;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A 2022 plan: one measure due 6月底前 (in the document's year), one without a deadline.
const PLAN_2022: &str = "关于印发某旗2022年重点工作任务的通知\n2022年3月1日\n一、重点任务\n\
1.推进财政预算绩效管理改革，6月底前完成。（牵头单位：旗财政局）\n\
2.推进政府采购全流程电子化。（牵头单位：旗财政局）\n";

/// Previews a text document with the query given (`year=…&default_deadline=…`).
async fn preview(app: &TestApp, doc: &str, query: &str) -> Reply {
    let path = format!("/api/v1/imports/preview?filename=plan.txt&{query}");
    let r = app
        .client
        .post(format!("{}{path}", app.base))
        .header("content-type", "application/octet-stream")
        .body(doc.as_bytes().to_vec())
        .send()
        .await
        .unwrap();
    let status = r.status();
    let json: Value = r.json().await.unwrap();
    app.check_documented("post", "/api/v1/imports/preview", status, &json);
    Reply { status, headers: Default::default(), json }
}

fn tasks_of(review: &Value) -> Value {
    json!({"document": review["document"], "tasks": review["tasks"]})
}

#[tokio::test]
async fn the_year_a_default_deadline_and_deadlines_already_past_before_anything_is_written() {
    let app = spawn_app().await;
    app.unit("旗财政局").await;
    // The clock says 2026-03-02: the 2022 plan's deadlines have passed.
    let r = preview(&app, PLAN_2022, "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let v = r.json;
    assert_eq!((v["year"].as_i64(), v["year_from"].as_str()), (Some(2022), Some("issued")));
    assert_eq!(v["today"], "2026-03-02");
    assert_eq!(v["tasks"][0]["deadline"], "2022-06-30");
    assert_eq!(v["without_deadline"], 1);
    assert_eq!(v["proposed_default_deadline"], "2022-12-31");
    assert_eq!(v["default_deadline"], Value::Null);
    assert_eq!(v["past_deadlines"], json!([{"task": 0, "deadline": "2022-06-30", "by_default": false}]));
    // With the proposed default, the task without a deadline is past too.
    let v = preview(&app, PLAN_2022, "default_deadline=2022-12-31").await.json;
    assert_eq!(v["past_deadlines"][1], json!({"task": 1, "deadline": "2022-12-31", "by_default": true}));
    // A commit of past deadlines is refused with a stable code, and writes nothing.
    let body = json!({"preview": tasks_of(&v), "default_deadline": "2022-12-31"});
    let r = app.post("/api/v1/imports/commit", body.clone()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json);
    assert_eq!(code(&r), "import.past_deadlines");
    let message = r.json["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("2 项任务中有 2 项的完成时限已过（其中 1 项为统一设置的默认时限），最早为 2022-06-30"),
        "{message}"
    );
    assert_eq!(app.get("/api/v1/ledgers").await.json, json!([]));
    assert_eq!(app.get("/api/v1/tasks").await.json["total"], 0);
    // The year set by the office: 6月底前 is read in 2026, and nothing has passed.
    let v = preview(&app, PLAN_2022, "year=2026&default_deadline=2026-12-31").await.json;
    assert_eq!((v["year"].as_i64(), v["year_from"].as_str()), (Some(2026), Some("given")));
    assert_eq!(v["tasks"][0]["deadline"], "2026-06-30");
    assert_eq!(v["proposed_default_deadline"], "2026-12-31");
    assert_eq!(v["past_deadlines"], json!([]));
    let r =
        app.post("/api/v1/imports/commit", json!({"preview": tasks_of(&v), "default_deadline": "2026-12-31"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let tasks = app.get("/api/v1/tasks?sort=number").await.json;
    let deadlines: Vec<&str> =
        tasks["items"].as_array().unwrap().iter().map(|t| t["deadline"].as_str().unwrap()).collect();
    assert_eq!(deadlines, ["2026-06-30", "2026-12-31"]);
    let events = app.get(&format!("/api/v1/tasks/{}/events", tasks["items"][1]["id"])).await.json;
    assert_eq!(events[0]["data"]["default_deadline"], "2026-12-31", "{events}");
    // The office confirms: the 2022 reading is committed as it stands (one ledger updated).
    let v = preview(&app, PLAN_2022, "").await.json;
    let body = json!({"preview": tasks_of(&v), "default_deadline": "2022-12-31", "confirm_past_deadlines": true});
    let r = app.post("/api/v1/imports/commit", body).await;
    assert_eq!((r.status, r.json["updated"].as_i64()), (StatusCode::OK, Some(2)), "{}", r.json);
    // At the document's own time nothing is past.
    app.clock.set(bj("2022-03-02T09:00"));
    let v = preview(&app, PLAN_2022, "default_deadline=2022-12-31").await.json;
    assert_eq!(v["past_deadlines"], json!([]));
    // Bad values are refused.
    for query in ["year=1850", "default_deadline=2022-02-30", "default_deadline=1999-12-31"] {
        let r = preview(&app, PLAN_2022, query).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {}", r.json);
    }
    let r =
        app.post("/api/v1/imports/commit", json!({"preview": tasks_of(&v), "default_deadline": "2200-01-01"})).await;
    assert_eq!((r.status, code(&r)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"), "{}", r.json);
}

/// A plan naming units the directory does not know.
const PLAN_UNKNOWN: &str = "关于印发某旗数字政府建设任务的通知\n2026年3月1日\n一、重点任务\n\
1.建设政务数据共享平台，6月底前完成。（牵头单位：旗数据局；责任单位：旗财政局）\n\
2.建设城市运行管理中心，年底前完成。（牵头单位：旗城运中心）\n\
3.推进数据资源目录编制，9月底前完成。（牵头单位：旗数据局）\n";

#[tokio::test]
async fn unknown_units_are_kept_as_written_flagged_and_mapped_or_created_by_the_office_in_one_step() {
    let app = spawn_app().await;
    app.unit("旗财政局").await;
    let data = app
        .post(
            "/api/v1/units",
            json!({"name": "旗政务服务和数据管理局", "kind": "department", "level": "county", "aliases": ["旗政数局"]}),
        )
        .await;
    assert_eq!(data.status, StatusCode::CREATED, "{}", data.json);
    let data_id = data.json["id"].as_i64().unwrap();
    let v = preview(&app, PLAN_UNKNOWN, "").await.json;
    assert_eq!(v["tasks"][0]["lead"], json!(["旗数据局"]));
    let unknown: Vec<(&str, Value)> = v["unknown_units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["name"].as_str().unwrap(), u["tasks"].clone()))
        .collect();
    assert_eq!(unknown, [("旗数据局", json!([0, 2])), ("旗城运中心", json!([1]))]);
    // A commit with unknown units is refused.
    let r = app.post("/api/v1/imports/commit", json!({"preview": tasks_of(&v)})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json["error"]["message"].as_str().unwrap().contains("旗数据局"));

    // Only the office (and administrators) may settle names.
    let officer_unit = app.unit("旗发展和改革委员会").await;
    person(&app, "officer", Some(officer_unit), json!(["officer"])).await;
    person(&app, "office", None, json!(["office"])).await;
    let token = |name: &'static str, pw: &'static str| {
        let app = &app;
        async move {
            let r = app
                .send(
                    "post",
                    "/api/v1/session",
                    Some(json!({"username": name, "password": pw})),
                    &[("authorization", "")],
                )
                .await;
            format!("Bearer {}", r.json["token"].as_str().unwrap())
        }
    };
    let officer = token("officer", "pw-reciffo-2026").await;
    let office = token("office", "pw-eciffo-2026").await;
    let settle = |who: String, body: Value| {
        let app = &app;
        async move { app.send("post", "/api/v1/imports/units", Some(body), &[("authorization", &who)]).await }
    };
    let r = settle(officer.clone(), json!({"name": "旗数据局", "map_to": data_id})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app.send("post", "/api/v1/imports/preview", None, &[("authorization", &officer)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Malformed: both, neither, a missing unit, another party's name.
    let r = settle(office.clone(), json!({"name": "旗数据局", "map_to": data_id, "create": true})).await;
    assert_eq!((r.status, code(&r)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"));
    let r = settle(office.clone(), json!({"name": "旗数据局"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = settle(office.clone(), json!({"name": "旗数据局", "map_to": 9999})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = settle(office.clone(), json!({"name": "旗财政局", "map_to": data_id})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.json);
    let r = settle(office.clone(), json!({"name": "旗财政局", "create": true})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.json);

    // The office maps 旗数据局 to the unit it is, and creates 旗城运中心.
    let r = settle(office.clone(), json!({"name": "旗数据局", "map_to": data_id})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!((r.json["created"].as_bool(), r.json["unit"]["id"].as_i64()), (Some(false), Some(data_id)));
    assert_eq!(r.json["unit"]["aliases"], json!(["旗政数局", "旗数据局"]));
    // Again: nothing changes, nothing is logged twice.
    let again = settle(office.clone(), json!({"name": "旗数据局", "map_to": data_id})).await;
    assert_eq!((again.status, &again.json), (StatusCode::OK, &r.json));
    let r = settle(office.clone(), json!({"name": "旗城运中心", "create": true})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!((r.json["created"].as_bool(), r.json["unit"]["name"].as_str()), (Some(true), Some("旗城运中心")));
    assert_eq!(r.json["unit"]["kind"], "department");
    let resolved = app.get("/api/v1/resolve?name=旗数据局").await;
    assert_eq!(resolved.status, StatusCode::OK, "the alias resolves: {}", resolved.json);
    assert!(resolved.json.to_string().contains(&data_id.to_string()), "{}", resolved.json);

    // Both are in the administrative audit log, by the office.
    let log = app.get("/api/v1/admin/events?limit=10").await.json;
    let ours: Vec<(&str, &str, &str)> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["actor"].as_str().unwrap().contains("office"))
        .map(|e| (e["kind"].as_str().unwrap(), e["target"].as_str().unwrap(), e["actor"].as_str().unwrap()))
        .collect();
    assert_eq!(ours.len(), 2, "{log:#}");
    assert_eq!(ours[1].0, "unit.alias");
    assert!(ours[1].1.contains("旗政务服务和数据管理局"), "{ours:?}");
    assert_eq!(ours[0].0, "unit.add");
    let alias = log.as_array().unwrap().iter().find(|e| e["kind"] == "unit.alias").unwrap();
    assert_eq!(alias["data"]["before"]["aliases"], json!(["旗政数局"]));
    assert_eq!(alias["data"]["after"]["added"], "旗数据局");

    // The names are known now: the review says so, the commit resolves them as written.
    let r = app.post("/api/v1/imports/review", json!({"preview": tasks_of(&v)})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["unknown_units"], json!([]));
    assert!(r.json["tasks"][0]["warnings"].as_array().unwrap().iter().all(|w| w["code"] != "unknown_unit"));
    let r = app.post("/api/v1/imports/commit", json!({"preview": tasks_of(&v)})).await;
    assert_eq!(r.json["created"], 3, "{}", r.json);
    let t = app.get("/api/v1/tasks?sort=number").await.json;
    assert_eq!(t["items"][0]["lead"][0]["unit"].as_i64(), Some(data_id), "{t}");
    // The next document naming 旗数据局 resolves it straight away.
    let next = PLAN_UNKNOWN.replace("某旗数字政府建设任务", "某旗数据要素工作要点");
    let v = preview(&app, &next, "").await.json;
    assert_eq!(v["unknown_units"], json!([]), "{v}");
}

#[tokio::test]
async fn an_edited_preview_is_reviewed_again() {
    let app = spawn_app().await;
    let tax = app.unit("旗税务局").await;
    app.task(json!({"title": "增值税留抵退税", "lead": [{"unit": tax}]})).await;
    let doc = "关于印发某旗优化营商环境措施的通知\n2026年3月1日\n一、主要措施\n\
               1.推进留抵退税智能审批，6月底前完成。\n2.推进出口退税提速。\n";
    let v = preview(&app, doc, "").await.json;
    assert_eq!(v["without_lead"], 2);
    let mut edited = tasks_of(&v);
    edited["tasks"][0]["lead"] = json!(["旗税务局"]);
    edited["tasks"][1]["lead"] = json!(["旗不存在局"]);
    let r = app.post("/api/v1/imports/review", json!({"preview": edited, "default_deadline": "2026-01-31"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["without_lead"], 0);
    assert_eq!(r.json["unknown_units"][0]["name"], "旗不存在局");
    assert_eq!(r.json["past_deadlines"], json!([{"task": 1, "deadline": "2026-01-31", "by_default": true}]));
    assert!(r.json["tasks"][0]["warnings"].as_array().unwrap().iter().all(|w| w["code"] != "no_lead"));
    let r = app.post("/api/v1/imports/review", json!({"preview": edited, "year": 99})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}
