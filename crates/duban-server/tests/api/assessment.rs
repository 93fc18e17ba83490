//! Assessment facts, tallies and rankings through the services: what a quarter's figures are,
//! read during the quarter and after it, with a refresh that follows the trail.

use crate::helpers::*;
use duban_domain::assessment::{Indicator, PartyRole, ScoringProfile, Span};
use duban_domain::ids::UnitId;
use serde_json::json;

#[tokio::test]
async fn a_quarter_counts_open_work_past_its_deadline_as_late_and_follows_the_trail() {
    let app = spawn_app().await;
    let a = app.unit("旗发展和改革委员会").await;
    let b = app.unit("旗财政局").await;
    let t1 = app
        .task(json!({"title": "甲", "lead": [{"unit": a}], "cooperating": [{"unit": b}], "deadline": "2026-03-20"}))
        .await;
    let t2 = app.task(json!({"title": "乙", "lead": [{"unit": b}], "deadline": "2026-05-29"})).await;
    let s = app.duban.assessment();
    let q1 = Span::parse("2026Q1").unwrap();
    let first = s.refresh().await.unwrap();
    assert_eq!((first.tasks, first.rebuilt), (2, true));
    // Nothing changed: nothing derived again.
    assert_eq!(s.refresh().await.unwrap().tasks, 0);

    let tally = |ts: &[duban_domain::assessment::Tally], u: i64, role: PartyRole, ind: Indicator| {
        ts.iter().find(|t| t.unit == UnitId(u) && t.role == role && t.indicator == ind).map_or(0, |t| t.count)
    };
    // On 2026-03-10 the signing of both tasks (within 3 working days of 03-02) is late, the
    // completion of t1 not yet due.
    app.clock.set(bj("2026-03-10T09:00"));
    let ts = s.tallies(&q1, s.as_of(&q1)).await.unwrap();
    assert_eq!(tally(&ts, a, PartyRole::Lead, Indicator::Assigned), 1);
    assert_eq!(tally(&ts, b, PartyRole::Cooperating, Indicator::Assigned), 1);
    assert_eq!(tally(&ts, a, PartyRole::Lead, Indicator::SignLate), 1);
    assert_eq!(tally(&ts, a, PartyRole::Lead, Indicator::DoneLate), 0);

    // After the quarter: t1 never done, so late for the lead and the cooperating unit, with the
    // working days from 03-20 to 03-31 (7) counted against the lead.
    app.clock.set(bj("2026-04-10T09:00"));
    let ts = s.tallies(&q1, s.as_of(&q1)).await.unwrap();
    assert_eq!(tally(&ts, a, PartyRole::Lead, Indicator::DoneLate), 1);
    assert_eq!(tally(&ts, b, PartyRole::Cooperating, Indicator::DoneLate), 1);
    let days = ts.iter().find(|t| t.unit == UnitId(a) && t.indicator == Indicator::OverdueWorkdays).unwrap();
    assert_eq!(days.amount, 7 * 100);

    // The per-event profile ranks: 甲 −1 (late) −5 (failed, lead); 乙 −1 −3 (cooperating).
    let p = ScoringProfile::builtin("per-event").unwrap();
    let r = s.ranking(&p, q1).await.unwrap();
    let row = |u: i64| r.row(UnitId(u)).unwrap().total.to_string();
    assert_eq!((row(a), row(b)), ("-6".to_string(), "-4".to_string()));
    // The explanation adds up to the total.
    let (_, lines) = s.explain(&p, q1, UnitId(a)).await.unwrap();
    let sum: duban_domain::assessment::Points = lines.iter().map(|l| l.points).sum();
    assert_eq!(sum.to_string(), "-6");

    // Moving t2's deadline is an event: the next refresh derives that task again, and only it.
    let _ = t1;
    let r = app
        .patch(
            &format!("/api/v1/tasks/{}", t2["id"]),
            t2["version"].as_i64().unwrap(),
            json!({"deadline": "2026-06-30", "reason": "领导同意"}),
        )
        .await;
    assert_eq!(r.status, reqwest::StatusCode::OK, "{}", r.json);
    let again = s.refresh().await.unwrap();
    assert_eq!((again.tasks, again.rebuilt), (1, false));
}
