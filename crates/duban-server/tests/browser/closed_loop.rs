//! Issue 5's closed loop, 催办 by hand and from the ledger, the office's pages at desk, phone and
//! 125 % sizes.

use crate::support::*;

#[tokio::test]
async fn the_closed_loop_through_the_browser() {
    let Some(driver) = start_driver().await else { return };
    let app = spawn_app().await;
    let base = app.base.clone();
    let d = app.duban.clone();
    naiman_units(&app).await;
    let unit = |name: &str| {
        let store = app.store.clone();
        let name = name.to_string();
        async move { store.list_units().await.unwrap().into_iter().find(|u| u.name == name).unwrap().id }
    };
    let unit_a = unit("旗行政审批和政务服务局").await;
    let unit_b = unit("旗自然资源局").await;
    person(&app, "office", None, Role::Office).await;
    person(&app, "officer_a", Some(unit_a), Role::Officer).await;
    let officer_b = person(&app, "officer_b", Some(unit_b), Role::Officer).await;
    // The document is received on Monday 2022-03-21.
    app.clock.set(bj("2022-03-21T10:00"));

    // 1. The office signs in and imports seed 003.
    let c = browser(&driver, 1280, 1000).await;
    sign_in(&c, &base, "office", "pw-eciffo-2022").await;
    c.goto(&format!("{base}/import")).await.unwrap();
    let seed = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/seeds/003_70bf524fbdd19580.txt"));
    let seed = seed.canonicalize().expect("seed 003 in fixtures/seeds/");
    c.find(Locator::Css("input[type=file]")).await.unwrap().send_keys(seed.to_str().unwrap()).await.unwrap();
    c.find(Locator::Css("form[action^='/import/preview'] button")).await.unwrap().click().await.unwrap();
    wait_for(&c, "识别出 274 项任务").await;
    shot(&c, "import-preview").await;
    // The scenario's tasks without a deadline are left to the time-limit rules (not the year's
    // end, the page's default choice).
    c.find(Locator::Css("input[name=deadline_mode][value=rules]")).await.unwrap().click().await.unwrap();
    c.find(Locator::Css("form[action='/import/commit'] button[value=commit]")).await.unwrap().click().await.unwrap();
    wait_for(&c, "新增 274 项").await;

    // The scenario follows tasks unit A leads and unit B has no part in (B's officers see the
    // tasks their unit cooperates on); one of them is made public, one secret.
    let q = TaskQuery { unit_id: Some(unit_a), lead_only: true, page: 1, per_page: 100, ..Default::default() };
    let b = app.store.get_person(officer_b).await.unwrap();
    let mut a_only = Vec::new();
    for t in d.tasks().list_tasks(q).await.unwrap().items {
        if !d.access().can_see(&b, &t.task).await.unwrap() {
            a_only.push(t.task);
        }
    }
    assert!(a_only.len() >= 3, "seed 003 has tasks unit A leads alone");
    let (task, public, secret) = (&a_only[0], &a_only[1], &a_only[2]);
    for (t, class) in [(public, Classification::Public), (secret, Classification::Secret)] {
        let r = app.patch(&format!("/api/v1/tasks/{}", t.id), t.version, json!({"classification": class.code()})).await;
        assert_eq!(r.status, reqwest::StatusCode::OK, "{}", r.json);
    }
    c.goto(&format!("{base}/stats")).await.unwrap();
    let stats_before = page_text(&c).await;
    sign_out(&c).await;

    // 2. Unit A's officer signs, reports, uploads evidence and gives feedback.
    app.clock.set(bj("2022-03-22T09:30"));
    sign_in(&c, &base, "officer_a", "pw-a_reciffo-2022").await;
    shot(&c, "desk").await;
    c.goto(&format!("{base}/tasks/{}", task.id)).await.unwrap();
    act(&c, "sign", None).await;
    wait_for(&c, "报告进展").await;
    act(&c, "report", Some("已制定工作方案，明确专人负责")).await;
    wait_for(&c, "已制定工作方案").await;
    let evidence = std::env::temp_dir().join(format!("duban-evidence-{}.pdf", std::process::id()));
    std::fs::write(&evidence, b"%PDF-1.4 evidence").unwrap();
    c.find(Locator::Css("input[type=file]")).await.unwrap().send_keys(evidence.to_str().unwrap()).await.unwrap();
    c.find(Locator::Css("form[action*='/files'] button")).await.unwrap().click().await.unwrap();
    wait_for(&c, "duban-evidence").await;
    let form = c.find(Locator::Css("form:has(input[name=action][value=feedback])")).await.unwrap();
    form.find(Locator::Css("input[name=evidence]")).await.unwrap().click().await.unwrap();
    act(&c, "feedback", Some("已全面完成，附完成情况报告")).await;
    wait_for(&c, "已全面完成").await;
    shot(&c, "task").await;
    sign_out(&c).await;

    // 3. The office approves; the task is closed and the statistics change.
    sign_in(&c, &base, "office", "pw-eciffo-2022").await;
    c.goto(&format!("{base}/tasks/{}", task.id)).await.unwrap();
    act(&c, "approve", None).await;
    wait_for(&c, "审核通过").await;
    assert_eq!(app.store.get_task(task.id).await.unwrap().status, Status::Closed);
    assert!(page_text(&c).await.contains("已销号"), "the closed state is named as the documents name it");
    c.goto(&format!("{base}/stats")).await.unwrap();
    let stats_after = page_text(&c).await;
    assert_ne!(stats_before, stats_after);
    assert!(stats_after.contains("按时办结率 100.0%（1/1）"), "{stats_after}");
    shot(&c, "stats").await;
    // A 催办 by hand from a task's page, by in-app message and SMS: the page says it was sent.
    c.goto(&format!("{base}/tasks/{}", public.id)).await.unwrap();
    let form = c.find(Locator::Css("form[action$='/remind']")).await.unwrap();
    form.find(Locator::Css("input[name=channel][value=sms]")).await.unwrap().click().await.unwrap();
    form.find(Locator::Css("textarea[name=text]")).await.unwrap().send_keys("请于本周内报送工作方案").await.unwrap();
    form.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
    let text = wait_for(&c, "已催办：已向牵头单位发出").await;
    assert!(text.contains("请于本周内报送工作方案"), "the trail shows the request: {text}");
    shot(&c, "remind-task").await;
    // A 催办 from the ledger: unit A's tasks, two ticked, one form.
    c.goto(&format!("{base}/tasks?unit={}", unit_a.0)).await.unwrap();
    let boxes = c.find_all(Locator::Css("input[name=id][form=remind-many]")).await.unwrap();
    assert!(boxes.len() >= 2);
    for b in &boxes[..2] {
        b.click().await.unwrap();
    }
    c.find(Locator::Css("#remind-many button[type=submit]")).await.unwrap().click().await.unwrap();
    let text = wait_for(&c, "已催办").await;
    assert!(!text.contains("已催办 0 项"), "{text}");
    shot(&c, "remind-ledger").await;
    c.goto(&format!("{base}/tasks")).await.unwrap();
    shot(&c, "ledger").await;
    c.goto(&format!("{base}/map")).await.unwrap();
    shot(&c, "map").await;
    for (path, name) in [("/map?span=quarter", "map-quarter"), ("/map?span=month", "map-month")] {
        c.goto(&format!("{base}{path}")).await.unwrap();
        assert!(page_text(&c).await.contains("挂图作战"));
        assert!(smallest_svg_text_px(&c).await >= 11.0, "{path}");
        shot(&c, name).await;
    }
    c.goto(&format!("{base}/stats?period=year&sort=done")).await.unwrap();
    assert!(page_text(&c).await.contains("排名"));
    shot(&c, "stats-year").await;
    c.goto(&format!("{base}/supervision")).await.unwrap();
    shot(&c, "supervision").await;
    sign_out(&c).await;

    // 4. The public page, without signing in: the public task, nothing internal or secret.
    c.goto(&format!("{base}/public")).await.unwrap();
    let text = page_text(&c).await;
    assert!(text.contains(&public.fields.title), "{text}");
    assert!(!text.contains(&secret.fields.title) && !text.contains(&task.fields.title));
    shot(&c, "public").await;

    // 5. Unit B's officer cannot see unit A's internal task, nor find it in the ledger.
    sign_in(&c, &base, "officer_b", "pw-b_reciffo-2022").await;
    c.goto(&format!("{base}/tasks/{}", task.id)).await.unwrap();
    wait_for(&c, "找不到页面").await;
    c.goto(&format!("{base}/tasks?q={}", helpers_encode(&task.fields.title))).await.unwrap();
    assert!(page_text(&c).await.contains("共 0 项"));
    c.close().await.unwrap();

    // On a phone-sized screen and at 125 % zoom the pages fit their width (wide tables scroll
    // inside their own box).
    let phone = browser(&driver, 390, 844).await;
    sign_in(&phone, &base, "officer_a", "pw-a_reciffo-2022").await;
    shot(&phone, "desk-phone").await;
    for path in ["/", "/tasks", "/public"] {
        phone.goto(&format!("{base}{path}")).await.unwrap();
        assert!(fits(&phone).await, "{path} is wider than a phone");
    }
    sign_out(&phone).await;
    // The office's pages on the phone: the ledger's columns (with its boxes and the batch 催办
    // form), the battle map and the statistics; charts scroll in their own box, and no text of
    // theirs is under 11 px.
    sign_in(&phone, &base, "office", "pw-eciffo-2022").await;
    phone.goto(&format!("{base}/tasks")).await.unwrap();
    assert!(fits(&phone).await, "the office's ledger is wider than a phone");
    shot(&phone, "remind-ledger-phone").await;
    for (path, name) in [
        ("/tasks", "ledger-phone"),
        ("/map?span=quarter", "map-phone"),
        ("/map?span=month", "map-month-phone"),
        ("/stats?period=year", "stats-phone"),
    ] {
        phone.goto(&format!("{base}{path}")).await.unwrap();
        assert!(fits(&phone).await, "{path} is wider than a phone");
        let px = smallest_svg_text_px(&phone).await;
        assert!(px >= 11.0, "{path}: text at {px:.1} px on a 390 px phone");
        shot(&phone, name).await;
    }
    phone.close().await.unwrap();
    let big = zoomed(&driver, 1280, 900, 1.25).await;
    sign_in(&big, &base, "office", "pw-eciffo-2022").await;
    for path in ["/", "/tasks", "/map", "/stats", "/supervision"] {
        big.goto(&format!("{base}{path}")).await.unwrap();
        assert!(fits(&big).await, "{path} is wider than the window at 125 %");
    }
    shot(&big, "supervision-125").await;

    // Months later, with measures past their deadlines: the battle map draws each as a red bar
    // from its due date to the today line, with its 逾期天数 (the README's picture).
    app.clock.set(bj("2022-07-15T10:00"));
    big.close().await.unwrap();
    // Signed in afresh: the earlier session has long expired.
    let desk = browser(&driver, 1280, 900).await;
    sign_in(&desk, &base, "office", "pw-eciffo-2022").await;
    desk.goto(&format!("{base}/map")).await.unwrap();
    let overdue = desk.find_all(Locator::Css("svg rect.overdue")).await.unwrap();
    assert!(!overdue.is_empty(), "no overdue bar on the battle map in July: {}", page_text(&desk).await);
    shot(&desk, "map-overdue").await;
    desk.close().await.unwrap();
    let _ = std::fs::remove_file(evidence);
}
