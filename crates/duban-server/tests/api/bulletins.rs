//! The monthly bulletin (issue 13 §5) over a small scripted month: the draft's figures and
//! their change against last month, the naming candidates, a 涉密 task's title nowhere (draft,
//! Word file, web page, public page), issuing (numbered per year, immutable in the API and in
//! SQL on both backends, public namings written as assessment facts), the Word file read back
//! and printed by LibreOffice.

use crate::helpers::*;
use duban_app::actor::Actor;
use duban_domain::assessment::{Indicator, Span};
use duban_domain::ids::{PersonId, UnitId};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::Read;

const SECRET_TITLE: &str = "绝密边境事项丙";

fn root_token() -> String {
    format!("root-session-{}", std::process::id())
}

/// A GET as the root session (pages and files), or anonymously: status and body.
async fn fetch(app: &TestApp, path: &str, signed: bool) -> (StatusCode, Vec<u8>) {
    let mut req = reqwest::Client::new().get(format!("{}{path}", app.base));
    if signed {
        req = req.header("cookie", format!("duban_session={}", root_token()));
    }
    let r = req.send().await.unwrap();
    (r.status(), r.bytes().await.unwrap().to_vec())
}

async fn act(app: &TestApp, id: &Value, actor: PersonId, body: Value) -> Reply {
    let t = app.get(&format!("/api/v1/tasks/{id}")).await.json;
    let mut body = body;
    body["version"] = t["version"].clone();
    body["actor"] = json!(actor.0);
    app.post(&format!("/api/v1/tasks/{id}/actions"), body).await
}

struct Month {
    a: i64,
    b: i64,
}

