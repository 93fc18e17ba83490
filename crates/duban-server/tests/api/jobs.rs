//! Two servers on one database, each with its job runner, as two `duban serve` processes on one
//! PostgreSQL would run: every message reaches a real SMTP receiver exactly once, rules and
//! calendar changed through one server are in force in the other without a restart, and the
//! work of a process killed while it holds leases and claims is done by the other once they
//! expire. The same lease expiry on SQLite. Time is the test's clock throughout.

use crate::helpers::bj;
use crate::notify::smtp_receiver;
use duban_app::config::{EmailConfig, NotifyConfig};
use duban_app::jobs::{Outcome, Runner};
use duban_app::outbox::Channels;
use duban_app::service::Services;
use duban_domain::calendar::{CalendarFile, UnknownYears};
use duban_domain::clock::{Clock, FixedClock};
use duban_domain::policy::Policy;
use duban_store::NewMessage;
use duban_store_tests::TestDb;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// One server process: the service over its own connection pool, its runner's stop switch and
/// task.
struct Server {
    duban: Arc<Services>,
    /// The store beneath, for what the test sets up and checks directly.
    store: Arc<dyn duban_store::Store>,
    stop: watch::Sender<bool>,
    runner: tokio::task::JoinHandle<()>,
}

impl Server {
    /// A server whose e-mail goes to `smtp_port` (none: it sends no e-mail).
    async fn start(db: &TestDb, clock: &Arc<FixedClock>, smtp_port: Option<u16>, every: Duration) -> Self {
        let store = db.open_again().await;
        let policy = Policy::builtin("x-district-2022").unwrap();
        let duban = Arc::new(Services::new(store.clone(), policy, clock.clone(), UnknownYears::Error).await.unwrap());
        if let Some(smtp_port) = smtp_port {
            let email = EmailConfig { smtp_host: "127.0.0.1".into(), smtp_port, ..EmailConfig::default() };
            duban
                .outbox()
                .set_channels(Channels::from_config(&NotifyConfig { email, ..NotifyConfig::default() }).unwrap());
        }
        let (stop, rx) = watch::channel(false);
        let runner = tokio::spawn(Runner::new(duban.clone()).every(every).run(rx));
        Self { duban, store, stop, runner }
    }

    /// Stops as at Ctrl-C: the runner finishes and gives its leases back.
    async fn shut_down(self) {
        self.stop.send(true).unwrap();
        self.runner.await.unwrap();
    }

    /// Dies at once: nothing is given back.
    fn kill(self) {
        self.runner.abort();
    }
}

fn mail(i: usize, now: jiff::Timestamp) -> NewMessage {
    NewMessage {
        dedup_key: format!("mail-{i}"),
        kind: "remind".into(),
        channel: "email".into(),
        person_id: None,
        address: "chen@naiman.example".into(),
        task_id: None,
        subject: format!("subject-{i:03}"),
        body: format!("body-{i:03}"),
        created_at: now,
        not_before: now,
    }
}

