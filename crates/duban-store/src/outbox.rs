//! The outbox: messages queued for the in-app inbox, e-mail and SMS, and what became of each delivery.
//!
//! The port [`OutboxStore`]; the SQL that implements it is `duban-store-sql`'s module of the same name.

use crate::{Message, NewMessage, Result};
use async_trait::async_trait;
use duban_domain::ids::PersonId;
use jiff::Timestamp;

/// The outbox.
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Queues messages in one transaction; for each, false when one with its dedup key exists.
    async fn enqueue(&self, m: &[NewMessage]) -> Result<Vec<bool>>;
    /// Marks every in-app message whose time has come as delivered, in one statement: the
    /// inbox is the database itself. Returns how many.
    async fn deliver_inbox(&self, now: Timestamp) -> Result<u64>;
    /// Messages, newest first; only a person's with `person`.
    async fn list_messages(&self, person: Option<PersonId>, limit: u32) -> Result<Vec<Message>>;
    /// A person's delivered in-app messages (their inbox), newest first, those with an id below
    /// `before` when given: one page of at most `limit`, the next starting below its last id.
    async fn inbox_page(&self, person: PersonId, before: Option<i64>, limit: u32) -> Result<Vec<Message>>;
    /// Marks these in-app messages of `person` read at `at` (others' and those read already are
    /// left as they are), in one statement. Returns how many.
    async fn mark_read(&self, person: PersonId, ids: &[i64], at: Timestamp) -> Result<u64>;
}
