//! Chooses the storage backend from the database URL: `sqlite:` or `postgres://`. The one place
//! that names the backends (after atuin's `bin/main.rs`): the server and the services take the
//! chosen store as an `Arc<dyn Store>` and know nothing of SQLite or PostgreSQL.

use duban_app::config::Synchronous;
use duban_domain::Error;
use duban_store::Store;
use duban_store_postgres::PgStore;
use duban_store_sqlite::{Durability, SqliteStore};
use std::sync::Arc;

/// Which backend a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of(url: &str) -> Result<Self, Error> {
        let u = url.trim();
        if u.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if u.starts_with("postgres://") || u.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(Error::invalid("database", "数据库地址应以 sqlite: 或 postgres:// 开头，例如 sqlite:duban.db"))
        }
    }
}

/// Opens an existing database: a SQLite file that is not there is an error, not a new file
/// (for commands that only read, such as `calendar` and `audit verify`).
pub async fn connect_existing(url: &str) -> Result<Arc<dyn Store>, Error> {
    if Backend::of(url)? == Backend::Sqlite && !SqliteStore::exists(url).await {
        return Err(Error::invalid("database", format!("数据库 {url} 不存在")));
    }
    connect(url, false).await
}

/// Opens the database at `url`, creating it when `create` is set (always for SQLite files, which
/// are created on first use), and runs the migrations. SQLite files are opened with the default
/// durability (`synchronous = FULL`).
pub async fn connect(url: &str, create: bool) -> Result<Arc<dyn Store>, Error> {
    connect_with(url, create, Synchronous::default()).await
}

/// [`connect`] with the configured SQLite durability.
pub async fn connect_with(url: &str, create: bool, sync: Synchronous) -> Result<Arc<dyn Store>, Error> {
    Ok(match Backend::of(url)? {
        Backend::Sqlite => Arc::new(SqliteStore::connect_with(url, durability(sync)).await?),
        Backend::Postgres => Arc::new(PgStore::connect(url, create).await?),
    })
}

/// The SQLite durability of the configured `synchronous` setting.
fn durability(sync: Synchronous) -> Durability {
    match sync {
        Synchronous::Full => Durability::Full,
        Synchronous::Normal => Durability::Normal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_names_the_backend() {
        assert_eq!(Backend::of(" sqlite:duban.db").ok(), Some(Backend::Sqlite));
        assert_eq!(Backend::of("postgres://u@h/d").ok(), Some(Backend::Postgres));
        assert_eq!(Backend::of("postgresql://u@h/d").ok(), Some(Backend::Postgres));
        assert!(Backend::of("mysql://u@h/d").is_err());
    }

    #[test]
    fn the_configured_synchronous_setting_is_the_sqlite_durability() {
        assert_eq!(durability(Synchronous::Full), Durability::Full);
        assert_eq!(durability(Synchronous::Normal), Durability::Normal);
        assert_eq!(durability(Synchronous::default()), Durability::default());
    }
}
