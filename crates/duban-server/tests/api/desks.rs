//! The desks by role (issue 12 §2), over HTTP as each role sees them: the office's queues with
//! their counts, rows and 查看全部 into the filtered ledger, and the notice when feedback
//! arrives; the leader's 驾驶舱 over the units in their charge only; the unit head's approval of
//! feedback after a 督办 (and an officer's refusal to give it); batch 签收 with refusals among
//! the tasks ticked; 本周到期 by the stage that falls due, with its date.

use crate::helpers::*;
use crate::web::{Browser, person};
use duban_domain::ids::{PersonId, TaskId};
use reqwest::StatusCode;
use serde_json::{Value, json};

struct Cast {
    unit_a: i64,
    unit_b: i64,
    officer: PersonId,
    head: PersonId,
    office: PersonId,
    officer_b: PersonId,
}

async fn cast(app: &TestApp) -> Cast {
    let unit_a = app.unit("旗行政审批和政务服务局").await;
    let unit_b = app.unit("旗自然资源局").await;
    let office_unit = app.unit("旗政府办公室").await;
    let officer = person(app, "officer_a", Some(unit_a), json!(["officer"])).await;
    let head = person(app, "head_a", Some(unit_a), json!(["unit_head"])).await;
    let office = person(app, "office", Some(office_unit), json!(["office"])).await;
    let officer_b = person(app, "officer_b", Some(unit_b), json!(["officer"])).await;
    let r = app
        .post(
            "/api/v1/people",
            json!({"name": "王分管", "username": "leader", "unit_id": office_unit, "roles": ["leader"], "charge_units": [unit_a]}),
        )
        .await;
    let leader = PersonId(r.json["id"].as_i64().unwrap());
    app.duban.sign_in().set_password(leader, "pw-redael-2026").await.unwrap();
    Cast { unit_a, unit_b, officer, head, office, officer_b }
}

async fn signed_in(app: &TestApp, username: &str) -> Browser {
    let mut b = Browser::new(app);
    let password = format!("pw-{}-2026", username.chars().rev().collect::<String>());
    let r = b.sign_in(username, &password).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{username} signs in");
    b
}

/// The task as it is now.
async fn now(app: &TestApp, t: &Value) -> Value {
    app.get(&format!("/api/v1/tasks/{}", t["id"])).await.json
}

/// Takes an action as `actor`; panics unless it succeeds.
async fn act(app: &TestApp, t: &Value, actor: PersonId, body: Value) -> Value {
    let r = try_act(app, t, actor, body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    r.json
}

async fn try_act(app: &TestApp, t: &Value, actor: PersonId, mut body: Value) -> Reply {
    let t = now(app, t).await;
    body["actor"] = json!(actor.0);
    body["version"] = t["version"].clone();
    app.post(&format!("/api/v1/tasks/{}/actions", t["id"]), body).await
}

/// Signs, reports and gives feedback with a file, as `actor`.
async fn work_to_feedback(app: &TestApp, t: &Value, actor: PersonId) -> Value {
    if now(app, t).await["status"] == "assigned" {
        act(app, t, actor, json!({"action": "sign"})).await;
    }
    act(app, t, actor, json!({"action": "report", "text": "已完成系统对接"})).await;
    let file = app.attach(t, "验收报告.pdf", b"%PDF").await;
    act(app, t, actor, json!({"action": "feedback", "text": "已全面推行", "evidence": [file]})).await
}

async fn supervise(app: &TestApp, t: &Value, office: PersonId) {
    let person = app.store.get_person(office).await.unwrap();
    app.duban
        .supervision()
        .by_hand(&duban_app::actor::Actor::new(person), TaskId(t["id"].as_i64().unwrap()), "请加快办理")
        .await
        .unwrap();
}

/// The desk list with this key (`id="q-…"`), up to its end.
fn section<'a>(page: &'a str, key: &str) -> &'a str {
    let marker = format!("id=\"q-{key}\"");
    let start = page.find(&marker).unwrap_or_else(|| panic!("no list {key} on the desk"));
    let rest = &page[start..];
    &rest[..rest.find("</section>").unwrap()]
}

