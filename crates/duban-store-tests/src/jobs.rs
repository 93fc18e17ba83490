//! The behaviour of the job runner's port ([`duban_store::JobStore`]) on every backend: a lease
//! is held by one process until it expires or is given back, a claimed message is sent by one
//! process only (and by another once the claim expired), and every change of the rules or the
//! calendar raises the configuration version in the same write. [`jobs_suite!`] declares them
//! for a backend, as [`behaviour_suite!`](crate::behaviour_suite) does for the rest.

use crate::TestDb;
use duban_domain::calendar::CalendarFile;
use duban_store::{Delivery, NewMessage};
use jiff::Timestamp;
use std::collections::BTreeSet;

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn email(key: &str, not_before: &str) -> NewMessage {
    NewMessage {
        dedup_key: key.into(),
        kind: "remind".into(),
        channel: "email".into(),
        person_id: None,
        address: "zs@example.cn".into(),
        task_id: None,
        subject: "催办".into(),
        body: "请尽快签收".into(),
        created_at: t("2026-03-06T00:00:00Z"),
        not_before: t(not_before),
    }
}

pub async fn a_lease_is_held_by_one_process_until_it_expires_or_is_given_back(db: &TestDb) {
    let s = &*db.store;
    let (now, until) = (t("2026-03-06T01:00:00Z"), t("2026-03-06T01:02:00Z"));
    assert_eq!(s.lease("supervision").await.unwrap(), None);
    assert!(s.take_lease("supervision", "a", now, until).await.unwrap());
    // Another process cannot take it while it holds; its holder renews it.
    assert!(!s.take_lease("supervision", "b", t("2026-03-06T01:01:59Z"), t("2026-03-06T01:03:59Z")).await.unwrap());
    assert!(s.take_lease("supervision", "a", t("2026-03-06T01:01:00Z"), t("2026-03-06T01:03:00Z")).await.unwrap());
    let held = s.lease("supervision").await.unwrap().unwrap();
    assert_eq!((held.holder.as_str(), held.until), ("a", t("2026-03-06T01:03:00Z")));
    assert!(!s.take_lease("supervision", "b", t("2026-03-06T01:02:30Z"), t("2026-03-06T01:04:30Z")).await.unwrap());
    // Other jobs have leases of their own.
    assert!(s.take_lease("deliver", "b", now, until).await.unwrap());
    // Not renewed (its process died): it expires, and another process takes it.
    assert!(s.take_lease("supervision", "b", t("2026-03-06T01:03:00Z"), t("2026-03-06T01:05:00Z")).await.unwrap());
    assert!(!s.take_lease("supervision", "a", t("2026-03-06T01:04:00Z"), t("2026-03-06T01:06:00Z")).await.unwrap());
    // Given back at shutdown, it is free at once; only its holder can give it back.
    s.release_lease("supervision", "a").await.unwrap();
    assert!(!s.take_lease("supervision", "a", t("2026-03-06T01:04:00Z"), t("2026-03-06T01:06:00Z")).await.unwrap());
    s.release_lease("supervision", "b").await.unwrap();
    assert!(s.take_lease("supervision", "a", t("2026-03-06T01:04:00Z"), t("2026-03-06T01:06:00Z")).await.unwrap());
}

