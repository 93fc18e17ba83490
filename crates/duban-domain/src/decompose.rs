//! Decomposition (分解交办, issue 12 §1): a task splits into subtasks "具体到项目、落实到岗位、
//! 量化到个人". The lead unit assigns each part to one of its own sections (内设科室) with a
//! responsible person, or passes it on to a cooperating unit (二次交办); the office may assign a
//! part to any unit. Each part has its own text, 责任人 and a deadline no later than the parent's.
//!
//! A section is not a unit of the directory: a part for a section is a subtask led by the lead
//! unit itself, naming the section (stored in the subtask's `section`) and the person
//! responsible for it. A part for a cooperating unit is a subtask that unit leads.
//!
//! The parent's progress comes from its children ([`Progress`]); the parent is not closed while a
//! child is open (see [`crate::lifecycle::children_closed`]).

use crate::Error;
use crate::ids::{PersonId, TaskId, UnitId};
use crate::org::Person;
use crate::task::{MAX_TEXT_CHARS, MAX_TITLE_CHARS, NewTask, Party, Status, check_length};
use jiff::Timestamp;
use jiff::civil::Date;

/// Parts in one split.
pub const MAX_PARTS: usize = 50;

/// One part of a split, as the splitter gives it (checked by [`plan_part`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Part {
    /// What the part is (the subtask's title).
    pub title: String,
    /// Its requirements, if more than the title.
    pub text: String,
    /// The unit that carries it: the lead unit itself (for one of its sections) or a
    /// cooperating unit.
    pub unit: Option<UnitId>,
    /// The section (内设科室) of the lead unit that carries it, if any.
    pub section: String,
    /// The person responsible (责任人).
    pub responsible: Option<PersonId>,
    /// Its deadline; the parent's when not given.
    pub deadline: Option<Date>,
}

/// Where a split may send parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// Any unit (the office).
    AnyUnit,
    /// The task's lead units (for their sections) and cooperating units (the lead unit).
    Units { lead: Vec<UnitId>, cooperating: Vec<UnitId> },
}

impl Reach {
    fn allows(&self, u: UnitId) -> bool {
        match self {
            Reach::AnyUnit => true,
            Reach::Units { lead, cooperating } => lead.contains(&u) || cooperating.contains(&u),
        }
    }
}

/// The task being split.
#[derive(Debug, Clone, Copy)]
pub struct Parent<'a> {
    pub id: TaskId,
    pub fields: &'a NewTask,
    /// Its deadline in force (its own, or the done stage's due date).
    pub deadline: Option<Date>,
}

/// Checks one part of a split of `parent` and gives the subtask to store. `responsible` is the
/// person the part names, if any, as the directory has them; `number` the subtask's number;
/// `now` its reception time.
pub fn plan_part(
    parent: Parent<'_>,
    part: &Part,
    reach: &Reach,
    responsible: Option<&Person>,
    number: String,
    now: Timestamp,
) -> Result<NewTask, Error> {
    let title = part.title.trim();
    if title.is_empty() {
        return Err(Error::invalid("title", "请填写子任务的内容"));
    }
    check_length("title", "子任务名称", title, MAX_TITLE_CHARS)?;
    check_length("text", "子任务要求", part.text.trim(), MAX_TEXT_CHARS)?;
    check_length("section", "承办科室", part.section.trim(), MAX_TITLE_CHARS)?;
    let unit = part.unit.ok_or_else(|| Error::invalid("unit", "请指明承办单位"))?;
    if !reach.allows(unit) {
        return Err(Error::invalid("unit", "只能分解给本单位的科室或本任务的配合单位"));
    }
    if part.responsible.is_some() != responsible.is_some() {
        return Err(Error::invalid("responsible", "责任人不存在"));
    }
    if let Some(p) = responsible
        && (!p.active || p.fields.unit_id != Some(unit))
    {
        return Err(Error::invalid("responsible", format!("责任人“{}”不是承办单位的在岗人员", p.fields.name)));
    }
    let deadline = match (part.deadline, parent.deadline) {
        (Some(d), Some(pd)) if d > pd => {
            return Err(Error::invalid("deadline", format!("子任务的完成时限不能晚于上级任务的时限（{pd}）")));
        }
        (Some(d), _) => Some(crate::task::check_task_date("deadline", d)?),
        (None, pd) => pd,
    };
    let (parent_id, parent) = (parent.id, parent.fields);
    Ok(NewTask {
        ledger_id: parent.ledger_id,
        parent_id: Some(parent_id),
        number,
        title: title.to_string(),
        text: part.text.trim().to_string(),
        section: part.section.trim().to_string(),
        source: parent.source,
        lead: vec![Party::Unit(unit)],
        cooperating: Vec::new(),
        leader_id: parent.leader_id,
        responsible_person_id: part.responsible,
        deadline,
        milestones: Vec::new(),
        targets: Vec::new(),
        work_standard: String::new(),
        priority: parent.priority,
        complexity: parent.complexity,
        classification: parent.classification,
        received_at: now,
    })
}

/// The number of the `k`-th subtask (from 1) of a task numbered `parent`: `3` → `3-1`, and a
/// task without a number gives `子1`.
pub fn part_number(parent: &str, k: usize) -> String {
    let p = crate::task::display_number(parent);
    if p.is_empty() { format!("子{k}") } else { format!("{p}-{k}") }
}

