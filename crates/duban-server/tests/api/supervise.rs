//! The supervision pass with a clock moved by hand: reminders, 督办 notices, escalation,
//! naming candidates, working hours, and passes that run twice.

use crate::helpers::*;
use serde_json::json;

struct Setup {
    officer: i64,
    head: i64,
    leader: i64,
    task: serde_json::Value,
}

async fn setup(app: &TestApp, priority: &str) -> Setup {
    let a = app.unit("旗行政审批和政务服务局").await;
    let office_unit = app.unit("旗政府办公室").await;
    let mk = |username: &str, unit: i64, roles: serde_json::Value, charge: serde_json::Value| json!({"name": username, "username": username, "unit_id": unit, "roles": roles, "charge_units": charge, "email": format!("{username}@naiman.example")});
    let officer =
        app.post("/api/v1/people", mk("officer", a, json!(["officer"]), json!([]))).await.json["id"].as_i64().unwrap();
    let head =
        app.post("/api/v1/people", mk("head", a, json!(["unit_head"]), json!([]))).await.json["id"].as_i64().unwrap();
    let leader = app.post("/api/v1/people", mk("leader", office_unit, json!(["leader"]), json!([a]))).await.json["id"]
        .as_i64()
        .unwrap();
    // Received Monday 2026-03-02 09:00: signing (3 WD) is due Thursday 03-05 17:30, yellow from 03-04.
    app.clock.set(bj("2026-03-02T09:00"));
    let task = app
        .task(json!({"title": "推行一照通办", "lead": [{"unit": a}], "priority": priority, "deadline": "2026-12-31"}))
        .await;
    Setup { officer, head, leader, task }
}

#[tokio::test]
async fn a_pass_reminds_then_supervises_then_names() {
    let app = spawn_app().await;
    let s = setup(&app, "常规").await;
    let d = &app.duban;
    // Before the warning window: nothing.
    let r = d.supervision().pass(bj("2026-03-03T10:00")).await.unwrap();
    assert_eq!((r.reminders, r.notices.len(), r.green), (0, 0, 1));
    // In the window: one reminder (to the officer and the head), once only.
    let r = d.supervision().pass(bj("2026-03-04T10:00")).await.unwrap();
    assert_eq!((r.reminders, r.yellow), (1, 1));
    assert_eq!(d.supervision().pass(bj("2026-03-04T10:05")).await.unwrap().reminders, 0);
    let inbox = app.store.list_messages(Some(duban_domain::ids::PersonId(s.officer)), 10).await.unwrap();
    assert!(
        inbox.iter().any(|m| m.message.channel == "inbox" && m.message.subject.contains("催办") && m.status == "sent")
    );
    assert!(inbox.iter().any(|m| m.message.channel == "email"
        && m.message.address == "officer@naiman.example"
        && m.status == "pending"));
    // Overdue: the first 督办, recorded in the trail and escalated to the leader in charge.
    let r = d.supervision().pass(bj("2026-03-06T09:00")).await.unwrap();
    assert_eq!((r.notices.clone(), r.escalations, r.red), (vec!["督〔2026〕1号".to_string()], 1, 1));
    assert!(d.supervision().pass(bj("2026-03-06T09:01")).await.unwrap().notices.is_empty());
    let events = app.get(&format!("/api/v1/tasks/{}/events", s.task["id"])).await.json;
    let last = events.as_array().unwrap().last().unwrap();
    assert_eq!((last["kind"].as_str(), last["data"]["answer_by"].as_str()), (Some("supervised"), Some("2026-03-11")));
    let to_leader = app.store.list_messages(Some(duban_domain::ids::PersonId(s.leader)), 10).await.unwrap();
    assert!(to_leader.iter().any(|m| m.message.kind == "escalate"));
    // The answer date (3 WD later) passes with no progress: a second notice, and the unit is named.
    assert!(d.supervision().pass(bj("2026-03-11T16:00")).await.unwrap().notices.is_empty());
    let r = d.supervision().pass(bj("2026-03-12T09:00")).await.unwrap();
    assert_eq!((r.notices.clone(), r.naming_candidates), (vec!["督〔2026〕2号".to_string()], 1));
    let r = d.supervision().pass(bj("2026-03-20T09:00")).await.unwrap();
    assert_eq!((r.notices.len(), r.naming_candidates), (0, 0));
    let named = app.store.list_naming().await.unwrap();
    assert_eq!(named.len(), 1);
    assert!(named[0].naming.reason.contains("督〔2026〕1号") && named[0].naming.reason.contains("督〔2026〕2号"));
    let _ = s.head;
}

