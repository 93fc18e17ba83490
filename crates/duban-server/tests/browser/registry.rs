//! Key enterprises (issue 14 §1) in the browser: the office uploads a small 台账 sheet (a title
//! row, then the header in other words), sees the preview with what each row will do, commits
//! it, opens an imported enterprise, edits its industry, and the history shows the change
//! (before → after) with who made it. Screenshot `registry`.

use crate::support::*;
use duban_domain::enterprise::CreditCode;

fn sheet(path: &Path) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let code = |s: &str| CreditCode::completing(s).unwrap().to_string();
    let rows = [
        vec!["奈曼旗重点企业名单（2026年）".to_string()],
        ["序号", "单位名称", "信用代码", "行业", "企业类型", "属地", "联系人", "联系电话"].map(String::from).to_vec(),
        [
            "1",
            "奈曼旗示例风电装备有限公司",
            &code("91150525MA0R00001"),
            "制造业",
            "规上",
            "大沁他拉镇",
            "王经理",
            "13904750001",
        ]
        .map(String::from)
        .to_vec(),
        [
            "2",
            "奈曼旗示例商贸有限公司",
            &code("91150525MA0R00002"),
            "批发业",
            "限上",
            "八仙筒镇",
            "李经理",
            "13904750002",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for (i, r) in rows.iter().enumerate() {
        for (j, c) in r.iter().enumerate() {
            ws.write_string(i as u32, j as u16, c).unwrap();
        }
    }
    wb.save(path).unwrap();
}

#[tokio::test]
async fn the_office_imports_a_sheet_edits_an_enterprise_and_sees_the_history() {
    let Some(driver) = start_driver().await else { return };
    let app = spawn_app().await;
    let base = app.base.clone();
    app.unit("大沁他拉镇").await;
    app.unit("八仙筒镇").await;
    person(&app, "office", None, Role::Office).await;
    let file = std::env::temp_dir().join(format!("registry-{}.xlsx", std::process::id()));
    sheet(&file);

    let c = browser(&driver, 1280, 900).await;
    sign_in(&c, &base, "office", "pw-eciffo-2022").await;
    c.goto(&format!("{base}/enterprises")).await.unwrap();
    wait_for(&c, "重点企业").await;
    c.find(Locator::LinkText("从表格导入")).await.unwrap().click().await.unwrap();
    wait_for(&c, "从表格导入重点企业").await;
    c.find(Locator::Css("input[name=file]")).await.unwrap().send_keys(&file.display().to_string()).await.unwrap();
    c.find(Locator::Css("form[action='/enterprises/import'] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let text = wait_for(&c, "预览：共 2 行").await;
    assert!(text.contains("奈曼旗示例风电装备有限公司") && text.contains("新增"), "{text}");
    c.find(Locator::Css("form[action='/enterprises/import/commit'] button")).await.unwrap().click().await.unwrap();
    let text = wait_for(&c, "导入完成").await;
    assert!(text.contains("新增 2 条") && text.contains("共 2 家"), "{text}");

    // Edit one: its industry changes, and the history says so.
    c.find(Locator::LinkText("奈曼旗示例风电装备有限公司")).await.unwrap().click().await.unwrap();
    wait_for(&c, "修改历史").await;
    c.find(Locator::Css("details summary")).await.unwrap().click().await.unwrap();
    let industry = c.find(Locator::Css("input[name=industry]")).await.unwrap();
    industry.clear().await.unwrap();
    industry.send_keys("风电装备制造").await.unwrap();
    c.find(Locator::Css("form.stack button[type=submit]")).await.unwrap().click().await.unwrap();
    let text = wait_for(&c, "已保存").await;
    assert!(text.contains("第 2 版"), "{text}");
    let history = c.find(Locator::Css("section.registry-history")).await.unwrap().text().await.unwrap();
    assert!(history.contains("制造业") && history.contains("风电装备制造") && history.contains("→"), "{history}");
    assert!(history.contains("office"), "who made the change: {history}");
    c.execute("document.querySelector('section.registry-history').scrollIntoView()", vec![]).await.unwrap();
    shot(&c, "registry").await;
    let _ = std::fs::remove_file(file);
    c.close().await.unwrap();
}
