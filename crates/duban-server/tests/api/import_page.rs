//! The import preview page as the office works in it (issue 11): the seeds that assign no
//! units per item preview their measures as draft tasks with suggested lead units, one unit is
//! given to many rows at once, and the edited preview commits.

use crate::helpers::*;
use crate::web::{Browser, person, upload};
use reqwest::StatusCode;
use serde_json::json;

/// A seed document from `fixtures/seeds/`.
pub(crate) fn seed(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../../fixtures/seeds/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

pub(crate) const SEED_000: &str = "000_74800d378be1096a.txt";
pub(crate) const SEED_001: &str = "001_996649c0e32d6793.txt";
pub(crate) const SEED_002: &str = "002_893a1f726727cbc7.txt";
pub(crate) const SEED_003: &str = "003_70bf524fbdd19580.txt";
pub(crate) const SEED_004: &str = "004_545b947edd2cd2de.txt";

/// Loads the shipped unit directory (奈曼旗).
pub(crate) async fn naiman(app: &TestApp) {
    let units = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/units/naiman.toml")).unwrap();
    let directory = duban_domain::org::UnitDirectory::from_toml(&units).unwrap();
    app.store.import_directory(&directory, app.duban.core().now()).await.unwrap();
}

/// The office, signed in.
pub(crate) async fn office(app: &TestApp) -> Browser {
    person(app, "office", None, json!(["office"])).await;
    let mut b = Browser::new(app);
    b.sign_in("office", "pw-eciffo-2026").await;
    b
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&#x22;", "\"")
        .replace("&#34;", "\"")
        .replace("&amp;", "&")
}

/// The value of attribute `name` within one tag.
fn attr(tag: &str, name: &str) -> Option<String> {
    let marker = format!(" {name}=\"");
    let start = tag.find(&marker)? + marker.len();
    Some(unescape(tag[start..].split('"').next()?))
}

/// The fields the import form sends as the page stands: its text inputs, its ticked check
/// boxes and the preview, without any button.
pub(crate) fn form_of(page: &str) -> Vec<(String, String)> {
    let form = &page[page.find("action=\"/import/commit\"").expect("the preview form")..];
    let mut fields = Vec::new();
    for tag in form.split("<input").skip(1).map(|t| t.split('>').next().unwrap()) {
        let Some(name) = attr(tag, "name") else { continue };
        let value = attr(tag, "value").unwrap_or_default();
        match attr(tag, "type").as_deref() {
            Some("checkbox" | "radio") if !tag.contains(" checked") => {}
            Some("file") => {}
            _ => fields.push((name, value)),
        }
    }
    for name in ["preview", "source"] {
        let open = format!("<textarea name=\"{name}\" hidden>");
        let start = form.find(&open).unwrap() + open.len();
        let end = start + form[start..].find("</textarea>").unwrap();
        fields.push((name.to_string(), unescape(&form[start..end])));
    }
    fields
}

/// Sets a field (replacing every value it had).
pub(crate) fn set(fields: &mut Vec<(String, String)>, name: &str, value: &str) {
    fields.retain(|(n, _)| n != name);
    fields.push((name.to_string(), value.to_string()));
}

pub(crate) fn value<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str()).unwrap_or_default()
}

