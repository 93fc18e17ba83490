//! Whole histories and statistics (issue 14 §6) in the browser: the office opens a key
//! enterprise and reads its whole service history (the liaison, the visit and the problem found,
//! the demand it became with its light and lead unit, the tasks behind them), follows the unit's
//! link to its service history, and opens the month's statistics with their SVG bars.
//! Screenshots `enterprise-history` and `service-stats`.

use crate::support::*;
use duban_app::actor::Actor;
use duban_app::demands::{AssignInput, RaiseInput};
use duban_domain::demand::DemandInput;
use duban_domain::enterprise::EnterpriseInput;
use duban_domain::liaison::{AssignmentInput, ServiceKind, VisitInput};
use duban_domain::task::Party;

#[tokio::test]
async fn the_office_reads_an_enterprise_s_whole_history_and_the_month_s_statistics() {
    let Some(driver) = start_driver().await else { return };
    let app = spawn_app().await;
    let base = app.base.clone();
    app.clock.set(bj("2026-11-09T09:00"));
    let town = app.unit("大沁他拉镇").await;
    let bureau = app.unit("旗工业和信息化局").await;
    person(&app, "office", None, Role::Office).await;
    let liaison = person(&app, "liaison_t", Some(UnitId(town)), Role::Officer).await;
    let cli = Actor::command_line();
    let d = &app.duban;
    let e = d
        .enterprises()
        .create_enterprise(
            &cli,
            EnterpriseInput {
                name: Some("奈曼旗绿源农牧业有限公司".into()),
                credit_code: Some("91350100M000100Y43".into()),
                scale: Some("规上".into()),
                unit_id: Some(UnitId(town)),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let input = AssignmentInput { person_id: Some(liaison.0), enterprise_id: Some(e.id.0), ..Default::default() };
    let a = d.liaison().assign(&cli, ServiceKind::Liaison, input).await.unwrap();
    let visit = VisitInput {
        visited_on: Some("2026-11-09".into()),
        met: Some("王经理".into()),
        policies: Some("稳岗补贴".into()),
        work: Some("走访冷库建设现场，宣讲稳岗补贴政策".into()),
        problems: vec!["冷库增容供电报装未受理".into()],
        ..Default::default()
    };
    d.liaison().record_visit(&cli, a.id, visit).await.unwrap();
    let raise = RaiseInput {
        demand: DemandInput {
            enterprise_id: Some(e.id),
            enterprise_name: "奈曼旗绿源农牧业有限公司".into(),
            contact_name: "王经理".into(),
            contact_phone: "0475-1234567".into(),
            channel: "visit".into(),
            kind: "factors".into(),
            title: "冷库增容供电报装".into(),
            text: "新建冷库需要增容变压器，供电报装迟迟未受理。".into(),
            reference: "visit:1".into(),
            ..Default::default()
        },
        assign: AssignInput { lead: vec![Party::Unit(UnitId(bureau))], ..Default::default() },
    };
    d.demands().raise(&cli, raise).await.unwrap();
    // Thursday: the bureau has not contacted the enterprise in its one working day.
    app.clock.set(bj("2026-11-12T09:00"));

    let c = browser(&driver, 1280, 1000).await;
    sign_in(&c, &base, "office", "pw-eciffo-2022").await;
    c.goto(&format!("{base}/enterprises/{}", e.id.0)).await.unwrap();
    let text = wait_for(&c, "企业服务全过程").await;
    for needle in ["走访冷库建设现场", "冷库增容供电报装", "旗工业和信息化局", "大沁他拉镇", "企业诉求", "包联"]
    {
        assert!(text.contains(needle), "{needle} missing: {text}");
    }
    c.find(Locator::Css("#service-history")).await.unwrap().click().await.unwrap();
    shot(&c, "enterprise-history").await;

    // The lead unit's service history, from the link on the history.
    c.find(Locator::Css(&format!("table.service-timeline a[href='/units/{bureau}/service']")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let text = wait_for(&c, "旗工业和信息化局 · 企业服务情况").await;
    assert!(text.contains("冷库增容供电报装") && text.contains("超时"), "{text}");

    // The month's statistics: the problem first, the bars.
    c.goto(&format!("{base}/service/stats?month=2026-11")).await.unwrap();
    let text = wait_for(&c, "企业服务统计（2026-11）").await;
    assert!(text.contains("存在问题") && text.contains("1件企业诉求未在1个工作日内联系企业"), "{text}");
    assert!(text.contains("要素保障") && text.contains("包联走访"), "{text}");
    let bars = c.find_all(Locator::Css("svg.bars rect")).await.unwrap();
    assert!(bars.len() >= 7, "{} bars", bars.len());
    shot(&c, "service-stats").await;
    c.close().await.unwrap();
}
