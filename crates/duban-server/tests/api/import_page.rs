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
