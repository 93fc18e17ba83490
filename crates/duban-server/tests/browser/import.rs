//! The import page's review of a plan that names no unit per measure (issue 11).

use crate::support::*;

/// Seed 001 through the import page: 15 drafts without a lead, a lead for all at once, the
/// default deadline set, confirmed, committed.
#[tokio::test]
async fn the_office_imports_a_plan_without_units_per_measure() {
    let Some(driver) = start_driver().await else { return };
    let app = spawn_app().await;
    let base = app.base.clone();
    naiman_units(&app).await;
    person(&app, "office", None, Role::Office).await;
    // The clock says 2026-03-02; seed 001 is of 2021.
    let c = browser(&driver, 1280, 1000).await;
    sign_in(&c, &base, "office", "pw-eciffo-2022").await;
    c.goto(&format!("{base}/import")).await.unwrap();
    let seed = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/seeds/001_996649c0e32d6793.txt"));
    let seed = seed.canonicalize().expect("seed 001 in fixtures/seeds/");
    c.find(Locator::Css("input[type=file]")).await.unwrap().send_keys(seed.to_str().unwrap()).await.unwrap();
    c.find(Locator::Css("form[action^='/import/preview'] button")).await.unwrap().click().await.unwrap();
    let text = wait_for(&c, "识别出 15 项任务").await;
    assert!(text.contains("项未写明牵头单位"), "{text}");
    assert!(text.contains("建议："), "suggested leads are offered: {text}");
    assert!(text.contains("文件年份：2021 年（取自发文日期）"), "{text}");
    assert!(text.contains("注意：15 项任务的完成时限已过"), "the proposed 2021-12-31 has passed: {text}");
    shot(&c, "import-drafts").await;

    // Every row ticked, one unit given to all as their lead.
    for b in c.find_all(Locator::Css("input[name^=sel_]")).await.unwrap() {
        b.click().await.unwrap();
    }
    c.find(Locator::Css("input[name=bulk_unit]")).await.unwrap().send_keys("旗政府办公室").await.unwrap();
    c.find(Locator::Css("button[name=action][value=lead]")).await.unwrap().click().await.unwrap();
    let text = wait_for(&c, "项任务的牵头单位设为“旗政府办公室”").await;
    assert!(!text.contains("未写明牵头单位"), "{text}");
    assert!(!text.contains("不在单位名录中的单位"), "the unknown names were replaced: {text}");

    // The default deadline for tasks without one: this year's end instead of 2021's.
    c.execute("document.querySelector('input[name=default_deadline]').value = '2026-12-31';", vec![]).await.unwrap();
    c.find(Locator::Css("#year-and-deadlines button[value=refresh]")).await.unwrap().click().await.unwrap();
    let text = wait_for(&c, "已按修改更新预览").await;
    assert!(!text.contains("完成时限已过"), "{text}");
    shot(&c, "import-assigned").await;

    // Confirmed and committed.
    c.find(Locator::Css("form[action='/import/commit'] button[value=commit]")).await.unwrap().click().await.unwrap();
    wait_for(&c, "新增 15 项").await;
    let tasks = app.get("/api/v1/tasks?per_page=100").await.json;
    assert_eq!(tasks["total"], 15);
    let lead = app.get("/api/v1/resolve?name=旗政府办公室").await.json;
    for t in tasks["items"].as_array().unwrap() {
        assert_eq!(t["deadline"], "2026-12-31", "{t}");
        assert_eq!(t["lead"].as_array().unwrap().len(), 1, "{t}");
        assert_eq!(t["lead"][0], lead, "{t}");
    }
    c.close().await.unwrap();
}
