//! # duban-store-tests
//!
//! One behaviour suite for every storage backend, after atuin's `tests-database`: the tests in
//! [`suite`] take a `&dyn Store` and know nothing of the backend. `tests/sqlite.rs` runs them on
//! a fresh SQLite file per test; `tests/postgres.rs` runs them on a fresh PostgreSQL database
//! per test, created under `DUBAN_TEST_PG_URL` and dropped afterwards. Without that variable
//! the PostgreSQL tests fail under `CI=true` and are skipped, with a note, elsewhere.

#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod jobs;
pub mod suite;

use duban_store::Store;
use duban_store_postgres::PgStore;
use duban_store_sqlite::SqliteStore;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

/// A fresh database for one test.
pub struct TestDb {
    pub store: Arc<dyn Store>,
    backend: Backend,
}

enum Backend {
    Sqlite { store: SqliteStore, _dir: tempfile::TempDir },
    Postgres { store: PgStore, admin_url: String, name: String, dropped: bool },
}

impl TestDb {
    /// Executes raw SQL behind the store's back (to test what the schema itself refuses).
    /// The PostgreSQL database's name (`None` on SQLite).
    pub fn pg_database(&self) -> Option<&str> {
        match &self.backend {
            Backend::Postgres { name, .. } => Some(name),
            Backend::Sqlite { .. } => None,
        }
    }

    pub async fn raw_execute(&self, sql: &str) -> Result<u64, String> {
        match &self.backend {
            Backend::Sqlite { store, .. } => sqlx::query(sql).execute(store.pool()).await.map(|r| r.rows_affected()),
            Backend::Postgres { store, .. } => sqlx::query(sql).execute(store.pool()).await.map(|r| r.rows_affected()),
        }
        .map_err(|e| e.to_string())
    }

    /// Runs SQL with the append-only guards of `task_events` lifted, as someone with direct
    /// access to the database could.
    pub async fn tamper(&self, sql: &str) -> Result<u64, String> {
        self.tamper_table("task_events", sql).await
    }

    /// Runs SQL with the append-only guards of `table` (`task_events` or `admin_events`) lifted.
    pub async fn tamper_table(&self, table: &str, sql: &str) -> Result<u64, String> {
        match &self.backend {
            Backend::Sqlite { .. } => {
                self.raw_execute(&format!("DROP TRIGGER IF EXISTS {table}_no_update")).await?;
                self.raw_execute(&format!("DROP TRIGGER IF EXISTS {table}_no_delete")).await?;
                self.raw_execute(sql).await
            }
            Backend::Postgres { .. } => {
                self.raw_execute(&format!("ALTER TABLE {table} DISABLE TRIGGER USER")).await?;
                let r = self.raw_execute(sql).await;
                self.raw_execute(&format!("ALTER TABLE {table} ENABLE TRIGGER USER")).await?;
                r
            }
        }
    }

    /// The migrations the database records as applied, and those the backend embeds.
    pub async fn migrations(&self) -> (Vec<i64>, Vec<i64>) {
        let sql = "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version";
        match &self.backend {
            Backend::Sqlite { store, .. } => (
                sqlx::query_scalar(sql).fetch_all(store.pool()).await.expect("read migrations"),
                duban_store_sqlite::MIGRATOR.iter().map(|m| m.version).collect(),
            ),
            Backend::Postgres { store, .. } => (
                sqlx::query_scalar(sql).fetch_all(store.pool()).await.expect("read migrations"),
                duban_store_postgres::MIGRATOR.iter().map(|m| m.version).collect(),
            ),
        }
    }

    /// Closes the store and drops the database.
    pub async fn finish(mut self) {
        if let Backend::Postgres { store, admin_url, name, dropped } = &mut self.backend {
            store.close().await;
            drop_pg(admin_url, name).await;
            *dropped = true;
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        // A failed test never reaches `finish`: drop its database from a helper thread.
        if let Backend::Postgres { admin_url, name, dropped: false, .. } = &self.backend {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            let _ = std::thread::spawn(move || {
                if let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() {
                    rt.block_on(drop_pg(&admin_url, &name));
                }
            })
            .join();
        }
    }
}

async fn drop_pg(admin_url: &str, name: &str) {
    if let Ok(pool) = sqlx::PgPool::connect(admin_url).await {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).execute(&pool).await;
        pool.close().await;
    }
}

