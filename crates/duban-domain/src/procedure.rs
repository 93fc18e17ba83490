//! Pre-procedures of key projects (项目前期手续; 003 附件4, issue 14 §4): the kinds of
//! procedure, a project's procedure with its responsible department and committed time limit
//! (承诺时限, in working days), its status, and the weekly dispatch (周调度) of 003 附件4 三(二).
//!
//! A started procedure is a task on the one engine (source
//! [`Procedure`](crate::facts::Source::Procedure)): its committed date, computed here on the
//! working-day calendar from the day it starts, is the task's deadline, so the supervision pass
//! reminds, lights, 督办s and escalates a department that misses it like any task. The status
//! is read from that task ([`ProcedureStatus::of`]); nothing here keeps a second copy of it.
//!
//! The built-in kinds are policy data (`policies/procedure-kinds.toml`); the seeds give no
//! default time limit for any (each is agreed per project in its 承诺书, 003 附件4 二(二)), so
//! the office enters each procedure's.

use crate::calendar::{Calendar, add_days};
use crate::ids::{ProjectId, UnitId};
use crate::task::{Light, Status};
use crate::{Error, vocabulary};
use jiff::Timestamp;
use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};

/// The built-in kinds, in the order a project goes through them.
pub const BUILTIN_KINDS_TOML: &str = include_str!("../policies/procedure-kinds.toml");

/// The longest committed time limit accepted, in working days (about a year).
pub const MAX_DAYS: u32 = 250;
/// The longest name of a kind.
pub const MAX_KIND_CHARS: usize = 40;
/// The longest note on a procedure.
pub const MAX_NOTE_CHARS: usize = 2_000;

/// A kind of procedure as policy data describes it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KindSpec {
    pub name: String,
    /// The committed time limit a new procedure of this kind starts from, when one is known.
    #[serde(default)]
    pub default_days: Option<u32>,
    #[serde(default)]
    pub note: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KindsFile {
    kind: Vec<KindSpec>,
}

/// Parses a kinds file (`[[kind]] name = "立项" default_days = 5`), checking every kind.
pub fn parse_kinds(text: &str) -> Result<Vec<KindSpec>, Error> {
    let file: KindsFile =
        toml::from_str(text).map_err(|e| Error::invalid("kinds", format!("手续种类文件有误：{}", e.message())))?;
    let mut seen = std::collections::HashSet::new();
    for k in &file.kind {
        check_kind(&k.name, k.default_days)?;
        if !seen.insert(k.name.trim()) {
            return Err(Error::invalid("kinds", format!("手续种类“{}”重复", k.name)));
        }
    }
    Ok(file.kind)
}

/// The built-in kinds (立项, 选址, 用地预审, 规划许可, 环评, 能评, 施工许可).
pub fn builtin_kinds() -> Result<Vec<KindSpec>, Error> {
    parse_kinds(BUILTIN_KINDS_TOML)
}

/// Checks a kind's name and default time limit.
pub fn check_kind(name: &str, default_days: Option<u32>) -> Result<(), Error> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::invalid("name", "请填写手续名称"));
    }
    if name.chars().count() > MAX_KIND_CHARS || name.chars().any(char::is_control) {
        return Err(Error::invalid("name", format!("手续名称须为不超过 {MAX_KIND_CHARS} 字的一行文字")));
    }
    if let Some(d) = default_days {
        check_days(d)?;
    }
    Ok(())
}

fn check_days(days: u32) -> Result<(), Error> {
    if days == 0 || days > MAX_DAYS {
        return Err(Error::invalid("days", format!("承诺时限须为 1–{MAX_DAYS} 个工作日")));
    }
    Ok(())
}

/// A kind of procedure as stored: the built-in ones and those the office adds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProcedureKind {
    pub id: i64,
    pub name: String,
    pub default_days: Option<u32>,
    pub note: String,
    pub builtin: bool,
    /// Columns of the battle map follow this order.
    pub position: i64,
}

vocabulary!(
    /// Where a procedure stands: read from its task.
    ProcedureStatus, "procedure status" {
        /// Added, not started: no task yet.
        NotStarted = "not_started" / "未启动",
        /// Started: its task is open.
        InProgress = "in_progress" / "办理中",
        /// Its task was approved as done (办结) through the lifecycle.
        Done = "done" / "已办结",
        /// Its task was withdrawn (撤销).
        Withdrawn = "withdrawn" / "已撤销",
    }
);

