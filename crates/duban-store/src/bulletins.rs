//! Monthly bulletins (月度通报, issue 13 §5): drafts the office edits, and issued bulletins,
//! numbered per year (督通〔2026〕3号), kept with their Word file and the namings they published.
//! An issued bulletin is immutable: the SQL refuses to change or delete it (a trigger on both
//! backends), besides the application.
//!
//! The port [`BulletinStore`]; the SQL that implements it is `duban-store-sql`'s module of the
//! same name.

use crate::Result;
use async_trait::async_trait;
use duban_domain::bulletin::Body;
use duban_domain::ids::{PersonId, TaskId, UnitId};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

/// A bulletin as kept (without its Word file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bulletin {
    pub id: i64,
    /// The month it reports on: `2026-07`.
    pub month: String,
    /// Issued (immutable) or a draft.
    pub issued: bool,
    pub title: String,
    /// 督通〔2026〕3号, once issued.
    pub number: Option<String>,
    pub year: Option<i64>,
    pub seq: Option<i64>,
    /// 主送.
    pub recipients: String,
    pub body: Body,
    pub created_at: Timestamp,
    pub created_by: Option<PersonId>,
    pub updated_at: Timestamp,
    pub updated_by: Option<PersonId>,
    pub issued_at: Option<Timestamp>,
    pub issued_by: Option<PersonId>,
    /// 成文日期.
    pub issued_on: Option<Date>,
}

/// A new draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBulletin {
    pub month: String,
    pub title: String,
    pub recipients: String,
    pub body: Body,
    pub at: Timestamp,
    pub by: Option<PersonId>,
}

/// A naming a bulletin published (公开点名).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BulletinNaming {
    pub unit_id: UnitId,
    pub person_id: Option<PersonId>,
    pub task_id: Option<TaskId>,
    pub reason: String,
}

/// Issuing a draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub year: i64,
    pub seq: i64,
    pub number: String,
    /// The final text (title, 主送 and body as issued).
    pub title: String,
    pub recipients: String,
    pub body: Body,
    pub at: Timestamp,
    pub by: Option<PersonId>,
    pub on: Date,
    pub docx: Vec<u8>,
    pub namings: Vec<BulletinNaming>,
}

/// Lead completion stages due in a period, counted by the task's source and priority and how
/// they stood (`on_time`, `late`, `open`); `open` ones due before `as_of` are `overdue`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueCount {
    pub source: String,
    pub priority: String,
    pub outcome: String,
    pub count: i64,
}

/// A task due in a period, as a bulletin may mention it (the caller checks its classification).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueTask {
    pub id: TaskId,
    pub number: String,
    pub title: String,
    pub source: String,
    pub priority: String,
    pub classification: String,
    pub status: String,
    pub due_at: Option<Timestamp>,
    pub stopped_at: Option<Timestamp>,
}

/// Monthly bulletins.
#[async_trait]
pub trait BulletinStore: Send + Sync {
    /// Keeps a new draft.
    async fn create_bulletin(&self, b: &NewBulletin) -> Result<Bulletin>;
    /// One bulletin.
    async fn bulletin(&self, id: i64) -> Result<Option<Bulletin>>;
    /// Every bulletin, newest first (issued ones only with `issued_only`).
    async fn list_bulletins(&self, issued_only: bool) -> Result<Vec<Bulletin>>;
    /// Replaces a draft's title, 主送 and body; a `Conflict` when it was issued meanwhile.
    async fn update_draft(
        &self,
        id: i64,
        title: &str,
        recipients: &str,
        body: &Body,
        at: Timestamp,
        by: Option<PersonId>,
    ) -> Result<Bulletin>;
    /// Deletes a draft; a `Conflict` for an issued bulletin.
    async fn delete_draft(&self, id: i64) -> Result<()>;
    /// The next number of `year` (1 for the first).
    async fn next_bulletin_seq(&self, year: i64) -> Result<i64>;
    /// Issues a draft with its number, Word file and namings, in one transaction; a `Conflict`
    /// when the number was taken meanwhile or the bulletin is no longer a draft.
    async fn issue_bulletin(&self, id: i64, issue: &Issue) -> Result<Bulletin>;
    /// An issued bulletin's Word file.
    async fn bulletin_docx(&self, id: i64) -> Result<Option<Vec<u8>>>;
    /// The namings a bulletin published.
    async fn bulletin_namings(&self, id: i64) -> Result<Vec<BulletinNaming>>;
    /// Lead completion stages due in `from..=to`, by the task's source, priority and outcome
    /// read at `as_of` (an index range of the assessment facts, not a scan of the tasks).
    async fn due_counts(&self, from: Date, to: Date, as_of: Timestamp) -> Result<Vec<DueCount>>;
    /// Up to `limit` tasks due in `from..=to` of the source or the priority given, by due time.
    async fn due_tasks(&self, from: Date, to: Date, source: &str, priority: &str, limit: u32) -> Result<Vec<DueTask>>;
    /// Tasks by id with what a bulletin needs of them.
    async fn bulletin_tasks(&self, ids: &[TaskId]) -> Result<Vec<DueTask>>;
}
