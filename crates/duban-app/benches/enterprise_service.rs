//! Enterprise service benchmark (issue 14, "Speed": lists and battle maps under 50 ms with
//! 10,000 enterprises, 5,000 projects and 100,000 demands). Loads N enterprises (default
//! 10,000), N/2 projects with the seven built-in procedures each (started: tasks of source
//! Procedure), a liaison for nine in ten enterprises, a steward for half the projects, and 10·N
//! demands (tasks of source 企业诉求 with their demand rows; a few hundred queued), on SQLite and,
//! when `DUBAN_TEST_PG_URL` is set, PostgreSQL. Then, signed in as each role (office, leader in
//! charge of ten units, unit head, officer) and through the service calls the pages make (with
//! visibility and counts), times every page: median and p95 of 20 runs (`DUBAN_BENCH_RUNS`).
//!
//!     DUBAN_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench -p duban-app --bench enterprise_service
//!     DUBAN_BENCH_TASKS=1000 DUBAN_BENCH_ONLY=sqlite cargo bench -p duban-app --bench enterprise_service
//!
//! `DUBAN_BENCH_VIEWS=1` also times the §6 views, which still read the whole ledger.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark that fails should stop loudly

use duban_app::actor::Actor;
use duban_app::demands::DemandFilter;
use duban_app::liaison::{AssignmentFilter, PageParams};
use duban_app::service::Services;
use duban_domain::calendar::UnknownYears;
use duban_domain::clock::FixedClock;
use duban_domain::enterprise::{CreditCode, EnterpriseInput, NewEnterprise, NewProject, ProjectInput};
use duban_domain::ids::{EnterpriseId, ProjectId};
use duban_domain::liaison::ServiceKind;
use duban_domain::org::{NewPerson, Role, UnitDirectory};
use duban_domain::policy::{ClockEvent, Policy};
use duban_domain::task::{Classification, Party};
use duban_store::enterprises::{EnterpriseQuery, ProjectQuery};
use duban_store::{ScheduleInstants, StoredTask};
use duban_store_tests::{TestDb, suite};
use jiff::{SignedDuration, Timestamp};
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Runs of each page (`DUBAN_BENCH_RUNS`, default 20).
fn runs() -> usize {
    std::env::var("DUBAN_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(20).max(2)
}

/// A page's median and p95, `None` when the role may not open it.
type Timing = Option<(Duration, Duration)>;

/// Median and p95 of the runs, or `None` when the role may not open the page.
async fn time<T, F: Future<Output = Result<T, duban_domain::Error>>>(mut f: impl FnMut() -> F) -> Timing {
    // Only a refusal is "not allowed"; any other error is a failure of the page.
    match f().await {
        Ok(_) => {}
        Err(duban_domain::Error::Forbidden) => return None,
        Err(e) => panic!("the page failed: {e:?}"),
    }
    let runs = runs();
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        f().await.unwrap();
        times.push(t.elapsed());
    }
    times.sort();
    Some((times[runs / 2], times[(runs * 95).div_ceil(100) - 1]))
}

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

