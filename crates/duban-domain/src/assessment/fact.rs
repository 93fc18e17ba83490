//! Facts: one row per thing that happened to a unit and counts in its assessment.
//!
//! [`of_task`] derives a task's facts from the task, its schedule, its trail events and its 督办
//! notices — a pure function, so the application can refresh the facts of exactly the tasks
//! whose trail grew, and a test can compute the same from the events by other means. A 督办
//! notice is answered by the task's first progress after it was issued ([`answered_at`]), as the
//! supervision pass reads it. Facts not
//! about one task (a leader's evaluation of a period, a document error, a naming in a bulletin)
//! are written by hand ([`FactOrigin::Manual`]) and never touched by a refresh.
//!
//! Who a fact counts for: the task's lead units (groups expanded) as [`PartyRole::Lead`], its
//! cooperating units that do not also lead it as [`PartyRole::Cooperating`]. A subtask counts
//! only for units that do not already lead its parent (a unit that splits its own work among its
//! sections is assessed once, on the parent). A cancelled (撤销) task counts for no one. Facts
//! follow the parties as they are now: after a 改派 the new lead unit answers for the task.
//!
//! Which stages count: a stage stopped by the first response — 签收, or where the rules have no
//! signing stage, 当日部署 (004 五's "137"), 分解交办 or 联系企业 — counts as signing, for the lead
//! units; a stage stopped by 办结 counts as completion, for lead and cooperating units. Other
//! stages (a plan, a first report, a feedback within 7 days) are the supervision pass's business
//! and not assessed.

use super::indicator::{PartyRole, STAGE_DONE, STAGE_NOTICE, STAGE_SIGN, STAGE_VISIT};
use crate::event::EventKind;
use crate::facts::{ClockEvent, Priority, Source};
use crate::ids::{TaskId, UnitId};
use crate::schedule::Schedule;
use crate::task::{Status, Task};
use crate::visibility::{Members, units};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;

/// Whether a fact is derived from a task (and replaced when the task's trail grows) or entered by
/// hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FactOrigin {
    Task,
    Manual,
}

impl FactOrigin {
    pub fn code(self) -> &'static str {
        match self {
            FactOrigin::Task => "task",
            FactOrigin::Manual => "manual",
        }
    }
}

/// One fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fact {
    /// Stable across refreshes: what it is about and for whom (`t12:s:done:u3`, `n40:a:u3`,
    /// `e981:u3`). Tolerance decisions and objections name a fact by it.
    pub key: String,
    pub unit: UnitId,
    pub role: PartyRole,
    /// The stored indicator: an [`Indicator`](super::Indicator) code, or a stage
    /// (`sign`, `done`, `notice_answer`) read back by its outcome.
    pub indicator: String,
    pub task: Option<TaskId>,
    /// The day it counts on: the day it happened, or a stage's due day.
    pub day: Date,
    /// A stage's due instant.
    pub due_at: Option<Timestamp>,
    /// When a stage stopped.
    pub stopped_at: Option<Timestamp>,
    /// The day it stopped, in the deployment's time zone.
    pub stop_day: Option<Date>,
    /// How much: 1 for an occurrence; hundredths of a point for an evaluation.
    pub quantity: i64,
    pub origin: FactOrigin,
    /// The task's source and priority (a bulletin counts 领导批示 and 重点 work by them without
    /// reading the tasks); `None` for a fact not about a task.
    pub class: Option<(Source, Priority)>,
}

/// A trail event as facts read it.
#[derive(Debug, Clone, Copy)]
pub struct EventRecord {
    pub id: i64,
    pub kind: EventKind,
    pub at: Timestamp,
}

