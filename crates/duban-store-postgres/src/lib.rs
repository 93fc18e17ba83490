//! # duban-store-postgres
//!
//! Duban's backend for large deployments. The schema is in `migrations/`, embedded and run on
//! every connect. The queries are the shared ones of [`duban_store::sql_store!`].

use duban_domain::Error;
use sqlx::migrate::{MigrateDatabase, Migrator};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres};
use std::str::FromStr;
use std::time::Duration;

/// The embedded migrations.
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// A Duban store in a PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
}

fn unavailable(e: impl std::fmt::Display) -> Error {
    // The URL may hold a password: log the error only.
    tracing::error!(error = %e, "postgres unavailable");
    Error::Unavailable("无法连接 PostgreSQL 数据库".into())
}

impl PgStore {
    /// Connects to the database at `url` and migrates it. With `create`, a database that does
    /// not exist yet is created first.
    pub async fn connect(url: &str, create: bool) -> Result<Self, Error> {
        let opts =
            PgConnectOptions::from_str(url).map_err(|_| Error::invalid("database", "PostgreSQL 数据库地址无效"))?;
        if create && !Postgres::database_exists(url).await.map_err(unavailable)? {
            Postgres::create_database(url).await.map_err(unavailable)?;
        }
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(opts)
            .await
            .map_err(unavailable)?;
        MIGRATOR.run(&pool).await.map_err(|e| {
            tracing::error!(error = %e, "postgres migration failed");
            Error::Internal
        })?;
        Ok(Self { pool })
    }

    /// Creates the database at `url`, empty (no schema), unless it exists. Returns whether it
    /// was created. For restoring a dump into it.
    pub async fn create_empty(url: &str) -> Result<bool, Error> {
        if Postgres::database_exists(url).await.map_err(unavailable)? {
            return Ok(false);
        }
        Postgres::create_database(url).await.map_err(unavailable)?;
        Ok(true)
    }

    /// The connection pool, for tests and benchmarks that need raw SQL.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

duban_store::sql_store!(PgStore, sqlx::Postgres, "postgres");
duban_store::job_store!(PgStore, sqlx::Postgres, "postgres");