impl ProcedureStatus {
    /// The status of a procedure whose task is in `task` (none when not started).
    pub fn of(task: Option<Status>) -> Self {
        match task {
            None => Self::NotStarted,
            Some(Status::Closed) => Self::Done,
            Some(Status::Cancelled) => Self::Withdrawn,
            Some(_) => Self::InProgress,
        }
    }
}

/// The light of a procedure's task from the two instants stored with it ([`crate::schedule::light_at`]):
/// none once it is no longer open.
pub fn light_of(
    status: Option<Status>,
    due_at: Option<Timestamp>,
    warn_at: Option<Timestamp>,
    now: Timestamp,
) -> Option<Light> {
    let open = status.is_some_and(|s| s.is_open());
    open.then(|| due_at.map_or(Light::Green, |d| crate::schedule::light_at(now, d, warn_at)))
}

/// The committed date (承诺办结日期) of a procedure started on `start` with a time limit of
/// `days` working days: the `days`-th working day after `start` on the calendar in force.
pub fn committed_date(calendar: &Calendar, start: Date, days: u32) -> Result<Date, Error> {
    check_days(days)?;
    let n = i32::try_from(days).map_err(|_| Error::invalid("days", "承诺时限过长"))?;
    calendar
        .add_workdays(start, n)
        .map(|r| r.value)
        .map_err(|e| Error::invalid("started_on", format!("无法按工作日推算承诺日期：{e}")))
}

/// A procedure as the office adds it to a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewProcedure {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub project_id: ProjectId,
    pub kind_id: i64,
    /// The responsible department (责任部门): the task's lead unit.
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub unit_id: UnitId,
    /// The committed time limit (承诺时限) in working days.
    pub days: u32,
    pub note: String,
}

/// A procedure as stored. Its status, light and finish are its task's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Procedure {
    pub id: i64,
    #[serde(flatten)]
    pub fields: NewProcedure,
    /// The task started for it; none until it starts.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub task_id: Option<crate::ids::TaskId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub started_on: Option<Date>,
    /// [`committed_date`] of `started_on`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub committed_on: Option<Date>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
}

/// A procedure as it arrives from a form or the API.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProcedureInput {
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub project_id: Option<ProjectId>,
    pub kind_id: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub unit_id: Option<UnitId>,
    /// Working days; when absent, the kind's default (if it has one).
    pub days: Option<u32>,
    pub note: Option<String>,
}

impl ProcedureInput {
    /// Checks the input; `default_days` is the kind's default time limit.
    pub fn parse(self, default_days: Option<u32>) -> Result<NewProcedure, Error> {
        let project_id = self.project_id.ok_or_else(|| Error::invalid("project_id", "请选择项目"))?;
        let kind_id = self.kind_id.ok_or_else(|| Error::invalid("kind_id", "请选择手续种类"))?;
        let unit_id = self.unit_id.ok_or_else(|| Error::invalid("unit_id", "请选择责任部门"))?;
        let days = self
            .days
            .or(default_days)
            .ok_or_else(|| Error::invalid("days", "请填写承诺时限（工作日）：该手续种类没有默认时限"))?;
        check_days(days)?;
        let note = self.note.unwrap_or_default().trim().to_string();
        if note.chars().count() > MAX_NOTE_CHARS {
            return Err(Error::invalid("note", format!("备注不超过 {MAX_NOTE_CHARS} 字")));
        }
        Ok(NewProcedure { project_id, kind_id, unit_id, days, note })
    }
}

/// The week (Monday to Sunday) that holds `d`.
pub fn week_of(d: Date) -> Result<(Date, Date), Error> {
    let back = i32::from(d.weekday().to_monday_zero_offset());
    let bad = |_| Error::invalid("week", "日期超出范围");
    let monday = add_days(d, -back).map_err(bad)?;
    let sunday = add_days(monday, 6).map_err(bad)?;
    debug_assert_eq!(monday.weekday(), Weekday::Monday);
    Ok((monday, sunday))
}