pub async fn a_claimed_message_is_sent_by_one_process_and_claimed_again_when_its_claim_expires(db: &TestDb) {
    let s = &*db.store;
    s.enqueue(&[email("one", "2026-03-06T01:00:00Z"), email("later", "2026-03-09T01:00:00Z")]).await.unwrap();
    let now = t("2026-03-06T02:00:00Z");
    let claim_end = t("2026-03-06T02:05:00Z");
    assert!(s.claim_messages("sms", "a", now, claim_end, 10).await.unwrap().is_empty(), "another channel");
    let a = s.claim_messages("email", "a", now, claim_end, 10).await.unwrap();
    assert_eq!(a.iter().map(|m| m.message.dedup_key.as_str()).collect::<Vec<_>>(), ["one"]);
    assert_eq!((a[0].status.as_str(), a[0].message.address.as_str()), ("pending", "zs@example.cn"));
    // While the claim holds, nobody else gets the message.
    assert!(
        s.claim_messages("email", "b", t("2026-03-06T02:04:59Z"), t("2026-03-06T02:10:00Z"), 10)
            .await
            .unwrap()
            .is_empty()
    );
    // "a" died before recording anything: after the claim expires "b" claims it again.
    let b = s.claim_messages("email", "b", claim_end, t("2026-03-06T02:10:00Z"), 10).await.unwrap();
    assert_eq!(b.iter().map(|m| m.id).collect::<Vec<_>>(), [a[0].id]);
    // "a" comes back late: its claim is gone, so nothing it records counts.
    let late = Delivery::Sent { at: t("2026-03-06T02:06:00Z") };
    assert!(!s.finish_claimed(a[0].id, "a", &late).await.unwrap());
    let failed = Delivery::Failed { error: "timeout".into(), retry_at: Some(t("2026-03-06T03:00:00Z")) };
    assert!(s.finish_claimed(b[0].id, "b", &failed).await.unwrap());
    // A failed attempt waits for its retry, then is claimed like any other.
    assert!(
        s.claim_messages("email", "a", t("2026-03-06T02:59:59Z"), t("2026-03-06T03:30:00Z"), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let again = s.claim_messages("email", "a", t("2026-03-06T03:00:00Z"), t("2026-03-06T03:05:00Z"), 10).await.unwrap();
    assert_eq!((again.len(), again[0].attempts, again[0].last_error.as_str()), (1, 1, "timeout"));
    assert!(s.finish_claimed(again[0].id, "a", &Delivery::Sent { at: t("2026-03-06T03:00:01Z") }).await.unwrap());
    // Sent: never claimed again, by anyone.
    assert!(
        s.claim_messages("email", "b", t("2026-03-08T00:00:00Z"), t("2026-03-08T00:05:00Z"), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let all = s.list_messages(None, 10).await.unwrap();
    let one = all.iter().find(|m| m.message.dedup_key == "one").unwrap();
    assert_eq!((one.status.as_str(), one.attempts, one.delivered_at), ("sent", 2, Some(t("2026-03-06T03:00:01Z"))));
    // Given up: never claimed again either.
    let later = s.claim_messages("email", "b", t("2026-03-09T01:00:00Z"), t("2026-03-09T01:05:00Z"), 10).await.unwrap();
    assert_eq!(later.len(), 1);
    let gone = Delivery::Failed { error: "bad address".into(), retry_at: None };
    assert!(s.finish_claimed(later[0].id, "b", &gone).await.unwrap());
    assert!(
        s.claim_messages("email", "a", t("2026-04-01T00:00:00Z"), t("2026-04-01T00:05:00Z"), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn processes_claiming_at_once_take_every_message_once(db: &TestDb) {
    let list: Vec<NewMessage> = (0..60).map(|i| email(&format!("m{i}"), "2026-03-06T01:00:00Z")).collect();
    db.store.enqueue(&list).await.unwrap();
    let now = t("2026-03-06T02:00:00Z");
    let claimers = (0..4).map(|i| {
        let s = db.store.clone();
        tokio::spawn(async move {
            let mut got = Vec::new();
            loop {
                let batch =
                    s.claim_messages("email", &format!("p{i}"), now, t("2026-03-06T02:05:00Z"), 7).await.unwrap();
                if batch.is_empty() {
                    return got;
                }
                got.extend(batch.into_iter().map(|m| m.id));
            }
        })
    });
    let mut all = Vec::new();
    for c in claimers.collect::<Vec<_>>() {
        all.extend(c.await.unwrap());
    }
    let distinct: BTreeSet<i64> = all.iter().copied().collect();
    assert_eq!((all.len(), distinct.len()), (60, 60), "every message claimed exactly once");
}

pub async fn every_change_of_rules_or_calendar_raises_the_config_version(db: &TestDb) {
    let s = &*db.store;
    assert_eq!(s.config_version().await.unwrap(), 0);
    s.set_meta("rules_toml", "profile = \"x-district-2022\"").await.unwrap();
    assert_eq!(s.config_version().await.unwrap(), 1);
    s.set_meta("rules_toml", "").await.unwrap();
    assert_eq!(s.config_version().await.unwrap(), 2);
    let f = CalendarFile::parse_json(r#"{"years": {"2027": {"off": ["2027-01-01"]}}}"#).unwrap();
    s.add_calendar_file(&f, "2027 年安排", t("2026-11-01T00:00:00Z")).await.unwrap();
    assert_eq!(s.config_version().await.unwrap(), 3);
    // Other settings leave it alone.
    s.set_meta("schedule_fingerprint", "abc").await.unwrap();
    assert_eq!(s.config_version().await.unwrap(), 3);
}

/// Declares one `#[tokio::test]` per test of this module, each on a fresh database from
/// `$factory` (the tests are re-exported by [`suite`](crate::suite), whose declarations these use).
#[macro_export]
macro_rules! jobs_suite {
    ($factory:path) => {
        $crate::behaviour_suite!(@each $factory;
            a_lease_is_held_by_one_process_until_it_expires_or_is_given_back,
            a_claimed_message_is_sent_by_one_process_and_claimed_again_when_its_claim_expires,
            processes_claiming_at_once_take_every_message_once,
            every_change_of_rules_or_calendar_raises_the_config_version
        );
    };
}

impl TestDb {
    /// The same database opened again with a pool of its own, as a second server process
    /// would open it.
    pub async fn open_again(&self) -> std::sync::Arc<dyn duban_store::Store> {
        match &self.backend {
            crate::Backend::Sqlite { _dir, .. } => {
                let url = format!("sqlite:{}", _dir.path().join("test.db").display());
                std::sync::Arc::new(duban_store_sqlite::SqliteStore::connect(&url).await.expect("open sqlite again"))
            }
            crate::Backend::Postgres { admin_url, name, .. } => {
                let url = crate::with_database(admin_url, name);
                std::sync::Arc::new(
                    duban_store_postgres::PgStore::connect(&url, false).await.expect("open postgres again"),
                )
            }
        }
    }
}
