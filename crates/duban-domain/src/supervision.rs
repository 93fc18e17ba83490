//! The supervision plan (REQUIREMENTS §6, issue 4 §3): what one pass over the open tasks at a
//! given instant must send and record, as a pure function of the rules, the calendar, the
//! people, the tasks with their schedules, their 督办 notices and their trail activity.
//!
//! - A stage in its warning window gets a 催办 reminder to the lead unit's officers and head.
//! - An overdue stage gets a numbered 督办 notice with a date to answer by (counted in working
//!   days from the day of issue), recorded in the task's trail, and is escalated to the leader in
//!   charge. If the answer date passes with no progress ([`EventKind::PROGRESS`]), a second notice
//!   follows; two notices with no progress between them make the lead units and the responsible
//!   person candidates for public naming (001 §10).
//! - A task due a periodic progress report (its class's cadence) that has not reported in the
//!   current period ([`crate::period`]) is reminded in the last two working days of the period.
//!
//! Reminders wait for working hours on a working day, and 督办 notices are issued only then (the
//! office does not date a formal notice on a holiday); urgent and critical tasks' go at once.
//! Every recipient must be able to see the task ([`crate::visibility`]): a 涉密 task's notices
//! go only to the people named on it, and its content never goes by e-mail or SMS.
//! Every record carries a dedup key, so a pass run twice creates nothing twice.
//!
//! When the calendar has no data for a day a rule needs (see [`crate::calendar`]), nothing is
//! guessed: the task's item is left out and the plan names the task and the error in
//! [`Plan::problems`].

use crate::calendar::{Calendar, CalendarError};
use crate::event::EventKind;
use crate::ids::{PersonId, TaskId, UnitId};
use crate::notice::NUMBER;
use crate::org::{Person, Role};
use crate::period::ReportPeriod;
use crate::policy::{Cadence, Policy};
use crate::schedule::Schedule;
use crate::task::{Classification, Light, Priority, Status, Task};
use crate::visibility::{Audience, Channel, Disclosure, Members, disclosure, units};
use crate::vocabulary;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use std::collections::HashMap;

vocabulary!(
    /// What a message is about.
    MessageKind, "message kind" {
        /// A stage in its warning window (催办).
        Remind = "remind" / "催办",
        /// A periodic progress report not yet made in a closing period.
        Cadence = "cadence" / "进展报告提醒",
        /// A 督办 notice, to the lead unit.
        Supervise = "supervise" / "督办通知",
        /// A 督办 notice, to the leader in charge.
        Escalate = "escalate" / "督办升级",
        /// A unit's feedback has reached the office for review (an in-app notice).
        Feedback = "feedback" / "反馈待审核",
        /// An officer's feedback after a 督办 waits for the unit head's approval.
        Approval = "approval" / "反馈待审批",
        /// A cooperating unit has reported its part, to the lead unit (an in-app notice).
        PartReport = "part_report" / "配合单位报送",
    }
);

vocabulary!(
    /// How a message reaches its recipient.
    MessageChannel, "channel" {
        Inbox = "inbox" / "站内消息",
        Email = "email" / "电子邮件",
        Sms = "sms" / "短信",
    }
);

impl MessageChannel {
    /// Where the channel takes a task's fields.
    pub fn reach(self) -> Channel {
        match self {
            MessageChannel::Inbox => Channel::InApp,
            MessageChannel::Email | MessageChannel::Sms => Channel::External,
        }
    }
}

/// A message to one person over one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub dedup_key: String,
    pub kind: MessageKind,
    pub channel: MessageChannel,
    pub person: PersonId,
    /// The e-mail address or phone number; empty for the inbox.
    pub address: String,
    pub task: TaskId,
    pub subject: String,
    pub body: String,
    pub created_at: Timestamp,
    /// Not before this instant (working hours); urgent messages go at once.
    pub not_before: Timestamp,
}

/// A 督办 notice already issued, as the plan needs to know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    pub number: String,
    pub stage: String,
    pub round: i64,
    pub issued_at: Timestamp,
    pub answer_by: Date,
}

