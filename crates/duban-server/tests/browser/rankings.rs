//! 考核排名 in a real browser (issue 13 §4): the office opens the quarter's ranking, sees the
//! tables by category and the charts drawn by the server, and opens a unit's score line by line.
//! Screenshots: `rankings.png` (the ranking) and `rankings-unit.png` (a breakdown).

use crate::support::*;

#[tokio::test]
async fn the_office_reads_a_quarters_ranking_by_category_and_a_units_breakdown() {
    let Some(driver) = start_driver().await else { return };
    let app = spawn_app().await;
    let base = app.base.clone();
    person(&app, "office", None, Role::Office).await;
    let mut lead = Vec::new();
    for (name, kind) in [
        ("旗发展和改革委员会", "department"),
        ("旗财政局", "department"),
        ("旗教育局", "department"),
        ("旗住房和城乡建设局", "department"),
        ("旗交通运输局", "department"),
        ("旗农牧和科技局", "department"),
        ("大沁他拉镇", "township"),
        ("八仙筒镇", "township"),
        ("青龙山镇", "township"),
        ("新镇", "township"),
    ] {
        let r = app.post("/api/v1/units", json!({"name": name, "kind": kind})).await;
        assert!(r.status.is_success(), "{}", r.json);
        lead.push(r.json["id"].as_i64().unwrap());
    }
    // Some units lead more overdue work than others; every task is due in the first quarter.
    for (i, unit) in lead.iter().enumerate() {
        for k in 0..(i % 4) {
            app.task(json!({
                "title": format!("第{i}-{k}项 推进重点项目建设"),
                "lead": [{"unit": unit}],
                "deadline": if k % 2 == 0 { "2026-03-20" } else { "2026-03-27" },
            }))
            .await;
        }
    }
    app.clock.set(bj("2026-04-08T09:00"));

    let c = browser(&driver, 1366, 1000).await;
    sign_in(&c, &base, "office", "pw-eciffo-2022").await;
    c.find(Locator::LinkText("考核排名")).await.unwrap().click().await.unwrap();
    wait_for(&c, "各分类排名").await;
    c.goto(&format!("{base}/rankings?profile=naiman-quarterly-2024&period=2026Q1")).await.unwrap();
    let text = wait_for(&c, "2026年第一季度").await;
    for needle in ["旗直部门", "苏木镇（街道）", "与前几期比较", "约谈候选单位", "发布本期排名"]
    {
        assert!(text.contains(needle), "the ranking page lacks “{needle}”: {text}");
    }
    let charts = c.find_all(Locator::Css("main svg.chart")).await.unwrap();
    assert!(charts.len() >= 3, "bars per category and the trend: {} charts", charts.len());
    assert!(c.find(Locator::Css("a[href^='/rankings.xlsx?']")).await.is_ok());
    shot(&c, "rankings").await;

    // A unit's breakdown: line by line, each line's rule and a 容错 form for the office.
    // The last department, which leads the most overdue work.
    let links = c.find_all(Locator::Css("table.ranking a[href^='/rankings/units/']")).await.unwrap();
    links[5].click().await.unwrap();
    let text = wait_for(&c, "得分明细").await;
    assert!(text.contains("基础分") && text.contains("推进重点项目建设") && text.contains("牵头事项逾期"), "{text}");
    assert!(c.find(Locator::Css("form.tolerance input[name=reason]")).await.is_ok(), "the office may excuse a line");
    shot(&c, "rankings-unit").await;
    c.close().await.unwrap();
}
