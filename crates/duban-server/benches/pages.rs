//! Page benchmark (issue 5 §3, issue 12): the server time of every page with 10,000 tasks in
//! the ledger, on SQLite: every page signed in as the supervision office (who sees everything),
//! then the pages each other role works from — the leader in charge of ten units (驾驶舱), a
//! unit's head (approvals) and officer (batch 签收) — through the same visibility rule.
//!
//!     cargo bench -p duban-server --bench pages
//!
//! Each page is rendered in-process through the whole router (session lookup, queries,
//! template), without a network in between; the figure is the median of 30 renders after 3
//! warm-ups. The tasks are spread over the 87 Naiman units; a third have milestones, one in ten
//! is public, and some have progress reports and 督办 notices.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark that fails should stop loudly

use axum::body::Body;
use axum::http::Request;
use duban_app::service::Services;
use duban_domain::calendar::UnknownYears;
use duban_domain::clock::FixedClock;
use duban_domain::ids::{LedgerId, UnitId};
use duban_domain::org::{NewPerson, Role, UnitDirectory};
use duban_domain::policy::{ClockEvent, Policy};
use duban_domain::task::{Classification, Milestone, Party, Status};
use duban_store::{NewLedger, StoredTask};
use duban_store_tests::bench::Rng;
use duban_store_tests::suite;
use jiff::{SignedDuration, Timestamp};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower::ServiceExt;