/// Posts the import form; returns the status and the page.
pub(crate) async fn post_form(b: &Browser, fields: &[(String, String)]) -> (StatusCode, String) {
    let r = b
        .client
        .post(format!("{}/import/commit", b.base))
        .header("cookie", &b.cookie)
        .form(fields)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

/// Uploads a file to the preview page; returns the status and the page.
pub(crate) async fn preview_page(b: &Browser, name: &str, bytes: &[u8]) -> (StatusCode, String) {
    let csrf = b.csrf().await;
    let r = upload(b, "/import/preview", Some(&csrf), name, "text/plain", bytes).await;
    (r.status(), r.text().await.unwrap())
}

#[tokio::test]
async fn plans_that_assign_no_units_preview_their_measures_as_drafts_and_seed_003_its_274_tasks() {
    let app = spawn_app().await;
    naiman(&app).await;
    let b = office(&app).await;
    for (seed_name, at_least) in [(SEED_000, 5), (SEED_001, 15), (SEED_002, 5), (SEED_004, 9)] {
        let (status, page) = preview_page(&b, seed_name, &seed(seed_name)).await;
        assert_eq!(status, StatusCode::OK, "{seed_name}: {page}");
        let fields = form_of(&page);
        let preview: serde_json::Value = serde_json::from_str(value(&fields, "preview")).unwrap();
        let tasks = preview["tasks"].as_array().unwrap();
        assert!(tasks.len() >= at_least, "{seed_name}: {} tasks", tasks.len());
        let lacking = tasks.iter().filter(|t| t["lead"].as_array().unwrap().is_empty()).count();
        assert!(lacking > 0, "{seed_name}: every measure has a lead");
        assert!(page.contains(&format!("其中 <strong>{lacking}</strong> 项未写明牵头单位")), "{seed_name}");
        assert!(page.contains("批量指定单位"));
    }
    let (_, page) = preview_page(&b, SEED_001, &seed(SEED_001)).await;
    assert!(page.contains("识别出 15 项任务"));
    let (_, page) = preview_page(&b, SEED_004, &seed(SEED_004)).await;
    assert!(page.contains("识别出 9 项任务"));
    let (_, page) = preview_page(&b, SEED_003, &seed(SEED_003)).await;
    assert!(page.contains("识别出 274 项任务"));
}

#[tokio::test]
async fn the_office_gives_a_lead_to_many_rows_at_once_takes_a_suggestion_and_commits() {
    let app = spawn_app().await;
    naiman(&app).await;
    let b = office(&app).await;
    let (_, page) = preview_page(&b, SEED_001, &seed(SEED_001)).await;
    let mut fields = form_of(&page);
    let preview: serde_json::Value = serde_json::from_str(value(&fields, "preview")).unwrap();
    let n = preview["tasks"].as_array().unwrap().len();
    assert_eq!(n, 15);
    // Rows 1 to 14 get 旗人民政府办公室 as lead, and 旗财政局 to cooperate.
    for i in 1..n {
        set(&mut fields, &format!("sel_{i}"), "on");
    }
    set(&mut fields, "bulk_unit", "旗人民政府办公室");
    set(&mut fields, "action", "lead");
    let (status, page) = post_form(&b, &fields).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("已将 14 项任务的牵头单位设为“旗人民政府办公室”"), "{page}");
    let mut fields = form_of(&page);
    assert_eq!(value(&fields, "lead_3"), "旗人民政府办公室");
    assert_eq!(value(&fields, "lead_0"), "");
    assert_eq!(value(&fields, "sel_3"), "", "the rows dealt with are unticked");
    assert!(page.contains("其中 <strong>1</strong> 项未写明牵头单位"), "{page}");
    for i in 1..4 {
        set(&mut fields, &format!("sel_{i}"), "on");
    }
    set(&mut fields, "bulk_unit", "旗财政局");
    set(&mut fields, "action", "coop");
    let (_, page) = post_form(&b, &fields).await;
    assert!(page.contains("已为 3 项任务增加责任单位“旗财政局”"), "{page}");
    let mut fields = form_of(&page);
    assert_eq!(value(&fields, "coop_2"), "旗财政局");
    // Nothing ticked: the step is refused and the page kept.
    set(&mut fields, "action", "lead");
    let (status, page) = post_form(&b, &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("请先勾选要指定单位的任务"));
    // The one row left takes the unit its button names, with one click.
    let mut fields = form_of(&page);
    fields.retain(|(n, _)| n != "action");
    set(&mut fields, "pick", "0|旗发展和改革委员会");
    let (_, page) = post_form(&b, &fields).await;
    assert!(page.contains("已将第 1 项的牵头单位设为“旗发展和改革委员会”"), "{page}");
    let mut fields = form_of(&page);
    assert!(!page.contains("未写明牵头单位</"), "no row lacks a lead");
    set(&mut fields, "action", "commit");
    // Seed 001 is of 2021: its deadlines and the proposed default (2021-12-31) have passed at the
    // test's clock (2026-03-02), so the commit needs the office's confirmation.
    let (status, page) = post_form(&b, &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("导入后将立即逾期"), "{page}");
    let mut fields = form_of(&page);
    set(&mut fields, "confirm_past", "on");
    set(&mut fields, "action", "commit");
    let (status, page) = post_form(&b, &fields).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("新增 15 项"), "{page}");
    let tasks = app.get("/api/v1/tasks?per_page=100&sort=number").await.json;
    assert_eq!(tasks["total"], 15);
    let names = |t: &serde_json::Value| t["lead"].as_array().unwrap().len();
    assert!(tasks["items"].as_array().unwrap().iter().all(|t| names(t) == 1), "{tasks}");
}