/// Where a procedure stands in a week's dispatch (周调度, 003 附件4 三(二)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DispatchLine {
    /// Open, committed to finish within the week.
    DueThisWeek,
    /// Open, past its committed date before the week ends.
    Overdue,
    /// Finished within the week.
    FinishedThisWeek,
}

impl DispatchLine {
    pub fn label(self) -> &'static str {
        match self {
            Self::DueThisWeek => "本周到期",
            Self::Overdue => "逾期未办结",
            Self::FinishedThisWeek => "本周办结",
        }
    }
}

/// Which part of the dispatch of the week `week` (Monday, Sunday) a procedure belongs in, if
/// any, as it stands on `today` (its status is today's): an open one whose committed date has
/// passed by `today` and falls on or before the week's Sunday is overdue; an open one committed
/// within the week and not yet past is due this week; one finished within the week is finished.
pub fn dispatch_line(
    status: ProcedureStatus,
    committed_on: Option<Date>,
    finished_on: Option<Date>,
    week: (Date, Date),
    today: Date,
) -> Option<DispatchLine> {
    let (monday, sunday) = week;
    match status {
        ProcedureStatus::Done => {
            finished_on.filter(|f| *f >= monday && *f <= sunday).map(|_| DispatchLine::FinishedThisWeek)
        }
        ProcedureStatus::InProgress => {
            let due = committed_on?;
            if due < today && due <= sunday {
                Some(DispatchLine::Overdue)
            } else if due >= monday && due <= sunday {
                Some(DispatchLine::DueThisWeek)
            } else {
                None
            }
        }
        ProcedureStatus::NotStarted | ProcedureStatus::Withdrawn => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn the_builtin_kinds_are_the_seven_of_the_seeds_without_default_limits() {
        let kinds = builtin_kinds().unwrap();
        let names: Vec<_> = kinds.iter().map(|k| k.name.as_str()).collect();
        assert_eq!(names, ["立项", "选址", "用地预审", "规划许可", "环评", "能评", "施工许可"]);
        assert!(kinds.iter().all(|k| k.default_days.is_none()));
    }

    #[test]
    fn a_kinds_file_is_checked() {
        assert!(parse_kinds("[[kind]]\nname = \"防雷审查\"\ndefault_days = 5\n").is_ok());
        assert!(parse_kinds("[[kind]]\nname = \"\"\n").is_err());
        assert!(parse_kinds("[[kind]]\nname = \"甲\"\ndefault_days = 0\n").is_err());
        assert!(parse_kinds("[[kind]]\nname = \"甲\"\n[[kind]]\nname = \"甲\"\n").is_err());
        assert!(parse_kinds("[[kind]]\nname = \"甲\"\ndays = 3\n").is_err());
        assert!(check_kind(&"长".repeat(41), None).is_err());
        assert!(check_kind("a\nb", None).is_err());
    }

    #[test]
    fn the_committed_date_counts_working_days_on_the_calendar() {
        let cal = Calendar::builtin().unwrap();
        // Friday 2026-03-06 + 3 working days: Wednesday 03-11 (the weekend does not count).
        assert_eq!(committed_date(&cal, date(2026, 3, 6), 3).unwrap(), date(2026, 3, 11));
        // Across the 2026 National Day holiday (10-01 to 10-07 off; 09-28 Sunday and 10-10 Saturday worked).
        assert_eq!(committed_date(&cal, date(2026, 9, 30), 1).unwrap(), date(2026, 10, 8));
        assert!(committed_date(&cal, date(2026, 3, 6), 0).is_err());
        assert!(committed_date(&cal, date(2026, 3, 6), MAX_DAYS + 1).is_err());
    }

    #[test]
    fn the_status_is_read_from_the_task() {
        assert_eq!(ProcedureStatus::of(None), ProcedureStatus::NotStarted);
        assert_eq!(ProcedureStatus::of(Some(Status::Assigned)), ProcedureStatus::InProgress);
        assert_eq!(ProcedureStatus::of(Some(Status::Feedback)), ProcedureStatus::InProgress);
        assert_eq!(ProcedureStatus::of(Some(Status::Closed)), ProcedureStatus::Done);
        assert_eq!(ProcedureStatus::of(Some(Status::Cancelled)), ProcedureStatus::Withdrawn);
        assert_eq!(ProcedureStatus::Done.to_string(), "已办结");
    }

    #[test]
    fn the_light_comes_from_the_stored_instants_while_open() {
        let t = |s: &str| s.parse::<Timestamp>().unwrap();
        let (due, warn) = (Some(t("2026-03-11T09:30:00Z")), Some(t("2026-03-09T00:00:00Z")));
        assert_eq!(light_of(Some(Status::Signed), due, warn, t("2026-03-08T00:00:00Z")), Some(Light::Green));
        assert_eq!(light_of(Some(Status::Signed), due, warn, t("2026-03-10T00:00:00Z")), Some(Light::Yellow));
        assert_eq!(light_of(Some(Status::Signed), due, warn, t("2026-03-12T00:00:00Z")), Some(Light::Red));
        assert_eq!(light_of(Some(Status::Closed), due, warn, t("2026-03-12T00:00:00Z")), None);
        assert_eq!(light_of(None, None, None, t("2026-03-12T00:00:00Z")), None);
    }

    #[test]
    fn input_needs_a_project_kind_department_and_limit() {
        let ok = ProcedureInput {
            project_id: Some(ProjectId(1)),
            kind_id: Some(2),
            unit_id: Some(UnitId(3)),
            days: None,
            note: Some(" 承诺书已签 ".into()),
        };
        assert!(ok.clone().parse(None).is_err(), "no limit and no default");
        let p = ok.clone().parse(Some(10)).unwrap();
        assert_eq!((p.days, p.note.as_str()), (10, "承诺书已签"));
        assert_eq!(ProcedureInput { days: Some(5), ..ok.clone() }.parse(Some(10)).unwrap().days, 5);
        assert!(ProcedureInput { unit_id: None, ..ok.clone() }.parse(Some(1)).is_err());
        assert!(ProcedureInput { days: Some(0), ..ok.clone() }.parse(None).is_err());
        assert!(ProcedureInput { note: Some("长".repeat(MAX_NOTE_CHARS + 1)), ..ok }.parse(Some(1)).is_err());
    }

    #[test]
    fn a_week_runs_monday_to_sunday_and_sorts_the_dispatch() {
        let week = week_of(date(2026, 3, 11)).unwrap();
        assert_eq!(week, (date(2026, 3, 9), date(2026, 3, 15)));
        assert_eq!(week_of(date(2026, 3, 15)).unwrap().0, date(2026, 3, 9));
        let today = date(2026, 3, 11);
        let open = ProcedureStatus::InProgress;
        assert_eq!(dispatch_line(open, Some(date(2026, 3, 13)), None, week, today), Some(DispatchLine::DueThisWeek));
        assert_eq!(dispatch_line(open, Some(date(2026, 3, 10)), None, week, today), Some(DispatchLine::Overdue));
        assert_eq!(dispatch_line(open, Some(date(2026, 2, 10)), None, week, today), Some(DispatchLine::Overdue));
        assert_eq!(dispatch_line(open, Some(date(2026, 4, 10)), None, week, today), None);
        let done = ProcedureStatus::Done;
        assert_eq!(
            dispatch_line(done, Some(date(2026, 3, 20)), Some(date(2026, 3, 9)), week, today),
            Some(DispatchLine::FinishedThisWeek)
        );
        assert_eq!(dispatch_line(done, None, Some(date(2026, 3, 2)), week, today), None);
        assert_eq!(dispatch_line(ProcedureStatus::NotStarted, None, None, week, today), None);
        // A past week, read later: what was due in it and is still open is overdue.
        let past = week_of(date(2026, 3, 2)).unwrap();
        assert_eq!(dispatch_line(open, Some(date(2026, 3, 6)), None, past, today), Some(DispatchLine::Overdue));
        // A next week's: due in it, not yet past.
        let next = week_of(date(2026, 3, 16)).unwrap();
        assert_eq!(dispatch_line(open, Some(date(2026, 3, 18)), None, next, today), Some(DispatchLine::DueThisWeek));
        assert_eq!(dispatch_line(open, Some(date(2026, 3, 10)), None, next, today), Some(DispatchLine::Overdue));
    }
}