#[tokio::main]
async fn main() {
    let n = duban_store_tests::bench::size(10_000, 300);
    let db = duban_store_tests::sqlite().await.unwrap();
    let s = db.store.clone();
    s.import_directory(&UnitDirectory::from_toml(suite::NAIMAN_UNITS).unwrap(), duban_store_tests::at()).await.unwrap();
    let units: Vec<UnitId> = s.list_units().await.unwrap().into_iter().map(|u| u.id).collect();
    let now: Timestamp = "2026-06-10T02:00:00Z".parse().unwrap();
    let ledger = s
        .create_ledger(
            &NewLedger {
                name: "基准台账".into(),
                doc_number: None,
                issued: None,
                issuer: String::new(),
                source: duban_domain::task::Source::Document,
            },
            now,
        )
        .await
        .unwrap();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let tasks: Vec<StoredTask> = (0..n)
        .map(|i| {
            let mut t =
                suite::task(&format!("基准任务 {i}"), vec![Party::Unit(units[rng.below(units.len() as u64) as usize])]);
            t.fields.ledger_id = Some(LedgerId(ledger.id.0));
            t.fields.number = format!("（{}）", i + 1);
            t.fields.section = format!("{}、第{}部分", i % 7 + 1, i % 7 + 1);
            let received = now - SignedDuration::from_hours(rng.below(200 * 24) as i64 + 1);
            let due = now + SignedDuration::from_hours(rng.below(300 * 24) as i64 - 30 * 24);
            let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
            t.fields.received_at = received;
            t.fields.deadline = Some(due.to_zoned(tz.clone()).date());
            if i % 3 == 0 {
                let mid = received + SignedDuration::from_hours(24 * 20);
                t.fields.milestones = vec![Milestone { due: mid.to_zoned(tz).date(), text: "阶段目标".into() }];
            }
            if i % 10 == 0 {
                t.fields.classification = Classification::Public;
            }
            t.clock = BTreeMap::from([(ClockEvent::Received, received)]);
            if rng.below(10) != 0 {
                t.status = Status::Signed;
                t.clock.insert(ClockEvent::Signed, received + SignedDuration::from_hours(2));
            }
            t
        })
        .collect();
    s.insert_tasks(&tasks, now).await.unwrap();
    let office = s
        .create_person(&NewPerson::new("王督查", "office", None, vec![Role::Office]), duban_store_tests::at())
        .await
        .unwrap();
    let clock = Arc::new(FixedClock::new(now));
    let duban = Arc::new(
        Services::new(s.clone(), Policy::builtin("x-district-2022").unwrap(), clock, UnknownYears::Error)
            .await
            .unwrap(),
    );
    // Progress reports on some public tasks and a supervision pass, so the pages have them.
    duban.supervision().pass(now).await.unwrap();
    // The other roles: a leader in charge of ten units, the head and an officer of one.
    let mut leader = NewPerson::new("李旗长", "leader", None, vec![Role::Leader]);
    leader.charge_units = units[..10].to_vec();
    let leader = s.create_person(&leader, duban_store_tests::at()).await.unwrap();
    let head = s
        .create_person(&NewPerson::new("赵局长", "head", Some(units[0]), vec![Role::UnitHead]), duban_store_tests::at())
        .await
        .unwrap();
    let officer = s
        .create_person(
            &NewPerson::new("钱经办", "officer", Some(units[0]), vec![Role::Officer]),
            duban_store_tests::at(),
        )
        .await
        .unwrap();
    let mut cookies = Vec::new();
    let mut sessions = Vec::new();
    for (who, id) in [("office", office.id), ("leader", leader.id), ("head", head.id), ("officer", officer.id)] {
        duban.sign_in().set_password(id, "Bench-Pass-2026").await.unwrap();
        let session = duban.sign_in().sign_in(who, "Bench-Pass-2026").await.unwrap();
        cookies.push((who, format!("duban_session={}", session.token)));
        sessions.push(session);
    }
    let session = sessions.swap_remove(0);
    let cookie = cookies[0].1.clone();
    let public_task = tasks.iter().position(|t| t.fields.classification == Classification::Public).unwrap() + 1;
    let notice = s.list_notices().await.unwrap().first().map(|n| n.id).unwrap();
    let unit_task = s
        .list_tasks(&duban_store::TaskQuery { unit_id: Some(units[0]), page: 1, per_page: 1, ..Default::default() })
        .await
        .unwrap()
        .items[0]
        .id
        .0;
    let app = duban_server::startup::app(duban.clone());
    let office_pages = [
        "/",
        "/tasks",
        "/tasks?page=50",
        "/tasks?per_page=100",
        "/tasks?light=red&sort=deadline",
        "/tasks?q=基准任务%2077",
        "/tasks/5000",
        "/map",
        "/map?group=section",
        "/map?span=month",
        "/map?span=quarter",
        "/map?span=year",
        "/supervision",
        "/stats",
        "/stats?period=quarter&sort=done",
        "/stats.xlsx",
        "/tasks.xlsx",
        "/public",
        "/public?per_page=100&page=3",
        "/import",
        "/tasks/new",
        "/tasks/new?source=meeting",
        "/tasks?unanswered=true",
        "/notices/N",
        "/notices/N.docx",
        "/public/tasks/P",
    ];
    // What each role may open (statistics and the battle map are the office's and leaders').
    let unit_pages = ["/", "/tasks", "/tasks?light=red", "/tasks/U"];
    let leader_pages = ["/", "/tasks", "/tasks?light=red", "/tasks/U", "/stats", "/map"];
    let mut pages: Vec<(&str, String, String)> =
        office_pages.iter().map(|p| ("office", cookie.clone(), p.to_string())).collect();
    for (who, c) in &cookies[1..] {
        let role_pages: &[&str] = if *who == "leader" { &leader_pages } else { &unit_pages };
        pages.extend(role_pages.iter().map(|p| (*who, c.clone(), p.to_string())));
    }
    println!("{n} tasks; server time per page, median of 30 (min–max):");
    for (who, cookie, path) in pages {
        let path = match path.as_str() {
            "/tasks/5000" => format!("/tasks/{}", n / 2),
            "/tasks/U" => format!("/tasks/{unit_task}"),
            "/notices/N" => format!("/notices/{notice}"),
            "/notices/N.docx" => format!("/notices/{notice}.docx"),
            "/public/tasks/P" => format!("/public/tasks/{public_task}"),
            _ => path,
        };
        let mut times: Vec<Duration> = Vec::new();
        let mut size = 0;
        for i in 0..33 {
            let req = Request::get(&path).header("cookie", &cookie).body(Body::empty()).unwrap();
            let t = Instant::now();
            let resp = app.clone().oneshot(req).await.unwrap();
            let status = resp.status();
            let body = axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap();
            let took = t.elapsed();
            assert!(status.is_success(), "{path}: {status}");
            size = body.len();
            if i >= 3 {
                times.push(took);
            }
        }
        times.sort();
        println!(
            "{who:<8} {path:<32} {:>7.1} ms ({:.1}–{:.1})  {:>7} bytes",
            times[times.len() / 2].as_secs_f64() * 1e3,
            times[0].as_secs_f64() * 1e3,
            times[times.len() - 1].as_secs_f64() * 1e3,
            size
        );
    }
    // The whole-ledger pages keep every task in memory and, after a change, read back only the
    // tasks changed since: the first render after one task is edited.
    let mut after_change = Vec::new();
    for i in 0..11 {
        let id = n / 3 + i;
        let version = s.get_task(duban_domain::ids::TaskId(id as i64)).await.unwrap().version;
        let req = Request::patch(format!("/api/v1/tasks/{id}"))
            .header("content-type", "application/json")
            .header("cookie", &cookie)
            // A write with the session cookie carries the session's CSRF token.
            .header("x-csrf-token", &session.session.csrf)
            .header("if-match", format!("\"{version}\""))
            .body(Body::from(format!(r#"{{"title": "改过的任务 {i}"}}"#)))
            .unwrap();
        let resp = app.clone().oneshot(req).await.unwrap();
        assert!(resp.status().is_success(), "{}", resp.status());
        let req = Request::get("/stats").header("cookie", &cookie).body(Body::empty()).unwrap();
        let t = Instant::now();
        let resp = app.clone().oneshot(req).await.unwrap();
        let _ = axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap();
        after_change.push(t.elapsed());
    }
    after_change.sort();
    println!("{:<32} {:>7.1} ms (median of 11)", "/stats after one task changed", after_change[5].as_secs_f64() * 1e3);
    db.finish().await;
}
