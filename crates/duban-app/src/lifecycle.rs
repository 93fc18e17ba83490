//! [`Lifecycle`], the actions on tasks (签收, 汇报, 审核 …) and their evidence: works out the actor's standing and the task's state, asks the
//! domain's rules ([`duban_domain::lifecycle::decide`]) whether the action may be taken, and
//! writes the result through the tasks area ([`Tasks`]) with an event in the task's trail. A
//! parent task closes when its last subtask is approved.
//!
//! When a unit's feedback reaches the office (反馈, or the head's approval of it after a 督办) the
//! office's people get an in-app notice; when an officer's feedback waits for the head's approval,
//! the heads of the lead units do. Only people who may see the task are told.

use crate::access::Access;
use crate::actor::Actor;
use crate::core::{Core, TaskView};
use crate::supervision::RefusedTask;
use crate::tasks::{Edit, Tasks};
use duban_domain::Error;
use duban_domain::event::{EventKind, resume_to};
use duban_domain::ids::{PersonId, TaskId};
use duban_domain::lifecycle::{Action, Input, Standing, TaskState, available, children_closed, close_parent, decide};
use duban_domain::org::Role;
use duban_domain::supervision::{MessageChannel, MessageKind};
use duban_domain::task::{Party, Status, Task};
use duban_domain::visibility::units;
use duban_store::{
    Attachment, AttachmentStore, NewAttachment, NewMessage, OutboxStore, PeopleStore, TaskQuery, TaskSort, TaskStore,
};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What an actor sends with an action.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionInput {
    pub action: String,
    /// The person acting (until sign-in, the caller names them).
    pub actor: Option<i64>,
    /// The version of the task the actor saw.
    pub version: Option<i64>,
    pub text: String,
    /// Attachments of the task (uploaded first) given as evidence.
    pub evidence: Vec<i64>,
    pub new_deadline: Option<String>,
    /// For a ruling: the units the task is reassigned to.
    pub lead: Option<Vec<Party>>,
    pub cooperating: Option<Vec<Party>>,
}

/// An action the viewer may take.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Available {
    pub action: Action,
    pub label: &'static str,
}

/// What a batch 签收 did: the tasks signed, and each refusal with its reason.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchSigned {
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<i64>))]
    pub signed: Vec<TaskId>,
    /// Each refusal, with its reason (a task the actor may not see reads as a missing one).
    pub refused: Vec<RefusedTask>,
}

/// The most tasks one batch 签收 takes.
pub const MAX_BATCH: usize = 200;

/// Attachments named as evidence with one action.
const MAX_EVIDENCE: usize = 50;

/// The lifecycle area: it reads tasks, their trail and subtasks, people and attachments, and
/// writes through the tasks area.
pub struct Lifecycle {
    pub(crate) core: Arc<Core>,
    pub(crate) access: Access,
    pub(crate) tasks: Arc<Tasks>,
    pub(crate) task_store: Arc<dyn TaskStore>,
    pub(crate) people: Arc<dyn PeopleStore>,
    pub(crate) attachments: Arc<dyn AttachmentStore>,
    pub(crate) queue: Arc<dyn OutboxStore>,
}

impl Lifecycle {
    /// The actor's standing on the task ([`Standing::of`]).
    pub(crate) async fn standing(&self, task: &Task, actor: PersonId) -> Result<Standing, Error> {
        let person = self.people.get_person(actor).await?;
        Standing::of(&person, &task.fields, &self.access.group_members().await?)
    }

    /// The statuses of a task's subtasks.
    pub(crate) async fn children(&self, task: TaskId) -> Result<Vec<Status>, Error> {
        let children = self
            .task_store
            .list_tasks(&TaskQuery {
                parent_id: Some(task),
                page: 1,
                per_page: 500,
                now: self.core.now(),
                sort: TaskSort::Number,
                ..Default::default()
            })
            .await?;
        Ok(children.items.iter().map(|c| c.status).collect())
    }

