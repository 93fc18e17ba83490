//! 新建任务 and its edits (issue 12 §1) in the browser: the office opens 新建任务, types a title,
//! sees the suggested lead unit appear and takes it, saves; then, on the task page, changes the
//! deadline with a reason and reassigns the lead unit with a reason, and finds both in the
//! trail with the values before and after. Screenshots: `entry`, `entry-phone`, `task-edit`,
//! `task-edit-phone`.

use crate::support::*;

/// Sets a field's value as a person would leave it (date fields take no typed text reliably
/// across locales).
async fn set_value(c: &Client, css: &str, value: &str) {
    c.execute(
        "const e = document.querySelector(arguments[0]); e.value = arguments[1]; e.dispatchEvent(new Event('input', {bubbles: true}));",
        vec![json!(css), json!(value)],
    )
    .await
    .unwrap();
}

async fn value_of(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css)).await.unwrap().prop("value").await.unwrap().unwrap_or_default()
}

#[tokio::test]
async fn the_office_enters_a_task_with_a_suggested_unit_then_edits_and_reassigns_it() {
    let Some(driver) = start_driver().await else { return };
    let app = spawn_app().await;
    let base = app.base.clone();
    let d = app.duban.clone();
    let all = naiman_units(&app).await;
    let unit = |name: &str| all.iter().find(|u| u.name == name).unwrap().id;
    let (ziran, shuiwu) = (unit("旗自然资源局"), unit("旗水务局"));
    // The ledger already holds tasks on farmland: the suggester learns who leads them.
    for t in ["耕地保护专项整治", "耕地占补平衡核查", "永久基本农田耕地保护督察", "耕地保护责任目标考核"]
    {
        app.task(json!({"title": t, "lead": [{"unit": ziran.0}]})).await;
    }
    person(&app, "office", None, Role::Office).await;
    person(&app, "ziran_officer", Some(ziran), Role::Officer).await;

    let c = browser(&driver, 1280, 900).await;
    sign_in(&c, &base, "office", "pw-eciffo-2022").await;
    c.find(Locator::LinkText("新建任务")).await.unwrap().click().await.unwrap();
    wait_for(&c, "批示领导").await;
    c.find(Locator::LinkText("本级文件")).await.unwrap().click().await.unwrap();
    wait_for(&c, "本级文件名称").await;
    c.find(Locator::Css("input[name=origin_name]")).await.unwrap().send_keys("全旗耕地保护工作方案").await.unwrap();
    c.find(Locator::Css("input.entry-title")).await.unwrap().send_keys("开展耕地保护专项检查").await.unwrap();
    // The suggestions appear as the title is typed; the first is the unit that leads such tasks.
    let mut pick = None;
    for _ in 0..100 {
        if let Ok(b) = c.find(Locator::Css("fieldset.item .picks .pick")).await {
            pick = Some(b);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let pick = pick.expect("a suggested lead unit appears as the title is typed");
    assert_eq!(pick.text().await.unwrap(), "旗自然资源局");
    shot(&c, "entry").await;
    pick.click().await.unwrap();
    assert_eq!(value_of(&c, "input[name='lead.0']").await, "旗自然资源局");
    // 责任人 now offers the lead unit's people.
    let list = c.find(Locator::Css("input[name='responsible.0']")).await.unwrap().attr("list").await.unwrap();
    assert_eq!(list.as_deref(), Some("people-choices-0"));
    let offered = c
        .execute("return Array.from(document.querySelectorAll('#people-choices-0 option')).map(o => o.value);", vec![])
        .await
        .unwrap();
    assert_eq!(offered, json!(["ziran_officer（旗自然资源局）"]));
    c.find(Locator::Css("input[name='responsible.0']"))
        .await
        .unwrap()
        .send_keys("ziran_officer（旗自然资源局）")
        .await
        .unwrap();
    set_value(&c, "input[name='deadline.0']", "2026-06-30").await;
    c.find(Locator::Css("form.entry button[value=save]:not(.default-step)")).await.unwrap().click().await.unwrap();
    wait_for(&c, "已新建任务").await;
    let text = page_text(&c).await;
    assert!(
        text.contains("开展耕地保护专项检查") && text.contains("旗自然资源局") && text.contains("2026-06-30"),
        "{text}"
    );

    // The deadline moved, with a reason.
    set_value(&c, "form.edit input[name=deadline]", "2026-07-31").await;
    c.find(Locator::Css("form.edit textarea[name=reason]"))
        .await
        .unwrap()
        .send_keys("汛期影响外业检查，经分管领导同意延后")
        .await
        .unwrap();
    c.find(Locator::Css("form.edit button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_for(&c, "已保存修改").await;
    // Reassigned to another unit, with a reason.
    let lead = c.find(Locator::Css("form.reassign input[name=lead]")).await.unwrap();
    lead.clear().await.unwrap();
    lead.send_keys("旗水务局").await.unwrap();
    c.find(Locator::Css("form.reassign textarea[name=reason]"))
        .await
        .unwrap()
        .send_keys("涉及水利设施，改由水务局牵头")
        .await
        .unwrap();
    c.find(Locator::Css("form.reassign button[type=submit]")).await.unwrap().click().await.unwrap();
    let text = wait_for(&c, "已改派牵头单位").await;
    assert!(text.contains("完成时限：2026-06-30 → 2026-07-31"), "{text}");
    assert!(text.contains("原因：汛期影响外业检查，经分管领导同意延后"), "{text}");
    assert!(text.contains("牵头单位：旗自然资源局 → 旗水务局"), "{text}");
    assert!(text.contains("原因：涉及水利设施，改由水务局牵头"), "{text}");
    let url = c.current_url().await.unwrap();
    let id: i64 = url.path().trim_start_matches("/tasks/").parse().unwrap();
    let t = d.tasks().get_task(duban_domain::ids::TaskId(id)).await.unwrap().task;
    assert_eq!(t.fields.lead, vec![duban_domain::task::Party::Unit(shuiwu)]);
    assert_eq!(t.fields.deadline.map(|d| d.to_string()).as_deref(), Some("2026-07-31"));
    let path = format!("/tasks/{}#edit", t.id);
    c.goto(&format!("{base}{path}")).await.unwrap();
    wait_for(&c, "修改与改派").await;
    shot(&c, "task-edit").await;

    // At phone size both pages fit without sideways scrolling.
    let phone = browser(&driver, 390, 844).await;
    sign_in(&phone, &base, "office", "pw-eciffo-2022").await;
    phone.goto(&format!("{base}/tasks/new?source=meeting")).await.unwrap();
    wait_for(&phone, "会议名称").await;
    assert!(fits(&phone).await, "the entry form is wider than a phone");
    shot(&phone, "entry-phone").await;
    phone.goto(&format!("{base}{path}")).await.unwrap();
    wait_for(&phone, "修改与改派").await;
    assert!(fits(&phone).await, "the task page with its edit forms is wider than a phone");
    shot(&phone, "task-edit-phone").await;
    c.close().await.unwrap();
    phone.close().await.unwrap();
}
