//! # duban-store-sql
//!
//! The SQL of Duban's storage ports, written once and shared by both backends
//! (`duban-store-sqlite`, `duban-store-postgres`): the statements are the same on both, and
//! placeholders are written `$1, $2 …`, which PostgreSQL and sqlx's SQLite driver both bind by
//! number. Only the backend crates depend on this crate (and on sqlx); the server and the
//! command line see the ports of `duban-store` alone.
//!
//! One module per aggregate, each with one macro that implements its port for a backend's store
//! type: [`directory`], [`people`], [`ledgers`], [`tasks`], [`attachments`], [`supervision`],
//! [`outbox`], [`sign_in`], [`calendar`], [`audit`], [`jobs`] (leases and claims), [`assessment`]
//! (facts and daily sums), [`reviews`] (objections, evaluations, document errors), [`rankings`]
//! (saved profiles, issued rankings), [`bulletins`] (monthly bulletins), [`enterprises`] (key enterprises and
//! projects), [`procedures`] (pre-procedures of key projects) and [`meta`]. [`sql_store!`] invokes them all
//! in one block after [`sql_common!`] (imports, the backend's concrete sqlx types, the write
//! transaction and the hash-chain walk), so one aggregate's helpers (writing a trail event,
//! queueing a message) serve another's within one transaction.
//!
//! Why macros rather than code generic over `sqlx::Database`: every query binds `i64`,
//! `Option<i64>`, `String`, `&str`, `bool` and `Vec<u8>` and reads them back by column name, runs
//! on a pool, a connection and a transaction, and builds statements with `QueryBuilder`; stated
//! as bounds, that is a helper trait with some twenty higher-ranked clauses
//! (`for<'q> i64: Encode<'q, DB>`, `for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>`,
//! `usize: ColumnIndex<DB::Row>` …) that every generic function repeats or inherits, and whose
//! errors name none of the SQL. The macros keep the code the plain, concrete code each backend
//! would write, once, and one small macro per aggregate keeps each file about one thing.
//!
//! Every method returns [`duban_domain::Error`]: database failures are logged here, with their
//! cause, and reach the caller as `Error::Internal` (or `Unavailable`, `Conflict`), so no SQL ever
//! reaches a user.

pub mod assessment;
pub mod attachments;
pub mod audit;
pub mod bulletins;
pub mod calendar;
pub mod demands;
pub mod directory;
pub mod enterprises;
pub mod jobs;
pub mod ledgers;
pub mod liaison;
pub mod meta;
pub mod outbox;
pub mod people;
pub mod procedures;
pub mod rankings;
pub mod reviews;
pub mod sign_in;
pub mod supervision;
pub mod tasks;

pub use duban_store::chain::{admin_event_hash, admin_hash_of, event_hash, sha256_hex};

use duban_domain::Error;
use duban_domain::event::EventKind;
use jiff::Timestamp;

#[doc(hidden)]
pub mod deps {
    pub use async_trait;
    pub use duban_domain;
    pub use duban_store;
    pub use jiff;
    pub use serde_json;
    pub use sqlx;
    pub use tracing;
}

/// Milliseconds since the epoch, how instants are stored.
pub fn ms(t: Timestamp) -> i64 {
    t.as_millisecond()
}

pub fn ms_opt(t: Option<Timestamp>) -> Option<i64> {
    t.map(ms)
}

/// The instant stored as milliseconds.
pub fn ts(v: i64) -> Result<Timestamp, Error> {
    Timestamp::from_millisecond(v).map_err(|e| corrupt("timestamp", e))
}

pub fn ts_opt(v: Option<i64>) -> Result<Option<Timestamp>, Error> {
    v.map(ts).transpose()
}

/// A stored value that cannot be read back: logged, and reported as an internal error.
pub fn corrupt(what: &str, e: impl std::fmt::Display) -> Error {
    tracing::error!(what, error = %e, "stored value cannot be read");
    Error::Internal
}

/// Parses a stored vocabulary code.
pub fn code<T: std::str::FromStr>(what: &str, s: &str) -> Result<T, Error> {
    s.parse().map_err(|_| corrupt(what, format!("unknown code {s:?}")))
}

pub fn json<T: serde::de::DeserializeOwned>(what: &str, s: &str) -> Result<T, Error> {
    serde_json::from_str(s).map_err(|e| corrupt(what, e))
}

pub fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

