//! The closed loop (REQUIREMENTS §5): which action may move a task from which status, who may
//! take it, what it needs, and which clock events it sets or clears.
//!
//! Main path: 交办 → 签收 → 部署 → 办理 → 反馈 → 审核 → 办结. Side paths: 退回 (returned for
//! rework), 延期 (an extension requested, then approved or refused, before the deadline), 争议 (a
//! dispute escalated for a ruling that reassigns the task), 中止 (suspended by decision).
//!
//! After a 督办 the unit's feedback needs its head's approval (001 §10): an officer's 反馈 goes to
//! 待单位审批 ([`Status::HeadApproval`]) and reaches the office only when the head of a lead unit
//! approves it (单位负责人审批同意); the head may return it to the officer with a reason instead.
//! A head who gives the feedback themselves approves it by doing so.
//!
//! The rules are a pure function of the task's state, the actor's standing and the input, so
//! every transition is tested here without a database.

use crate::facts::ClockEvent;
use crate::org::{Person, Role};
use crate::task::{NewTask, Status};
use crate::visibility::{Members, units};
use crate::{Error, vocabulary};
use jiff::civil::Date;

/// Hands the list of actions, written once, to a vocabulary macro: `with_actions!(m! { head }
/// { extra })` expands to `m! { head { extra, every action } }`. The actions are a vocabulary of
/// their own ([`Action`]) and, with the same codes and labels, part of the trail's
/// [`EventKind`](crate::event::EventKind), which adds the events no one takes as an action.
macro_rules! with_actions {
    ($m:ident ! { $($head:tt)* } { $($extra:tt)* }) => {
        $m! { $($head)* {
            $($extra)*
            Sign = "sign" / "签收",
            Deploy = "deploy" / "部署",
            Report = "report" / "报告进展",
            Feedback = "feedback" / "反馈办结",
            HeadApprove = "head_approve" / "单位负责人审批同意",
            HeadReturn = "head_return" / "单位负责人退回经办人",
            Approve = "approve" / "审核通过",
            Return = "return" / "退回",
            RequestExtension = "request_extension" / "申请延期",
            ApproveExtension = "approve_extension" / "同意延期",
            RefuseExtension = "refuse_extension" / "不同意延期",
            RaiseDispute = "raise_dispute" / "提请裁定",
            Rule = "rule" / "裁定",
            Suspend = "suspend" / "中止",
            Resume = "resume" / "恢复",
            ReportPart = "report_part" / "报送配合情况",
            StatePosition = "state_position" / "陈述意见",
            Contact = "contact" / "联系企业",
            Resolve = "resolve" / "解决或确认",
        } }
    };
}
pub(crate) use with_actions;

with_actions!(vocabulary! {
    /// What someone does to a task.
    Action, "action"
} {});

/// Who the actor is with respect to the task.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Standing {
    pub roles: Vec<Role>,
    /// The actor belongs to one of the task's lead units (directly or through a group).
    pub in_lead_unit: bool,
    /// The actor is the task's leader in charge, or a leader in charge of a lead unit.
    pub leads_the_task: bool,
    /// The actor belongs to one of the task's cooperating units (directly or through a group)
    /// and not to a lead unit: they report their own part (报送配合情况).
    pub in_cooperating_unit: bool,
}

impl Standing {
    /// A person's standing on a task: in a lead unit when their unit is one of the task's lead
    /// units (directly or through a group); leading the task when they are a leader and the task
    /// names them as its leader in charge, or they are in charge of a lead unit. An inactive
    /// person has no standing at all.
    pub fn of(person: &Person, task: &NewTask, members: &Members) -> Result<Standing, Error> {
        if !person.active {
            return Err(Error::Forbidden);
        }
        let lead_units: Vec<_> = units(&task.lead, members).collect();
        let in_lead_unit = person.fields.unit_id.is_some_and(|u| lead_units.contains(&u));
        let in_cooperating_unit =
            !in_lead_unit && person.fields.unit_id.is_some_and(|u| units(&task.cooperating, members).any(|c| c == u));
        let leads_the_task = person.fields.roles.contains(&Role::Leader)
            && (task.leader_id == Some(person.id) || person.fields.charge_units.iter().any(|u| lead_units.contains(u)));
        Ok(Standing { roles: person.fields.roles.clone(), in_lead_unit, leads_the_task, in_cooperating_unit })
    }

    fn has(&self, r: Role) -> bool {
        self.roles.contains(&r)
    }

    /// Officers and heads of a lead unit act for the unit.
    fn acts_for_unit(&self) -> bool {
        self.in_lead_unit && (self.has(Role::Officer) || self.has(Role::UnitHead))
    }

    /// The head of a lead unit approves the unit's feedback.
    fn heads_unit(&self) -> bool {
        self.in_lead_unit && self.has(Role::UnitHead)
    }

