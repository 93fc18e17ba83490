//! The administrative audit log: who changed users, units, groups, rules or the calendar, and how; hash-chained like the task trail.
//!
//! The port [`AuditStore`]; the SQL that implements it is `duban-store-sql`'s module of the same name.

use crate::{AdminEvent, ChainReport, NewAdminEvent, Result};
use async_trait::async_trait;

/// The administrative audit log.
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Appends a change to the audit log, chained to the one before it.
    async fn record_admin_event(&self, e: &NewAdminEvent) -> Result<AdminEvent>;
    /// The audit log, newest first: `limit` changes before the id `before` (all with `None`).
    async fn admin_events(&self, before: Option<i64>, limit: u32) -> Result<Vec<AdminEvent>>;
    /// Checks the audit log's hash chain, in id order, and its head.
    async fn verify_admin_events(&self) -> Result<ChainReport>;
}
