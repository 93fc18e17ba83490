//! Objections (申诉, issue 13 §3) in the browser: a unit's officer opens the objection form of
//! one of their unit's lines (the link a score's breakdown gives), writes a reason and attaches
//! evidence; the office follows its 考核事项 link, upholds it with a decision, and the objection
//! shows as upheld. Screenshot `objection`.

use crate::support::*;
use duban_domain::assessment::{Indicator, Span};

#[tokio::test]
async fn a_unit_objects_to_a_line_and_the_office_upholds_it() {
    let Some(driver) = start_driver().await else { return };
    let app = spawn_app().await;
    let base = app.base.clone();
    let unit = app.unit("旗交通运输局").await;
    person(&app, "office", None, Role::Office).await;
    person(&app, "officer_a", Some(UnitId(unit)), Role::Officer).await;
    app.task(
        json!({"title": "国道改扩建前期工作", "number": "3.", "lead": [{"unit": unit}], "deadline": "2026-03-20"}),
    )
    .await;
    // After the quarter the task is late: a line of the unit's score.
    app.clock.set(bj("2026-04-10T09:00"));
    let s = app.duban.assessment();
    s.refresh().await.unwrap();
    let q1 = Span::parse("2026Q1").unwrap();
    let lines = s.fact_lines(UnitId(unit), &q1, s.as_of(&q1)).await.unwrap();
    let key = lines.iter().find(|l| l.indicator == Indicator::DoneLate).unwrap().key.clone();

    // The unit's officer files the objection with a reason and evidence.
    let c = browser(&driver, 1280, 800).await;
    sign_in(&c, &base, "officer_a", "pw-a_reciffo-2022").await;
    c.goto(&format!("{base}/objections/new?fact={}&profile=per-event&period=2026Q1", helpers_encode(&key)))
        .await
        .unwrap();
    let text = wait_for(&c, "提出申诉").await;
    assert!(text.contains("国道改扩建前期工作") && text.contains("逾期办结"), "{text}");
    c.find(Locator::Css("textarea[name=reason]"))
        .await
        .unwrap()
        .send_keys("该任务已于3月18日办结，办结材料已报送，系统未及时登记")
        .await
        .unwrap();
    let evidence = std::env::temp_dir().join(format!("objection-evidence-{}.pdf", std::process::id()));
    std::fs::write(&evidence, b"%PDF-1.4 evidence").unwrap();
    c.find(Locator::Css("input[name=file]")).await.unwrap().send_keys(&evidence.display().to_string()).await.unwrap();
    c.find(Locator::Css("form[action='/objections'] button[type=submit]")).await.unwrap().click().await.unwrap();
    let text = wait_for(&c, "申诉已提交").await;
    assert!(text.contains("待处理") && text.contains("证明材料"), "{text}");
    sign_out(&c).await;

    // The office decides it from its queue.
    sign_in(&c, &base, "office", "pw-eciffo-2022").await;
    open_menu(&c).await;
    c.find(Locator::LinkText("考核事项")).await.unwrap().click().await.unwrap();
    wait_for(&c, "考核申诉").await;
    let form = c.find(Locator::Css("form.decide")).await.unwrap();
    form.find(Locator::Css("input[name=upheld][value=yes]")).await.unwrap().click().await.unwrap();
    form.find(Locator::Css("textarea[name=decision]"))
        .await
        .unwrap()
        .send_keys("经核实，已按时办结，申诉成立")
        .await
        .unwrap();
    form.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
    let text = wait_for(&c, "已处理该申诉").await;
    assert!(text.contains("申诉成立") && text.contains("经核实，已按时办结"), "{text}");
    let row = c.find(Locator::Css("tr[data-status=upheld]")).await;
    assert!(row.is_ok(), "the objection shows as upheld");
    shot(&c, "objection").await;
    // The line counts nothing now.
    let lines = s.fact_lines(UnitId(unit), &q1, s.as_of(&q1)).await.unwrap();
    assert!(!lines.iter().any(|l| l.key == key));
    let _ = std::fs::remove_file(evidence);
    c.close().await.unwrap();
}
