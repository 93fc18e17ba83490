//! The shapes that cross the storage interface, beyond the domain's own types.

use duban_domain::ids::{EventId, GroupId, LedgerId, PersonId, TaskId, UnitId};
use duban_domain::org::Person;
use duban_domain::policy::ClockEvent;
use duban_domain::task::{Classification, Light, NewTask, Source, Status};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a name resolves to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewLedger {
    pub name: String,
    /// 文号, e.g. 奈政字〔2025〕43号.
    pub doc_number: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub issued: Option<Date>,
    pub issuer: String,
    pub source: Source,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ledger {
    pub id: LedgerId,
    #[serde(flatten)]
    pub fields: NewLedger,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskEvent {
    pub id: EventId,
    pub task_id: TaskId,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
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
    /// Only open tasks with a 督办 notice not yet answered: no progress in the trail since the
    /// notice was issued (督办待回复; the rule of [`duban_domain::event::EventKind::PROGRESS`]).
    pub unanswered: bool,
    pub sort: TaskSort,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

/// Who is looking at tasks, for scoping lists: the one rule of [`duban_domain::visibility`], so
/// the SQL filter and the in-memory check are built from the same value.
pub use duban_domain::visibility::Audience;

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

impl<T> Page<T> {
    /// How many pages the whole list fills; at least one, so an empty list has a first page.
    pub fn pages(&self) -> u32 {
        pages_of(self.total, self.per_page)
    }

    /// The same page with each item turned into something else.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            page: self.page,
            per_page: self.per_page,
        }
    }
}

/// How many pages of `per_page` items `total` items fill; at least one.
pub fn pages_of(total: u64, per_page: u32) -> u32 {
    u32::try_from(total.div_ceil(u64::from(per_page.max(1)))).unwrap_or(u32::MAX).max(1)
}

/// Which page of a list to read: the one rule of list paging. Pages count from 1 (0 reads the
/// first), and a page holds 1 to [`PageWindow::MAX_PER_PAGE`] items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageWindow {
    pub page: u32,
    pub per_page: u32,
}

impl PageWindow {
    /// The most items one page holds.
    pub const MAX_PER_PAGE: u32 = 500;

    /// The window a request asks for, brought within bounds.
    pub fn new(page: u32, per_page: u32) -> Self {
        Self { page: page.max(1), per_page: per_page.clamp(1, Self::MAX_PER_PAGE) }
    }

    /// How many items come before this page (SQL's `OFFSET`).
    pub fn offset(self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }

    /// This window's items of a list of `total`, as a page.
    pub fn page<T>(self, items: Vec<T>, total: u64) -> Page<T> {
        Page { items, total, page: self.page, per_page: self.per_page }
    }
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

/// A change to the administration (users, units, groups, rules, calendar) for the audit log:
/// who, when, what, before and after. Never a password or a password hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewAdminEvent {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    /// The administrator who made the change; `None` for the command line.
    pub actor_id: Option<PersonId>,
    /// Who, as shown in the log: 「张三（zhangsan）」 or 「命令行」.
    pub actor: String,
    /// One of [`admin_kind`].
    pub kind: String,
    /// What was changed, e.g. 「单位 12 旗发改委」.
    pub target: String,
    /// `{"before": …, "after": …}` (either may be absent).
    pub data: serde_json::Value,
}

/// A recorded administrative change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminEvent {
    pub id: i64,
    #[serde(flatten)]
    pub fields: NewAdminEvent,
}

