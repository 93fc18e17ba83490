//! Liaison (包联走访, issue 14 §2) in the browser: the office assigns a unit head to a key
//! enterprise on `/liaison` from the gap's 设置 link (the gap disappears), the liaison opens their assignment, records a
//! visit with a problem found, turns the problem into an enterprise demand in one step (转为企业诉求,
//! to the town, on the 1/3/30 clock), and the quarter's visit task shows done (已销号) in its trail.
//! Screenshot `liaison`.

use crate::support::*;
use duban_app::actor::Actor;
use duban_domain::enterprise::EnterpriseInput;

#[tokio::test]
async fn the_office_assigns_a_liaison_who_records_a_visit_that_closes_the_quarters_task() {
    let Some(driver) = start_driver().await else { return };
    let app = spawn_app().await;
    let base = app.base.clone();
    app.clock.set(bj("2026-11-10T09:00"));
    let town = app.unit("大沁他拉镇").await;
    person(&app, "office", None, Role::Office).await;
    let head = person(&app, "zhenzhang", Some(UnitId(town)), Role::UnitHead).await;
    let e = app
        .duban
        .enterprises()
        .create_enterprise(
            &Actor::command_line(),
            EnterpriseInput {
                name: Some("甲能源有限公司".into()),
                credit_code: Some("91350100M000100Y43".into()),
                scale: Some("规上".into()),
                contact_phone: Some("0475-1234567".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();

    // The office sees the gap and assigns the town's head.
    let c = browser(&driver, 1280, 900).await;
    sign_in(&c, &base, "office", "pw-eciffo-2022").await;
    c.goto(&format!("{base}/liaison")).await.unwrap();
    let text = wait_for(&c, "未落实包联的企业").await;
    assert!(text.contains("甲能源有限公司") && text.contains("0 / 1"), "{text}");
    // The gap's 设置 fills the form with the enterprise (by name, its id carried hidden).
    c.find(Locator::Css("ul.gaps a")).await.unwrap().click().await.unwrap();
    let form = c.find(Locator::Css("form#assign")).await.unwrap();
    let named = form.find(Locator::Css("input[name=enterprise]")).await.unwrap();
    assert_eq!(named.prop("value").await.unwrap().as_deref(), Some("甲能源有限公司"));
    let hidden = form.find(Locator::Css("input[name=enterprise_id]")).await.unwrap();
    assert_eq!(hidden.attr("value").await.unwrap(), Some(e.id.0.to_string()));
    form.find(Locator::Css("select[name=person_id]"))
        .await
        .unwrap()
        .select_by_value(&head.0.to_string())
        .await
        .unwrap();
    form.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
    let text = wait_for(&c, "已设置").await;
    assert!(text.contains("1 / 1") && text.contains("已全覆盖") && text.contains("未走访"), "{text}");
    sign_out(&c).await;

    // The liaison records the visit with a problem found.
    sign_in(&c, &base, "zhenzhang", "pw-gnahznehz-2022").await;
    c.goto(&format!("{base}/liaison")).await.unwrap();
    wait_for(&c, "包联名单").await;
    c.find(Locator::LinkText("记录走访")).await.unwrap().click().await.unwrap();
    wait_for(&c, "记录走访").await;
    let form = c.find(Locator::Css("form#record")).await.unwrap();
    form.find(Locator::Css("input[name=met]")).await.unwrap().send_keys("王经理、李会计").await.unwrap();
    form.find(Locator::Css("textarea[name=policies]")).await.unwrap().send_keys("稳增长若干措施").await.unwrap();
    form.find(Locator::Css("textarea[name=problems]")).await.unwrap().send_keys("用电成本偏高").await.unwrap();
    form.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
    let text = wait_for(&c, "本期任务已办结").await;
    assert!(text.contains("用电成本偏高") && text.contains("王经理、李会计"), "{text}");
    shot(&c, "liaison").await;

    // 转为企业诉求 in one step: the problem goes to the town as a demand on the 1/3/30 clock.
    let form = c.find(Locator::Css("form.raise-problem")).await.unwrap();
    form.find(Locator::Css("select[name=kind]")).await.unwrap().select_by_value("factors").await.unwrap();
    form.find(Locator::Css("select[name=unit]")).await.unwrap().select_by_value(&town.to_string()).await.unwrap();
    form.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
    let text = wait_for(&c, "已转为企业诉求并交牵头单位办理").await;
    assert!(text.contains("（已转为企业诉求）"), "{text}");
    assert!(c.find(Locator::Css("form.raise-problem")).await.is_err(), "once per problem");
    c.find(Locator::LinkText("企业诉求")).await.unwrap().click().await.unwrap();
    let text = wait_for(&c, "甲能源有限公司：用电成本偏高").await;
    assert!(text.contains("联系企业") && text.contains("企业诉求"), "the town contacts the enterprise next: {text}");
    c.goto(&format!("{base}/liaison")).await.unwrap();
    wait_for(&c, "包联名单").await;
    c.find(Locator::LinkText("记录走访")).await.unwrap().click().await.unwrap();
    wait_for(&c, "（已转为企业诉求）").await;

    // The quarter's task is done, through its trail.
    c.find(Locator::LinkText("办结的任务")).await.unwrap().click().await.unwrap();
    let text = wait_for(&c, "走访甲能源有限公司（2026年第4季度）").await;
    assert!(text.contains("已销号") && text.contains("反馈办结"), "{text}");
    c.close().await.unwrap();
}
