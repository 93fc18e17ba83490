//! Issue 12 §1–2 in the browser: the lead unit's officer splits a task into two parts (one to a
//! section and its person, one to a cooperating unit), the cooperating unit's officer reports its
//! part, the parent shows its progress; a dispute shows both positions and the office rules it
//! with the unit picker. Screenshots `decompose`, `decompose-phone`, `dispute`, `dispute-phone`.

use crate::support::*;

async fn set_value(c: &Client, css: &str, index: usize, value: &str) {
    c.execute(
        "document.querySelectorAll(arguments[0])[arguments[1]].value = arguments[2];",
        vec![json!(css), json!(index), json!(value)],
    )
    .await
    .unwrap();
}

async fn type_into(c: &Client, css: &str, index: usize, text: &str) {
    let fields = c.find_all(Locator::Css(css)).await.unwrap();
    fields[index].send_keys(text).await.unwrap();
}

/// Takes a task round to 办结 through the API as `officer`, the office approving.
async fn close(app: &TestApp, id: i64, officer: PersonId) {
    let act = |body: serde_json::Value| async move {
        let t = app.get(&format!("/api/v1/tasks/{id}")).await.json;
        let mut body = body;
        body["version"] = t["version"].clone();
        let r = app.post(&format!("/api/v1/tasks/{id}/actions"), body).await;
        assert_eq!(r.status, reqwest::StatusCode::OK, "{}", r.json);
    };
    act(json!({"action": "sign", "actor": officer.0})).await;
    act(json!({"action": "report", "actor": officer.0, "text": "按计划推进"})).await;
    let t = app.get(&format!("/api/v1/tasks/{id}")).await.json;
    let file = app.attach(&t, "清单.pdf", b"%PDF-1.4 list").await;
    act(json!({"action": "feedback", "actor": officer.0, "text": "审批事项清单已印发", "evidence": [file]})).await;
    act(json!({"action": "approve"})).await;
}