/// February: one task of 甲局, never done. March: 甲局's key task done on time, 乙局's
/// leader's instruction never done (named after two 督办), 甲局's 涉密 task never done (named
/// too, but never in a bulletin).
async fn month(app: &TestApp) -> Month {
    let a = app.unit("旗甲局").await;
    let b = app.unit("旗乙局").await;
    let officer = app
        .post(
            "/api/v1/people",
            json!({"name": "甲局经办人", "username": "officer_a", "unit_id": a, "roles": ["officer"]}),
        )
        .await
        .json["id"]
        .as_i64()
        .unwrap();
    app.clock.set(bj("2026-02-02T09:00"));
    app.task(json!({"title": "二月任务戊", "lead": [{"unit": a}], "deadline": "2026-02-20"})).await;
    app.clock.set(bj("2026-03-02T09:00"));
    let key = app
        .task(json!({"title": "公开重点任务甲", "lead": [{"unit": a}], "priority": "重点", "classification": "公开",
            "deadline": "2026-03-20"}))
        .await;
    app.task(json!({"title": "内部批示任务乙", "lead": [{"unit": b}], "source": "领导批示", "classification": "内部",
        "deadline": "2026-03-20"}))
        .await;
    app.task(json!({"title": SECRET_TITLE, "lead": [{"unit": a}], "classification": "涉密", "deadline": "2026-03-25"}))
        .await;
    // 甲 is signed at once and done on 03-10.
    let id = key["id"].clone();
    app.clock.set(bj("2026-03-03T09:00"));
    let r = act(app, &id, PersonId(officer), json!({"action": "sign"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    app.clock.set(bj("2026-03-10T09:00"));
    act(app, &id, PersonId(officer), json!({"action": "report", "text": "按计划推进"})).await;
    let t = app.get(&format!("/api/v1/tasks/{id}")).await.json;
    let file = app.attach(&t, "完成情况.pdf", b"%PDF-1.4 done").await;
    let r = act(app, &id, PersonId(officer), json!({"action": "feedback", "text": "已完成", "evidence": [file]})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let r = act(app, &id, PersonId(1), json!({"action": "approve"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    // The others are never signed: a 督办 on 03-06, a second on 03-12, then named.
    app.duban.supervision().pass(bj("2026-03-06T09:00")).await.unwrap();
    let r = app.duban.supervision().pass(bj("2026-03-12T09:00")).await.unwrap();
    assert!(r.naming_candidates >= 2, "{r:?}");
    app.clock.set(bj("2026-04-02T09:00"));
    Month { a, b }
}

fn paragraphs(b: &Value) -> Vec<(usize, usize, String, Value)> {
    let mut out = Vec::new();
    for (s, sec) in b["body"]["sections"].as_array().unwrap().iter().enumerate() {
        for (p, para) in sec["paragraphs"].as_array().unwrap().iter().enumerate() {
            out.push((s, p, para["text"].as_str().unwrap().to_string(), para["names"].clone()));
        }
    }
    out
}

fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut out).unwrap();
    out
}

#[tokio::test]
async fn a_months_bulletin_is_drafted_problems_first_edited_issued_numbered_and_kept() {
    let app = spawn_app().await;
    let m = month(&app).await;
    let r = app.post("/api/v1/bulletins", json!({"month": "2026-13"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json);
    let r = app.post("/api/v1/bulletins", json!({"month": "2026-03"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let draft = r.json;
    let id = draft["id"].as_i64().unwrap();
    assert_eq!((draft["status"].as_str(), draft["number"].as_null()), (Some("draft"), Some(())));
    let text = draft.to_string();
    assert!(!text.contains(SECRET_TITLE), "the 涉密 task is never named: {text}");
    let headings: Vec<&str> =
        draft["body"]["sections"].as_array().unwrap().iter().map(|s| s["heading"].as_str().unwrap()).collect();
    assert_eq!(
        headings,
        [
            "一、基本情况",
            "二、存在的问题",
            "三、领导批示落实情况",
            "四、重点项目推进情况",
            "五、典型经验",
            "六、下一步工作建议"
        ]
    );
    let ps = paragraphs(&draft);
    let overview = &ps[0].2;
    // March: 3 assigned, 3 due, 1 on time, 2 late (both still open); February: 1 due, late.
    for want in [
        "交办督办事项3件（上月1件）",
        "本月到期3件",
        "按时办结1件",
        "逾期办结或逾期未办结2件",
        "逾期未办结2件",
        "33.3%",
        "较上月上升33.3个百分点",
    ] {
        assert!(overview.contains(want), "{want} in {overview}");
    }
    // The naming candidates of March on tasks that may be named: 乙局's and 甲局's February task.
    let named: Vec<&(usize, usize, String, Value)> = ps.iter().filter(|p| !p.3.is_null()).collect();
    assert!(named.iter().any(|p| p.2.contains("旗乙局") && p.2.contains("内部批示任务乙")), "{ps:?}");
    assert!(named.iter().all(|p| p.3["unit"].as_i64().is_some()));
    assert!(ps.iter().any(|p| p.2.contains("领导批示事项1件") && p.2.contains("逾期未办结1件")), "{ps:?}");
    assert!(ps.iter().any(|p| p.2.contains("未按时落实的领导批示事项：“内部批示任务乙”")), "{ps:?}");
    assert!(ps.iter().any(|p| p.2.contains("重点事项1件，按时办结1件")), "{ps:?}");
    assert!(ps.iter().any(|p| p.2.contains("重点事项：“公开重点任务甲”")), "{ps:?}");
    assert!(ps.iter().any(|p| p.2.contains("旗乙局（逾期1件、累计逾期7个工作日）")), "{ps:?}");
    assert!(ps.iter().any(|p| p.2.contains("旗甲局（按时办结率")), "{ps:?}");
    let table = &draft["body"]["tables"][0];
    assert_eq!(table["header"][0], "单位");
    let row_b = table["rows"].as_array().unwrap().iter().find(|r| r[0] == "旗乙局").unwrap();
    assert_eq!((row_b[1].as_str(), row_b[3].as_str()), (Some("1"), Some("1")), "{table}");

    // The office edits: the overview and the naming of 乙局 public, a paragraph rewritten.
    let naming = named.iter().find(|p| p.2.contains("旗乙局")).unwrap();
    let r = app
        .send(
            "patch",
            &format!("/api/v1/bulletins/{id}"),
            Some(json!({"title": "关于2026年3月督查督办工作情况的通报", "paragraphs": [
                {"section": 0, "paragraph": 0, "public": true},
                {"section": naming.0, "paragraph": naming.1, "public": true},
                {"section": 4, "paragraph": 0, "text": "旗甲局建立周调度机制，值得推广。"}
            ]})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["body"]["sections"][4]["paragraphs"][0]["text"], "旗甲局建立周调度机制，值得推广。");
    let r = app
        .send(
            "patch",
            &format!("/api/v1/bulletins/{id}"),
            Some(json!({"paragraphs": [{"section": 9, "paragraph": 0}]})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json);
    assert_eq!(app.get(&format!("/api/v1/bulletins/{id}/docx")).await.status, StatusCode::NOT_FOUND);

    // Issued: numbered in the year of issue, then immutable.
    let r = app.post(&format!("/api/v1/bulletins/{id}/issue"), json!(null)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!((r.json["status"].as_str(), r.json["number"].as_str()), (Some("issued"), Some("督通〔2026〕1号")));
    assert_eq!(r.json["issued_on"], "2026-04-02");
    let r = app.send("patch", &format!("/api/v1/bulletins/{id}"), Some(json!({"title": "改"})), &[]).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.json);
    assert_eq!(app.send("delete", &format!("/api/v1/bulletins/{id}"), None, &[]).await.status, StatusCode::CONFLICT);
    assert_eq!(app.post(&format!("/api/v1/bulletins/{id}/issue"), json!(null)).await.status, StatusCode::CONFLICT);

    // The public naming counts for 乙局 in the assessment, on the day of issue.
    let s = app.duban.assessment();
    let april = Span::parse("2026-04").unwrap();
    let ts = s.tallies(&april, s.as_of(&april)).await.unwrap();
    let namings = |u: i64| {
        ts.iter()
            .filter(|t| t.unit == UnitId(u) && t.indicator == Indicator::PublicNaming)
            .map(|t| t.count)
            .sum::<i64>()
    };
    assert_eq!((namings(m.b), namings(m.a)), (1, 0));

    // The second bulletin of the year is 2号; a draft can be deleted.
    let second = app.post("/api/v1/bulletins", json!({"month": "2026-03"})).await.json;
    let r = app.post(&format!("/api/v1/bulletins/{}/issue", second["id"]), json!(null)).await;
    assert_eq!(r.json["number"], "督通〔2026〕2号");
    let third = app.post("/api/v1/bulletins", json!({"month": "2026-02"})).await.json;
    let r = app.send("delete", &format!("/api/v1/bulletins/{}", third["id"]), None, &[]).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get("/api/v1/bulletins").await.json.as_array().unwrap().len(), 2);
    // In the next year the numbers start again.
    app.clock.set(bj("2027-01-05T09:00"));
    let next = app.post("/api/v1/bulletins", json!({"month": "2026-12"})).await.json;
    let r = app.post(&format!("/api/v1/bulletins/{}/issue", next["id"]), json!(null)).await;
    assert_eq!(r.json["number"], "督通〔2027〕1号", "{}", r.json);

    // The Word file read back: the red masthead, the number, the paragraphs, the table.
    let (status, docx) = fetch(&app, &format!("/api/v1/bulletins/{id}/docx"), true).await;
    assert_eq!(status, StatusCode::OK);
    let doc = part(&docx, "word/document.xml");
    let mark = doc.find("文件</w:t>").unwrap();
    assert!(doc[..mark].rfind(r#"<w:color w:val="FF0000"/>"#).unwrap() > doc[..mark].rfind("<w:r>").unwrap());
    for want in [
        "督通〔2026〕1号",
        "关于2026年3月督查督办工作情况的通报",
        "一、基本情况",
        "旗甲局建立周调度机制，值得推广。",
        "内部批示任务乙",
        "<w:tbl>",
        "逾期工作日",
        "2026年4月2日",
        "印发",
    ] {
        assert!(doc.contains(want), "{want} in the document");
    }
    assert!(!doc.contains(SECRET_TITLE));

    // The page: the bulletin in the official look, no 涉密 title; the public page: the public
    // paragraphs only, without signing in.
    let (status, page) = fetch(&app, &format!("/bulletins/{id}"), true).await;
    let page = String::from_utf8(page).unwrap();
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("督通〔2026〕1号") && page.contains("notice-issuer") && page.contains("/docx"));
    assert!(!page.contains(SECRET_TITLE));
    let (status, public) = fetch(&app, "/public/bulletins", false).await;
    let public = String::from_utf8(public).unwrap();
    assert_eq!(status, StatusCode::OK);
    assert!(public.contains("督通〔2026〕1号") && public.contains(&ps[0].2) && public.contains(&naming.2));
    assert!(
        !public.contains("旗甲局建立周调度机制") && !public.contains(SECRET_TITLE) && !public.contains("逾期工作日")
    );
    let r = reqwest::get(format!("{}/api/v1/public/bulletins", app.base)).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let list: Value = r.json().await.unwrap();
    let first = list.as_array().unwrap().iter().find(|b| b["id"] == id).unwrap();
    assert_eq!(first["body"]["sections"].as_array().unwrap().len(), 2, "{first}");
    assert!(first["body"]["tables"].as_array().unwrap().is_empty());
    let (status, listing) = fetch(&app, "/bulletins", true).await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8(listing).unwrap().contains("督通〔2027〕1号"));
}

/// An issued bulletin cannot be changed or deleted in SQL either; a draft can.
async fn immutable_in_sql(db: duban_store_tests::TestDb) {
    let clock = std::sync::Arc::new(duban_domain::clock::FixedClock::new(bj("2026-04-02T09:00")));
    let services = duban_app::service::Services::new(
        db.store.clone(),
        duban_domain::policy::Policy::builtin("x-district-2022").unwrap(),
        clock,
        duban_domain::calendar::UnknownYears::Error,
    )
    .await
    .unwrap();
    let cli = Actor::command_line();
    let issued = services.bulletins().draft(&cli, "2026-03").await.unwrap();
    let draft = services.bulletins().draft(&cli, "2026-03").await.unwrap();
    let issued = services.bulletins().issue(&cli, issued.id).await.unwrap();
    assert_eq!(issued.number.as_deref(), Some("督通〔2026〕1号"));
    let update = format!("UPDATE bulletins SET title = '篡改' WHERE id = {}", issued.id);
    let e = db.raw_execute(&update).await.unwrap_err();
    assert!(e.contains("immutable"), "{e}");
    let e = db.raw_execute(&format!("DELETE FROM bulletins WHERE id = {}", issued.id)).await.unwrap_err();
    assert!(e.contains("immutable"), "{e}");
    assert_eq!(db.raw_execute(&format!("UPDATE bulletins SET title = '改' WHERE id = {}", draft.id)).await, Ok(1));
    assert_eq!(services.bulletins().get(&cli, issued.id).await.unwrap().title, issued.title);
}

#[tokio::test]
async fn an_issued_bulletin_is_immutable_in_sql_on_sqlite() {
    immutable_in_sql(duban_store_tests::sqlite().await.unwrap()).await;
}

#[tokio::test]
async fn an_issued_bulletin_is_immutable_in_sql_on_postgres() {
    let Some(db) = duban_store_tests::postgres().await else {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "DUBAN_TEST_PG_URL is required under CI=true");
        eprintln!("skipped: DUBAN_TEST_PG_URL is not set");
        return;
    };
    immutable_in_sql(db).await;
}

#[tokio::test]
async fn libreoffice_prints_the_bulletin_with_its_number_and_title_and_page_one_is_the_readmes_screenshot() {
    let Some(soffice) = soffice() else { return };
    let app = spawn_app().await;
    app.duban.supervision().set_issuer("奈曼旗人民政府督查室");
    month(&app).await;
    let b = app.post("/api/v1/bulletins", json!({"month": "2026-03"})).await.json;
    let id = b["id"].as_i64().unwrap();
    app.post(&format!("/api/v1/bulletins/{id}/issue"), json!(null)).await;
    let (_, docx) = fetch(&app, &format!("/api/v1/bulletins/{id}/docx"), true).await;
    let dir = tempfile::tempdir().unwrap();
    let (pdf, text) = print_docx(&soffice, &docx, dir.path(), "bulletin");
    for want in ["督通〔2026〕1号", "关于2026年3月督查督办工作情况的通报", "一、基本情况", "二、存在的问题"]
    {
        assert!(text.contains(want), "{want} in the PDF: {text}");
    }
    assert!(!text.contains(SECRET_TITLE));
    // Page 1 at 60 dpi, for the README.
    let stem = dir.path().join("page");
    let out = std::process::Command::new("pdftoppm")
        .args(["-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&pdf)
        .arg(&stem)
        .output()
        .unwrap();
    let png = dir.path().join("page.png");
    assert!(png.exists(), "pdftoppm made no PNG: {}", String::from_utf8_lossy(&out.stderr));
    let shots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    std::fs::copy(&png, shots.join("bulletin.png")).unwrap();
}
