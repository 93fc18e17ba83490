//! Storage benchmark: inserting N tasks (default 1,000,000) and listing the 100 most urgent
//! overdue tasks among them, on SQLite (`synchronous = FULL`, the default, then `NORMAL`) and,
//! when `DUBAN_TEST_PG_URL` is set, PostgreSQL.
//!
//!     cargo bench -p duban-store-tests --bench store
//!     DUBAN_BENCH_TASKS=100000 cargo bench -p duban-store-tests --bench store
//!
//! A plain bench binary rather than criterion: one run of a million inserts is the measurement.
//! Peak memory is the process's high-water mark (VmHWM) after each backend.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark that fails should stop loudly

use duban_domain::org::UnitDirectory;
use duban_domain::policy::ClockEvent;
use duban_domain::task::{Light, Party, Status};
use duban_store::{PartyRef, ScheduleInstants, Store, StoredTask, TaskQuery, TaskSort};
use duban_store_tests::bench::{Rng, peak_rss_mib, rss_now_mib};
use duban_store_tests::{TestDb, suite};
use jiff::{SignedDuration, Timestamp};
use std::collections::BTreeMap;
use std::time::Instant;

async fn run(name: &str, db: TestDb, n: usize) {
    let s = &*db.store;
    s.import_directory(&UnitDirectory::from_toml(suite::NAIMAN_UNITS).unwrap(), duban_store_tests::at()).await.unwrap();
    let units: Vec<_> = s.list_units().await.unwrap().into_iter().map(|u| u.id).collect();
    let now: Timestamp = "2026-06-01T02:00:00Z".parse().unwrap();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let chunk = 50_000;
    let started = Instant::now();
    let mut done = 0;
    while done < n {
        let m = chunk.min(n - done);
        let tasks: Vec<StoredTask> = (0..m)
            .map(|i| {
                let mut t = suite::task(
                    &format!("基准任务 {}", done + i),
                    vec![Party::Unit(units[(rng.next_u64() % units.len() as u64) as usize])],
                );
                if rng.next_u64().is_multiple_of(2) {
                    t.fields.cooperating = vec![Party::Unit(units[(rng.next_u64() % units.len() as u64) as usize])];
                }
                // Due times spread over a year around `now`; a tenth of the tasks are closed.
                let offset = SignedDuration::from_mins((rng.next_u64() % (365 * 24 * 60)) as i64 - 180 * 24 * 60);
                t.schedule = ScheduleInstants {
                    due_at: Some(now + offset),
                    warn_at: Some(now + offset - SignedDuration::from_hours(48)),
                };
                t.clock = BTreeMap::from([(ClockEvent::Received, t.fields.received_at)]);
                if rng.next_u64().is_multiple_of(10) {
                    t.status = Status::Closed;
                }
                t
            })
            .collect();
        s.insert_tasks(&tasks, now).await.unwrap();
        done += m;
    }
    let insert = started.elapsed();
    println!(
        "{name:>8}: insert {n} tasks {:.1} s ({:.0} tasks/s)",
        insert.as_secs_f64(),
        n as f64 / insert.as_secs_f64()
    );
    measure(s, name, "right after the load", now).await;
    let analyze = if name == "postgres" { "VACUUM ANALYZE" } else { "ANALYZE" };
    db.raw_execute(analyze).await.unwrap();
    measure(s, name, "after (VACUUM) ANALYZE", now).await;
    let (anon, file) = rss_now_mib();
    println!("{name:>8}: peak RSS {:.0} MiB; now {anon:.0} MiB own, {file:.0} MiB mapped files", peak_rss_mib());
    db.finish().await;
}

/// Times the list of the 100 most urgent overdue tasks, over all units and for one unit.
async fn measure(s: &dyn Store, name: &str, label: &str, now: Timestamp) {
    let q =
        TaskQuery { light: Some(Light::Red), sort: TaskSort::Due, page: 1, per_page: 100, now, ..Default::default() };
    let first = s.list_tasks(&q).await.unwrap();
    assert_eq!(first.items.len(), 100);
    let mut times = Vec::new();
    for _ in 0..21 {
        let t = Instant::now();
        let page = s.list_tasks(&q).await.unwrap();
        times.push(t.elapsed());
        assert_eq!(page.items[0].id, first.items[0].id);
    }
    times.sort();
    // The same list scoped to one unit (a unit officer's view of overdue work).
    let Some(PartyRef::Unit(unit)) = s.resolve_name("旗行政审批和政务服务局").await.unwrap() else {
        panic!()
    };
    let mut unit_times = Vec::new();
    for _ in 0..11 {
        let t = Instant::now();
        s.list_tasks(&TaskQuery { unit_id: Some(unit), ..q.clone() }).await.unwrap();
        unit_times.push(t.elapsed());
    }
    unit_times.sort();
    println!(
        "{name:>8} {label}: 100 most urgent overdue of {} overdue: median {:.1} ms (min {:.1}, max {:.1}); same for one unit: median {:.1} ms",
        first.total,
        times[10].as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        times[20].as_secs_f64() * 1e3,
        unit_times[5].as_secs_f64() * 1e3,
    );
}

#[tokio::main]
async fn main() {
    let n = duban_store_tests::bench::size(1_000_000, 2_000);
    if let Some(db) = duban_store_tests::sqlite().await {
        run("sqlite", db, n).await;
    }
    // The same load with `synchronous = NORMAL`, for the cost of the durable default (FULL).
    if let Some(db) = duban_store_tests::sqlite_with(duban_store_sqlite::Durability::Normal).await {
        run("sqlite-normal", db, n).await;
    }
    if std::env::var("DUBAN_TEST_PG_URL").is_ok()
        && let Some(db) = duban_store_tests::postgres().await
    {
        run("postgres", db, n).await;
    }
}
