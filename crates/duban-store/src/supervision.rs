//! The supervision engine's records: 督办 notices (numbered per year of issue) and naming candidates (点名). Every insert is idempotent by its dedup key.
//!
//! The port [`SupervisionStore`]; the SQL that implements it is `duban-store-sql`'s module of the same name.

use crate::{Naming, Notice, Result, Supervision, SupervisionRecords};
use async_trait::async_trait;
use duban_domain::ids::TaskId;
use jiff::Timestamp;

/// The supervision engine's records.
#[async_trait]
pub trait SupervisionStore: Send + Sync {
    /// Records 督办 notices, each with the next number of the year it is issued in (`NewNotice::issued_on`) and with its event, messages
    /// and naming candidates, all in one transaction. `None` for a notice already issued (its
    /// dedup key exists): then nothing of it is written again.
    async fn record_supervision(&self, s: &[Supervision]) -> Result<Vec<Option<Notice>>>;
    /// The notices of the tasks `notices_of` and the trail activity of the tasks `activity_of`,
    /// in one query each (none for an empty list).
    async fn supervision_records(&self, notices_of: &[TaskId], activity_of: &[TaskId]) -> Result<SupervisionRecords>;
    async fn list_notices(&self) -> Result<Vec<Notice>>;
    /// One notice by its id.
    async fn notice(&self, id: i64) -> Result<Option<Notice>>;
    async fn list_naming(&self) -> Result<Vec<Naming>>;
    /// The naming candidates recorded in `[from, to)`, in id order (a month's, for its bulletin).
    async fn naming_between(&self, from: Timestamp, to: Timestamp) -> Result<Vec<Naming>>;
}
