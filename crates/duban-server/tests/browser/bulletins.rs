//! The monthly bulletin (issue 13 §5): the office follows the nav link 月度通报, generates the
//! draft for last month, rewrites a paragraph and marks it public, saves, issues it after
//! ticking the confirmation, sees its number and the Word file's link; the public page then
//! shows that paragraph and nothing else of it, and never the 涉密 task.

use crate::support::*;

#[tokio::test]
async fn the_office_drafts_edits_and_issues_a_bulletin_whose_public_part_is_published() {
    let Some(driver) = start_driver().await else { return };
    let app = spawn_app().await;
    let base = app.base.clone();
    app.duban.supervision().set_issuer("奈曼旗人民政府督查室");
    let a = app.unit("旗住房和城乡建设局").await;
    person(&app, "office", None, Role::Office).await;
    app.task(
        json!({"title": "推进老旧小区改造", "lead": [{"unit": a}], "deadline": "2026-03-20", "classification": "内部"}),
    )
    .await;
    app.task(json!({"title": "绝密工程戊", "lead": [{"unit": a}], "deadline": "2026-03-20", "classification": "涉密"}))
        .await;
    app.duban.supervision().pass(bj("2026-03-06T09:00")).await.unwrap();
    app.duban.supervision().pass(bj("2026-03-12T09:00")).await.unwrap();
    app.clock.set(bj("2026-04-02T09:00"));

    let c = browser(&driver, 1280, 900).await;
    sign_in(&c, &base, "office", "pw-eciffo-2022").await;
    open_menu(&c).await;
    c.find(Locator::LinkText("月度通报")).await.unwrap().click().await.unwrap();
    wait_for(&c, "生成草稿").await;
    let month = c.find(Locator::Css("form.bulletin-new input[name=month]")).await.unwrap();
    assert_eq!(month.prop("value").await.unwrap().as_deref(), Some("2026-03"), "last month is offered");
    c.find(Locator::Css("form.bulletin-new button[type=submit]")).await.unwrap().click().await.unwrap();
    let text = wait_for(&c, "已生成通报草稿").await;
    assert!(text.contains("二、存在的问题") && text.contains("推进老旧小区改造"), "{text}");
    assert!(!c.source().await.unwrap().contains("绝密工程戊"), "a 涉密 title is never in a bulletin");

    // The office rewrites the first paragraph and makes it public.
    let first = c.find(Locator::Css("textarea[name=t0_0]")).await.unwrap();
    first.clear().await.unwrap();
    first.send_keys("三月全旗督办工作总体平稳，个别单位仍有逾期。").await.unwrap();
    c.find(Locator::Css("input[name=p0_0]")).await.unwrap().click().await.unwrap();
    c.find(Locator::Css("form.bulletin-edit > button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_for(&c, "草稿已保存").await;
    assert!(c.find(Locator::Css("input[name=p0_0]")).await.unwrap().is_selected().await.unwrap());
    shot(&c, "bulletin-draft").await;

    // Issued after the confirmation: numbered, in the official look, with its Word file.
    c.find(Locator::Css("form.bulletin-issue input[name=confirm]")).await.unwrap().click().await.unwrap();
    c.find(Locator::Css("form.bulletin-issue button[type=submit]")).await.unwrap().click().await.unwrap();
    let text = wait_for(&c, "通报已印发").await;
    for want in ["奈曼旗人民政府督查室文件", "督通〔2026〕1号", "三月全旗督办工作总体平稳", "2026年4月2日"]
    {
        assert!(text.contains(want), "{want} in the issued bulletin: {text}");
    }
    let link = c.find(Locator::LinkText("下载 Word 文档")).await.unwrap();
    let href = link.attr("href").await.unwrap().unwrap_or_default();
    assert!(href.ends_with("/docx"), "{href}");
    let red =
        c.execute("return getComputedStyle(document.querySelector('.notice-issuer')).color;", vec![]).await.unwrap();
    assert_eq!(red.as_str(), Some("rgb(230, 0, 18)"));
    assert!(fits(&c).await);
    shot(&c, "bulletin").await;
    assert!(c.find(Locator::Css("form.bulletin-edit")).await.is_err(), "an issued bulletin has no form");

    // The public page: that paragraph, nothing else of the bulletin.
    c.goto(&format!("{base}/public")).await.unwrap();
    c.find(Locator::LinkText("月度通报（公开部分）")).await.unwrap().click().await.unwrap();
    let text = wait_for(&c, "督通〔2026〕1号").await;
    assert!(text.contains("三月全旗督办工作总体平稳，个别单位仍有逾期。"), "{text}");
    assert!(
        !text.contains("二、存在的问题") && !text.contains("推进老旧小区改造") && !text.contains("绝密工程戊"),
        "{text}"
    );
    shot(&c, "bulletin-public").await;
}
