//! The 督办通知单 (issue 12 §3): the office opens a task, issues a notice with a reply date of
//! its choosing and a cooperating unit added to 主送, is told it went out, opens the print view
//! (desk, phone, and printed by Chromium to an A4 PDF), and downloads the .docx with its session
//! and reads it back.

use crate::support::*;
use fantoccini::wd::{PrintConfiguration, PrintMargins};
use std::io::Read;

#[tokio::test]
async fn the_office_issues_prints_and_downloads_a_notice() {
    let Some(driver) = start_driver().await else { return };
    let app = spawn_app().await;
    let base = app.base.clone();
    app.duban.supervision().set_issuer("奈曼旗人民政府督查室");
    let lead = app.unit("旗住房和城乡建设局").await;
    let coop = app.unit("旗财政局").await;
    person(&app, "office", None, Role::Office).await;
    let coop_officer = person(&app, "coop_officer", Some(UnitId(coop)), Role::Officer).await;
    // Monday 2026-03-02.
    let task = app
        .task(json!({"title": "推进老旧小区改造", "lead": [{"unit": lead}], "cooperating": [{"unit": coop}],
                      "deadline": "2026-06-30", "classification": "内部"}))
        .await;
    let id = task["id"].as_i64().unwrap();

    let c = browser(&driver, 1280, 800).await;
    sign_in(&c, &base, "office", "pw-eciffo-2022").await;
    c.goto(&format!("{base}/tasks/{id}")).await.unwrap();
    let form = c.find(Locator::Css("form.notice-form")).await.unwrap();
    // The rules' date is offered (3 working days), and today is the earliest.
    let date = form.find(Locator::Css("input[name=answer_by]")).await.unwrap();
    assert_eq!(date.prop("value").await.unwrap().as_deref(), Some("2026-03-05"));
    assert_eq!(date.attr("min").await.unwrap().as_deref(), Some("2026-03-02"));
    c.execute("document.querySelector('form.notice-form input[name=answer_by]').value = '2026-03-10';", vec![])
        .await
        .unwrap();
    form.find(Locator::Css("textarea[name=text]")).await.unwrap().send_keys("请加快推进改造进度").await.unwrap();
    form.find(Locator::Css(&format!("input[name=recipient][value='{coop}']"))).await.unwrap().click().await.unwrap();
    form.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_for(&c, "已发出督办单 督〔2026〕1号").await;
    assert!(fits(&c).await, "the task page fits the desk");
    // The cooperating unit's officer is told.
    let inbox = app.store.list_messages(Some(coop_officer), 10).await.unwrap();
    assert!(inbox.iter().any(|m| m.message.subject.contains("督〔2026〕1号") && m.message.body.contains("2026-03-10")));

    // The print view, from the task page's list.
    c.find(Locator::LinkText("督〔2026〕1号")).await.unwrap().click().await.unwrap();
    let text = wait_for(&c, "关于“推进老旧小区改造”的督办通知").await;
    for want in ["奈曼旗人民政府督查室", "旗住房和城乡建设局、旗财政局：", "请于2026年3月10日前", "2026年3月2日"]
    {
        assert!(text.contains(want), "{want} in the print view: {text}");
    }
    let red =
        c.execute("return getComputedStyle(document.querySelector('.notice-issuer')).color;", vec![]).await.unwrap();
    assert_eq!(red.as_str(), Some("rgb(230, 0, 18)"), "the office's name is red");
    assert!(fits(&c).await);
    shot(&c, "notice").await;
    let phone = browser(&driver, 390, 844).await;
    sign_in(&phone, &base, "office", "pw-eciffo-2022").await;
    phone.goto(c.current_url().await.unwrap().as_ref()).await.unwrap();
    wait_for(&phone, "督办通知").await;
    assert!(fits(&phone).await, "the print view fits a phone");
    shot(&phone, "notice-phone").await;

    // Printed by Chromium on A4 with the official margins: one page, the tools left out.
    let margins = PrintMargins { top: 3.7, bottom: 3.5, left: 2.8, right: 2.6 };
    let pdf = c.print(PrintConfiguration::builder().margins(margins).build().unwrap()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notice-print.pdf");
    std::fs::write(&file, &pdf).unwrap();
    if let Ok(out) = Command::new("pdfinfo").arg(&file).output() {
        let info = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(info.lines().any(|l| l.starts_with("Pages:") && l.trim_end().ends_with(" 1")), "{info}");
        let text = Command::new("pdftotext").arg(&file).arg("-").output().unwrap();
        let text = String::from_utf8_lossy(&text.stdout).replace([' ', '\n'], "");
        assert!(text.contains("督〔2026〕1号") && !text.contains("下载Word文档"), "{text}");
        let png = dir.path().join("notice-print");
        let ok = Command::new("pdftoppm").args(["-r", "60", "-png", "-singlefile"]).arg(&file).arg(&png).status();
        if ok.is_ok_and(|s| s.success()) {
            std::fs::copy(dir.path().join("notice-print.png"), shots_dir().join("notice-print.png")).unwrap();
        }
    } else {
        // Without poppler the printed page is kept as it came.
        std::fs::write(shots_dir().join("notice-print.pdf"), &pdf).unwrap();
    }

    // The .docx, downloaded with the browser's session from the print view's link.
    let href = c.find(Locator::Css("a[href$='.docx']")).await.unwrap().attr("href").await.unwrap().unwrap();
    assert_eq!(href, "/notices/1.docx");
    let session = c.get_named_cookie("duban_session").await.unwrap();
    let r = reqwest::Client::new()
        .get(format!("{base}{href}"))
        .header("cookie", format!("duban_session={}", session.value()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    let disposition = r.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(disposition.starts_with("attachment;") && disposition.contains(".docx"), "{disposition}");
    let bytes = r.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut doc = String::new();
    zip.by_name("word/document.xml").unwrap().read_to_string(&mut doc).unwrap();
    for want in ["督〔2026〕1号", "关于“推进老旧小区改造”的督办通知", "旗住房和城乡建设局、旗财政局：", "2026年3月2日"]
    {
        assert!(doc.contains(want), "{want} in the downloaded .docx");
    }
    c.close().await.unwrap();
    phone.close().await.unwrap();
}
