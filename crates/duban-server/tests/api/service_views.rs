//! Whole histories and enterprise-side statistics (issue 14 §6): an enterprise's timeline shows
//! its liaison, visits and demands newest first, and never a task the viewer may not see — a
//! 涉密 demand of another unit is neither listed, counted nor named; a unit's service history
//! counts its demands on time and late; the month's statistics on the working-day calendar.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn as_(app: &TestApp, token: &str, path: &str) -> Reply {
    let resp = reqwest::Client::new().get(format!("{}{path}", app.base)).bearer_auth(token).send().await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let json: Value = serde_json::from_str(&resp.text().await.unwrap()).unwrap_or(Value::Null);
    app.check_documented("get", path, status, &json);
    Reply { status, headers, json }
}

async fn act(app: &TestApp, task: i64, actor: i64, body: Value) -> Reply {
    let t = app.get(&format!("/api/v1/tasks/{task}")).await.json;
    let mut body = body;
    body["version"] = t["version"].clone();
    body["actor"] = json!(actor);
    app.post(&format!("/api/v1/tasks/{task}/actions"), body).await
}

fn demand(title: &str, kind: &str, unit: i64) -> Value {
    json!({"demand": {"enterprise_name": "甲能源公司", "credit_code": "91350100M000100Y43", "contact_name": "李",
        "contact_phone": "13800000000", "channel": "12345热线", "kind": kind, "title": title, "text": title},
        "assign": {"lead": [{"unit": unit}]}})
}