/// Waits until the receiver holds `n` mails (or 20 s pass), then a little longer, so that a
/// second sending would show.
async fn received(mails: &Arc<Mutex<Vec<String>>>, n: usize) -> Vec<String> {
    for _ in 0..200 {
        if mails.lock().unwrap().len() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    mails.lock().unwrap().clone()
}

/// Every one of `0..n` reached the receiver exactly once.
fn each_once(mails: &[String], n: usize) {
    assert_eq!(mails.len(), n, "as many mails as messages");
    for i in 0..n {
        let copies = mails.iter().filter(|m| m.contains(&format!("body-{i:03}"))).count();
        assert_eq!(copies, 1, "message {i} was delivered {copies} times");
    }
}

#[tokio::test]
async fn two_servers_on_one_postgres_database_share_the_jobs() {
    let Some(db) = duban_store_tests::postgres().await else { return };
    two_servers_share_the_jobs(&db).await;
    db.finish().await;
}

async fn two_servers_share_the_jobs(db: &TestDb) {
    let (smtp_port, mails) = smtp_receiver().await;
    let clock = Arc::new(FixedClock::new(bj("2026-03-04T10:00")));
    let every = Duration::from_millis(50);
    let a = Server::start(db, &clock, Some(smtp_port), every).await;
    let b = Server::start(db, &clock, Some(smtp_port), every).await;
    let now = clock.now();
    let list: Vec<NewMessage> = (0..40).map(|i| mail(i, now)).collect();
    a.store.enqueue(&list).await.unwrap();

    // Both runners run the pass and delivery, and both servers deliver by hand as well, all at
    // once: still every message is sent once.
    let by_hand: Vec<_> = [a.duban.clone(), b.duban.clone()]
        .into_iter()
        .map(|d| {
            tokio::spawn(async move {
                for _ in 0..10 {
                    d.outbox().deliver(d.core().now()).await.unwrap();
                }
            })
        })
        .collect();
    for h in by_hand {
        h.await.unwrap();
    }
    each_once(&received(&mails, 40).await, 40);
    for m in a.store.list_messages(None, 100).await.unwrap() {
        assert_eq!((m.status.as_str(), m.attempts), ("sent", 1), "{}", m.message.dedup_key);
    }
    let supervision = a.store.lease("supervision").await.unwrap().unwrap();
    assert!(supervision.until > now, "the pass runs under a lease");

    // Rules and a calendar file changed through one server are in force in the other at its
    // next look, without a restart.
    let rules = "profile = \"x-district-2022\"\n[[rules]]\nid = \"sign\"\nduration = \"2wd\"\n";
    a.duban.rules().set_rules(Some(rules)).await.unwrap();
    let local = CalendarFile::parse_json(r#"{"scope": "local", "years": {"2026": {"off": ["2026-07-01"]}}}"#).unwrap();
    a.duban.rules().load_calendar_file(local, "地方假日").await.unwrap();
    let wanted = a.duban.core().policy().to_toml();
    assert_ne!(wanted, Policy::builtin("x-district-2022").unwrap().to_toml());
    let holiday = jiff::civil::date(2026, 7, 1);
    for _ in 0..100 {
        if b.duban.core().policy().to_toml() == wanted && !b.duban.core().calendar().is_workday(holiday).unwrap().value
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(b.duban.core().policy().to_toml(), wanted, "the other server uses the saved rules");
    assert!(!b.duban.core().calendar().is_workday(holiday).unwrap().value, "and the imported holiday");

    // A third server takes over the jobs, claims messages, and is killed before it sends them
    // (it has no e-mail transport, so it sends nothing on its own); the others were stopped
    // and gave their leases back.
    a.shut_down().await;
    b.shut_down().await;
    let c = Server::start(db, &clock, None, every).await;
    for _ in 0..100 {
        if c.store.lease("outbox").await.unwrap().is_some_and(|l| l.until > now) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let holder = c.store.lease("outbox").await.unwrap().unwrap().holder;
    let more: Vec<NewMessage> = (40..50).map(|i| mail(i, now)).collect();
    c.store.enqueue(&more).await.unwrap();
    let claimed = c.store.claim_messages("email", &holder, now, now + jiff::SignedDuration::from_mins(5), 5);
    assert_eq!(claimed.await.unwrap().len(), 5);
    c.kill();
    // The survivor: it may not run the jobs, nor send what the dead one claimed, until the
    // lease and the claims expire; then it delivers everything, once.
    let d = Server::start(db, &clock, Some(smtp_port), every).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(mails.lock().unwrap().len(), 40, "nothing is sent while the dead process's lease holds");
    clock.set(bj("2026-03-04T10:06"));
    each_once(&received(&mails, 50).await, 50);
    d.shut_down().await;
}

#[tokio::test]
async fn a_killed_runners_lease_expires_on_sqlite_and_another_runs_the_job() {
    let db = duban_store_tests::sqlite().await.unwrap();
    let clock = Arc::new(FixedClock::new(bj("2026-03-04T10:00")));
    let policy = || Policy::builtin("x-district-2022").unwrap();
    let one =
        Arc::new(Services::new(db.open_again().await, policy(), clock.clone(), UnknownYears::Error).await.unwrap());
    let two =
        Arc::new(Services::new(db.open_again().await, policy(), clock.clone(), UnknownYears::Error).await.unwrap());
    let every = Duration::from_secs(60);
    let first = Runner::new(one).every(every);
    let second = Runner::new(two).every(every);
    assert!(matches!(first.run_now("supervision").await, Some(Outcome::Ran(_))));
    assert!(matches!(first.run_now("outbox").await, Some(Outcome::Ran(_))));
    assert_eq!(second.run_now("supervision").await, Some(Outcome::Elsewhere));
    assert_eq!(second.run_now("nonesuch").await, None);
    // The first dies without giving its leases back: they hold for two intervals.
    drop(first);
    clock.set(bj("2026-03-04T10:01:59"));
    assert_eq!(second.run_now("supervision").await, Some(Outcome::Elsewhere));
    clock.set(bj("2026-03-04T10:02"));
    assert!(matches!(second.run_now("supervision").await, Some(Outcome::Ran(_))));
    assert!(matches!(second.run_now("outbox").await, Some(Outcome::Ran(_))));
    db.finish().await;
}