/// A fresh SQLite file in a temporary directory.
pub async fn sqlite() -> Option<TestDb> {
    sqlite_with(duban_store_sqlite::Durability::default()).await
}

/// A fresh SQLite file with a chosen durability (benchmarks compare them).
pub async fn sqlite_with(durability: duban_store_sqlite::Durability) -> Option<TestDb> {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite:{}", dir.path().join("test.db").display());
    let store = SqliteStore::connect_with(&url, durability).await.expect("open sqlite");
    Some(TestDb { store: Arc::new(store.clone()), backend: Backend::Sqlite { store, _dir: dir } })
}

/// Opens the existing database at `url` (a `sqlite:` file or a `postgres://` database) as the
/// binary would, for tests outside the binary crate, which alone chooses backends.
pub async fn connect(url: &str) -> Arc<dyn Store> {
    if url.starts_with("sqlite:") {
        Arc::new(SqliteStore::connect(url).await.expect("open sqlite"))
    } else {
        Arc::new(PgStore::connect(url, false).await.expect("open postgres"))
    }
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The URL of the PostgreSQL server for tests, or `None` (a failure under `CI=true`).
/// The instant the tests record directory and people changes at (the store takes the time from
/// its caller, never from the wall clock).
pub fn at() -> jiff::Timestamp {
    jiff::Timestamp::from_second(1_772_413_200).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

pub fn pg_url() -> Option<String> {
    match std::env::var("DUBAN_TEST_PG_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "DUBAN_TEST_PG_URL must be set under CI=true: the PostgreSQL suite may not be skipped"
            );
            eprintln!("note: DUBAN_TEST_PG_URL is not set; skipping a PostgreSQL test");
            None
        }
    }
}

/// `url` with its database name replaced.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let host_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[host_start..].find('/') {
        Some(i) => &base[..host_start + i],
        None => base,
    };
    format!("{base}/{name}{query}")
}

/// A fresh PostgreSQL database, or `None` when no server is configured.
pub async fn postgres() -> Option<TestDb> {
    let admin_url = pg_url()?;
    let name = format!(
        "duban_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        jiff::Timestamp::now().as_millisecond() % 1_000_000
    );
    let url = with_database(&admin_url, &name);
    let store = PgStore::connect(&url, true).await.expect("create and open postgres database");
    Some(TestDb {
        store: Arc::new(store.clone()),
        backend: Backend::Postgres { store, admin_url, name, dropped: false },
    })
}

