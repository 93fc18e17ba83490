//! Issue 12 §5 over HTTP: plain wording (rates without due stages, imported years, clauses by
//! their document's name), the error page's header for a signed-in person, the calendar's years,
//! confirmations before deleting or deactivating, the users' unit picker, paging, and the public
//! pages (a public task's own page; feedback only once the office marks it publishable).

use crate::helpers::*;
use crate::web::{Browser, hidden, person, upload};
use duban_domain::ids::TaskId;
use duban_store::NewEvent;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn office(app: &TestApp) -> Browser {
    person(app, "office", None, json!(["office"])).await;
    let mut b = Browser::new(app);
    b.sign_in("office", "pw-eciffo-2026").await;
    b
}

async fn admin(app: &TestApp) -> (Browser, String) {
    person(app, "admin", None, json!(["admin"])).await;
    let mut b = Browser::new(app);
    b.sign_in("admin", "pw-nimda-2026").await;
    let csrf = b.csrf().await;
    (b, csrf)
}

fn task(title: &str, unit: i64, class: &str) -> Value {
    json!({"title": title, "text": format!("{title}的具体内容"), "lead": [{"unit": unit}], "classification": class})
}

async fn event(app: &TestApp, t: &Value, kind: &str, text: &str) {
    let e = NewEvent { at: bj("2026-03-02T10:00"), actor_id: None, kind: kind.into(), data: json!({ "text": text }) };
    app.store.append_event(TaskId(t["id"].as_i64().unwrap()), &e).await.unwrap();
}

#[tokio::test]
async fn rates_without_due_stages_and_imported_years_are_said_in_plain_words() {
    let app = spawn_app().await;
    let unit = app.unit("旗自然资源局").await;
    app.task(json!({"title": "远期任务", "lead": [{"unit": unit}], "deadline": "2026-12-31"})).await;
    let b = office(&app).await;
    let (status, stats) = b.get("/stats").await;
    assert_eq!(status, StatusCode::OK);
    assert!(stats.contains("本期无到期任务，不计比率") && !stats.contains("尚无应计"), "{stats}");
    let (b, csrf) = admin(&app).await;
    let file = br#"{"years": {"2027": {"off": ["2027-01-01"], "work": []}}}"#;
    let r = upload(&b, "/admin/calendar/import", Some(&csrf), "2027.json", "application/json", file).await;
    let page = r.text().await.unwrap();
    assert!(page.contains("已导入 2027 年的节假日数据") && !page.contains("[2027]"), "{page}");
}

#[tokio::test]
async fn an_error_page_shows_the_signed_in_persons_header() {
    let app = spawn_app().await;
    let b = office(&app).await;
    let (status, page) = b.get("/tasks/999999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("找不到页面"));
    assert!(page.contains("office（督查室）") && page.contains("退出"), "{page}");
    assert!(!page.contains("href=\"/login\""), "no 登录 link while signed in");
    let (status, page) = b.get("/no/such/page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("退出") && !page.contains("href=\"/login\""));
    // Without a session the same page offers to sign in.
    let (_, page) = Browser::new(&app).get("/no/such/page").await;
    assert!(page.contains("href=\"/login\"") && !page.contains("退出"));
}

#[tokio::test]
async fn a_stages_clause_is_cited_by_its_documents_name() {
    let app = spawn_app().await;
    let unit = app.unit("旗自然资源局").await;
    let t = app.task(task("依据任务", unit, "内部")).await;
    let b = office(&app).await;
    let (_, page) = b.get(&format!("/tasks/{}", t["id"])).await;
    assert!(page.contains("《X区政府系统效能提升年实施方案》三(一)2"), "{page}");
    assert!(!page.contains("002 三(一)2"));
    let (b, _) = admin(&app).await;
    let (_, rules) = b.get("/admin/rules").await;
    assert!(rules.contains("《X区政府系统效能提升年实施方案》三(一)3"));
}

