//! The supervision engine (REQUIREMENTS §6, issue 4 §3): one pass over every open task at a
//! given instant.
//!
//! - A stage in its warning window gets a 催办 reminder to the lead unit's officers and head.
//! - An overdue stage gets a numbered 督办 notice with a date to answer by, recorded in the
//!   task's trail, and is escalated to the leader in charge. If the answer date passes with no
//!   progress, a second notice follows; two notices with no progress between them make the
//!   unit and the responsible person candidates for public naming (001 §10).
//! - A task due a periodic progress report (its class's cadence) that has not reported in the
//!   current period is reminded in the last working days of the period.
//!
//! Reminders wait for working hours on a working day, and 督办 notices are issued only then (the
//! office does not date a formal notice on a holiday, and its answer date counts from a working
//! day); urgent and critical tasks' go at once.
//! Every recipient must be able to see the task (issue 9, [`duban_domain::visibility`]): a 涉密
//! task's notices go only to the people named on it, and its content never goes by e-mail or SMS
//! (they are told to look in the system).
//! Every record has a dedup key, so a pass run twice, or a server restarted midway, creates
//! nothing twice and misses nothing.

use crate::service::Duban;
use duban_domain::Error;
use duban_domain::calendar::Calendar;
use duban_domain::ids::{PersonId, TaskId, UnitId};
use duban_domain::org::{Person, Role};
use duban_domain::policy::{Cadence, Period, Policy, TaskFacts};
use duban_domain::schedule::Schedule;
use duban_domain::task::{Classification, Light, Party, Priority, Status, Task};
use duban_domain::visibility::{Audience, Channel, Disclosure, Members, disclosure};
use duban_store::{Activity, NUMBER, NewEvent, NewMessage, NewNaming, NewNotice, Notice, Supervision};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TickSummary {
    pub now: String,
    pub open_tasks: u64,
    pub green: u64,
    pub yellow: u64,
    pub red: u64,
    pub reminders: u32,
    pub cadence_reminders: u32,
    /// Numbers of the 督办 notices issued.
    pub notices: Vec<String>,
    pub escalations: u32,
    pub naming_candidates: u32,
    pub delivered: u32,
}

/// Events that count as progress on a task (and answer a 督办).
pub(crate) const PROGRESS: &[&str] =
    &["sign", "deploy", "report", "feedback", "approve", "request_extension", "raise_dispute"];

struct People {
    by_unit: HashMap<UnitId, Vec<Person>>,
    by_id: HashMap<PersonId, Person>,
    group_members: Members,
}

impl People {
    /// Whether a person may hear of a task: the same rule as seeing it.
    fn sees(&self, p: &Person, t: &Task) -> bool {
        Audience::of(p).sees(t, &self.group_members)
    }

    fn lead_units(&self, t: &Task) -> Vec<UnitId> {
        let mut out = Vec::new();
        for p in &t.fields.lead {
            match p {
                Party::Unit(u) => out.push(*u),
                Party::Group(g) => out.extend(self.group_members.get(&g.0).cloned().unwrap_or_default()),
            }
        }
        out
    }

