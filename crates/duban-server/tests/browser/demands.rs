//! Enterprise demands (issue 14 §5) in the browser: an enterprise submits a demand on the public
//! form without an account and keeps its query code; the office assigns the lead unit from its
//! queue; the unit's officer contacts the enterprise (联系企业) and resolves the demand (解决或确认)
//! on the task page, and the demand's page shows the 1- and 3-working-day clock met; the
//! enterprise follows its progress on the public page and rates the handling. Screenshots
//! `demand` (the clock) and `demand-public` (the public page).

use crate::support::*;

#[tokio::test]
async fn an_enterprise_submits_the_office_assigns_the_unit_resolves_and_the_enterprise_rates() {
    let Some(driver) = start_driver().await else { return };
    let app = spawn_app().await;
    let base = app.base.clone();
    let unit = app.unit("旗工业和信息化局").await;
    person(&app, "office", None, Role::Office).await;
    person(&app, "officer_i", Some(UnitId(unit)), Role::Officer).await;
    let c = browser(&driver, 1280, 900).await;

    // Friday afternoon: the enterprise submits online, without an account.
    app.clock.set(bj("2026-03-06T14:00"));
    c.goto(&format!("{base}/public/demands/new")).await.unwrap();
    wait_for(&c, "企业诉求网上提交").await;
    for (name, value) in [
        ("enterprise_name", "奈曼旗绿源农牧业有限公司"),
        ("contact_name", "王经理"),
        ("contact_phone", "0475-1234567"),
        ("text", "新建冷库需要增容变压器，供电报装迟迟未受理，请协调。"),
    ] {
        c.find(Locator::Css(&format!("[name={name}]"))).await.unwrap().send_keys(value).await.unwrap();
    }
    c.find(Locator::Css("select[name=kind] option[value=factors]")).await.unwrap().click().await.unwrap();
    c.find(Locator::Css("form[action='/public/demands'] button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_for(&c, "请记下查询码").await;
    let code = c.find(Locator::Id("query-code")).await.unwrap().text().await.unwrap();
    assert_eq!(code.len(), 39, "{code}");

    // The office assigns the lead unit from its queue at 15:00.
    app.clock.set(bj("2026-03-06T15:00"));
    sign_in(&c, &base, "office", "pw-eciffo-2022").await;
    c.goto(&format!("{base}/demands/queue")).await.unwrap();
    let text = wait_for(&c, "待分派的企业诉求").await;
    assert!(text.contains("奈曼旗绿源农牧业有限公司") && text.contains("已等待 1 小时"), "{text}");
    c.find(Locator::Css(&format!("select[name=unit] option[value='{unit}']"))).await.unwrap().click().await.unwrap();
    c.find(Locator::Css("form[action$='/assign'] button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_for(&c, "已分派").await;
    sign_out(&c).await;
    let demand = app.duban.demands().queue(&duban_app::actor::Actor::command_line()).await.unwrap();
    assert!(demand.is_empty());
    let list = app.duban.demands().list(&duban_app::actor::Actor::command_line(), &Default::default()).await.unwrap();
    let d = &list.items[0].demand;
    let task = d.task_id.unwrap().0;

    // Monday: the officer contacts the enterprise; Tuesday: resolved.
    app.clock.set(bj("2026-03-09T10:00"));
    sign_in(&c, &base, "officer_i", "pw-i_reciffo-2022").await;
    c.goto(&format!("{base}/tasks/{task}")).await.unwrap();
    wait_for(&c, "联系企业").await;
    act(&c, "contact", Some("电话联系王经理，次日上门查看")).await;
    wait_for(&c, "解决或确认").await;
    app.clock.set(bj("2026-03-10T16:00"));
    c.goto(&format!("{base}/tasks/{task}")).await.unwrap();
    wait_for(&c, "解决或确认").await;
    act(&c, "resolve", Some("已协调供电公司受理报装，增容方案已确认")).await;
    wait_for(&c, "办理中").await;
    c.goto(&format!("{base}/demands/{}", d.id)).await.unwrap();
    let text = wait_for(&c, "办理时限").await;
    assert!(text.contains("1 个工作日") && text.contains("3 个工作日") && text.contains("001 §13"), "{text}");
    let states: Vec<String> = {
        let mut v = Vec::new();
        for rule in ["whistle-contact", "whistle-resolve"] {
            let cell = c.find(Locator::Css(&format!("tr[data-rule={rule}] td.stage-state"))).await.unwrap();
            v.push(cell.text().await.unwrap());
        }
        v
    };
    assert_eq!(states, ["按时完成", "按时完成"]);
    shot(&c, "demand").await;
    sign_out(&c).await;

    // The enterprise follows its progress and rates the handling.
    c.goto(&format!("{base}/public/demands/{code}")).await.unwrap();
    let text = wait_for(&c, "诉求办理进度").await;
    assert!(text.contains("承办单位已与企业取得联系") && text.contains("诉求已解决或确认服务"), "{text}");
    assert!(!text.contains("officer_i") && !text.contains("电话联系王经理"), "nothing internal: {text}");
    c.find(Locator::Css("input[name=satisfaction][value=satisfied]")).await.unwrap().click().await.unwrap();
    c.find(Locator::Css("textarea[name=comment]")).await.unwrap().send_keys("响应及时").await.unwrap();
    c.find(Locator::Css("form[action$='/rate'] button[type=submit]")).await.unwrap().click().await.unwrap();
    let text = wait_for(&c, "感谢您的评价").await;
    assert!(text.contains("您的评价：满意") && text.contains("企业已评价"), "{text}");
    shot(&c, "demand-public").await;
    c.close().await.unwrap();
}