#[tokio::test]
async fn progress_after_a_notice_spares_the_unit_from_naming() {
    let app = spawn_app().await;
    let s = setup(&app, "常规").await;
    let d = &app.duban;
    d.supervision().pass(bj("2026-03-06T09:00")).await.unwrap();
    // The unit signs after the notice: the sign stage is met, no second notice, no naming.
    let t = app.get(&format!("/api/v1/tasks/{}", s.task["id"])).await.json;
    app.clock.set(bj("2026-03-06T10:00"));
    let r = app
        .post(
            &format!("/api/v1/tasks/{}/actions", t["id"]),
            json!({"action": "sign", "actor": s.officer, "version": t["version"]}),
        )
        .await;
    assert_eq!(r.json["status"], "signed", "{}", r.json);
    let r = d.supervision().pass(bj("2026-03-12T09:00")).await.unwrap();
    assert!(r.notices.is_empty());
    assert_eq!(r.naming_candidates, 0);
    assert!(app.store.list_naming().await.unwrap().is_empty());
}

#[tokio::test]
async fn reminders_wait_for_working_hours_unless_urgent() {
    let app = spawn_app().await;
    setup(&app, "常规").await;
    let d = &app.duban;
    // Wednesday 03-04 at 20:00: the reminder waits for Thursday 08:30.
    d.supervision().pass(bj("2026-03-04T20:00")).await.unwrap();
    let all = app.store.list_messages(None, 50).await.unwrap();
    let remind = all.iter().find(|m| m.message.kind == "remind" && m.message.channel == "inbox").unwrap();
    assert_eq!(remind.message.not_before, bj("2026-03-05T08:30"));
    assert_eq!(remind.status, "pending");
    assert_eq!(d.outbox().deliver(bj("2026-03-05T08:29")).await.unwrap(), 0);
    assert!(d.outbox().deliver(bj("2026-03-05T08:30")).await.unwrap() >= 1);

    let urgent = spawn_app().await;
    setup(&urgent, "特急").await;
    // The critical task's same-day first report is due 03-02; by 20:00 its sign stage warns too.
    urgent.duban.supervision().pass(bj("2026-03-04T20:00")).await.unwrap();
    let all = urgent.store.list_messages(None, 50).await.unwrap();
    let remind = all.iter().find(|m| m.message.kind == "remind").unwrap();
    assert_eq!(remind.message.not_before, bj("2026-03-04T20:00"));
}

#[tokio::test]
async fn a_task_that_has_not_reported_this_period_is_reminded_near_its_end() {
    let app = spawn_app().await;
    let s = setup(&app, "重点").await;
    let d = &app.duban;
    let t = app.get(&format!("/api/v1/tasks/{}", s.task["id"])).await.json;
    app.clock.set(bj("2026-03-03T09:00"));
    app.post(
        &format!("/api/v1/tasks/{}/actions", t["id"]),
        json!({"action": "sign", "actor": s.officer, "version": t["version"]}),
    )
    .await;
    // 重点 tasks report monthly (x-district 三(五)2). Mid-month: nothing due yet.
    assert_eq!(d.supervision().pass(bj("2026-03-16T10:00")).await.unwrap().cadence_reminders, 0);
    // On 03-30 one working day of March is left and March has no report: remind, once.
    assert_eq!(d.supervision().pass(bj("2026-03-30T10:00")).await.unwrap().cadence_reminders, 1);
    assert_eq!(d.supervision().pass(bj("2026-03-31T10:00")).await.unwrap().cadence_reminders, 0);
    // A report in April spares it at the end of April.
    let t = app.get(&format!("/api/v1/tasks/{}", s.task["id"])).await.json;
    app.clock.set(bj("2026-04-10T09:00"));
    let r = app
        .post(
            &format!("/api/v1/tasks/{}/actions", t["id"]),
            json!({"action": "report", "actor": s.officer, "version": t["version"], "text": "已部署"}),
        )
        .await;
    assert_eq!(r.json["status"], "in_progress");
    assert_eq!(d.supervision().pass(bj("2026-04-29T10:00")).await.unwrap().cadence_reminders, 0);
}

