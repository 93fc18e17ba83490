//! The port of the job runner: leases on periodic jobs, claims on outbox messages, and the
//! version of the rules and calendar in force, so that several server processes on one
//! database share the work without doing any of it twice.
//!
//! A lease and a claim are held until an instant the caller gives (from its clock); a process
//! that dies simply stops renewing them, and another takes over once they expire. Implemented
//! once for every backend by `duban-store-sql`'s `sql_jobs!`.

use crate::{Delivery, Message, Result};
use async_trait::async_trait;
use jiff::Timestamp;

/// The meta key of the version of the rules and calendar in force. Every write that changes
/// them raises it in the same transaction (database triggers of migration 0010).
pub const CONFIG_VERSION_KEY: &str = "config_version";

/// Who holds a job's lease, and until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub name: String,
    pub holder: String,
    pub until: Timestamp,
}

/// Leases, claims and the configuration version. Every backend implements it.
#[async_trait]
pub trait JobStore: Send + Sync {
    /// Takes the lease of job `name` for `holder` until `until`, when at `now` nobody else
    /// holds it (never taken, expired, or already `holder`'s: then it is renewed). Returns
    /// whether `holder` holds it now. Two processes asking at once never both get it.
    async fn take_lease(&self, name: &str, holder: &str, now: Timestamp, until: Timestamp) -> Result<bool>;
    /// Gives a lease back (at shutdown), so that another process may take it at once.
    async fn release_lease(&self, name: &str, holder: &str) -> Result<()>;
    /// The lease of a job, if it was ever taken.
    async fn lease(&self, name: &str) -> Result<Option<Lease>>;
    /// Claims for `holder`, until `until`, up to `limit` pending messages of `channel` whose
    /// time has come at `now` and that nobody holds a claim on, oldest first; returns them.
    /// A message claimed by another process is skipped until its claim expires.
    async fn claim_messages(
        &self,
        channel: &str,
        holder: &str,
        now: Timestamp,
        until: Timestamp,
        limit: u32,
    ) -> Result<Vec<Message>>;
    /// Records what became of a message `holder` claimed, and ends the claim. Returns false,
    /// and writes nothing, when the claim is no longer `holder`'s (it expired and another
    /// process claimed the message).
    async fn finish_claimed(&self, id: i64, holder: &str, d: &Delivery) -> Result<bool>;
    /// The version of the rules and calendar in force ([`CONFIG_VERSION_KEY`]); 0 before any
    /// change.
    async fn config_version(&self) -> Result<i64>;
}
