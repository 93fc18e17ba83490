//! Decomposition (issue 12 §1, §2): the lead unit splits a task into parts for its sections and
//! its cooperating units, the parent's progress comes from its children and it cannot be closed
//! while one is open; a cooperating unit reports its own part; a dispute shows each party's
//! position and is ruled with a unit picked by name or alias.

use crate::helpers::*;
use crate::web::{Browser, hidden, person};
use duban_domain::ids::PersonId;
use reqwest::StatusCode;
use serde_json::{Value, json};

struct Cast {
    unit_a: i64,
    unit_b: i64,
    unit_c: i64,
    officer_a: PersonId,
    wang: PersonId,
    officer_b: PersonId,
    officer_c: PersonId,
}

async fn cast(app: &TestApp) -> Cast {
    let unit_a = app.unit("旗行政审批和政务服务局").await;
    let r = app.post("/api/v1/units", json!({"name": "旗市场监督管理局", "aliases": ["市场监管局"]})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let unit_b = r.json["id"].as_i64().unwrap();
    let unit_c = app.unit("旗自然资源局").await;
    person(app, "office", None, json!(["office"])).await;
    Cast {
        unit_a,
        unit_b,
        unit_c,
        officer_a: person(app, "officer_a", Some(unit_a), json!(["officer"])).await,
        wang: {
            let r = app
                .post(
                    "/api/v1/people",
                    json!({"name": "王科长", "username": "wang", "unit_id": unit_a, "roles": ["officer"]}),
                )
                .await;
            PersonId(r.json["id"].as_i64().unwrap())
        },
        officer_b: person(app, "officer_b", Some(unit_b), json!(["officer"])).await,
        officer_c: person(app, "officer_c", Some(unit_c), json!(["officer"])).await,
    }
}

async fn task(app: &TestApp, c: &Cast) -> Value {
    app.task(json!({
        "title": "推进企业开办一网通办", "number": "3.", "lead": [{"unit": c.unit_a}],
        "cooperating": [{"unit": c.unit_b}], "deadline": "2026-06-30"
    }))
    .await
}

async fn act(app: &TestApp, id: &Value, actor: PersonId, body: Value) -> Reply {
    let t = app.get(&format!("/api/v1/tasks/{id}")).await.json;
    let mut body = body;
    body["version"] = t["version"].clone();
    body["actor"] = json!(actor.0);
    app.post(&format!("/api/v1/tasks/{id}/actions"), body).await
}

async fn split(app: &TestApp, id: &Value, actor: PersonId, parts: Value) -> Reply {
    let t = app.get(&format!("/api/v1/tasks/{id}")).await.json;
    app.post(&format!("/api/v1/tasks/{id}/split"), json!({"actor": actor.0, "version": t["version"], "parts": parts}))
        .await
}

fn kinds(events: &Value) -> Vec<&str> {
    events.as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect()
}

/// Takes a subtask round to 办结: sign, feedback with evidence, approval by the office.
async fn close(app: &TestApp, id: &Value, officer: PersonId) {
    act(app, id, officer, json!({"action": "sign"})).await;
    act(app, id, officer, json!({"action": "report", "text": "按计划推进"})).await;
    let t = app.get(&format!("/api/v1/tasks/{id}")).await.json;
    let file = app.attach(&t, "完成情况.pdf", b"%PDF-1.4 done").await;
    let r = act(app, id, officer, json!({"action": "feedback", "text": "已完成", "evidence": [file]})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let r = act(app, id, PersonId(1), json!({"action": "approve"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
}

#[tokio::test]
async fn the_lead_unit_splits_a_task_into_parts_and_the_parent_follows_its_children() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let t = task(&app, &c).await;
    let id = t["id"].clone();
    act(&app, &id, c.officer_a, json!({"action": "sign"})).await;
    let section = json!({"title": "梳理企业开办审批事项", "unit": c.unit_a, "section": "审批服务科",
        "responsible": c.wang.0, "deadline": "2026-05-31"});
    let coop = json!({"title": "营业执照与印章刻制数据共享", "unit": c.unit_b});
    // Refusals: a deadline past the parent's, a unit that is neither the lead nor cooperating,
    // a responsible person of another unit, a cooperating unit splitting, nothing to split.
    let late = json!([{"title": "x", "unit": c.unit_a, "deadline": "2026-07-01"}]);
    let r = split(&app, &id, c.officer_a, late).await;
    assert_eq!((r.status, r.json["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("deadline")));
    assert!(r.json["error"]["message"].as_str().unwrap().contains("第 1 项"), "{}", r.json);
    let r = split(&app, &id, c.officer_a, json!([section.clone(), {"title": "x", "unit": c.unit_c}])).await;
    assert_eq!((r.status, r.json["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("unit")));
    let r = split(&app, &id, c.officer_a, json!([{"title": "x", "unit": c.unit_b, "responsible": c.wang.0}])).await;
    assert_eq!(r.json["error"]["field"], "responsible");
    assert_eq!(split(&app, &id, c.officer_b, json!([coop.clone()])).await.status, StatusCode::FORBIDDEN);
    assert_eq!(split(&app, &id, c.officer_a, json!([])).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Nothing was written by the refusals, nor by a split at a version since changed.
    let r = app
        .post(
            &format!("/api/v1/tasks/{id}/split"),
            json!({"actor": c.officer_a.0, "version": t["version"], "parts": [coop.clone()]}),
        )
        .await;
    assert_eq!((r.status, code(&r)), (StatusCode::CONFLICT, "version_conflict"));
    assert_eq!(kinds(&app.get(&format!("/api/v1/tasks/{id}/events")).await.json), ["created", "sign"]);

    let r = split(&app, &id, c.officer_a, json!([section, coop])).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let kids = r.json.as_array().unwrap().clone();
    assert_eq!(kids.len(), 2);
    assert_eq!((kids[0]["number"].as_str(), kids[0]["section"].as_str()), (Some("3-1"), Some("审批服务科")));
    assert_eq!(
        (kids[0]["responsible_person_id"].as_i64(), kids[0]["deadline"].as_str()),
        (Some(c.wang.0), Some("2026-05-31"))
    );
    assert_eq!(kids[1]["lead"], json!([{"unit": c.unit_b}]));
    assert_eq!((kids[1]["parent_id"].clone(), kids[1]["deadline"].as_str()), (id.clone(), Some("2026-06-30")));
    // Each creation is in the parent's trail and the child's.
    let events = app.get(&format!("/api/v1/tasks/{id}/events")).await.json;
    assert_eq!(kinds(&events), ["created", "sign", "split"]);
    assert_eq!(events[2]["actor_id"], c.officer_a.0);
    assert_eq!(events[2]["data"]["parts"], json!(["3-1", "3-2"]));
    assert!(events[2]["data"]["text"].as_str().unwrap().contains("营业执照与印章刻制数据共享"));
    let child_events = app.get(&format!("/api/v1/tasks/{}/events", kids[1]["id"])).await.json;
    assert_eq!(
        (child_events[0]["kind"].as_str(), child_events[0]["data"]["parent_id"].clone()),
        (Some("created"), id.clone())
    );

    let dec = app.get(&format!("/api/v1/tasks/{id}/decomposition")).await.json;
    assert_eq!((dec["summary"].as_str(), dec["percent"].as_u64()), (Some("0/2 子任务已办结"), Some(0)));
    // The parent cannot give its feedback, nor be approved, while a part is open.
    act(&app, &id, c.officer_a, json!({"action": "report", "text": "已分解落实"})).await;
    let file = app.attach(&app.get(&format!("/api/v1/tasks/{id}")).await.json, "汇总.pdf", b"%PDF-1.4 x").await;
    let r = act(&app, &id, c.officer_a, json!({"action": "feedback", "text": "完成", "evidence": [file]})).await;
    assert_eq!((r.status, code(&r)), (StatusCode::CONFLICT, "conflict"));
    assert!(r.json["error"]["message"].as_str().unwrap().contains("子任务"));

    // The cooperating unit's part reports progress; the section's part is closed.
    act(&app, &kids[1]["id"], c.officer_b, json!({"action": "sign"})).await;
    let r = act(&app, &kids[1]["id"], c.officer_b, json!({"action": "report", "text": "已完成数据比对"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    close(&app, &kids[0]["id"], c.wang).await;
    let dec = app.get(&format!("/api/v1/tasks/{id}/decomposition")).await.json;
    assert_eq!((dec["summary"].as_str(), dec["percent"].as_u64()), (Some("1/2 子任务已办结"), Some(50)));
    assert_eq!(dec["parts"][1]["progress"], "已完成数据比对");
    assert_eq!(dec["parts"][0]["state"], "已销号");
    // The lead unit's officer sees the progress on the parent's page.
    let mut b = Browser::new(&app);
    b.sign_in("officer_a", "pw-a_reciffo-2026").await;
    let (status, page) = b.get(&format!("/tasks/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("1/2 子任务已办结") && page.contains("已完成数据比对") && page.contains("审批服务科"),
        "{page}"
    );
    // The last part closes the parent.
    close(&app, &kids[1]["id"], c.officer_b).await;
    let p = app.get(&format!("/api/v1/tasks/{id}")).await.json;
    assert_eq!(p["status"], "closed");
    assert_eq!(app.get(&format!("/api/v1/tasks/{id}/decomposition")).await.json["percent"], 100);
}

#[tokio::test]
async fn the_split_form_keeps_what_was_typed_and_a_section_part_needs_a_person_of_the_unit() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let t = task(&app, &c).await;
    let id = t["id"].clone();
    let mut b = Browser::new(&app);
    b.sign_in("officer_a", "pw-a_reciffo-2026").await;
    let (_, page) = b.get(&format!("/tasks/{id}")).await;
    assert!(page.contains("分解交办") && page.contains("<option value=\"市场监管局\">"), "{page}");
    let csrf = hidden(&page, "csrf");
    let version = t["version"].to_string();
    let form = |person: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("version", version.clone()),
            ("title", "梳理审批事项".to_string()),
            ("unit", "旗行政审批和政务服务局".to_string()),
            ("section", "审批服务科".to_string()),
            ("person", person.to_string()),
            ("deadline", "2026-05-31".to_string()),
            ("title", "数据共享".to_string()),
            ("unit", "市场监管局".to_string()),
            ("section", String::new()),
            ("person", String::new()),
            ("deadline", String::new()),
        ]
    };
    let as_refs = |f: &Vec<(&'static str, String)>| f.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
    let path = format!("/tasks/{id}/split");
    let r = b
        .client
        .post(format!("{}{path}", b.base))
        .header("cookie", &b.cookie)
        .form(&as_refs(&form("李四")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("第 1 行") && page.contains("李四") && page.contains("数据共享"), "{page}");
    let r = b
        .client
        .post(format!("{}{path}", b.base))
        .header("cookie", &b.cookie)
        .form(&as_refs(&form("王科长")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let (_, page) = b.get(&location).await;
    assert!(page.contains("已分解为 2 项子任务") && page.contains("0/2 子任务已办结"), "{page}");
    let dec = app.get(&format!("/api/v1/tasks/{id}/decomposition")).await.json;
    assert_eq!(dec["parts"][0]["responsible_person_id"], c.wang.0);
    assert_eq!(dec["parts"][1]["lead"], json!([{"unit": c.unit_b}]));
}

#[tokio::test]
async fn a_cooperating_unit_reports_its_part_and_the_lead_unit_sees_it() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let t = task(&app, &c).await;
    let id = t["id"].clone();
    let avail = app.get(&format!("/api/v1/tasks/{id}/actions?actor={}", c.officer_b.0)).await.json;
    assert_eq!(avail, json!([{"action": "report_part", "label": "报送配合情况"}]));
    let r = act(&app, &id, c.officer_b, json!({"action": "report_part", "text": ""})).await;
    assert_eq!(r.json["error"]["field"], "text");
    let r = act(&app, &id, c.officer_b, json!({"action": "report_part", "text": "已完成执照数据推送接口"})).await;
    assert_eq!((r.status, r.json["status"].as_str()), (StatusCode::OK, Some("assigned")));
    // Not the lead unit's action, nor an outsider's.
    assert_eq!(
        act(&app, &id, c.officer_a, json!({"action": "report_part", "text": "x"})).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        act(&app, &id, c.officer_c, json!({"action": "report_part", "text": "x"})).await.status,
        StatusCode::FORBIDDEN
    );
    let events = app.get(&format!("/api/v1/tasks/{id}/events")).await.json;
    assert_eq!(kinds(&events), ["created", "report_part"]);
    assert_eq!(
        (events[1]["data"]["unit"].as_i64(), events[1]["actor_id"].as_i64()),
        (Some(c.unit_b), Some(c.officer_b.0))
    );
    // The lead unit's officer is told in the inbox; the cooperating and other units are not.
    let told = |p: PersonId| {
        let store = app.store.clone();
        async move {
            let inbox = store.list_messages(Some(p), 10).await.unwrap();
            inbox
                .iter()
                .filter(|m| m.message.kind == "part_report")
                .map(|m| m.message.subject.clone())
                .collect::<Vec<_>>()
        }
    };
    let lead_told = told(c.officer_a).await;
    assert_eq!(lead_told.len(), 1, "{lead_told:?}");
    assert!(lead_told[0].ends_with("配合单位已报送配合情况"), "{lead_told:?}");
    assert!(told(c.officer_b).await.is_empty() && told(c.officer_c).await.is_empty());
    let dec = app.get(&format!("/api/v1/tasks/{id}/decomposition")).await.json;
    assert_eq!(dec["reports"][0]["unit"], c.unit_b);
    assert_eq!(dec["reports"][0]["text"], "已完成执照数据推送接口");
    // The lead unit sees it on the task page, per cooperating unit.
    let mut b = Browser::new(&app);
    b.sign_in("officer_a", "pw-a_reciffo-2026").await;
    let (_, page) = b.get(&format!("/tasks/{id}")).await;
    assert!(
        page.contains("配合单位报送情况")
            && page.contains("旗市场监督管理局")
            && page.contains("已完成执照数据推送接口")
    );
    // The cooperating unit's officer has the action on the page.
    let mut b = Browser::new(&app);
    b.sign_in("officer_b", "pw-b_reciffo-2026").await;
    let (_, page) = b.get(&format!("/tasks/{id}")).await;
    assert!(page.contains("报送配合情况") && page.contains("本单位承担部分的办理情况"), "{page}");
}

#[tokio::test]
async fn a_dispute_shows_each_partys_position_and_is_ruled_with_a_picked_unit() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let t = task(&app, &c).await;
    let id = t["id"].clone();
    let r = act(
        &app,
        &id,
        c.officer_a,
        json!({"action": "raise_dispute", "text": "执照发放属市场监管职能，应由市场监管局牵头"}),
    )
    .await;
    assert_eq!(r.json["status"], "disputed");
    let r =
        act(&app, &id, c.officer_b, json!({"action": "state_position", "text": "本局仅负责登记环节，应由审批局牵头"}))
            .await;
    assert_eq!((r.status, r.json["status"].as_str()), (StatusCode::OK, Some("disputed")));
    assert_eq!(
        act(&app, &id, c.officer_c, json!({"action": "state_position", "text": "x"})).await.status,
        StatusCode::FORBIDDEN
    );
    let dec = app.get(&format!("/api/v1/tasks/{id}/decomposition")).await.json;
    let pos = dec["positions"].as_array().unwrap();
    assert_eq!(pos.len(), 2);
    assert_eq!((pos[0]["kind"].as_str(), pos[0]["unit"].as_i64()), (Some("raise_dispute"), Some(c.unit_a)));
    assert_eq!((pos[1]["kind"].as_str(), pos[1]["unit"].as_i64()), (Some("state_position"), Some(c.unit_b)));

    let mut b = Browser::new(&app);
    b.sign_in("office", "pw-eciffo-2026").await;
    let (_, page) = b.get(&format!("/tasks/{id}")).await;
    assert!(
        page.contains("争议各方意见") && page.contains("应由市场监管局牵头") && page.contains("应由审批局牵头"),
        "{page}"
    );
    assert!(
        page.contains("提请裁定方")
            && page.contains("list=\"rule-units\"")
            && page.contains("<option value=\"市场监管局\">")
    );
    // No select of every unit: the picker is a searchable text field.
    assert!(!page.contains("<select name=\"lead\""));
    let csrf = hidden(&page, "csrf");
    let version = app.get(&format!("/api/v1/tasks/{id}")).await.json["version"].to_string();
    let path = format!("/tasks/{id}/rule");
    // Without a unit, or with one that does not exist, the ruling is explained and kept.
    let r =
        b.post(&path, &[("csrf", &csrf), ("version", &version), ("text", "由市场监管局牵头办理"), ("lead", "")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("裁定须指明牵头单位") && page.contains("由市场监管局牵头办理"), "{page}");
    let r = b
        .post(&path, &[("csrf", &csrf), ("version", &version), ("text", "由市场监管局牵头办理"), ("lead", "不存在局")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("没有名为“不存在局”的单位"));
    // Picked by its alias, with the former lead as cooperating unit.
    let form = [
        ("csrf", csrf.as_str()),
        ("version", version.as_str()),
        ("text", "由市场监管局牵头办理"),
        ("lead", "市场监管局"),
        ("cooperating", "旗行政审批和政务服务局"),
    ];
    let r = b.post(&path, &form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let t = app.get(&format!("/api/v1/tasks/{id}")).await.json;
    assert_eq!((t["status"].as_str(), t["lead"].clone()), (Some("assigned"), json!([{"unit": c.unit_b}])));
    assert_eq!(t["cooperating"], json!([{"unit": c.unit_a}]));
    let events = app.get(&format!("/api/v1/tasks/{id}/events")).await.json;
    assert_eq!(kinds(&events), ["created", "raise_dispute", "state_position", "rule"]);
    // The new lead unit signs it.
    let avail = app.get(&format!("/api/v1/tasks/{id}/actions?actor={}", c.officer_b.0)).await.json;
    assert_eq!(avail[0]["action"], "sign");
}

#[tokio::test]
async fn a_person_who_sees_a_part_but_not_its_parent_sees_only_the_part() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let t = task(&app, &c).await;
    let id = t["id"].clone();
    // The office passes a part to a unit not on the parent.
    let r = split(
        &app,
        &id,
        PersonId(1),
        json!([{"title": "林地占用核查", "unit": c.unit_c, "responsible": c.officer_c.0}]),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let part = r.json[0]["id"].clone();
    let mut b = Browser::new(&app);
    b.sign_in("officer_c", "pw-c_reciffo-2026").await;
    assert_eq!(b.get(&format!("/tasks/{id}")).await.0, StatusCode::NOT_FOUND);
    let (status, page) = b.get(&format!("/tasks/{part}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("林地占用核查") && !page.contains("推进企业开办一网通办") && !page.contains("上级任务"),
        "{page}"
    );
    // The lead unit follows the part on the parent without opening the part itself.
    let mut b = Browser::new(&app);
    b.sign_in("officer_a", "pw-a_reciffo-2026").await;
    let (_, page) = b.get(&format!("/tasks/{id}")).await;
    assert!(page.contains("林地占用核查") && !page.contains(&format!("href=\"/tasks/{part}\"")), "{page}");
    assert_eq!(b.get(&format!("/tasks/{part}")).await.0, StatusCode::NOT_FOUND);
    // The office sees both, and the parent on the part's page.
    let dec = app.get(&format!("/api/v1/tasks/{part}/decomposition")).await.json;
    assert_eq!(dec["parent"]["id"], id);
}