#[tokio::test]
async fn the_office_reminds_by_hand_over_the_channels_it_chooses_and_the_trail_keeps_it() {
    let app = spawn_app().await;
    let s = setup(&app, "常规").await;
    let id = s.task["id"].as_i64().unwrap();
    // Saturday evening: it goes at once (the office acts in person), not on Monday morning.
    app.clock.set(bj("2026-03-07T20:00"));
    let r = app
        .post(&format!("/api/v1/tasks/{id}/remind"), json!({"channels": ["inbox", "email"], "text": "请周一前签收"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    // The officer and the head, each in the inbox and by e-mail; not the leader.
    assert_eq!(r.json["reminded"], json!([{"task_id": id, "messages": 4}]));
    assert_eq!(r.json["refused"], json!([]));
    let officer = app.store.list_messages(Some(duban_domain::ids::PersonId(s.officer)), 10).await.unwrap();
    assert!(officer.iter().any(|m| m.message.channel == "inbox"
        && m.message.kind == "remind"
        && m.message.body.contains("请周一前签收")
        && m.status == "sent"));
    assert!(officer.iter().any(|m| m.message.channel == "email" && m.message.not_before == bj("2026-03-07T20:00")));
    assert!(!officer.iter().any(|m| m.message.channel == "sms"));
    let head = app.store.list_messages(Some(duban_domain::ids::PersonId(s.head)), 10).await.unwrap();
    assert_eq!(head.len(), 2);
    assert!(app.store.list_messages(Some(duban_domain::ids::PersonId(s.leader)), 10).await.unwrap().is_empty());
    // In the trail, with who did it and what was asked.
    let events = app.get(&format!("/api/v1/tasks/{id}/events")).await.json;
    let last = events.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "reminded");
    assert_eq!(last["data"]["text"], "请周一前签收");
    assert_eq!(last["data"]["channels"], json!(["inbox", "email"]));
    assert!(last["actor_id"].is_i64());
    // No channel, an unknown one: refused, nothing sent.
    let r = app.post(&format!("/api/v1/tasks/{id}/remind"), json!({"channels": []})).await;
    assert_eq!((r.status, code(&r)), (reqwest::StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"));
    let r = app.post(&format!("/api/v1/tasks/{id}/remind"), json!({"channels": ["fax"]})).await;
    assert_eq!((r.status, code(&r)), (reqwest::StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"));
    // SMS only, and no one has a phone: a conflict that says so.
    let r = app.post(&format!("/api/v1/tasks/{id}/remind"), json!({"channels": ["sms"]})).await;
    assert_eq!((r.status, code(&r)), (reqwest::StatusCode::CONFLICT, "conflict"));
    assert!(r.json.to_string().contains("没有可经所选渠道接收催办的人员"));
    // A missing task.
    let r = app.post("/api/v1/tasks/999999/remind", json!({"channels": ["inbox"]})).await;
    assert_eq!((r.status, code(&r)), (reqwest::StatusCode::NOT_FOUND, "not_found"));
    assert_eq!(app.store.list_messages(Some(duban_domain::ids::PersonId(s.officer)), 10).await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_reminder_from_the_ledger_reaches_every_task_it_may_and_says_why_not_for_the_others() {
    let app = spawn_app().await;
    let s = setup(&app, "常规").await;
    let a = s.task["lead"][0]["unit"].as_i64().unwrap();
    let second = app.task(json!({"title": "清理证明事项", "lead": [{"unit": a}], "deadline": "2026-12-31"})).await;
    let gone = app.task(json!({"title": "已撤销的任务", "lead": [{"unit": a}], "deadline": "2026-12-31"})).await;
    let version = format!("\"{}\"", gone["version"]);
    let r = app.send("delete", &format!("/api/v1/tasks/{}", gone["id"]), None, &[("If-Match", &version)]).await;
    assert!(r.status.is_success(), "{}", r.json);
    let ids = json!([s.task["id"], second["id"], gone["id"], 999_999, s.task["id"]]);
    let r = app.post("/api/v1/tasks/remind", json!({"ids": ids, "channels": ["inbox"], "text": ""})).await;
    assert_eq!(r.status, 200, "{}", r.json);
    // Each task once; the officer and the head each get one inbox message per task.
    assert_eq!(
        r.json["reminded"],
        json!([{"task_id": s.task["id"], "messages": 2}, {"task_id": second["id"], "messages": 2}])
    );
    let refused = r.json["refused"].as_array().unwrap();
    assert_eq!(refused.len(), 2);
    assert_eq!((refused[0]["task_id"].clone(), refused[0]["code"].as_str()), (gone["id"].clone(), Some("conflict")));
    assert_eq!((refused[1]["task_id"].as_i64(), refused[1]["code"].as_str()), (Some(999_999), Some("not_found")));
    let officer = app.store.list_messages(Some(duban_domain::ids::PersonId(s.officer)), 10).await.unwrap();
    assert_eq!(officer.iter().filter(|m| m.message.kind == "remind").count(), 2);
    assert!(officer.iter().all(|m| m.message.body.contains("请抓紧办理")));
    // Nothing to remind, too many: refused as input.
    let r = app.post("/api/v1/tasks/remind", json!({"ids": [], "channels": ["inbox"]})).await;
    assert_eq!((r.status, code(&r)), (reqwest::StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"));
    let many: Vec<i64> = (1..=501).collect();
    let r = app.post("/api/v1/tasks/remind", json!({"ids": many, "channels": ["inbox"]})).await;
    assert_eq!((r.status, code(&r)), (reqwest::StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"));
}