#[tokio::test]
async fn the_calendar_page_offers_every_loaded_year_and_the_admin_page_is_well_formed() {
    let app = spawn_app().await;
    let (b, csrf) = admin(&app).await;
    let (_, page) = b.get("/admin/calendar").await;
    assert!(page.contains("2026 年节假日与调休上班日") && page.contains("2026-10-01"));
    assert!(page.contains("href=\"/admin/calendar?year=2026\""));
    let file = br#"{"years": {"2027": {"off": ["2027-01-01"], "work": ["2027-01-03"]}}}"#;
    upload(&b, "/admin/calendar/import", Some(&csrf), "2027.json", "application/json", file).await;
    let (_, page) = b.get("/admin/calendar").await;
    assert!(page.contains("href=\"/admin/calendar?year=2027\""), "the imported year is offered");
    let (_, page) = b.get("/admin/calendar?year=2027").await;
    assert!(page.contains("2027 年节假日与调休上班日") && page.contains("2027-01-01") && page.contains("2027-01-03"));
    assert!(!page.contains("2026-10-01"));
    // A year without data falls back to this year.
    let (_, page) = b.get("/admin/calendar?year=1999").await;
    assert!(page.contains("2026 年节假日与调休上班日"));
    // The section links hold nothing but their names (the rules page is no longer inside one).
    let (_, page) = b.get("/admin/rules").await;
    let nav = &page[page.find("aria-label=\"管理\"").unwrap()..];
    let nav = &nav[..nav.find("</nav>").unwrap()];
    assert!(!nav.contains("<table") && !nav.contains("<form") && nav.contains(">规则</a>"), "{nav}");
    assert_eq!(page.matches("现行规则：").count(), 1);
}

#[tokio::test]
async fn deleting_a_unit_or_deactivating_a_user_needs_the_confirmation() {
    let app = spawn_app().await;
    let (b, csrf) = admin(&app).await;
    let empty = app.unit("旗档案馆").await;
    let (_, page) = b.get("/admin/units").await;
    assert!(page.contains("name=\"confirm\" value=\"on\" required") && page.contains("data-confirm="));
    let r = b.post(&format!("/admin/units/{empty}/delete"), &[("csrf", &csrf)]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("请先勾选“确认删除”"));
    assert!(app.store.resolve_name("旗档案馆").await.unwrap().is_some(), "nothing was deleted");
    let r = b.post(&format!("/admin/units/{empty}/delete"), &[("csrf", &csrf), ("confirm", "on")]).await;
    assert!(r.text().await.unwrap().contains("已删除单位"));
    let liu = person(&app, "liu", None, json!(["officer"])).await;
    let r = b.post(&format!("/admin/users/{liu}/deactivate"), &[("csrf", &csrf)]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("请先勾选“确认停用”"));
    assert!(app.store.get_person(liu).await.unwrap().active);
    let r = b.post(&format!("/admin/users/{liu}/deactivate"), &[("csrf", &csrf), ("confirm", "on")]).await;
    assert!(r.text().await.unwrap().contains("已停用"));
    assert!(!app.store.get_person(liu).await.unwrap().active);
}

