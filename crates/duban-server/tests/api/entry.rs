//! Getting work in and keeping the ledger right (issue 12 §1): the entry form for each source,
//! a meeting's several items in one ledger, groups expanded and aliases resolved, suggested
//! lead units without JavaScript, refusals that keep the input; edits on the task page and
//! through the API with their reason and the values before and after in the trail, 改派 as its
//! own event, 撤销 with a reason and a confirmation; none of it for an officer.

use crate::helpers::*;
use crate::web::{Browser, hidden, person};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A source, its own fields, and the section line it gives its tasks.
type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str);

struct World {
    jia: i64,
    yi: i64,
    bing: i64,
    leader: i64,
}

/// Three units (旗甲局 with the alias 甲局, 旗乙局, 旗丙局), the group 旗直有关部门 of 甲 and 乙,
/// the office, a leader, an officer of each of 甲 and 乙.
async fn world(app: &TestApp) -> World {
    let dir = duban_domain::org::UnitDirectory::from_toml(
        r#"title = "测试名录"
[[unit]]
name = "旗甲局"
kind = "department"
aliases = ["甲局"]
[[unit]]
name = "旗乙局"
kind = "department"
[[unit]]
name = "旗丙税务局"
kind = "department"
[[group]]
name = "旗直有关部门"
members = ["旗甲局", "旗乙局"]
"#,
    )
    .unwrap();
    app.store.import_directory(&dir, duban_domain::clock::Clock::now(&*app.clock)).await.unwrap();
    let units = app.get("/api/v1/units").await.json;
    let id = |n: &str| units.as_array().unwrap().iter().find(|u| u["name"] == n).unwrap()["id"].as_i64().unwrap();
    let (jia, yi, bing) = (id("旗甲局"), id("旗乙局"), id("旗丙税务局"));
    person(app, "office", None, json!(["office"])).await;
    let leader = person(app, "leader", None, json!(["leader"])).await.0;
    person(app, "wang", Some(jia), json!(["officer"])).await;
    person(app, "zhao", Some(yi), json!(["officer"])).await;
    World { jia, yi, bing, leader }
}

async fn office(app: &TestApp) -> (Browser, String) {
    let mut b = Browser::new(app);
    b.sign_in("office", "pw-eciffo-2026").await;
    let csrf = b.csrf().await;
    (b, csrf)
}

/// The form's fields for one item, with the source's own fields and the CSRF token.
fn form<'a>(
    csrf: &'a str,
    source: &'a str,
    extra: &[(&'a str, &'a str)],
    item: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("csrf", csrf),
        ("source", source),
        ("items", "1"),
        ("classification", "internal"),
        ("priority", "routine"),
    ];
    f.extend_from_slice(extra);
    f.extend_from_slice(item);
    f
}

fn location(r: &reqwest::Response) -> String {
    r.headers().get("location").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
}

async fn task(app: &TestApp, id: i64) -> Value {
    app.get(&format!("/api/v1/tasks/{id}")).await.json
}

async fn events(app: &TestApp, id: i64) -> Vec<Value> {
    app.get(&format!("/api/v1/tasks/{id}/events")).await.json.as_array().unwrap().clone()
}

/// The id a redirect to a task page names.
fn task_id(loc: &str) -> i64 {
    loc.trim_start_matches("/tasks/").split('?').next().unwrap().parse().unwrap_or_else(|_| panic!("{loc}"))
}