    /// The officers and heads of the task's lead units who may see it; for a 涉密 task, the
    /// responsible person named on it.
    fn unit_staff(&self, t: &Task) -> Vec<&Person> {
        let mut out: Vec<&Person> = self
            .lead_units(t)
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

    /// The task's leader in charge, or the leaders in charge of its lead units.
    fn leaders(&self, t: &Task) -> Vec<&Person> {
        if let Some(l) = t.fields.leader_id.and_then(|id| self.by_id.get(&id)) {
            return if self.sees(l, t) { vec![l] } else { Vec::new() };
        }
        let units = self.lead_units(t);
        self.by_id
            .values()
            .filter(|p| {
                p.active
                    && p.fields.roles.contains(&Role::Leader)
                    && p.fields.charge_units.iter().any(|u| units.contains(u))
            })
            .filter(|p| self.sees(p, t))
            .collect()
    }
}

/// The period a cadence counts in, as a key, and whether `today` is in its last two working days.
fn period(every: Period, today: Date, cal: &Calendar) -> Option<(String, bool)> {
    let (key, end) = match every {
        Period::PerEvent => return None,
        Period::Week => {
            let iso = today.iso_week_date();
            let sunday =
                today.checked_add(jiff::Span::new().days(i64::from(7 - iso.weekday().to_monday_one_offset()))).ok()?;
            (format!("{}W{:02}", iso.year(), iso.week()), sunday)
        }
        Period::HalfMonth => {
            let half = if today.day() <= 15 { "a" } else { "b" };
            let end = if today.day() <= 15 { today.with().day(15).build().ok()? } else { today.last_of_month() };
            (format!("{}-{:02}{half}", today.year(), today.month()), end)
        }
        Period::Month => (format!("{}-{:02}", today.year(), today.month()), today.last_of_month()),
        Period::Quarter => {
            let q = (today.month() - 1) / 3 + 1;
            let end = Date::new(today.year(), q * 3, 1).ok()?.last_of_month();
            (format!("{}Q{q}", today.year()), end)
        }
    };
    let left = cal.workdays_between(today, end).ok()?.value;
    Some((key, left <= 1))
}

impl Duban {
    /// When a message may go: now for urgent work or within working hours, else the start of the
    /// next working day.
    fn send_time(&self, now: Timestamp, urgent: bool) -> Timestamp {
        if urgent {
            return now;
        }
        let s = &self.policy().settings;
        let tz = self.policy().timezone();
        let local = now.to_zoned(tz.clone());
        let cal = self.calendar();
        let today = local.date();
        let workday = cal.is_workday(today).map(|r| r.value).unwrap_or(today.weekday().to_monday_one_offset() <= 5);
        if workday && local.time() >= s.start_of_day && local.time() <= s.end_of_day {
            return now;
        }
        let day = if workday && local.time() < s.start_of_day {
            today
        } else {
            cal.add_workdays(today, 1).map(|r| r.value).unwrap_or(today)
        };
        day.to_datetime(s.start_of_day).to_zoned(tz).map(|z| z.timestamp()).unwrap_or(now)
    }

    /// The messages that tell `to` about a task: the in-app inbox, and e-mail and SMS where the
    /// person has an address. `to` holds only people who may see the task; a channel that may not
    /// carry the task's content (e-mail and SMS for a 涉密 task) says only where to look.
    fn messages(&self, to: &[&Person], m: &Outgoing<'_>) -> Vec<NewMessage> {
        let mut out = Vec::new();
        for p in to {
            let mut channels = vec![("inbox", String::new())];
            if !p.fields.email.is_empty() {
                channels.push(("email", p.fields.email.clone()));
            }
            if !p.fields.phone.is_empty() {
                channels.push(("sms", p.fields.phone.clone()));
            }
            for (channel, address) in channels {
                let (subject, body) = match disclosure(m.classification, Channel::of_message(channel)) {
                    Disclosure::Full => (m.subject.clone(), m.body.clone()),
                    Disclosure::Withheld => withheld(m.kind),
                };
                out.push(NewMessage {
                    dedup_key: format!("{}:{}:{channel}", m.key, p.id),
                    kind: m.kind.into(),
                    channel: channel.into(),
                    person_id: Some(p.id),
                    address,
                    task_id: Some(m.task),
                    subject,
                    body,
                    created_at: m.now,
                    not_before: m.not_before,
                });
            }
        }
        out
    }

    /// Everyone, by unit and by id, with each group's units.
    async fn people(&self) -> Result<People, Error> {
        let all = self.store().list_people().await?;
        let mut by_unit: HashMap<UnitId, Vec<Person>> = HashMap::new();
        for p in &all {
            if let Some(u) = p.fields.unit_id {
                by_unit.entry(u).or_default().push(p.clone());
            }
        }
        let group_members = self.group_members().await?;
        Ok(People { by_unit, by_id: all.into_iter().map(|p| (p.id, p)).collect(), group_members })
    }