async fn run(name: &str, db: TestDb, n: usize) {
    let s = db.store.clone();
    let at = duban_store_tests::at();
    s.import_directory(&UnitDirectory::from_toml(suite::NAIMAN_UNITS).unwrap(), at).await.unwrap();
    let units: Vec<_> = s.list_units().await.unwrap().into_iter().map(|u| u.id).collect();
    let now: Timestamp = "2026-05-20T02:00:00Z".parse().unwrap();
    let clock = Arc::new(FixedClock::new(now));
    let duban = Services::new(s.clone(), Policy::builtin("x-district-2022").unwrap(), clock, UnknownYears::Error)
        .await
        .unwrap();
    let cli = Actor::command_line();
    let mut rng = Lcg(0x2545_F491_4F6C_DD1D);
    let started = Instant::now();

    // The roles, and a liaison cadre in every unit.
    let office = s.create_person(&NewPerson::new("王督查", "office", None, vec![Role::Office]), at).await.unwrap();
    let mut leader = NewPerson::new("李旗长", "leader", None, vec![Role::Leader]);
    leader.charge_units = units[..10].to_vec();
    let leader = s.create_person(&leader, at).await.unwrap();
    let head =
        s.create_person(&NewPerson::new("赵局长", "head", Some(units[0]), vec![Role::UnitHead]), at).await.unwrap();
    let officer =
        s.create_person(&NewPerson::new("钱经办", "officer", Some(units[0]), vec![Role::Officer]), at).await.unwrap();
    for (i, u) in units.iter().enumerate() {
        s.create_person(
            &NewPerson::new(&format!("包联{i}"), &format!("liaison{i}"), Some(*u), vec![Role::Officer]),
            at,
        )
        .await
        .unwrap();
    }

    // Enterprises and projects through the import path.
    let enterprises: Vec<NewEnterprise> = (0..n)
        .map(|i| {
            EnterpriseInput {
                name: Some(format!("基准企业{i:05}有限公司")),
                credit_code: Some(CreditCode::completing(&format!("91150525MA{i:07}")).unwrap().to_string()),
                industry: Some("制造业".into()),
                scale: Some(["规上", "限上", "其他"][(rng.next() % 3) as usize].into()),
                unit_id: Some(units[(rng.next() % units.len() as u64) as usize]),
                ..Default::default()
            }
            .parse()
            .unwrap()
        })
        .collect();
    for chunk in enterprises.chunks(1000) {
        s.import_enterprises(chunk, None, at).await.unwrap();
    }
    let projects: Vec<NewProject> = (0..n / 2)
        .map(|i| {
            ProjectInput {
                name: Some(format!("基准项目{i:05}")),
                investor: Some(format!("基准企业{:05}有限公司", i * 2)),
                enterprise_id: Some(EnterpriseId((i * 2 + 1) as i64)),
                total_investment: Some(format!("{}万", 500 + rng.next() % 100_000)),
                signed_on: Some("2026-03-01".into()),
                unit_id: Some(units[(rng.next() % units.len() as u64) as usize]),
                ..Default::default()
            }
            .parse()
            .unwrap()
        })
        .collect();
    for chunk in projects.chunks(1000) {
        s.import_projects(chunk, None, at).await.unwrap();
    }

    // Seven procedures a project, started: tasks 1..=7·P, project p's kind k is task (p-1)·7+k.
    let kinds = duban.procedures().kinds(&cli).await.unwrap();
    assert_eq!(kinds.len(), 7);
    let received: Timestamp = "2026-05-06T01:00:00Z".parse().unwrap();
    let p = n / 2;
    let procedure_tasks: Vec<StoredTask> = (0..p * 7)
        .map(|i| {
            let mut t = suite::task(&format!("基准项目{:05}·手续 {}", i / 7, i % 7 + 1), vec![Party::Unit(units[3])]);
            t.fields.source = duban_domain::facts::Source::Procedure;
            t.fields.received_at = received;
            t.fields.deadline = Some(jiff::civil::date(2026, 5, 14 + (i % 14) as i8));
            t.clock = BTreeMap::from([(ClockEvent::Received, received)]);
            t
        })
        .collect();
    for chunk in procedure_tasks.chunks(50_000) {
        s.insert_tasks(chunk, now).await.unwrap();
    }
    db.raw_execute(&format!(
        "INSERT INTO procedures (project_id, kind_id, unit_id, days, note, task_id, started_on, committed_on, created_at) \
         SELECT p.id, k.id, {}, 10, '', (p.id - 1) * 7 + k.position, '2026-05-06', '2026-05-20', 0 \
         FROM projects p CROSS JOIN procedure_kinds k",
        units[3].0
    ))
    .await
    .unwrap();

    // Liaisons for nine in ten enterprises (the cadre of the enterprise's unit), stewards for
    // half the projects (every fifth one of too low a rank).
    db.raw_execute(
        "INSERT INTO service_assignments (kind, person_id, unit_id, enterprise_id, since, assigned_at) \
         SELECT 'liaison', (SELECT MIN(p.id) FROM people p WHERE p.unit_id = e.unit_id AND p.username LIKE 'liaison%'), \
         e.unit_id, e.id, '2026-01-01', 0 FROM enterprises e WHERE e.id % 10 <> 0",
    )
    .await
    .unwrap();
    db.raw_execute(
        "INSERT INTO service_assignments (kind, person_id, unit_id, project_id, rank, since, assigned_at) \
         SELECT 'steward', (SELECT MIN(p.id) FROM people p WHERE p.unit_id = j.unit_id AND p.username LIKE 'liaison%'), \
         j.unit_id, j.id, CASE WHEN j.id % 5 = 0 THEN 'staff' ELSE 'county' END, '2026-01-01', 0 \
         FROM projects j WHERE j.id % 2 = 0",
    )
    .await
    .unwrap();

    // 10·N demands: tasks of source 企业诉求 led by a random unit, received over the last
    // fortnight, due three days later; one in thirty 涉密; then their demand rows.
    let demands = n * 10;
    let first_demand_task = (p * 7) as i64 + 1;
    for chunk in (0..demands).collect::<Vec<_>>().chunks(20_000) {
        let tasks: Vec<StoredTask> = chunk
            .iter()
            .map(|i| {
                let unit = units[(rng.next() % units.len() as u64) as usize];
                let mut t = suite::task(&format!("基准诉求{i:06}"), vec![Party::Unit(unit)]);
                t.fields.source = duban_domain::facts::Source::Enterprise;
                t.fields.classification = if i % 30 == 0 { Classification::Secret } else { Classification::Public };
                let got = now - SignedDuration::from_mins((rng.next() % (14 * 24 * 60)) as i64);
                t.fields.received_at = got;
                t.clock = BTreeMap::from([(ClockEvent::Received, got)]);
                let due = got + SignedDuration::from_hours(72);
                t.schedule =
                    ScheduleInstants { due_at: Some(due), warn_at: Some(due - SignedDuration::from_hours(24)) };
                t
            })
            .collect();
        s.insert_tasks(&tasks, now).await.unwrap();
    }
    let channels = ["visit", "hotline_12345", "hotline_4512345", "service_day", "other"];
    let kinds = ["policy", "approval", "factors", "finance", "labour", "market", "infrastructure", "rights", "other"];
    let case = |codes: &[&str], col: &str| {
        let arms: String =
            codes.iter().enumerate().map(|(i, c)| format!(" WHEN {i} THEN '{c}'")).collect::<Vec<_>>().join("");
        format!("CASE {col} % {}{arms} END", codes.len())
    };
    db.raw_execute(&format!(
        "INSERT INTO demands (task_id, enterprise_id, enterprise_name, contact_name, contact_phone, channel, kind, \
         title, text, code_hash, submitted_at, assigned_at) \
         SELECT t.id, t.id % {n} + 1, '基准企业', '联系人', '13800000000', {}, {}, t.title, '诉求内容', \
         'h' || t.id, t.received_at, t.received_at FROM tasks t WHERE t.id >= {first_demand_task}",
        case(&channels, "t.id"),
        case(&kinds, "(t.id / 5)"),
    ))
    .await
    .unwrap();
    // A few hundred waiting in the office's queue.
    let queued = (n / 30).max(10);
    db.raw_execute(&format!(
        "INSERT INTO demands (enterprise_name, contact_name, contact_phone, channel, kind, title, text, code_hash, \
         submitted_at) SELECT '网上企业', '联系人', '13800000000', 'online', 'policy', '网上诉求' || t.id, '内容', \
         'q' || t.id, t.received_at FROM tasks t WHERE t.id < {}",
        queued + 1
    ))
    .await
    .unwrap();
    db.raw_execute(if name == "postgres" { "VACUUM ANALYZE" } else { "ANALYZE" }).await.unwrap();
    // `DUBAN_BENCH_KEEP=FILE` keeps a copy of the loaded SQLite database, to study a query plan.
    if let (Ok(file), "sqlite") = (std::env::var("DUBAN_BENCH_KEEP"), name) {
        let _ = std::fs::remove_file(&file);
        db.raw_execute(&format!("VACUUM INTO '{}'", file.replace('\'', "''"))).await.unwrap();
    }
    println!(
        "{name:>8}: {n} enterprises, {p} projects × 7 procedures, {demands} demands (+{queued} queued) loaded in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let d = duban.demands();
    let l = duban.liaison();
    let pr = duban.procedures();
    let e = duban.enterprises();
    let sv = duban.service_views();
    let warm = Instant::now();
    let all = d.list(&cli, &DemandFilter::default()).await.unwrap();
    assert_eq!(all.total, (demands + queued) as u64);
    println!("{name:>8}: first demands list {:.0} ms", warm.elapsed().as_secs_f64() * 1e3);
    let last_map = (p as i64 + 49) / 50;
    let liaisons = l.assignments(&cli, ServiceKind::Liaison, &AssignmentFilter::default()).await.unwrap();
    let stewards = l.assignments(&cli, ServiceKind::Steward, &AssignmentFilter::default()).await.unwrap();
    let last_liaison_page = AssignmentFilter { page: Some(liaisons.pages()), ..Default::default() };
    println!("| backend | role | page | rows (total) | median ms | p95 ms |");
    for (role, person) in [("office", office), ("leader", leader), ("unit head", head), ("officer", officer)] {
        let a = Actor::new(person);
        let first = d.list(&a, &DemandFilter::default()).await.unwrap();
        let deep = first.pages();
        let filtered = DemandFilter { light: Some("red".into()), kind: Some("approval".into()), ..Default::default() };
        let counted = d.list(&a, &filtered).await.unwrap().total;
        let deep_filter = DemandFilter { page: Some(deep), ..Default::default() };
        let mut rows: Vec<(String, String, Timing)> = vec![
            (
                "demands: first page".into(),
                first.total.to_string(),
                time(|| async { d.list(&a, &DemandFilter::default()).await }).await,
            ),
            (
                "demands: 红灯 审批手续".into(),
                counted.to_string(),
                time(|| async { d.list(&a, &filtered).await }).await,
            ),
            (
                format!("demands: page {deep}"),
                first.total.to_string(),
                time(|| async { d.list(&a, &deep_filter).await }).await,
            ),
            ("office queue".into(), queued.to_string(), time(|| async { d.queue(&a).await }).await),
            (
                "liaison page".into(),
                liaisons.total.to_string(),
                time(|| async {
                    l.coverage_page(&a, 0).await?;
                    l.assignments(&a, ServiceKind::Liaison, &AssignmentFilter::default()).await?;
                    l.people_choices(&a).await
                })
                .await,
            ),
            (
                "stewards page".into(),
                stewards.total.to_string(),
                time(|| async {
                    l.steward_flags(&a, &PageParams::default()).await?;
                    l.assignments(&a, ServiceKind::Steward, &AssignmentFilter::default()).await?;
                    l.people_choices(&a).await
                })
                .await,
            ),
            (
                "liaison: last page of assignments".into(),
                liaisons.total.to_string(),
                time(|| async { l.assignments(&a, ServiceKind::Liaison, &last_liaison_page).await }).await,
            ),
            ("procedures map: page 1".into(), p.to_string(), time(|| async { pr.matrix(&a, 1, None).await }).await),
            (
                format!("procedures map: page {last_map}"),
                p.to_string(),
                time(|| async { pr.matrix(&a, last_map, None).await }).await,
            ),
            (
                "one project's map".into(),
                "7".into(),
                time(|| async { pr.of_project(&a, ProjectId(p as i64 / 2)).await }).await,
            ),
            (
                "enterprises: first page".into(),
                n.to_string(),
                time(|| async { e.enterprises(&a, &EnterpriseQuery { limit: 20, ..Default::default() }).await }).await,
            ),
            (
                "projects: first page".into(),
                p.to_string(),
                time(|| async { e.projects(&a, &ProjectQuery { limit: 20, ..Default::default() }).await }).await,
            ),
        ];
        // The §6 views (an enterprise's history, a unit's service page, the month's statistics)
        // still read the whole ledger (seconds at this size): timed only when asked for.
        if std::env::var("DUBAN_BENCH_VIEWS").is_ok() {
            rows.push((
                "enterprise history (§6)".into(),
                String::new(),
                time(|| async { sv.enterprise(&a, EnterpriseId(1)).await }).await,
            ));
            rows.push((
                "a unit's service page (§6)".into(),
                String::new(),
                time(|| async { sv.unit(&a, units[0]).await }).await,
            ));
            rows.push((
                "service statistics, 2026-05 (§6)".into(),
                String::new(),
                time(|| async { sv.stats(&a, "2026-05").await }).await,
            ));
        }
        for (page, total, t) in rows.drain(..) {
            match t {
                Some((med, p95)) => println!(
                    "| {name} | {role} | {page} | {total} | {:.2} | {:.2} |",
                    med.as_secs_f64() * 1e3,
                    p95.as_secs_f64() * 1e3
                ),
                None => println!("| {name} | {role} | {page} | — | not allowed | — |"),
            }
        }
    }
    // `DUBAN_BENCH_KEEP` keeps the loaded PostgreSQL database too (dropped by hand after).
    if std::env::var("DUBAN_BENCH_KEEP").is_ok()
        && let Some(kept) = db.pg_database()
    {
        println!("kept PostgreSQL database {kept}");
        std::mem::forget(db);
        return;
    }
    db.finish().await;
}

#[tokio::main]
async fn main() {
    let n = duban_store_tests::bench::size(10_000, 1_000);
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