#[tokio::test]
async fn each_source_makes_a_task_with_where_it_comes_from() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let (b, csrf) = office(&app).await;
    let leader = w.leader.to_string();
    let cases: Vec<Case> = vec![
        (
            "instruction",
            vec![("origin_leader", "张旗长"), ("origin_date", "2026-03-01"), ("origin_text", "请抓紧研究落实")],
            "张旗长2026-03-01批示",
        ),
        ("research", vec![("origin_leader", "李副旗长"), ("origin_text", "工业园区")], "李副旗长调研工业园区"),
        (
            "upper_level",
            vec![("origin_name", "市政府督办件"), ("doc_number", "通政督〔2026〕1号")],
            "市政府督办件（通政督〔2026〕1号）",
        ),
        ("document", vec![("origin_name", "优化营商环境实施方案")], "优化营商环境实施方案"),
        ("rectification", vec![("origin_name", "旗委第一轮巡察")], "旗委第一轮巡察"),
    ];
    for (source, extra, section) in cases {
        let title = format!("来自{source}的任务");
        let item = [
            ("title.0", title.as_str()),
            ("text.0", "按要求办理"),
            ("lead.0", "甲局"),
            ("cooperating.0", "旗乙局"),
            ("leader.0", leader.as_str()),
            ("responsible.0", "wang（旗甲局）"),
            ("deadline.0", "2026-06-30"),
        ];
        let r = b.post("/tasks/new", &form(&csrf, source, &extra, &item)).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{source}: {}", r.text().await.unwrap());
        let loc = location(&r);
        assert!(loc.ends_with("?done=created"), "{loc}");
        let (status, page) = b.get(&loc).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("已新建任务"), "the task page says so: {page}");
        let t = task(&app, task_id(&loc)).await;
        assert_eq!(t["title"], title);
        assert_eq!(t["source"], source);
        assert_eq!(t["section"], section, "{t}");
        assert_eq!(t["lead"], json!([{"unit": w.jia}]), "an alias is resolved");
        assert_eq!(t["cooperating"], json!([{"unit": w.yi}]));
        assert_eq!(t["leader_id"], w.leader);
        assert_eq!(t["deadline"], "2026-06-30");
        assert_eq!(t["classification"], "internal");
        if source == "instruction" {
            assert_eq!(t["text"], "批示内容：请抓紧研究落实\n按要求办理");
        }
    }
    // "按规则": no deadline, the rules' time limit.
    let item = [("title.0", "按规则的任务"), ("lead.0", "旗甲局"), ("by_rule.0", "on")];
    let r = b.post("/tasks/new", &form(&csrf, "document", &[("origin_name", "文件")], &item)).await;
    let t = task(&app, task_id(&location(&r))).await;
    assert_eq!(t["deadline"], Value::Null);
    assert!(t["due"].is_string() || t["stages"].is_array(), "the rules give it a time limit: {t}");
}

#[tokio::test]
async fn a_meeting_with_three_items_makes_three_tasks_in_one_ledger_for_the_meeting() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let (b, csrf) = office(&app).await;
    // The blank form for a meeting has three rows.
    let (status, page) = b.get("/tasks/new?source=meeting").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("会议名称") && page.contains("第 3 项"), "{page}");
    let f = vec![
        ("csrf", csrf.as_str()),
        ("source", "meeting"),
        ("items", "4"),
        ("origin_name", "旗政府第12次常务会议"),
        ("origin_date", "2026-03-01"),
        ("classification", "internal"),
        ("title.0", "议定事项一"),
        ("lead.0", "旗甲局"),
        ("deadline.0", "2026-04-30"),
        ("title.1", "议定事项二"),
        ("lead.1", "旗乙局"),
        ("by_rule.1", "on"),
        ("title.2", "议定事项三"),
        ("lead.2", "旗丙税务局"),
        ("deadline.2", "2026-05-31"),
        // A blank row is left out.
        ("title.3", ""),
        ("by_rule.3", "on"),
    ];
    let r = b.post("/tasks/new", &f).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let loc = location(&r);
    assert!(loc.starts_with("/tasks/new?source=meeting&made="), "{loc}");
    let (_, page) = b.get(&loc).await;
    assert!(page.contains("已新建 3 项任务"), "{page}");
    for t in ["议定事项一", "议定事项二", "议定事项三"] {
        assert!(page.contains(t), "links to the new tasks: {page}");
    }
    let ledgers = app.get("/api/v1/ledgers").await.json;
    let ledger = ledgers.as_array().unwrap().iter().find(|l| l["name"] == "旗政府第12次常务会议").unwrap();
    assert_eq!(ledger["source"], "meeting");
    assert_eq!(ledger["issued"], "2026-03-01");
    let list = app.get(&format!("/api/v1/tasks?ledger={}", ledger["id"])).await.json;
    assert_eq!(list["total"], 3, "{list}");
    let leads: Vec<Value> = list["items"].as_array().unwrap().iter().map(|t| t["lead"].clone()).collect();
    for u in [w.jia, w.yi, w.bing] {
        assert!(leads.contains(&json!([{"unit": u}])), "{leads:?}");
    }
    for t in list["items"].as_array().unwrap() {
        assert_eq!(t["source"], "meeting");
        assert_eq!(t["section"], "旗政府第12次常务会议（2026-03-01）议定事项");
    }
    // One bad item refuses all of them, naming the item; nothing is written.
    let mut bad = f.clone();
    bad[6] = ("title.0", "另一会议事项");
    bad[9] = ("title.1", "");
    bad[10] = ("lead.1", "不存在的局");
    let r = b.post("/tasks/new", &bad).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("第 2 项") && page.contains("不存在的局"), "{page}");
    assert_eq!(app.get("/api/v1/tasks?q=另一会议事项").await.json["total"], 0);
    assert_eq!(app.get("/api/v1/ledgers").await.json.as_array().unwrap().len(), ledgers.as_array().unwrap().len());
}

