//! Health, row counts and the small settings the server keeps (e.g. the fingerprint of the rules in force).
//!
//! The port [`MetaStore`]; the SQL that implements it is `duban-store-sql`'s module of the same name.

use crate::{Counts, Result};
use async_trait::async_trait;

/// Health, row counts and the small settings the server keeps (e.g. the fingerprint of the rules in force).
#[async_trait]
pub trait MetaStore: Send + Sync {
    /// The backend's name, for logs and health checks.
    fn backend(&self) -> &'static str;
    /// Checks the database answers.
    async fn ping(&self) -> Result<()>;
    /// How many rows the main tables hold.
    async fn counts(&self) -> Result<Counts>;
    async fn get_meta(&self, key: &str) -> Result<Option<String>>;
    async fn set_meta(&self, key: &str, value: &str) -> Result<()>;
}
