//! The pages over HTTP: sign-in, CSRF, scoping by role and 涉密, the public list, forms that
//! act on tasks, and the .xlsx export.

use crate::helpers::*;
use duban_domain::ids::PersonId;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A browser without JavaScript: keeps the session cookie, does not follow redirects.
pub(crate) struct Browser {
    pub(crate) client: reqwest::Client,
    pub(crate) base: String,
    pub(crate) cookie: String,
}

impl Browser {
    pub(crate) fn new(app: &TestApp) -> Self {
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Browser { client, base: app.base.clone(), cookie: String::new() }
    }

    pub(crate) async fn get(&self, path: &str) -> (StatusCode, String) {
        let r = self.client.get(format!("{}{path}", self.base)).header("cookie", &self.cookie).send().await.unwrap();
        (r.status(), r.text().await.unwrap())
    }

    pub(crate) async fn post(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client.post(format!("{}{path}", self.base)).header("cookie", &self.cookie).form(form).send().await.unwrap()
    }

    /// Signs in through the form; returns the reply to the form.
    pub(crate) async fn sign_in(&mut self, username: &str, password: &str) -> reqwest::Response {
        let r = self.client.get(format!("{}/login", self.base)).send().await.unwrap();
        let login_cookie = cookie_of(&r, "duban_login").unwrap();
        let page = r.text().await.unwrap();
        let token = hidden(&page, "csrf");
        let r = self
            .client
            .post(format!("{}/login", self.base))
            .header("cookie", format!("duban_login={login_cookie}"))
            .form(&[("username", username), ("password", password), ("next", "/"), ("csrf", &token)])
            .send()
            .await
            .unwrap();
        if let Some(s) = cookie_of(&r, "duban_session") {
            self.cookie = format!("duban_session={s}");
        }
        r
    }

    /// The CSRF token the pages carry for this session.
    pub(crate) async fn csrf(&self) -> String {
        let (_, page) = self.get("/tasks").await;
        hidden(&page, "csrf")
    }
}

fn cookie_of(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).find_map(|v| {
        let (kv, _) = v.split_once(';')?;
        let (k, val) = kv.split_once('=')?;
        (k == name && !val.is_empty()).then(|| val.to_string())
    })
}

/// The value of the first hidden input with this name.
pub(crate) fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker).map(|i| i + marker.len()).unwrap_or_else(|| panic!("no {name} in {page}"));
    page[start..].split('"').next().unwrap().to_string()
}

struct World {
    unit_a: i64,
    officer_a: PersonId,
    a_internal: Value,
    b_internal: Value,
    b_public: Value,
    secret: Value,
}

pub(crate) async fn person(app: &TestApp, username: &str, unit: Option<i64>, roles: Value) -> PersonId {
    let r = app
        .post("/api/v1/people", json!({"name": username, "username": username, "unit_id": unit, "roles": roles}))
        .await;
    let id = PersonId(r.json["id"].as_i64().unwrap());
    app.duban
        .sign_in()
        .set_password(id, &format!("pw-{}-2026", username.chars().rev().collect::<String>()))
        .await
        .unwrap();
    id
}

async fn world(app: &TestApp) -> World {
    let unit_a = app.unit("旗行政审批和政务服务局").await;
    let unit_b = app.unit("旗自然资源局").await;
    let officer_a = person(app, "officer_a", Some(unit_a), json!(["officer"])).await;
    person(app, "officer_b", Some(unit_b), json!(["officer"])).await;
    person(app, "office", None, json!(["office"])).await;
    let named = person(app, "named", Some(unit_b), json!(["officer"])).await;
    let task = |title: &str, unit: i64, class: &str| json!({"title": title, "lead": [{"unit": unit}], "classification": class});
    World {
        unit_a,
        officer_a,
        a_internal: app.task(task("甲局内部任务", unit_a, "内部")).await,
        b_internal: app.task(task("乙局内部任务", unit_b, "内部")).await,
        b_public: app.task(task("乙局公开任务", unit_b, "公开")).await,
        secret: app
            .task(json!({"title": "涉密任务", "lead": [{"unit": unit_a}], "classification": "涉密", "responsible_person_id": named.0}))
            .await,
    }
}

