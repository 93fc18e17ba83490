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
//! Reminders wait for working hours on a working day; urgent and critical tasks' go at once.
//! Every record has a dedup key, so a pass run twice, or a server restarted midway, creates
//! nothing twice and misses nothing.

use crate::service::Duban;
use duban_domain::Error;
use duban_domain::calendar::Calendar;
use duban_domain::ids::{PersonId, TaskId, UnitId};
use duban_domain::org::{Person, Role};
use duban_domain::policy::{Period, TaskFacts};
use duban_domain::task::{Light, Party, Priority, Task};
use duban_store::{NewEvent, NewMessage, NewNaming, NewNotice};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use std::collections::HashMap;

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

/// Events that count as progress on a task.
const PROGRESS: &[&str] = &["sign", "deploy", "report", "feedback", "approve", "request_extension", "raise_dispute"];

struct People {
    by_unit: HashMap<UnitId, Vec<Person>>,
    by_id: HashMap<PersonId, Person>,
    group_members: HashMap<i64, Vec<UnitId>>,
}

impl People {
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

    /// The officers and heads of the task's lead units.
    fn unit_staff(&self, t: &Task) -> Vec<&Person> {
        self.lead_units(t)
            .iter()
            .flat_map(|u| self.by_unit.get(u).into_iter().flatten())
            .filter(|p| {
                p.active && (p.fields.roles.contains(&Role::Officer) || p.fields.roles.contains(&Role::UnitHead))
            })
            .collect()
    }

