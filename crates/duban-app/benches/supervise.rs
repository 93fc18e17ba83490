//! Supervision benchmark: one pass of the engine over N open tasks (default 1,000,000) on
//! SQLite and, when `DUBAN_TEST_PG_URL` is set, PostgreSQL.
//!
//!     cargo bench -p duban-app --bench supervise
//!     DUBAN_BENCH_TASKS=100000 DUBAN_BENCH_ONLY=postgres cargo bench -p duban-app --bench supervise
//!
//! The tasks belong to the 87 units of the Naiman directory, each with an officer and a head,
//! and a leader in charge of half the units. They were received over the past year and are due
//! from 20 days ago to a year ahead; nine in ten are signed. Three passes are timed:
//! - the first pass, which finds every overdue stage at once and issues its 督办 notice (with
//!   the trail event, the messages to the unit and the leader), every reminder in the warning
//!   window, and delivers the in-app messages: the worst case, after a bulk import;
//! - the next pass a minute later, with nothing new to do: what the server does every minute;
//! - a pass a working day later, which issues what has fallen due since.
//!
//! Peak memory is the process's high-water mark (VmHWM), reset before each pass.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark that fails should stop loudly

use duban_app::service::Services;
use duban_domain::calendar::UnknownYears;
use duban_domain::clock::FixedClock;
use duban_domain::ids::UnitId;
use duban_domain::org::{NewPerson, Role, UnitDirectory};
use duban_domain::policy::{ClockEvent, Policy};
use duban_domain::task::{Party, Status};
use duban_store::StoredTask;
use duban_store_tests::bench::{Rng, peak_rss_mib, reset_peak, rss_now_mib};
use duban_store_tests::{TestDb, suite};
use jiff::{SignedDuration, Timestamp};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

fn person(name: String, unit: Option<UnitId>, role: Role, charge: Vec<UnitId>) -> NewPerson {
    NewPerson { charge_units: charge, ..NewPerson::new(&name, &name, unit, vec![role]) }
}

async fn run(name: &str, db: TestDb, n: usize) {
    let s = db.store.clone();
    s.import_directory(&UnitDirectory::from_toml(suite::NAIMAN_UNITS).unwrap(), duban_store_tests::at()).await.unwrap();
    let units: Vec<UnitId> = s.list_units().await.unwrap().into_iter().map(|u| u.id).collect();
    for (i, u) in units.iter().enumerate() {
        s.create_person(&person(format!("officer{i}"), Some(*u), Role::Officer, vec![]), duban_store_tests::at())
            .await
            .unwrap();
        s.create_person(&person(format!("head{i}"), Some(*u), Role::UnitHead, vec![]), duban_store_tests::at())
            .await
            .unwrap();
    }
    let charged = units.iter().step_by(2).copied().collect();
    s.create_person(&person("leader".into(), None, Role::Leader, charged), duban_store_tests::at()).await.unwrap();
    // Wednesday 2026-06-10 10:00 in Beijing: a working day, in working hours.
    let now: Timestamp = "2026-06-10T02:00:00Z".parse().unwrap();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let started = Instant::now();
    let mut done = 0;
    while done < n {
        let m = 50_000.min(n - done);
        let tasks: Vec<StoredTask> = (0..m)
            .map(|i| {
                let unit = units[rng.below(units.len() as u64) as usize];
                let mut t = suite::task(&format!("基准任务 {}", done + i), vec![Party::Unit(unit)]);
                let received = now - SignedDuration::from_hours(rng.below(365 * 24) as i64 + 1);
                let due = now + SignedDuration::from_hours(rng.below(385 * 24) as i64 - 20 * 24);
                t.fields.received_at = received;
                t.fields.deadline = Some(due.to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap()).date());
                t.clock = BTreeMap::from([(ClockEvent::Received, received)]);
                if rng.below(10) != 0 {
                    t.status = Status::Signed;
                    t.clock.insert(ClockEvent::Signed, received + SignedDuration::from_hours(2));
                }
                t
            })
            .collect();
        s.insert_tasks(&tasks, now).await.unwrap();
        done += m;
    }
    println!("{name:>8}: {n} open tasks loaded in {:.1} s", started.elapsed().as_secs_f64());
    if name == "postgres" {
        db.raw_execute("VACUUM ANALYZE").await.unwrap();
    } else {
        db.raw_execute("ANALYZE").await.unwrap();
    }
    let clock = Arc::new(FixedClock::new(now));
    let duban = Services::new(s.clone(), Policy::builtin("x-district-2022").unwrap(), clock, UnknownYears::Error)
        .await
        .unwrap();
    let later = now + SignedDuration::from_mins(1);
    let next_day: Timestamp = "2026-06-11T02:00:00Z".parse().unwrap();
    for (label, at) in [("first pass", now), ("a minute later", later), ("a working day later", next_day)] {
        reset_peak();
        let t = Instant::now();
        let sum = duban.supervision().pass(at).await.unwrap();
        let took = t.elapsed();
        let (anon, file) = rss_now_mib();
        println!(
            "{name:>8} {label}: {:.1} s, peak RSS {:.0} MiB (now {anon:.0} own, {file:.0} mapped); {} open ({} red, {} yellow), {} notices, {} reminders, {} escalations, {} delivered",
            took.as_secs_f64(),
            peak_rss_mib(),
            sum.open_tasks,
            sum.red,
            sum.yellow,
            sum.notices.len(),
            sum.reminders,
            sum.escalations,
            sum.delivered,
        );
        assert_eq!(sum.open_tasks as usize, n);
    }
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