#[tokio::test]
async fn measures_without_a_lead_come_with_suggestions_learnt_from_the_ledgers() {
    let app = spawn_app().await;
    let tax = app.unit("旗税务局").await;
    let land = app.unit("旗自然资源局").await;
    for (title, unit) in [
        ("增值税留抵退税提速", tax),
        ("出口退税时间压缩", tax),
        ("不动产登记一窗受理", land),
        ("不动产抵押登记网上办", land),
    ] {
        app.task(json!({"title": title, "lead": [{"unit": unit}]})).await;
    }
    let doc = "关于印发某旗优化营商环境若干措施的通知\n2026年3月1日\n一、主要措施\n\
               1.推进留抵退税智能审批，6月底前完成。\n2.推进不动产抵押登记全程网办，年底前完成。\n";
    let r = app
        .client
        .post(format!("{}/api/v1/imports/preview?filename=措施.txt", app.base))
        .body(doc.as_bytes().to_vec())
        .send()
        .await
        .unwrap();
    let status = r.status();
    let v: serde_json::Value = r.json().await.unwrap();
    app.check_documented("post", "/api/v1/imports/preview", status, &v);
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["tasks"].as_array().unwrap().len(), 2, "{v}");
    assert_eq!(v["without_lead"], 2);
    let codes: Vec<&str> =
        v["tasks"][0]["warnings"].as_array().unwrap().iter().map(|w| w["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"no_lead"), "{codes:?}");
    let s = v["suggestions"].as_array().unwrap();
    assert_eq!((s[0]["task"].as_i64(), s[0]["leads"][0]["unit_id"].as_i64()), (Some(0), Some(tax)), "{v}");
    assert_eq!((s[1]["task"].as_i64(), s[1]["leads"][0]["unit_id"].as_i64()), (Some(1), Some(land)), "{v}");
    assert!(s[0]["leads"].as_array().unwrap().len() <= 3);
    // The client takes a suggestion and commits the preview as it was handed back.
    let mut fixed = v.clone();
    fixed["tasks"][0]["lead"] = json!(["旗税务局"]);
    fixed["tasks"][1]["lead"] = json!(["旗自然资源局"]);
    let r = app.post("/api/v1/imports/commit", json!({"preview": fixed})).await;
    assert_eq!(r.json["created"], 2, "{}", r.json);
}

#[tokio::test]
async fn the_page_shows_the_year_reads_the_document_again_with_another_and_offers_the_year_end() {
    let app = spawn_app().await;
    naiman(&app).await;
    let b = office(&app).await;
    // Seed 001 was issued on 2021-01-01; the clock says 2026-03-02.
    let (_, page) = preview_page(&b, SEED_001, &seed(SEED_001)).await;
    assert!(page.contains("文件年份：<strong id=\"doc-year\">2021</strong> 年（取自发文日期）"), "{page}");
    assert!(page.contains("未写明完成时限的任务：<strong id=\"without-deadline\">15</strong> 项"), "{page}");
    let fields = form_of(&page);
    // The year's 31 December is the default choice, and it has passed.
    assert_eq!(value(&fields, "deadline_mode"), "date");
    assert_eq!(value(&fields, "default_deadline"), "2021-12-31");
    assert!(
        page.contains(
            "注意：15 项任务的完成时限已过</strong>（其中 15 项为统一设置的时限），最早为 2021-12-31，今天是 2026-03-02"
        ),
        "{page}"
    );
    assert!(!value(&fields, "source").is_empty(), "the file travels with the page");
    // The office gives row 2 a lead, then reads the document as of 2026: the lead is kept, the
    // proposed default follows the year and nothing has passed.
    let mut fields = fields;
    set(&mut fields, "lead_1", "旗财政局");
    set(&mut fields, "year", "2026");
    set(&mut fields, "action", "year");
    let (status, page) = post_form(&b, &fields).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("已按 2026 年重新读取完成时限；已指定的单位保留"), "{page}");
    assert!(page.contains("<strong id=\"doc-year\">2026</strong> 年（按指定）"), "{page}");
    let fields = form_of(&page);
    assert_eq!(value(&fields, "lead_1"), "旗财政局");
    assert_eq!(value(&fields, "year_given"), "2026");
    assert_eq!(value(&fields, "default_deadline"), "2026-12-31");
    assert!(!page.contains("id=\"past-deadlines\""), "{page}");
    // A year out of range is refused, the page kept.
    let mut bad = fields.clone();
    set(&mut bad, "year", "1999");
    set(&mut bad, "action", "year");
    let (status, page) = post_form(&b, &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("年份“1999”无效"), "{page}");
    // Leaving tasks without a deadline to the rules: no default, nothing past.
    let mut rules = fields.clone();
    set(&mut rules, "deadline_mode", "rules");
    set(&mut rules, "action", "refresh");
    let (_, page) = post_form(&b, &rules).await;
    assert_eq!(value(&form_of(&page), "deadline_mode"), "rules");
    // The upload form takes the year too.
    let csrf = b.csrf().await;
    let part = reqwest::multipart::Part::bytes(seed(SEED_004)).file_name(SEED_004);
    let form = reqwest::multipart::Form::new().text("csrf", csrf).text("year", "2025").part("file", part);
    let r = b
        .client
        .post(format!("{}/import/preview", b.base))
        .header("cookie", &b.cookie)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let page = r.text().await.unwrap();
    assert!(page.contains("<strong id=\"doc-year\">2025</strong> 年（按指定）"), "{page}");
    assert!(page.contains("识别出 9 项任务"));
}