    /// The task's leader in charge, or the leaders in charge of its lead units.
    fn leaders(&self, t: &Task) -> Vec<&Person> {
        if let Some(l) = t.fields.leader_id.and_then(|id| self.by_id.get(&id)) {
            return vec![l];
        }
        let units = self.lead_units(t);
        self.by_id
            .values()
            .filter(|p| {
                p.active
                    && p.fields.roles.contains(&Role::Leader)
                    && p.fields.charge_units.iter().any(|u| units.contains(u))
            })
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

    #[allow(clippy::too_many_arguments)]
    async fn notify(
        &self,
        to: &[&Person],
        kind: &str,
        key: &str,
        task: &Task,
        subject: &str,
        body: &str,
        now: Timestamp,
        not_before: Timestamp,
    ) -> Result<u32, Error> {
        let mut n = 0;
        for p in to {
            let mut channels = vec![("inbox", String::new())];
            if !p.fields.email.is_empty() {
                channels.push(("email", p.fields.email.clone()));
            }
            if !p.fields.phone.is_empty() {
                channels.push(("sms", p.fields.phone.clone()));
            }
            for (channel, address) in channels {
                let m = NewMessage {
                    dedup_key: format!("{key}:{}:{channel}", p.id),
                    kind: kind.into(),
                    channel: channel.into(),
                    person_id: Some(p.id),
                    address,
                    task_id: Some(task.id),
                    subject: subject.into(),
                    body: body.into(),
                    created_at: now,
                    not_before,
                };
                if self.store().enqueue(&m).await? && channel == "inbox" {
                    n += 1;
                }
            }
        }
        Ok(n)
    }

    /// One supervision pass at `now`.
    pub async fn tick(&self, now: Timestamp) -> Result<TickSummary, Error> {
        let tz = self.policy().timezone();
        let today = now.to_zoned(tz.clone()).date();
        let cal = self.calendar();
        let people = {
            let all = self.store().list_people().await?;
            let mut by_unit: HashMap<UnitId, Vec<Person>> = HashMap::new();
            for p in &all {
                if let Some(u) = p.fields.unit_id {
                    by_unit.entry(u).or_default().push(p.clone());
                }
            }
            let group_members = self.store().list_groups().await?.into_iter().map(|g| (g.id.0, g.members)).collect();
            People { by_unit, by_id: all.into_iter().map(|p| (p.id, p)).collect(), group_members }
        };
        let answer_days = i32::try_from(self.policy().settings.notice_answer_within).unwrap_or(3);
        let answer_by = cal.add_workdays(today, answer_days).map(|r| r.value).unwrap_or(today);
        let mut sum = TickSummary {
            now: now.to_zoned(tz.clone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            ..Default::default()
        };
        let mut after = TaskId(0);
        loop {
            let batch = self.store().open_tasks(after, 500).await?;
            let Some(last) = batch.last() else { break };
            after = last.id;
            for task in &batch {
                self.supervise_task(task, now, today, answer_by, &people, &cal, &mut sum).await?;
            }
        }
        sum.delivered = self.deliver(now).await?;
        Ok(sum)
    }

    #[allow(clippy::too_many_arguments)]
    async fn supervise_task(
        &self,
        task: &Task,
        now: Timestamp,
        today: Date,
        answer_by: Date,
        people: &People,
        cal: &Calendar,
        sum: &mut TickSummary,
    ) -> Result<(), Error> {
        sum.open_tasks += 1;
        let schedule = self.schedule_of(&task.fields, &task.events);
        match schedule.light_at(now).unwrap_or(Light::Green) {
            Light::Green => sum.green += 1,
            Light::Yellow => sum.yellow += 1,
            Light::Red => sum.red += 1,
        }
        let urgent = matches!(task.fields.priority, Priority::Urgent | Priority::Critical);
        let staff = people.unit_staff(task);
        let tz = self.policy().timezone();
        // Fetched at most once per task, and only when a stage is overdue.
        let mut events = None;
        let mut notices = None;
        for st in schedule.stages.iter().filter(|s| s.stopped_at.is_none()) {
            let (Some(due), Some(due_at)) = (st.due, st.due_at) else { continue };
            let base = format!("{}:{}:{due}", task.id, st.stage);
            if now > due_at {
                if events.is_none() {
                    events = Some(self.store().task_events(task.id).await?);
                }
                let evs = events.as_deref().unwrap_or_default();
                if notices.is_none() {
                    notices = Some(self.store().task_notices(task.id).await?);
                }
                let of_stage: Vec<_> = notices
                    .as_deref()
                    .unwrap_or_default()
                    .iter()
                    .filter(|n| {
                        n.stage == st.stage
                            && n.issued_at >= task.events.get(&st.start).copied().unwrap_or(Timestamp::UNIX_EPOCH)
                    })
                    .collect();
                let progress_since = |t: Timestamp| evs.iter().any(|e| e.at > t && PROGRESS.contains(&e.kind.as_str()));
                let round = match of_stage.iter().map(|n| n.round).max() {
                    None => Some(1),
                    Some(1) => of_stage
                        .iter()
                        .find(|n| n.round == 1)
                        .filter(|n| today > n.answer_by && !progress_since(n.issued_at))
                        .map(|_| 2),
                    Some(_) => None,
                };
                if let Some(round) = round {
                    let issued = self
                        .store()
                        .issue_notice(&NewNotice {
                            dedup_key: format!("督:{base}:{round}"),
                            task_id: task.id,
                            stage: st.stage.clone(),
                            round,
                            issued_at: now,
                            answer_by,
                        })
                        .await?;
                    if let Some(n) = issued {
                        let e = NewEvent {
                            at: now,
                            actor_id: None,
                            kind: "supervised".into(),
                            data: serde_json::json!({"number": n.number, "stage": st.stage, "round": round, "answer_by": n.answer_by}),
                        };
                        self.store().append_event(task.id, &e).await?;
                        let subject = format!("督办通知 {}：{}", n.number, task.fields.title);
                        let body = format!(
                            "任务“{}”的“{}”环节已于 {} 逾期，请于 {} 前书面答复办理情况，并由单位主要负责人签字。",
                            task.fields.title, st.name, due, n.answer_by
                        );
                        self.notify(
                            &staff,
                            "supervise",
                            &format!("督:{base}:{round}"),
                            task,
                            &subject,
                            &body,
                            now,
                            now,
                        )
                        .await?;
                        let leaders = people.leaders(task);
                        if self
                            .notify(
                                &leaders,
                                "escalate",
                                &format!("升:{base}:{round}"),
                                task,
                                &subject,
                                &body,
                                now,
                                now,
                            )
                            .await?
                            > 0
                        {
                            sum.escalations += 1;
                        }
                        sum.notices.push(n.number.clone());
                        if round == 2
                            && let Some(first) = of_stage.iter().find(|n| n.round == 1)
                            && !progress_since(first.issued_at)
                        {
                            for u in people.lead_units(task) {
                                let named = NewNaming {
                                    dedup_key: format!("名:{base}:{}", u.0),
                                    task_id: task.id,
                                    unit_id: Some(u),
                                    person_id: task.fields.responsible_person_id,
                                    created_at: now,
                                    reason: format!("连续两次督办（{}、{}）仍无进展", first.number, n.number),
                                };
                                if self.store().add_naming(&named).await? {
                                    sum.naming_candidates += 1;
                                }
                            }
                        }
                    }
                }
            } else if st.warn_at(&tz).is_some_and(|w| now >= w) {
                let subject = format!("催办：{}", task.fields.title);
                let body = format!("任务“{}”的“{}”环节将于 {} 到期，请抓紧办理。", task.fields.title, st.name, due);
                let when = self.send_time(now, urgent);
                sum.reminders += self
                    .notify(&staff, "remind", &format!("催:{base}"), task, &subject, &body, now, when)
                    .await?
                    .min(1);
            }
        }
        // Periodic progress reports.
        let reporting = matches!(
            task.status,
            duban_domain::task::Status::Signed
                | duban_domain::task::Status::Deployed
                | duban_domain::task::Status::InProgress
        );
        let facts = TaskFacts {
            source: task.fields.source,
            priority: task.fields.priority,
            complexity: task.fields.complexity,
            deadline: task.fields.deadline,
        };
        if reporting
            && let Some(c) = self.policy().cadence(&facts)
            && let Some((key, closing)) = period(c.every, today, cal)
            && closing
        {
            let evs = match events {
                Some(e) => e,
                None => self.store().task_events(task.id).await?,
            };
            let in_period =
                |at: Timestamp| period(c.every, at.to_zoned(tz.clone()).date(), cal).is_some_and(|p| p.0 == key);
            let reported = evs.iter().any(|e| e.kind == "report" && in_period(e.at));
            if !reported {
                let subject = format!("进展报告提醒（{}）：{}", c.name, task.fields.title);
                let body =
                    format!("按“{}”要求，任务“{}”本期（{key}）尚未报告进展，请及时报送。", c.name, task.fields.title);
                let when = self.send_time(now, urgent);
                sum.cadence_reminders += self
                    .notify(&staff, "cadence", &format!("报:{}:{key}", task.id), task, &subject, &body, now, when)
                    .await?
                    .min(1);
            }
        }
        Ok(())
    }
}