    pub(crate) async fn state(&self, task: &Task) -> Result<TaskState, Error> {
        let events = self.task_store.task_events(task.id).await?;
        let count = |kind: EventKind| events.iter().filter(|e| e.kind == kind.code()).count() as u32;
        Ok(TaskState {
            status: task.status,
            resume_to: resume_to(events.iter().map(|e| (e.kind.as_str(), &e.data))),
            extensions: count(EventKind::ApproveExtension),
            supervisions: count(EventKind::Supervised),
            deadline: self.core.schedule_of(&task.fields, &task.events).deadline(task.fields.deadline),
            children_closed: children_closed(&self.children(task.id).await?),
            demand: task.fields.source == duban_domain::task::Source::Enterprise,
        })
    }

    /// The actions `actor` may take on the task now.
    pub async fn available_actions(&self, id: TaskId, actor: PersonId) -> Result<Vec<Available>, Error> {
        let task = self.task_store.get_task(id).await?;
        let who = self.standing(&task, actor).await?;
        let state = self.state(&task).await?;
        Ok(available(&state, &who, self.core.policy().settings.max_extensions)
            .into_iter()
            .map(|a| Available { action: a, label: a.label() })
            .collect())
    }

    /// Takes an action on a task.
    pub async fn act(&self, id: TaskId, input: ActionInput) -> Result<TaskView, Error> {
        let action: Action = input.action.parse()?;
        let actor = PersonId(input.actor.ok_or_else(|| Error::invalid("actor", "请指明操作人"))?);
        let version = input.version.ok_or_else(|| Error::invalid("version", "请提供所依据的任务版本号"))?;
        let task = self.task_store.get_task(id).await?;
        if task.version != version {
            return Err(Error::VersionConflict { current: task.version });
        }
        let person = self.people.get_person(actor).await?;
        let who = Standing::of(&person, &task.fields, &self.access.group_members().await?)?;
        let state = self.state(&task).await?;
        let tz = self.core.policy().timezone();
        let new_deadline = input
            .new_deadline
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| duban_domain::task::parse_task_date("new_deadline", s))
            .transpose()?;
        duban_domain::task::check_length("text", "说明", &input.text, duban_domain::task::MAX_COMMENT_CHARS)?;
        if input.evidence.len() > MAX_EVIDENCE {
            return Err(Error::invalid("evidence", format!("佐证材料过多（最多 {MAX_EVIDENCE} 个）")));
        }
        let domain_input = Input {
            text: input.text.trim().to_string(),
            evidence: self.evidence_names(id, &input.evidence).await?,
            new_deadline,
            today: self.core.now().to_zoned(tz).date(),
        };
        let t = decide(action, &state, &who, &domain_input, self.core.policy().settings.max_extensions)?;
        let now = self.core.now();
        let mut clock = task.events.clone();
        for e in &t.set {
            clock.entry(*e).or_insert(now);
        }
        for e in &t.clear {
            clock.remove(e);
        }
        let mut fields = task.fields.clone();
        if let Some(d) = t.deadline {
            fields.deadline = Some(d);
        }
        if action == Action::Rule {
            let lead = input
                .lead
                .clone()
                .filter(|l| !l.is_empty())
                .ok_or_else(|| Error::invalid("lead", "裁定须指明牵头单位"))?;
            duban_domain::task::check_parties("lead", "牵头单位", &lead)?;
            fields.lead = lead;
            if let Some(c) = input.cooperating.clone() {
                duban_domain::task::check_parties("cooperating", "配合单位", &c)?;
                fields.cooperating = c;
            }
            fields.cooperating.retain(|p| !fields.lead.contains(p));
        }
        let mut data = serde_json::json!({
            "text": domain_input.text,
            "evidence": domain_input.evidence,
            "attachments": input.evidence,
            "new_deadline": domain_input.new_deadline,
            "resume_to": t.resume_to,
        });
        // A unit's own word (its part, its side of a dispute) names the unit it speaks for.
        if matches!(action, Action::ReportPart | Action::RaiseDispute | Action::StatePosition)
            && let (Some(obj), Some(u)) = (data.as_object_mut(), person.fields.unit_id)
        {
            obj.insert("unit".into(), serde_json::json!(u));
        }
        let parent = task.fields.parent_id;
        let view = self
            .tasks
            .write_with_clock(
                task,
                version,
                fields,
                t.to,
                clock,
                Edit { kind: action.into(), data, actor: Some(actor) },
            )
            .await?;
        if action == Action::Approve
            && let Some(parent) = parent
        {
            self.close_parent_if_done(parent).await?;
        }
        match (action, view.task.status) {
            (Action::ReportPart, _) => self.notify(&view.task, MessageKind::PartReport).await?,
            (_, Status::Feedback) => self.notify(&view.task, MessageKind::Feedback).await?,
            (_, Status::HeadApproval) => self.notify(&view.task, MessageKind::Approval).await?,
            _ => {}
        }
        Ok(view)
    }

    /// Tells the people who must act next that feedback waits for them, in their in-app inbox:
    /// the office when it reaches the office ([`MessageKind::Feedback`]), the heads of the lead
    /// units when it waits for their approval ([`MessageKind::Approval`]), the lead units'
    /// officers and heads when a cooperating unit has reported its part
    /// ([`MessageKind::PartReport`]). Only people who may see the task; one notice per person and
    /// version of the task.
    async fn notify(&self, task: &Task, kind: MessageKind) -> Result<(), Error> {
        let members = self.access.group_members().await?;
        let lead: Vec<_> = units(&task.fields.lead, &members).collect();
        let now = self.core.now();
        let f = &task.fields;
        let subject = match kind {
            MessageKind::Approval => format!("{} {}：经办人已反馈，待您审批", f.number, f.title),
            MessageKind::PartReport => format!("{} {}：配合单位已报送配合情况", f.number, f.title),
            _ => format!("{} {}：单位已反馈，待审核", f.number, f.title),
        };
        let messages: Vec<NewMessage> = self
            .people
            .list_people()
            .await?
            .into_iter()
            .filter(|p| p.active)
            .filter(|p| match kind {
                MessageKind::Approval => {
                    p.fields.roles.contains(&Role::UnitHead) && p.fields.unit_id.is_some_and(|u| lead.contains(&u))
                }
                MessageKind::PartReport => {
                    (p.fields.roles.contains(&Role::Officer) || p.fields.roles.contains(&Role::UnitHead))
                        && p.fields.unit_id.is_some_and(|u| lead.contains(&u))
                }
                _ => p.fields.roles.contains(&Role::Office),
            })
            .filter(|p| self.access.audience(p).sees(task, &members))
            .map(|p| NewMessage {
                dedup_key: format!("{}:{}:{}:{}", kind.code(), task.id.0, task.version, p.id.0),
                kind: kind.code().into(),
                channel: MessageChannel::Inbox.code().into(),
                person_id: Some(p.id),
                address: String::new(),
                task_id: Some(task.id),
                subject: subject.clone(),
                body: subject.clone(),
                created_at: now,
                not_before: now,
            })
            .collect();
        if messages.is_empty() {
            return Ok(());
        }
        self.queue.enqueue(&messages).await?;
        // The inbox is the database itself: the notice is there at once.
        self.queue.deliver_inbox(now).await?;
        Ok(())
    }

    /// 签收 of many tasks at once (an officer's desk): each is an ordinary [`Action::Sign`] in its
    /// own trail; a task that cannot be signed (not the actor's unit's, already signed, not
    /// visible) is refused with its reason and the others are signed.
    pub async fn sign_many(&self, actor: &Actor, ids: &[TaskId]) -> Result<BatchSigned, Error> {
        let person = actor.person().ok_or(Error::Forbidden)?;
        if ids.is_empty() {
            return Err(Error::invalid("id", "请勾选要签收的任务"));
        }
        if ids.len() > MAX_BATCH {
            return Err(Error::invalid("id", format!("一次最多签收 {MAX_BATCH} 项")));
        }
        let mut out = BatchSigned::default();
        let mut seen = std::collections::HashSet::new();
        // A task the actor may not see is refused exactly as a missing one.
        for id in ids.iter().copied().filter(|id| seen.insert(*id)) {
            let result = match self.access.visible_task(person, id).await {
                Ok(task) => {
                    let input = ActionInput {
                        action: Action::Sign.code().into(),
                        actor: Some(person.id.0),
                        version: Some(task.version),
                        ..Default::default()
                    };
                    self.act(id, input).await.map(|_| ())
                }
                Err(e) => Err(e),
            };
            match result {
                Ok(()) => out.signed.push(id),
                Err(
                    e @ (Error::NotFound { .. }
                    | Error::Forbidden
                    | Error::Conflict(_)
                    | Error::VersionConflict { .. }
                    | Error::Invalid { .. }),
                ) => {
                    let message = match &e {
                        Error::Forbidden => "不是本单位牵头的任务，不能签收".to_string(),
                        other => other.to_string(),
                    };
                    out.refused.push(RefusedTask { task_id: id, code: e.code().as_str().into(), message });
                }
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// The names of the attachments given as evidence; each must be one of the task's.
    async fn evidence_names(&self, task: TaskId, ids: &[i64]) -> Result<Vec<String>, Error> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let files = self.attachments.list_attachments(task).await?;
        ids.iter()
            .map(|id| {
                files
                    .iter()
                    .find(|f| f.id == *id)
                    .map(|f| f.name.clone())
                    .ok_or_else(|| Error::invalid("evidence", format!("附件 {id} 不是本任务的附件，请先上传")))
            })
            .collect()
    }

    /// Attaches a file to a task (evidence, a plan, a report).
    pub async fn attach(
        &self,
        task: TaskId,
        name: &str,
        content_type: &str,
        data: Vec<u8>,
        actor: Option<PersonId>,
    ) -> Result<Attachment, Error> {
        // Browsers on Windows may send the whole path; invisible reordering characters go.
        let name = crate::file_names::clean_file_name(name);
        let name = name.as_str();
        if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
            return Err(Error::invalid("filename", "请提供文件名（不超过 200 字）"));
        }
        if data.is_empty() {
            return Err(Error::invalid("file", "文件为空"));
        }
        self.task_store.get_task(task).await?;
        if let Some(p) = actor {
            self.people.get_person(p).await?;
        }
        let content_type =
            if content_type.trim().is_empty() { "application/octet-stream" } else { content_type.trim() };
        self.attachments
            .add_attachment(&NewAttachment {
                task_id: task,
                name: name.to_string(),
                content_type: content_type.to_string(),
                data,
                uploaded_by: actor,
                uploaded_at: self.core.now(),
            })
            .await
    }

    /// Closes a parent whose subtasks are all closed ([`close_parent`]).
    async fn close_parent_if_done(&self, parent: TaskId) -> Result<(), Error> {
        let p = self.task_store.get_task(parent).await?;
        if !p.status.is_open() {
            return Ok(());
        }
        let Some(t) = close_parent(p.status, &self.children(p.id).await?) else { return Ok(()) };
        let mut clock = p.events.clone();
        let now = self.core.now();
        for e in t.set {
            clock.entry(e).or_insert(now);
        }
        let fields = p.fields.clone();
        let version = p.version;
        let data = serde_json::json!({ "text": EventKind::ClosedBySubtasks.label() });
        self.tasks
            .write_with_clock(
                p,
                version,
                fields,
                t.to,
                clock,
                Edit { kind: EventKind::ClosedBySubtasks, data, actor: None },
            )
            .await?;
        Ok(())
    }
}