/// A 督办 notice as facts read it.
#[derive(Debug, Clone)]
pub struct NoticeRecord {
    pub id: i64,
    pub round: i64,
    pub issued_at: Timestamp,
    /// The end of the working day it must be answered by.
    pub answer_due: Timestamp,
    pub answer_by: Date,
    /// An answer recorded on the notice itself; without one, the notice is answered by the
    /// task's first progress after it was issued ([`answered_at`]).
    pub answered_at: Option<Timestamp>,
    /// The units it is addressed to (the lead units when empty).
    pub recipients: Vec<UnitId>,
}

/// Everything a task's facts are derived from.
#[derive(Debug, Clone, Copy)]
pub struct TaskRecord<'a> {
    pub task: &'a Task,
    pub schedule: &'a Schedule,
    /// The lead units of its parent, for a subtask (they do not count again).
    pub parent_leads: &'a [UnitId],
    /// Its trail events of the kinds in [`FACT_EVENTS`] and [`EventKind::PROGRESS`], in order.
    pub events: &'a [EventRecord],
    pub notices: &'a [NoticeRecord],
}

/// The trail events that are facts, and what each counts as.
pub const FACT_EVENTS: &[(EventKind, super::Indicator)] = &[
    (EventKind::Return, super::Indicator::Returned),
    (EventKind::RequestExtension, super::Indicator::ExtensionRequested),
    (EventKind::ApproveExtension, super::Indicator::ExtensionApproved),
];

/// When a 督办 notice was answered: the answer recorded on it, else the first progress on the
/// task ([`EventKind::PROGRESS`]) after it was issued — what the supervision pass takes as the
/// answer when it decides whether a second notice follows.
pub fn answered_at(n: &NoticeRecord, events: &[EventRecord]) -> Option<Timestamp> {
    n.answered_at.or_else(|| events.iter().filter(|e| e.at > n.issued_at && e.kind.is_progress()).map(|e| e.at).min())
}

fn day_of(t: Timestamp, tz: &TimeZone) -> Date {
    t.to_zoned(tz.clone()).date()
}

/// The lead and cooperating units a task's facts count for.
pub fn parties_of(task: &Task, parent_leads: &[UnitId], members: &Members) -> (Vec<UnitId>, Vec<UnitId>) {
    let mut leads: Vec<UnitId> = units(&task.fields.lead, members).filter(|u| !parent_leads.contains(u)).collect();
    leads.sort();
    leads.dedup();
    let mut coops: Vec<UnitId> = units(&task.fields.cooperating, members)
        .filter(|u| !parent_leads.contains(u) && leads.binary_search(u).is_err())
        .collect();
    coops.sort();
    coops.dedup();
    (leads, coops)
}