    /// A 督办 issued by hand by the office or a leader, on the task's most urgent open stage,
    /// with their instruction: numbered, in the trail, sent to the unit and its leader in charge.
    pub async fn supervise_by_hand(&self, id: TaskId, actor: PersonId, text: &str) -> Result<Notice, Error> {
        let person = self.store().get_person(actor).await?;
        let roles = &person.fields.roles;
        if !(roles.contains(&Role::Office) || roles.contains(&Role::Admin) || roles.contains(&Role::Leader)) {
            return Err(Error::Forbidden);
        }
        let text = text.trim();
        if text.is_empty() {
            return Err(Error::invalid("text", "请写明督办要求"));
        }
        // A task the actor may not see answers as a missing one.
        let task = self.visible_task(&person, id).await?;
        if !task.status.is_open() {
            return Err(Error::Conflict(format!("任务已{}，无需督办", task.status.label())));
        }
        let now = self.now();
        let tz = self.policy().timezone();
        let cal = self.calendar();
        let today = now.to_zoned(tz).date();
        let answer_days = i32::try_from(self.policy().settings.notice_answer_within).unwrap_or(3);
        let answer_by = cal.add_workdays(today, answer_days).map(|r| r.value).unwrap_or(today);
        let schedule = self.schedule_of(&task.fields, &task.events);
        let stage = schedule
            .stages
            .iter()
            .filter(|s| s.stopped_at.is_none() && s.due_at.is_some())
            .min_by_key(|s| s.due_at)
            .map(|s| (s.stage.clone(), s.name.clone()))
            .unwrap_or(("done".into(), "办结".into()));
        let earlier = self.store().supervision_records(&[id], &[]).await?.notices;
        let round = i64::try_from(earlier.iter().filter(|n| n.stage == stage.0).count()).unwrap_or(0) + 1;
        let people = self.people().await?;
        let key = format!("督:手工:{}:{}", id, now.as_millisecond());
        let subject = format!("督办通知 {NUMBER}：{}", task.fields.title);
        let body = format!(
            "任务“{}”（{}环节）：{text}。请于 {answer_by} 前书面答复办理情况，并由单位主要负责人签字。",
            task.fields.title, stage.1
        );
        let out = |kind, key: String| Outgoing {
            kind,
            key,
            task: id,
            classification: task.fields.classification,
            subject: subject.clone(),
            body: body.clone(),
            now,
            not_before: now,
        };
        let mut messages = self.messages(&people.unit_staff(&task), &out("supervise", key.clone()));
        messages.extend(self.messages(&people.leaders(&task), &out("escalate", format!("升{key}"))));
        let s = Supervision {
            notice: NewNotice {
                dedup_key: key,
                task_id: id,
                stage: stage.0.clone(),
                round,
                issued_at: now,
                issued_on: today,
                answer_by,
            },
            event: NewEvent {
                at: now,
                actor_id: Some(actor),
                kind: "supervised".into(),
                data: serde_json::json!({"number": NUMBER, "stage": stage.0, "round": round, "answer_by": answer_by, "text": text}),
            },
            messages,
            naming: Vec::new(),
        };
        let issued = self.store().record_supervision(&[s]).await?;
        self.deliver(now).await?;
        issued.into_iter().flatten().next().ok_or(Error::Internal)
    }

    /// One supervision pass at `now`. Tasks are read in batches of 500; each batch's notices and
    /// trail activity are read in two queries, and what the batch creates is written in two
    /// transactions.
    pub async fn tick(&self, now: Timestamp) -> Result<TickSummary, Error> {
        let tz = self.policy().timezone();
        let today = now.to_zoned(tz.clone()).date();
        let cal = self.calendar();
        let people = self.people().await?;
        let answer_days = i32::try_from(self.policy().settings.notice_answer_within).unwrap_or(3);
        let pass = Pass {
            now,
            today,
            answer_by: cal.add_workdays(today, answer_days).map(|r| r.value).unwrap_or(today),
            working_hours: self.send_time(now, false) == now,
            policy: self.policy(),
            tz: tz.clone(),
            people,
            cal,
        };
        let mut sum =
            TickSummary { now: now.to_zoned(tz).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(), ..Default::default() };
        let mut after = TaskId(0);
        loop {
            let batch = self.store().open_tasks(after, 500).await?;
            let Some(last) = batch.last() else { break };
            after = last.id;
            // Notices and activity are read only for the tasks that need them: those with an
            // overdue stage, and those whose report period is closing.
            let schedules: Vec<Schedule> = batch.iter().map(|t| self.schedule_of(&t.fields, &t.events)).collect();
            let closing: Vec<_> = batch.iter().map(|t| self.closing_period(t, &pass)).collect();
            let (mut notices_of, mut activity_of) = (Vec::new(), Vec::new());
            for ((t, sch), c) in batch.iter().zip(&schedules).zip(&closing) {
                if sch.stages.iter().any(|s| s.stopped_at.is_none() && s.due_at.is_some_and(|d| now > d)) {
                    notices_of.push(t.id);
                    activity_of.push(t.id);
                } else if c.is_some() {
                    activity_of.push(t.id);
                }
            }
            let recs = self.store().supervision_records(&notices_of, &activity_of).await?;
            let mut notices: HashMap<TaskId, Vec<Notice>> = HashMap::new();
            for n in recs.notices {
                notices.entry(n.task_id).or_default().push(n);
            }
            let mut activity: HashMap<TaskId, Vec<Activity>> = HashMap::new();
            for e in recs.activity {
                activity.entry(e.task_id).or_default().push(e);
            }
            let mut plan = Plan::default();
            for ((task, schedule), closing) in batch.iter().zip(&schedules).zip(closing) {
                let seen = Seen {
                    task,
                    schedule,
                    closing,
                    notices: notices.get(&task.id).map(Vec::as_slice).unwrap_or_default(),
                    activity: activity.get(&task.id).map(Vec::as_slice).unwrap_or_default(),
                };
                self.plan_task(seen, &pass, &mut plan, &mut sum);
            }
            let issued = self.store().record_supervision(&plan.supervisions).await?;
            for (n, (escalated, named)) in issued.iter().zip(&plan.consequences) {
                if let Some(n) = n {
                    sum.notices.push(n.number.clone());
                    sum.escalations += u32::from(*escalated);
                    sum.naming_candidates += named;
                }
            }
            let queued = self.store().enqueue(&plan.messages).await?;
            for (kind, range) in &plan.reminders {
                let new = range.clone().any(|i| {
                    queued.get(i).copied().unwrap_or(false)
                        && plan.messages.get(i).is_some_and(|m| m.channel == "inbox")
                });
                match kind {
                    Reminder::Due if new => sum.reminders += 1,
                    Reminder::Cadence if new => sum.cadence_reminders += 1,
                    _ => {}
                }
            }
        }
        sum.delivered = self.deliver(now).await?;
        Ok(sum)
    }