/// Declares one `#[tokio::test]` per suite test, each on a fresh database from `$factory`.
#[macro_export]
macro_rules! behaviour_suite {
    ($factory:path) => {
        $crate::jobs_suite!($factory);
        $crate::behaviour_suite!(@each $factory;
            every_migration_runs_on_an_empty_database,
            units_are_created_updated_listed_and_resolved_by_alias,
            a_name_or_alias_cannot_point_to_two_parties,
            a_unit_takes_one_more_alias_which_then_resolves,
            a_unit_cannot_be_its_own_ancestor,
            a_unit_in_use_cannot_be_deleted_but_an_unused_one_can,
            the_shipped_unit_directory_loads_and_loading_it_again_changes_nothing,
            groups_expand_to_their_member_units,
            people_have_unique_usernames_and_are_deactivated_not_deleted,
            ledgers_have_unique_names,
            tasks_keep_every_field,
            a_task_for_a_missing_ledger_is_rejected,
            a_stale_version_gets_a_conflict_and_changes_nothing,
            the_task_history_is_append_only,
            task_lists_filter_by_unit_status_source_text_and_dates,
            lights_are_filtered_at_the_given_instant,
            the_most_urgent_overdue_tasks_come_first,
            a_unit_sees_the_tasks_of_groups_it_belongs_to,
            the_audience_filter_in_sql_is_the_visibility_rule,
            bulk_inserts_keep_parties_and_history,
            schedules_can_be_recomputed_for_open_tasks,
            calendar_files_are_kept_in_order,
            meta_values_are_replaced,
            the_latest_progress_is_the_last_report_or_feedback,
            events_are_read_by_kind_for_many_tasks_in_order,
            a_service_can_hold_just_one_port,
            the_event_chain_holds_over_every_write,
            the_event_chain_finds_an_event_edited_by_hand,
            the_event_chain_finds_a_deleted_last_event,
            the_event_chain_finds_a_deleted_middle_event,
            notices_are_numbered_per_year_and_issued_once,
            messages_are_queued_once_and_delivered_or_retried,
            an_inbox_pages_by_id_newest_first,
            a_notice_its_messages_and_naming_are_recorded_together_once,
            a_notice_keeps_its_recipients_and_instruction_and_reads_back_by_id,
            tasks_with_an_unanswered_notice_are_listed,
            a_split_writes_the_parent_and_its_parts_or_nothing,
            attachments_keep_their_bytes_and_enter_the_trail,
            credentials_and_sessions_are_kept_and_expire,
            the_admin_log_is_append_only,
            the_admin_log_lists_newest_first_and_its_chain_holds,
            the_admin_chain_finds_a_change_edited_by_hand,
            the_admin_chain_finds_a_deleted_change,
            counts_cover_the_main_tables,
            overlapping_writers_all_succeed,
            an_import_is_written_whole_or_not_at_all,
            assessment_facts_are_replaced_adjusted_and_summed_exactly,
            reviews_keep_one_open_objection_per_fact_and_are_decided_or_withdrawn_once,
            saved_profiles_are_replaced_and_issued_rankings_are_append_only,
            enterprises_and_projects_keep_their_fields_versions_and_history,
            liaison_assignments_obligations_and_visits_are_kept_once,
            procedures_link_one_task_each_and_read_its_status_and_finish,
            demands_are_queued_assigned_visited_and_rated_once,
            an_imported_list_updates_listed_codes_and_is_written_whole_or_not_at_all,
            the_demand_page_filters_by_the_task_audience_in_sql,
            liaison_coverage_and_steward_flags_are_counted_in_sql,
            the_assignment_list_and_the_steward_flags_are_paged_in_sql,
            every_task_is_read_with_its_parties_past_the_bind_limit
        );
    };
    (@each $factory:path; $($name:ident),+ $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                if let Some(db) = $factory().await {
                    $crate::suite::$name(&db).await;
                    db.finish().await;
                }
            }
        )+
    };
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_names_are_replaced_in_urls() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(with_database("postgres://u:p@h/db?sslmode=disable", "x"), "postgres://u:p@h/x?sslmode=disable");
        assert_eq!(with_database("postgres://h:5432", "x"), "postgres://h:5432/x");
    }
}

/// What the benchmark binaries share: a deterministic generator and the process's peak memory.
pub mod bench {
    /// How many tasks a benchmark builds: `DUBAN_BENCH_TASKS`, else `full` under `cargo bench`
    /// (which passes `--bench`), else `quick`, so that `cargo test --all-targets` stays short.
    pub fn size(full: usize, quick: usize) -> usize {
        let bench = std::env::args().any(|a| a == "--bench");
        std::env::var("DUBAN_BENCH_TASKS").ok().and_then(|v| v.parse().ok()).unwrap_or(if bench { full } else { quick })
    }

    /// The process's peak resident memory (VmHWM), in MiB.
    pub fn peak_rss_mib() -> f64 {
        std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l.to_string()))
            .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
            .map_or(f64::NAN, |kb| kb / 1024.0)
    }

    /// The resident memory now, in MiB: the process's own (RssAnon) and the pages of files it
    /// maps (RssFile) — with SQLite, the database file, which every connection maps (up to
    /// 256 MiB each; the OS's page cache, shared, and counted once per mapping).
    pub fn rss_now_mib() -> (f64, f64) {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
                .map_or(f64::NAN, |kb| kb / 1024.0)
        };
        (field("RssAnon:"), field("RssFile:"))
    }

    /// Resets the peak to the current resident memory (Linux 4.0+: writing 5 to clear_refs).
    pub fn reset_peak() {
        let _ = std::fs::write("/proc/self/clear_refs", "5");
    }

    /// A small xorshift generator, so every run builds the same data.
    pub struct Rng(pub u64);

    impl Rng {
        pub fn next_u64(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        /// A number below `n`.
        pub fn below(&mut self, n: u64) -> u64 {
            self.next_u64() % n
        }
    }
}