/// Maps a database error to a domain error. Unique and foreign-key violations are the caller's
/// fault and say so; anything else is logged with its cause and becomes `Error::Internal`.
pub fn db_err(op: &'static str) -> impl Fn(sqlx::Error) -> Error {
    move |e| {
        if let sqlx::Error::Database(d) = &e {
            if d.is_unique_violation() {
                return Error::Conflict("与已有记录重复".into());
            }
            if d.is_foreign_key_violation() {
                return Error::invalid("reference", "引用的单位、人员、台账或上级任务不存在，或仍被引用");
            }
            // SQLite's SQLITE_BUSY (5) and its extended codes (517 BUSY_SNAPSHOT, 261 …), and
            // PostgreSQL's serialization failure and deadlock: the database was busy, not wrong.
            let code = d.code().unwrap_or_default();
            if code == "5" || code.parse::<i64>().is_ok_and(|c| c & 0xff == 5) || code == "40001" || code == "40P01" {
                tracing::warn!(op, error = %e, "database busy");
                return Error::Unavailable("数据库繁忙，请稍后重试".into());
            }
        }
        if matches!(e, sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_)) {
            tracing::error!(op, error = %e, "database unavailable");
            return Error::Unavailable("数据库连接失败".into());
        }
        tracing::error!(op, error = %e, "database error");
        Error::Internal
    }
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
pub fn like_pattern(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 2);
    p.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// Rows per multi-row INSERT: under SQLite's 32,766 and PostgreSQL's 65,535 bind parameters.
pub const BATCH_ROWS: usize = 1000;

/// A value bound into a task row.
pub enum TaskValue {
    Int(Option<i64>),
    Text(Option<String>),
}

/// The writable columns of a task row and their values, in one place for INSERT and UPDATE.
/// `updated_at` is the write's instant; `created_at` and `version` are set by the caller.
pub fn task_row(t: &duban_store::StoredTask) -> [(&'static str, TaskValue); 22] {
    use TaskValue::{Int, Text};
    let f = &t.fields;
    let clock: std::collections::BTreeMap<&str, i64> = t.clock.iter().map(|(k, v)| (k.code(), ms(*v))).collect();
    [
        ("ledger_id", Int(f.ledger_id.map(|l| l.0))),
        ("parent_id", Int(f.parent_id.map(|p| p.0))),
        ("number", Text(Some(f.number.clone()))),
        ("title", Text(Some(f.title.clone()))),
        ("body", Text(Some(f.text.clone()))),
        ("section", Text(Some(f.section.clone()))),
        ("source", Text(Some(f.source.code().into()))),
        ("leader_id", Int(f.leader_id.map(|p| p.0))),
        ("responsible_person_id", Int(f.responsible_person_id.map(|p| p.0))),
        ("deadline", Text(f.deadline.map(|d| d.to_string()))),
        ("milestones", Text(Some(to_json(&f.milestones)))),
        ("targets", Text(Some(to_json(&f.targets)))),
        ("work_standard", Text(Some(f.work_standard.clone()))),
        ("priority", Text(Some(f.priority.code().into()))),
        ("complexity", Text(Some(f.complexity.code().into()))),
        ("classification", Text(Some(f.classification.code().into()))),
        ("status", Text(Some(t.status.code().into()))),
        ("received_at", Int(Some(ms(f.received_at)))),
        ("clock", Text(Some(to_json(&clock)))),
        ("due_at", Int(ms_opt(t.schedule.due_at))),
        ("warn_at", Int(ms_opt(t.schedule.warn_at))),
        ("updated_at", Int(Some(ms(t.at)))),
    ]
}

/// How many task ids one statement that reads parties binds (SQLite takes at most 32,766 bound
/// values, PostgreSQL 65,535; a snapshot reads every task).
pub const PARTY_IDS_PER_QUERY: usize = 10_000;

pub const TASK_COLUMNS: &str = "id, ledger_id, parent_id, number, title, body, section, source, leader_id, \
    responsible_person_id, deadline, milestones, targets, work_standard, priority, complexity, \
    classification, status, received_at, clock, due_at, warn_at, created_at, updated_at, version";

/// The codes of `kinds` as a SQL list, `('report', 'feedback')`: the domain decides which kinds
/// of event count as what ([`EventKind::PROGRESS_TEXT`]), and the SQL takes the list from there.
/// The codes are the domain's own constants (lower-case words), never user input.
pub fn kind_list(kinds: &[EventKind]) -> String {
    let codes: Vec<String> = kinds.iter().map(|k| format!("'{}'", k.code())).collect();
    format!("({})", codes.join(", "))
}

/// Sets up the block every aggregate's macro expands into: the imports, the backend's concrete
/// sqlx types (`Db`, `DbRow`, `Tx`), its name, the write transaction and the hash-chain walk.
#[doc(hidden)]
#[macro_export]
macro_rules! sql_common {
    ($store:ty, $db:ty, $backend:literal) => {
        use std::collections::{BTreeMap, HashMap};
        use $crate::deps::duban_domain;
        use $crate::deps::duban_domain::Error;
        use $crate::deps::duban_domain::calendar::CalendarFile;
        use $crate::deps::duban_domain::event::EventKind;
        use $crate::deps::duban_domain::ids::*;
        use $crate::deps::duban_domain::org::*;
        use $crate::deps::duban_domain::task::{NewTask, Party, Status, Task};
        use $crate::deps::duban_store::*;
        use $crate::deps::jiff::Timestamp;
        use $crate::deps::sqlx::{self, QueryBuilder, Row as _};
        use $crate::*;

        /// The backend's name, for logs and health checks.
        const BACKEND: &str = $backend;
        type Db = $db;
        type DbRow = <$db as sqlx::Database>::Row;
        type Tx<'c> = sqlx::Transaction<'c, $db>;

        /// A write transaction. On SQLite it takes the write lock when it begins
        /// (`BEGIN IMMEDIATE`), so one that reads before it writes waits its turn (the busy
        /// timeout) instead of failing when another writer commits between its read and its
        /// write; PostgreSQL's row locks need no such care.
        async fn begin_write(pool: &sqlx::Pool<$db>) -> Result<Tx<'static>, sqlx::Error> {
            if BACKEND == "sqlite" { pool.begin_with("BEGIN IMMEDIATE").await } else { pool.begin().await }
        }

        /// The row `sql` finds with `$1` bound to `id`, or the error `missing` gives.
        async fn row_by_id(
            pool: &sqlx::Pool<$db>,
            sql: &str,
            id: i64,
            op: &'static str,
            missing: impl FnOnce() -> Error,
        ) -> Result<DbRow> {
            sqlx::query(sql).bind(id).fetch_optional(pool).await.map_err(db_err(op))?.ok_or_else(missing)
        }

        /// Every row of `sql` (which binds nothing), each read by `read`.
        async fn all_rows<T>(
            pool: &sqlx::Pool<$db>,
            sql: &str,
            op: &'static str,
            read: impl Fn(&DbRow) -> Result<T>,
        ) -> Result<Vec<T>> {
            let rows = sqlx::query(sql).fetch_all(pool).await.map_err(db_err(op))?;
            rows.iter().map(read).collect()
        }

        /// Binds each value as one item of a SQL list (the inside of `IN (…)`).
        fn push_list<'a, T>(qb: &mut QueryBuilder<'a, Db>, values: impl IntoIterator<Item = T>)
        where
            T: 'a + sqlx::Encode<'a, Db> + sqlx::Type<Db>,
        {
            let mut sep = qb.separated(", ");
            for v in values {
                sep.push_bind(v);
            }
        }

        /// Walks a hash chain (`select` reads 10,000 links after `$1`, in order, with `id`,
        /// `prev_hash` and `hash`) and checks where it ends against `head_table`. `again`
        /// gives a link's task, if any, and the hash its content gives again.
        async fn walk_chain(
            pool: &sqlx::Pool<$db>,
            select: &str,
            head_table: &str,
            allow_unsealed: bool,
            again: impl Fn(&DbRow, &str) -> Result<(Option<TaskId>, String)>,
        ) -> Result<ChainReport> {
            let g = db_err("read chain");
            let mut walk = ChainWalk::new(allow_unsealed);
            let mut after = 0i64;
            'pages: while !walk.is_broken() {
                let rows = sqlx::query(select).bind(after).fetch_all(pool).await.map_err(&g)?;
                if rows.is_empty() {
                    break;
                }
                for r in &rows {
                    let id: i64 = r.try_get("id").map_err(&g)?;
                    let prev: String = r.try_get("prev_hash").map_err(&g)?;
                    let hash: String = r.try_get("hash").map_err(&g)?;
                    after = id;
                    let (task, again) = again(r, &prev)?;
                    if !walk.link(id, task, &prev, &hash, &again) {
                        break 'pages;
                    }
                }
            }
            let r = sqlx::query(&format!("SELECT head_hash, length FROM {head_table} WHERE id = 1"))
                .fetch_one(pool)
                .await
                .map_err(&g)?;
            Ok(walk.finish(&r.try_get::<String, _>("head_hash").map_err(&g)?, r.try_get("length").map_err(&g)?))
        }
    };
}

