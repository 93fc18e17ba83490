//! The calendar and rules endpoints: answers, errors outside the data, and importing a year.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn the_calendar_answers_working_day_questions() {
    let app = spawn_app().await;
    let r = app.get("/api/v1/calendar/workday?date=2026-02-14").await;
    assert_eq!(r.json, json!({"date": "2026-02-14", "result": true, "provisional": false}));
    let r = app.get("/api/v1/calendar/add?date=2026-02-13&days=1").await;
    assert_eq!(r.json["result"], "2026-02-14");
    let r = app.get("/api/v1/calendar/between?from=2026-02-13&to=2026-03-02").await;
    assert_eq!(r.json["result"], 7);
    let r = app.get("/api/v1/calendar/add?date=2026-12-31&days=1").await;
    assert_eq!((r.status, code(&r)), (StatusCode::UNPROCESSABLE_ENTITY, "calendar_out_of_range"));
    assert!(r.json["error"]["message"].as_str().unwrap().contains("2027"));
    let r = app.get("/api/v1/calendar/workday?date=2026-02-30").await;
    assert_eq!(r.json["error"]["field"], "date");
}

#[tokio::test]
async fn importing_a_new_year_extends_the_calendar_and_reschedules_open_tasks() {
    let app = spawn_app().await;
    app.clock.set(bj("2026-12-28T09:00"));
    let t = app.task(json!({"title": "跨年任务", "received_at": "2026-12-28T09:00"})).await;
    let y2027 = json!({"years": {"2027": {"off": ["2027-01-01"], "work": []}}});
    let r = app.post("/api/v1/calendar", y2027).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["years"], json!([2027]));
    assert_eq!(r.json["coverage"], "2015–2027 年");
    assert_eq!(r.json["rescheduled"], 1);
    let r = app.get("/api/v1/calendar/add?date=2026-12-31&days=1").await;
    assert_eq!(r.json["result"], "2027-01-04");
    let t = app.get(&format!("/api/v1/tasks/{}", t["id"])).await.json;
    let done = t["stages"].as_array().unwrap().iter().find(|s| s["stage"] == "done").unwrap();
    // 5 working days after 12-28: 29, 30, 31, 01-04, 01-05.
    assert_eq!(done["due"], "2027-01-05");
    let r = app.post("/api/v1/calendar", json!({"years": {"2027": {"off": ["2027-02-30"]}}})).await;
    assert_eq!((r.status, code(&r)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"));
}

#[tokio::test]
async fn the_rules_in_force_are_published() {
    let app = spawn_app_with("ejinhoro-2024").await;
    let r = app.get("/api/v1/rules").await;
    assert_eq!(r.json["name"], "ejinhoro-2024");
    assert_eq!(r.json["rules"][0]["duration"], "same-day");
}
