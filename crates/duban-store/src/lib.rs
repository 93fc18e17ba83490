//! # duban-store
//!
//! The storage interface of Duban, after atuin's `atuin-server-database`: one [`Store`] trait
//! that the server and the CLI program against, implemented by one crate per backend
//! (`duban-store-sqlite`, `duban-store-postgres`), each with its own migrations.
//!
//! The SQL itself is the same on both backends, so it is written once, in [`sql_store!`], and
//! each backend instantiates it with its own concrete sqlx types. Placeholders are written
//! `$1, $2 …`, which both PostgreSQL and sqlx's SQLite driver bind by number.
//!
//! Every method returns [`duban_domain::Error`]: database failures are logged here, with their
//! cause, and reach the caller as `Error::Internal`, so no SQL ever reaches a user.

mod jobs;
#[doc(hidden)]
pub mod jobs_sql;
mod model;
#[doc(hidden)]
pub mod sql;

pub use jobs::*;
pub use model::*;

use async_trait::async_trait;
use duban_domain::Error;
use duban_domain::calendar::CalendarFile;
use duban_domain::ids::{GroupId, LedgerId, PersonId, TaskId, UnitId};
use duban_domain::org::{NewPerson, NewUnit, Person, Unit, UnitDirectory, UnitGroup};
use duban_domain::task::Task;
use jiff::Timestamp;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything Duban keeps. Implemented once per backend.
#[async_trait]
pub trait Store: JobStore + Send + Sync + 'static {
    /// The backend's name, for logs and health checks.
    fn backend(&self) -> &'static str;
    /// Checks the database answers.
    async fn ping(&self) -> Result<()>;

    // Units and groups.
    async fn create_unit(&self, u: &NewUnit) -> Result<Unit>;
    async fn update_unit(&self, id: UnitId, u: &NewUnit) -> Result<Unit>;
    async fn get_unit(&self, id: UnitId) -> Result<Unit>;
    async fn list_units(&self) -> Result<Vec<Unit>>;
    /// Deletes a unit nothing refers to; a unit in use is a conflict.
    async fn delete_unit(&self, id: UnitId) -> Result<()>;
    /// The unit or group a name or alias points to.
    async fn resolve_name(&self, name: &str) -> Result<Option<PartyRef>>;
    async fn list_groups(&self) -> Result<Vec<UnitGroup>>;
    async fn get_group(&self, id: GroupId) -> Result<UnitGroup>;
    /// Loads a unit directory: creates or updates every unit and group by name, in one
    /// transaction. Loading the same file twice changes nothing.
    async fn import_directory(&self, dir: &UnitDirectory) -> Result<DirectoryImport>;

    // People.
    async fn create_person(&self, p: &NewPerson) -> Result<Person>;
    async fn update_person(&self, id: PersonId, p: &NewPerson) -> Result<Person>;
    async fn get_person(&self, id: PersonId) -> Result<Person>;
    async fn list_people(&self) -> Result<Vec<Person>>;
    /// People are never deleted (the trail names them); they are deactivated.
    async fn deactivate_person(&self, id: PersonId) -> Result<()>;

    // Ledgers.
    async fn create_ledger(&self, l: &NewLedger, at: Timestamp) -> Result<Ledger>;
    async fn get_ledger(&self, id: LedgerId) -> Result<Ledger>;
    async fn list_ledgers(&self) -> Result<Vec<Ledger>>;

    // Tasks.
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
    /// Sets the stored due and warning instants of tasks (after the calendar or policy changed).
    async fn set_schedules(&self, s: &[(TaskId, ScheduleInstants)]) -> Result<()>;

    // The supervision engine's records; every insert is idempotent by its dedup key.
    /// Records 督办 notices, each with the next number of its year and with its event, messages
    /// and naming candidates, all in one transaction. `None` for a notice already issued (its
    /// dedup key exists): then nothing of it is written again.
    async fn record_supervision(&self, s: &[Supervision]) -> Result<Vec<Option<Notice>>>;
    /// The notices of the tasks `notices_of` and the trail activity of the tasks `activity_of`,
    /// in one query each (none for an empty list).
    async fn supervision_records(&self, notices_of: &[TaskId], activity_of: &[TaskId]) -> Result<SupervisionRecords>;
    async fn list_notices(&self) -> Result<Vec<Notice>>;
    /// Queues messages in one transaction; for each, false when one with its dedup key exists.
    async fn enqueue(&self, m: &[NewMessage]) -> Result<Vec<bool>>;
    /// Pending messages whose time has come, oldest first; of one channel with `channel`.
    async fn due_messages(&self, now: Timestamp, channel: Option<&str>, limit: u32) -> Result<Vec<Message>>;
    async fn record_delivery(&self, id: i64, d: &Delivery) -> Result<()>;
    /// Marks every in-app message whose time has come as delivered, in one statement: the
    /// inbox is the database itself. Returns how many.
    async fn deliver_inbox(&self, now: Timestamp) -> Result<u64>;
    /// Messages, newest first; only a person's with `person`.
    async fn list_messages(&self, person: Option<PersonId>, limit: u32) -> Result<Vec<Message>>;
    async fn list_naming(&self) -> Result<Vec<Naming>>;

    // Attachments.
    /// Stores a file and records an `attached` event (name, size, SHA-256) in the task's trail,
    /// in one transaction.
    async fn add_attachment(&self, a: &NewAttachment) -> Result<Attachment>;
    async fn list_attachments(&self, task: TaskId) -> Result<Vec<Attachment>>;
    /// An attachment with its content.
    async fn get_attachment(&self, id: i64) -> Result<(Attachment, Vec<u8>)>;

    // Sign-in.
    /// Sets a person's password hash and clears failed attempts.
    async fn set_password(&self, person: PersonId, hash: &str, at: Timestamp) -> Result<()>;
    /// The credential of an active person with this user name.
    async fn credential(&self, username: &str) -> Result<Option<Credential>>;
    /// Records a failed attempt (with the backoff it earns) or, with `None`, a success.
    async fn record_sign_in(&self, person: PersonId, failed: Option<Timestamp>) -> Result<()>;
    async fn create_session(&self, s: &Session) -> Result<()>;
    /// The session with this token hash, if it has not expired at `now`.
    async fn session(&self, token_hash: &str, now: Timestamp) -> Result<Option<Session>>;
    async fn delete_session(&self, token_hash: &str) -> Result<()>;
    /// Ends every session of a person (password reset, deactivation); returns how many.
    async fn delete_sessions_of(&self, person: PersonId) -> Result<u64>;

    // Calendar data imported by administrators.
    async fn add_calendar_file(&self, f: &CalendarFile, note: &str, at: Timestamp) -> Result<i64>;
    async fn calendar_files(&self) -> Result<Vec<CalendarFile>>;

    // The administrative audit log.
    /// Appends a change to the audit log, chained to the one before it.
    async fn record_admin_event(&self, e: &NewAdminEvent) -> Result<AdminEvent>;
    /// The audit log, newest first: `limit` changes before the id `before` (all with `None`).
    async fn admin_events(&self, before: Option<i64>, limit: u32) -> Result<Vec<AdminEvent>>;
    /// Checks the audit log's hash chain, in id order, and its head.
    async fn verify_admin_events(&self) -> Result<ChainReport>;
    /// How many rows the main tables hold.
    async fn counts(&self) -> Result<Counts>;

    // Small settings the server keeps (e.g. the fingerprint of the rules in force).
    async fn get_meta(&self, key: &str) -> Result<Option<String>>;
    async fn set_meta(&self, key: &str, value: &str) -> Result<()>;
}
