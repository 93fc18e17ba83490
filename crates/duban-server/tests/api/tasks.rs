//! Tasks through the API: stage due dates and lights from the rules, optimistic locking, the
//! history of edits, withdrawal, and the filtered list; the bounds on what a task may hold
//! (dates, milestones, targets, text lengths, page sizes) and the answers the OpenAPI document
//! promises for bodies that cannot be read (issue 9).

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn stage<'a>(task: &'a Value, id: &str) -> &'a Value {
    task["stages"].as_array().unwrap().iter().find(|s| s["stage"] == id).unwrap()
}

#[tokio::test]
async fn a_new_task_gets_its_stage_due_dates_from_the_rules_and_the_calendar() {
    let app = spawn_app().await;
    app.clock.set(bj("2026-02-13T16:05"));
    let u = app.unit("旗行政审批和政务服务局").await;
    let t = app
        .task(json!({"title": "推行电子营业执照", "lead": [{"unit": u}], "complexity": "较复杂", "received_at": "2026-02-13T16:00"}))
        .await;
    assert_eq!(t["status"], "assigned");
    assert_eq!(t["version"], 1);
    let sign = stage(&t, "sign");
    // 3 working days after Friday 02-13: the make-up Saturday 02-14, then 02-24 and 02-25.
    assert_eq!(sign["due"], "2026-02-25");
    assert_eq!(sign["due_at"], "2026-02-25T09:30:00Z");
    assert_eq!(sign["warn_from"], "2026-02-24");
    assert_eq!(sign["duration_text"], "3 个工作日");
    assert_eq!(sign["clause"], "002 三(一)2");
    // 10 working days for a 较复杂 task without a deadline.
    assert_eq!(stage(&t, "done")["due"], "2026-03-05");
    assert_eq!(stage(&t, "outcome")["state"], "waiting");
    assert_eq!(t["light"], "green");
    assert_eq!(t["warnings"], json!([{"code": "no_deadline", "message": "没有完成时限，按规则默认时限计算"}]));
}

#[tokio::test]
async fn lights_turn_yellow_then_red_as_the_clock_moves() {
    let app = spawn_app().await;
    app.clock.set(bj("2026-02-13T16:05"));
    let t = app.task(json!({"title": "签收提醒", "received_at": "2026-02-13T16:00"})).await;
    let path = format!("/api/v1/tasks/{}", t["id"]);
    let light = |r: Reply| (r.json["light"].clone(), stage(&r.json, "sign")["light"].clone());
    app.clock.set(bj("2026-02-20T10:00"));
    assert_eq!(light(app.get(&path).await), (json!("green"), json!("green")));
    app.clock.set(bj("2026-02-24T10:00"));
    assert_eq!(light(app.get(&path).await), (json!("yellow"), json!("yellow")));
    app.clock.set(bj("2026-02-25T17:30"));
    assert_eq!(light(app.get(&path).await), (json!("yellow"), json!("yellow")));
    app.clock.set(bj("2026-02-25T17:31"));
    assert_eq!(light(app.get(&path).await), (json!("red"), json!("red")));
    let reds = app.get("/api/v1/tasks?light=red").await;
    assert_eq!(reds.json["total"], 1);
    assert_eq!(app.get("/api/v1/tasks?light=green").await.json["total"], 0);
}

