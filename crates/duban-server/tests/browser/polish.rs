//! Phones and polish (issue 12 §5) in a real browser: the ledger as cards that fit a 390 px
//! phone, a header of one line whose menu folds, paging with a page-size choice, the public list
//! and a public task's page (desk and phone), and the calendar's year chooser.

use crate::support::*;

/// Whether no list box on the page scrolls sideways inside itself either.
async fn no_inner_scroll(c: &Client) -> bool {
    let v = c
        .execute(
            "return [...document.querySelectorAll('.table-wrap')].every(e => e.scrollWidth <= e.clientWidth + 1);",
            vec![],
        )
        .await
        .unwrap();
    v.as_bool().unwrap_or(false)
}

/// The header's height as a share of the window's.
async fn header_share(c: &Client) -> f64 {
    let v = c
        .execute(
            "return document.querySelector('header.top').getBoundingClientRect().height / window.innerHeight;",
            vec![],
        )
        .await
        .unwrap();
    v.as_f64().unwrap_or(1.0)
}

#[tokio::test]
async fn the_ledger_fits_a_phone_pages_on_and_the_public_reads_a_tasks_page() {
    let Some(driver) = start_driver().await else { return };
    let app = spawn_app().await;
    let base = app.base.clone();
    let unit = app.unit("旗住房和城乡建设局").await;
    let coop = app.unit("旗自然资源局").await;
    person(&app, "office", None, Role::Office).await;
    person(&app, "admin", None, Role::Admin).await;
    let mut public = Vec::new();
    for i in 1..=23 {
        let t = app
            .task(json!({
                "title": format!("第{i}项 推进老旧小区改造和城镇燃气管道更新改造工程建设"),
                "text": "对全旗老旧小区实施改造，同步更新燃气管道，年底前完成。",
                "lead": [{"unit": unit}],
                "cooperating": [{"unit": coop}],
                "classification": if i == 23 { "内部" } else { "公开" },
                "deadline": if i % 2 == 0 { json!("2026-06-30") } else { json!(null) },
            }))
            .await;
        public.push(t);
    }
    let first = public[0]["id"].as_i64().unwrap();
    for (kind, text) in [("report", "已完成12个小区的摸底"), ("feedback", "全部完工并通过验收")] {
        let e = duban_store::NewEvent {
            at: app.duban.core().now(),
            actor_id: None,
            kind: kind.into(),
            data: json!({ "text": text }),
        };
        app.store.append_event(duban_domain::ids::TaskId(first), &e).await.unwrap();
    }

    // The office on a phone: the ledger as cards, no sideways scrolling anywhere, a header of
    // one line whose menu opens on a tap.
    let phone = browser(&driver, 390, 844).await;
    sign_in(&phone, &base, "office", "pw-eciffo-2022").await;
    phone.goto(&format!("{base}/tasks?sort=number&per_page=10")).await.unwrap();
    wait_for(&phone, "第 1 / 3 页").await;
    assert!(fits(&phone).await, "the ledger is wider than a phone");
    assert!(no_inner_scroll(&phone).await, "the ledger's table scrolls sideways inside its box");
    let share = header_share(&phone).await;
    assert!(share < 0.15, "the header takes {:.0} % of the phone's screen", share * 100.0);
    let nav = phone.find(Locator::Css("header.top nav")).await.unwrap();
    assert!(!nav.is_displayed().await.unwrap(), "the menu is folded");
    shot(&phone, "ledger-phone-fit").await;
    // The filters and the batch 催办 fold behind buttons, so the cards come first.
    let filters = phone.find(Locator::Css("form.filters")).await.unwrap();
    assert!(!filters.is_displayed().await.unwrap(), "the filters are folded on a phone");
    phone.find(Locator::Css("label[for=filters-open]")).await.unwrap().click().await.unwrap();
    assert!(filters.is_displayed().await.unwrap(), "a tap shows the filters");
    assert!(fits(&phone).await);
    open_menu(&phone).await;
    assert!(nav.is_displayed().await.unwrap(), "a tap opens the menu");
    assert!(header_share(&phone).await < 0.5);
    // Paging: the next page, then twenty to a page.
    phone.find(Locator::Css("a[rel=next]")).await.unwrap().click().await.unwrap();
    let text = wait_for(&phone, "第 2 / 3 页").await;
    assert!(text.contains("第11项"), "{text}");
    phone.find(Locator::LinkText("20")).await.unwrap().click().await.unwrap();
    let text = wait_for(&phone, "第 1 / 2 页").await;
    assert!(text.contains("第20项") && !text.contains("第21项"), "{text}");
    assert!(fits(&phone).await);
    sign_out(&phone).await;

    // The public list and a public task's page, at desk size and on the phone, without signing in.
    let mut settings = (*app.duban.sign_in().web_settings()).clone();
    settings.government = "奈曼旗人民政府".into();
    app.duban.sign_in().set_web_settings(settings);
    let c = browser(&driver, 1280, 800).await;
    c.goto(&format!("{base}/public")).await.unwrap();
    let text = wait_for(&c, "重点任务公开清单").await;
    assert!(text.contains("奈曼旗人民政府"), "{text}");
    assert!(text.contains("共 22 项") && !text.contains("第23项"), "{text}");
    assert!(text.contains("已完成12个小区的摸底") && !text.contains("全部完工并通过验收"), "{text}");
    assert!(!text.contains("红灯") && !text.contains("—"), "{text}");
    assert!(text.contains("按规则计算") && text.contains("2026-06-30"), "{text}");
    shot(&c, "public").await;
    c.find(Locator::Css(&format!("a[href='/public/tasks/{first}']"))).await.unwrap().click().await.unwrap();
    let text = wait_for(&c, "任务内容").await;
    assert!(
        text.contains("旗住房和城乡建设局") && text.contains("旗自然资源局") && text.contains("最新进展"),
        "{text}"
    );
    assert!(!text.contains("办理结果"), "feedback not yet publishable: {text}");
    shot(&c, "public-task").await;
    phone.goto(&format!("{base}/public")).await.unwrap();
    assert!(fits(&phone).await, "the public list is wider than a phone");
    phone.goto(&format!("{base}/public/tasks/{first}")).await.unwrap();
    wait_for(&phone, "任务内容").await;
    assert!(fits(&phone).await, "the public task page is wider than a phone");
    assert!(header_share(&phone).await < 0.15);
    shot(&phone, "public-task-phone").await;

    // The office publishes the feedback from the task page; the public page shows it.
    sign_in(&c, &base, "office", "pw-eciffo-2022").await;
    c.goto(&format!("{base}/tasks/{first}")).await.unwrap();
    c.find(Locator::Css("form[action$='/publish'] button")).await.unwrap().click().await.unwrap();
    wait_for(&c, "已同意公开办理结果").await;
    c.goto(&format!("{base}/public/tasks/{first}")).await.unwrap();
    let text = wait_for(&c, "办理结果").await;
    assert!(text.contains("全部完工并通过验收"), "{text}");
    sign_out(&c).await;

    // The calendar's years; the unit picker and the confirmations on the admin pages.
    sign_in(&c, &base, "admin", "pw-nimda-2022").await;
    c.goto(&format!("{base}/admin/calendar")).await.unwrap();
    wait_for(&c, "2026 年节假日与调休上班日").await;
    let years = c.find_all(Locator::Css("nav[aria-label='年份'] a")).await.unwrap();
    assert!(years.len() >= 2, "every loaded year is offered");
    years[0].click().await.unwrap();
    let text = wait_for(&c, "年节假日与调休上班日").await;
    assert!(!text.contains("2026 年节假日与调休上班日"), "{text}");
    c.goto(&format!("{base}/admin/calendar")).await.unwrap();
    wait_for(&c, "2026 年节假日").await;
    shot(&c, "admin-calendar").await;
    // Deactivating asks: dismissing the browser's question sends nothing.
    c.goto(&format!("{base}/admin/users")).await.unwrap();
    wait_for(&c, "添加用户").await;
    let form = c.find(Locator::Css("form[action$='/deactivate']")).await.unwrap();
    form.find(Locator::Css("input[name=confirm]")).await.unwrap().click().await.unwrap();
    form.find(Locator::Css("button")).await.unwrap().click().await.unwrap();
    assert!(c.get_alert_text().await.unwrap().contains("确定停用"));
    c.dismiss_alert().await.unwrap();
    assert!(!page_text(&c).await.contains("已停用，"), "dismissed: nothing was sent");
    c.close().await.unwrap();
    phone.close().await.unwrap();
}