/// One event of a task's trail, as the plan needs to know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Activity {
    /// `None` for a kind this version does not know (it is not progress).
    pub kind: Option<EventKind>,
    pub at: Timestamp,
}

/// A naming candidate (001 §10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Naming {
    pub dedup_key: String,
    pub task: TaskId,
    pub unit: UnitId,
    pub person: Option<PersonId>,
    pub created_at: Timestamp,
    pub reason: String,
}

/// A 督办 notice to issue, with its trail event's data, its messages and any naming. Its
/// number is given out when it is recorded: [`NUMBER`] stands for it in the texts.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedNotice {
    pub dedup_key: String,
    pub task: TaskId,
    pub stage: String,
    pub round: i64,
    pub issued_at: Timestamp,
    /// The day it is issued, in the office's time zone: its number counts in this day's year.
    pub issued_on: Date,
    pub answer_by: Date,
    /// The units it is addressed to (主送): the lead units, and for a notice by hand any
    /// cooperating units the office added.
    pub recipients: Vec<UnitId>,
    /// The office's instruction (empty for a notice of the pass).
    pub text: String,
    /// The data of the `supervised` event in the task's trail.
    pub event_data: serde_json::Value,
    pub messages: Vec<Message>,
    /// Whether it goes to a leader in charge (an escalation).
    pub escalates: bool,
    pub naming: Vec<Naming>,
}

/// What a reminder is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReminderKind {
    /// A stage in its warning window.
    Due,
    /// A periodic progress report.
    Cadence,
}

/// A reminder to a task's lead unit: one message per person and channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    pub kind: ReminderKind,
    pub task: TaskId,
    pub messages: Vec<Message>,
}

/// A task the plan could not (fully) decide for, and why: the first error it met.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub task: TaskId,
    pub error: CalendarError,
}

/// What a pass must do for a batch of tasks, and how their lights stand.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub open_tasks: u64,
    pub green: u64,
    pub yellow: u64,
    pub red: u64,
    pub notices: Vec<PlannedNotice>,
    pub reminders: Vec<Reminder>,
    pub problems: Vec<Problem>,
}

/// Everyone, by unit and by id, with each group's units: who may be told about a task.
#[derive(Debug, Clone, Default)]
pub struct People {
    by_unit: HashMap<UnitId, Vec<Person>>,
    by_id: HashMap<PersonId, Person>,
    members: Members,
}

impl People {
    pub fn new(all: Vec<Person>, members: Members) -> Self {
        let mut by_unit: HashMap<UnitId, Vec<Person>> = HashMap::new();
        for p in &all {
            if let Some(u) = p.fields.unit_id {
                by_unit.entry(u).or_default().push(p.clone());
            }
        }
        People { by_unit, by_id: all.into_iter().map(|p| (p.id, p)).collect(), members }
    }

    /// Whether a person may hear of a task: the same rule as seeing it.
    fn sees(&self, p: &Person, t: &Task) -> bool {
        Audience::of(p).sees(t, &self.members)
    }

    /// The task's lead units, groups expanded.
    pub fn lead_units(&self, t: &Task) -> Vec<UnitId> {
        units(&t.fields.lead, &self.members).collect()
    }

    /// The active officers and heads of the task's lead units who may see it; for a 涉密 task,
    /// also the responsible person named on it.
    pub fn unit_staff(&self, t: &Task) -> Vec<&Person> {
        self.staff_of(t, &self.lead_units(t))
    }

    /// The task's cooperating units, groups expanded.
    pub fn cooperating_units(&self, t: &Task) -> Vec<UnitId> {
        units(&t.fields.cooperating, &self.members).collect()
    }