#[tokio::test]
async fn a_group_is_offered_and_expanded_to_its_units_on_save() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let (b, csrf) = office(&app).await;
    let (_, page) = b.get("/tasks/new?source=document").await;
    assert!(page.contains(r#"<option value="旗直有关部门">"#), "the group is offered: {page}");
    assert!(page.contains(r#"<option value="甲局">旗甲局</option>"#), "an alias is offered: {page}");
    let item =
        [("title.0", "各部门落实"), ("lead.0", "旗丙税务局"), ("cooperating.0", "旗直有关部门"), ("by_rule.0", "on")];
    let r = b.post("/tasks/new", &form(&csrf, "document", &[("origin_name", "文件")], &item)).await;
    let t = task(&app, task_id(&location(&r))).await;
    assert_eq!(t["cooperating"], json!([{"unit": w.jia}, {"unit": w.yi}]), "expanded, never stored as the group");
    let item = [("title.0", "各部门牵头"), ("lead.0", "旗直有关部门"), ("by_rule.0", "on")];
    let r = b.post("/tasks/new", &form(&csrf, "document", &[("origin_name", "文件")], &item)).await;
    let t = task(&app, task_id(&location(&r))).await;
    assert_eq!(t["lead"], json!([{"unit": w.jia}, {"unit": w.yi}]));
}

#[tokio::test]
async fn suggested_lead_units_come_as_the_officer_types_and_without_javascript() {
    let app = spawn_app().await;
    let w = world(&app).await;
    // The ledger teaches the suggester: tasks on 税收 go to the 税务局.
    for i in 0..4 {
        app.task(json!({"title": format!("加强税收征管第{i}项"), "lead": [{"unit": w.bing}]})).await;
    }
    let s = app.get(&format!("/api/v1/suggest?text={}", "税收征管工作")).await.json;
    assert_eq!(s[0]["name"], "旗丙税务局", "{s}");
    assert!(s.as_array().unwrap().len() <= 3);
    let (b, csrf) = office(&app).await;
    // The server fallback: 推荐牵头单位 lists the suggestions, a suggestion's button takes it.
    let mut f =
        form(&csrf, "document", &[("origin_name", "文件")], &[("title.0", "税收征管工作"), ("by_rule.0", "on")]);
    f.push(("do", "suggest"));
    let r = b.post("/tasks/new", &f).await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains(r#"name="pick" value="0|旗丙税务局""#), "{page}");
    assert!(page.contains(r#"value="税收征管工作""#), "the title is kept: {page}");
    let mut f =
        form(&csrf, "document", &[("origin_name", "文件")], &[("title.0", "税收征管工作"), ("by_rule.0", "on")]);
    f.push(("pick", "0|旗丙税务局"));
    let page = b.post("/tasks/new", &f).await.text().await.unwrap();
    assert!(page.contains(r#"name="lead.0" value="旗丙税务局""#), "{page}");
    // 增加一项 adds a row and keeps the first.
    let mut f = form(&csrf, "document", &[("origin_name", "文件")], &[("title.0", "税收征管工作")]);
    f.push(("do", "add"));
    let page = b.post("/tasks/new", &f).await.text().await.unwrap();
    assert!(page.contains(r#"name="title.1""#) && page.contains(r#"value="税收征管工作""#), "{page}");
}

#[tokio::test]
async fn a_refusal_says_why_and_keeps_everything_typed() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let (b, csrf) = office(&app).await;
    let before = app.get("/api/v1/tasks").await.json["total"].clone();
    let leader = w.leader.to_string();
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![("title.0", "保留的标题"), ("lead.0", "不存在的局"), ("deadline.0", "2026-06-30")], "不在单位名录中"),
        (vec![("title.0", "保留的标题"), ("lead.0", "旗甲局")], "请填写完成时限，或选择“按规则”"),
        (
            vec![
                ("title.0", "保留的标题"),
                ("lead.0", "旗甲局"),
                ("deadline.0", "2026-06-30"),
                ("responsible.0", "zhao（旗乙局）"),
            ],
            "责任人须是牵头单位的人员",
        ),
        (vec![("title.0", ""), ("lead.0", "旗甲局"), ("by_rule.0", "on")], "任务名称不能为空"),
    ];
    for (item, why) in cases {
        let r = b
            .post(
                "/tasks/new",
                &form(&csrf, "instruction", &[("origin_leader", "张旗长"), ("origin_text", "保留的批示")], &item),
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = r.text().await.unwrap();
        assert!(page.contains(why), "{why}: {page}");
        assert!(
            page.contains("保留的批示") && page.contains(r#"value="张旗长""#),
            "the source's fields are kept: {page}"
        );
        if let Some((_, t)) = item.iter().find(|(k, _)| *k == "title.0").filter(|(_, t)| !t.is_empty()) {
            assert!(page.contains(&format!(r#"value="{t}""#)), "{page}");
        }
    }
    // 批示 without the leader who gave it.
    let r = b
        .post(
            "/tasks/new",
            &form(&csrf, "instruction", &[], &[("title.0", "x"), ("lead.0", "旗甲局"), ("by_rule.0", "on")]),
        )
        .await;
    assert!(r.text().await.unwrap().contains("请填写批示领导"));
    // 涉密 must name someone, or nobody could see it.
    let mut f = form(
        &csrf,
        "document",
        &[("origin_name", "文件")],
        &[("title.0", "涉密事项"), ("lead.0", "旗甲局"), ("by_rule.0", "on")],
    );
    f[3] = ("classification", "secret");
    let r = b.post("/tasks/new", &f).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("涉密任务只有被指定的分管领导和责任人能看到"));
    assert_eq!(app.get("/api/v1/tasks").await.json["total"], before, "nothing was written");
    // Named: made, and the office, not named, is sent to the list of what was made.
    f.push(("leader.0", leader.as_str()));
    let r = b.post("/tasks/new", &f).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).contains("made="), "{}", location(&r));
}

/// A task made through the API, and the office's page session.
async fn one_task(app: &TestApp, w: &World) -> (Value, Browser, String) {
    let t = app
        .task(json!({"title": "修改测试任务", "lead": [{"unit": w.jia}], "deadline": "2026-06-30", "classification": "内部"}))
        .await;
    let (b, csrf) = office(app).await;
    (t, b, csrf)
}

#[tokio::test]
async fn edits_from_the_task_page_need_a_reason_and_the_trail_keeps_before_and_after() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let (t, b, csrf) = one_task(&app, &w).await;
    let id = t["id"].as_i64().unwrap();
    let (_, page) = b.get(&format!("/tasks/{id}")).await;
    assert!(page.contains("修改与改派") && page.contains(&format!(r#"action="/tasks/{id}/edit""#)), "{page}");
    let version = hidden(&page[page.find("/edit\"").unwrap()..], "version");
    let leader = w.leader.to_string();
    let path = format!("/tasks/{id}/edit");
    // Without a reason: refused, the input kept.
    let r = b
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("deadline", "2026-07-31"),
                ("leader", &leader),
                ("responsible", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("请填写原因") && page.contains(r#"value="2026-07-31""#), "{page}");
    // Nothing changed: refused.
    let r = b
        .post(
            &path,
            &[("csrf", &csrf), ("version", &version), ("deadline", "2026-06-30"), ("leader", ""), ("reason", "无")],
        )
        .await;
    assert!(r.text().await.unwrap().contains("没有改动"));
    let r = b
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("deadline", "2026-07-31"),
                ("leader", &leader),
                ("responsible", "wang（旗甲局）"),
                ("reason", "工作量增加，经旗长同意延后"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), format!("/tasks/{id}?done=edit"));
    let now = task(&app, id).await;
    assert_eq!(now["deadline"], "2026-07-31");
    assert_eq!(now["leader_id"], w.leader);
    let e = events(&app, id).await.last().cloned().unwrap();
    assert_eq!(e["kind"], "updated");
    assert_eq!(e["data"]["reason"], "工作量增加，经旗长同意延后");
    assert_eq!(e["data"]["changes"]["deadline"], json!({"before": "2026-06-30", "after": "2026-07-31"}));
    assert_eq!(e["data"]["changes"]["leader_id"], json!({"before": null, "after": w.leader}));
    let (_, page) = b.get(&format!("/tasks/{id}?done=edit")).await;
    assert!(page.contains("已保存修改"), "{page}");
    assert!(page.contains("完成时限：2026-06-30 → 2026-07-31"), "{page}");
    assert!(page.contains("分管领导：无 → leader"), "{page}");
    assert!(page.contains("原因：工作量增加，经旗长同意延后"), "{page}");
    // Someone who is not a leader is not taken as 分管领导; a deactivated 责任人 stays named.
    let v2 = now["version"].as_i64().unwrap().to_string();
    let zhao = app
        .get("/api/v1/people")
        .await
        .json
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["username"] == "zhao")
        .unwrap()["id"]
        .to_string();
    let r = b
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("version", &v2),
                ("deadline", "2026-07-31"),
                ("leader", &zhao),
                ("responsible", "wang（旗甲局）"),
                ("reason", "换人"),
            ],
        )
        .await;
    assert!(r.text().await.unwrap().contains("请从列表中选择分管领导"));
    // A stale version is refused as such.
    let r =
        b.post(&path, &[("csrf", &csrf), ("version", &version), ("deadline", "2026-08-31"), ("reason", "再改")]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    // The API takes a reason in the PATCH body, and records it the same way.
    let v = now["version"].as_i64().unwrap();
    let r = app
        .patch(&format!("/api/v1/tasks/{id}"), v, json!({"deadline": "2026-09-30", "reason": "市里要求提前部署"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let e = events(&app, id).await.last().cloned().unwrap();
    assert_eq!(e["data"]["reason"], "市里要求提前部署");
    assert_eq!(e["data"]["changes"]["deadline"], json!({"before": "2026-07-31", "after": "2026-09-30"}));
}

#[tokio::test]
async fn reassigning_the_lead_unit_is_its_own_event_with_from_and_to() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let (t, b, csrf) = one_task(&app, &w).await;
    let id = t["id"].as_i64().unwrap();
    let v = t["version"].as_i64().unwrap().to_string();
    let path = format!("/tasks/{id}/reassign");
    let r = b.post(&path, &[("csrf", &csrf), ("version", &v), ("lead", "旗乙局"), ("reason", "")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains(r#"value="旗乙局""#), "the new unit is kept");
    let r = b
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("version", &v),
                ("lead", "旗乙局"),
                ("cooperating", "甲局"),
                ("reason", "职能调整，改由乙局牵头"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let now = task(&app, id).await;
    assert_eq!(now["lead"], json!([{"unit": w.yi}]));
    assert_eq!(now["cooperating"], json!([{"unit": w.jia}]));
    let e = events(&app, id).await.last().cloned().unwrap();
    assert_eq!(e["kind"], "reassigned");
    assert_eq!(e["data"]["from"], json!([{"unit": w.jia}]));
    assert_eq!(e["data"]["to"], json!([{"unit": w.yi}]));
    assert_eq!(e["data"]["reason"], "职能调整，改由乙局牵头");
    let (_, page) = b.get(&format!("/tasks/{id}?done=reassign")).await;
    assert!(page.contains("已改派牵头单位"), "{page}");
    assert!(page.contains("<strong>改派</strong>") && page.contains("牵头单位：旗甲局 → 旗乙局"), "{page}");
    // The same unit again is no 改派.
    let v = now["version"].as_i64().unwrap().to_string();
    let r = b.post(&path, &[("csrf", &csrf), ("version", &v), ("lead", "旗乙局"), ("reason", "再派")]).await;
    assert!(r.text().await.unwrap().contains("与原牵头单位相同"));
    // Through the API a change of lead is a 改派 too.
    let r = app
        .patch(&format!("/api/v1/tasks/{id}"), now["version"].as_i64().unwrap(), json!({"lead": [{"unit": w.bing}]}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(events(&app, id).await.last().unwrap()["kind"], "reassigned");
}

#[tokio::test]
async fn withdrawing_needs_a_reason_and_a_confirmation() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let (t, b, csrf) = one_task(&app, &w).await;
    let id = t["id"].as_i64().unwrap();
    let v = t["version"].as_i64().unwrap().to_string();
    let path = format!("/tasks/{id}/withdraw");
    let r = b.post(&path, &[("csrf", &csrf), ("version", &v), ("reason", "已由其他任务覆盖")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("确认撤销") && page.contains("已由其他任务覆盖"), "{page}");
    assert_eq!(task(&app, id).await["status"], "assigned");
    let r = b.post(&path, &[("csrf", &csrf), ("version", &v), ("reason", "已由其他任务覆盖"), ("confirm", "on")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(task(&app, id).await["status"], "cancelled");
    let e = events(&app, id).await.last().cloned().unwrap();
    assert_eq!(e["kind"], "cancelled");
    assert_eq!(e["data"]["reason"], "已由其他任务覆盖");
    let (_, page) = b.get(&format!("/tasks/{id}?done=withdraw")).await;
    assert!(page.contains("已撤销任务") && page.contains("原因：已由其他任务覆盖"), "{page}");
    assert!(!page.contains("修改与改派"), "a withdrawn task is not edited");
}

#[tokio::test]
async fn an_officer_may_neither_enter_nor_edit_tasks() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let (t, _, _) = one_task(&app, &w).await;
    let id = t["id"].as_i64().unwrap();
    let mut b = Browser::new(&app);
    b.sign_in("wang", "pw-gnaw-2026").await;
    let csrf = b.csrf().await;
    let (status, _) = b.get("/tasks/new").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, page) = b.get(&format!("/tasks/{id}")).await;
    assert!(!page.contains("修改与改派") && !page.contains("/withdraw"), "{page}");
    let item = [("title.0", "越权任务"), ("lead.0", "旗甲局"), ("by_rule.0", "on")];
    let r = b.post("/tasks/new", &form(&csrf, "document", &[("origin_name", "文件")], &item)).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    for (what, extra) in
        [("edit", ("deadline", "2026-12-31")), ("reassign", ("lead", "旗乙局")), ("withdraw", ("confirm", "on"))]
    {
        let r = b
            .post(&format!("/tasks/{id}/{what}"), &[("csrf", &csrf), ("version", "1"), ("reason", "越权"), extra])
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{what}");
    }
    let now = task(&app, id).await;
    assert_eq!(now["version"], t["version"], "nothing changed");
    assert_eq!(app.get("/api/v1/tasks?q=越权任务").await.json["total"], 0);
}