#[tokio::test]
async fn signing_in_opens_the_desk_and_a_wrong_password_is_explained_in_chinese() {
    let app = spawn_app().await;
    world(&app).await;
    let mut b = Browser::new(&app);
    let (status, _) = b.get("/").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the desk needs a session");
    let r = b.sign_in("officer_a", "wrong").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("用户名或密码不正确"));
    let r = b.sign_in("officer_a", "pw-a_reciffo-2026").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let set: Vec<_> = r.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect();
    assert!(
        set.iter().any(|c| c.starts_with("duban_session=") && c.contains("HttpOnly") && c.contains("SameSite=Lax"))
    );
    let (status, page) = b.get("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("工作台") && page.contains("待签收") && page.contains("甲局内部任务"));
    // The sign-in form refuses a post without its own token.
    let r = Browser::new(&app).post("/login", &[("username", "officer_a"), ("password", "pw-a_reciffo-2026")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Signing out ends the session.
    let csrf = b.csrf().await;
    let r = b.post("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(b.get("/").await.0, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn an_officer_sees_their_units_tasks_and_never_another_units_internal_or_a_secret_task() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let mut b = Browser::new(&app);
    b.sign_in("officer_a", "pw-a_reciffo-2026").await;
    let (_, ledger) = b.get("/tasks").await;
    assert!(ledger.contains("甲局内部任务"));
    assert!(!ledger.contains("乙局内部任务") && !ledger.contains("乙局公开任务") && !ledger.contains("涉密任务"));
    assert_eq!(b.get(&format!("/tasks/{}", w.b_internal["id"])).await.0, StatusCode::NOT_FOUND);
    assert_eq!(b.get(&format!("/tasks/{}", w.secret["id"])).await.0, StatusCode::NOT_FOUND, "涉密: only the named");
    assert_eq!(b.get(&format!("/tasks/{}", w.a_internal["id"])).await.0, StatusCode::OK);
    // The office sees every unit's tasks, but not the secret one it is not named on.
    let mut office = Browser::new(&app);
    office.sign_in("office", "pw-eciffo-2026").await;
    let (_, ledger) = office.get("/tasks").await;
    assert!(ledger.contains("甲局内部任务") && ledger.contains("乙局内部任务") && !ledger.contains("涉密任务"));
    // The person named on the secret task sees it, though their unit does not lead it.
    let mut named = Browser::new(&app);
    named.sign_in("named", "pw-deman-2026").await;
    assert_eq!(named.get(&format!("/tasks/{}", w.secret["id"])).await.0, StatusCode::OK);
    let _ = (w.unit_a, w.officer_a);
}

#[tokio::test]
async fn the_public_page_lists_public_tasks_only_without_sign_in() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let (status, page) = Browser::new(&app).get("/public").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("乙局公开任务"));
    assert!(!page.contains("内部任务") && !page.contains("涉密任务"));
    assert!(!page.contains(&format!("href=\"/tasks/{}", w.b_public["id"])), "no links into the signed-in pages");
    assert!(page.contains(&format!("href=\"/public/tasks/{}\"", w.b_public["id"])), "but to its public page");
}

#[tokio::test]
async fn a_form_without_the_csrf_token_is_refused_and_one_with_it_acts() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let mut b = Browser::new(&app);
    b.sign_in("officer_a", "pw-a_reciffo-2026").await;
    let path = format!("/tasks/{}/act", w.a_internal["id"]);
    let version = w.a_internal["version"].to_string();
    let r = b.post(&path, &[("action", "sign"), ("version", &version)]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = b.post(&path, &[("action", "sign"), ("version", &version), ("csrf", "forged")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let csrf = b.csrf().await;
    let r = b.post(&path, &[("action", "sign"), ("version", &version), ("csrf", &csrf)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let t = app.get(&format!("/api/v1/tasks/{}", w.a_internal["id"])).await.json;
    assert_eq!(t["status"], "signed");
    // A report without text is explained on the page, and what was typed is kept.
    let version = t["version"].to_string();
    let r = b.post(&path, &[("action", "deploy"), ("version", &version), ("csrf", &csrf), ("text", "  ")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("工作方案或部署情况"));
    let r = b.post(&path, &[("action", "sign"), ("version", "1"), ("csrf", &csrf), ("text", "保留这段文字")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("保留这段文字") && page.contains("已被他人修改"), "{page}");
}

#[tokio::test]
async fn the_ledger_exports_an_xlsx_that_prints_as_a_meeting_ledger() {
    use calamine::{Reader, Xlsx};
    use std::io::Read;
    let app = spawn_app().await;
    let w = world(&app).await;
    let ledger = app.post("/api/v1/ledgers", json!({"name": "优化营商环境"})).await.json;
    app.task(json!({"title": "附件中的第十二项", "number": "附件10 12.", "ledger_id": ledger["id"],
        "lead": [{"unit": w.unit_a}], "classification": "内部", "deadline": "2026-12-31"}))
        .await;
    let mut b = Browser::new(&app);
    b.sign_in("office", "pw-eciffo-2026").await;
    let get = |path: String| {
        let (client, cookie) = (b.client.clone(), b.cookie.clone());
        async move { client.get(path).header("cookie", cookie).send().await.unwrap() }
    };
    let r = get(format!("{}/tasks.xlsx", app.base)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.unwrap().to_vec();
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.clone())).unwrap();
    let sheet = wb.worksheet_range("任务台账").unwrap();
    let rows: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(rows[0][0], "任务台账");
    assert!(rows[1][0].starts_with("制表单位：") && rows[1][0].contains("日期："), "{:?}", rows[1]);
    let headers = [
        "序号",
        "任务内容",
        "牵头单位",
        "责任单位",
        "责任人",
        "分管领导",
        "完成时限",
        "进展情况",
        "状态",
        "逾期天数",
        "亮灯",
    ];
    assert_eq!(rows[2], headers);
    let titles: Vec<&str> = rows[3..].iter().map(|r| r[1].as_str()).collect();
    assert_eq!(titles.len(), 4, "the office's four, without the secret task: {titles:?}");
    assert!(titles.contains(&"乙局内部任务") && !titles.iter().any(|t| t.contains("涉密")));
    assert!(rows[3..].iter().all(|r| r[8] == "待签收"), "a state, not a verb");
    // 完成时限 always shown: the rules' deadline where the task has none, marked so.
    assert!(rows[3..].iter().all(|r| !r[6].is_empty()));
    assert!(rows[3..].iter().any(|r| r[6].contains("按规则")));
    let twelve = rows[3..].iter().find(|r| r[1] == "附件中的第十二项").unwrap();
    assert_eq!(twelve[0], "附件10-12", "附件10's item 12, not 附件1012.");
    assert_eq!(twelve[6], "2026-12-31");
    assert!(rows[3..].iter().all(|r| r[10] == "绿灯" || r[10] == "黄灯" || r[10] == "红灯"));
    // Print settings: A4 landscape fitted to the width, the header row repeated, a Chinese font.
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut part = |name: &str| {
        let mut s = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    };
    let sheet_xml = part("xl/worksheets/sheet1.xml");
    assert!(sheet_xml.contains(r#"orientation="landscape""#), "{sheet_xml}");
    assert!(sheet_xml.contains(r#"<pageSetUpPr fitToPage="1"/>"#) && sheet_xml.contains(r#"fitToHeight="0""#));
    let workbook = part("xl/workbook.xml");
    assert!(workbook.contains(r#"<definedName name="_xlnm.Print_Titles" localSheetId="0">"#), "{workbook}");
    assert!(workbook.contains("任务台账!$3:$3</definedName>"), "the header row repeats: {workbook}");
    assert!(part("xl/styles.xml").contains(r#"<name val="宋体"/>"#));
    // One ledger's export is titled with its name.
    let r = get(format!("{}/tasks.xlsx?ledger={}", app.base, ledger["id"])).await;
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(r.bytes().await.unwrap().to_vec())).unwrap();
    let sheet = wb.worksheet_range("任务台账").unwrap();
    let first: Vec<String> = sheet.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(first[0], "优化营商环境任务台账");
    assert_eq!(sheet.rows().count(), 4, "title, office and date, header, one task");
}

#[tokio::test]
async fn the_ledger_page_shows_deadlines_progress_leaders_states_and_overdue_days() {
    let app = spawn_app().await;
    world(&app).await;
    let mut b = Browser::new(&app);
    b.sign_in("office", "pw-eciffo-2026").await;
    let (status, page) = b.get("/tasks").await;
    assert_eq!(status, StatusCode::OK);
    for h in ["完成时限", "进展", "分管领导", "逾期天数", "状态", "亮灯"] {
        assert!(page.contains(&format!(">{h}</th>")), "{h}");
    }
    assert!(page.contains("按规则") && page.contains("待签收"));
    assert!(!page.contains("<td class=\"nowrap\">交办</td>"));
    // The API gives the same state, deadline in force and overdue days.
    let list = app.get("/api/v1/tasks").await.json;
    let first = &list["items"][0];
    assert_eq!(first["state"], "待签收");
    assert!(first["deadline_in_force"].is_string() && first["deadline_from_rules"] == true);
    assert!(first.get("overdue_days").is_some());
}

#[tokio::test]
async fn the_in_memory_copy_of_all_tasks_follows_every_change() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let d = &app.duban;
    let first = d.tasks().snapshot().await.unwrap();
    assert_eq!(first.tasks.len(), 4);
    assert!(std::sync::Arc::ptr_eq(&first, &d.tasks().snapshot().await.unwrap()), "unchanged: the same copy");
    // An edit a millisecond later, and a new task, are both picked up.
    app.clock.set(bj("2026-03-02T09:00:00.001"));
    let r = app.patch(&format!("/api/v1/tasks/{}", w.a_internal["id"]), 1, json!({"title": "改过的标题"})).await;
    assert_eq!(r.status, StatusCode::OK);
    app.task(json!({"title": "新任务", "lead": [{"unit": w.unit_a}]})).await;
    let next = d.tasks().snapshot().await.unwrap();
    let titles: Vec<&str> = next.tasks.iter().map(|(t, _)| t.fields.title.as_str()).collect();
    assert_eq!(titles, ["改过的标题", "乙局内部任务", "乙局公开任务", "涉密任务", "新任务"]);
    // Withdrawing a task is a change too.
    let r = app.send("delete", &format!("/api/v1/tasks/{}", w.b_public["id"]), None, &[("If-Match", "\"1\"")]).await;
    assert!(r.status.is_success(), "{}", r.json);
    let last = d.tasks().snapshot().await.unwrap();
    let status = last.tasks.iter().find(|(t, _)| t.id.0 == w.b_public["id"].as_i64().unwrap()).unwrap().0.status;
    assert_eq!(status, duban_domain::task::Status::Cancelled);
}

#[tokio::test]
async fn an_administrator_manages_units_users_and_sees_the_calendar_and_rules() {
    let app = spawn_app().await;
    let w = world(&app).await;
    person(&app, "admin", None, json!(["admin"])).await;
    let mut officer = Browser::new(&app);
    officer.sign_in("officer_a", "pw-a_reciffo-2026").await;
    assert_eq!(officer.get("/admin/users").await.0, StatusCode::FORBIDDEN);
    let mut b = Browser::new(&app);
    b.sign_in("admin", "pw-nimda-2026").await;
    let csrf = b.csrf().await;
    // A unit, then a user in it who can sign in.
    let r = b
        .post(
            "/admin/units/new",
            &[("csrf", &csrf), ("name", "旗文化旅游体育局"), ("kind", "department"), ("aliases", "文旅局")],
        )
        .await;
    assert!(r.text().await.unwrap().contains("已添加单位“旗文化旅游体育局”"));
    let unit = app.store.resolve_name("文旅局").await.unwrap();
    let Some(duban_store::PartyRef::Unit(unit)) = unit else { panic!("alias resolves") };
    let unit = unit.0.to_string();
    let r = b
        .post(
            "/admin/users/new",
            &[
                ("csrf", &csrf),
                ("name", "刘经办"),
                ("username", "liu"),
                ("unit", &unit),
                ("role", "officer"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("密码至少 8 位"));
    let r = b
        .post(
            "/admin/users/new",
            &[
                ("csrf", &csrf),
                ("name", "刘经办"),
                ("username", "liu"),
                ("unit", &unit),
                ("role", "officer"),
                ("password", "Wenlv-2026!"),
            ],
        )
        .await;
    assert!(r.text().await.unwrap().contains("已添加用户“刘经办”"));
    let r = Browser::new(&app).sign_in("liu", "Wenlv-2026!").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Their roles change; the unit is renamed; a unit in use cannot be deleted, an unused one can.
    let liu = app.store.list_people().await.unwrap().into_iter().find(|p| p.fields.username == "liu").unwrap();
    let r = b
        .post(
            &format!("/admin/users/{}", liu.id),
            &[("csrf", &csrf), ("unit", &unit), ("role", "officer"), ("role", "unit_head")],
        )
        .await;
    assert!(r.text().await.unwrap().contains("已保存“刘经办”的单位和角色"));
    let roles = app.store.get_person(liu.id).await.unwrap().fields.roles;
    assert_eq!(roles, [duban_domain::org::Role::Officer, duban_domain::org::Role::UnitHead]);
    let r = b
        .post(
            &format!("/admin/units/{unit}"),
            &[("csrf", &csrf), ("name", "旗文化和旅游局"), ("kind", "department"), ("aliases", "文旅局；旅游局")],
        )
        .await;
    assert!(r.text().await.unwrap().contains("已保存单位“旗文化和旅游局”"));
    assert!(app.store.resolve_name("旅游局").await.unwrap().is_some());
    let r = b.post(&format!("/admin/units/{}/delete", w.unit_a), &[("csrf", &csrf), ("confirm", "on")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let empty = app.unit("旗档案馆").await;
    let r = b.post(&format!("/admin/units/{empty}/delete"), &[("csrf", &csrf), ("confirm", "on")]).await;
    assert!(r.text().await.unwrap().contains("已删除单位"));
    // Without the token nothing changes.
    let r = b.post("/admin/units/new", &[("name", "伪造单位")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(app.store.resolve_name("伪造单位").await.unwrap().is_none());
    // This year's holidays and make-up days; the rules in force.
    let (_, cal) = b.get("/admin/calendar").await;
    assert!(cal.contains("2026-10-01") && cal.contains("法定节假日") && cal.contains("调休上班"), "{cal}");
    let (_, rules) = b.get("/admin/rules").await;
    assert!(rules.contains("done-deadline") && rules.contains("《X区政府系统效能提升年实施方案》三(一)2"));
}

#[tokio::test]
async fn the_office_issues_a_numbered_notice_by_hand_and_the_unit_is_told() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let mut office = Browser::new(&app);
    office.sign_in("office", "pw-eciffo-2026").await;
    let csrf = office.csrf().await;
    let path = format!("/tasks/{}/supervise", w.a_internal["id"]);
    let r = office.post(&path, &[("csrf", &csrf), ("text", " ")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("请写明督办要求"));
    let r = office.post(&path, &[("csrf", &csrf), ("text", "请本周内完成签收并报送方案")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = office.get(&format!("/tasks/{}", w.a_internal["id"])).await;
    assert!(page.contains("督〔2026〕1号") && page.contains("请本周内完成签收并报送方案"));
    let inbox = app.store.list_messages(Some(w.officer_a), 10).await.unwrap();
    assert!(inbox.iter().any(|m| m.message.subject.starts_with("督办通知 督〔2026〕1号") && m.status == "sent"));
    let (_, sup) = office.get("/supervision").await;
    assert!(sup.contains("督〔2026〕1号") && sup.contains("未答复"));
    // The number leads to the notice's print view.
    let notice = app.store.list_notices().await.unwrap().last().unwrap().id;
    assert!(sup.contains(&format!("<a href=\"/notices/{notice}\"")), "{sup}");
    // A unit officer has no such form and may not post it.
    let mut officer = Browser::new(&app);
    officer.sign_in("officer_a", "pw-a_reciffo-2026").await;
    let (_, page) = officer.get(&format!("/tasks/{}", w.a_internal["id"])).await;
    assert!(!page.contains("发出督办单"));
    let csrf = officer.csrf().await;
    let r = officer.post(&path, &[("csrf", &csrf), ("text", "自己督办自己")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("无权执行此操作"));
}

#[tokio::test]
async fn an_administrator_changes_the_rules_and_open_tasks_are_rescheduled_and_it_lasts() {
    let app = spawn_app().await;
    let w = world(&app).await;
    person(&app, "admin", None, json!(["admin"])).await;
    let mut b = Browser::new(&app);
    b.sign_in("admin", "pw-nimda-2026").await;
    let csrf = b.csrf().await;
    let sign_due = |t: &Value| {
        t["stages"].as_array().unwrap().iter().find(|s| s["stage"] == "sign").unwrap()["due"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let id = w.a_internal["id"].clone();
    // Received Monday 2026-03-02: 3 working days to sign.
    assert_eq!(sign_due(&app.get(&format!("/api/v1/tasks/{id}")).await.json), "2026-03-05");
    // Rules that do not read are explained, and the text stays for correcting.
    let r = b
        .post(
            "/admin/rules/save",
            &[
                ("csrf", &csrf),
                ("do", "save"),
                ("rules", "profile = \"x-district-2022\"\n[[rules]]\nid = \"sign\"\nduration = \"两天\""),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("两天"));
    let rules = "profile = \"x-district-2022\"\n[[rules]]\nid = \"sign\"\nduration = \"2wd\"\n";
    let r = b.post("/admin/rules/save", &[("csrf", &csrf), ("do", "save"), ("rules", rules)]).await;
    let page = r.text().await.unwrap();
    assert!(page.contains("规则已保存并生效") && page.contains("管理员在此保存"), "{page}");
    assert_eq!(sign_due(&app.get(&format!("/api/v1/tasks/{id}")).await.json), "2026-03-04");
    // A restart keeps the saved rules, whatever the configuration names.
    let again = duban_app::service::Services::new(
        app.store.clone(),
        duban_domain::policy::Policy::builtin("x-district-2022").unwrap(),
        app.clock.clone(),
        duban_domain::calendar::UnknownYears::Error,
    )
    .await
    .unwrap();
    assert!(again.core().policy().rules.iter().any(|r| r.id == "sign" && r.duration.describe() == "2 个工作日"));
    // Back to the configuration's rules.
    let r = b.post("/admin/rules/save", &[("csrf", &csrf), ("do", "reset"), ("rules", "")]).await;
    assert!(r.text().await.unwrap().contains("已恢复配置文件中的规则"));
    assert_eq!(sign_due(&app.get(&format!("/api/v1/tasks/{id}")).await.json), "2026-03-05");
}

#[tokio::test]
async fn the_in_memory_copy_follows_a_change_of_rules() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let d = &app.duban;
    let due = |snap: &duban_app::tasks::Snapshot| {
        let (_, s) = snap.tasks.iter().find(|(t, _)| t.id.0 == w.a_internal["id"].as_i64().unwrap()).unwrap();
        s.stages.iter().find(|s| s.stage == "sign").unwrap().due.unwrap().to_string()
    };
    assert_eq!(due(&d.tasks().snapshot().await.unwrap()), "2026-03-05");
    d.rules()
        .set_rules(Some("profile = \"x-district-2022\"\n[[rules]]\nid = \"sign\"\nduration = \"1wd\"\n"))
        .await
        .unwrap();
    assert_eq!(due(&d.tasks().snapshot().await.unwrap()), "2026-03-03");
}

/// Signs in through the form with a `next` of one's choosing; returns the `Location` answered.
async fn location_after_sign_in(app: &TestApp, next: &str) -> Option<String> {
    let b = Browser::new(app);
    let r = b.client.get(format!("{}/login", b.base)).send().await.unwrap();
    let login_cookie = cookie_of(&r, "duban_login").unwrap();
    let token = hidden(&r.text().await.unwrap(), "csrf");
    let r = b
        .client
        .post(format!("{}/login", b.base))
        .header("cookie", format!("duban_login={login_cookie}"))
        .form(&[("username", "office"), ("password", "pw-eciffo-2026"), ("next", next), ("csrf", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "next = {next:?}");
    r.headers().get("location").map(|v| v.to_str().unwrap().to_string())
}

#[tokio::test]
async fn after_sign_in_only_a_path_on_this_site_is_followed() {
    let app = spawn_app().await;
    world(&app).await;
    for evil in [
        "/\t/evil.example",
        "/\r\n/evil.example",
        "/\n/evil.example",
        "//evil.example",
        "/\\evil.example",
        "https://evil.example/",
        "/ /evil.example",
        "/\u{3000}/evil.example",
    ] {
        assert_eq!(location_after_sign_in(&app, evil).await.as_deref(), Some("/"), "next = {evil:?}");
    }
    assert_eq!(location_after_sign_in(&app, "/tasks?status=assigned").await.as_deref(), Some("/tasks?status=assigned"));
    // The form itself does not carry a bad next forward.
    let (_, page) = Browser::new(&app).get("/login?next=/%09/evil.example").await;
    assert_eq!(hidden(&page, "next"), "/");
}

#[tokio::test]
async fn cookies_are_secure_behind_https_and_signed_in_answers_are_not_cached() {
    let app = spawn_app().await;
    world(&app).await;
    let mut b = Browser::new(&app);
    let r = b.sign_in("office", "pw-eciffo-2026").await;
    let set: Vec<String> = r.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect();
    assert!(set.iter().all(|c| !c.contains("Secure")), "plain HTTP by default: {set:?}");
    let r = b.client.get(format!("{}/tasks", b.base)).header("cookie", &b.cookie).send().await.unwrap();
    assert_eq!(r.headers()["cache-control"], "no-store");
    let r = app.client.get(format!("{}/api/v1/tasks", app.base)).send().await.unwrap();
    assert_eq!(r.headers()["cache-control"], "no-store");
    // The stylesheet may still be cached.
    let r = app.client.get(format!("{}/static/duban.css", app.base)).send().await.unwrap();
    assert!(r.headers()["cache-control"].to_str().unwrap().contains("max-age"));
    // Behind HTTPS (server.secure_cookies) every cookie is Secure.
    app.duban
        .sign_in()
        .set_web_settings(duban_app::sign_in::WebSettings { secure_cookies: true, ..Default::default() });
    let mut b = Browser::new(&app);
    let r = b.client.get(format!("{}/login", b.base)).send().await.unwrap();
    assert!(r.headers()["set-cookie"].to_str().unwrap().contains("; Secure"));
    let r = b.sign_in("office", "pw-eciffo-2026").await;
    let set: Vec<String> = r.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect();
    assert!(set.iter().any(|c| c.starts_with("duban_session=") && c.contains("; Secure")), "{set:?}");
    assert!(set.iter().all(|c| c.contains("; Secure")), "{set:?}");
}

#[tokio::test]
async fn an_api_write_with_the_session_cookie_needs_the_csrf_header() {
    let app = spawn_app().await;
    world(&app).await;
    let mut b = Browser::new(&app);
    b.sign_in("office", "pw-eciffo-2026").await;
    let csrf = b.csrf().await;
    let url = format!("{}/api/v1/ledgers", app.base);
    let post = |token: Option<&str>| {
        let mut r = b.client.post(&url).header("cookie", &b.cookie).json(&json!({"name": "伪造的台账"}));
        if let Some(t) = token {
            r = r.header("x-csrf-token", t);
        }
        r.send()
    };
    for token in [None, Some("forged")] {
        let r = post(token).await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "token {token:?}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "forbidden");
        assert!(body["error"]["message"].as_str().unwrap().contains("X-CSRF-Token"));
    }
    assert!(app.store.list_ledgers().await.unwrap().is_empty(), "nothing was written");
    let r = post(Some(&csrf)).await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    // Reading with the cookie needs no token.
    let r = b.client.get(&url).header("cookie", &b.cookie).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

/// Posts a multipart form with a file (and the token as a body field, if given).
pub(crate) async fn upload(
    b: &Browser,
    path: &str,
    csrf: Option<&str>,
    name: &str,
    mime: &str,
    bytes: &[u8],
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new();
    if let Some(t) = csrf {
        form = form.text("csrf", t.to_string());
    }
    let part = reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string()).mime_str(mime).unwrap();
    form = form.part("file", part);
    b.client.post(format!("{}{path}", b.base)).header("cookie", &b.cookie).multipart(form).send().await.unwrap()
}

#[tokio::test]
async fn upload_forms_carry_the_token_in_the_body_and_files_download_as_attachments() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let mut b = Browser::new(&app);
    b.sign_in("officer_a", "pw-a_reciffo-2026").await;
    let id = w.a_internal["id"].as_i64().unwrap();
    let (_, page) = b.get(&format!("/tasks/{id}")).await;
    assert!(!page.contains("?csrf="), "no token in a URL");
    let csrf = hidden(&page, "csrf");
    let path = format!("/tasks/{id}/files");
    let script = b"<script>alert(document.cookie)</script>";
    // Without the token in the body nothing is attached, even with the token in the URL.
    let r = upload(&b, &path, None, "x.html", "text/html", script).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = upload(&b, &format!("{path}?csrf={csrf}"), None, "x.html", "text/html", script).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(app.store.list_attachments(duban_domain::ids::TaskId(id)).await.unwrap().is_empty());
    // With it, the file is attached; its name loses the right-to-left override.
    let r = upload(&b, &path, Some(&csrf), "报告\u{202E}lmth.pdf", "text/html", script).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r =
        upload(&b, &path, Some(&csrf), "图.svg", "image/svg+xml", b"<svg xmlns='http://www.w3.org/2000/svg'/>").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = upload(&b, &path, Some(&csrf), "方案.pdf", "application/pdf", b"%PDF-1.4").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let files = app.store.list_attachments(duban_domain::ids::TaskId(id)).await.unwrap();
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["报告lmth.pdf", "图.svg", "方案.pdf"]);
    // HTML and SVG download as opaque bytes, never shown in the app's origin; PDF keeps its type.
    let mut types = Vec::new();
    for f in &files {
        let r = b
            .client
            .get(format!("{}/api/v1/attachments/{}", b.base, f.id))
            .header("cookie", &b.cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let h = r.headers();
        let disposition = h["content-disposition"].to_str().unwrap();
        assert!(
            disposition.starts_with("attachment; filename*=UTF-8''") && disposition.contains("; filename=\""),
            "{disposition}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff");
        types.push(h["content-type"].to_str().unwrap().to_string());
    }
    assert_eq!(types, ["application/octet-stream", "application/octet-stream", "application/pdf"]);
}

#[tokio::test]
async fn administrators_upload_forms_take_the_token_from_the_body() {
    let app = spawn_app().await;
    world(&app).await;
    person(&app, "admin", None, json!(["admin"])).await;
    let mut b = Browser::new(&app);
    b.sign_in("admin", "pw-nimda-2026").await;
    let csrf = b.csrf().await;
    let (_, page) = b.get("/admin/units").await;
    assert!(!page.contains("?csrf="), "no token in a URL");
    let toml = "title = \"测试名录\"\n[[unit]]\nname = \"旗档案史志馆\"\nkind = \"institution\"\n";
    let r = upload(&b, "/admin/units/import", None, "units.toml", "application/toml", toml.as_bytes()).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(app.store.resolve_name("旗档案史志馆").await.unwrap().is_none());
    let r = upload(&b, "/admin/units/import", Some(&csrf), "units.toml", "application/toml", toml.as_bytes()).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("已导入"));
    assert!(app.store.resolve_name("旗档案史志馆").await.unwrap().is_some());
    let r = upload(&b, "/admin/calendar/import", None, "cal.json", "application/json", b"{}").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = upload(&b, "/admin/calendar/import", Some(&csrf), "cal.json", "application/json", b"{}").await;
    assert_ne!(r.status(), StatusCode::FORBIDDEN, "the token in the body is accepted");
    // The office's document import likewise.
    let mut office = Browser::new(&app);
    office.sign_in("office", "pw-eciffo-2026").await;
    let csrf = office.csrf().await;
    let doc = "关于落实的通知\n一、（一）优化服务。牵头单位：旗行政审批和政务服务局。\n".as_bytes();
    let r = upload(&office, "/import/preview", None, "doc.txt", "text/plain", doc).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = upload(&office, "/import/preview", Some(&csrf), "doc.txt", "text/plain", doc).await;
    assert_ne!(r.status(), StatusCode::FORBIDDEN, "the token in the body is accepted");
}

#[tokio::test]
async fn an_administrators_reset_or_deactivation_ends_the_persons_sessions_and_weak_passwords_are_explained() {
    let app = spawn_app().await;
    let w = world(&app).await;
    person(&app, "admin", None, json!(["admin"])).await;
    let mut officer = Browser::new(&app);
    officer.sign_in("officer_a", "pw-a_reciffo-2026").await;
    assert_eq!(officer.get("/tasks").await.0, StatusCode::OK);
    let mut b = Browser::new(&app);
    b.sign_in("admin", "pw-nimda-2026").await;
    let csrf = b.csrf().await;
    let reset = format!("/admin/users/{}/password", w.officer_a);
    let r = b.post(&reset, &[("csrf", &csrf), ("password", "officer_a-2026!")]).await;
    let page = r.text().await.unwrap();
    assert!(page.contains("密码不能包含用户名"), "{page}");
    assert_eq!(officer.get("/tasks").await.0, StatusCode::OK, "a refused reset changes nothing");
    let r = b.post(&reset, &[("csrf", &csrf), ("password", "Naiman-2026-x")]).await;
    assert!(r.text().await.unwrap().contains("密码已重设"));
    assert_eq!(officer.get("/tasks").await.0, StatusCode::SEE_OTHER, "the old session ended with the reset");
    officer.sign_in("officer_a", "Naiman-2026-x").await;
    assert_eq!(officer.get("/tasks").await.0, StatusCode::OK);
    let r = b.post(&format!("/admin/users/{}/deactivate", w.officer_a), &[("csrf", &csrf), ("confirm", "on")]).await;
    assert!(r.text().await.unwrap().contains("已停用"));
    let token = officer.cookie.trim_start_matches("duban_session=").to_string();
    let stored = app.store.session(&duban_app::sign_in::token_hash(&token), app.duban.core().now()).await.unwrap();
    assert!(stored.is_none(), "deactivation removed the session");
}

#[tokio::test]
async fn the_battle_map_draws_an_overdue_task_as_a_red_bar_to_today_in_the_chosen_span() {
    let app = spawn_app().await;
    let unit = app.unit("旗行政审批和政务服务局").await;
    person(&app, "office", None, json!(["office"])).await;
    let ledger = app.post("/api/v1/ledgers", json!({"name": "攻坚台账"})).await.json;
    // Due 2026-02-02, never signed; the clock reads 2026-03-02.
    app.task(json!({"title": "早已逾期的任务", "ledger_id": ledger["id"], "lead": [{"unit": unit}],
        "classification": "内部", "deadline": "2026-02-02", "received_at": "2026-01-05T09:00"}))
        .await;
    app.task(json!({"title": "年底到期的任务", "ledger_id": ledger["id"], "lead": [{"unit": unit}],
        "classification": "内部", "deadline": "2026-12-31", "received_at": "2026-03-02T08:00"}))
        .await;
    let mut b = Browser::new(&app);
    b.sign_in("office", "pw-eciffo-2026").await;
    let (status, page) = b.get(&format!("/map?ledger={}&span=quarter", ledger["id"])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("2026年第一季度") && page.contains("逾期 1 项"), "{page}");
    let bar = page.split(r#"<rect class="overdue" "#).nth(1).expect("a red bar for the overdue task");
    let width: f64 = bar.split("width=\"").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
    assert!(width > 100.0, "a month overdue is a long bar in a quarter, not a tick: {width}");
    assert!(page.contains("逾期") && page.contains("天</text>"));
    // The span selector and its axes.
    assert!(page.contains(r#"value="month""#) && page.contains(r#"value="year""#));
    let (_, month) = b.get(&format!("/map?ledger={}&span=month", ledger["id"])).await;
    assert!(month.contains("2026年3月") && month.contains(">15日<"));
    let (_, year) = b.get(&format!("/map?ledger={}&span=year", ledger["id"])).await;
    assert!(year.contains(">12月<") && year.contains("年底到期的任务"));
    // In March alone the overdue task still shows (its bar reaches today).
    assert!(month.contains("早已逾期的任务"));
    // Every text of the map at 11 px or more, drawn at its own size.
    for size in page.split("font-size=\"").skip(1).map(|p| p.split('"').next().unwrap().parse::<f64>().unwrap()) {
        assert!(size >= 11.0, "{size}");
    }
}

#[tokio::test]
async fn statistics_choose_a_period_sort_by_rate_export_and_rank_a_groups_units_not_the_group() {
    use calamine::{Reader, Xlsx};
    let app = spawn_app().await;
    let dir = duban_domain::org::UnitDirectory::from_toml(
        r#"title = "测试名录"
[[unit]]
name = "旗甲局"
kind = "department"
[[unit]]
name = "旗乙局"
kind = "department"
[[group]]
name = "旗直有关部门"
members = ["旗甲局", "旗乙局"]
"#,
    )
    .unwrap();
    app.store.import_directory(&dir, duban_domain::clock::Clock::now(&*app.clock)).await.unwrap();
    person(&app, "office", None, json!(["office"])).await;
    let groups = app.get("/api/v1/groups").await.json;
    let group = groups.as_array().unwrap().iter().find(|g| g["name"] == "旗直有关部门").unwrap()["id"].clone();
    let units = app.get("/api/v1/units").await.json;
    let jia = units.as_array().unwrap().iter().find(|u| u["name"] == "旗甲局").unwrap()["id"].clone();
    // One task of the group (late: due 02-02), one of 甲 alone (signed on time later).
    app.task(json!({"title": "全体部门的任务", "lead": [{"group": group}], "classification": "内部",
        "deadline": "2026-02-02", "received_at": "2026-01-05T09:00"}))
        .await;
    app.task(json!({"title": "甲局的任务", "lead": [{"unit": jia}], "classification": "内部"})).await;
    let mut b = Browser::new(&app);
    b.sign_in("office", "pw-eciffo-2026").await;
    let (status, page) = b.get("/stats?period=all&sort=sign").await;
    assert_eq!(status, StatusCode::OK);
    let table = page.split("<h2>明细</h2>").nth(1).unwrap();
    assert!(table.contains("旗甲局") && table.contains("旗乙局"), "{table}");
    assert!(!table.contains("旗直有关部门"), "a group is expanded, never ranked: {table}");
    assert!(page.contains(r#"value="quarter""#) && page.contains(r#"value="done""#));
    // This month: the group's task fell due in February and is out of it.
    let (_, march) = b.get("/stats?period=month").await;
    assert!(march.contains("2026年3月"));
    assert!(!march.split("<h2>明细</h2>").nth(1).unwrap().contains("旗乙局"), "{march}");
    // The export follows the page.
    let r = b.client.get(format!("{}/stats.xlsx?period=all&sort=sign", app.base)).header("cookie", &b.cookie);
    let r = r.send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(r.bytes().await.unwrap().to_vec())).unwrap();
    let sheet = wb.worksheet_range("统计").unwrap();
    let rows: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert!(rows[0][0].contains("统计") && rows[0][0].contains("全部"));
    assert_eq!(rows[2], ["排名", "单位", "任务数", "按时签收率", "按时办结率"]);
    let units: Vec<&str> = rows[3..].iter().map(|r| r[1].as_str()).collect();
    assert_eq!(units.len(), 2, "{units:?}");
    assert!(!units.contains(&"旗直有关部门"));
    // 甲 has two tasks (its own and the group's), 乙 one.
    let jia_row = rows[3..].iter().find(|r| r[1] == "旗甲局").unwrap();
    assert_eq!(jia_row[2], "2");
}

#[tokio::test]
async fn the_office_reminds_one_task_from_its_page_and_several_from_the_ledger() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let mut office = Browser::new(&app);
    office.sign_in("office", "pw-eciffo-2026").await;
    let csrf = office.csrf().await;
    let id = w.a_internal["id"].as_i64().unwrap();
    let path = format!("/tasks/{id}/remind");
    // No channel chosen: refused, the text kept.
    let r = office.post(&path, &[("csrf", &csrf), ("text", "请周五前报送方案")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("请至少选择一种发送渠道") && page.contains("请周五前报送方案"));
    // Sent: the page says so, the trail has it, the officer has it in the inbox.
    let r = office.post(&path, &[("csrf", &csrf), ("channel", "inbox"), ("text", "请周五前报送方案")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let (_, page) = office.get(&to).await;
    assert!(page.contains("已催办：已向牵头单位发出 1 条消息"), "{page}");
    assert!(page.contains("<strong>催办</strong>") && page.contains("请周五前报送方案"));
    let inbox = app.store.list_messages(Some(w.officer_a), 10).await.unwrap();
    assert!(
        inbox
            .iter()
            .any(|m| m.message.kind == "remind" && m.message.body.contains("请周五前报送方案") && m.status == "sent")
    );
    // From the ledger: two tasks the office sees (one to officer_a, one to officer_b and named,
    // both of unit B), one it does not (涉密, not named on it).
    let (_, ledger) = office.get("/tasks").await;
    assert!(ledger.contains("批量催办") && ledger.contains(r#"name="id" value=""#));
    let (a, b, s) = (id.to_string(), w.b_internal["id"].to_string(), w.secret["id"].to_string());
    let r = office
        .post("/tasks/remind?sort=number", &[("csrf", &csrf), ("channel", "inbox"), ("id", &a), ("id", &b), ("id", &s)])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("已催办 2 项任务，发出消息 3 条") && page.contains(&format!("1 项未催办（#{s}：任务不存在）")),
        "{page}"
    );
    assert!(!page.contains("涉密任务"), "the hidden task's title must not show");
    // Nothing ticked: refused.
    let r = office.post("/tasks/remind", &[("csrf", &csrf), ("channel", "inbox")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("请选择要催办的任务"));
    // A unit officer has no such forms and may not post them.
    let mut officer = Browser::new(&app);
    officer.sign_in("officer_a", "pw-a_reciffo-2026").await;
    let (_, page) = officer.get(&format!("/tasks/{id}")).await;
    assert!(!page.contains("发出催办"));
    let (_, ledger) = officer.get("/tasks").await;
    assert!(!ledger.contains("批量催办"));
    let csrf = officer.csrf().await;
    let r = officer.post(&path, &[("csrf", &csrf), ("channel", "inbox")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("无权执行此操作"));
}