/// The count in a list's heading.
fn count(section: &str) -> u64 {
    let marker = "<span class=\"count\">";
    let start = section.find(marker).unwrap() + marker.len();
    section[start..].split('<').next().unwrap().trim().parse().unwrap()
}

/// "共 N 项" of a ledger page.
fn ledger_total(page: &str) -> u64 {
    let start = page.find("共 ").unwrap() + "共 ".len();
    page[start..].split(' ').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn the_office_desk_shows_its_queues_and_the_feedback_that_arrived() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let task = |title: &str| json!({"title": title, "lead": [{"unit": c.unit_a}], "deadline": "2026-06-30"});
    let review = app.task(task("待审核的任务")).await;
    let extension = app.task(task("申请延期的任务")).await;
    let dispute = app.task(task("有争议的任务")).await;
    let supervised = app.task(task("被督办的任务")).await;
    app.task(task("刚交办的任务")).await;
    work_to_feedback(&app, &review, c.officer).await;
    act(
        &app,
        &extension,
        c.officer,
        json!({"action": "request_extension", "text": "客观原因", "new_deadline": "2026-09-30"}),
    )
    .await;
    act(&app, &dispute, c.officer, json!({"action": "raise_dispute", "text": "应由乙局牵头"})).await;
    supervise(&app, &supervised, c.office).await;

    let office = signed_in(&app, "office").await;
    let (status, desk) = office.get("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(desk.contains("督查室待办"));
    for (key, title, more) in [
        ("review", "待审核的任务", "/tasks?status=feedback"),
        ("extension", "申请延期的任务", "/tasks?status=extension"),
        ("dispute", "有争议的任务", "/tasks?status=disputed"),
        ("unanswered", "被督办的任务", "/tasks?unanswered=true"),
    ] {
        let s = section(&desk, key);
        assert_eq!(count(s), 1, "{key}: {s}");
        assert!(s.contains(title), "{key} lists {title}");
        assert!(s.contains(&format!("href=\"{more}\"")) && s.contains("查看全部"), "{key}: {s}");
        // 查看全部: the ledger filtered to the same tasks.
        let (status, ledger) = office.get(more).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(ledger_total(&ledger), 1, "{more}");
        assert!(ledger.contains(title), "{more} lists {title}");
    }
    // The notice that feedback arrived, in the office's inbox and on its desk.
    let arrived = section(&desk, "arrived");
    assert_eq!(count(arrived), 1);
    assert!(arrived.contains("待审核的任务") && arrived.contains("待审核"), "{arrived}");
    let inbox = app.store.list_messages(Some(c.office), 10).await.unwrap();
    assert!(inbox.iter().any(|m| m.message.kind == "feedback" && m.status == "sent"));
    // Nobody else is told: not the officer who gave it, not another unit.
    for p in [c.officer, c.officer_b, c.head] {
        let theirs = app.store.list_messages(Some(p), 10).await.unwrap();
        assert!(theirs.iter().all(|m| m.message.kind != "feedback"));
    }
    // 标为已读: someone else cannot mark the office's notice read; the office can, and the
    // desk then shows no unread feedback.
    let notice = inbox.iter().find(|m| m.message.kind == "feedback").unwrap().id.to_string();
    let officer = signed_in(&app, "officer_a").await;
    let csrf = officer.csrf().await;
    let r = officer.post("/desk/read", &[("csrf", &csrf), ("id", &notice)]).await;
    assert!(r.text().await.unwrap().contains("已将 0 条提醒标为已读"));
    let (_, desk) = office.get("/").await;
    assert_eq!(count(section(&desk, "arrived")), 1);
    let csrf = office.csrf().await;
    let r = office.post("/desk/read", &[("csrf", &csrf), ("id", &notice)]).await;
    let page = r.text().await.unwrap();
    assert!(page.contains("已将 1 条提醒标为已读"), "{page}");
    assert_eq!(count(section(&page, "arrived")), 0);
    let read = app.store.list_messages(Some(c.office), 10).await.unwrap();
    assert!(read.iter().find(|m| m.message.kind == "feedback").unwrap().read_at.is_some());
    // The unanswered filter over the API, and progress answers the notice.
    let r = app.get("/api/v1/tasks?unanswered=true").await;
    assert_eq!(r.json["total"], 1);
    assert_eq!(r.json["items"][0]["id"], supervised["id"]);
    app.clock.set(bj("2026-03-02T10:00"));
    act(&app, &supervised, c.officer, json!({"action": "sign"})).await;
    assert_eq!(app.get("/api/v1/tasks?unanswered=true").await.json["total"], 0);
    let (_, desk) = office.get("/").await;
    assert_eq!(count(section(&desk, "unanswered")), 0);
    // An officer's desk has no office queues; the office's has no 待签收 to tick.
    let (_, mine) = officer.get("/").await;
    assert!(!mine.contains("督查室待办") && !mine.contains("id=\"q-review\""));
    assert!(!desk.contains("批量签收"));
}

#[tokio::test]
async fn after_a_supervision_the_head_approves_the_units_feedback_before_the_office_sees_it() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let t = app.task(json!({"title": "督办后的反馈", "lead": [{"unit": c.unit_a}], "deadline": "2026-06-30"})).await;
    supervise(&app, &t, c.office).await;
    let t = work_to_feedback(&app, &t, c.officer).await;
    assert_eq!(t["status"], "head_approval");
    assert_eq!(t["state"], "待单位审批");
    // It has not reached the office.
    let office = signed_in(&app, "office").await;
    let (_, desk) = office.get("/").await;
    assert_eq!(count(section(&desk, "review")), 0);
    assert_eq!(count(section(&desk, "arrived")), 0);
    // The head's desk shows it, and the head was told.
    let head = signed_in(&app, "head_a").await;
    let (_, desk) = head.get("/").await;
    let approvals = section(&desk, "approval");
    assert_eq!(count(approvals), 1);
    assert!(approvals.contains("督办后的反馈"));
    let told = app.store.list_messages(Some(c.head), 10).await.unwrap();
    assert!(told.iter().any(|m| m.message.kind == "approval"));
    // The officer may not approve it, nor may the office.
    for who in [c.officer, c.office] {
        let r = try_act(&app, &t, who, json!({"action": "head_approve"})).await;
        assert_eq!((r.status, code(&r)), (StatusCode::FORBIDDEN, "forbidden"));
    }
    let actions = app.get(&format!("/api/v1/tasks/{}/actions?actor={}", t["id"], c.head.0)).await.json;
    let codes: Vec<&str> = actions.as_array().unwrap().iter().map(|a| a["action"].as_str().unwrap()).collect();
    assert_eq!(codes, ["head_approve", "head_return"]);
    // Returned to the officer with a reason, then given again and approved.
    let r = try_act(&app, &t, c.head, json!({"action": "head_return"})).await;
    assert_eq!((r.status, r.json["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("text")));
    let back = act(&app, &t, c.head, json!({"action": "head_return", "text": "数据需核实"})).await;
    assert_eq!(back["status"], "returned");
    let file = app.attach(&t, "核实后的报告.pdf", b"%PDF").await;
    let again = act(&app, &t, c.officer, json!({"action": "feedback", "text": "已核实", "evidence": [file]})).await;
    assert_eq!(again["status"], "head_approval");
    // Through the page, as the head: approved, it reaches the office.
    let csrf = head.csrf().await;
    let version = now(&app, &t).await["version"].as_i64().unwrap().to_string();
    let r = head
        .post(&format!("/tasks/{}/act", t["id"]), &[("csrf", &csrf), ("action", "head_approve"), ("version", &version)])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // The page it leads to says what was done.
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(to, format!("/tasks/{}?done=head_approve", t["id"]));
    let (_, page) = head.get(&to).await;
    assert!(page.contains("已完成“单位负责人审批同意”，并记入全过程记录。"), "{page}");
    let done = now(&app, &t).await;
    assert_eq!(done["status"], "feedback");
    let (_, desk) = office.get("/").await;
    assert!(section(&desk, "review").contains("督办后的反馈"));
    assert!(section(&desk, "arrived").contains("督办后的反馈"));
    // Every step is in the trail, by whom it was taken.
    let events = app.get(&format!("/api/v1/tasks/{}/events", t["id"])).await.json;
    let steps: Vec<(&str, i64)> = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| ["feedback", "head_return", "head_approve"].contains(&e["kind"].as_str().unwrap()))
        .map(|e| (e["kind"].as_str().unwrap(), e["actor_id"].as_i64().unwrap()))
        .collect();
    assert_eq!(
        steps,
        [("feedback", c.officer.0), ("head_return", c.head.0), ("feedback", c.officer.0), ("head_approve", c.head.0)]
    );
    // Without a 督办 an officer's feedback goes straight to the office.
    let plain =
        app.task(json!({"title": "未督办的任务", "lead": [{"unit": c.unit_a}], "deadline": "2026-06-30"})).await;
    assert_eq!(work_to_feedback(&app, &plain, c.officer).await["status"], "feedback");
}

#[tokio::test]
async fn an_officer_signs_many_at_once_and_is_told_which_were_refused() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let mk = |title: &str, unit: i64| json!({"title": title, "lead": [{"unit": unit}], "deadline": "2026-06-30"});
    let a1 = app.task(mk("甲局任务一", c.unit_a)).await;
    let a2 = app.task(mk("甲局任务二", c.unit_a)).await;
    let a3 = app.task(mk("甲局任务三", c.unit_a)).await;
    let b1 = app.task(mk("乙局任务", c.unit_b)).await;
    act(&app, &a3, c.officer, json!({"action": "sign"})).await;
    let officer = signed_in(&app, "officer_a").await;
    let (_, desk) = officer.get("/").await;
    let to_sign = section(&desk, "sign");
    assert_eq!(count(to_sign), 2);
    assert!(to_sign.contains("批量签收") && to_sign.contains("name=\"id\""));
    let csrf = officer.csrf().await;
    let ids: Vec<String> = [&a1, &a2, &a3, &b1].iter().map(|t| t["id"].to_string()).chain(["999999".into()]).collect();
    let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf)];
    form.extend(ids.iter().map(|i| ("id", i.as_str())));
    let r = officer.post("/desk/sign", &form).await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains("已签收 2 项任务"), "{page}");
    assert!(page.contains("3 项未签收"), "{page}");
    assert!(page.contains(&format!("#{}：任务当前状态为", a3["id"])), "already signed: {page}");
    // Another unit's task and a missing one are refused alike (乙局's may be visible or not).
    assert!(page.contains("#999999："));
    for t in [&a1, &a2] {
        let t = now(&app, t).await;
        assert_eq!(t["status"], "signed");
        let events = app.get(&format!("/api/v1/tasks/{}/events", t["id"])).await.json;
        let sign = events.as_array().unwrap().iter().find(|e| e["kind"] == "sign").unwrap();
        assert_eq!(sign["actor_id"], c.officer.0);
    }
    assert_eq!(now(&app, &b1).await["status"], "assigned");
    let (_, desk) = officer.get("/").await;
    assert_eq!(count(section(&desk, "sign")), 0);
    // Without a token nothing is signed.
    let b_officer = signed_in(&app, "officer_b").await;
    let r = b_officer.post("/desk/sign", &[("csrf", "wrong"), ("id", &b1["id"].to_string())]).await;
    assert_ne!(r.status(), StatusCode::OK);
    assert_eq!(now(&app, &b1).await["status"], "assigned");
    let _ = c.officer_b;
    // The API: the office (the test's caller) signs nothing; each refusal says why.
    let r = app.post("/api/v1/tasks/sign", json!({"ids": [b1["id"], 999999]})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["signed"], json!([]));
    let codes: Vec<&str> = r.json["refused"].as_array().unwrap().iter().map(|x| x["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["forbidden", "not_found"]);
    let r = app.post("/api/v1/tasks/sign", json!({"ids": []})).await;
    assert_eq!((r.status, code(&r)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"));
}

#[tokio::test]
async fn the_leaders_cockpit_covers_the_units_in_their_charge_only() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let mk = |title: &str, unit: i64| json!({"title": title, "lead": [{"unit": unit}], "deadline": "2026-06-30"});
    // Received Monday 03-02: signing is due Thursday 03-05.
    let late = app.task(mk("甲局未签收任务", c.unit_a)).await;
    let prompt = app.task(mk("甲局按时签收任务", c.unit_a)).await;
    let asks = app.task(mk("甲局申请延期任务", c.unit_a)).await;
    app.task(mk("乙局未签收任务", c.unit_b)).await;
    act(&app, &prompt, c.officer, json!({"action": "sign"})).await;
    act(&app, &asks, c.officer, json!({"action": "sign"})).await;
    act(
        &app,
        &asks,
        c.officer,
        json!({"action": "request_extension", "text": "客观原因", "new_deadline": "2026-09-30"}),
    )
    .await;
    supervise(&app, &late, c.office).await;
    app.clock.set(bj("2026-03-10T10:00"));
    let leader = signed_in(&app, "leader").await;
    let (status, desk) = leader.get("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(desk.contains("领导驾驶舱"));
    // Leaders do not sign.
    assert!(!desk.contains("id=\"q-sign\"") && !desk.contains("批量签收"));
    let cockpit = &desk[desk.find("id=\"cockpit\"").unwrap()..];
    let table = &cockpit[..cockpit.find("</table>").unwrap()];
    assert!(table.contains("旗行政审批和政务服务局"));
    assert!(!table.contains("旗自然资源局"), "only the units in their charge: {table}");
    // Three tasks; the unsigned one is red; signing on time 2 of 3.
    let row = &table[table.find("旗行政审批和政务服务局").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("<td data-label=\"任务\">3</td>"), "{row}");
    assert!(row.contains("<span class=\"light red\">1</span>"), "{row}");
    assert!(row.contains("66.7%（2/3）"), "{row}");
    let worst = section(&desk, "worst");
    assert_eq!(count(worst), 1);
    assert!(worst.contains("甲局未签收任务") && !worst.contains("乙局"));
    assert!(worst.contains("签收 2026-03-05"), "the stage overdue and its date: {worst}");
    let ext = section(&desk, "extensions");
    assert_eq!(count(ext), 1);
    assert!(ext.contains("甲局申请延期任务") && ext.contains(&format!("href=\"/tasks/{}\"", asks["id"])));
    let unanswered = section(&desk, "unanswered");
    assert_eq!(count(unanswered), 1);
    assert!(unanswered.contains("甲局未签收任务"));
    // From the link, the leader decides on the extension.
    let csrf = leader.csrf().await;
    let version = now(&app, &asks).await["version"].as_i64().unwrap().to_string();
    let r = leader
        .post(
            &format!("/tasks/{}/act", asks["id"]),
            &[("csrf", &csrf), ("action", "approve_extension"), ("version", &version), ("new_deadline", "2026-09-30")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, desk) = leader.get("/").await;
    assert_eq!(count(section(&desk, "extensions")), 0);
}

#[tokio::test]
async fn due_this_week_names_the_stage_that_falls_due_and_its_date() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    // Monday 03-02: signing (3 working days) is due Thursday 03-05; the deadline is months away.
    let t =
        app.task(json!({"title": "本周要签收的任务", "lead": [{"unit": c.unit_a}], "deadline": "2026-06-30"})).await;
    let officer = signed_in(&app, "officer_a").await;
    let (_, desk) = officer.get("/").await;
    let week = section(&desk, "week");
    assert_eq!(count(week), 1);
    assert!(week.contains("本周要签收的任务"));
    assert!(week.contains("<span class=\"due\">签收 2026-03-05</span>"), "{week}");
    assert!(!week.contains("2026-06-30"));
    // Signed, the next stage falls due later than this week: the list is empty.
    act(&app, &t, c.officer, json!({"action": "sign"})).await;
    let (_, desk) = officer.get("/").await;
    let week = section(&desk, "week");
    assert!(!week.contains("本周要签收的任务"), "{week}");
    let _ = (c.head, c.unit_b);
}
