//! The shapes that cross the storage interface, beyond the domain's own types.

use duban_domain::ids::{EventId, GroupId, LedgerId, PersonId, TaskId, UnitId};
use duban_domain::org::Person;
use duban_domain::policy::ClockEvent;
use duban_domain::task::{Classification, Light, NewTask, Source, Status};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// What a name resolves to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartyRef {
    Unit(UnitId),
    Group(GroupId),
}

/// What loading a unit directory did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DirectoryImport {
    pub units_created: u32,
    pub units_updated: u32,
    pub groups_created: u32,
    pub groups_updated: u32,
    pub names: u32,
}

/// A ledger (台账): the tasks of one document, meeting or list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewLedger {
    pub name: String,
    /// 文号, e.g. 奈政字〔2025〕43号.
    pub doc_number: Option<String>,
    pub issued: Option<Date>,
    pub issuer: String,
    pub source: Source,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    pub id: LedgerId,
    #[serde(flatten)]
    pub fields: NewLedger,
    pub created_at: Timestamp,
}

/// The two instants that decide a task's light, kept with the task so lists can filter and
/// sort by light in SQL.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleInstants {
    pub due_at: Option<Timestamp>,
    pub warn_at: Option<Timestamp>,
}

/// A task as written to storage: its fields, state, clock events and schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredTask {
    pub fields: NewTask,
    pub status: Status,
    pub clock: BTreeMap<ClockEvent, Timestamp>,
    pub schedule: ScheduleInstants,
    pub at: Timestamp,
}

/// The ledger an import writes into.
#[derive(Debug, Clone)]
pub enum LedgerTarget {
    Existing(LedgerId),
    /// A new ledger, made in the import's transaction at the given time.
    New(NewLedger, Timestamp),
}

/// One import's writes, made in one transaction: all of them, or none.
#[derive(Debug, Clone)]
pub struct ImportWrite {
    pub ledger: LedgerTarget,
    /// New tasks, each with its `created` event; their `ledger_id` becomes the ledger's.
    pub create: Vec<(StoredTask, NewEvent)>,
    /// Changed (or withdrawn) tasks: the id, the version they were read at, the task as it is
    /// to be, and the event recording the change.
    pub update: Vec<(TaskId, i64, StoredTask, NewEvent)>,
}

/// An entry for a task's append-only history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewEvent {
    pub at: Timestamp,
    pub actor_id: Option<PersonId>,
    /// What happened: `created`, `updated`, `cancelled`, a clock event …
    pub kind: String,
    /// Details, e.g. the fields before and after an edit.
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskEvent {
    pub id: EventId,
    pub task_id: TaskId,
    pub at: Timestamp,
    pub actor_id: Option<PersonId>,
    pub kind: String,
    pub data: serde_json::Value,
}

/// Sort orders of a task list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskSort {
    /// Most urgent first: the earliest open due time.
    #[default]
    Due,
    Deadline,
    Number,
    /// Most recently changed first.
    Updated,
}

/// Filters and paging of a task list. Every filter is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskQuery {
    pub ledger_id: Option<LedgerId>,
    pub parent_id: Option<TaskId>,
    /// Tasks this unit leads or cooperates on, directly or through a group it belongs to.
    pub unit_id: Option<UnitId>,
    /// Only tasks it leads.
    pub lead_only: bool,
    /// Tasks with this leader in charge.
    pub leader_id: Option<PersonId>,
    /// Only what this viewer may see.
    pub audience: Option<Audience>,
    pub statuses: Vec<Status>,
    pub sources: Vec<Source>,
    pub classifications: Vec<Classification>,
    /// Light at `now`.
    pub light: Option<Light>,
    pub now: Timestamp,
    /// The earliest open due time is at or before / at or after.
    pub due_before: Option<Timestamp>,
    pub due_after: Option<Timestamp>,
    pub deadline_before: Option<Date>,
    pub deadline_after: Option<Date>,
    /// Words in the number, title or text.
    pub text: Option<String>,
    pub sort: TaskSort,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

/// Who is looking at tasks, for scoping lists (issue 5 §1): the units whose tasks they see (as
/// lead or cooperating unit, directly or through a group), or every unit. 涉密 tasks are seen
/// only by the people named on them (leader in charge, responsible person), whatever the units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audience {
    pub person: PersonId,
    pub all_units: bool,
    pub units: Vec<UnitId>,
}

impl Audience {
    /// Whether this audience sees a task; `members` gives each group's units.
    pub fn sees(&self, task: &duban_domain::task::Task, members: &HashMap<i64, Vec<UnitId>>) -> bool {
        use duban_domain::task::Party;
        let f = &task.fields;
        if f.leader_id == Some(self.person) || f.responsible_person_id == Some(self.person) {
            return true;
        }
        if f.classification == Classification::Secret {
            return false;
        }
        self.all_units
            || f.lead.iter().chain(&f.cooperating).any(|p| match p {
                Party::Unit(u) => self.units.contains(u),
                Party::Group(g) => members.get(&g.0).is_some_and(|m| m.iter().any(|u| self.units.contains(u))),
            })
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

/// The statuses of closed or paused tasks, as written in SQL; the partial index on open tasks'
/// due times uses exactly this predicate.
pub const OPEN_PREDICATE: &str = "status NOT IN ('closed', 'suspended', 'cancelled')";

/// What checking the event chain found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    /// Events checked.
    pub events: u64,
    /// Events written before the chain existed (they lead the table and carry no hash).
    pub unsealed: u64,
    /// The first link that does not hold, if any.
    pub broken: Option<BrokenLink>,
}

/// Where the chain breaks, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenLink {
    pub event_id: Option<EventId>,
    pub task_id: Option<TaskId>,
    pub reason: String,
}