/// The kinds of administrative change, as stored.
pub mod admin_kind {
    pub const USER_ADD: &str = "user.add";
    pub const USER_UPDATE: &str = "user.update";
    pub const USER_PASSWORD: &str = "user.password";
    pub const USER_DEACTIVATE: &str = "user.deactivate";
    pub const UNIT_ADD: &str = "unit.add";
    pub const UNIT_UPDATE: &str = "unit.update";
    pub const UNIT_DELETE: &str = "unit.delete";
    /// A name of an imported document mapped to a unit by the office: one more alias.
    pub const UNIT_ALIAS: &str = "unit.alias";
    pub const DIRECTORY_IMPORT: &str = "directory.import";
    pub const RULES_SAVE: &str = "rules.save";
    pub const RULES_RESET: &str = "rules.reset";
    pub const CALENDAR_IMPORT: &str = "calendar.import";
    /// A fact of the assessment excused (容错) or the excuse withdrawn.
    pub const ASSESSMENT_TOLERANCE: &str = "assessment.tolerance";
    /// A scoring profile saved or reset.
    pub const SCORING_SAVE: &str = "scoring.save";
    /// A ranking issued (frozen) or revised.
    pub const RANKING_ISSUE: &str = "ranking.issue";
    /// An objection (申诉) filed or decided.
    pub const OBJECTION_FILE: &str = "objection.file";
    pub const OBJECTION_DECIDE: &str = "objection.decide";
    /// A leader's evaluation of a unit recorded or withdrawn.
    pub const EVALUATION: &str = "evaluation";
    /// The document-error ledger (公文错情) changed.
    pub const DOCUMENT_ERROR: &str = "document_error";
    /// A monthly bulletin drafted, edited or issued.
    pub const BULLETIN_DRAFT: &str = "bulletin.draft";
    pub const BULLETIN_EDIT: &str = "bulletin.edit";
    pub const BULLETIN_ISSUE: &str = "bulletin.issue";

    /// The Chinese name of a kind, for the pages.
    pub fn label(kind: &str) -> &'static str {
        match kind {
            USER_ADD => "添加用户",
            USER_UPDATE => "修改用户（单位、角色）",
            USER_PASSWORD => "重设密码",
            USER_DEACTIVATE => "停用用户",
            UNIT_ADD => "添加单位",
            UNIT_UPDATE => "修改单位（名称、别名）",
            UNIT_DELETE => "删除单位",
            UNIT_ALIAS => "导入时将单位名称对应到已有单位（增加别名）",
            DIRECTORY_IMPORT => "导入单位名录（单位和单位组）",
            RULES_SAVE => "保存时限规则",
            RULES_RESET => "恢复配置文件中的规则",
            CALENDAR_IMPORT => "导入节假日数据",
            ASSESSMENT_TOLERANCE => "考核容错（不计分）或撤销容错",
            SCORING_SAVE => "保存考核评分规则",
            RANKING_ISSUE => "发布考核排名（冻结）或修订",
            OBJECTION_FILE => "单位对考核扣分提出申诉",
            OBJECTION_DECIDE => "处理考核申诉",
            EVALUATION => "领导评价单位工作",
            DOCUMENT_ERROR => "登记或撤销公文错情",
            BULLETIN_DRAFT => "生成月度通报草稿",
            BULLETIN_EDIT => "修改月度通报草稿",
            BULLETIN_ISSUE => "印发月度通报",
            _ => "其他",
        }
    }
}

/// How many rows the main tables hold (backups, restores and their checks).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub units: i64,
    pub people: i64,
    pub tasks: i64,
    pub task_events: i64,
    pub notices: i64,
    pub admin_events: i64,
}

impl Counts {
    /// Whether the database holds anything an administrator or a user put there.
    pub fn holds_data(&self) -> bool {
        self.units + self.people + self.tasks + self.task_events + self.notices + self.admin_events > 0
    }
}

/// Where the chain breaks, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenLink {
    pub event_id: Option<EventId>,
    pub task_id: Option<TaskId>,
    pub reason: String,
}

/// A walk along a hash chain in the order its links were written: the task trail and the
/// administrative log are checked by the same rules. Each link must name the hash of the one
/// before it and carry the hash of its own content; the kept head must match where the walk ends.
#[derive(Debug)]
pub struct ChainWalk {
    report: ChainReport,
    expected: String,
    sealed: i64,
    allow_unsealed: bool,
}

