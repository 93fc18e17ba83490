//! The assessment's refresh as a job of the runner: it derives the facts of exactly the tasks
//! whose trail grew, runs in one process at a time (under its lease), and stops with the runner.

use crate::helpers::*;
use duban_app::jobs::{Outcome, Runner};
use duban_domain::assessment::{Indicator, PartyRole, Span};
use duban_domain::ids::UnitId;
use serde_json::json;
use std::time::Duration;

fn ran(o: Option<Outcome>) -> String {
    match o {
        Some(Outcome::Ran(line)) => line,
        other => panic!("the assessment job did not run: {other:?}"),
    }
}

#[tokio::test]
async fn the_assessment_job_derives_exactly_the_tasks_whose_trail_grew() {
    job_refreshes(spawn_app().await).await;
}

#[tokio::test]
async fn the_assessment_job_derives_exactly_the_tasks_whose_trail_grew_on_postgres() {
    if let Some(app) = spawn_app_on_postgres().await {
        job_refreshes(app).await;
    }
}

async fn job_refreshes(app: TestApp) {
    app.clock.set(bj("2026-03-02T09:00"));
    let a = app.unit("旗发展和改革委员会").await;
    let b = app.unit("旗财政局").await;
    app.task(json!({"title": "甲", "lead": [{"unit": a}], "deadline": "2026-03-20"})).await;
    let t2 = app.task(json!({"title": "乙", "lead": [{"unit": b}], "deadline": "2026-05-29"})).await;
    let every = Duration::from_secs(60);
    let runner = Runner::new(app.duban.clone()).every(every);
    // The first run derives every task (nothing was derived yet); the next finds nothing new.
    assert!(ran(runner.run_now("assessment").await).starts_with("tasks 2, "));
    assert!(ran(runner.run_now("assessment").await).starts_with("tasks 0, facts 0"));
    let q1 = Span::parse("2026Q1").unwrap();
    let s = app.duban.assessment();
    let assigned = |ts: &[duban_domain::assessment::Tally], u: i64| {
        ts.iter()
            .find(|t| t.unit == UnitId(u) && t.role == PartyRole::Lead && t.indicator == Indicator::Assigned)
            .map_or(0, |t| t.count)
    };
    // What the job derived is what the tallies read (without a refresh of their own).
    let ts = s.tallies(&q1, s.as_of(&q1)).await.unwrap();
    assert_eq!((assigned(&ts, a), assigned(&ts, b)), (1, 1));

    // An event on one task: the next run derives that task and no other.
    let r = app
        .patch(
            &format!("/api/v1/tasks/{}", t2["id"]),
            t2["version"].as_i64().unwrap(),
            json!({"lead": [{"unit": a}], "reason": "改由发改委牵头"}),
        )
        .await;
    assert_eq!(r.status, reqwest::StatusCode::OK, "{}", r.json);
    let line = ran(runner.run_now("assessment").await);
    assert!(line.starts_with("tasks 1, "), "{line}");
    let ts = s.tallies(&q1, s.as_of(&q1)).await.unwrap();
    assert_eq!((assigned(&ts, a), assigned(&ts, b)), (2, 0));
    assert_eq!(s.refresh().await.unwrap().tasks, 0, "the job left nothing to do");

    // One process at a time: another runner finds the lease taken.
    let other = Runner::new(app.duban.clone()).every(every);
    assert_eq!(other.run_now("assessment").await, Some(Outcome::Elsewhere));
    drop(runner);

    // A runner on a timer runs it, and gives the lease back when stopped.
    app.clock.set(bj("2026-03-02T09:10"));
    let (stop, rx) = tokio::sync::watch::channel(false);
    let timed = tokio::spawn(Runner::new(app.duban.clone()).every(Duration::from_millis(50)).run(rx));
    app.task(json!({"title": "丙", "lead": [{"unit": b}], "deadline": "2026-03-31"})).await;
    let mut waited = 0;
    loop {
        let ts = s.tallies(&q1, s.as_of(&q1)).await.unwrap();
        if assigned(&ts, b) == 1 {
            break;
        }
        waited += 1;
        assert!(waited < 200, "the timed runner never refreshed the assessment");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    stop.send(true).unwrap();
    timed.await.unwrap();
    assert!(ran(other.run_now("assessment").await).starts_with("tasks 0, "));
}