    /// The active officers and heads of `of` who may see the task; for a 涉密 task, also the
    /// responsible person named on it.
    pub fn staff_of(&self, t: &Task, of: &[UnitId]) -> Vec<&Person> {
        let mut out: Vec<&Person> = of
            .iter()
            .flat_map(|u| self.by_unit.get(u).into_iter().flatten())
            .filter(|p| {
                p.active && (p.fields.roles.contains(&Role::Officer) || p.fields.roles.contains(&Role::UnitHead))
            })
            .filter(|p| self.sees(p, t))
            .collect();
        if t.fields.classification == Classification::Secret
            && let Some(named) = t.fields.responsible_person_id.and_then(|id| self.by_id.get(&id))
            && named.active
            && !out.iter().any(|p| p.id == named.id)
        {
            out.push(named);
        }
        out
    }

    /// The task's leader in charge, or else the active leaders in charge of its lead units — those
    /// who may see it, by id.
    pub fn leaders(&self, t: &Task) -> Vec<&Person> {
        if let Some(l) = t.fields.leader_id.and_then(|id| self.by_id.get(&id)) {
            return if self.sees(l, t) { vec![l] } else { Vec::new() };
        }
        let units = self.lead_units(t);
        let mut out: Vec<&Person> = self
            .by_id
            .values()
            .filter(|p| {
                p.active
                    && p.fields.roles.contains(&Role::Leader)
                    && p.fields.charge_units.iter().any(|u| units.contains(u))
            })
            .filter(|p| self.sees(p, t))
            .collect();
        out.sort_by_key(|p| p.id);
        out
    }
}

/// The date a 督办 issued on `issued_on` must be answered by: `within` working days later.
pub fn answer_by(cal: &Calendar, issued_on: Date, within: u32) -> Result<Date, CalendarError> {
    Ok(cal.add_workdays(issued_on, i32::try_from(within).unwrap_or(i32::MAX))?.value)
}

/// When a message may go: now for urgent work or within working hours on a working day, else the
/// start of the next working day (of today, before the day starts).
pub fn send_time(policy: &Policy, cal: &Calendar, now: Timestamp, urgent: bool) -> Result<Timestamp, CalendarError> {
    if urgent {
        return Ok(now);
    }
    let s = &policy.settings;
    let tz = policy.timezone();
    let local = now.to_zoned(tz.clone());
    let today = local.date();
    let workday = cal.is_workday(today)?.value;
    if workday && local.time() >= s.start_of_day && local.time() <= s.end_of_day {
        return Ok(now);
    }
    let day = if workday && local.time() < s.start_of_day { today } else { cal.add_workdays(today, 1)?.value };
    Ok(day.to_datetime(s.start_of_day).to_zoned(tz).map(|z| z.timestamp()).unwrap_or(now))
}

/// Whether a task's work is urgent enough to go at once, whatever the hour.
pub fn is_urgent(t: &Task) -> bool {
    matches!(t.fields.priority, Priority::Urgent | Priority::Critical)
}

/// A message to go to several people.
struct Outgoing<'a> {
    kind: MessageKind,
    key: &'a str,
    task: &'a Task,
    subject: String,
    body: String,
    now: Timestamp,
    not_before: Timestamp,
}

impl Outgoing<'_> {
    /// The messages that tell `to` about the task: the inbox, and e-mail and SMS where a person
    /// has an address. A channel that may not carry the task's content (e-mail and SMS for a
    /// 涉密 task) says only where to look.
    fn to(&self, to: &[&Person]) -> Vec<Message> {
        let mut out = Vec::new();
        for p in to {
            let mut channels = vec![(MessageChannel::Inbox, String::new())];
            if !p.fields.email.is_empty() {
                channels.push((MessageChannel::Email, p.fields.email.clone()));
            }
            if !p.fields.phone.is_empty() {
                channels.push((MessageChannel::Sms, p.fields.phone.clone()));
            }
            for (channel, address) in channels {
                let (subject, body) = match disclosure(self.task.fields.classification, channel.reach()) {
                    Disclosure::Full => (self.subject.clone(), self.body.clone()),
                    Disclosure::Withheld => withheld(self.kind),
                };
                out.push(Message {
                    dedup_key: format!("{}:{}:{}", self.key, p.id, channel.code()),
                    kind: self.kind,
                    channel,
                    person: p.id,
                    address,
                    task: self.task.id,
                    subject,
                    body,
                    created_at: self.now,
                    not_before: self.not_before,
                });
            }
        }
        out
    }
}