/// A task's facts.
pub fn of_task(r: &TaskRecord<'_>, members: &Members, tz: &TimeZone) -> Vec<Fact> {
    let task = r.task;
    if task.status == Status::Cancelled {
        return Vec::new();
    }
    let (leads, coops) = parties_of(task, r.parent_leads, members);
    let id = task.id;
    let mut out = Vec::new();
    let fact = |key: String, unit: UnitId, role: PartyRole, indicator: &str, day: Date| Fact {
        key,
        unit,
        role,
        indicator: indicator.to_string(),
        task: Some(id),
        day,
        due_at: None,
        stopped_at: None,
        stop_day: None,
        quantity: 1,
        origin: FactOrigin::Task,
        class: Some((task.fields.source, task.fields.priority)),
    };
    let roles =
        || leads.iter().map(|u| (*u, PartyRole::Lead)).chain(coops.iter().map(|u| (*u, PartyRole::Cooperating)));
    let received = day_of(task.fields.received_at, tz);
    for (u, role) in roles() {
        out.push(fact(format!("t{}:assigned:u{}", id.0, u.0), u, role, super::Indicator::Assigned.code(), received));
    }
    for e in r.events {
        let Some((_, ind)) = FACT_EVENTS.iter().find(|(k, _)| *k == e.kind) else { continue };
        for u in &leads {
            out.push(fact(format!("e{}:u{}", e.id, u.0), *u, PartyRole::Lead, ind.code(), day_of(e.at, tz)));
        }
    }
    for n in r.notices {
        let to: &[UnitId] = if n.recipients.is_empty() { &leads } else { &n.recipients };
        for u in to {
            let role = if leads.contains(u) { PartyRole::Lead } else { PartyRole::Cooperating };
            let issued = day_of(n.issued_at, tz);
            out.push(fact(format!("n{}:r:u{}", n.id, u.0), *u, role, super::Indicator::NoticeReceived.code(), issued));
            if n.round >= 2 {
                out.push(fact(
                    format!("n{}:2:u{}", n.id, u.0),
                    *u,
                    role,
                    super::Indicator::NoticeSecond.code(),
                    issued,
                ));
            }
            let answered = answered_at(n, r.events);
            out.push(Fact {
                due_at: Some(n.answer_due),
                stopped_at: answered,
                stop_day: answered.map(|t| day_of(t, tz)),
                ..fact(format!("n{}:a:u{}", n.id, u.0), *u, role, STAGE_NOTICE, n.answer_by)
            });
        }
    }
    for s in &r.schedule.stages {
        let (Some(due_at), Some(due)) = (s.due_at, s.due) else { continue };
        let (stored, who): (&str, Vec<(UnitId, PartyRole)>) = match s.stop {
            ClockEvent::Signed | ClockEvent::Deployed | ClockEvent::Dispatched | ClockEvent::Contacted => {
                (STAGE_SIGN, leads.iter().map(|u| (*u, PartyRole::Lead)).collect())
            }
            ClockEvent::Done => (STAGE_DONE, roles().collect()),
            _ => continue,
        };
        for (u, role) in who {
            out.push(Fact {
                due_at: Some(due_at),
                stopped_at: s.stopped_at,
                stop_day: s.stopped_at.map(|t| day_of(t, tz)),
                ..fact(format!("t{}:s:{}:u{}", id.0, s.stage, u.0), u, role, stored, due)
            });
        }
        // A period's visit or on-site work counts for the lead unit on its own too (包联走访按期完成率).
        if s.stop == ClockEvent::Done && matches!(task.fields.source, Source::Liaison | Source::Steward) {
            for u in &leads {
                out.push(Fact {
                    due_at: Some(due_at),
                    stopped_at: s.stopped_at,
                    stop_day: s.stopped_at.map(|t| day_of(t, tz)),
                    ..fact(format!("t{}:s:visit:u{}", id.0, u.0), *u, PartyRole::Lead, STAGE_VISIT, due)
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;
    use crate::facts::Complexity;
    use crate::ids::GroupId;
    use crate::policy::Policy;
    use crate::schedule::schedule;
    use crate::task::{Classification, NewTask, Party};
    use jiff::civil::date;
    use std::collections::{BTreeMap, HashMap};

    fn bj(s: &str) -> Timestamp {
        jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M", s)
            .unwrap()
            .to_zoned(TimeZone::get("Asia/Shanghai").unwrap())
            .unwrap()
            .timestamp()
    }

    fn task(id: i64, lead: Vec<Party>, cooperating: Vec<Party>, status: Status, clock: &[(ClockEvent, &str)]) -> Task {
        Task {
            id: TaskId(id),
            fields: NewTask {
                ledger_id: None,
                parent_id: None,
                number: String::new(),
                title: "任务".into(),
                text: String::new(),
                section: String::new(),
                source: Source::Document,
                lead,
                cooperating,
                leader_id: None,
                responsible_person_id: None,
                deadline: Some(date(2026, 3, 20)),
                milestones: vec![],
                targets: vec![],
                work_standard: String::new(),
                priority: Priority::Routine,
                complexity: Complexity::General,
                classification: Classification::Internal,
                received_at: bj("2026-03-02 09:00"),
            },
            status,
            events: clock
                .iter()
                .map(|(e, s)| (*e, bj(s)))
                .chain([(ClockEvent::Received, bj("2026-03-02 09:00"))])
                .collect(),
            created_at: bj("2026-03-02 09:00"),
            updated_at: bj("2026-03-02 09:00"),
            version: 1,
        }
    }

    fn derive(t: &Task, parent_leads: &[UnitId], events: &[EventRecord], notices: &[NoticeRecord]) -> Vec<Fact> {
        let policy = Policy::builtin("x-district-2022").unwrap();
        let cal = Calendar::builtin().unwrap();
        let s = schedule(&policy, &cal, &t.fields.facts(), &t.events);
        let members: Members = HashMap::from([(9, vec![UnitId(1), UnitId(2)])]);
        let r = TaskRecord { task: t, schedule: &s, parent_leads, events, notices };
        of_task(&r, &members, &policy.timezone())
    }

    fn keys(fs: &[Fact]) -> BTreeMap<String, (String, PartyRole, Date)> {
        fs.iter().map(|f| (f.key.clone(), (f.indicator.clone(), f.role, f.day))).collect()
    }

    #[test]
    fn a_task_gives_its_lead_and_cooperating_units_their_facts() {
        // Led by group 9 (units 1 and 2) and unit 2 again; unit 2 and 3 cooperate: unit 2 leads,
        // so it is not also counted as cooperating.
        let t = task(
            5,
            vec![Party::Group(GroupId(9)), Party::Unit(UnitId(2))],
            vec![Party::Unit(UnitId(2)), Party::Unit(UnitId(3))],
            Status::Closed,
            &[(ClockEvent::Signed, "2026-03-03 10:00"), (ClockEvent::Done, "2026-03-23 10:00")],
        );
        let events = [
            EventRecord { id: 40, kind: EventKind::Return, at: bj("2026-03-10 10:00") },
            EventRecord { id: 41, kind: EventKind::Report, at: bj("2026-03-11 10:00") },
            EventRecord { id: 42, kind: EventKind::ApproveExtension, at: bj("2026-03-12 10:00") },
        ];
        let notices = [NoticeRecord {
            id: 7,
            round: 2,
            issued_at: bj("2026-03-16 10:00"),
            answer_due: bj("2026-03-18 17:30"),
            answer_by: date(2026, 3, 18),
            answered_at: Some(bj("2026-03-19 09:00")),
            recipients: vec![UnitId(1), UnitId(3)],
        }];
        let fs = derive(&t, &[], &events, &notices);
        let k = keys(&fs);
        let lead = |i: &str, d| (i.to_string(), PartyRole::Lead, d);
        assert_eq!(k["t5:assigned:u1"], lead("assigned", date(2026, 3, 2)));
        assert_eq!(k["t5:assigned:u3"], ("assigned".into(), PartyRole::Cooperating, date(2026, 3, 2)));
        assert!(!k.contains_key("t5:assigned:u4"));
        assert_eq!(fs.iter().filter(|f| f.indicator == "assigned").count(), 3);
        // Returns and extensions count for the lead units; a report is not a fact.
        assert_eq!(k["e40:u1"], lead("returned", date(2026, 3, 10)));
        assert_eq!(k["e42:u2"], lead("extension_approved", date(2026, 3, 12)));
        assert!(!k.keys().any(|x| x.starts_with("e41")));
        // The notice: received and second for each recipient, in its role; answered a day late.
        assert_eq!(k["n7:r:u3"], ("notice_received".into(), PartyRole::Cooperating, date(2026, 3, 16)));
        assert_eq!(k["n7:2:u1"], lead("notice_second", date(2026, 3, 16)));
        let answer = fs.iter().find(|f| f.key == "n7:a:u1").unwrap();
        assert_eq!((answer.day, answer.stop_day), (date(2026, 3, 18), Some(date(2026, 3, 19))));
        assert!(answer.stopped_at > answer.due_at);
        // Signing within 3 working days, for the leads only; completion for every unit, due
        // on the deadline and stopped after it.
        let sign = fs.iter().find(|f| f.key == "t5:s:sign:u1").unwrap();
        assert_eq!((sign.indicator.as_str(), sign.day), ("sign", date(2026, 3, 5)));
        assert!(!k.contains_key("t5:s:sign:u3"));
        let done = fs.iter().find(|f| f.key == "t5:s:done:u3").unwrap();
        assert_eq!(
            (done.role, done.day, done.stop_day),
            (PartyRole::Cooperating, date(2026, 3, 20), Some(date(2026, 3, 23)))
        );
        assert!(fs.iter().all(|f| f.task == Some(TaskId(5)) && f.origin == FactOrigin::Task && f.quantity == 1));
    }

    #[test]
    fn subtasks_count_only_for_new_units_and_withdrawn_tasks_for_no_one() {
        let part = task(6, vec![Party::Unit(UnitId(1))], vec![Party::Unit(UnitId(4))], Status::Assigned, &[]);
        let fs = derive(&part, &[UnitId(1)], &[], &[]);
        assert!(fs.iter().all(|f| f.unit == UnitId(4)), "{:?}", keys(&fs));
        assert!(fs.iter().any(|f| f.unit == UnitId(4) && f.indicator == "done"));
        let gone = task(7, vec![Party::Unit(UnitId(1))], vec![], Status::Cancelled, &[]);
        assert!(derive(&gone, &[], &[], &[]).is_empty());
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn a_notice_is_answered_by_the_first_progress_after_it_was_issued() {
        let notice = NoticeRecord {
            id: 1,
            round: 1,
            issued_at: ts("2022-03-25T02:00:00Z"),
            answer_due: ts("2022-03-30T09:30:00Z"),
            answer_by: jiff::civil::date(2022, 3, 30),
            answered_at: None,
            recipients: vec![],
        };
        let e = |id, kind, at: &str| EventRecord { id, kind, at: ts(at) };
        // Progress before the notice does not answer it; an approval of an extension is not
        // progress; the sign two days later is the answer.
        let events = [
            e(1, EventKind::Report, "2022-03-24T03:00:00Z"),
            e(2, EventKind::ApproveExtension, "2022-03-25T03:00:00Z"),
            e(3, EventKind::Sign, "2022-03-27T03:00:00Z"),
            e(4, EventKind::Report, "2022-03-28T03:00:00Z"),
        ];
        assert_eq!(answered_at(&notice, &events), Some(ts("2022-03-27T03:00:00Z")));
        assert_eq!(answered_at(&notice, &events[..2]), None);
        // An answer recorded on the notice stands.
        let recorded = NoticeRecord { answered_at: Some(ts("2022-03-26T03:00:00Z")), ..notice };
        assert_eq!(answered_at(&recorded, &events), Some(ts("2022-03-26T03:00:00Z")));
    }

    #[test]
    fn a_liaison_task_also_counts_as_a_visit_for_its_lead_unit() {
        let mut t = task(
            7,
            vec![Party::Unit(UnitId(4))],
            vec![Party::Unit(UnitId(5))],
            Status::Closed,
            &[(ClockEvent::Signed, "2026-03-02 09:00"), (ClockEvent::Done, "2026-03-10 10:00")],
        );
        assert!(!derive(&t, &[], &[], &[]).iter().any(|f| f.indicator == STAGE_VISIT));
        t.fields.source = Source::Liaison;
        let fs = derive(&t, &[], &[], &[]);
        let visits: Vec<&Fact> = fs.iter().filter(|f| f.indicator == STAGE_VISIT).collect();
        assert_eq!(visits.len(), 1, "the lead unit only");
        assert_eq!((visits[0].unit, visits[0].role, visits[0].day), (UnitId(4), PartyRole::Lead, date(2026, 3, 20)));
        assert!(visits[0].stopped_at.is_some());
        assert!(fs.iter().any(|f| f.indicator == STAGE_DONE), "still a done stage too");
    }
}
