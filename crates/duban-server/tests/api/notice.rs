//! The 督办通知单 (issue 12 §3): issued by hand with a chosen 答复时限 and added 主送 units,
//! numbered per year of issue, refused with a stable code for a reply date that is not a working
//! day from today on; the print view and the .docx (pages and API), shown only to those who may
//! see the task; and the .docx converted by LibreOffice to a one-page A4 PDF that reads back.

use crate::helpers::*;
use duban_domain::ids::PersonId;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::Read;

struct World {
    lead: i64,
    coop: i64,
    other: i64,
    lead_officer: PersonId,
    coop_officer: PersonId,
    other_officer: PersonId,
    task: Value,
}

async fn officer(app: &TestApp, username: &str, unit: i64) -> PersonId {
    let r = app
        .post(
            "/api/v1/people",
            json!({"name": format!("{username}同志"), "username": username, "unit_id": unit, "roles": ["officer"],
                   "email": format!("{username}@naiman.example")}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    PersonId(r.json["id"].as_i64().unwrap())
}

async fn world(app: &TestApp) -> World {
    let lead = app.unit("旗住房和城乡建设局").await;
    let coop = app.unit("旗财政局").await;
    let other = app.unit("旗林业和草原局").await;
    let lead_officer = officer(app, "lead_officer", lead).await;
    let coop_officer = officer(app, "coop_officer", coop).await;
    let other_officer = officer(app, "other_officer", other).await;
    let task = app
        .task(json!({"title": "推进老旧小区改造", "lead": [{"unit": lead}], "cooperating": [{"unit": coop}],
                      "deadline": "2026-06-30"}))
        .await;
    World { lead, coop, other, lead_officer, coop_officer, other_officer, task }
}

/// A session for a person: the bearer token (API) and cookie value (pages).
async fn session(app: &TestApp, p: PersonId) -> String {
    app.session(p.0, &p.0.to_string()).await
}

/// The root session's token (every `app.get` runs as it).
fn root_token() -> String {
    format!("root-session-{}", std::process::id())
}

/// A GET of a page or file as the holder of `token`: status, content type, bytes.
async fn fetch(app: &TestApp, token: &str, path: &str) -> (StatusCode, String, Vec<u8>) {
    let r = reqwest::Client::new()
        .get(format!("{}{path}", app.base))
        .header("cookie", format!("duban_session={token}"))
        .header("authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    let status = r.status();
    let ct = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    (status, ct, r.bytes().await.unwrap().to_vec())
}

fn part(docx: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut out = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut out).unwrap();
    out
}

fn path(w: &World) -> String {
    format!("/api/v1/tasks/{}/notices", w.task["id"])
}

#[tokio::test]
async fn a_notice_by_hand_takes_the_reply_date_and_recipients_chosen_and_reaches_their_people() {
    let app = spawn_app().await;
    let w = world(&app).await;
    // Monday 2026-03-02: a reply by Friday, the cooperating unit added.
    let r = app
        .post(
            &path(&w),
            json!({"text": "请于本周内完成签收并报送方案", "answer_by": "2026-03-06", "recipients": [w.coop]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    assert_eq!(r.json["number"], "督〔2026〕1号");
    assert_eq!(
        (r.json["answer_by"].as_str(), r.json["recipients"].clone()),
        (Some("2026-03-06"), json!([w.lead, w.coop]))
    );
    // The lead and the cooperating unit's people are told; the other unit's are not.
    for (p, told) in [(w.lead_officer, true), (w.coop_officer, true), (w.other_officer, false)] {
        let msgs = app.store.list_messages(Some(p), 10).await.unwrap();
        let got = msgs.iter().any(|m| {
            m.message.kind == "supervise"
                && m.message.subject.contains("督〔2026〕1号")
                && m.message.body.contains("2026-03-06")
        });
        assert_eq!(got, told, "{p:?}: {msgs:?}");
    }
    // In the trail, with the date and the units.
    let events = app.get(&format!("/api/v1/tasks/{}/events", w.task["id"])).await.json;
    let last = events.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "supervised");
    assert_eq!(
        (last["data"]["answer_by"].clone(), last["data"]["recipients"].clone()),
        (json!("2026-03-06"), json!([w.lead, w.coop]))
    );
    assert_eq!(last["data"]["text"], "请于本周内完成签收并报送方案");
    // The same form sent twice at the same instant issues nothing more.
    let again = json!({"text": "请于本周内完成签收并报送方案", "answer_by": "2026-03-06", "recipients": [w.coop]});
    let r = app.post(&path(&w), again).await;
    assert_eq!((r.status, code(&r)), (StatusCode::CONFLICT, "conflict"), "{}", r.json);
    // No date chosen: the rules' (3 working days), and the lead unit alone.
    app.clock.set(bj("2026-03-02T09:05"));
    let r = app.post(&path(&w), json!({"text": "再次督办"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    assert_eq!((r.json["number"].as_str(), r.json["answer_by"].as_str()), (Some("督〔2026〕2号"), Some("2026-03-05")));
    assert_eq!(r.json["recipients"], json!([w.lead]));
}

#[tokio::test]
async fn a_reply_date_that_is_not_a_working_day_from_today_on_or_a_stranger_unit_is_refused() {
    let app = spawn_app().await;
    let w = world(&app).await;
    for (body, field) in [
        // Saturday.
        (json!({"text": "请加快", "answer_by": "2026-03-07"}), "answer_by"),
        // The Friday before today.
        (json!({"text": "请加快", "answer_by": "2026-02-27"}), "answer_by"),
        // A unit that does not cooperate on the task.
        (json!({"text": "请加快", "recipients": [w.other]}), "recipients"),
        (json!({"text": "  "}), "text"),
    ] {
        let r = app.post(&path(&w), body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", r.json);
        assert_eq!((code(&r), r.json["error"]["field"].as_str()), ("invalid_input", Some(field)), "{body}");
    }
    let r = app.post(&path(&w), json!({"text": "请加快", "answer_by": "2026-03-0x"})).await;
    assert_eq!(r.status.as_u16() / 100, 4);
    // Nothing was issued: the next notice is the first.
    assert!(app.store.list_notices().await.unwrap().is_empty());
    // Today itself, a working day, is allowed.
    let r = app.post(&path(&w), json!({"text": "今日答复", "answer_by": "2026-03-02"})).await;
    assert_eq!((r.status, r.json["number"].as_str()), (StatusCode::CREATED, Some("督〔2026〕1号")));
    // A unit officer may not issue one; a missing task is missing.
    let token = session(&app, w.lead_officer).await;
    let r = reqwest::Client::new()
        .post(format!("{}{}", app.base, path(&w)))
        .header("authorization", format!("Bearer {token}"))
        .json(&json!({"text": "自己督办自己"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app.post("/api/v1/tasks/999999/notices", json!({"text": "请加快"})).await;
    assert_eq!((r.status, code(&r)), (StatusCode::NOT_FOUND, "not_found"));
}

#[tokio::test]
async fn notices_are_numbered_by_the_year_they_are_issued_in() {
    let app = spawn_app().await;
    app.clock.set(bj("2025-12-30T10:00"));
    let w = world(&app).await;
    // Issued on 30 December 2025, answered in January 2026: 督〔2025〕1号.
    let r = app.post(&path(&w), json!({"text": "年底督办", "answer_by": "2026-01-05"})).await;
    assert_eq!((r.status, r.json["number"].as_str()), (StatusCode::CREATED, Some("督〔2025〕1号")), "{}", r.json);
    for n in 1..=2 {
        app.clock.set(bj(&format!("2026-03-02T09:0{n}")));
        let r = app.post(&path(&w), json!({"text": "新年督办"})).await;
        assert_eq!(r.json["number"].as_str(), Some(format!("督〔2026〕{n}号").as_str()));
    }
}

#[tokio::test]
async fn the_print_view_and_the_docx_carry_the_official_layout_for_those_who_see_the_task_only() {
    let app = spawn_app().await;
    app.duban.supervision().set_issuer("奈曼旗人民政府督查室");
    let w = world(&app).await;
    let r = app
        .post(&path(&w), json!({"text": "请加快推进改造进度", "answer_by": "2026-03-10", "recipients": [w.coop]}))
        .await;
    let id = r.json["id"].as_i64().unwrap();
    // The print view.
    let (status, ct, body) = fetch(&app, &root_token(), &format!("/notices/{id}")).await;
    let page = String::from_utf8(body).unwrap();
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(ct.starts_with("text/html"));
    for text in [
        "<h1 class=\"notice-issuer\">奈曼旗人民政府督查室</h1>",
        "<p class=\"notice-number\">督〔2026〕1号</p>",
        "关于“推进老旧小区改造”的督办通知",
        "旗住房和城乡建设局、旗财政局：",
        "请加快推进改造进度。",
        "请于2026年3月10日前将办理情况书面报送奈曼旗人民政府督查室",
        "完成时限为2026年6月30日",
        "<p class=\"notice-date\">2026年3月2日</p>",
        "一、基本情况",
        "/notices/",
    ] {
        assert!(page.contains(text), "{text} in the print view");
    }
    let (_, _, css) = fetch(&app, &root_token(), "/static/duban.css").await;
    let css = String::from_utf8(css).unwrap();
    assert!(css.contains("@page { size: A4; margin: 37mm 26mm 35mm 28mm; }"));
    // The task page lists it with its print view and Word file.
    let (_, _, task_page) = fetch(&app, &root_token(), &format!("/tasks/{}", w.task["id"])).await;
    let task_page = String::from_utf8(task_page).unwrap();
    assert!(task_page.contains(&format!("href=\"/notices/{id}\">督〔2026〕1号</a>")));
    assert!(task_page.contains(&format!("href=\"/notices/{id}.docx\"")));
    // The .docx, from the page and from the API.
    let (status, ct, docx) = fetch(&app, &root_token(), &format!("/notices/{id}.docx")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ct, "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    let doc = part(&docx, "word/document.xml");
    for text in [
        "督〔2026〕1号",
        "关于“推进老旧小区改造”的督办通知",
        "旗住房和城乡建设局、旗财政局：",
        "2026年3月2日",
        r#"w:top="2098" w:right="1474" w:bottom="1984" w:left="1587""#,
        r#"<w:pgSz w:w="11906" w:h="16838"/>"#,
        r#"<w:color w:val="FF0000"/>"#,
    ] {
        assert!(doc.contains(text), "{text} in document.xml");
    }
    let (status, _, api_docx) = fetch(&app, &root_token(), &format!("/api/v1/notices/{id}/docx")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(part(&api_docx, "word/document.xml"), doc);
    let sheet = app.get(&format!("/api/v1/notices/{id}")).await;
    assert_eq!(sheet.status, StatusCode::OK);
    assert_eq!(
        (sheet.json["number"].as_str(), sheet.json["recipients"].clone(), sheet.json["answer_by"].as_str()),
        (Some("督〔2026〕1号"), json!(["旗住房和城乡建设局", "旗财政局"]), Some("2026-03-10"))
    );
    // The units' people see it; another unit's officer is told it does not exist, as for a
    // notice that does not.
    for (p, want) in
        [(w.lead_officer, StatusCode::OK), (w.coop_officer, StatusCode::OK), (w.other_officer, StatusCode::NOT_FOUND)]
    {
        let token = session(&app, p).await;
        for path in [format!("/notices/{id}"), format!("/notices/{id}.docx"), format!("/api/v1/notices/{id}/docx")] {
            let (status, _, body) = fetch(&app, &token, &path).await;
            assert_eq!(status, want, "{p:?} {path}");
            if want != StatusCode::OK {
                assert!(!String::from_utf8_lossy(&body).contains("老旧小区"), "{path} leaks the title");
            }
        }
    }
    let (status, _, _) = fetch(&app, &root_token(), "/notices/999999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = fetch(&app, &root_token(), "/notices/abc.docx").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn libreoffice_prints_the_docx_on_one_a4_page_with_the_number_title_and_recipients() {
    let Some(soffice) = soffice() else { return };
    let app = spawn_app().await;
    let w = world(&app).await;
    let r = app
        .post(&path(&w), json!({"text": "请加快推进改造进度", "answer_by": "2026-03-10", "recipients": [w.coop]}))
        .await;
    let id = r.json["id"].as_i64().unwrap();
    let (_, _, docx) = fetch(&app, &root_token(), &format!("/notices/{id}.docx")).await;
    let dir = tempfile::tempdir().unwrap();
    let (pdf, text) = print_docx(&soffice, &docx, dir.path(), "notice");
    // Kept beside the browser tests' screenshots, for a person to look at.
    let shots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    if std::fs::create_dir_all(&shots).is_ok() {
        let _ = std::fs::copy(&pdf, shots.join("notice-docx.pdf"));
    }
    for want in ["督〔2026〕1号", "关于“推进老旧小区改造”的督办通知", "旗住房和城乡建设局、旗财政局：", "2026年3月2日"]
    {
        assert!(text.contains(want), "{want} in the PDF: {text}");
    }
    let info = std::process::Command::new("pdfinfo").arg(&pdf).output().unwrap();
    let info = String::from_utf8_lossy(&info.stdout).to_string();
    assert!(info.lines().any(|l| l.starts_with("Pages:") && l.trim_end().ends_with(" 1")), "{info}");
    assert!(info.contains("(A4)"), "{info}");
}

#[tokio::test]
async fn the_task_pages_form_keeps_what_was_chosen_when_refused_and_says_when_the_notice_went_out() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let post = |form: Vec<(&'static str, String)>| {
        client
            .post(format!("{}/tasks/{}/supervise", app.base, w.task["id"]))
            .header("cookie", format!("duban_session={}", root_token()))
            .form(&form)
            .send()
    };
    let coop = w.coop.to_string();
    let form = |date: &str| {
        vec![
            ("csrf", "root-csrf".to_string()),
            ("text", "请加快推进改造进度".to_string()),
            ("answer_by", date.to_string()),
            ("recipient", coop.clone()),
        ]
    };
    // Saturday: refused, and the page keeps the instruction, the date and the unit ticked.
    let r = post(form("2026-03-07")).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("答复时限 2026-03-07 不是工作日"), "{page}");
    assert!(page.contains(">请加快推进改造进度</textarea>"));
    assert!(page.contains("name=\"answer_by\" value=\"2026-03-07\""));
    assert!(page.contains(&format!("name=\"recipient\" value=\"{coop}\" checked")));
    assert!(app.store.list_notices().await.unwrap().is_empty());
    // A working day: issued, and the task page says so.
    let r = post(form("2026-03-09")).await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let (_, _, page) = fetch(&app, &root_token(), &to).await;
    let page = String::from_utf8(page).unwrap();
    assert!(page.contains("已发出督办单 督〔2026〕1号"), "{page}");
    let n = &app.store.list_notices().await.unwrap()[0];
    assert_eq!((n.answer_by.to_string(), n.recipients.len()), ("2026-03-09".to_string(), 2));
}
