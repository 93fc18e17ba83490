//! The task ledger's vocabulary and the task itself (REQUIREMENTS §2).
//!
//! A task is parsed at the edge into a [`NewTask`] whose fields are already checked; storage and
//! the server never see an unchecked title or an empty unit list by accident.

use crate::facts::{ClockEvent, TaskFacts};
pub use crate::facts::{Complexity, Priority, Source};
use crate::ids::{GroupId, LedgerId, PersonId, TaskId, UnitId};
use crate::{Error, vocabulary};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

vocabulary!(
    /// 公开 / 内部 / 涉密. A 涉密 task never leaves its audience.
    Classification, "classification" {
        Public = "public" / "公开",
        Internal = "internal" / "内部",
        Secret = "secret" / "涉密",
    }
);

vocabulary!(
    /// Where a task stands in the closed loop (REQUIREMENTS §5).
    Status, "status" {
        Assigned = "assigned" / "交办" | "待签收",
        Signed = "signed" / "签收" | "已签收",
        Deployed = "deployed" / "部署" | "已部署",
        InProgress = "in_progress" / "办理" | "办理中",
        Feedback = "feedback" / "反馈" | "待审核",
        /// Feedback after a 督办, submitted by an officer and waiting for the unit head's approval
        /// before it reaches the office (001 §10).
        HeadApproval = "head_approval" / "单位审批" | "待单位审批",
        Closed = "closed" / "办结" | "销号",
        Returned = "returned" / "退回",
        Extension = "extension" / "延期申请",
        Disputed = "disputed" / "争议",
        Suspended = "suspended" / "中止",
        Cancelled = "cancelled" / "撤销",
    }
);

// The enum is declared by `vocabulary!`, whose derive list is fixed.
#[allow(clippy::derivable_impls)]
impl Default for Status {
    fn default() -> Self {
        Status::Assigned
    }
}

impl Status {
    /// The state a task is in, as the ledger, the export and the API name it (待签收, 办理中,
    /// 待审核, 已销号 …): [`Status::label`] names the step (交办, 办理, 反馈), which reads as a verb
    /// in a column of states. Closed is 已销号, the word of the documents (000 二(五)4 "完成销号",
    /// REQUIREMENTS §5 "办结 / 销号").
    pub fn state_name(self) -> &'static str {
        match self {
            Status::Assigned => "待签收",
            Status::Signed => "已签收",
            Status::Deployed => "已部署",
            Status::InProgress => "办理中",
            Status::Feedback => "待审核",
            Status::HeadApproval => "待单位审批",
            Status::Closed => "已销号",
            Status::Returned => "已退回",
            Status::Extension => "延期审批中",
            Status::Disputed => "争议待裁定",
            Status::Suspended => "已中止",
            Status::Cancelled => "已撤销",
        }
    }

    /// Whether the task still needs work (and so has lights and reminders).
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Closed | Status::Suspended | Status::Cancelled)
    }
}

vocabulary!(
    /// The warning light of an open stage or task.
    Light, "light" {
        Green = "green" / "绿" | "绿灯",
        Yellow = "yellow" / "黄" | "黄灯",
        Red = "red" / "红" | "红灯",
    }
);

/// A unit or a group of units that carries a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Party {
    Unit(UnitId),
    Group(GroupId),
}

/// A dated intermediate goal (节点目标), e.g. "4月底前完成70%".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Milestone {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due: Date,
    pub text: String,
}

/// A checked task, ready to store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewTask {
    pub ledger_id: Option<LedgerId>,
    pub parent_id: Option<TaskId>,
    pub number: String,
    pub title: String,
    pub text: String,
    /// Where it sits in its document: the section headings, joined by " / ".
    #[serde(default)]
    pub section: String,
    pub source: Source,
    pub lead: Vec<Party>,
    pub cooperating: Vec<Party>,
    pub leader_id: Option<PersonId>,
    pub responsible_person_id: Option<PersonId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub deadline: Option<Date>,
    pub milestones: Vec<Milestone>,
    pub targets: Vec<String>,
    pub work_standard: String,
    pub priority: Priority,
    pub complexity: Complexity,
    pub classification: Classification,
    /// When the task was assigned; the clock of most rules starts here.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub received_at: Timestamp,
}

