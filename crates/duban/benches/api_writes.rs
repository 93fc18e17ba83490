//! API write throughput of the real `duban serve`, SQLite `synchronous = FULL` (the default)
//! against `NORMAL`, and PostgreSQL when `DUBAN_TEST_PG_URL` is set: concurrent clients create
//! tasks through `POST /api/v1/tasks` (one transaction, one commit each) and the benchmark
//! reports acknowledged creates per second.
//!
//!     cargo bench -p duban --bench api_writes
//!     DUBAN_BENCH_TASKS=2000 DUBAN_BENCH_CLIENTS=1 cargo bench -p duban --bench api_writes
//!
//! A plain bench binary: the server is a separate process, as deployed.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark that fails should stop loudly

use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Concurrent clients: `DUBAN_BENCH_CLIENTS`, default 8.
fn clients() -> usize {
    std::env::var("DUBAN_BENCH_CLIENTS").ok().and_then(|v| v.parse().ok()).filter(|n| *n > 0).unwrap_or(8)
}
const PASSWORD: &str = "bench-password-1";

fn duban(args: &[&str]) {
    let o = Command::new(env!("CARGO_BIN_EXE_duban"))
        .args(args)
        .env_remove("DUBAN_DATABASE__URL")
        .env("DUBAN_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
}

async fn run(label: &str, url: &str, synchronous: &str, n: usize) {
    duban(&["init", "--database", url]);
    duban(&["user", "add", "root", "--name", "管理员", "--role", "admin", "--role", "office", "--database", url]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_duban"))
        .args(["serve", "--database", url, "--bind", "127.0.0.1:0"])
        .env_remove("DUBAN_DATABASE__URL")
        .env("DUBAN_DATABASE__SYNCHRONOUS", synchronous)
        .env("DUBAN_LOG__LEVEL", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
    let base =
        line[line.find("http://").unwrap()..].split_whitespace().next().unwrap().trim_end_matches('/').to_string();
    let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
    let s: Value = http
        .post(format!("{base}/api/v1/session"))
        .json(&json!({"username": "root", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = s["token"].as_str().unwrap().to_string();
    let unit: Value = http
        .post(format!("{base}/api/v1/units"))
        .bearer_auth(&token)
        .json(&json!({"name": "旗发展和改革委员会"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let unit = unit["id"].as_i64().unwrap();
    let clients = clients();
    let started = Instant::now();
    let handles: Vec<_> = (0..clients)
        .map(|c| {
            let (http, base, token) = (http.clone(), base.clone(), token.clone());
            tokio::spawn(async move {
                for i in (c..n).step_by(clients) {
                    let r = http
                        .post(format!("{base}/api/v1/tasks"))
                        .bearer_auth(&token)
                        .json(&json!({"title": format!("基准任务 {i}"), "lead": [{"unit": unit}]}))
                        .send()
                        .await
                        .unwrap();
                    assert!(r.status().is_success(), "{}", r.status());
                }
            })
        })
        .collect();
    for h in handles {
        h.await.unwrap();
    }
    let took = started.elapsed();
    println!(
        "{label:>14}: {n} tasks created through the API by {clients} clients in {:.2} s: {:.0} tasks/s",
        took.as_secs_f64(),
        n as f64 / took.as_secs_f64()
    );
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    child.wait().unwrap();
}

#[tokio::main]
async fn main() {
    let n = duban_store_tests::bench::size(5_000, 100);
    let dir = tempfile::tempdir().unwrap();
    for sync in ["full", "normal"] {
        let url = format!("sqlite:{}", dir.path().join(format!("{sync}.db")).display());
        run(&format!("sqlite {sync}"), &url, sync, n).await;
    }
    if let Ok(admin) = std::env::var("DUBAN_TEST_PG_URL") {
        let name = format!("duban_bench_api_{}", std::process::id());
        let url = duban_store_tests::with_database(&admin, &name);
        run("postgres", &url, "full", n).await;
        let pool = sqlx::PgPool::connect(&admin).await.unwrap();
        sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).execute(&pool).await.unwrap();
    }
}
