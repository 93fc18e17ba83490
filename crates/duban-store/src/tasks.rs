//! Tasks, their parties and schedules, and their append-only, hash-chained trail of events.
//!
//! The port [`TaskStore`]; the SQL that implements it is `duban-store-sql`'s module of the same name.

use crate::{ChainReport, ImportWrite, NewEvent, Page, Result, ScheduleInstants, StoredTask, TaskEvent, TaskQuery};
use async_trait::async_trait;
use duban_domain::ids::{LedgerId, TaskId};
use duban_domain::task::Task;
use jiff::Timestamp;

/// Tasks, their parties and schedules, and their append-only, hash-chained trail of events.
#[async_trait]
pub trait TaskStore: Send + Sync {
    /// Stores a new task and its `created` event, in one transaction.
    async fn create_task(&self, t: &StoredTask, event: &NewEvent) -> Result<Task>;
    /// Writes one import — its ledger if new, its new tasks and its changed ones, with their
    /// events — in one transaction: on any error nothing is written. Returns the ledger.
    async fn write_import(&self, w: &ImportWrite) -> Result<LedgerId>;
    /// Stores many tasks at once (imports, benchmarks); returns how many.
    async fn insert_tasks(&self, tasks: &[StoredTask], at: Timestamp) -> Result<u64>;
    async fn get_task(&self, id: TaskId) -> Result<Task>;
    /// Replaces a task's fields if its version is still `expected_version`, and appends the
    /// event, in one transaction. Otherwise `Error::VersionConflict` with the current version.
    async fn update_task(&self, id: TaskId, expected_version: i64, t: &StoredTask, event: &NewEvent) -> Result<Task>;
    /// Splits a task (分解交办) in one transaction: replaces the parent's fields if its version is
    /// still `expected_version` and appends its event, then stores each part with its `created`
    /// event. On any error (a version conflict included) nothing is written. Returns the parts.
    async fn split_task(
        &self,
        id: TaskId,
        expected_version: i64,
        parent: &StoredTask,
        event: &NewEvent,
        parts: &[(StoredTask, NewEvent)],
    ) -> Result<Vec<Task>>;
    async fn list_tasks(&self, q: &TaskQuery) -> Result<Page<Task>>;
    async fn task_events(&self, id: TaskId) -> Result<Vec<TaskEvent>>;
    /// Adds an event to a task's trail without changing the task (a 督办 issued, a reminder).
    async fn append_event(&self, id: TaskId, e: &NewEvent) -> Result<()>;
    /// Checks the hash chain over every task event, in id order.
    async fn verify_events(&self) -> Result<ChainReport>;
    /// Open tasks after `after`, in id order, for recomputing their schedules.
    async fn open_tasks(&self, after: TaskId, limit: u32) -> Result<Vec<Task>>;
    /// Tasks created or changed at or after `since`, in id order (all of them from the epoch).
    async fn tasks_changed_since(&self, since: Timestamp) -> Result<Vec<Task>>;
    /// Changes whenever a task is added, changed or withdrawn: the number of tasks, the largest
    /// id and the sum of versions (every write raises a version).
    async fn tasks_fingerprint(&self) -> Result<(i64, i64, i64)>;
    /// The latest progress text (a report, or the feedback) of each of these tasks.
    async fn latest_progress(&self, ids: &[TaskId]) -> Result<Vec<(TaskId, String)>>;
    /// The events of these kinds of each of these tasks, as (task, kind code, data), by task and
    /// then oldest first (the published progress of the public pages is read from them).
    async fn events_of_kinds(
        &self,
        ids: &[TaskId],
        kinds: &[duban_domain::event::EventKind],
    ) -> Result<Vec<(TaskId, String, serde_json::Value)>>;
    /// Sets the stored due and warning instants of tasks (after the calendar or policy changed).
    async fn set_schedules(&self, s: &[(TaskId, ScheduleInstants)]) -> Result<()>;
}