#[tokio::test]
async fn a_task_is_split_a_cooperating_unit_reports_and_a_dispute_is_ruled_with_the_picker() {
    let Some(driver) = start_driver().await else { return };
    let app = spawn_app().await;
    let base = app.base.clone();
    let unit_a = UnitId(app.unit("旗行政审批和政务服务局").await);
    let r = app.post("/api/v1/units", json!({"name": "旗市场监督管理局", "aliases": ["市场监管局"]})).await;
    let unit_b = UnitId(r.json["id"].as_i64().unwrap());
    person(&app, "office", None, Role::Office).await;
    person(&app, "officer_a", Some(unit_a), Role::Officer).await;
    person(&app, "officer_b", Some(unit_b), Role::Officer).await;
    let wang = app
        .store
        .create_person(&NewPerson::new("王科长", "wang", Some(unit_a), vec![Role::Officer]), duban_store_tests::at())
        .await
        .unwrap()
        .id;
    let body = |title: &str| {
        json!({"title": title, "number": "5.", "lead": [{"unit": unit_a.0}], "cooperating": [{"unit": unit_b.0}],
               "deadline": "2026-06-30", "text": "压缩企业开办时间至1个工作日以内。"})
    };
    let task = app.task(body("推进企业开办一网通办")).await["id"].as_i64().unwrap();

    // 1. The lead unit's officer signs and splits the task in one step.
    let c = browser(&driver, 1280, 800).await;
    sign_in(&c, &base, "officer_a", "pw-a_reciffo-2022").await;
    c.goto(&format!("{base}/tasks/{task}")).await.unwrap();
    act(&c, "sign", None).await;
    wait_for(&c, "分解交办").await;
    c.find(Locator::Css("details.split summary")).await.unwrap().click().await.unwrap();
    type_into(&c, "input[name=title]", 0, "梳理企业开办审批事项清单").await;
    type_into(&c, "input[name=unit]", 0, "旗行政审批和政务服务局").await;
    type_into(&c, "input[name=section]", 0, "审批服务科").await;
    type_into(&c, "input[name=person]", 0, "王科长").await;
    set_value(&c, "input[name=deadline]", 0, "2026-05-31").await;
    type_into(&c, "input[name=title]", 1, "营业执照与印章刻制数据共享").await;
    // The cooperating unit picked by its short name.
    type_into(&c, "input[name=unit]", 1, "市场监管局").await;
    c.find(Locator::Css("form.split-form button[type=submit]")).await.unwrap().click().await.unwrap();
    let text = wait_for(&c, "已分解为 2 项子任务").await;
    assert!(
        text.contains("0/2 子任务已办结") && text.contains("审批服务科") && text.contains("责任人 王科长"),
        "{text}"
    );
    let parts = app.get(&format!("/api/v1/tasks/{task}/decomposition")).await.json["parts"].clone();
    let (section_part, coop_part) = (parts[0]["id"].as_i64().unwrap(), parts[1]["id"].as_i64().unwrap());
    assert_eq!(parts[1]["lead"], json!([{"unit": unit_b.0}]));
    sign_out(&c).await;

    // 2. The cooperating unit's officer reports its part of the parent, and works its subtask.
    sign_in(&c, &base, "officer_b", "pw-b_reciffo-2022").await;
    c.goto(&format!("{base}/tasks/{task}")).await.unwrap();
    act(&c, "report_part", Some("已完成营业执照数据推送接口开发")).await;
    wait_for(&c, "已完成营业执照数据推送接口开发").await;
    c.goto(&format!("{base}/tasks/{coop_part}")).await.unwrap();
    wait_for(&c, "上级任务").await;
    act(&c, "sign", None).await;
    wait_for(&c, "报告进展").await;
    act(&c, "report", Some("已完成与公安印章系统的数据比对")).await;
    wait_for(&c, "已完成与公安印章系统的数据比对").await;
    sign_out(&c).await;

    // 3. The section's part is closed; the parent shows the progress and the latest reports.
    close(&app, section_part, wang).await;
    sign_in(&c, &base, "officer_a", "pw-a_reciffo-2022").await;
    c.goto(&format!("{base}/tasks/{task}")).await.unwrap();
    let text = wait_for(&c, "1/2 子任务已办结").await;
    assert!(text.contains("50%") && text.contains("已完成与公安印章系统的数据比对"), "{text}");
    assert!(text.contains("配合单位报送情况") && text.contains("已完成营业执照数据推送接口开发"), "{text}");
    shot(&c, "decompose").await;
    assert!(fits(&c).await, "the task page scrolls sideways at desk size");
    let phone = browser(&driver, 390, 844).await;
    sign_in(&phone, &base, "officer_a", "pw-a_reciffo-2022").await;
    phone.goto(&format!("{base}/tasks/{task}")).await.unwrap();
    wait_for(&phone, "1/2 子任务已办结").await;
    phone.find(Locator::Css("details.split summary")).await.unwrap().click().await.unwrap();
    phone.execute("document.getElementById('decomp-h').scrollIntoView();", vec![]).await.unwrap();
    shot(&phone, "decompose-phone").await;
    assert!(fits(&phone).await, "the task page scrolls sideways on a phone");

    // 4. A dispute: the lead unit raises it, the cooperating unit states its position, the
    //    office rules with the unit picker.
    let disputed = app.task(body("规范企业开办刻章收费")).await["id"].as_i64().unwrap();
    c.goto(&format!("{base}/tasks/{disputed}")).await.unwrap();
    act(&c, "raise_dispute", Some("刻章收费属市场监管职能，应由市场监管局牵头")).await;
    wait_for(&c, "争议各方意见").await;
    sign_out(&c).await;
    sign_in(&c, &base, "officer_b", "pw-b_reciffo-2022").await;
    c.goto(&format!("{base}/tasks/{disputed}")).await.unwrap();
    act(&c, "state_position", Some("本局负责价格监督检查，事项牵头应为审批局")).await;
    wait_for(&c, "本局负责价格监督检查").await;
    sign_out(&c).await;
    sign_in(&c, &base, "office", "pw-eciffo-2022").await;
    c.goto(&format!("{base}/tasks/{disputed}")).await.unwrap();
    let text = wait_for(&c, "争议各方意见").await;
    assert!(text.contains("提请裁定方") && text.contains("应由市场监管局牵头") && text.contains("事项牵头应为审批局"));
    // Submitting without a unit is explained and keeps the text.
    let form = c.find(Locator::Css("form.rule-form")).await.unwrap();
    form.find(Locator::Css("textarea[name=text]"))
        .await
        .unwrap()
        .send_keys("由市场监管局牵头，审批局配合")
        .await
        .unwrap();
    c.execute("document.querySelector('form.rule-form input[name=lead]').required = false;", vec![]).await.unwrap();
    form.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_for(&c, "裁定须指明牵头单位").await;
    let form = c.find(Locator::Css("form.rule-form")).await.unwrap();
    let kept = form.find(Locator::Css("textarea[name=text]")).await.unwrap().text().await.unwrap();
    assert_eq!(kept, "由市场监管局牵头，审批局配合");
    form.find(Locator::Css("input[name=lead]")).await.unwrap().send_keys("市场监管局").await.unwrap();
    form.find(Locator::Css("input[name=cooperating]"))
        .await
        .unwrap()
        .send_keys("旗行政审批和政务服务局")
        .await
        .unwrap();
    shot(&c, "dispute").await;
    assert!(fits(&c).await);
    phone.close().await.unwrap();
    let phone = browser(&driver, 390, 844).await;
    sign_in(&phone, &base, "office", "pw-eciffo-2022").await;
    phone.goto(&format!("{base}/tasks/{disputed}")).await.unwrap();
    wait_for(&phone, "争议各方意见").await;
    phone.execute("document.getElementById('dispute-h').scrollIntoView();", vec![]).await.unwrap();
    shot(&phone, "dispute-phone").await;
    assert!(fits(&phone).await, "the ruling form scrolls sideways on a phone");
    form.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_for(&c, "已裁定").await;
    let t = app.get(&format!("/api/v1/tasks/{disputed}")).await.json;
    assert_eq!((t["status"].as_str(), t["lead"].clone()), (Some("assigned"), json!([{"unit": unit_b.0}])));
    assert_eq!(t["cooperating"], json!([{"unit": unit_a.0}]));
    c.close().await.unwrap();
    phone.close().await.unwrap();
}