    /// Officers and heads of a cooperating unit act for their unit's part.
    fn acts_for_cooperating_unit(&self) -> bool {
        self.in_cooperating_unit && (self.has(Role::Officer) || self.has(Role::UnitHead))
    }

    /// The supervision office, or the leader in charge, review and decide.
    fn reviews(&self) -> bool {
        self.has(Role::Office) || (self.has(Role::Leader) && self.leads_the_task)
    }

    /// Whether the actor may split the task into subtasks (分解交办): the lead unit's officers
    /// and head assign parts to their sections and cooperating units, the office any unit.
    pub fn may_split(&self) -> bool {
        self.acts_for_unit() || self.has(Role::Office)
    }

    /// Whether the actor splits as the office, to any unit (else only to the task's own lead
    /// and cooperating units).
    pub fn splits_to_any_unit(&self) -> bool {
        self.has(Role::Office)
    }
}

/// What the task is like when the action is taken.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskState {
    pub status: Status,
    /// The status before a pending extension request, a dispute or a suspension.
    pub resume_to: Option<Status>,
    /// Extensions granted so far.
    pub extensions: u32,
    /// Formal supervision notices (督办) issued on the task.
    pub supervisions: u32,
    /// The deadline in force (the task's own, or the done stage's due date).
    pub deadline: Option<Date>,
    /// Whether all of its subtasks are closed (true when it has none).
    pub children_closed: bool,
    /// Whether it is an enterprise demand ([`Source::Enterprise`](crate::facts::Source::Enterprise)):
    /// its lead unit contacts the enterprise (联系企业, which signs for it) instead of a plain
    /// 签收, and records when the demand is solved or the service confirmed (解决或确认).
    pub demand: bool,
}

/// What the actor supplies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub text: String,
    /// Names of evidence files.
    pub evidence: Vec<String>,
    pub new_deadline: Option<Date>,
    /// The day the action is taken.
    pub today: Date,
}

impl Default for Input {
    fn default() -> Self {
        Self { text: String::new(), evidence: Vec::new(), new_deadline: None, today: Date::constant(2026, 1, 1) }
    }
}

/// The outcome of an allowed action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub to: Status,
    /// The status to come back to afterwards (for requests, disputes and suspensions).
    pub resume_to: Option<Status>,
    pub set: Vec<ClockEvent>,
    pub clear: Vec<ClockEvent>,
    /// The new deadline, when an extension is granted.
    pub deadline: Option<Date>,
    /// Whether an extension is counted.
    pub counts_extension: bool,
}

fn refuse(msg: impl Into<String>) -> Error {
    Error::Conflict(msg.into())
}

fn need_text(i: &Input, what: &str) -> Result<(), Error> {
    if i.text.trim().is_empty() {
        return Err(Error::invalid("text", format!("请填写{what}")));
    }
    Ok(())
}