#[tokio::test]
async fn a_users_unit_is_picked_by_name_from_one_list() {
    let app = spawn_app().await;
    let unit = app.unit("旗自然资源局").await;
    let (b, csrf) = admin(&app).await;
    let liu = person(&app, "liu", None, json!(["officer"])).await;
    let (_, page) = b.get("/admin/users").await;
    assert_eq!(page.matches("<datalist").count(), 1, "one list of unit names for every row");
    assert!(!page.contains("<select name=\"unit\""));
    let path = format!("/admin/users/{liu}");
    let r = b.post(&path, &[("csrf", &csrf), ("unit_name", "旗自然资源局"), ("role", "officer")]).await;
    assert!(r.text().await.unwrap().contains("已保存“liu”的单位和角色"));
    assert_eq!(app.store.get_person(liu).await.unwrap().fields.unit_id.map(|u| u.0), Some(unit));
    let r = b.post(&path, &[("csrf", &csrf), ("unit_name", "旗不存在局"), ("role", "officer")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("没有名为“旗不存在局”的单位"));
    assert_eq!(app.store.get_person(liu).await.unwrap().fields.unit_id.map(|u| u.0), Some(unit), "unchanged");
}

#[tokio::test]
async fn lists_page_beyond_ten_with_a_choice_of_page_size() {
    let app = spawn_app().await;
    let unit = app.unit("旗自然资源局").await;
    for i in 1..=12 {
        app.task(task(&format!("分页任务{i:02}"), unit, "公开")).await;
    }
    let b = office(&app).await;
    let (_, page) = b.get("/tasks?sort=number&per_page=10").await;
    assert!(page.contains("第 1 / 2 页，共 12 项"), "{page}");
    assert_eq!(page.matches("分页任务").count(), 10);
    assert!(page.contains("href=\"/tasks?sort=number&#38;page=2&#38;per_page=10\""), "{page}");
    let (_, page) = b.get("/tasks?sort=number&page=2&per_page=10").await;
    assert_eq!(page.matches("分页任务").count(), 2);
    assert!(page.contains("第 2 / 2 页"));
    let (_, page) = b.get("/tasks?sort=number&per_page=20").await;
    assert_eq!(page.matches("分页任务").count(), 12);
    // An unknown size is the default.
    let (_, page) = b.get("/tasks?per_page=7").await;
    assert_eq!(page.matches("分页任务").count(), 12);
    // The desk's lists show ten and lead to the rest: the unit's officer's 待签收.
    person(&app, "officer", Some(unit), json!(["officer"])).await;
    let mut officer = Browser::new(&app);
    officer.sign_in("officer", "pw-reciffo-2026").await;
    let (_, desk) = officer.get("/").await;
    assert_eq!(desk.matches("name=\"id\" value=").count(), 10, "{desk}");
    assert!(
        desk.contains("查看全部（12）") && desk.contains(&format!("href=\"/tasks?status=assigned&#38;unit={unit}\"")),
        "{desk}"
    );
    // The public list pages too.
    let (_, public) = Browser::new(&app).get("/public?per_page=10").await;
    assert_eq!(public.matches("分页任务").count(), 10);
    assert!(public.contains("第 1 / 2 页") && public.contains("href=\"/public?page=2&#38;per_page=10\""));
}

#[tokio::test]
async fn a_public_tasks_page_shows_public_fields_and_feedback_only_once_publishable() {
    let app = spawn_app().await;
    let unit = app.unit("旗自然资源局").await;
    person(&app, "officer", Some(unit), json!(["officer"])).await;
    let public = app.task(task("公开的治理任务", unit, "公开")).await;
    let internal = app.task(task("内部的治理任务", unit, "内部")).await;
    let secret = app.task(json!({"title": "涉密的治理任务", "lead": [{"unit": unit}], "classification": "涉密"})).await;
    event(&app, &public, "report", "已完成摸底调查").await;
    event(&app, &public, "feedback", "全部整治完毕，群众满意").await;
    event(&app, &internal, "report", "内部进展不公开").await;
    let path = format!("/public/tasks/{}", public["id"]);
    let anon = Browser::new(&app);
    let (status, page) = anon.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("公开的治理任务") && page.contains("公开的治理任务的具体内容") && page.contains("旗自然资源局")
    );
    assert!(page.contains("已完成摸底调查") && page.contains("推进中"));
    assert!(!page.contains("全部整治完毕"), "feedback not yet publishable: {page}");
    assert!(!page.contains("红灯") && !page.contains("黄灯") && !page.contains("绿灯") && !page.contains("逾期"));
    assert!(!page.contains("密级") && !page.contains("全过程记录"));
    assert!(page.contains("完成时限") && !page.contains("<dd>—</dd>"));
    for t in [&internal, &secret] {
        assert_eq!(anon.get(&format!("/public/tasks/{}", t["id"])).await.0, StatusCode::NOT_FOUND);
    }
    assert_eq!(anon.get("/public/tasks/999999").await.0, StatusCode::NOT_FOUND);
    let (_, list) = anon.get("/public").await;
    assert!(list.contains("已完成摸底调查") && !list.contains("全部整治完毕") && !list.contains("内部进展不公开"));
    // An officer may not mark it; the office may, and the trail records it.
    let mut officer = Browser::new(&app);
    officer.sign_in("officer", "pw-reciffo-2026").await;
    let csrf = officer.csrf().await;
    let publish = format!("/tasks/{}/publish", public["id"]);
    let r = officer.post(&publish, &[("csrf", &csrf), ("publish", "on")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (_, task_page) = officer.get(&format!("/tasks/{}", public["id"])).await;
    assert!(!task_page.contains("同意公开办理结果"), "the box is the office's");
    let b = office(&app).await;
    let csrf = b.csrf().await;
    let (_, task_page) = b.get(&format!("/tasks/{}", public["id"])).await;
    assert!(task_page.contains("同意公开办理结果"));
    let r = b.post(&publish, &[("csrf", &csrf)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(!anon.get(&path).await.1.contains("全部整治完毕"), "without publish=on nothing is published");
    let r = b.post(&publish, &[("csrf", &csrf), ("publish", "on")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = anon.get(&path).await;
    assert!(page.contains("办理结果") && page.contains("全部整治完毕，群众满意"), "{page}");
    assert!(anon.get("/public").await.1.contains("全部整治完毕，群众满意"));
    let trail = app.store.task_events(TaskId(public["id"].as_i64().unwrap())).await.unwrap();
    assert_eq!(trail.iter().filter(|e| e.kind == "feedback_published").count(), 1);
    let (_, task_page) = b.get(&format!("/tasks/{}?done=feedback_published", public["id"])).await;
    assert!(task_page.contains("已同意公开办理结果") && task_page.contains("撤回公开"));
    // Withheld again, it is gone.
    b.post(&publish, &[("csrf", &csrf), ("publish", "off")]).await;
    assert!(!anon.get(&path).await.1.contains("全部整治完毕"));
    // An internal task's feedback cannot be published.
    event(&app, &internal, "feedback", "内部结果").await;
    let r = b.post(&format!("/tasks/{}/publish", internal["id"]), &[("csrf", &csrf), ("publish", "on")]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    // The public pages name the government from the configuration.
    let mut settings = (*app.duban.sign_in().web_settings()).clone();
    settings.government = "奈曼旗人民政府".into();
    app.duban.sign_in().set_web_settings(settings);
    assert!(anon.get("/public").await.1.contains("奈曼旗人民政府"));
    assert!(anon.get(&path).await.1.contains("奈曼旗人民政府"));
    let _ = hidden;
}

#[tokio::test]
async fn the_supervision_pages_notices_page_on_instead_of_stopping() {
    let app = spawn_app().await;
    let unit = app.unit("旗自然资源局").await;
    for i in 1..=12 {
        let t = app.task(task(&format!("督办分页{i:02}"), unit, "内部")).await;
        let r = app.post(&format!("/api/v1/tasks/{}/notices", t["id"]), json!({"text": "请加快办理"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    }
    let b = office(&app).await;
    let (_, page) = b.get("/supervision?per_page=10").await;
    assert_eq!(page.matches("title=\"督办通知单（打印预览）\"").count(), 10, "{page}");
    assert!(page.contains("第 1 / 2 页，共 12 项") && page.contains("督〔2026〕12号"), "{page}");
    let (_, page) = b.get("/supervision?page=2&per_page=10").await;
    assert_eq!(page.matches("title=\"督办通知单（打印预览）\"").count(), 2);
    assert!(page.contains("督〔2026〕1号") && page.contains("第 2 / 2 页"));
}

#[tokio::test]
async fn the_inbox_pages_on_from_the_desk_and_shows_no_hidden_task() {
    let app = spawn_app().await;
    let unit = app.unit("旗自然资源局").await;
    person(&app, "officer", Some(unit), json!(["officer"])).await;
    let mut ids = Vec::new();
    for i in 1..=55 {
        let t = app.task(task(&format!("提醒分页{i:02}"), unit, "内部")).await;
        let r = app.post(&format!("/api/v1/tasks/{}/remind", t["id"]), json!({"channels": ["inbox"]})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        ids.push(t["id"].clone());
    }
    // One task becomes 涉密 without naming the officer: its reminder leaves the inbox.
    let hidden_id = ids[54].clone();
    let t = app.get(&format!("/api/v1/tasks/{hidden_id}")).await.json;
    let r = app
        .patch(&format!("/api/v1/tasks/{hidden_id}"), t["version"].as_i64().unwrap(), json!({"classification": "涉密"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let mut b = Browser::new(&app);
    b.sign_in("officer", "pw-reciffo-2026").await;
    let (_, desk) = b.get("/").await;
    assert!(desk.contains("href=\"/inbox\"") && desk.contains("提醒分页54") && !desk.contains("提醒分页55"), "{desk}");
    let (_, first) = b.get("/inbox").await;
    assert_eq!(first.matches("提醒分页").count(), 50, "{first}");
    assert!(first.contains("提醒分页54") && !first.contains("提醒分页55") && !first.contains("提醒分页04"));
    let older = first.split("href=\"/inbox?before=").nth(1).unwrap().split('"').next().unwrap().to_string();
    let (_, second) = b.get(&format!("/inbox?before={older}")).await;
    assert_eq!(second.matches("提醒分页").count(), 4, "{second}");
    assert!(second.contains("提醒分页01") && !second.contains("更早的提醒"));
}
