//! # duban-store-sqlite
//!
//! Duban's embedded default backend: one SQLite file in WAL mode with foreign keys enforced and,
//! by default, `synchronous = FULL`: a commit is on disk before it is acknowledged, so a power
//! loss cannot take back an acknowledged write ([`Durability`]).
//! The schema is in `migrations/`, embedded in the binary and run on every connect, so an old
//! file is brought up to date and a new one is created complete. The queries are the shared
//! ones of [`duban_store_sql::sql_store!`].

use duban_domain::Error;
use sqlx::migrate::{MigrateDatabase, Migrator};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

/// The embedded migrations.
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// How much of the database file reads map into memory (`PRAGMA mmap_size`).
const MMAP_BYTES: u64 = 256 * 1024 * 1024;

/// How hard SQLite works to keep a commit through a power loss (`PRAGMA synchronous`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// `FULL` (the default): the WAL is synced on every commit; an acknowledged write survives
    /// a power loss or an operating-system crash.
    #[default]
    Full,
    /// `NORMAL`: the WAL is synced only at checkpoints; still consistent, and safe against a
    /// crash of the process, but a power loss may take back the last commits.
    Normal,
}

impl Durability {
    fn pragma(self) -> SqliteSynchronous {
        match self {
            Durability::Full => SqliteSynchronous::Full,
            Durability::Normal => SqliteSynchronous::Normal,
        }
    }
}

/// A Duban store in a SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

fn unavailable(what: &str, e: impl std::fmt::Display) -> Error {
    tracing::error!(what, error = %e, "sqlite unavailable");
    Error::Unavailable(format!("无法打开 SQLite 数据库：{what}"))
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `url` (`sqlite:duban.db`) and migrates it,
    /// with the default [`Durability::Full`].
    pub async fn connect(url: &str) -> Result<Self, Error> {
        Self::connect_with(url, Durability::default()).await
    }

    /// [`SqliteStore::connect`] with a chosen durability.
    pub async fn connect_with(url: &str, durability: Durability) -> Result<Self, Error> {
        let opts = SqliteConnectOptions::from_str(url)
            .map_err(|_| Error::invalid("database", format!("数据库地址“{url}”无效")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(durability.pragma())
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // Reads map the first 256 MiB of the file (the OS's page cache, shared by the
            // pool's connections and given back under memory pressure) instead of copying each
            // page through a read into every connection's own 2 MiB cache: a list that looks up
            // ten thousand tasks by key costs half as much (issue 14, "Speed").
            .pragma("mmap_size", MMAP_BYTES.to_string());
        let pool =
            SqlitePoolOptions::new().max_connections(8).connect_with(opts).await.map_err(|e| unavailable(url, e))?;
        MIGRATOR.run(&pool).await.map_err(|e| {
            tracing::error!(error = %e, "sqlite migration failed");
            Error::Internal
        })?;
        Ok(Self { pool })
    }

    /// Whether a database file exists at `url`.
    pub async fn exists(url: &str) -> bool {
        Sqlite::database_exists(url).await.unwrap_or(false)
    }

    /// The connection pool, for tests and benchmarks that need raw SQL.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Writes a consistent snapshot of the live database to a new file at `path` (`VACUUM INTO`):
    /// one read transaction, so it holds every commit before it began and none after, whatever
    /// other connections write meanwhile. The file must not exist.
    pub async fn backup_into(&self, path: &std::path::Path) -> Result<(), Error> {
        let target = path.to_str().ok_or_else(|| Error::invalid("file", "备份文件路径须为 UTF-8"))?;
        sqlx::query("VACUUM INTO $1").bind(target).execute(&self.pool).await.map_err(|e| {
            tracing::error!(error = %e, "sqlite backup failed");
            Error::Unavailable(format!("无法写入备份文件 {target}"))
        })?;
        Ok(())
    }

    /// Closes every connection (the WAL is checkpointed on the last close).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

duban_store_sql::sql_store!(SqliteStore, sqlx::Sqlite, "sqlite");

#[cfg(test)]
mod tests {
    use super::*;
    use duban_store::prelude::*;

    #[tokio::test]
    async fn every_migration_runs_on_an_empty_database_and_is_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("empty.db").display());
        assert!(!SqliteStore::exists(&url).await);
        let store = SqliteStore::connect(&url).await.unwrap();
        store.ping().await.unwrap();
        let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
            .fetch_all(store.pool())
            .await
            .unwrap();
        let expected: Vec<i64> = MIGRATOR.iter().map(|m| m.version).collect();
        assert_eq!(applied, expected);
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(store.pool()).await.unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(store.pool()).await.unwrap();
        assert_eq!(fk, 1);
        // Durable by default: every commit is synced before it is acknowledged.
        let sync: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(store.pool()).await.unwrap();
        assert_eq!(sync, 2, "synchronous = FULL");
        store.close().await;
        // Opening again runs nothing new and keeps the data.
        let again = SqliteStore::connect(&url).await.unwrap();
        again.ping().await.unwrap();
    }

    #[tokio::test]
    async fn normal_durability_is_a_choice() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("normal.db").display());
        let store = SqliteStore::connect_with(&url, Durability::Normal).await.unwrap();
        let sync: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(store.pool()).await.unwrap();
        assert_eq!(sync, 1, "synchronous = NORMAL");
    }
}
