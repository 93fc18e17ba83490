//! Key-enterprise and key-project lists (issue 14 §1, "Speed"): with 10,000 enterprises and
//! 5,000 projects (`DUBAN_BENCH_TASKS` scales both: N enterprises, N/2 projects), the time of
//! one page of each list — the first page, a search by part of the name, a filtered page (规上
//! in one unit; one unit's projects) and a deep page — on SQLite and, when `DUBAN_TEST_PG_URL`
//! is set, PostgreSQL. The target is under 50 ms.
//!
//!     cargo bench -p duban-store-tests --bench registry
//!     DUBAN_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench -p duban-store-tests --bench registry
//!
//! A plain bench binary: the lists are loaded once through the import path
//! (`EnterpriseStore::import_enterprises`, 1,000 rows a transaction), then each query is run 21
//! times and the median, min and max are printed.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark that fails should stop loudly

use duban_domain::enterprise::{CreditCode, EnterpriseInput, NewEnterprise, NewProject, ProjectInput, Scale};
use duban_domain::ids::EnterpriseId;
use duban_domain::org::UnitDirectory;
use duban_store::enterprises::{EnterpriseQuery, ProjectQuery};
use duban_store_tests::bench::{Rng, peak_rss_mib};
use duban_store_tests::{TestDb, suite};
use std::time::{Duration, Instant};

const INDUSTRIES: [&str; 8] = ["风电装备", "光伏", "农副食品加工", "建材", "批发", "零售", "住宿餐饮", "物流"];

async fn run(name: &str, db: TestDb, n: usize) {
    let s = &*db.store;
    s.import_directory(&UnitDirectory::from_toml(suite::NAIMAN_UNITS).unwrap(), duban_store_tests::at()).await.unwrap();
    let units: Vec<_> = s.list_units().await.unwrap().into_iter().map(|u| u.id).collect();
    let at = duban_store_tests::at();
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let started = Instant::now();
    let enterprises: Vec<NewEnterprise> = (0..n)
        .map(|i| {
            EnterpriseInput {
                name: Some(format!("基准企业{i:05}有限公司")),
                credit_code: Some(CreditCode::completing(&format!("91150525MA{i:07}")).unwrap().to_string()),
                industry: Some(INDUSTRIES[i % INDUSTRIES.len()].into()),
                scale: Some(["规上", "限上", "其他"][(rng.next_u64() % 3) as usize].into()),
                unit_id: Some(units[(rng.next_u64() % units.len() as u64) as usize]),
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
                total_investment: Some(format!("{}万", 500 + rng.next_u64() % 100_000)),
                signed_on: Some("2026-03-01".into()),
                unit_id: Some(units[(rng.next_u64() % units.len() as u64) as usize]),
                ..Default::default()
            }
            .parse()
            .unwrap()
        })
        .collect();
    for chunk in projects.chunks(1000) {
        s.import_projects(chunk, None, at).await.unwrap();
    }
    println!("{name:>8}: loaded {n} enterprises and {} projects in {:.1} s", n / 2, started.elapsed().as_secs_f64());
    let analyze = if name == "postgres" { "VACUUM ANALYZE" } else { "ANALYZE" };
    db.raw_execute(analyze).await.unwrap();
    let unit = units[units.len() / 2];
    let per = 20;
    let e = |q: EnterpriseQuery| EnterpriseQuery { limit: per, ..q };
    let cases = [
        ("enterprises: first page", e(EnterpriseQuery::default())),
        ("enterprises: search 企业012", e(EnterpriseQuery { search: Some("企业012".into()), ..Default::default() })),
        (
            "enterprises: 规上 in one unit",
            e(EnterpriseQuery { scale: Some(Scale::AboveScaleIndustry), unit_id: Some(unit), ..Default::default() }),
        ),
        ("enterprises: deep page", e(EnterpriseQuery { offset: (n as i64 - per).max(0), ..Default::default() })),
    ];
    for (label, q) in cases {
        let (rows, total) = s.enterprises(&q).await.unwrap();
        let t = time(|| async { s.enterprises(&q).await.unwrap() }).await;
        report(name, label, rows.len(), total, &t);
    }
    let p = |q: ProjectQuery| ProjectQuery { limit: per, ..q };
    let cases = [
        ("projects: first page", p(ProjectQuery::default())),
        ("projects: search 项目012", p(ProjectQuery { search: Some("项目012".into()), ..Default::default() })),
        ("projects: one unit", p(ProjectQuery { unit_id: Some(unit), ..Default::default() })),
        ("projects: deep page", p(ProjectQuery { offset: (n as i64 / 2 - per).max(0), ..Default::default() })),
    ];
    for (label, q) in cases {
        let (rows, total) = s.projects(&q).await.unwrap();
        let t = time(|| async { s.projects(&q).await.unwrap() }).await;
        report(name, label, rows.len(), total, &t);
    }
    println!("{name:>8}: peak RSS {:.0} MiB", peak_rss_mib());
    db.finish().await;
}

async fn time<F, Fut, T>(f: F) -> Vec<Duration>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let mut times = Vec::new();
    for _ in 0..21 {
        let t = Instant::now();
        std::hint::black_box(f().await);
        times.push(t.elapsed());
    }
    times.sort();
    times
}

fn report(name: &str, label: &str, rows: usize, total: i64, t: &[Duration]) {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{name:>8} {label:<32} {rows:>3} of {total:>6}: median {:.2} ms (min {:.2}, max {:.2})",
        ms(t[10]),
        ms(t[0]),
        ms(t[20])
    );
}

#[tokio::main]
async fn main() {
    let n = duban_store_tests::bench::size(10_000, 1_000);
    if let Some(db) = duban_store_tests::sqlite().await {
        run("sqlite", db, n).await;
    }
    if std::env::var("DUBAN_TEST_PG_URL").is_ok()
        && let Some(db) = duban_store_tests::postgres().await
    {
        run("postgres", db, n).await;
    }
}