/// Implements every port of `duban-store` (and so [`duban_store::Store`]) for `$store`, a struct
/// with a `pool: sqlx::Pool<$db>` field. A backend crate invokes it once.
#[macro_export]
macro_rules! sql_store {
    ($store:ty, $db:ty, $backend:literal) => {
        const _: () = {
            $crate::sql_common!($store, $db, $backend);
            $crate::sql_meta!($store);
            $crate::sql_directory!($store);
            $crate::sql_people!($store);
            $crate::sql_ledgers!($store);
            $crate::sql_tasks!($store);
            $crate::sql_attachments!($store);
            $crate::sql_supervision!($store);
            $crate::sql_assessment!($store);
            $crate::sql_reviews!($store);
            $crate::sql_rankings!($store);
            $crate::sql_bulletins!($store);
            $crate::sql_enterprises!($store);
            $crate::sql_procedures!($store);
            $crate::sql_demands!($store);
            $crate::sql_outbox!($store);
            $crate::sql_sign_in!($store);
            $crate::sql_calendar!($store);
            $crate::sql_audit!($store);
            $crate::sql_jobs!($store);
            $crate::sql_liaison!($store);
        };
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_text_kinds_come_from_the_domain() {
        assert_eq!(kind_list(EventKind::PROGRESS_TEXT), "('report', 'feedback')");
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern(r"50%_a\b"), r"%50\%\_a\\b%");
    }
}