/// A parent's progress from its children: how many are closed of those not withdrawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    pub closed: usize,
    pub total: usize,
}

impl Progress {
    /// Counts closed children; withdrawn (撤销) ones do not count at all.
    pub fn of(children: &[Status]) -> Progress {
        let total = children.iter().filter(|s| **s != Status::Cancelled).count();
        let closed = children.iter().filter(|s| **s == Status::Closed).count();
        Progress { closed, total }
    }

    /// Whole percent closed (0 when there are none).
    pub fn percent(&self) -> u32 {
        (self.closed * 100).checked_div(self.total).map_or(0, |p| p as u32)
    }

    /// "3/5 子任务已办结".
    pub fn summary(&self) -> String {
        format!("{}/{} 子任务已办结", self.closed, self.total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::{NewPerson, Role};
    use crate::task::{Classification, TaskInput};
    use jiff::civil::date;

    fn parent() -> NewTask {
        let input = TaskInput {
            title: Some("优化营商环境".into()),
            number: Some("3.".into()),
            lead: vec![Party::Unit(UnitId(1))],
            cooperating: vec![Party::Unit(UnitId(2))],
            deadline: Some("2026-06-30".into()),
            classification: Some("internal".into()),
            ..Default::default()
        };
        input.parse(Timestamp::UNIX_EPOCH, &jiff::tz::TimeZone::UTC).unwrap()
    }

    fn person(id: i64, unit: i64) -> Person {
        Person {
            id: PersonId(id),
            fields: NewPerson::new("王科长", "wang", Some(UnitId(unit)), vec![Role::Officer]),
            active: true,
        }
    }

    fn of(p: &NewTask) -> Parent<'_> {
        Parent { id: TaskId(9), fields: p, deadline: Some(date(2026, 6, 30)) }
    }

    fn lead_reach() -> Reach {
        Reach::Units { lead: vec![UnitId(1)], cooperating: vec![UnitId(2)] }
    }

    fn part(unit: i64) -> Part {
        Part { title: "梳理审批事项清单".into(), unit: Some(UnitId(unit)), ..Part::default() }
    }

    #[test]
    fn a_part_for_a_section_names_the_section_and_its_person_and_inherits_the_parent() {
        let p = parent();
        let wang = person(7, 1);
        let mut sec = part(1);
        sec.section = " 审批服务科 ".into();
        sec.responsible = Some(PersonId(7));
        sec.deadline = Some(date(2026, 5, 31));
        let now = Timestamp::UNIX_EPOCH;
        let t = plan_part(of(&p), &sec, &lead_reach(), Some(&wang), "3-1".into(), now).unwrap();
        assert_eq!(t.parent_id, Some(TaskId(9)));
        assert_eq!(t.lead, vec![Party::Unit(UnitId(1))]);
        assert_eq!((t.section.as_str(), t.responsible_person_id), ("审批服务科", Some(PersonId(7))));
        assert_eq!(t.deadline, Some(date(2026, 5, 31)));
        assert_eq!(t.classification, Classification::Internal);
        // Without a deadline the part takes the parent's.
        let t = plan_part(of(&p), &part(2), &lead_reach(), None, "3-2".into(), now).unwrap();
        assert_eq!((t.deadline, t.lead.clone()), (Some(date(2026, 6, 30)), vec![Party::Unit(UnitId(2))]));
    }

    #[test]
    fn a_part_is_refused_past_the_parent_deadline_outside_the_reach_or_with_someone_else_s_person() {
        let p = parent();
        let now = Timestamp::UNIX_EPOCH;
        let field = |r: Result<NewTask, Error>| match r {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        let mut late = part(1);
        late.deadline = Some(date(2026, 7, 1));
        assert_eq!(field(plan_part(of(&p), &late, &lead_reach(), None, "x".into(), now)), "deadline");
        assert_eq!(field(plan_part(of(&p), &part(3), &lead_reach(), None, "x".into(), now)), "unit");
        assert!(plan_part(of(&p), &part(3), &Reach::AnyUnit, None, "x".into(), now).is_ok());
        let mut other = part(2);
        other.responsible = Some(PersonId(7));
        let wang = person(7, 1);
        assert_eq!(field(plan_part(of(&p), &other, &lead_reach(), Some(&wang), "x".into(), now)), "responsible");
        assert_eq!(field(plan_part(of(&p), &other, &lead_reach(), None, "x".into(), now)), "responsible");
        let blank = Part { title: "  ".into(), ..part(1) };
        assert_eq!(field(plan_part(of(&p), &blank, &lead_reach(), None, "x".into(), now)), "title");
        let nowhere = Part { unit: None, ..part(1) };
        assert_eq!(field(plan_part(of(&p), &nowhere, &lead_reach(), None, "x".into(), now)), "unit");
    }

    #[test]
    fn progress_counts_closed_children_of_those_not_withdrawn() {
        use Status::*;
        let p = Progress::of(&[Closed, Closed, InProgress, Assigned, Closed, Cancelled]);
        assert_eq!((p.closed, p.total, p.percent()), (3, 5, 60));
        assert_eq!(p.summary(), "3/5 子任务已办结");
        assert_eq!(Progress::of(&[]).percent(), 0);
        assert_eq!(part_number("3.", 2), "3-2");
        assert_eq!(part_number("", 1), "子1");
    }
}