impl ChainWalk {
    /// A new walk. `allow_unsealed`: the chain may be led by links written before it existed
    /// (the task trail before migration 0003); the administrative log never is.
    pub fn new(allow_unsealed: bool) -> Self {
        Self {
            report: ChainReport { events: 0, unsealed: 0, broken: None },
            expected: String::new(),
            sealed: 0,
            allow_unsealed,
        }
    }

    /// Checks the next link: its id, the task it belongs to (if any), the hash it names as the
    /// one before it, its stored hash, and the hash its content gives again. False once the
    /// chain is broken (the walk then stops).
    pub fn link(&mut self, id: i64, task: Option<TaskId>, prev: &str, hash: &str, again: &str) -> bool {
        self.report.events += 1;
        let reason = if hash.is_empty() {
            if self.sealed == 0 && self.allow_unsealed {
                self.report.unsealed += 1;
                return true;
            }
            "链中出现没有哈希的记录"
        } else if prev != self.expected {
            "与前一条记录的链接不符（前面的记录被删除、插入或改动）"
        } else if again != hash {
            "记录内容与其哈希不符（记录被改动）"
        } else {
            self.expected = hash.to_string();
            self.sealed += 1;
            return true;
        };
        self.report.broken = Some(BrokenLink { event_id: Some(EventId(id)), task_id: task, reason: reason.into() });
        false
    }

    /// Whether a link has broken the chain.
    pub fn is_broken(&self) -> bool {
        self.report.broken.is_some()
    }

    /// The report, given the head and length the database keeps for the chain.
    pub fn finish(mut self, head: &str, length: i64) -> ChainReport {
        if self.report.broken.is_none() && (head != self.expected || length != self.sealed) {
            let sealed = self.sealed;
            self.report.broken = Some(BrokenLink {
                event_id: None,
                task_id: None,
                reason: format!("链尾不符：记录了 {length} 条，现有 {sealed} 条（最后的记录被删除或改动）"),
            });
        }
        self.report
    }
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
    /// The day it is issued, in the office's time zone: its number is one of that day's year
    /// ([`duban_domain::notice::year_of`]).
    pub issued_on: Date,
    pub answer_by: Date,
    /// The units it is addressed to (主送).
    pub recipients: Vec<UnitId>,
    /// The office's instruction (empty for a notice of the pass).
    pub text: String,
}

/// Stands for a notice's number in the event data and the messages of a [`Supervision`]: the
/// number is given out inside the transaction that records it (the domain's placeholder).
pub use duban_domain::notice::NUMBER;

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
    /// The units it is addressed to (主送); empty for a notice issued before they were kept.
    pub recipients: Vec<UnitId>,
    /// The office's instruction (empty for a notice of the pass).
    pub text: String,
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
    /// When its recipient marked an in-app message read; `None` while unread.
    pub read_at: Option<Timestamp>,
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attachment {
    pub id: i64,
    pub task_id: TaskId,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    /// Hex SHA-256 of the content; also in the task's trail.
    pub sha256: String,
    pub uploaded_by: Option<PersonId>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_windows_stay_within_bounds() {
        assert_eq!(PageWindow::new(0, 0), PageWindow { page: 1, per_page: 1 });
        assert_eq!(PageWindow::new(3, 10_000), PageWindow { page: 3, per_page: 500 });
        assert_eq!(PageWindow::new(3, 20).offset(), 40);
        assert_eq!(PageWindow::new(1, 20).offset(), 0);
        let p = PageWindow::new(2, 20).page(vec![1, 2], 41);
        assert_eq!((p.page, p.per_page, p.total, p.pages()), (2, 20, 41, 3));
        assert_eq!(p.map(|i| i * 10).items, vec![10, 20]);
        assert_eq!(pages_of(0, 20), 1);
        assert_eq!(pages_of(40, 20), 2);
        assert_eq!(pages_of(5, 0), 5);
    }
}