/// A 督办 notice to issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotice {
    /// What makes it unique (task, stage, due date, round): a second issue is a no-op.
    pub dedup_key: String,
    pub task_id: TaskId,
    pub stage: String,
    /// 1 for the first supervision of a stage, 2 for the second.
    pub round: i64,
    pub issued_at: Timestamp,
    pub answer_by: Date,
}

/// Stands for a notice's number in the event data and the messages of a [`Supervision`]: the
/// number is given out inside the transaction that records it.
pub const NUMBER: &str = "{number}";

/// A 督办 with everything that goes with it: its trail event, its messages (to the unit and the
/// leader in charge) and any naming candidates. Recorded in one transaction, so a pass that stops
/// midway leaves either all of it or none, and the next pass issues whatever is missing.
#[derive(Debug, Clone, PartialEq)]
pub struct Supervision {
    pub notice: NewNotice,
    pub event: NewEvent,
    pub messages: Vec<NewMessage>,
    pub naming: Vec<NewNaming>,
}

/// One event of a task's trail, without its data: what the supervision engine reads to see
/// whether a unit has acted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    pub task_id: TaskId,
    pub kind: String,
    pub at: Timestamp,
}

/// The notices and activity of a range of tasks, read in two queries per batch.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SupervisionRecords {
    pub notices: Vec<Notice>,
    pub activity: Vec<Activity>,
}

/// A 督办 notice (督办单), numbered 督〔YYYY〕N号.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    pub id: i64,
    pub number: String,
    pub task_id: TaskId,
    pub stage: String,
    pub round: i64,
    pub issued_at: Timestamp,
    pub answer_by: Date,
    pub answered_at: Option<Timestamp>,
}

/// A message to deliver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewMessage {
    pub dedup_key: String,
    /// remind / cadence / supervise / escalate.
    pub kind: String,
    /// inbox / email / sms.
    pub channel: String,
    pub person_id: Option<PersonId>,
    /// The e-mail address or phone number; empty for the in-app inbox.
    pub address: String,
    pub task_id: Option<TaskId>,
    pub subject: String,
    pub body: String,
    pub created_at: Timestamp,
    /// Not before this instant (working hours); urgent messages go at once.
    pub not_before: Timestamp,
}

/// A message and its delivery state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub id: i64,
    #[serde(flatten)]
    pub message: NewMessage,
    pub attempts: i64,
    pub next_attempt_at: Timestamp,
    /// pending / sent / failed.
    pub status: String,
    pub last_error: String,
    pub delivered_at: Option<Timestamp>,
}

/// What became of one delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Sent {
        at: Timestamp,
    },
    /// Tried again at `retry_at`, or given up when `None`.
    Failed {
        error: String,
        retry_at: Option<Timestamp>,
    },
}

/// A unit and person to be named in the next bulletin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewNaming {
    pub dedup_key: String,
    pub task_id: TaskId,
    pub unit_id: Option<UnitId>,
    pub person_id: Option<PersonId>,
    pub created_at: Timestamp,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Naming {
    pub id: i64,
    #[serde(flatten)]
    pub naming: NewNaming,
}

/// A file to attach to a task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttachment {
    pub task_id: TaskId,
    pub name: String,
    pub content_type: String,
    pub data: Vec<u8>,
    pub uploaded_by: Option<PersonId>,
    pub uploaded_at: Timestamp,
}

/// A stored attachment, without its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attachment {
    pub id: i64,
    pub task_id: TaskId,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    /// Hex SHA-256 of the content; also in the task's trail.
    pub sha256: String,
    pub uploaded_by: Option<PersonId>,
    pub uploaded_at: Timestamp,
}

/// A person's password and sign-in state.
#[derive(Clone, PartialEq, Eq)]
pub struct Credential {
    pub person: Person,
    /// argon2id, as a PHC string.
    pub password_hash: String,
    /// Failed attempts in a row.
    pub failures: i64,
    /// No attempt is taken before this instant.
    pub locked_until: Option<Timestamp>,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("person", &self.person.id)
            .field("password_hash", &"<redacted>")
            .field("failures", &self.failures)
            .field("locked_until", &self.locked_until)
            .finish()
    }
}

/// A signed-in session; only the SHA-256 of its token is stored.
#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    pub token_hash: String,
    pub person_id: PersonId,
    /// The token forms must carry (CSRF).
    pub csrf: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("person_id", &self.person_id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}
