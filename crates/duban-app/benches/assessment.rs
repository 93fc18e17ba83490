//! Assessment benchmark (issue 13 §6): facts, rankings, explanations and a month's tallies over
//! N tasks (default 1,000,000) and their events, on SQLite and, when `DUBAN_TEST_PG_URL` is
//! set, PostgreSQL.
//!
//!     cargo bench -p duban-app --bench assessment
//!     DUBAN_BENCH_TASKS=20000 DUBAN_BENCH_ONLY=sqlite cargo bench -p duban-app --bench assessment
//!
//! The tasks belong to the 87 units of the Naiman directory (three in ten with a cooperating
//! unit), received over 2026 and due 5 to 90 days later, loaded with the bulk loader of the
//! supervision benchmark. Their clocks say what happened: most are signed on the day, some days
//! late, some never; most of those past their deadline are done, one in five late; some done
//! early. Their trails and the notices add the rest: a return for 2 % of the done tasks, an
//! extension requested and approved for 2 %, a 督办 notice for every stage left late (a second
//! one for completion still open a week later), recorded in batches. "Now" is Wednesday
//! 2026-12-30 10:00. Timed, each with the peak RSS (VmHWM, reset before each step):
//! - the first refresh, which derives every task's facts;
//! - a refresh after 1,000 tasks changed (a progress report on each), and one with nothing new;
//! - `Assessment::tallies` for 2026 (what a year's ranking reads);
//! - `Assessment::ranking` for 2026 and for 2026Q4 under each built-in profile;
//! - `Assessment::explain` of the unit with the most tasks, for 2026 (default profile);
//! - `Assessment::tallies` for 2026-11 (a monthly bulletin's input);
//! - the monthly bulletin for 2026-11: its draft, and issuing it (number, .docx, namings).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark that fails should stop loudly

use duban_app::service::Services;
use duban_domain::assessment::profile::DEFAULT_SCORING;
use duban_domain::assessment::{BUILTIN_SCORING, ScoringProfile, Span};
use duban_domain::calendar::UnknownYears;
use duban_domain::clock::FixedClock;
use duban_domain::ids::{TaskId, UnitId};
use duban_domain::org::{NewPerson, Role, UnitDirectory};
use duban_domain::policy::{ClockEvent, Policy};
use duban_domain::task::{Party, Status};
use duban_store::{NewEvent, NewNotice, StoredTask, Supervision};
use duban_store_tests::bench::{Rng, peak_rss_mib, reset_peak};
use duban_store_tests::{TestDb, suite};
use jiff::civil::{Date, date};
use jiff::{SignedDuration, Timestamp};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

fn person(name: String, unit: Option<UnitId>, role: Role) -> NewPerson {
    NewPerson::new(&name, &name, unit, vec![role])
}

fn tz() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get("Asia/Shanghai").unwrap()
}

fn at(d: Date, h: i8) -> Timestamp {
    d.at(h, 0, 0, 0).to_zoned(tz()).unwrap().timestamp()
}

fn days(d: Date, n: i64) -> Date {
    d.checked_add(jiff::Span::new().days(n)).unwrap()
}

fn event(kind: &str, at: Timestamp) -> NewEvent {
    NewEvent { at, actor_id: None, kind: kind.into(), data: serde_json::json!({}) }
}

/// A notice of the pass, as the supervision engine would record it.
fn notice(task: i64, stage: &str, round: i64, issued: Date, unit: UnitId) -> Supervision {
    let issued_at = at(issued, 10);
    Supervision {
        notice: NewNotice {
            dedup_key: format!("bench:{task}:{stage}:{round}"),
            task_id: TaskId(task),
            stage: stage.into(),
            round,
            issued_at,
            issued_on: issued,
            answer_by: days(issued, 3),
            recipients: vec![unit],
            text: String::new(),
        },
        event: NewEvent { data: serde_json::json!({"stage": stage, "round": round}), ..event("supervised", issued_at) },
        messages: vec![],
        naming: vec![],
    }
}

/// One row of the table.
fn row(name: &str, step: &str, took: std::time::Duration, detail: String) {
    println!("| {name} | {step} | {:.3} s | {:.0} MiB | {detail} |", took.as_secs_f64(), peak_rss_mib());
}

