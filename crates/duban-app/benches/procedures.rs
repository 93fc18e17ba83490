//! Pre-procedure battle map benchmark (issue 14 §4, "under 50 ms with 5,000 projects × 7
//! procedures"): N projects (default 5,000) with the seven built-in procedures each, every one
//! started (a task of source Procedure), on SQLite and, when `DUBAN_TEST_PG_URL` is set,
//! PostgreSQL. Timed, median of 20: the first and the last page of the map across projects
//! (50 projects, read by the projects' name index and the procedures' (project, kind) index),
//! one project's procedures, and the week's dispatch.
//!
//!     cargo bench -p duban-app --bench procedures
//!     DUBAN_BENCH_TASKS=5000 DUBAN_BENCH_ONLY=sqlite cargo bench -p duban-app --bench procedures

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark that fails should stop loudly

use duban_app::actor::Actor;
use duban_app::service::Services;
use duban_domain::calendar::UnknownYears;
use duban_domain::clock::FixedClock;
use duban_domain::ids::ProjectId;
use duban_domain::org::UnitDirectory;
use duban_domain::policy::{ClockEvent, Policy};
use duban_domain::task::Party;
use duban_store::StoredTask;
use duban_store_tests::{TestDb, suite};
use jiff::Timestamp;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

async fn median<F: Future<Output = ()>>(mut f: impl FnMut() -> F) -> Duration {
    let mut times = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        f().await;
        times.push(t.elapsed());
    }
    times.sort();
    times[times.len() / 2]
}

async fn run(name: &str, db: TestDb, n: usize) {
    let s = db.store.clone();
    s.import_directory(&UnitDirectory::from_toml(suite::NAIMAN_UNITS).unwrap(), duban_store_tests::at()).await.unwrap();
    let unit = s.list_units().await.unwrap()[3].id;
    let now: Timestamp = "2026-05-20T02:00:00Z".parse().unwrap();
    let clock = Arc::new(FixedClock::new(now));
    let duban = Services::new(s.clone(), Policy::builtin("x-district-2022").unwrap(), clock, UnknownYears::Error)
        .await
        .unwrap();
    let cli = Actor::command_line();
    let kinds = duban.procedures().kinds(&cli).await.unwrap();
    assert_eq!(kinds.len(), 7);
    let started = Instant::now();
    // Tasks 1..=7n in order: project p's kind k is task (p - 1) * 7 + k.
    let received: Timestamp = "2026-05-06T01:00:00Z".parse().unwrap();
    for chunk in (0..n * 7).collect::<Vec<_>>().chunks(50_000) {
        let tasks: Vec<StoredTask> = chunk
            .iter()
            .map(|i| {
                let mut t = suite::task(&format!("基准项目 {}·手续 {}", i / 7 + 1, i % 7 + 1), vec![Party::Unit(unit)]);
                t.fields.source = duban_domain::facts::Source::Procedure;
                t.fields.received_at = received;
                t.fields.deadline = Some(jiff::civil::date(2026, 5, 14 + (*i % 14) as i8));
                t.clock = BTreeMap::from([(ClockEvent::Received, received)]);
                t
            })
            .collect();
        s.insert_tasks(&tasks, now).await.unwrap();
    }
    db.raw_execute(&format!(
        "INSERT INTO projects (name, investor, total_investment, stage, unit_id, created_at, updated_at) \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) \
         SELECT 'P' || (100000 + i) || ' 基准项目', '', 100000000, 'preparing', NULL, 0, 0 FROM n"
    ))
    .await
    .unwrap();
    db.raw_execute(&format!(
        "INSERT INTO procedures (project_id, kind_id, unit_id, days, note, task_id, started_on, committed_on, created_at) \
         SELECT p.id, k.id, {}, 10, '', (p.id - 1) * 7 + k.position, '2026-05-06', '2026-05-20', 0 \
         FROM projects p CROSS JOIN procedure_kinds k",
        unit.0
    ))
    .await
    .unwrap();
    db.raw_execute(if name == "postgres" { "VACUUM ANALYZE" } else { "ANALYZE" }).await.unwrap();
    println!("{name:>8}: {n} projects × 7 procedures loaded in {:.1} s", started.elapsed().as_secs_f64());
    let p = duban.procedures();
    let last = (n as i64 + 49) / 50;
    let m = p.matrix(&cli, last, None).await.unwrap();
    assert_eq!((m.total, m.rows.last().map(|r| r.cells.iter().flatten().count())), (n as i64, Some(7)));
    let first = median(|| async {
        p.matrix(&cli, 1, None).await.unwrap();
    })
    .await;
    let last_page = median(|| async {
        p.matrix(&cli, last, None).await.unwrap();
    })
    .await;
    let project = median(|| async {
        p.of_project(&cli, ProjectId(n as i64 / 2)).await.unwrap();
    })
    .await;
    let week = median(|| async {
        p.weekly(&cli, None).await.unwrap();
    })
    .await;
    println!(
        "{name:>8}: map page 1 {:.1} ms, page {last} {:.1} ms, one project {:.1} ms, week's dispatch ({} lines) {:.1} ms",
        first.as_secs_f64() * 1e3,
        last_page.as_secs_f64() * 1e3,
        project.as_secs_f64() * 1e3,
        p.weekly(&cli, None).await.unwrap().lines.len(),
        week.as_secs_f64() * 1e3,
    );
    db.finish().await;
}

#[tokio::main]
async fn main() {
    let n = duban_store_tests::bench::size(5_000, 500);
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