/// The subject and body of a message whose task's content its channel may not carry.
fn withheld(kind: MessageKind) -> (String, String) {
    let what = match kind {
        MessageKind::Remind => "催办".to_string(),
        MessageKind::Cadence => "进展报告提醒".to_string(),
        MessageKind::Supervise | MessageKind::Escalate => format!("督办通知 {NUMBER}"),
        MessageKind::Feedback | MessageKind::Approval | MessageKind::PartReport => kind.label().to_string(),
    };
    (
        format!("{what}：涉密任务"),
        format!(
            "您有一项涉密任务的{}，其内容不通过邮件和短信发送，请登录督办系统查看。",
            what.replace(NUMBER, "").trim()
        ),
    )
}

/// One task as a pass sees it: its schedule, and its notices and trail activity where they were
/// read (see [`Pass::reads`]).
#[derive(Debug, Clone, Copy)]
pub struct Seen<'a> {
    pub task: &'a Task,
    pub schedule: &'a Schedule,
    pub notices: &'a [Issued],
    pub activity: &'a [Activity],
}

/// What a task's plan needs read from the store.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reads {
    /// Its 督办 notices (it has an overdue stage).
    pub notices: bool,
    /// Its trail activity (it has an overdue stage, or its report period is closing).
    pub activity: bool,
}

/// What a pass knows for every task: the rules, the calendar, the people and the instant.
pub struct Pass<'a> {
    policy: &'a Policy,
    cal: &'a Calendar,
    people: &'a People,
    now: Timestamp,
    tz: TimeZone,
    today: Date,
    /// The answer date of a notice issued now.
    answer_by: Result<Date, CalendarError>,
    /// Whether now is within working hours on a working day.
    working_hours: Result<bool, CalendarError>,
    /// When a message that is not urgent may go.
    not_before: Result<Timestamp, CalendarError>,
}

impl<'a> Pass<'a> {
    pub fn new(policy: &'a Policy, cal: &'a Calendar, people: &'a People, now: Timestamp) -> Self {
        let tz = policy.timezone();
        let today = now.to_zoned(tz.clone()).date();
        let not_before = send_time(policy, cal, now, false);
        Pass {
            policy,
            cal,
            people,
            now,
            tz,
            today,
            answer_by: answer_by(cal, today, policy.settings.notice_answer_within),
            working_hours: not_before.clone().map(|t| t == now),
            not_before,
        }
    }

    /// The day of the pass, in the rules' time zone.
    pub fn today(&self) -> Date {
        self.today
    }

    /// What the plan of a task needs read: notices for a task with an overdue stage, activity
    /// for those and for a task whose report period is closing.
    pub fn reads(&self, task: &Task, schedule: &Schedule) -> Reads {
        let overdue = schedule.stages.iter().any(|s| s.stopped_at.is_none() && s.due_at.is_some_and(|d| self.now > d));
        let closing = !overdue && matches!(self.closing_period(task), Ok(Some(_)));
        Reads { notices: overdue, activity: overdue || closing }
    }

    /// The task's report cadence and its current period, when the task is due to report and the
    /// period is in its last two working days.
    fn closing_period(&self, task: &Task) -> Result<Option<(&'a Cadence, ReportPeriod)>, CalendarError> {
        let reporting = matches!(task.status, Status::Signed | Status::Deployed | Status::InProgress);
        let Some(c) = self.policy.cadence(&task.fields.facts()).filter(|_| reporting) else { return Ok(None) };
        let Some(period) = ReportPeriod::of(c.every, self.today) else { return Ok(None) };
        Ok(period.closing_on(self.today, self.cal)?.then_some((c, period)))
    }