async fn views(app: TestApp) {
    // Wednesday 30 September 2026; 1–7 October are the National Day holiday.
    app.clock.set(bj("2026-09-30T09:00"));
    let a = app.unit("服务甲局").await;
    let b = app.unit("服务乙镇").await;
    let (officer_b, token_b) = app
        .person_signed_in(json!({"name": "乙镇包联人", "username": "liaison_b", "unit_id": b, "roles": ["officer"]}))
        .await;
    let (officer_a, token_a) = app
        .person_signed_in(json!({"name": "甲局承办人", "username": "officer_sa", "unit_id": a, "roles": ["officer"]}))
        .await;
    let r = app
        .post(
            "/api/v1/enterprises",
            json!({"name": "甲能源公司", "credit_code": "91350100M000100Y43", "scale": "规上"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let e = r.json["id"].as_i64().unwrap();
    // A liaison of unit 乙 visits it and finds a problem.
    let r = app.post("/api/v1/liaison", json!({"person_id": officer_b, "enterprise_id": e})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let assignment = r.json["id"].as_i64().unwrap();
    let r = app
        .post(
            &format!("/api/v1/liaison/{assignment}/visits"),
            json!({"visited_on": "2026-09-30", "met": "王总", "work": "宣讲稳岗政策", "problems": ["用电扩容难"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    // Two demands: one led by 乙 (contacted on the first working day after the holiday), one by
    // 甲 made 涉密, naming 甲's officer as the responsible person (the only one who sees it).
    let r = app.post("/api/v1/demands", demand("用电扩容", "factors", b)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let open_task = r.json["task"]["id"].as_i64().unwrap();
    let r = app.post("/api/v1/demands", demand("绝密用地协调", "approval", a)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let secret = r.json["task"].clone();
    let r = app
        .patch(
            &format!("/api/v1/tasks/{}", secret["id"]),
            secret["version"].as_i64().unwrap(),
            json!({"classification": "涉密", "responsible_person_id": officer_a}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    app.clock.set(bj("2026-10-08T10:00"));
    let r = act(&app, open_task, officer_b, json!({"action": "contact", "text": "上门对接"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);

    // The office's timeline: everything it may see, newest first — not the 涉密 demand.
    let path = format!("/api/v1/enterprises/{e}/timeline");
    let t = app.get(&path).await;
    assert_eq!(t.status, StatusCode::OK, "{}", t.json);
    let areas: Vec<&str> = t.json["entries"].as_array().unwrap().iter().map(|x| x["area"].as_str().unwrap()).collect();
    for area in ["liaison", "visit", "demand", "task"] {
        assert!(areas.contains(&area), "{area} missing: {areas:?}");
    }
    let ats: Vec<&str> = t.json["entries"].as_array().unwrap().iter().map(|x| x["at"].as_str().unwrap()).collect();
    assert!(ats.windows(2).all(|w| w[0] >= w[1]), "newest first: {ats:?}");
    assert_eq!(t.json["demands"].as_array().unwrap().len(), 1);
    assert!(!t.json.to_string().contains("绝密用地协调"));
    let line = t.json["demands"].as_array().unwrap().iter().find(|d| d["title"] == "用电扩容").unwrap();
    assert_eq!(line["contact_on_time"], true, "one working day over the holiday: {line}");
    // 乙's liaison: the 涉密 demand of 甲 is not listed, counted or named.
    let mine = as_(&app, &token_b, &path).await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.json);
    let body = mine.json.to_string();
    assert!(!body.contains("绝密用地协调"), "{body}");
    assert_eq!(mine.json["demands"].as_array().unwrap().len(), 1);
    let office_tasks = t.json["tasks"].as_u64().unwrap();
    assert_eq!(mine.json["tasks"].as_u64().unwrap(), office_tasks, "the secret task is not counted");
    // The person named on it sees it.
    let named = as_(&app, &token_a, &path).await;
    assert!(named.json["demands"].as_array().unwrap().iter().any(|d| d["title"] == "绝密用地协调"), "{}", named.json);
    assert_eq!(named.json["demands"].as_array().unwrap().len(), 1, "not 乙's: {}", named.json);
    assert_eq!(app.get("/api/v1/enterprises/999999/timeline").await.status, StatusCode::NOT_FOUND);

    // 乙's service history: its demand contacted on time, its visit.
    let u = as_(&app, &token_b, &format!("/api/v1/units/{b}/service")).await;
    assert_eq!(u.status, StatusCode::OK, "{}", u.json);
    assert_eq!((u.json["contact_on_time"].as_u64(), u.json["contact_late"].as_u64()), (Some(1), Some(0)));
    assert_eq!(u.json["visits"].as_array().unwrap().len(), 1);
    assert!(u.json["tasks"].as_array().unwrap().iter().any(|t| t["source"] == "企业诉求"));
    // 甲's history seen by 乙: nothing of the 涉密 task.
    let other = as_(&app, &token_b, &format!("/api/v1/units/{a}/service")).await;
    assert_eq!(other.status, StatusCode::OK);
    assert_eq!(other.json["tasks"].as_array().unwrap().len(), 0, "{}", other.json);
    assert!(!other.json.to_string().contains("绝密"));

    // September's statistics over the demands each may see: the office's without the 涉密 one.
    let s = app.get("/api/v1/service/stats?month=2026-09").await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.json);
    assert_eq!(s.json["stats"]["demands"], 1);
    assert_eq!(s.json["stats"]["contacted_in_1"], json!({"n": 1, "of": 1}));
    assert_eq!(s.json["stats"]["to_contact"]["median"], 1.0);
    assert_eq!(s.json["stats"]["by_kind"], json!([{"code": "factors", "label": "要素保障", "n": 1}]));
    assert_eq!(
        (s.json["stats"]["counts"]["enterprises"].as_u64(), s.json["stats"]["counts"]["visited"].as_u64()),
        (Some(1), Some(1))
    );
    // Not yet solved but still in time (one working day of three): not late. The enterprise is
    // 规上 without a steward: flagged.
    assert_eq!(s.json["stats"]["solved_in_3"], json!({"n": 0, "of": 0}));
    assert_eq!(s.json["stats"]["problems"], json!(["1处项目管家配备问题（应配未配或职级不符）"]), "{}", s.json);
    // The named officer's: the 涉密 demand, still not contacted on the second working day after
    // the holiday — late, the problem first.
    app.clock.set(bj("2026-10-09T10:00"));
    let s = as_(&app, &token_a, "/api/v1/service/stats?month=2026-09").await;
    assert_eq!(s.json["stats"]["demands"], 1);
    assert_eq!(s.json["stats"]["contacted_in_1"], json!({"n": 0, "of": 1}));
    assert_eq!(s.json["stats"]["problems"][0], "1件企业诉求未在1个工作日内联系企业");
    // The month's bulletin draft: the figures at the end of 四、重点项目推进情况, problems first.
    let r = app.post("/api/v1/bulletins", json!({"month": "2026-09"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let four = r.json["body"]["sections"].as_array().unwrap().iter().find(|s| s["kind"] == "key_projects").unwrap();
    let texts: Vec<&str> = four["paragraphs"].as_array().unwrap().iter().map(|p| p["text"].as_str().unwrap()).collect();
    let at = texts.iter().position(|t| *t == "（企业服务情况）").unwrap_or_else(|| panic!("{texts:?}"));
    assert_eq!(texts[at + 1], "存在问题：1处项目管家配备问题（应配未配或职级不符）。");
    assert!(
        texts[at + 2]
            .starts_with("本月受理企业诉求1件，其中要素保障1件；来源：12345热线1件。1个工作日内联系企业1/1（100.0%）"),
        "{}",
        texts[at + 2]
    );
    assert!(texts[at + 3].contains("重点企业走访覆盖1/1（100.0%），走访和现场办公1次"), "{}", texts[at + 3]);
    assert!(!texts.concat().contains("绝密"));
    // The same figures as a sheet (the command line, no person, reads everything as the other
    // services do: the late 涉密 demand is its first problem).
    let cli = duban_app::actor::Actor::command_line();
    let m = app.duban.service_views().stats(&cli, "2026-09").await.unwrap();
    let bytes = m.xlsx().unwrap();
    assert!(bytes.starts_with(b"PK"), "an .xlsx is a zip");
    assert_eq!(m.lines()[0], ("存在问题".to_string(), "1件企业诉求未在1个工作日内联系企业".to_string()));
    let r = app.get("/api/v1/service/stats?month=2026-13").await;
    assert_eq!((r.status, code(&r)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"));
}

#[tokio::test]
async fn whole_histories_and_statistics_keep_to_the_visibility_rule_on_sqlite() {
    views(spawn_app().await).await;
}

#[tokio::test]
async fn whole_histories_and_statistics_keep_to_the_visibility_rule_on_postgres() {
    let Some(app) = spawn_app_on_postgres().await else { return };
    views(app).await;
}
