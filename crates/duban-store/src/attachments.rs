//! Files attached to tasks; each upload is also an event in the task's trail.
//!
//! The port [`AttachmentStore`]; the SQL that implements it is `duban-store-sql`'s module of the same name.

use crate::{Attachment, NewAttachment, Result};
use async_trait::async_trait;
use duban_domain::ids::TaskId;

/// Files attached to tasks.
#[async_trait]
pub trait AttachmentStore: Send + Sync {
    /// Stores a file and records an `attached` event (name, size, SHA-256) in the task's trail,
    /// in one transaction.
    async fn add_attachment(&self, a: &NewAttachment) -> Result<Attachment>;
    async fn list_attachments(&self, task: TaskId) -> Result<Vec<Attachment>>;
    /// An attachment with its content.
    async fn get_attachment(&self, id: i64) -> Result<(Attachment, Vec<u8>)>;
}