    /// The task's report cadence and the key of its period, when the task is due to report and
    /// the period is in its last working days.
    fn closing_period<'p>(&self, task: &Task, pass: &'p Pass) -> Option<(&'p Cadence, String)> {
        let reporting = matches!(task.status, Status::Signed | Status::Deployed | Status::InProgress);
        let facts = TaskFacts {
            source: task.fields.source,
            priority: task.fields.priority,
            complexity: task.fields.complexity,
            deadline: task.fields.deadline,
        };
        let c = pass.policy.cadence(&facts).filter(|_| reporting)?;
        let (key, closing) = period(c.every, pass.today, &pass.cal)?;
        closing.then_some((c, key))
    }

    /// Decides what one task needs at this pass, adding it to the batch's plan.
    fn plan_task(&self, seen: Seen<'_>, pass: &Pass, plan: &mut Plan, sum: &mut TickSummary) {
        let Seen { task, schedule, closing, notices, activity } = seen;
        let (now, today, tz) = (pass.now, pass.today, &pass.tz);
        let people = &pass.people;
        sum.open_tasks += 1;
        match schedule.light_at(now).unwrap_or(Light::Green) {
            Light::Green => sum.green += 1,
            Light::Yellow => sum.yellow += 1,
            Light::Red => sum.red += 1,
        }
        let urgent = matches!(task.fields.priority, Priority::Urgent | Priority::Critical);
        let staff = people.unit_staff(task);
        let progress_since = |t: Timestamp| activity.iter().any(|e| e.at > t && PROGRESS.contains(&e.kind.as_str()));
        for st in schedule.stages.iter().filter(|s| s.stopped_at.is_none()) {
            let (Some(due), Some(due_at)) = (st.due, st.due_at) else { continue };
            let base = format!("{}:{}:{due}", task.id, st.stage);
            if now > due_at {
                if !(urgent || pass.working_hours) {
                    continue;
                }
                let since = task.events.get(&st.start).copied().unwrap_or(Timestamp::UNIX_EPOCH);
                let of_stage: Vec<_> = notices.iter().filter(|n| n.stage == st.stage && n.issued_at >= since).collect();
                let first = of_stage.iter().find(|n| n.round == 1);
                let round = match of_stage.iter().map(|n| n.round).max() {
                    None => 1,
                    Some(1) if first.is_some_and(|n| today > n.answer_by && !progress_since(n.issued_at)) => 2,
                    Some(_) => continue,
                };
                let subject = format!("督办通知 {NUMBER}：{}", task.fields.title);
                let body = format!(
                    "任务“{}”的“{}”环节已于 {} 逾期，请于 {} 前书面答复办理情况，并由单位主要负责人签字。",
                    task.fields.title, st.name, due, pass.answer_by
                );
                let out = |kind, key: String| Outgoing {
                    kind,
                    key,
                    task: task.id,
                    classification: task.fields.classification,
                    subject: subject.clone(),
                    body: body.clone(),
                    now,
                    not_before: now,
                };
                let mut messages = self.messages(&staff, &out("supervise", format!("督:{base}:{round}")));
                let leaders = people.leaders(task);
                messages.extend(self.messages(&leaders, &out("escalate", format!("升:{base}:{round}"))));
                let naming: Vec<NewNaming> = match first {
                    Some(first) if round == 2 => people
                        .lead_units(task)
                        .into_iter()
                        .map(|u| NewNaming {
                            dedup_key: format!("名:{base}:{}", u.0),
                            task_id: task.id,
                            unit_id: Some(u),
                            person_id: task.fields.responsible_person_id,
                            created_at: now,
                            reason: format!("连续两次督办（{}、{NUMBER}）仍无进展", first.number),
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                plan.consequences.push((!leaders.is_empty(), u32::try_from(naming.len()).unwrap_or(u32::MAX)));
                plan.supervisions.push(Supervision {
                    notice: NewNotice {
                        dedup_key: format!("督:{base}:{round}"),
                        task_id: task.id,
                        stage: st.stage.clone(),
                        round,
                        issued_at: now,
                        issued_on: today,
                        answer_by: pass.answer_by,
                    },
                    event: NewEvent {
                        at: now,
                        actor_id: None,
                        kind: "supervised".into(),
                        data: serde_json::json!({"number": NUMBER, "stage": st.stage, "round": round, "answer_by": pass.answer_by}),
                    },
                    messages,
                    naming,
                });
            } else if st.warn_at(tz).is_some_and(|w| now >= w) {
                let m = Outgoing {
                    kind: "remind",
                    key: format!("催:{base}"),
                    task: task.id,
                    classification: task.fields.classification,
                    subject: format!("催办：{}", task.fields.title),
                    body: format!("任务“{}”的“{}”环节将于 {} 到期，请抓紧办理。", task.fields.title, st.name, due),
                    now,
                    not_before: self.send_time(now, urgent),
                };
                plan.remind(Reminder::Due, self.messages(&staff, &m));
            }
        }
        // Periodic progress reports.
        if let Some((c, key)) = closing {
            let in_period =
                |at: Timestamp| period(c.every, at.to_zoned(tz.clone()).date(), &pass.cal).is_some_and(|p| p.0 == key);
            let reported = activity.iter().any(|e| e.kind == "report" && in_period(e.at));
            if !reported {
                let m = Outgoing {
                    kind: "cadence",
                    key: format!("报:{}:{key}", task.id),
                    task: task.id,
                    classification: task.fields.classification,
                    subject: format!("进展报告提醒（{}）：{}", c.name, task.fields.title),
                    body: format!(
                        "按“{}”要求，任务“{}”本期（{key}）尚未报告进展，请及时报送。",
                        c.name, task.fields.title
                    ),
                    now,
                    not_before: self.send_time(now, urgent),
                };
                plan.remind(Reminder::Cadence, self.messages(&staff, &m));
            }
        }
    }
}

/// One task as a pass sees it: its schedule, its report period if closing, and its notices and
/// trail activity where they were read.
struct Seen<'a> {
    task: &'a Task,
    schedule: &'a Schedule,
    closing: Option<(&'a Cadence, String)>,
    notices: &'a [Notice],
    activity: &'a [Activity],
}

/// What a pass knows for every task.
struct Pass {
    now: Timestamp,
    today: Date,
    answer_by: Date,
    /// Within working hours on a working day.
    working_hours: bool,
    /// The rules, the same for the whole pass.
    policy: Arc<Policy>,
    tz: TimeZone,
    people: People,
    cal: Arc<Calendar>,
}

/// A message to go to several people.
struct Outgoing<'a> {
    kind: &'a str,
    key: String,
    task: TaskId,
    classification: Classification,
    subject: String,
    body: String,
    now: Timestamp,
    not_before: Timestamp,
}

/// The subject and body of a message whose task's content its channel may not carry.
fn withheld(kind: &str) -> (String, String) {
    let what = match kind {
        "remind" => "催办".to_string(),
        "cadence" => "进展报告提醒".to_string(),
        _ => format!("督办通知 {NUMBER}"),
    };
    (
        format!("{what}：涉密任务"),
        format!(
            "您有一项涉密任务的{}，其内容不通过邮件和短信发送，请登录督办系统查看。",
            what.replace(NUMBER, "").trim()
        ),
    )
}

#[derive(Clone, Copy)]
enum Reminder {
    Due,
    Cadence,
}

/// What a batch of tasks needs written.
#[derive(Default)]
struct Plan {
    supervisions: Vec<Supervision>,
    /// For each supervision: whether it escalates to a leader, and how many it names.
    consequences: Vec<(bool, u32)>,
    messages: Vec<NewMessage>,
    /// Which of `messages` make up each reminder.
    reminders: Vec<(Reminder, std::ops::Range<usize>)>,
}

impl Plan {
    fn remind(&mut self, kind: Reminder, messages: Vec<NewMessage>) {
        let start = self.messages.len();
        self.messages.extend(messages);
        self.reminders.push((kind, start..self.messages.len()));
    }
}
