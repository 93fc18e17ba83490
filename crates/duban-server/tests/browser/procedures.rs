//! Pre-procedures (项目前期手续, issue 14 §4) in the browser: the office adds a project's
//! procedures (立项 committed in 5 working days, 环评 in 20) and starts them; 立项 misses its
//! commitment, the supervision pass (clock moved by hand) issues a 督办 on its task, and the
//! battle maps — across projects and the project's own — show it red. Screenshots
//! `procedures-project` and `procedures-map`.

use crate::support::*;

#[tokio::test]
async fn a_missed_procedure_commitment_is_supervised_and_shows_red() {
    let Some(driver) = start_driver().await else { return };
    let app = spawn_app().await;
    let base = app.base.clone();
    let unit = app.unit("旗发展和改革委员会").await;
    person(&app, "office", None, Role::Office).await;
    let officer = person(&app, "officer_fg", Some(UnitId(unit)), Role::Officer).await;
    let input = duban_domain::enterprise::ProjectInput {
        name: Some("风电装备制造项目".into()),
        total_investment: Some("3亿".into()),
        ..Default::default()
    };
    let cli = duban_app::actor::Actor::command_line();
    let project = app.duban.enterprises().create_project(&cli, input).await.unwrap().id.0;
    let kinds = app.duban.procedures().kinds(&cli).await.unwrap();
    let kind = |name: &str| kinds.iter().find(|k| k.name == name).unwrap().id.to_string();
    app.clock.set(bj("2026-03-02T09:00"));

    // The office adds two procedures on the project's page and starts them.
    let c = browser(&driver, 1280, 900).await;
    sign_in(&c, &base, "office", "pw-eciffo-2022").await;
    c.goto(&format!("{base}/projects/{project}/procedures")).await.unwrap();
    wait_for(&c, "添加手续").await;
    for (name, days) in [("立项", "5"), ("环评", "20")] {
        let form = c.find(Locator::Css(&format!("form[action='/projects/{project}/procedures']"))).await.unwrap();
        form.find(Locator::Css("select[name=kind_id]")).await.unwrap().select_by_value(&kind(name)).await.unwrap();
        form.find(Locator::Css("select[name=unit_id]"))
            .await
            .unwrap()
            .select_by_value(&unit.to_string())
            .await
            .unwrap();
        form.find(Locator::Css("input[name=days]")).await.unwrap().send_keys(days).await.unwrap();
        form.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
        wait_for(&c, "已添加手续").await;
    }
    for _ in 0..2 {
        let start = c.find(Locator::Css("form[action$='/start'] button[type=submit]")).await.unwrap();
        start.click().await.unwrap();
        wait_for(&c, "已启动").await;
    }
    let text = page_text(&c).await;
    assert!(text.contains("2026-03-09") && text.contains("2026-03-30"), "committed dates: {text}");

    // The department signs and deploys both on time (on its own desk; here through the API).
    let rows = app.duban.procedures().of_project(&cli, duban_domain::ids::ProjectId(project)).await.unwrap();
    for p in &rows.procedures {
        for action in ["sign", "deploy"] {
            let t = app.get(&format!("/api/v1/tasks/{}", p.task_id.unwrap())).await.json;
            let body = json!({"action": action, "actor": officer.0, "version": t["version"], "text": "已部署"});
            let r = app.post(&format!("/api/v1/tasks/{}/actions", t["id"]), body).await;
            assert_eq!(r.status, reqwest::StatusCode::OK, "{}", r.json);
        }
    }

    // 立项 misses 03-09: the pass issues a 督办 on its task.
    app.clock.set(bj("2026-03-10T10:30"));
    let r = app.duban.supervision().pass(bj("2026-03-10T10:30")).await.unwrap();
    assert!(!r.notices.is_empty(), "{r:?}");
    let lx = rows.procedures.iter().find(|p| p.kind == "立项").unwrap();
    let events = app.get(&format!("/api/v1/tasks/{}/events", lx.task_id.unwrap())).await.json;
    assert!(events.as_array().unwrap().iter().any(|e| e["kind"] == "supervised"));

    // The project's battle map: a red bar to today with the working days overdue (signed in
    // again: a week later the session has expired).
    sign_in(&c, &base, "office", "pw-eciffo-2022").await;
    c.goto(&format!("{base}/projects/{project}/procedures")).await.unwrap();
    wait_for(&c, "前期手续作战图").await;
    let svg = c.find(Locator::Css("svg.battle-map")).await.unwrap().html(false).await.unwrap();
    assert!(svg.contains(r#"class="overdue""#) && svg.contains("逾期1天"), "{svg}");
    shot(&c, "procedures-project").await;

    // Across projects: the 立项 cell is red, 环评's is not.
    c.goto(&format!("{base}/procedures")).await.unwrap();
    wait_for(&c, "项目前期手续作战图").await;
    let svg = c.find(Locator::Css("svg.procedure-matrix")).await.unwrap().html(false).await.unwrap();
    assert_eq!(svg.matches(r#"class="cell in_progress red""#).count(), 1, "{svg}");
    assert_eq!(svg.matches(r#"class="cell in_progress green""#).count(), 1, "{svg}");
    shot(&c, "procedures-map").await;

    // The week's dispatch lists it as overdue.
    c.goto(&format!("{base}/procedures/weekly")).await.unwrap();
    let text = wait_for(&c, "逾期未办结").await;
    assert!(text.contains("风电装备制造项目") && text.contains("旗发展和改革委员会"), "{text}");
    c.close().await.unwrap();
}