/// Decides whether `action` may be taken, and what it does.
pub fn decide(
    action: Action,
    t: &TaskState,
    who: &Standing,
    i: &Input,
    max_extensions: u32,
) -> Result<Transition, Error> {
    use Action as A;
    use Status as S;
    let base = |to: Status| Transition {
        to,
        resume_to: None,
        set: vec![],
        clear: vec![],
        deadline: None,
        counts_extension: false,
    };
    let status_label = t.status.label();
    let wrong = || refuse(format!("任务当前状态为“{status_label}”，不能{}", action.label()));
    // Who may act: the lead unit, a cooperating unit for its own part, either party of a
    // dispute for its position, the head of a lead unit for its approval, the office or the leader in charge for the rest.
    let allowed = match action {
        A::Sign
        | A::Deploy
        | A::Report
        | A::Feedback
        | A::RequestExtension
        | A::RaiseDispute
        | A::Contact
        | A::Resolve => who.acts_for_unit(),
        A::HeadApprove | A::HeadReturn => who.heads_unit(),
        A::ReportPart => who.acts_for_cooperating_unit(),
        A::StatePosition => who.acts_for_unit() || who.acts_for_cooperating_unit(),
        _ => who.reviews(),
    };
    if !allowed {
        return Err(Error::Forbidden);
    }
    if t.demand && action == A::Sign {
        return Err(refuse("企业诉求以“联系企业”签收"));
    }
    if !t.demand && matches!(action, A::Contact | A::Resolve) {
        return Err(refuse(format!("只有企业诉求才能{}", action.label())));
    }
    match action {
        // 企业吹哨、部门报到 (001 §13): contacting the enterprise is the unit's 签收 of a demand;
        // then it solves the demand or confirms the service, and closes it with the usual
        // feedback and review.
        A::Contact => match t.status {
            S::Assigned => {
                need_text(i, "联系情况")?;
                Ok(Transition { set: vec![ClockEvent::Contacted, ClockEvent::Signed], ..base(S::Signed) })
            }
            _ => Err(wrong()),
        },
        A::Resolve => match t.status {
            S::Signed | S::Deployed | S::InProgress | S::Returned => {
                need_text(i, "解决或服务确认情况")?;
                Ok(Transition {
                    set: vec![
                        ClockEvent::Resolved,
                        ClockEvent::Deployed,
                        ClockEvent::PlanRecorded,
                        ClockEvent::ProgressReported,
                    ],
                    ..base(S::InProgress)
                })
            }
            _ => Err(wrong()),
        },
        A::Sign => match t.status {
            S::Assigned => Ok(Transition { set: vec![ClockEvent::Signed], ..base(S::Signed) }),
            _ => Err(wrong()),
        },
        A::Deploy => match t.status {
            S::Signed => {
                need_text(i, "工作方案或部署情况")?;
                Ok(Transition { set: vec![ClockEvent::Deployed, ClockEvent::PlanRecorded], ..base(S::Deployed) })
            }
            _ => Err(wrong()),
        },
        A::Report => match t.status {
            S::Signed | S::Deployed | S::InProgress | S::Returned => {
                need_text(i, "进展情况")?;
                let mut set = vec![ClockEvent::ProgressReported];
                if t.status == S::Signed {
                    set.extend([ClockEvent::Deployed, ClockEvent::PlanRecorded]);
                }
                Ok(Transition { set, ..base(S::InProgress) })
            }
            _ => Err(wrong()),
        },
        A::Feedback => match t.status {
            S::Deployed | S::InProgress | S::Returned => {
                need_text(i, "办理结果")?;
                if i.evidence.is_empty() {
                    return Err(Error::invalid("evidence", "反馈办结须附佐证材料"));
                }
                if !t.children_closed {
                    return Err(refuse("还有未办结的子任务"));
                }
                // After a 督办 an officer's feedback waits for the head's approval.
                if t.supervisions > 0 && !who.heads_unit() {
                    return Ok(base(S::HeadApproval));
                }
                Ok(Transition { set: vec![ClockEvent::Feedback, ClockEvent::Done], ..base(S::Feedback) })
            }
            _ => Err(wrong()),
        },
        A::HeadApprove => match t.status {
            S::HeadApproval => {
                Ok(Transition { set: vec![ClockEvent::Feedback, ClockEvent::Done], ..base(S::Feedback) })
            }
            _ => Err(wrong()),
        },
        A::HeadReturn => match t.status {
            S::HeadApproval => {
                need_text(i, "退回经办人的原因")?;
                Ok(base(S::Returned))
            }
            _ => Err(wrong()),
        },
        A::Approve => match t.status {
            S::Feedback if !t.children_closed => Err(refuse("还有未办结的子任务，不能办结")),
            S::Feedback => Ok(Transition { set: vec![ClockEvent::OutcomeReported], ..base(S::Closed) }),
            _ => Err(wrong()),
        },
        A::Return => match t.status {
            S::Feedback => {
                need_text(i, "退回原因")?;
                Ok(Transition { clear: vec![ClockEvent::Feedback, ClockEvent::Done], ..base(S::Returned) })
            }
            _ => Err(wrong()),
        },
        A::RequestExtension => match t.status {
            S::Assigned | S::Signed | S::Deployed | S::InProgress | S::Returned => {
                need_text(i, "延期理由")?;
                let Some(new) = i.new_deadline else {
                    return Err(Error::invalid("new_deadline", "请填写申请延至的日期"));
                };
                if t.extensions >= max_extensions {
                    return Err(refuse(format!("该任务已延期 {} 次，达到规则允许的上限", t.extensions)));
                }
                if let Some(d) = t.deadline {
                    if i.today > d {
                        return Err(refuse(format!("延期须在期限（{d}）前申请，现已逾期")));
                    }
                    if new <= d {
                        return Err(Error::invalid("new_deadline", format!("延至的日期应晚于现有期限 {d}")));
                    }
                }
                Ok(Transition { resume_to: Some(t.status), ..base(S::Extension) })
            }
            _ => Err(wrong()),
        },
        A::ApproveExtension | A::RefuseExtension => match t.status {
            S::Extension => {
                let back = t.resume_to.unwrap_or(S::InProgress);
                if action == A::RefuseExtension {
                    need_text(i, "不同意的理由")?;
                    return Ok(base(back));
                }
                let Some(new) = i.new_deadline else {
                    return Err(Error::invalid("new_deadline", "请确认延至的日期"));
                };
                Ok(Transition { deadline: Some(new), counts_extension: true, ..base(back) })
            }
            _ => Err(wrong()),
        },
        A::RaiseDispute => match t.status {
            S::Assigned | S::Signed | S::Deployed | S::InProgress | S::Returned => {
                need_text(i, "提请裁定的理由及依据")?;
                Ok(Transition { resume_to: Some(t.status), ..base(S::Disputed) })
            }
            _ => Err(wrong()),
        },
        A::Rule => match t.status {
            // The ruling reassigns the task: the unit it names signs for it afresh.
            S::Disputed => {
                need_text(i, "裁定意见")?;
                Ok(Transition {
                    clear: vec![ClockEvent::Signed, ClockEvent::Deployed, ClockEvent::PlanRecorded],
                    ..base(S::Assigned)
                })
            }
            _ => Err(wrong()),
        },
        A::Suspend => match t.status {
            S::Closed | S::Cancelled | S::Suspended => Err(wrong()),
            other => {
                need_text(i, "中止决定")?;
                Ok(Transition { resume_to: Some(other), ..base(S::Suspended) })
            }
        },
        A::Resume => match t.status {
            S::Suspended => Ok(base(t.resume_to.unwrap_or(S::InProgress))),
            _ => Err(wrong()),
        },
        // A cooperating unit reports its part while the task is being worked on; the task's
        // status is the lead unit's and does not move.
        A::ReportPart => match t.status {
            S::Assigned | S::Signed | S::Deployed | S::InProgress | S::Returned | S::Extension | S::Disputed => {
                need_text(i, "配合情况")?;
                Ok(Transition { resume_to: t.resume_to, ..base(t.status) })
            }
            _ => Err(wrong()),
        },
        // Either party states its position on a dispute before the ruling (the raising unit's
        // reasons are in its 提请裁定).
        A::StatePosition => match t.status {
            S::Disputed => {
                need_text(i, "本单位意见及依据")?;
                Ok(Transition { resume_to: t.resume_to, ..base(t.status) })
            }
            _ => Err(wrong()),
        },
    }
}