/// The unchecked shape of a task as it arrives from the API or a file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskInput {
    pub ledger_id: Option<LedgerId>,
    pub parent_id: Option<TaskId>,
    pub number: Option<String>,
    pub title: Option<String>,
    pub text: Option<String>,
    pub section: Option<String>,
    pub source: Option<String>,
    pub lead: Vec<Party>,
    pub cooperating: Vec<Party>,
    pub leader_id: Option<PersonId>,
    pub responsible_person_id: Option<PersonId>,
    pub deadline: Option<String>,
    #[cfg_attr(feature = "openapi", schema(default = json!([])))]
    pub milestones: Vec<MilestoneInput>,
    pub targets: Vec<String>,
    pub work_standard: Option<String>,
    pub priority: Option<String>,
    pub complexity: Option<String>,
    pub classification: Option<String>,
    pub received_at: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MilestoneInput {
    pub due: String,
    #[serde(default)]
    pub text: String,
}

pub const MAX_TITLE_CHARS: usize = 500;
pub const MAX_TEXT_CHARS: usize = 20_000;
pub const MAX_NUMBER_CHARS: usize = 40;
/// Reasons and comments given with an action or a withdrawal (办理情况, 退回理由, 撤销原因 …).
pub const MAX_COMMENT_CHARS: usize = 5_000;
/// Milestones (节点目标) of one task.
pub const MAX_MILESTONES: usize = 50;
/// Quantified targets (量化指标) of one task, each at most [`MAX_TITLE_CHARS`] long.
pub const MAX_TARGETS: usize = 50;
/// Lead or cooperating units and groups of one task (the directory of seed 003 has 87 units).
pub const MAX_PARTIES: usize = 200;
/// The first and last year a task's dates (received, deadline, milestones, a new deadline) may
/// fall in. The built-in calendar covers 2015–2026 and administrators import later years, so
/// this leaves a wide margin either side while keeping year 0000 or 9999 out: such a date would
/// stretch every timeline (the battle map draws one tick per month) to thousands of years.
pub const FIRST_YEAR: i16 = 2000;
pub const LAST_YEAR: i16 = 2100;

/// A task's number as a ledger prints it: the trailing stop of an item number dropped (12. →
/// 12, 3、 → 3) and an annex set off by a dash (附件10 12. → 附件10-12), so that 附件10's item
/// 12 never reads 附件1012. The stored number (the key a re-import matches) is unchanged.
pub fn display_number(n: &str) -> String {
    let n = n.trim();
    let n = n.trim_end_matches(['.', '．', '、']);
    match n.strip_prefix("附件") {
        Some(rest) => {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            let tail = rest[digits.len()..].trim_start();
            if digits.is_empty() || tail.is_empty() { n.to_string() } else { format!("附件{digits}-{tail}") }
        }
        None => n.to_string(),
    }
}

/// Parses a date written `YYYY-MM-DD`.
pub fn parse_date(field: &str, s: &str) -> Result<Date, Error> {
    s.trim().parse().map_err(|_| Error::invalid(field, format!("日期“{s}”格式不对，应为 YYYY-MM-DD")))
}

/// Checks that a task's date lies within [`FIRST_YEAR`]–[`LAST_YEAR`].
pub fn check_task_date(field: &str, d: Date) -> Result<Date, Error> {
    if (FIRST_YEAR..=LAST_YEAR).contains(&d.year()) {
        Ok(d)
    } else {
        Err(Error::invalid(field, format!("日期 {d} 超出允许范围（{FIRST_YEAR}–{LAST_YEAR} 年）")))
    }
}

/// Parses a task's date: `YYYY-MM-DD` within [`FIRST_YEAR`]–[`LAST_YEAR`].
pub fn parse_task_date(field: &str, s: &str) -> Result<Date, Error> {
    check_task_date(field, parse_date(field, s)?)
}

