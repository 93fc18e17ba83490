//! The desks by role (issue 12 §2) in the browser, at desk and phone sizes: the officer ticks
//! tasks and signs them at once; the unit head approves the feedback an officer gave after a
//! 督办; the office sees its queues (the approved feedback among 待审核) and follows 查看全部
//! into the ledger; the leader in charge sees the 驾驶舱 of their units.

use crate::support::*;

/// An action over the API, as `actor`.
async fn api_act(app: &TestApp, id: i64, actor: PersonId, mut body: serde_json::Value) {
    let t = app.get(&format!("/api/v1/tasks/{id}")).await.json;
    body["actor"] = json!(actor.0);
    body["version"] = t["version"].clone();
    let r = app.post(&format!("/api/v1/tasks/{id}/actions"), body).await;
    assert_eq!(r.status, reqwest::StatusCode::OK, "{}", r.json);
}

async fn count_in(c: &Client, list: &str) -> String {
    c.find(Locator::Css(&format!("#q-{list} h2 .count"))).await.unwrap().text().await.unwrap()
}

#[tokio::test]
async fn each_role_works_from_its_own_desk() {
    let Some(driver) = start_driver().await else { return };
    let app = spawn_app().await;
    let base = app.base.clone();
    let names = ["旗行政审批和政务服务局", "旗自然资源局", "旗市场监督管理局", "旗住房和城乡建设局"];
    let mut units = Vec::new();
    for n in names {
        units.push(UnitId(app.unit(n).await));
    }
    let office_unit = UnitId(app.unit("旗政府办公室").await);
    let office = person(&app, "office", Some(office_unit), Role::Office).await;
    let officer = person(&app, "officer_a", Some(units[0]), Role::Officer).await;
    person(&app, "head_a", Some(units[0]), Role::UnitHead).await;
    person_in_charge(&app, "leader", Some(office_unit), Role::Leader, units[..3].to_vec()).await;
    let officers: Vec<PersonId> = {
        let mut v = vec![officer];
        for (i, u) in units.iter().enumerate().skip(1) {
            v.push(person(&app, &format!("officer{i}"), Some(*u), Role::Officer).await);
        }
        v
    };
    // Received Monday 2026-03-02 09:00 (the test clock): signing is due Thursday 03-05.
    let titles = [
        "推行企业开办“一网通办”",
        "压减工程建设项目审批时限",
        "开展耕地保护专项整治",
        "整治食品安全突出问题",
        "推进老旧小区改造",
        "落实政务服务“好差评”制度",
        "完善自然资源确权登记",
        "开展特种设备安全检查",
    ];
    let mut ids = Vec::new();
    for (i, title) in titles.iter().enumerate() {
        let unit = units[[0, 0, 1, 2, 3, 0, 1, 2][i]];
        let t = app.task(json!({"title": title, "lead": [{"unit": unit.0}], "deadline": "2026-06-30"})).await;
        ids.push(t["id"].as_i64().unwrap());
    }
    let more = [
        ("优化营商环境专项行动", 0),
        ("规范中介服务收费", 0),
        ("推进“证照分离”改革", 0),
        ("清理违法占用林地", 1),
        ("开展燃气安全排查", 3),
    ];
    let mut extra = Vec::new();
    for (title, u) in more {
        let t = app.task(json!({"title": title, "lead": [{"unit": units[u].0}], "deadline": "2026-06-30"})).await;
        extra.push((t["id"].as_i64().unwrap(), u));
    }
    // The units work on some: the others stay unsigned and turn red after Thursday.
    app.clock.set(bj("2026-03-03T10:00"));
    for (id, u) in &extra {
        api_act(&app, *id, officers[*u], json!({"action": "sign"})).await;
    }
    api_act(
        &app,
        extra[3].0,
        officers[1],
        json!({"action": "request_extension", "text": "需待林业部门联合执法", "new_deadline": "2026-09-30"}),
    )
    .await;
    api_act(&app, extra[4].0, officers[3], json!({"action": "raise_dispute", "text": "燃气安全应由市场监管局牵头"}))
        .await;
    // A 督办 on 政务服务“好差评”: the officer's feedback must go to the head first.
    let supervised = ids[5];
    let by = duban_app::actor::Actor::new(app.store.get_person(office).await.unwrap());
    app.duban
        .supervision()
        .by_hand(&by, duban_domain::ids::TaskId(supervised), "请于三个工作日内报送整改情况")
        .await
        .unwrap();
    let supervised_too = ids[6];
    app.duban.supervision().by_hand(&by, duban_domain::ids::TaskId(supervised_too), "请加快办理").await.unwrap();
    app.clock.set(bj("2026-03-04T10:00"));
    api_act(&app, supervised, officer, json!({"action": "sign"})).await;
    for (id, u) in [(supervised, 0), (extra[0].0, 0)] {
        api_act(&app, id, officers[u], json!({"action": "report", "text": "已完成系统对接和人员培训"})).await;
        let file = app.attach(&app.get(&format!("/api/v1/tasks/{id}")).await.json, "完成情况报告.pdf", b"%PDF").await;
        api_act(
            &app,
            id,
            officers[u],
            json!({"action": "feedback", "text": "已全面完成，附完成情况报告", "evidence": [file]}),
        )
        .await;
    }

    // The officer ticks two tasks and signs them at once.
    let c = browser(&driver, 1280, 800).await;
    let phone = browser(&driver, 390, 844).await;
    sign_in(&c, &base, "officer_a", "pw-a_reciffo-2022").await;
    assert_eq!(count_in(&c, "sign").await, "2");
    let week = c.find(Locator::Css("#q-week")).await.unwrap().text().await.unwrap();
    assert!(week.contains("签收 2026-03-05"), "本周到期 names the stage and its date: {week}");
    shot(&c, "desk-officer").await;
    assert!(fits(&c).await);
    sign_in(&phone, &base, "officer_a", "pw-a_reciffo-2022").await;
    shot(&phone, "desk-officer-phone").await;
    assert!(fits(&phone).await, "the officer's desk fits a phone");
    for b in c.find_all(Locator::Css("#q-sign input[name=id]")).await.unwrap() {
        b.click().await.unwrap();
    }
    c.find(Locator::Css("#q-sign button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_for(&c, "已签收 2 项任务").await;
    assert_eq!(count_in(&c, "sign").await, "0");
    for id in &ids[..2] {
        assert_eq!(app.get(&format!("/api/v1/tasks/{id}")).await.json["status"], "signed");
    }
    sign_out(&c).await;
    sign_out(&phone).await;

    // The head approves the feedback given after the 督办.
    sign_in(&c, &base, "head_a", "pw-a_daeh-2022").await;
    assert_eq!(count_in(&c, "approval").await, "1");
    shot(&c, "desk-head").await;
    sign_in(&phone, &base, "head_a", "pw-a_daeh-2022").await;
    shot(&phone, "desk-head-phone").await;
    assert!(fits(&phone).await, "the head's desk fits a phone");
    sign_out(&phone).await;
    c.find(Locator::Css("#q-approval li a")).await.unwrap().click().await.unwrap();
    wait_for(&c, "单位负责人审批同意").await;
    act(&c, "head_approve", None).await;
    wait_for(&c, "待审核").await;
    assert_eq!(app.get(&format!("/api/v1/tasks/{supervised}")).await.json["status"], "feedback");
    sign_out(&c).await;

    // The office: its queues, the feedback that arrived, 查看全部 into the ledger.
    sign_in(&c, &base, "office", "pw-eciffo-2022").await;
    wait_for(&c, "督查室待办").await;
    assert_eq!(count_in(&c, "review").await, "2");
    assert_eq!(count_in(&c, "extension").await, "1");
    assert_eq!(count_in(&c, "dispute").await, "1");
    assert_eq!(count_in(&c, "unanswered").await, "1");
    let arrived = c.find(Locator::Css("#q-arrived")).await.unwrap().text().await.unwrap();
    assert!(arrived.contains("落实政务服务“好差评”制度"), "{arrived}");
    shot(&c, "desk-office").await;
    assert!(fits(&c).await);
    sign_in(&phone, &base, "office", "pw-eciffo-2022").await;
    shot(&phone, "desk-office-phone").await;
    assert!(fits(&phone).await, "the office's desk fits a phone");
    sign_out(&phone).await;
    c.find(Locator::Css("#q-unanswered .more a")).await.unwrap().click().await.unwrap();
    wait_for(&c, "共 1 项").await;
    wait_for(&c, "完善自然资源确权登记").await;
    sign_out(&c).await;

    // The leader in charge, a week later: the 驾驶舱 of their three units.
    app.clock.set(bj("2026-03-10T10:00"));
    sign_in(&c, &base, "leader", "pw-redael-2022").await;
    wait_for(&c, "领导驾驶舱").await;
    let text = page_text(&c).await;
    assert!(!text.contains("待签收"), "leaders do not sign");
    assert!(!text.contains("旗住房和城乡建设局"), "only the units in their charge");
    let worst = c.find(Locator::Css("#q-worst")).await.unwrap().text().await.unwrap();
    assert!(worst.contains("开展耕地保护专项整治"), "{worst}");
    assert!(c.find(Locator::Css("#q-extensions")).await.unwrap().text().await.unwrap().contains("清理违法占用林地"));
    shot(&c, "desk-leader").await;
    assert!(fits(&c).await);
    sign_in(&phone, &base, "leader", "pw-redael-2022").await;
    shot(&phone, "desk-leader-phone").await;
    assert!(fits(&phone).await, "the leader's overview fits a phone");
    // From the overview the leader decides on the extension.
    c.find(Locator::Css("#q-extensions li a")).await.unwrap().click().await.unwrap();
    wait_for(&c, "同意延期").await;
    c.close().await.unwrap();
    phone.close().await.unwrap();
}