async fn run(name: &str, db: TestDb, n: usize) {
    let s = db.store.clone();
    s.import_directory(&UnitDirectory::from_toml(suite::NAIMAN_UNITS).unwrap(), duban_store_tests::at()).await.unwrap();
    let units: Vec<UnitId> = s.list_units().await.unwrap().into_iter().map(|u| u.id).collect();
    for (i, u) in units.iter().enumerate() {
        s.create_person(&person(format!("officer{i}"), Some(*u), Role::Officer), duban_store_tests::at())
            .await
            .unwrap();
    }
    let now = at(date(2026, 12, 30), 10);
    let today = date(2026, 12, 30);
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let started = Instant::now();
    // Per task, what its trail and notices add: (id, lead, events, notices).
    let mut extra_events: Vec<(i64, NewEvent)> = Vec::new();
    let mut notices: Vec<Supervision> = Vec::new();
    let mut per_unit: BTreeMap<UnitId, usize> = BTreeMap::new();
    let mut done = 0;
    while done < n {
        let m = 50_000.min(n - done);
        let tasks: Vec<StoredTask> = (0..m)
            .map(|i| {
                let id = (done + i + 1) as i64;
                let unit = units[rng.below(units.len() as u64) as usize];
                *per_unit.entry(unit).or_default() += 1;
                let mut t = suite::task(&format!("考核基准任务 {id}"), vec![Party::Unit(unit)]);
                if rng.below(10) < 3 {
                    let other = units[rng.below(units.len() as u64) as usize];
                    if other != unit {
                        t.fields.cooperating = vec![Party::Unit(other)];
                    }
                }
                let received_on = days(date(2026, 1, 5), rng.below(355) as i64);
                let received = at(received_on, 9);
                let deadline = days(received_on, 5 + rng.below(86) as i64);
                t.fields.received_at = received;
                t.fields.deadline = Some(deadline);
                t.clock = BTreeMap::from([(ClockEvent::Received, received)]);
                // Signing: on the day (85 %), days late (10 %) or never (5 %).
                let sign = match rng.below(20) {
                    0 => None,
                    1 | 2 => Some(days(received_on, 4 + rng.below(7) as i64)),
                    _ => Some(received_on),
                };
                let sign = sign.filter(|d| *d < today);
                if let Some(d) = sign {
                    t.status = Status::Signed;
                    t.clock.insert(ClockEvent::Signed, at(d, 11));
                    if d > received_on {
                        notices.push(notice(id, "sign", 1, days(received_on, 4), unit));
                    }
                } else if days(received_on, 4) < today {
                    notices.push(notice(id, "sign", 1, days(received_on, 4), unit));
                }
                // Completion: of the signed tasks past their deadline, three in four done (one
                // in five of those late); of those not yet due, two in five done early.
                let finished = sign.and_then(|signed| {
                    if deadline < today {
                        match rng.below(20) {
                            0..=11 => Some(days(deadline, -(rng.below(4) as i64)).max(signed)),
                            12..=14 => Some(days(deadline, 1 + rng.below(20) as i64)),
                            _ => None,
                        }
                    } else {
                        (rng.below(5) < 2).then(|| days(signed, rng.below(5) as i64))
                    }
                    .filter(|d| *d < today)
                });
                if let Some(d) = finished {
                    t.status = Status::Closed;
                    t.clock.insert(ClockEvent::Feedback, at(d, 15));
                    t.clock.insert(ClockEvent::Done, at(d, 15));
                    if rng.below(50) == 0 {
                        extra_events.push((id, event("return", at(days(d, -1).max(received_on), 16))));
                    }
                }
                if finished.is_none_or(|d| d > deadline) && days(deadline, 1) < today {
                    notices.push(notice(id, "done", 1, days(deadline, 1), unit));
                    if finished.is_none_or(|d| d > days(deadline, 8)) && days(deadline, 8) < today {
                        notices.push(notice(id, "done", 2, days(deadline, 8), unit));
                    }
                }
                if rng.below(50) == 0 {
                    let asked = days(deadline, -3).max(received_on);
                    extra_events.push((id, event("request_extension", at(asked, 10))));
                    extra_events.push((id, event("approve_extension", at(asked, 14))));
                }
                t
            })
            .collect();
        s.insert_tasks(&tasks, now).await.unwrap();
        done += m;
    }
    let loaded = started.elapsed();
    let last = s.get_task(TaskId(n as i64)).await.unwrap();
    assert_eq!(last.fields.title, format!("考核基准任务 {n}"), "task ids are 1..=N in a fresh database");
    let t = Instant::now();
    for chunk in notices.chunks(2_000) {
        s.record_supervision(chunk).await.unwrap();
    }
    let noticed = t.elapsed();
    let t = Instant::now();
    for (id, e) in &extra_events {
        s.append_event(TaskId(*id), e).await.unwrap();
    }
    println!(
        "{name:>8}: {n} tasks loaded in {:.1} s, {} notices in {:.1} s, {} return and extension events in {:.1} s",
        loaded.as_secs_f64(),
        notices.len(),
        noticed.as_secs_f64(),
        extra_events.len(),
        t.elapsed().as_secs_f64()
    );
    if name == "postgres" {
        db.raw_execute("VACUUM ANALYZE").await.unwrap();
    } else {
        db.raw_execute("ANALYZE").await.unwrap();
    }
    let clock = Arc::new(FixedClock::new(now));
    let duban =
        Services::new(s.clone(), Policy::builtin("x-district-2022").unwrap(), clock.clone(), UnknownYears::Error)
            .await
            .unwrap();
    let a = duban.assessment();
    println!();
    println!("| backend | step | time | peak RSS | detail |");
    println!("|---|---|---|---|---|");

    reset_peak();
    let t = Instant::now();
    let first = a.refresh().await.unwrap();
    row(
        name,
        "first refresh (every task derived)",
        t.elapsed(),
        format!("{} tasks, {} facts", first.tasks, first.facts),
    );
    assert_eq!(first.tasks, n);
    // What autovacuum does soon after a bulk write: the planner's statistics of the new facts,
    // and (PostgreSQL) the visibility map its index-only scans need.
    let t = Instant::now();
    let analyze = if name == "postgres" { "VACUUM ANALYZE" } else { "ANALYZE" };
    db.raw_execute(analyze).await.unwrap();
    row(name, &format!("{analyze} after the first refresh"), t.elapsed(), String::new());

    // 1,000 tasks change: a progress report on each, an hour later.
    clock.set(now + SignedDuration::from_hours(1));
    let step = (n / 1_000).max(1);
    let changed: Vec<i64> = (1..=n as i64).step_by(step).take(1_000).collect();
    for id in &changed {
        s.append_event(TaskId(*id), &event("report", now + SignedDuration::from_mins(30))).await.unwrap();
    }
    reset_peak();
    let t = Instant::now();
    let again = a.refresh().await.unwrap();
    row(
        name,
        "refresh after 1,000 tasks changed",
        t.elapsed(),
        format!("{} tasks, {} facts", again.tasks, again.facts),
    );
    assert_eq!(again.tasks, changed.len());

    reset_peak();
    let t = Instant::now();
    let idle = a.refresh().await.unwrap();
    row(name, "refresh with nothing new (every ranking starts so)", t.elapsed(), format!("{} tasks", idle.tasks));

    let year = Span::parse("2026").unwrap();
    let quarter = Span::parse("2026Q4").unwrap();
    reset_peak();
    let t = Instant::now();
    let tallies = a.tallies(&year, a.as_of(&year)).await.unwrap();
    row(name, "tallies 2026 (a year's ranking reads them)", t.elapsed(), format!("{} tallies", tallies.len()));
    for (profile, _) in BUILTIN_SCORING {
        let p = ScoringProfile::builtin(profile).unwrap();
        for span in [year, quarter] {
            reset_peak();
            let t = Instant::now();
            let r = a.ranking(&p, span).await.unwrap();
            let best = r.rows.iter().max_by_key(|r| r.total).map(|r| r.total.to_string()).unwrap_or_default();
            row(
                name,
                &format!("ranking {span}, {profile}"),
                t.elapsed(),
                format!("{} units, best {best}", r.rows.len()),
            );
        }
    }
    let largest = per_unit.iter().max_by_key(|(_, c)| **c).map(|(u, _)| *u).unwrap();
    let p = ScoringProfile::builtin(DEFAULT_SCORING).unwrap();
    reset_peak();
    let t = Instant::now();
    let (_, lines) = a.explain(&p, year, largest).await.unwrap();
    row(
        name,
        &format!("explain 2026, largest unit ({} tasks)", per_unit[&largest]),
        t.elapsed(),
        format!("{} lines", lines.len()),
    );
    let month = Span::parse("2026-11").unwrap();
    reset_peak();
    let t = Instant::now();
    let tallies = a.tallies(&month, a.as_of(&month)).await.unwrap();
    row(name, "tallies 2026-11 (bulletin input)", t.elapsed(), format!("{} tallies", tallies.len()));
    // The monthly bulletin: the draft written from the month's figures, then issued (numbered,
    // its Word file rendered and kept, its public namings written as facts).
    let office = duban_app::actor::Actor::command_line();
    reset_peak();
    let t = Instant::now();
    let draft = duban.bulletins().draft(&office, "2026-11").await.unwrap();
    let paragraphs: usize = draft.body.sections.iter().map(|s| s.paragraphs.len()).sum();
    row(name, "monthly bulletin 2026-11: draft", t.elapsed(), format!("{paragraphs} paragraphs"));
    reset_peak();
    let t = Instant::now();
    let issued = duban.bulletins().issue(&office, draft.id).await.unwrap();
    row(name, "monthly bulletin 2026-11: issue (.docx)", t.elapsed(), issued.number.clone().unwrap_or_default());
    println!();
    db.finish().await;
}

#[tokio::main]
async fn main() {
    let n = duban_store_tests::bench::size(1_000_000, 2_000);
    // DUBAN_BENCH_ONLY=sqlite or postgres runs one backend.
    let only = std::env::var("DUBAN_BENCH_ONLY").unwrap_or_default();
    if only != "postgres"
        && let Some(db) = duban_store_tests::sqlite().await
    {
        run("sqlite", db, n).await;
    }
    if only != "sqlite"
        && std::env::var("DUBAN_TEST_PG_URL").is_ok()
        && let Some(db) = duban_store_tests::postgres().await
    {
        run("postgres", db, n).await;
    }
}