/// Checks a free-text field's length (reasons, comments), counted in characters.
pub fn check_length(field: &str, label: &str, v: &str, max: usize) -> Result<(), Error> {
    if v.chars().count() > max {
        return Err(Error::invalid(field, format!("{label}过长（最多 {max} 字）")));
    }
    Ok(())
}

fn check_count(field: &str, label: &str, n: usize, max: usize) -> Result<(), Error> {
    if n > max {
        return Err(Error::invalid(field, format!("{label}过多（最多 {max} 个）")));
    }
    Ok(())
}

fn check_targets(targets: Vec<String>) -> Result<Vec<String>, Error> {
    let targets: Vec<String> = targets.into_iter().map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect();
    check_count("targets", "量化指标", targets.len(), MAX_TARGETS)?;
    for t in &targets {
        check_length("targets", "量化指标", t, MAX_TITLE_CHARS)?;
    }
    Ok(targets)
}

/// Checks the number of lead or cooperating units and groups.
pub fn check_parties(field: &str, label: &str, v: &[Party]) -> Result<(), Error> {
    check_count(field, label, v.len(), MAX_PARTIES)
}

/// Parses an instant: RFC 3339 (`2026-02-13T16:00:00+08:00`), or a local Beijing time
/// `2026-02-13T16:00` / `2026-02-13 16:00`, or a bare date (start of that day).
pub fn parse_instant(field: &str, s: &str, tz: &jiff::tz::TimeZone) -> Result<Timestamp, Error> {
    let t = s.trim();
    if let Ok(ts) = t.parse::<Timestamp>() {
        return Ok(ts);
    }
    let bad = || Error::invalid(field, format!("时间“{s}”格式不对，应为 YYYY-MM-DDTHH:MM"));
    let dt = t
        .replace(' ', "T")
        .parse::<jiff::civil::DateTime>()
        .or_else(|_| t.parse::<Date>().map(|d| d.to_datetime(jiff::civil::Time::midnight())))
        .map_err(|_| bad())?;
    dt.to_zoned(tz.clone()).map(|z| z.timestamp()).map_err(|_| bad())
}

fn text_field(field: &str, label: &str, v: Option<String>, max: usize, required: bool) -> Result<String, Error> {
    let v = v.unwrap_or_default().trim().to_string();
    if required && v.is_empty() {
        return Err(Error::invalid(field, format!("{label}不能为空")));
    }
    check_length(field, label, &v, max)?;
    Ok(v)
}