    /// The plan for a batch of tasks.
    pub fn plan(&self, tasks: &[Seen<'_>]) -> Plan {
        let mut plan = Plan::default();
        for seen in tasks {
            self.plan_task(seen, &mut plan);
        }
        plan
    }

    /// Decides what one task needs at this pass, adding it to the plan.
    fn plan_task(&self, seen: &Seen<'_>, plan: &mut Plan) {
        let Seen { task, schedule, notices, activity } = *seen;
        let now = self.now;
        let mut found = Vec::new();
        plan.open_tasks += 1;
        match schedule.light_at(now).unwrap_or(Light::Green) {
            Light::Green => plan.green += 1,
            Light::Yellow => plan.yellow += 1,
            Light::Red => plan.red += 1,
        }
        let urgent = is_urgent(task);
        let not_before = if urgent { Ok(now) } else { self.not_before.clone() };
        let staff = self.people.unit_staff(task);
        let progress_since =
            |t: Timestamp| activity.iter().any(|e| e.at > t && e.kind.is_some_and(EventKind::is_progress));
        let (mut notices_out, mut reminders_out) = (Vec::new(), Vec::new());
        for st in schedule.stages.iter().filter(|s| s.stopped_at.is_none()) {
            let (Some(due), Some(due_at)) = (st.due, st.due_at) else { continue };
            let base = format!("{}:{}:{due}", task.id, st.stage);
            if now > due_at {
                match &self.working_hours {
                    Ok(false) if !urgent => continue,
                    Err(e) if !urgent => {
                        found.push(e.clone());
                        continue;
                    }
                    _ => {}
                }
                let answer_by = match &self.answer_by {
                    Ok(d) => *d,
                    Err(e) => {
                        found.push(e.clone());
                        continue;
                    }
                };
                let since = task.events.get(&st.start).copied().unwrap_or(Timestamp::UNIX_EPOCH);
                let of_stage: Vec<_> = notices.iter().filter(|n| n.stage == st.stage && n.issued_at >= since).collect();
                let first = of_stage.iter().find(|n| n.round == 1);
                let round = match of_stage.iter().map(|n| n.round).max() {
                    None => 1,
                    Some(1) if first.is_some_and(|n| self.today > n.answer_by && !progress_since(n.issued_at)) => 2,
                    Some(_) => continue,
                };
                let key = format!("督:{base}:{round}");
                let escalation = format!("升:{base}:{round}");
                let body = format!(
                    "任务“{}”的“{}”环节已于 {} 逾期，请于 {} 前书面答复办理情况，并由单位主要负责人签字。",
                    task.fields.title, st.name, due, answer_by
                );
                let (messages, escalates) = self.notice_messages(task, &staff, [&key, &escalation], body);
                let naming = match first {
                    Some(first) if round == 2 => self
                        .people
                        .lead_units(task)
                        .into_iter()
                        .map(|u| Naming {
                            dedup_key: format!("名:{base}:{}", u.0),
                            task: task.id,
                            unit: u,
                            person: task.fields.responsible_person_id,
                            created_at: now,
                            reason: format!("连续两次督办（{}、{NUMBER}）仍无进展", first.number),
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                notices_out.push(PlannedNotice {
                    dedup_key: key,
                    task: task.id,
                    stage: st.stage.clone(),
                    round,
                    issued_at: now,
                    issued_on: self.today,
                    answer_by,
                    recipients: self.people.lead_units(task),
                    text: String::new(),
                    event_data: serde_json::json!({"number": NUMBER, "stage": st.stage, "round": round, "answer_by": answer_by}),
                    messages,
                    escalates,
                    naming,
                });
            } else if st.warn_at(&self.tz).is_some_and(|w| now >= w) {
                let not_before = match &not_before {
                    Ok(t) => *t,
                    Err(e) => {
                        found.push(e.clone());
                        continue;
                    }
                };
                let key = format!("催:{base}");
                let m = Outgoing {
                    kind: MessageKind::Remind,
                    key: &key,
                    task,
                    subject: format!("催办：{}", task.fields.title),
                    body: format!("任务“{}”的“{}”环节将于 {} 到期，请抓紧办理。", task.fields.title, st.name, due),
                    now,
                    not_before,
                };
                reminders_out.push(Reminder { kind: ReminderKind::Due, task: task.id, messages: m.to(&staff) });
            }
        }
        // Periodic progress reports.
        match self.closing_period(task) {
            Ok(Some((c, period))) => {
                let in_period = |at: Timestamp| {
                    ReportPeriod::of(c.every, at.to_zoned(self.tz.clone()).date()).is_some_and(|p| p.key == period.key)
                };
                let reported = activity.iter().any(|e| e.kind == Some(EventKind::Report) && in_period(e.at));
                match (&not_before, reported) {
                    (_, true) => {}
                    (Err(e), false) => found.push(e.clone()),
                    (Ok(not_before), false) => {
                        let key = format!("报:{}:{}", task.id, period.key);
                        let m = Outgoing {
                            kind: MessageKind::Cadence,
                            key: &key,
                            task,
                            subject: format!("进展报告提醒（{}）：{}", c.name, task.fields.title),
                            body: format!(
                                "按“{}”要求，任务“{}”本期（{}）尚未报告进展，请及时报送。",
                                c.name, task.fields.title, period.key
                            ),
                            now,
                            not_before: *not_before,
                        };
                        reminders_out.push(Reminder {
                            kind: ReminderKind::Cadence,
                            task: task.id,
                            messages: m.to(&staff),
                        });
                    }
                }
            }
            Ok(None) => {}
            Err(e) => found.push(e),
        }
        // One problem a task: the first the plan met.
        if let Some(error) = found.into_iter().next() {
            plan.problems.push(Problem { task: task.id, error });
        }
        plan.notices.extend(notices_out);
        plan.reminders.extend(reminders_out);
    }

    /// The messages of a 督办 notice: to the unit's `staff` under the first key, and to the
    /// leaders in charge under the second; and whether any leader hears of it (an escalation).
    fn notice_messages(&self, task: &Task, staff: &[&Person], keys: [&str; 2], body: String) -> (Vec<Message>, bool) {
        let out = |kind, key| Outgoing {
            kind,
            key,
            task,
            subject: format!("督办通知 {NUMBER}：{}", task.fields.title),
            body: body.clone(),
            now: self.now,
            not_before: self.now,
        };
        let mut messages = out(MessageKind::Supervise, keys[0]).to(staff);
        let leaders = self.people.leaders(task);
        messages.extend(out(MessageKind::Escalate, keys[1]).to(&leaders));
        (messages, !leaders.is_empty())
    }

    /// A 催办 sent by hand by the office to the task's lead unit over the chosen `channels`,
    /// with an optional instruction `text`: at once (the office acts in person), to the same
    /// people as a reminder of the pass (those of the lead unit who may see the task), each
    /// channel only where the person has an address. A 涉密 task's e-mail and SMS say only where
    /// to look. Empty when no one of the lead unit can be reached over those channels.
    pub fn remind_by_hand(
        &self,
        task: &Task,
        schedule: &Schedule,
        channels: &[MessageChannel],
        text: &str,
    ) -> Reminder {
        let stage = schedule
            .most_urgent_open()
            .map(|s| match s.due {
                Some(due) => format!("“{}”环节（{due} 到期）", s.name),
                None => format!("“{}”环节", s.name),
            })
            .unwrap_or_else(|| "办理".into());
        let text = text.trim();
        let ask = if text.is_empty() { "请抓紧办理，并及时报送进展情况" } else { text };
        let key = format!("催:手工:{}:{}", task.id, self.now.as_millisecond());
        let m = Outgoing {
            kind: MessageKind::Remind,
            key: &key,
            task,
            subject: format!("催办：{}", task.fields.title),
            body: format!("任务“{}”{stage}：{ask}。", task.fields.title),
            now: self.now,
            not_before: self.now,
        };
        let messages =
            m.to(&self.people.unit_staff(task)).into_iter().filter(|m| channels.contains(&m.channel)).collect();
        Reminder { kind: ReminderKind::Due, task: task.id, messages }
    }

    /// A 督办 issued by hand with an instruction `text`, on the task's most urgent
    /// open stage (or 办结 when none is due): numbered, in the trail, to the unit and its leader
    /// in charge, to be answered by the date the rules give. `earlier` are the task's notices
    /// so far; its round counts them on that stage.
    pub fn by_hand(
        &self,
        task: &Task,
        schedule: &Schedule,
        earlier: &[Issued],
        text: &str,
    ) -> Result<PlannedNotice, CalendarError> {
        let answer_by = self.answer_by.clone()?;
        Ok(self.notice_by_hand(task, schedule, earlier, text, answer_by, self.people.lead_units(task)))
    }

    /// The answer date the rules give a notice issued today.
    pub fn default_answer_by(&self) -> Result<Date, CalendarError> {
        self.answer_by.clone()
    }

    /// A 督办通知单 issued by hand as the office ordered it ([`Order`]): answered by the date
    /// it chose (a working day, not before today; else the rules' date), addressed (主送) to the
    /// lead units and the cooperating units it added, whose people it reaches as it reaches the
    /// lead unit's. A unit that does not cooperate on the task, or a date that is not a working
    /// day from today on, is refused.
    pub fn order_by_hand(
        &self,
        task: &Task,
        schedule: &Schedule,
        earlier: &[Issued],
        order: &Order,
    ) -> Result<PlannedNotice, crate::Error> {
        let answer_by = match order.answer_by {
            None => self.answer_by.clone()?,
            Some(d) if d < self.today => {
                return Err(crate::Error::invalid("answer_by", format!("答复时限 {d} 早于今天（{}）", self.today)));
            }
            Some(d) if !self.cal.is_workday(d)?.value => {
                return Err(crate::Error::invalid("answer_by", format!("答复时限 {d} 不是工作日，请另选日期")));
            }
            Some(d) => d,
        };
        let cooperating = self.people.cooperating_units(task);
        let mut recipients = self.people.lead_units(task);
        for u in &order.recipients {
            if recipients.contains(u) {
                continue;
            }
            if !cooperating.contains(u) {
                return Err(crate::Error::invalid("recipients", "主送单位只能是本任务的牵头单位或配合单位"));
            }
            recipients.push(*u);
        }
        Ok(self.notice_by_hand(task, schedule, earlier, &order.text, answer_by, recipients))
    }

    fn notice_by_hand(
        &self,
        task: &Task,
        schedule: &Schedule,
        earlier: &[Issued],
        text: &str,
        answer_by: Date,
        recipients: Vec<UnitId>,
    ) -> PlannedNotice {
        let now = self.now;
        let (stage, name) = schedule
            .most_urgent_open()
            .map(|s| (s.stage.clone(), s.name.clone()))
            .unwrap_or(("done".into(), "办结".into()));
        let round = i64::try_from(earlier.iter().filter(|n| n.stage == stage).count()).unwrap_or(0) + 1;
        let key = format!("督:手工:{}:{}", task.id, now.as_millisecond());
        let escalation = format!("升{key}");
        let body = format!(
            "任务“{}”（{name}环节）：{text}。请于 {answer_by} 前书面答复办理情况，并由单位主要负责人签字。",
            task.fields.title
        );
        let (messages, escalates) =
            self.notice_messages(task, &self.people.staff_of(task, &recipients), [&key, &escalation], body);
        let units: Vec<i64> = recipients.iter().map(|u| u.0).collect();
        PlannedNotice {
            dedup_key: key,
            task: task.id,
            event_data: serde_json::json!({"number": NUMBER, "stage": stage, "round": round, "answer_by": answer_by, "text": text, "recipients": units}),
            stage,
            round,
            issued_at: now,
            issued_on: self.today,
            answer_by,
            recipients,
            text: text.to_string(),
            messages,
            escalates,
            naming: Vec::new(),
        }
    }
}

/// What the office orders in a 督办通知单 by hand.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Order {
    /// The instruction (督办要求).
    pub text: String,
    /// The date to answer by (答复时限); the rules' date when not chosen.
    pub answer_by: Option<Date>,
    /// Units to address besides the lead units (主送): cooperating units of the task.
    pub recipients: Vec<UnitId>,
}

#[cfg(test)]
mod tests;
