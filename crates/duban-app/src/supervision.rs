//! [`Supervision`], the supervision pass (REQUIREMENTS §6, issue 4 §3) and the 督办 by hand: the IO around the domain's plan
//! ([`duban_domain::supervision`], where the rules are: reminders, 督办 notices and their
//! rounds, escalation, naming, report periods, recipients and sending windows). One pass over
//! every open task at a given instant loads the tasks in batches of 500, reads the notices and
//! trail activity the plan asks for ([`Pass::reads`]), asks for the plan, and records it; a 督办
//! by hand is planned the same way ([`Pass::by_hand`]). What either sends is queued in the outbox
//! and delivered at once through the [`Outbox`] service.
//!
//! Every record has a dedup key, so a pass run twice, or a server restarted midway, creates
//! nothing twice and misses nothing. A task the plan cannot decide for because the calendar has
//! no data for a day it needs is logged and counted in [`TickSummary::calendar_problems`]; no
//! date is guessed.

use crate::access::Access;
use crate::actor::{Actor, Oversee};
use crate::core::Core;
use crate::notice_sheet::{NoticeSheet, chinese_date};
use crate::outbox::Outbox;
use duban_domain::Error;
use duban_domain::event::EventKind;
use duban_domain::ids::{PersonId, TaskId};
use duban_domain::schedule::Schedule;
use duban_domain::supervision::{
    self, Issued, Message, MessageChannel, Order, Pass, People, PlannedNotice, ReminderKind, Seen,
};
use duban_domain::task::Classification;
use duban_store::{
    Activity, DirectoryStore, NewEvent, NewMessage, NewNaming, NewNotice, Notice, OutboxStore, PeopleStore,
    Supervision as Record, SupervisionStore, TaskStore,
};
use jiff::Timestamp;
use jiff::civil::Date;
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
    /// Tasks left (partly) undecided because the calendar has no data for a day they need.
    #[serde(skip_serializing_if = "is_zero")]
    pub calendar_problems: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// The most tasks one 催办 from the ledger reaches.
pub const MAX_BATCH: usize = 500;