#[tokio::test]
async fn a_past_default_is_refused_until_confirmed_and_the_default_is_written() {
    let app = spawn_app().await;
    naiman(&app).await;
    let b = office(&app).await;
    let (_, page) = preview_page(&b, SEED_004, &seed(SEED_004)).await;
    let mut fields = form_of(&page);
    for i in 0..9 {
        set(&mut fields, &format!("lead_{i}"), "旗人民政府办公室");
        set(&mut fields, &format!("coop_{i}"), "");
    }
    // Seed 004 is of 2024: its year's end has passed at 2026-03-02.
    set(&mut fields, "action", "commit");
    let (status, page) = post_form(&b, &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(
        page.contains(
            "完成时限已过（其中 9 项为统一设置的默认时限），最早为 2024-12-31（今天是 2026-03-02），导入后将立即逾期"
        ),
        "{page}"
    );
    assert_eq!(app.get("/api/v1/tasks").await.json["total"], 0);
    // Another default, in the future: committed without a confirmation.
    let mut fields = form_of(&page);
    set(&mut fields, "default_deadline", "2026-06-30");
    set(&mut fields, "action", "commit");
    let (status, page) = post_form(&b, &fields).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("新增 9 项"), "{page}");
    let tasks = app.get("/api/v1/tasks?per_page=100").await.json;
    assert!(tasks["items"].as_array().unwrap().iter().all(|t| t["deadline"] == "2026-06-30"), "{tasks}");
}

#[tokio::test]
async fn unknown_units_are_mapped_by_alias_or_created_from_the_page() {
    let app = spawn_app().await;
    naiman(&app).await;
    let b = office(&app).await;
    // Seed 001 names two units the 奈曼旗 directory does not have.
    let (_, page) = preview_page(&b, SEED_001, &seed(SEED_001)).await;
    assert!(page.contains("不在单位名录中的单位（2 个）"), "{page}");
    let fields = form_of(&page);
    let names = [value(&fields, "unknown_0").to_string(), value(&fields, "unknown_1").to_string()];
    assert_eq!(names, ["政府督查室", "政府行政审批部门"]);
    // 政府督查室 is the 旗政府办公室's: the picker finds it by an alias, which is what is typed.
    let choices = &page[page.find("<datalist id=\"unit-choices\">").unwrap()..];
    assert!(choices.contains("<option value=\"旗政府办公室\">旗政府办公室（"), "the picker shows aliases");
    assert!(choices.contains("旗政府办"), "the picker shows aliases");
    let mut fields = fields;
    set(&mut fields, "map_0", "旗政府办");
    set(&mut fields, "settle", "map|0");
    let (status, page) = post_form(&b, &fields).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("已将“政府督查室”对应到单位“旗政府办公室”，并记为其别名"), "{page}");
    assert!(page.contains("不在单位名录中的单位（1 个）"), "{page}");
    // Nothing picked, or a name that is no unit: refused, the page kept.
    let mut fields = form_of(&page);
    fields.retain(|(n, _)| n != "settle");
    set(&mut fields, "settle", "map|0");
    let (status, page) = post_form(&b, &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("请为“政府行政审批部门”选择对应的已有单位"), "{page}");
    let mut fields = form_of(&page);
    set(&mut fields, "map_0", "无此单位");
    set(&mut fields, "settle", "map|0");
    let (_, page) = post_form(&b, &fields).await;
    assert!(page.contains("单位名录中没有“无此单位”这个单位"), "{page}");
    // The other is created as a unit.
    let mut fields = form_of(&page);
    set(&mut fields, "settle", "create|0");
    let (status, page) = post_form(&b, &fields).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("已在单位名录中新建单位“政府行政审批部门”"), "{page}");
    assert!(!page.contains("不在单位名录中的单位"), "{page}");
    // Both are in the audit log; the next reading of the document knows them.
    let log = app.get("/api/v1/admin/events?limit=5").await.json;
    let kinds: Vec<&str> = log.as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(&kinds[..2], ["unit.add", "unit.alias"]);
    let (_, page) = preview_page(&b, SEED_001, &seed(SEED_001)).await;
    assert!(!page.contains("不在单位名录中的单位"), "{page}");
    // An officer may not settle names: the import pages are the office's.
    let unit = app.unit("某单位").await;
    person(&app, "officer", Some(unit), json!(["officer"])).await;
    let mut officer = Browser::new(&app);
    officer.sign_in("officer", "pw-reciffo-2026").await;
    let csrf = officer.csrf().await;
    let r = officer
        .post(
            "/import/commit",
            &[("csrf", csrf.as_str()), ("preview", "{}"), ("settle", "create|0"), ("unknown_0", "某名称")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}