impl TaskInput {
    /// Checks every field and gives a [`NewTask`], or the first problem found.
    /// `now` is used when no reception time is given.
    pub fn parse(self, now: Timestamp, tz: &jiff::tz::TimeZone) -> Result<NewTask, Error> {
        let title = text_field("title", "任务名称", self.title, MAX_TITLE_CHARS, true)?;
        let text = text_field("text", "任务内容", self.text, MAX_TEXT_CHARS, false)?;
        let number = text_field("number", "序号", self.number, MAX_NUMBER_CHARS, false)?;
        let section = text_field("section", "所属章节", self.section, MAX_TITLE_CHARS, false)?;
        let work_standard = text_field("work_standard", "工作标准", self.work_standard, MAX_TEXT_CHARS, false)?;
        let pick = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
        let source = pick(self.source).map(|s| s.parse()).transpose()?.unwrap_or(Source::Other);
        let priority = pick(self.priority).map(|s| s.parse()).transpose()?.unwrap_or(Priority::Routine);
        let complexity = pick(self.complexity).map(|s| s.parse()).transpose()?.unwrap_or(Complexity::General);
        let classification =
            pick(self.classification).map(|s| s.parse()).transpose()?.unwrap_or(Classification::Internal);
        // A deadline is a date or absent (null): a blank one is a mistake, not "no deadline".
        let deadline = self.deadline.map(|s| parse_task_date("deadline", &s)).transpose()?;
        let received_at = match pick(self.received_at) {
            Some(s) => {
                let t = parse_instant("received_at", &s, tz)?;
                check_task_date("received_at", t.to_zoned(tz.clone()).date())?;
                t
            }
            None => now,
        };
        check_count("milestones", "节点目标", self.milestones.len(), MAX_MILESTONES)?;
        check_parties("lead", "牵头单位", &self.lead)?;
        check_parties("cooperating", "配合单位", &self.cooperating)?;
        let mut milestones = Vec::with_capacity(self.milestones.len());
        for m in self.milestones {
            milestones.push(Milestone {
                due: parse_task_date("milestones", &m.due)?,
                text: text_field("milestones", "节点目标", Some(m.text), MAX_TITLE_CHARS, false)?,
            });
        }
        milestones.sort_by_key(|m| m.due);
        let mut lead = self.lead;
        dedup_keep_order(&mut lead);
        let mut cooperating = self.cooperating;
        cooperating.retain(|p| !lead.contains(p));
        dedup_keep_order(&mut cooperating);
        let targets = check_targets(self.targets)?;
        Ok(NewTask {
            ledger_id: self.ledger_id,
            parent_id: self.parent_id,
            number,
            title,
            text,
            section,
            source,
            lead,
            cooperating,
            leader_id: self.leader_id,
            responsible_person_id: self.responsible_person_id,
            deadline,
            milestones,
            targets,
            work_standard,
            priority,
            complexity,
            classification,
            received_at,
        })
    }
}

fn dedup_keep_order<T: PartialEq + Copy>(v: &mut Vec<T>) {
    let mut seen: Vec<T> = Vec::with_capacity(v.len());
    v.retain(|x| {
        if seen.contains(x) {
            false
        } else {
            seen.push(*x);
            true
        }
    });
}

/// A stored task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Task {
    pub id: TaskId,
    #[serde(flatten)]
    pub fields: NewTask,
    pub status: Status,
    /// When each clock event first happened (signed, deployed, done …); `received` is always set.
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, String>))]
    pub events: BTreeMap<ClockEvent, Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
    /// Incremented on every write; a write must name the version it read (optimistic locking).
    pub version: i64,
}

/// Something about a task that a person should confirm (REQUIREMENTS §2, issue 3 §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TaskWarning {
    /// "一个事项原则上只确定一个牵头单位" (000 二(五)1).
    MultipleLeads,
    NoLead,
    NoDeadline,
}

impl TaskWarning {
    pub fn message(self) -> &'static str {
        match self {
            Self::MultipleLeads => "牵头单位多于一个（原则上只确定一个牵头单位）",
            Self::NoLead => "没有牵头单位",
            Self::NoDeadline => "没有完成时限，按规则默认时限计算",
        }
    }
}

impl NewTask {
    /// The facts the time-limit rules look at.
    pub fn facts(&self) -> TaskFacts {
        TaskFacts { source: self.source, priority: self.priority, complexity: self.complexity, deadline: self.deadline }
    }

    /// The warnings this task carries.
    pub fn warnings(&self) -> Vec<TaskWarning> {
        let mut w = Vec::new();
        match self.lead.len() {
            0 => w.push(TaskWarning::NoLead),
            1 => {}
            _ => w.push(TaskWarning::MultipleLeads),
        }
        if self.deadline.is_none() {
            w.push(TaskWarning::NoDeadline);
        }
        w
    }
}

/// A change to a task's descriptive fields. `None` leaves a field as it is.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskPatch {
    pub number: Option<String>,
    pub title: Option<String>,
    pub text: Option<String>,
    pub section: Option<String>,
    pub source: Option<Source>,
    pub lead: Option<Vec<Party>>,
    pub cooperating: Option<Vec<Party>>,
    #[serde(deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub leader_id: Option<Option<PersonId>>,
    #[serde(deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub responsible_person_id: Option<Option<PersonId>>,
    #[serde(deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub deadline: Option<Option<Date>>,
    pub milestones: Option<Vec<Milestone>>,
    pub targets: Option<Vec<String>>,
    pub work_standard: Option<String>,
    pub priority: Option<Priority>,
    pub complexity: Option<Complexity>,
    pub classification: Option<Classification>,
    /// Why the change is made (原因), recorded in the trail with the fields before and after;
    /// not a field of the task. Optional through the API, required from the task page.
    pub reason: Option<String>,
}