#[tokio::test]
async fn a_stale_write_gets_409_with_the_current_version_and_nothing_is_overwritten() {
    let app = spawn_app().await;
    let t = app.task(json!({"title": "原标题"})).await;
    let path = format!("/api/v1/tasks/{}", t["id"]);
    let first = app.patch(&path, 1, json!({"title": "甲改的标题"})).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.json["version"], 2);
    assert_eq!(first.headers["etag"], "\"2\"");
    let second = app.patch(&path, 1, json!({"title": "乙改的标题"})).await;
    assert_eq!(second.status, StatusCode::CONFLICT);
    assert_eq!(second.json["error"]["code"], "version_conflict");
    assert_eq!(second.json["error"]["current_version"], 2);
    assert_eq!(app.get(&path).await.json["title"], "甲改的标题");
    let via_query = app.send("patch", &format!("{path}?version=2"), Some(json!({"title": "乙重新改"})), &[]).await;
    assert_eq!(via_query.json["version"], 3);
    let none = app.send("patch", &path, Some(json!({"title": "x"})), &[]).await;
    assert_eq!(
        (none.status, none.json["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("version"))
    );
}

#[tokio::test]
async fn an_edit_is_recorded_with_the_fields_before_and_after() {
    let app = spawn_app().await;
    let u1 = app.unit("旗发改委").await;
    let u2 = app.unit("旗工信局").await;
    let t = app.task(json!({"title": "编制投资指南", "lead": [{"unit": u1}], "received_at": "2026-03-02T09:00"})).await;
    let path = format!("/api/v1/tasks/{}", t["id"]);
    let r = app.patch(&path, 1, json!({"deadline": "2026-03-31", "lead": [{"unit": u1}, {"unit": u2}]})).await;
    assert_eq!(stage(&r.json, "done")["due"], "2026-03-31");
    assert_eq!(stage(&r.json, "done")["rule_id"], "done-deadline");
    assert_eq!(r.json["warnings"][0]["code"], "multiple_leads");
    let events = app.get(&format!("{path}/events")).await.json;
    assert_eq!(events.as_array().unwrap().len(), 2);
    assert_eq!(events[0]["kind"], "created");
    // A change of lead units is a 改派: its own kind, with the units before and after.
    assert_eq!(events[1]["kind"], "reassigned");
    assert_eq!(events[1]["data"]["from"], json!([{"unit": u1}]));
    assert_eq!(events[1]["data"]["changes"]["deadline"], json!({"before": null, "after": "2026-03-31"}));
    assert_eq!(events[1]["data"]["changes"]["lead"]["after"], json!([{"unit": u1}, {"unit": u2}]));
    assert!(events[1]["data"]["changes"].get("title").is_none());
    // Clearing the deadline with null brings back the rule's default.
    let r = app.patch(&path, 2, json!({"deadline": null})).await;
    assert_eq!(stage(&r.json, "done")["due"], "2026-03-09");
}

#[tokio::test]
async fn a_cancelled_task_is_kept_with_its_trail() {
    let app = spawn_app().await;
    let t = app.task(json!({"title": "重复任务"})).await;
    let path = format!("/api/v1/tasks/{}", t["id"]);
    let r = app.send("delete", &format!("{path}?version=1&reason=与第3项重复"), None, &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["status"], "cancelled");
    assert_eq!(r.json["light"], Value::Null);
    let again = app.send("delete", &format!("{path}?version=2"), None, &[]).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let events = app.get(&format!("{path}/events")).await.json;
    assert_eq!(events[1]["kind"], "cancelled");
    assert_eq!(events[1]["data"]["reason"], "与第3项重复");
    assert_eq!(events[1]["data"]["changes"]["status"], json!({"before": "assigned", "after": "cancelled"}));
    assert_eq!(app.get("/api/v1/tasks?status=cancelled").await.json["total"], 1);
    assert_eq!(app.get("/api/v1/tasks?status=assigned,signed").await.json["total"], 0);
}

#[tokio::test]
async fn the_task_list_filters_sorts_and_paginates() {
    let app = spawn_app().await;
    let a = app.unit("旗人社局").await;
    let b = app.unit("旗税务局").await;
    app.task(json!({"title": "企业集体合同网上审查", "lead": [{"unit": a}], "deadline": "2026-06-30"})).await;
    app.task(json!({"title": "增值税留抵退税", "lead": [{"unit": b}], "source": "领导批示", "deadline": "2026-04-30"}))
        .await;
    app.task(json!({"title": "稳岗返还", "lead": [{"unit": b}], "cooperating": [{"unit": a}], "number": "（69）"}))
        .await;
    let titles = |r: Reply| {
        r.json["items"].as_array().unwrap().iter().map(|t| t["title"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    assert_eq!(
        titles(app.get(&format!("/api/v1/tasks?unit={a}&sort=number")).await),
        vec!["企业集体合同网上审查", "稳岗返还"]
    );
    assert_eq!(titles(app.get(&format!("/api/v1/tasks?unit={a}&lead_only=true")).await), vec!["企业集体合同网上审查"]);
    assert_eq!(titles(app.get("/api/v1/tasks?source=instruction").await), vec!["增值税留抵退税"]);
    assert_eq!(titles(app.get("/api/v1/tasks?q=退税").await), vec!["增值税留抵退税"]);
    assert_eq!(titles(app.get("/api/v1/tasks?q=（69）").await), vec!["稳岗返还"]);
    assert_eq!(titles(app.get("/api/v1/tasks?deadline_before=2026-05-01").await), vec!["增值税留抵退税"]);
    assert_eq!(
        titles(app.get("/api/v1/tasks?sort=deadline").await),
        vec!["增值税留抵退税", "企业集体合同网上审查", "稳岗返还"]
    );
    let p = app.get("/api/v1/tasks?sort=number&per_page=2&page=2").await;
    assert_eq!((p.json["total"].as_i64(), p.json["page"].as_i64()), (Some(3), Some(2)));
    assert_eq!(titles(p), vec!["稳岗返还"]);
    // Every task's sign stage is due 3 working days after 03-02: by 03-05.
    assert_eq!(app.get("/api/v1/tasks?due_before=2026-03-05").await.json["total"], 3);
    assert_eq!(app.get("/api/v1/tasks?due_after=2026-03-06").await.json["total"], 0);
}

#[tokio::test]
async fn bad_list_parameters_are_explained() {
    let app = spawn_app().await;
    for (q, field) in [
        ("light=purple", "light"),
        ("sort=colour", "sort"),
        ("per_page=0", "per_page"),
        ("status=done", "status"),
        ("deadline_before=下月", "deadline_before"),
        ("due_after=明天", "due_after"),
    ] {
        let r = app.get(&format!("/api/v1/tasks?{q}")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{q}");
        assert_eq!(r.json["error"]["field"], field, "{q}");
    }
    for q in ["page=abc", "colour=red", "unit=x"] {
        let r = app.get(&format!("/api/v1/tasks?{q}")).await;
        assert_eq!((r.status, code(&r)), (StatusCode::BAD_REQUEST, "invalid_input"), "{q}");
    }
}

#[tokio::test]
async fn bad_task_input_is_refused_with_the_field_named() {
    let app = spawn_app().await;
    for (body, field) in [
        (json!({"title": ""}), "title"),
        (json!({"title": "x", "deadline": "3月底前"}), "deadline"),
        (json!({"title": "x", "complexity": "很难"}), "complexity"),
        (json!({"title": "x", "received_at": "昨天下午"}), "received_at"),
        (json!({"title": "x", "lead": [{"unit": 999}]}), "reference"),
        (json!({"title": "x", "milestones": [{"due": "2026-13-01"}]}), "milestones"),
    ] {
        let r = app.post("/api/v1/tasks", body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(r.json["error"]["field"], field, "{body}");
    }
    let r = app.post("/api/v1/tasks", json!({"title": 5})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.get("/api/v1/tasks").await.json["total"], 0);
}

#[tokio::test]
async fn a_stage_in_a_year_without_holiday_data_says_so_and_the_task_is_kept() {
    let app = spawn_app().await;
    app.clock.set(bj("2026-12-28T09:00"));
    let t = app.task(json!({"title": "年底任务", "received_at": "2026-12-28T09:00"})).await;
    assert_eq!(stage(&t, "sign")["due"], "2026-12-31");
    let done = stage(&t, "done");
    assert_eq!(done["due"], Value::Null);
    assert!(done["problem"].as_str().unwrap().contains("2027 年的节假日安排尚未导入"));
}

/// Field and message of a refused request, after checking it is a 422 `invalid_input`.
fn refused(r: &Reply, what: &str) -> (String, String) {
    assert_eq!((r.status, code(r)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"), "{what}: {}", r.json);
    let e = &r.json["error"];
    (e["field"].as_str().unwrap_or("").to_string(), e["message"].as_str().unwrap_or("").to_string())
}

#[tokio::test]
async fn task_dates_outside_2000_to_2100_are_refused_with_a_clear_error() {
    let app = spawn_app().await;
    for (body, field) in [
        (json!({"title": "x", "deadline": "9999-12-31"}), "deadline"),
        (json!({"title": "x", "deadline": "0000-01-01"}), "deadline"),
        (json!({"title": "x", "deadline": "2101-01-01"}), "deadline"),
        (json!({"title": "x", "received_at": "0001-01-01T08:00"}), "received_at"),
        (json!({"title": "x", "received_at": "1999-12-31T23:59:59+08:00"}), "received_at"),
        (
            json!({"title": "x", "milestones": [{"due": "2026-06-30"}, {"due": "9999-01-01", "text": "远"}]}),
            "milestones",
        ),
    ] {
        let (f, message) = refused(&app.post("/api/v1/tasks", body.clone()).await, &body.to_string());
        assert_eq!(f, field, "{body}");
        assert!(message.contains("超出允许范围（2000–2100 年）"), "{body}: {message}");
    }
    assert_eq!(app.get("/api/v1/tasks").await.json["total"], 0);
    // The bounds themselves are accepted.
    let t = app
        .task(json!({"title": "边界", "received_at": "2000-01-01T00:00", "deadline": "2100-12-31",
                     "milestones": [{"due": "2100-12-31", "text": "末"}]}))
        .await;
    assert_eq!(t["deadline"], "2100-12-31");
    let path = format!("/api/v1/tasks/{}", t["id"]);
    for (body, field) in [
        (json!({"deadline": "9999-12-31"}), "deadline"),
        (json!({"milestones": [{"due": "1900-01-01", "text": "早"}]}), "milestones"),
    ] {
        let (f, message) = refused(&app.patch(&path, 1, body.clone()).await, &body.to_string());
        assert_eq!(f, field, "{body}");
        assert!(message.contains("2000–2100"), "{message}");
    }
    // An extension to a far year is refused the same way, before the request is considered.
    let r = app
        .post(
            &format!("{path}/actions"),
            json!({"action": "request_extension", "version": 1, "new_deadline": "9999-12-31"}),
        )
        .await;
    assert_eq!(refused(&r, "new_deadline").0, "new_deadline");
    assert_eq!(app.get(&path).await.json["version"], 1);
}

#[tokio::test]
async fn milestones_and_targets_are_limited_to_fifty_each() {
    let app = spawn_app().await;
    let milestones = |n: usize| -> Vec<Value> {
        (0..n)
            .map(|i| json!({"due": format!("2026-{:02}-{:02}", 4 + i / 28, 1 + i % 28), "text": format!("第{i}步")}))
            .collect()
    };
    let targets = |n: usize| -> Vec<String> { (0..n).map(|i| format!("指标{i}")).collect() };
    let (f, message) =
        refused(&app.post("/api/v1/tasks", json!({"title": "x", "milestones": milestones(51)})).await, "51");
    assert_eq!((f.as_str(), message.as_str()), ("milestones", "节点目标过多（最多 50 个）"));
    let (f, message) = refused(&app.post("/api/v1/tasks", json!({"title": "x", "targets": targets(51)})).await, "51");
    assert_eq!((f.as_str(), message.as_str()), ("targets", "量化指标过多（最多 50 个）"));
    let t = app.task(json!({"title": "五十", "milestones": milestones(50), "targets": targets(50)})).await;
    assert_eq!((t["milestones"].as_array().unwrap().len(), t["targets"].as_array().unwrap().len()), (50, 50));
    let path = format!("/api/v1/tasks/{}", t["id"]);
    assert_eq!(refused(&app.patch(&path, 1, json!({"milestones": milestones(51)})).await, "patch").0, "milestones");
    assert_eq!(refused(&app.patch(&path, 1, json!({"targets": targets(51)})).await, "patch").0, "targets");
    let units: Vec<Value> = (0..201).map(|i| json!({"unit": i + 1})).collect();
    assert_eq!(
        refused(&app.post("/api/v1/tasks", json!({"title": "x", "cooperating": units})).await, "201").0,
        "cooperating"
    );
    assert_eq!(app.get(&path).await.json["version"], 1);
}

#[tokio::test]
async fn text_fields_have_maximum_lengths() {
    let app = spawn_app().await;
    let long = |n: usize| "字".repeat(n);
    for (body, field, message) in [
        (json!({"title": long(501)}), "title", "任务名称过长（最多 500 字）"),
        (json!({"title": "x", "text": long(20_001)}), "text", "任务内容过长（最多 20000 字）"),
        (json!({"title": "x", "targets": [long(501)]}), "targets", "量化指标过长（最多 500 字）"),
        (
            json!({"title": "x", "milestones": [{"due": "2026-06-30", "text": long(501)}]}),
            "milestones",
            "节点目标过长（最多 500 字）",
        ),
    ] {
        let r = app.post("/api/v1/tasks", body.clone()).await;
        assert_eq!(refused(&r, field), (field.to_string(), message.to_string()), "{field}");
    }
    let t = app.task(json!({"title": long(500), "targets": [long(500)]})).await;
    let path = format!("/api/v1/tasks/{}", t["id"]);
    let r = app.patch(&path, 1, json!({"targets": [long(501)]})).await;
    assert_eq!(refused(&r, "patch").0, "targets");
    let r = app.post(&format!("{path}/actions"), json!({"action": "suspend", "version": 1, "text": long(5_001)})).await;
    assert_eq!(refused(&r, "action text"), ("text".to_string(), "说明过长（最多 5000 字）".to_string()));
    let r = app.send("delete", &format!("{path}?version=1&reason={}", long(5_001)), None, &[]).await;
    assert_eq!(refused(&r, "reason"), ("reason".to_string(), "撤销原因过长（最多 5000 字）".to_string()));
    assert_eq!(app.get(&path).await.json["status"], "assigned");
    let r = app.post("/api/v1/ledgers", json!({"name": long(201)})).await;
    assert_eq!(refused(&r, "ledger"), ("name".to_string(), "台账名称过长（最多 200 字）".to_string()));
    let r = app.post("/api/v1/ledgers", json!({"name": "台账", "doc_number": long(101)})).await;
    assert_eq!(refused(&r, "doc_number").0, "doc_number");
    assert_eq!(app.get("/api/v1/ledgers").await.json, json!([]));
}

#[tokio::test]
async fn list_pages_start_at_one_and_hold_at_most_500() {
    let app = spawn_app().await;
    app.task(json!({"title": "一"})).await;
    for (q, field) in [("page=0", "page"), ("per_page=501", "per_page"), ("per_page=0", "per_page")] {
        let r = app.get(&format!("/api/v1/tasks?{q}")).await;
        assert_eq!(refused(&r, q).0, field, "{q}");
    }
    let r = app.get("/api/v1/tasks?page=1&per_page=500").await;
    assert_eq!((r.status, r.json["total"].as_i64()), (StatusCode::OK, Some(1)));
}

#[tokio::test]
async fn the_battle_map_stays_small_with_tasks_at_the_date_bounds() {
    let app = spawn_app().await;
    let ledger = app.post("/api/v1/ledgers", json!({"name": "边界台账"})).await.json["id"].as_i64().unwrap();
    // A task from year 0001 to 9999 would draw 120,000 month ticks (a 14 MB page): refused.
    let r = app
        .post(
            "/api/v1/tasks",
            json!({"title": "万年", "ledger_id": ledger, "received_at": "0001-01-01T08:00", "deadline": "9999-12-31"}),
        )
        .await;
    assert_eq!(refused(&r, "far").0, "deadline");
    // The widest task allowed spans 2000–2100.
    app.task(json!({"title": "百年", "ledger_id": ledger, "received_at": "2000-01-01T08:00", "deadline": "2100-12-31",
                    "milestones": [{"due": "2050-06-30", "text": "中点"}]}))
        .await;
    let token = format!("root-session-{}", std::process::id());
    let page = app
        .client
        .get(format!("{}/map?ledger={ledger}", app.base))
        .header("cookie", format!("duban_session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("2100年12月") && html.contains("百年"), "the map shows the whole span");
    eprintln!("/map with a task spanning 2000–2100: {} bytes", html.len());
    assert!(html.len() < 400_000, "/map is {} bytes", html.len());
}

#[tokio::test]
async fn bodies_that_cannot_be_read_get_the_documented_json_error() {
    let app = spawn_app().await;
    // No Content-Type: 415, as the document now lists for every JSON body.
    for path in ["/api/v1/tasks", "/api/v1/ledgers", "/api/v1/units", "/api/v1/session"] {
        let r = app.client.post(format!("{}{path}", app.base)).body("{}").send().await.unwrap();
        let status = r.status();
        let json: Value = r.json().await.unwrap();
        app.check_documented("post", path, status, &json);
        assert_eq!(
            (status, json["error"]["code"].as_str()),
            (StatusCode::UNSUPPORTED_MEDIA_TYPE, Some("invalid_input"))
        );
    }
    // A calendar file that is not UTF-8 gets a JSON error, not plain text.
    let r = app
        .client
        .post(format!("{}/api/v1/calendar", app.base))
        .header("content-type", "application/json")
        .body(vec![0x7c_u8, 0xff, 0xfe])
        .send()
        .await
        .unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    let json: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
    app.check_documented("post", "/api/v1/calendar", status, &json);
    assert_eq!((status, json["error"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("body")));
}

#[tokio::test]
async fn a_body_with_a_field_the_document_does_not_list_is_refused() {
    let app = spawn_app().await;
    for (path, body) in [
        ("/api/v1/tasks", json!({"title": "x", "status": "closed"})),
        ("/api/v1/tasks", json!({"title": "x", "milestones": [{"due": "2026-06-30", "done": true}]})),
        ("/api/v1/units", json!({"name": "旗发改委", "secret": 1})),
        ("/api/v1/people", json!({"name": "张三", "username": "zhang", "password": "x"})),
    ] {
        let r = app.post(path, body.clone()).await;
        assert_eq!((r.status, code(&r)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"), "{path} {body}");
    }
    assert_eq!(app.get("/api/v1/tasks").await.json["total"], 0);
    assert_eq!(app.get("/api/v1/units").await.json, json!([]));
}