/// Whether a task may be split into subtasks now: while it is being worked on and before its
/// feedback (a task waiting for review, a ruling or an extension is not split).
pub fn may_split(t: &TaskState, who: &Standing) -> Result<(), Error> {
    if !who.may_split() {
        return Err(Error::Forbidden);
    }
    match t.status {
        Status::Assigned | Status::Signed | Status::Deployed | Status::InProgress | Status::Returned => Ok(()),
        s => Err(refuse(format!("任务当前状态为“{}”，不能分解", s.label()))),
    }
}

/// Whether every subtask is closed or withdrawn (true when there are none).
pub fn children_closed(children: &[Status]) -> bool {
    children.iter().all(|c| matches!(c, Status::Closed | Status::Cancelled))
}

/// What closes a parent task when its subtasks are done: nothing while the parent is no longer
/// open or a subtask is still open; else it goes to 办结 with its feedback and done clocks set.
pub fn close_parent(parent: Status, children: &[Status]) -> Option<Transition> {
    (parent.is_open() && children_closed(children)).then(|| Transition {
        to: Status::Closed,
        resume_to: None,
        set: vec![ClockEvent::Feedback, ClockEvent::Done],
        clear: Vec::new(),
        deadline: None,
        counts_extension: false,
    })
}

/// The actions `who` may take on a task in state `t` now (with an empty input where text is
/// needed, which the form then asks for).
pub fn available(t: &TaskState, who: &Standing, max_extensions: u32) -> Vec<Action> {
    let probe = Input {
        text: "x".into(),
        evidence: vec!["x".into()],
        new_deadline: Some(Date::constant(2200, 12, 31)),
        today: Date::constant(1900, 1, 1),
    };
    Action::ALL.iter().copied().filter(|a| decide(*a, t, who, &probe, max_extensions).is_ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{GroupId, PersonId, UnitId};
    use crate::org::NewPerson;
    use crate::task::{Party, TaskInput};
    use jiff::civil::date;
    use std::collections::HashMap;

    fn person(id: i64, unit: i64, roles: Vec<Role>, charge: Vec<i64>) -> Person {
        let mut fields = NewPerson::new("某人", &format!("p{id}"), Some(UnitId(unit)), roles);
        fields.charge_units = charge.into_iter().map(UnitId).collect();
        Person { id: PersonId(id), fields, active: true }
    }

    fn led_by(lead: Vec<Party>, leader: Option<i64>) -> NewTask {
        let input =
            TaskInput { title: Some("任务".into()), lead, leader_id: leader.map(PersonId), ..Default::default() };
        input.parse(jiff::Timestamp::UNIX_EPOCH, &jiff::tz::TimeZone::UTC).unwrap()
    }

    #[test]
    fn standing_counts_lead_units_through_groups_and_leaders_by_name_or_charge() {
        let members: Members = HashMap::from([(7, vec![UnitId(1), UnitId(4)])]);
        let by_group = led_by(vec![Party::Group(GroupId(7))], None);
        let officer = person(5, 4, vec![Role::Officer], vec![]);
        let s = Standing::of(&officer, &by_group, &members).unwrap();
        assert_eq!(
            s,
            Standing {
                roles: vec![Role::Officer],
                in_lead_unit: true,
                leads_the_task: false,
                in_cooperating_unit: false
            }
        );
        let elsewhere = person(6, 3, vec![Role::Officer], vec![]);
        assert!(!Standing::of(&elsewhere, &by_group, &members).unwrap().in_lead_unit);
        // A group missing from the members has no units.
        assert!(
            !Standing::of(&officer, &led_by(vec![Party::Group(GroupId(8))], None), &HashMap::new())
                .unwrap()
                .in_lead_unit
        );
        // A leader leads a task naming them, or one led by a unit in their charge.
        let leader = person(3, 9, vec![Role::Leader], vec![1]);
        assert!(Standing::of(&leader, &by_group, &members).unwrap().leads_the_task);
        let other = person(4, 9, vec![Role::Leader], vec![2]);
        assert!(!Standing::of(&other, &by_group, &members).unwrap().leads_the_task);
        assert!(Standing::of(&other, &led_by(vec![Party::Unit(UnitId(3))], Some(4)), &members).unwrap().leads_the_task);
        // Being named as leader in charge is not enough without the leader role.
        assert!(
            !Standing::of(&officer, &led_by(vec![Party::Unit(UnitId(3))], Some(5)), &members).unwrap().leads_the_task
        );
        let mut gone = officer.clone();
        gone.active = false;
        assert_eq!(Standing::of(&gone, &by_group, &members), Err(Error::Forbidden));
    }

    #[test]
    fn a_parent_closes_when_its_last_subtask_is_closed() {
        use Status::*;
        let t = close_parent(InProgress, &[Closed, Cancelled]).unwrap();
        assert_eq!((t.to, t.set), (Closed, vec![ClockEvent::Feedback, ClockEvent::Done]));
        assert_eq!(close_parent(InProgress, &[Closed, Feedback]), None);
        assert_eq!(close_parent(Suspended, &[Closed]), None);
        assert_eq!(close_parent(Closed, &[Closed]), None);
        assert!(children_closed(&[]));
    }

    fn officer() -> Standing {
        Standing { roles: vec![Role::Officer], in_lead_unit: true, ..Standing::default() }
    }
    fn head() -> Standing {
        Standing { roles: vec![Role::UnitHead], in_lead_unit: true, ..Standing::default() }
    }
    fn office() -> Standing {
        Standing { roles: vec![Role::Office], ..Standing::default() }
    }
    fn leader(of_task: bool) -> Standing {
        Standing { roles: vec![Role::Leader], leads_the_task: of_task, ..Standing::default() }
    }
    fn outsider() -> Standing {
        Standing { roles: vec![Role::Officer], ..Standing::default() }
    }
    fn cooperating() -> Standing {
        Standing { roles: vec![Role::Officer], in_cooperating_unit: true, ..Standing::default() }
    }
    fn state(status: Status) -> TaskState {
        TaskState { status, children_closed: true, deadline: Some(date(2026, 6, 30)), ..TaskState::default() }
    }
    fn text(s: &str) -> Input {
        Input { text: s.into(), today: date(2026, 3, 2), ..Input::default() }
    }

    #[test]
    fn the_main_path_runs_from_assigned_to_closed() {
        let t = decide(Action::Sign, &state(Status::Assigned), &officer(), &Input::default(), 1).unwrap();
        assert_eq!((t.to, t.set.clone()), (Status::Signed, vec![ClockEvent::Signed]));
        let t = decide(Action::Deploy, &state(Status::Signed), &head(), &text("方案"), 1).unwrap();
        assert_eq!(t.to, Status::Deployed);
        assert!(t.set.contains(&ClockEvent::PlanRecorded));
        let t = decide(Action::Report, &state(Status::Deployed), &officer(), &text("进展"), 1).unwrap();
        assert_eq!(t.to, Status::InProgress);
        let mut i = text("已完成");
        i.evidence = vec!["验收报告.pdf".into()];
        let t = decide(Action::Feedback, &state(Status::InProgress), &officer(), &i, 1).unwrap();
        assert_eq!((t.to, t.set.clone()), (Status::Feedback, vec![ClockEvent::Feedback, ClockEvent::Done]));
        let t = decide(Action::Approve, &state(Status::Feedback), &office(), &Input::default(), 1).unwrap();
        assert_eq!(t.to, Status::Closed);
    }

    #[test]
    fn only_the_lead_unit_acts_and_only_the_office_or_the_leader_in_charge_reviews() {
        assert_eq!(
            decide(Action::Sign, &state(Status::Assigned), &outsider(), &Input::default(), 1),
            Err(Error::Forbidden)
        );
        assert_eq!(
            decide(Action::Sign, &state(Status::Assigned), &office(), &Input::default(), 1),
            Err(Error::Forbidden)
        );
        assert_eq!(
            decide(Action::Approve, &state(Status::Feedback), &officer(), &Input::default(), 1),
            Err(Error::Forbidden)
        );
        assert_eq!(
            decide(Action::Approve, &state(Status::Feedback), &leader(false), &Input::default(), 1),
            Err(Error::Forbidden)
        );
        assert!(decide(Action::Approve, &state(Status::Feedback), &leader(true), &Input::default(), 1).is_ok());
    }

    #[test]
    fn each_action_needs_what_it_needs() {
        let e = decide(Action::Deploy, &state(Status::Signed), &officer(), &Input::default(), 1).unwrap_err();
        assert!(matches!(e, Error::Invalid { ref field, .. } if field == "text"));
        let e = decide(Action::Feedback, &state(Status::InProgress), &officer(), &text("完成"), 1).unwrap_err();
        assert!(matches!(e, Error::Invalid { ref field, .. } if field == "evidence"));
        let mut i = text("完成");
        i.evidence = vec!["x.pdf".into()];
        // A parent waits for its children.
        let mut p = state(Status::InProgress);
        p.children_closed = false;
        assert!(matches!(decide(Action::Feedback, &p, &officer(), &i, 1), Err(Error::Conflict(_))));
        p.status = Status::Feedback;
        assert!(matches!(decide(Action::Approve, &p, &office(), &i, 1), Err(Error::Conflict(_))));
    }

    #[test]
    fn after_a_supervision_an_officers_feedback_waits_for_the_head() {
        let mut s = state(Status::InProgress);
        s.supervisions = 1;
        let mut i = text("完成");
        i.evidence = vec!["x.pdf".into()];
        // The officer's feedback goes to the head, with no clock set: it has not reached the office.
        let t = decide(Action::Feedback, &s, &officer(), &i, 1).unwrap();
        assert_eq!((t.to, t.set.clone()), (Status::HeadApproval, vec![]));
        // Without a 督办 it goes straight to the office.
        assert_eq!(
            decide(Action::Feedback, &state(Status::InProgress), &officer(), &i, 1).unwrap().to,
            Status::Feedback
        );
        // A head who gives the feedback approves it by doing so.
        let t = decide(Action::Feedback, &s, &head(), &i, 1).unwrap();
        assert_eq!((t.to, t.set), (Status::Feedback, vec![ClockEvent::Feedback, ClockEvent::Done]));
        // Only the head of a lead unit approves or returns it.
        let waiting = state(Status::HeadApproval);
        for who in [officer(), office(), leader(true), outsider()] {
            assert_eq!(decide(Action::HeadApprove, &waiting, &who, &Input::default(), 1), Err(Error::Forbidden));
            assert_eq!(decide(Action::HeadReturn, &waiting, &who, &text("补充"), 1), Err(Error::Forbidden));
        }
        let other_head = Standing { in_lead_unit: false, ..head() };
        assert_eq!(decide(Action::HeadApprove, &waiting, &other_head, &Input::default(), 1), Err(Error::Forbidden));
        let t = decide(Action::HeadApprove, &waiting, &head(), &Input::default(), 1).unwrap();
        assert_eq!((t.to, t.set), (Status::Feedback, vec![ClockEvent::Feedback, ClockEvent::Done]));
        // A return to the officer needs a reason and sends the task back for rework.
        let e = decide(Action::HeadReturn, &waiting, &head(), &Input::default(), 1).unwrap_err();
        assert!(matches!(e, Error::Invalid { ref field, .. } if field == "text"));
        let t = decide(Action::HeadReturn, &waiting, &head(), &text("数据需核实"), 1).unwrap();
        assert_eq!((t.to, t.clear), (Status::Returned, vec![]));
        // Nothing else happens to feedback waiting for the head but the office's suspension; the
        // office's review waits until it arrives.
        assert_eq!(available(&waiting, &head(), 1), vec![Action::HeadApprove, Action::HeadReturn]);
        assert_eq!(available(&waiting, &officer(), 1), vec![]);
        assert_eq!(available(&waiting, &office(), 1), vec![Action::Suspend]);
        assert_eq!(
            decide(Action::HeadApprove, &state(Status::InProgress), &head(), &Input::default(), 1).map(|t| t.to),
            Err(Error::Conflict("任务当前状态为“办理”，不能单位负责人审批同意".into()))
        );
    }

    #[test]
    fn a_return_reopens_the_done_stage() {
        let t = decide(Action::Return, &state(Status::Feedback), &office(), &text("材料不全"), 1).unwrap();
        assert_eq!((t.to, t.clear.clone()), (Status::Returned, vec![ClockEvent::Feedback, ClockEvent::Done]));
        assert!(decide(Action::Report, &state(Status::Returned), &officer(), &text("补充"), 1).is_ok());
    }

    #[test]
    fn an_extension_is_requested_before_the_deadline_and_limited_by_policy() {
        let mut i = text("客观原因");
        i.new_deadline = Some(date(2026, 9, 30));
        let t = decide(Action::RequestExtension, &state(Status::InProgress), &officer(), &i, 1).unwrap();
        assert_eq!((t.to, t.resume_to), (Status::Extension, Some(Status::InProgress)));
        let late = Input { today: date(2026, 7, 1), ..i.clone() };
        assert!(matches!(
            decide(Action::RequestExtension, &state(Status::InProgress), &officer(), &late, 1),
            Err(Error::Conflict(_))
        ));
        let mut used = state(Status::InProgress);
        used.extensions = 1;
        assert!(matches!(decide(Action::RequestExtension, &used, &officer(), &i, 1), Err(Error::Conflict(_))));
        assert!(decide(Action::RequestExtension, &used, &officer(), &i, 2).is_ok());
        let earlier = Input { new_deadline: Some(date(2026, 5, 1)), ..i.clone() };
        assert!(decide(Action::RequestExtension, &state(Status::InProgress), &officer(), &earlier, 1).is_err());
        let mut pending = state(Status::Extension);
        pending.resume_to = Some(Status::InProgress);
        let t = decide(Action::ApproveExtension, &pending, &office(), &i, 1).unwrap();
        assert_eq!((t.to, t.deadline, t.counts_extension), (Status::InProgress, Some(date(2026, 9, 30)), true));
        let t = decide(Action::RefuseExtension, &pending, &leader(true), &text("理由不充分"), 1).unwrap();
        assert_eq!((t.to, t.deadline), (Status::InProgress, None));
    }

    #[test]
    fn a_dispute_is_ruled_and_the_task_starts_again_with_its_new_lead() {
        let t = decide(Action::RaiseDispute, &state(Status::Signed), &head(), &text("甲局认为…乙局认为…"), 1).unwrap();
        assert_eq!(t.to, Status::Disputed);
        let t = decide(Action::Rule, &state(Status::Disputed), &office(), &text("由乙局牵头"), 1).unwrap();
        assert_eq!(t.to, Status::Assigned);
        assert!(t.clear.contains(&ClockEvent::Signed));
    }

    #[test]
    fn a_suspended_task_resumes_where_it_was() {
        let t = decide(Action::Suspend, &state(Status::InProgress), &office(), &text("政策调整"), 1).unwrap();
        assert_eq!((t.to, t.resume_to), (Status::Suspended, Some(Status::InProgress)));
        let mut s = state(Status::Suspended);
        s.resume_to = Some(Status::InProgress);
        assert_eq!(decide(Action::Resume, &s, &office(), &Input::default(), 1).unwrap().to, Status::InProgress);
        assert!(decide(Action::Suspend, &state(Status::Closed), &office(), &text("x"), 1).is_err());
    }

    #[test]
    fn no_action_leaves_a_closed_or_cancelled_task() {
        for s in [Status::Closed, Status::Cancelled] {
            assert!(available(&state(s), &office(), 1).is_empty(), "{s:?}");
            assert!(available(&state(s), &officer(), 1).is_empty(), "{s:?}");
        }
        assert_eq!(
            available(&state(Status::Assigned), &officer(), 1),
            vec![Action::Sign, Action::RequestExtension, Action::RaiseDispute]
        );
        assert_eq!(
            available(&state(Status::Feedback), &office(), 1),
            vec![Action::Approve, Action::Return, Action::Suspend]
        );
    }

    #[test]
    fn a_cooperating_unit_reports_its_part_without_moving_the_task() {
        let members: Members = HashMap::from([(7, vec![UnitId(2), UnitId(4)])]);
        let task = {
            let mut t = led_by(vec![Party::Unit(UnitId(1))], None);
            t.cooperating = vec![Party::Group(GroupId(7)), Party::Unit(UnitId(1))];
            t
        };
        let s = Standing::of(&person(5, 4, vec![Role::Officer], vec![]), &task, &members).unwrap();
        assert!(s.in_cooperating_unit && !s.in_lead_unit);
        // A lead unit listed among the cooperating units still acts as the lead unit.
        let s = Standing::of(&person(6, 1, vec![Role::Officer], vec![]), &task, &members).unwrap();
        assert!(s.in_lead_unit && !s.in_cooperating_unit);
        let t =
            decide(Action::ReportPart, &state(Status::InProgress), &cooperating(), &text("已完成数据比对"), 1).unwrap();
        assert_eq!((t.to, t.set.clone(), t.clear.clone()), (Status::InProgress, vec![], vec![]));
        let e = decide(Action::ReportPart, &state(Status::InProgress), &cooperating(), &Input::default(), 1);
        assert!(matches!(e, Err(Error::Invalid { ref field, .. }) if field == "text"));
        // Not the lead unit, not the office, not after the task is closed.
        assert_eq!(
            decide(Action::ReportPart, &state(Status::InProgress), &officer(), &text("x"), 1),
            Err(Error::Forbidden)
        );
        assert_eq!(
            decide(Action::ReportPart, &state(Status::InProgress), &office(), &text("x"), 1),
            Err(Error::Forbidden)
        );
        assert!(decide(Action::ReportPart, &state(Status::Closed), &cooperating(), &text("x"), 1).is_err());
        // The cooperating unit has no lead-unit action, and the lead unit no part to report.
        assert_eq!(available(&state(Status::InProgress), &cooperating(), 1), vec![Action::ReportPart]);
        assert!(!available(&state(Status::InProgress), &officer(), 1).contains(&Action::ReportPart));
    }

    #[test]
    fn both_parties_of_a_dispute_state_their_positions_and_the_task_waits_for_the_ruling() {
        let mut disputed = state(Status::Disputed);
        disputed.resume_to = Some(Status::Signed);
        for who in [officer(), head(), cooperating()] {
            let t = decide(Action::StatePosition, &disputed, &who, &text("应由甲局牵头"), 1).unwrap();
            assert_eq!((t.to, t.resume_to), (Status::Disputed, Some(Status::Signed)));
        }
        assert_eq!(decide(Action::StatePosition, &disputed, &outsider(), &text("x"), 1), Err(Error::Forbidden));
        assert!(decide(Action::StatePosition, &state(Status::InProgress), &officer(), &text("x"), 1).is_err());
        assert!(available(&disputed, &office(), 1).contains(&Action::Rule));
        assert_eq!(available(&disputed, &cooperating(), 1), vec![Action::ReportPart, Action::StatePosition]);
    }

    #[test]
    fn the_lead_unit_or_the_office_splits_a_task_being_worked_on() {
        assert!(may_split(&state(Status::InProgress), &officer()).is_ok());
        assert!(may_split(&state(Status::Signed), &head()).is_ok());
        assert!(may_split(&state(Status::Assigned), &office()).is_ok());
        assert!(office().splits_to_any_unit() && !officer().splits_to_any_unit());
        for who in [cooperating(), outsider(), leader(true)] {
            assert_eq!(may_split(&state(Status::InProgress), &who), Err(Error::Forbidden));
        }
        for s in [Status::Feedback, Status::Closed, Status::Disputed, Status::Extension, Status::Suspended] {
            assert!(matches!(may_split(&state(s), &officer()), Err(Error::Conflict(_))), "{s:?}");
        }
    }

    #[test]
    fn every_status_and_action_pair_is_decided_without_panicking() {
        for s in Status::ALL {
            for a in Action::ALL {
                for who in [officer(), head(), office(), leader(true), leader(false), outsider(), cooperating()] {
                    let _ = decide(*a, &state(*s), &who, &text("x"), 1);
                }
            }
        }
    }

    #[test]
    fn a_demand_is_contacted_resolved_then_closed_by_the_usual_feedback_and_review() {
        let demand = |status| TaskState { demand: true, ..state(status) };
        // Contacting the enterprise is the demand's 签收; a plain 签收 is refused.
        assert!(matches!(
            decide(Action::Sign, &demand(Status::Assigned), &officer(), &text("x"), 1),
            Err(Error::Conflict(_))
        ));
        let e = decide(Action::Contact, &demand(Status::Assigned), &officer(), &Input::default(), 1);
        assert!(matches!(e, Err(Error::Invalid { ref field, .. }) if field == "text"));
        let t = decide(Action::Contact, &demand(Status::Assigned), &officer(), &text("电话联系王经理"), 1).unwrap();
        assert_eq!((t.to, t.set), (Status::Signed, vec![ClockEvent::Contacted, ClockEvent::Signed]));
        assert!(available(&demand(Status::Assigned), &officer(), 1).contains(&Action::Contact));
        assert!(!available(&demand(Status::Assigned), &officer(), 1).contains(&Action::Sign));
        // Contacting once; resolving after the contact.
        assert!(decide(Action::Contact, &demand(Status::Signed), &officer(), &text("x"), 1).is_err());
        assert!(decide(Action::Resolve, &demand(Status::Assigned), &officer(), &text("x"), 1).is_err());
        let t = decide(Action::Resolve, &demand(Status::Signed), &head(), &text("已协调供电公司扩容"), 1).unwrap();
        assert_eq!(t.to, Status::InProgress);
        assert!(t.set.contains(&ClockEvent::Resolved) && t.set.contains(&ClockEvent::ProgressReported));
        // Then the usual feedback (with evidence) and the office's approval.
        let fed = decide(
            Action::Feedback,
            &demand(Status::InProgress),
            &officer(),
            &Input { evidence: vec!["回访记录.pdf".into()], ..text("办结") },
            1,
        )
        .unwrap();
        assert_eq!(fed.to, Status::Feedback);
        assert_eq!(
            decide(Action::Approve, &demand(Status::Feedback), &office(), &text(""), 1).unwrap().to,
            Status::Closed
        );
        // Only the lead unit contacts and resolves; only demands are contacted.
        for who in [office(), outsider(), cooperating()] {
            assert_eq!(decide(Action::Contact, &demand(Status::Assigned), &who, &text("x"), 1), Err(Error::Forbidden));
        }
        assert!(matches!(
            decide(Action::Contact, &state(Status::Assigned), &officer(), &text("x"), 1),
            Err(Error::Conflict(_))
        ));
        assert!(!available(&state(Status::Signed), &officer(), 1).contains(&Action::Resolve));
    }
}