/// Tells a field given as `null` (clear it: `Some(None)`) from a field left out (`None`).
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

impl TaskPatch {
    /// Applies the patch and re-checks the fields it touched. The status is not a field: it
    /// changes only through the lifecycle's transitions.
    pub fn apply(&self, t: &mut NewTask) -> Result<(), Error> {
        if let Some(v) = &self.number {
            t.number = text_field("number", "序号", Some(v.clone()), MAX_NUMBER_CHARS, false)?;
        }
        if let Some(v) = &self.title {
            t.title = text_field("title", "任务名称", Some(v.clone()), MAX_TITLE_CHARS, true)?;
        }
        if let Some(v) = &self.text {
            t.text = text_field("text", "任务内容", Some(v.clone()), MAX_TEXT_CHARS, false)?;
        }
        if let Some(v) = &self.section {
            t.section = text_field("section", "所属章节", Some(v.clone()), MAX_TITLE_CHARS, false)?;
        }
        if let Some(v) = &self.work_standard {
            t.work_standard = text_field("work_standard", "工作标准", Some(v.clone()), MAX_TEXT_CHARS, false)?;
        }
        if let Some(v) = self.source {
            // A 企业诉求 task is made with its demand and stays one: the demands list finds a
            // unit's demands among its tasks of that source.
            if (v == Source::Enterprise) != (t.source == Source::Enterprise) {
                return Err(Error::invalid("source", "企业诉求任务的来源不能修改，其他任务也不能改为企业诉求"));
            }
            t.source = v;
        }
        if let Some(v) = &self.lead {
            check_parties("lead", "牵头单位", v)?;
            t.lead = v.clone();
            dedup_keep_order(&mut t.lead);
        }
        if let Some(v) = &self.cooperating {
            check_parties("cooperating", "配合单位", v)?;
            t.cooperating = v.clone();
        }
        t.cooperating.retain(|p| !t.lead.contains(p));
        dedup_keep_order(&mut t.cooperating);
        if let Some(v) = self.leader_id {
            t.leader_id = v;
        }
        if let Some(v) = self.responsible_person_id {
            t.responsible_person_id = v;
        }
        if let Some(v) = self.deadline {
            t.deadline = v.map(|d| check_task_date("deadline", d)).transpose()?;
        }
        if let Some(v) = &self.milestones {
            check_count("milestones", "节点目标", v.len(), MAX_MILESTONES)?;
            let mut milestones = Vec::with_capacity(v.len());
            for m in v {
                milestones.push(Milestone {
                    due: check_task_date("milestones", m.due)?,
                    text: text_field("milestones", "节点目标", Some(m.text.clone()), MAX_TITLE_CHARS, false)?,
                });
            }
            milestones.sort_by_key(|m| m.due);
            t.milestones = milestones;
        }
        if let Some(v) = &self.targets {
            t.targets = check_targets(v.clone())?;
        }
        if let Some(v) = self.priority {
            t.priority = v;
        }
        if let Some(v) = self.complexity {
            t.complexity = v;
        }
        if let Some(v) = self.classification {
            t.classification = v;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tz() -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get("Asia/Shanghai").unwrap()
    }

    #[test]
    fn numbers_print_cleanly() {
        assert_eq!(display_number("附件10 12."), "附件10-12");
        assert_eq!(display_number("附件1（一）"), "附件1-（一）");
        assert_eq!(display_number("12."), "12");
        assert_eq!(display_number(" 3、"), "3");
        assert_eq!(display_number("（三）"), "（三）");
        assert_eq!(display_number("1.①"), "1.①");
        assert_eq!(display_number("附件2"), "附件2");
        assert_eq!(display_number(""), "");
    }

    #[test]
    fn every_status_reads_as_a_state_and_closed_is_xiaohao() {
        for s in Status::ALL {
            let n = s.state_name();
            assert!(n.starts_with('已') || n.starts_with('待') || n.ends_with('中') || n == "争议待裁定", "{n}");
        }
        assert_eq!(Status::Closed.state_name(), "已销号");
        assert_eq!(Status::Assigned.state_name(), "待签收");
        assert_eq!(Status::Feedback.state_name(), "待审核");
        let names: std::collections::BTreeSet<_> = Status::ALL.iter().map(|s| s.state_name()).collect();
        assert_eq!(names.len(), Status::ALL.len());
    }

    #[test]
    fn vocabularies_accept_chinese_and_english_and_serialize_the_code() {
        assert_eq!("较复杂".parse::<Complexity>().unwrap(), Complexity::Complex);
        assert_eq!("complex".parse::<Complexity>().unwrap(), Complexity::Complex);
        assert_eq!("领导批示".parse::<Source>().unwrap(), Source::Instruction);
        assert_eq!(serde_json::to_string(&Priority::Critical).unwrap(), "\"critical\"");
        let e = "很复杂".parse::<Complexity>().unwrap_err();
        assert_eq!(e.code(), crate::ErrorCode::InvalidInput);
        assert!(e.to_string().contains("一般、较复杂、特别复杂、极特殊"), "{e}");
        for c in Complexity::ALL {
            assert_eq!(c.label().parse::<Complexity>().unwrap(), *c);
            assert_eq!(c.code().parse::<Complexity>().unwrap(), *c);
        }
    }

    #[test]
    fn a_task_input_is_checked_field_by_field() {
        let now: Timestamp = "2026-02-13T08:00:00Z".parse().unwrap();
        let input = TaskInput {
            title: Some("  优化企业开办服务 ".into()),
            lead: vec![Party::Unit(UnitId(1)), Party::Unit(UnitId(2)), Party::Unit(UnitId(1))],
            cooperating: vec![Party::Unit(UnitId(2)), Party::Unit(UnitId(3))],
            deadline: Some("2026-03-31".into()),
            complexity: Some("较复杂".into()),
            received_at: Some("2026-02-13T16:00".into()),
            ..Default::default()
        };
        let t = input.parse(now, &tz()).unwrap();
        assert_eq!(t.title, "优化企业开办服务");
        assert_eq!(t.lead, vec![Party::Unit(UnitId(1)), Party::Unit(UnitId(2))]);
        assert_eq!(t.cooperating, vec![Party::Unit(UnitId(3))]);
        assert_eq!(t.received_at, "2026-02-13T08:00:00Z".parse::<Timestamp>().unwrap());
        assert_eq!(t.warnings(), vec![TaskWarning::MultipleLeads]);

        let e = TaskInput { title: Some("   ".into()), ..Default::default() }.parse(now, &tz()).unwrap_err();
        assert_eq!(e, Error::invalid("title", "任务名称不能为空"));
        let e = TaskInput { title: Some("x".into()), deadline: Some("3月底".into()), ..Default::default() }
            .parse(now, &tz())
            .unwrap_err();
        assert!(matches!(e, Error::Invalid { ref field, .. } if field == "deadline"));
        // A blank deadline is refused, not read as "none" (the document says a date or null).
        let e = TaskInput { title: Some("x".into()), deadline: Some(String::new()), ..Default::default() }
            .parse(now, &tz())
            .unwrap_err();
        assert!(matches!(e, Error::Invalid { ref field, .. } if field == "deadline"));
        let e = TaskInput { title: Some("x".repeat(501)), ..Default::default() }.parse(now, &tz()).unwrap_err();
        assert!(e.to_string().contains("过长"));
    }

    #[test]
    fn task_dates_counts_and_unknown_fields_are_bounded() {
        let now: Timestamp = "2026-02-13T08:00:00Z".parse().unwrap();
        let with = |json: &str| serde_json::from_str::<TaskInput>(json).map(|i| i.parse(now, &tz()));
        assert!(with(r#"{"title": "x", "deadline": "2100-12-31", "received_at": "2000-01-01"}"#).unwrap().is_ok());
        let e = with(r#"{"title": "x", "deadline": "9999-12-31"}"#).unwrap().unwrap_err();
        assert_eq!(e, Error::invalid("deadline", "日期 9999-12-31 超出允许范围（2000–2100 年）"));
        let e = with(r#"{"title": "x", "received_at": "1999-12-31T23:00"}"#).unwrap().unwrap_err();
        assert!(matches!(e, Error::Invalid { ref field, .. } if field == "received_at"), "{e}");
        let targets = format!(r#"{{"title": "x", "targets": [{}]}}"#, vec!["\"t\""; 51].join(","));
        assert_eq!(with(&targets).unwrap().unwrap_err(), Error::invalid("targets", "量化指标过多（最多 50 个）"));
        assert!(with(r#"{"title": "x", "status": "closed"}"#).is_err(), "an unknown field is refused");
        let mut t = with(r#"{"title": "x"}"#).unwrap().unwrap();
        let p: TaskPatch = serde_json::from_str(r#"{"milestones": [{"due": "0001-01-01", "text": "远"}]}"#).unwrap();
        assert!(matches!(p.apply(&mut t), Err(Error::Invalid { ref field, .. }) if field == "milestones"));
    }

    #[test]
    fn a_task_becomes_or_stops_being_an_enterprise_demand_only_with_its_demand() {
        let now: Timestamp = "2026-02-13T08:00:00Z".parse().unwrap();
        let parse = |json: &str| serde_json::from_str::<TaskInput>(json).unwrap().parse(now, &tz()).unwrap();
        let patch = |json: &str| serde_json::from_str::<TaskPatch>(json).unwrap();
        let mut meeting = parse(r#"{"title": "x", "source": "meeting"}"#);
        assert!(patch(r#"{"source": "instruction"}"#).apply(&mut meeting).is_ok());
        assert_eq!(meeting.source, Source::Instruction);
        let e = patch(r#"{"source": "enterprise"}"#).apply(&mut meeting).unwrap_err();
        assert!(matches!(e, Error::Invalid { ref field, .. } if field == "source"), "{e}");
        let mut demand = parse(r#"{"title": "x", "source": "enterprise"}"#);
        assert!(patch(r#"{"source": "enterprise", "title": "y"}"#).apply(&mut demand).is_ok());
        assert!(patch(r#"{"source": "meeting"}"#).apply(&mut demand).is_err());
        assert_eq!(demand.source, Source::Enterprise);
    }

    #[test]
    fn a_patch_tells_null_from_absent() {
        let p: TaskPatch = serde_json::from_str(r#"{"deadline": null, "title": "新"}"#).unwrap();
        assert_eq!(p.deadline, Some(None));
        assert_eq!(p.leader_id, None);
        let p: TaskPatch = serde_json::from_str(r#"{"deadline": "2026-03-31"}"#).unwrap();
        assert_eq!(p.deadline, Some(Some(jiff::civil::date(2026, 3, 31))));
        assert!(serde_json::from_str::<TaskPatch>(r#"{"status": "closed"}"#).is_err());
        assert!(serde_json::from_str::<TaskPatch>(r#"{"priority": "超级"}"#).is_err());
    }

    #[test]
    fn instants_parse_in_beijing_time() {
        let t = parse_instant("t", "2026-02-13 16:00", &tz()).unwrap();
        assert_eq!(t, "2026-02-13T08:00:00Z".parse::<Timestamp>().unwrap());
        let t = parse_instant("t", "2026-02-13", &tz()).unwrap();
        assert_eq!(t, "2026-02-12T16:00:00Z".parse::<Timestamp>().unwrap());
        assert!(parse_instant("t", "昨天", &tz()).is_err());
    }
}