/// What became of a 催办 by hand on each task asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reminded {
    /// The tasks reminded, each with the number of messages queued for it.
    pub reminded: Vec<RemindedTask>,
    /// The tasks not reminded, each with why.
    pub refused: Vec<RefusedTask>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RemindedTask {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub task_id: TaskId,
    /// Messages queued (one per person and channel).
    pub messages: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefusedTask {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub task_id: TaskId,
    /// The stable error code (`not_found`, `conflict` …).
    pub code: String,
    pub message: String,
}

/// The channels asked for by their codes (`inbox`, `email`, `sms`), each once.
pub fn channels(codes: &[String]) -> Result<Vec<MessageChannel>, Error> {
    let mut out = Vec::new();
    for c in codes {
        let ch: MessageChannel =
            c.trim().parse().map_err(|_| Error::invalid("channels", format!("未知的发送渠道“{c}”")))?;
        if !out.contains(&ch) {
            out.push(ch);
        }
    }
    if out.is_empty() {
        return Err(Error::invalid("channels", "请至少选择一种发送渠道（站内消息、短信或电子邮件）"));
    }
    Ok(out)
}

/// A message of the plan, as the store keeps it.
fn stored_message(m: Message) -> NewMessage {
    NewMessage {
        dedup_key: m.dedup_key,
        kind: m.kind.code().into(),
        channel: m.channel.code().into(),
        person_id: Some(m.person),
        address: m.address,
        task_id: Some(m.task),
        subject: m.subject,
        body: m.body,
        created_at: m.created_at,
        not_before: m.not_before,
    }
}

/// A notice of the plan, as the store records it, issued by `actor` (none for the pass).
fn stored_supervision(n: PlannedNotice, actor: Option<PersonId>) -> Record {
    Record {
        notice: NewNotice {
            dedup_key: n.dedup_key,
            task_id: n.task,
            stage: n.stage,
            round: n.round,
            issued_at: n.issued_at,
            issued_on: n.issued_on,
            answer_by: n.answer_by,
            recipients: n.recipients,
            text: n.text,
        },
        event: NewEvent {
            at: n.issued_at,
            actor_id: actor,
            kind: EventKind::Supervised.code().into(),
            data: n.event_data,
        },
        messages: n.messages.into_iter().map(stored_message).collect(),
        naming: n
            .naming
            .into_iter()
            .map(|m| NewNaming {
                dedup_key: m.dedup_key,
                task_id: m.task,
                unit_id: Some(m.unit),
                person_id: m.person,
                created_at: m.created_at,
                reason: m.reason,
            })
            .collect(),
    }
}

/// A notice as the plan needs to know it.
fn issued(n: &Notice) -> Issued {
    Issued {
        number: n.number.clone(),
        stage: n.stage.clone(),
        round: n.round,
        issued_at: n.issued_at,
        answer_by: n.answer_by,
    }
}

/// The supervision area: it reads the open tasks, people and the pass's records, records
/// notices, queues messages and delivers them through the outbox.
pub struct Supervision {
    pub(crate) core: Arc<Core>,
    pub(crate) access: Access,
    pub(crate) tasks: Arc<dyn TaskStore>,
    pub(crate) people: Arc<dyn PeopleStore>,
    pub(crate) records: Arc<dyn SupervisionStore>,
    /// Where reminders are queued.
    pub(crate) queue: Arc<dyn OutboxStore>,
    /// Delivers what a pass or a 督办 by hand queued.
    pub(crate) outbox: Arc<Outbox>,
    /// Unit names, for the 主送 of a printed notice.
    pub(crate) directory: Arc<dyn DirectoryStore>,
    /// The issuing office's name on a printed notice (configuration `[office] name`).
    pub(crate) issuer: Arc<std::sync::RwLock<String>>,
}

/// The issuing office's name when the configuration names none.
pub const DEFAULT_ISSUER: &str = "XX旗人民政府督查室";

impl Supervision {
    /// Everyone, by unit and by id, with each group's units.
    async fn people(&self) -> Result<People, Error> {
        Ok(People::new(self.people.list_people().await?, self.access.group_members().await?))
    }

    /// A 督办 issued by hand by someone who may oversee (the office, an administrator, a
    /// leader), on the task's most urgent open stage, with their instruction: numbered, in the
    /// trail, sent to the unit and its leader in charge. It is issued by a person: the command
    /// line may not.
    pub async fn by_hand(&self, by: &Actor, id: TaskId, text: &str) -> Result<Notice, Error> {
        self.order(by, id, &Order { text: text.to_string(), ..Order::default() }).await
    }

    /// A 督办通知单 issued by hand as ordered: with the office's instruction, the date to answer
    /// by (a working day from today on; the rules' date when none is chosen) and the units it is
    /// addressed to (主送: the lead units and any cooperating units added, whose people it
    /// reaches), kept with the notice and in the trail. See [`Supervision::by_hand`].
    pub async fn order(&self, by: &Actor, id: TaskId, order: &Order) -> Result<Notice, Error> {
        by.require::<Oversee>()?;
        let person = by.person().ok_or(Error::Forbidden)?;
        let text = order.text.trim();
        if text.is_empty() {
            return Err(Error::invalid("text", "请写明督办要求"));
        }
        if text.chars().count() > duban_domain::task::MAX_COMMENT_CHARS {
            return Err(Error::invalid(
                "text",
                format!("督办要求不能超过 {} 字", duban_domain::task::MAX_COMMENT_CHARS),
            ));
        }
        let order = Order { text: text.to_string(), ..order.clone() };
        // A task the actor may not see answers as a missing one.
        let task = self.access.visible_task(person, id).await?;
        if !task.status.is_open() {
            return Err(Error::Conflict(format!("任务已{}，无需督办", task.status.label())));
        }
        let now = self.core.now();
        let (policy, cal, people) = (self.core.policy(), self.core.calendar(), self.people().await?);
        let schedule = self.core.schedule_of(&task.fields, &task.events);
        let earlier: Vec<Issued> =
            self.records.supervision_records(&[id], &[]).await?.notices.iter().map(issued).collect();
        let planned = Pass::new(&policy, &cal, &people, now).order_by_hand(&task, &schedule, &earlier, &order)?;
        let issued = self.records.record_supervision(&[stored_supervision(planned, Some(person.id))]).await?;
        self.outbox.deliver(now).await?;
        // The same task at the same instant: a form sent twice.
        issued
            .into_iter()
            .flatten()
            .next()
            .ok_or_else(|| Error::Conflict("刚刚已就本任务发出一份督办通知单，请勿重复提交".into()))
    }

    /// The 督办 notices of a task the actor may see (a hidden task answers as a missing one),
    /// oldest first.
    pub async fn notices_of(&self, by: &Actor, id: TaskId) -> Result<Vec<Notice>, Error> {
        let person = by.person().ok_or(Error::Forbidden)?;
        self.access.visible_task(person, id).await?;
        Ok(self.records.supervision_records(&[id], &[]).await?.notices)
    }

    /// The date a notice issued now must be answered by under the rules (the form's default).
    pub fn default_answer_by(&self) -> Result<Date, Error> {
        let (policy, cal) = (self.core.policy(), self.core.calendar());
        let today = self.core.now().to_zoned(policy.timezone()).date();
        Ok(supervision::answer_by(&cal, today, policy.settings.notice_answer_within)?)
    }

    /// Sets the issuing office's name printed on the notices and the monthly bulletins.
    pub fn set_issuer(&self, name: &str) {
        let name = name.trim();
        if let Ok(mut w) = self.issuer.write() {
            *w = if name.is_empty() { DEFAULT_ISSUER.to_string() } else { name.to_string() };
        }
    }

    /// The issuing office's name printed on the notices.
    pub fn issuer(&self) -> String {
        self.issuer.read().map(|n| n.clone()).unwrap_or_else(|_| DEFAULT_ISSUER.to_string())
    }

    /// The printed 督办通知单 `id` for someone who may see its task (for a 涉密 task, only the
    /// people named on it); anyone else, like a notice that does not exist, is told there is no
    /// such notice. The command line has no view of its own.
    pub async fn sheet(&self, by: &Actor, id: i64) -> Result<NoticeSheet, Error> {
        let person = by.person().ok_or(Error::Forbidden)?;
        let missing = || Error::not_found(format!("督办通知单 {id}"));
        let notice = self.records.notice(id).await?.ok_or_else(missing)?;
        let task = match self.access.visible_task(person, notice.task_id).await {
            Ok(t) => t,
            Err(Error::NotFound { .. }) => return Err(missing()),
            Err(e) => return Err(e),
        };
        let units: HashMap<i64, String> =
            self.directory.list_units().await?.into_iter().map(|u| (u.id.0, u.name)).collect();
        let groups: HashMap<i64, String> =
            self.directory.list_groups().await?.into_iter().map(|g| (g.id.0, g.name)).collect();
        let party = |p: &duban_domain::task::Party| match p {
            duban_domain::task::Party::Unit(u) => units.get(&u.0).cloned().unwrap_or_else(|| format!("单位{}", u.0)),
            duban_domain::task::Party::Group(g) => {
                groups.get(&g.0).cloned().unwrap_or_else(|| format!("单位组{}", g.0))
            }
        };
        let names = |ps: &[duban_domain::task::Party]| ps.iter().map(party).collect::<Vec<_>>().join("、");
        // A notice from before the 主送 was kept is addressed to the task's lead units.
        let recipients: Vec<String> = if notice.recipients.is_empty() {
            task.fields.lead.iter().map(party).collect()
        } else {
            notice.recipients.iter().map(|u| party(&duban_domain::task::Party::Unit(*u))).collect()
        };
        let tz = self.core.policy().timezone();
        let schedule = self.core.schedule_of(&task.fields, &task.events);
        let stage = schedule
            .stages
            .iter()
            .find(|s| s.stage == notice.stage)
            .and_then(|s| s.due.map(|due| format!("“{}”环节应于{}前完成", s.name, chinese_date(due))))
            .unwrap_or_default();
        let view = self.core.view(task, self.core.now(), false);
        let f = &view.task.fields;
        Ok(NoticeSheet {
            id: notice.id,
            task_id: notice.task_id.0,
            issuer: self.issuer(),
            number: notice.number.clone(),
            title: NoticeSheet::title_for(&f.title),
            recipients,
            task_title: f.title.clone(),
            task_number: duban_domain::task::display_number(&f.number),
            lead: names(&f.lead),
            cooperating: names(&f.cooperating),
            deadline: view.deadline_in_force.map(chinese_date).unwrap_or_default(),
            state: view.state.to_string(),
            stage,
            instruction: notice.text.clone(),
            answer_by: notice.answer_by,
            issued_on: notice.issued_at.to_zoned(tz).date(),
            secret: f.classification == Classification::Secret,
        })
    }

    /// A 催办 by hand from the office (or a leader: whoever may oversee) on each of `ids`, over
    /// `channels`, with an optional instruction `text`: sent at once to those of the lead unit
    /// who may see the task, recorded in the task's trail (`reminded`, with the text, the
    /// channels and how many were told). A task the actor may not see is refused as a missing
    /// one, a closed task or one whose lead unit has no one to reach over those channels as a
    /// conflict; the others are reminded all the same. The command line may not remind.
    pub async fn remind(
        &self,
        by: &Actor,
        ids: &[TaskId],
        channels: &[MessageChannel],
        text: &str,
    ) -> Result<Reminded, Error> {
        by.require::<Oversee>()?;
        let person = by.person().ok_or(Error::Forbidden)?;
        let text = text.trim();
        if text.chars().count() > duban_domain::task::MAX_COMMENT_CHARS {
            return Err(Error::invalid(
                "text",
                format!("催办要求不能超过 {} 字", duban_domain::task::MAX_COMMENT_CHARS),
            ));
        }
        if channels.is_empty() {
            return Err(Error::invalid("channels", "请至少选择一种发送渠道（站内消息、短信或电子邮件）"));
        }
        if ids.is_empty() {
            return Err(Error::invalid("ids", "请选择要催办的任务"));
        }
        if ids.len() > MAX_BATCH {
            return Err(Error::invalid("ids", format!("一次最多催办 {MAX_BATCH} 项任务")));
        }
        let now = self.core.now();
        let (policy, cal, people) = (self.core.policy(), self.core.calendar(), self.people().await?);
        let pass = Pass::new(&policy, &cal, &people, now);
        let mut out = Reminded::default();
        let mut seen = Vec::new();
        for &id in ids {
            if seen.contains(&id) {
                continue;
            }
            seen.push(id);
            let refuse =
                |e: Error| RefusedTask { task_id: id, code: e.code().as_str().to_string(), message: e.to_string() };
            // A task the actor may not see answers as a missing one.
            let task = match self.access.visible_task(person, id).await {
                Ok(t) => t,
                Err(e @ Error::NotFound { .. }) => {
                    out.refused.push(refuse(e));
                    continue;
                }
                Err(e) => return Err(e),
            };
            if !task.status.is_open() {
                out.refused.push(refuse(Error::Conflict(format!("任务已{}，无需催办", task.status.label()))));
                continue;
            }
            let schedule = self.core.schedule_of(&task.fields, &task.events);
            let reminder = pass.remind_by_hand(&task, &schedule, channels, text);
            if reminder.messages.is_empty() {
                out.refused.push(refuse(Error::Conflict("牵头单位没有可经所选渠道接收催办的人员".into())));
                continue;
            }
            let count = u32::try_from(reminder.messages.len()).unwrap_or(u32::MAX);
            let codes: Vec<&str> = channels.iter().map(|c| c.code()).collect();
            self.queue.enqueue(&reminder.messages.into_iter().map(stored_message).collect::<Vec<_>>()).await?;
            let event = NewEvent {
                at: now,
                actor_id: Some(person.id),
                kind: EventKind::Reminded.code().into(),
                data: serde_json::json!({"text": text, "channels": codes, "messages": count}),
            };
            self.tasks.append_event(id, &event).await?;
            out.reminded.push(RemindedTask { task_id: id, messages: count });
        }
        self.outbox.deliver(now).await?;
        Ok(out)
    }

    /// One supervision pass at `now`. Tasks are read in batches of 500; each batch's notices and
    /// trail activity are read in two queries, and what the batch creates is written in two
    /// transactions.
    pub async fn pass(&self, now: Timestamp) -> Result<TickSummary, Error> {
        let (policy, cal, people) = (self.core.policy(), self.core.calendar(), self.people().await?);
        let tz = policy.timezone();
        let pass = Pass::new(&policy, &cal, &people, now);
        let mut sum =
            TickSummary { now: now.to_zoned(tz).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(), ..Default::default() };
        let mut after = TaskId(0);
        loop {
            let batch = self.tasks.open_tasks(after, 500).await?;
            let Some(last) = batch.last() else { break };
            after = last.id;
            // Notices and activity are read only for the tasks whose plan needs them.
            let schedules: Vec<Schedule> = batch.iter().map(|t| self.core.schedule_of(&t.fields, &t.events)).collect();
            let (mut notices_of, mut activity_of) = (Vec::new(), Vec::new());
            for (t, sch) in batch.iter().zip(&schedules) {
                let reads = pass.reads(t, sch);
                if reads.notices {
                    notices_of.push(t.id);
                }
                if reads.activity {
                    activity_of.push(t.id);
                }
            }
            let recs = self.records.supervision_records(&notices_of, &activity_of).await?;
            let mut notices: HashMap<TaskId, Vec<Issued>> = HashMap::new();
            for n in &recs.notices {
                notices.entry(n.task_id).or_default().push(issued(n));
            }
            let mut activity: HashMap<TaskId, Vec<supervision::Activity>> = HashMap::new();
            for Activity { task_id, kind, at } in recs.activity {
                activity.entry(task_id).or_default().push(supervision::Activity { kind: kind.parse().ok(), at });
            }
            let seen: Vec<Seen<'_>> = batch
                .iter()
                .zip(&schedules)
                .map(|(task, schedule)| Seen {
                    task,
                    schedule,
                    notices: notices.get(&task.id).map(Vec::as_slice).unwrap_or_default(),
                    activity: activity.get(&task.id).map(Vec::as_slice).unwrap_or_default(),
                })
                .collect();
            let plan = pass.plan(&seen);
            sum.open_tasks += plan.open_tasks;
            sum.green += plan.green;
            sum.yellow += plan.yellow;
            sum.red += plan.red;
            sum.calendar_problems += u32::try_from(plan.problems.len()).unwrap_or(u32::MAX);
            for p in &plan.problems {
                tracing::warn!(task = %p.task, error = %p.error, "supervision pass: task left undecided");
            }
            let consequences: Vec<(bool, u32)> =
                plan.notices.iter().map(|n| (n.escalates, u32::try_from(n.naming.len()).unwrap_or(u32::MAX))).collect();
            let supervisions: Vec<Record> = plan.notices.into_iter().map(|n| stored_supervision(n, None)).collect();
            let issued = self.records.record_supervision(&supervisions).await?;
            for (n, (escalated, named)) in issued.iter().zip(&consequences) {
                if let Some(n) = n {
                    sum.notices.push(n.number.clone());
                    sum.escalations += u32::from(*escalated);
                    sum.naming_candidates += named;
                }
            }
            // Which of the messages make up each reminder.
            let mut messages = Vec::new();
            let mut reminders = Vec::new();
            for r in plan.reminders {
                let start = messages.len();
                messages.extend(r.messages.into_iter().map(stored_message));
                reminders.push((r.kind, start..messages.len()));
            }
            let queued = self.queue.enqueue(&messages).await?;
            for (kind, range) in reminders {
                let new = range.clone().any(|i| {
                    queued.get(i).copied().unwrap_or(false)
                        && messages.get(i).is_some_and(|m| m.channel == MessageChannel::Inbox.code())
                });
                match kind {
                    ReminderKind::Due if new => sum.reminders += 1,
                    ReminderKind::Cadence if new => sum.cadence_reminders += 1,
                    _ => {}
                }
            }
        }
        sum.delivered = self.outbox.deliver(now).await?;
        Ok(sum)
    }
}
