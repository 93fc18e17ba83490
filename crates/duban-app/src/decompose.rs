//! Decomposition and the units' own word on a task (issue 12 §1, §2), as more use cases of the
//! [`Lifecycle`] area: splitting a task into subtasks in one step (分解交办 / 二次交办, the rules
//! in [`duban_domain::decompose`]), and reading back what a task's page shows of it — the
//! parent's progress from its children with their latest reports, the cooperating units' reports
//! of their part (报送配合情况), and each party's position on a dispute.
//!
//! The parent's trail gets one `split` event listing the parts, written at the version the
//! splitter saw (so two splits at once cannot both go through), then each subtask is created
//! with its own `created` event naming the parent.

use crate::core::TaskView;
use crate::lifecycle::Lifecycle;
use crate::tasks::Edit;
use duban_domain::Error;
use duban_domain::decompose::{MAX_PARTS, Parent, Part, Progress, Reach, part_number, plan_part};
use duban_domain::event::EventKind;
use duban_domain::ids::{PersonId, TaskId, UnitId};
use duban_domain::lifecycle::may_split;
use duban_domain::org::Person;
use duban_domain::policy::ClockEvent;
use duban_domain::task::{Party, Status, Task};
use duban_domain::visibility::{Audience, units};
use duban_store::{TaskQuery, TaskSort};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// One part of a split, as sent.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartInput {
    /// What the part is.
    pub title: String,
    /// Its requirements, if more than the title.
    pub text: String,
    /// The unit that carries it: the lead unit (for one of its sections) or a cooperating unit.
    pub unit: Option<i64>,
    /// The section (内设科室) of the lead unit, if any.
    pub section: String,
    /// The person responsible.
    pub responsible: Option<i64>,
    /// `YYYY-MM-DD`, no later than the parent's deadline; the parent's when absent.
    pub deadline: Option<String>,
}

/// A split: the parts a task is divided into, in one step.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SplitInput {
    /// The person acting (administrators may name someone else).
    pub actor: Option<i64>,
    /// The version of the task the actor saw.
    pub version: Option<i64>,
    pub parts: Vec<PartInput>,
}

/// A subtask as its parent lists it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartLine {
    pub id: TaskId,
    pub number: String,
    pub title: String,
    pub lead: Vec<Party>,
    /// The section (内设科室) carrying it, if any.
    pub section: String,
    pub responsible_person_id: Option<PersonId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub deadline: Option<jiff::civil::Date>,
    pub status: Status,
    /// The status as a state (待签收, 办理中 …).
    pub state: &'static str,
    /// Its latest progress report.
    pub progress: Option<String>,
    /// Whether the viewer may open the subtask itself (else it is only listed here).
    pub open: bool,
}

/// A unit's own word on the task: a cooperating unit's report of its part, or a party's
/// position on a dispute.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitWord {
    /// `report_part`, `raise_dispute` or `state_position`.
    pub kind: EventKind,
    pub unit: Option<UnitId>,
    pub actor: Option<PersonId>,
    pub text: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
}

/// The task above a subtask, when the viewer may see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ParentRef {
    pub id: TaskId,
    pub number: String,
    pub title: String,
}

/// What a task's page shows of its decomposition and its units' own word.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Decomposition {
    /// The parent, if this is a subtask whose parent the viewer sees.
    pub parent: Option<ParentRef>,
    /// Closed subtasks, of those not withdrawn.
    pub closed: usize,
    pub total: usize,
    pub percent: u32,
    /// "3/5 子任务已办结" (empty without subtasks).
    pub summary: String,
    pub parts: Vec<PartLine>,
    /// Each cooperating unit's reports of its part, latest first.
    pub reports: Vec<UnitWord>,
    /// The positions on the latest dispute: the raising unit's reasons first.
    pub positions: Vec<UnitWord>,
    /// Whether the viewer may split the task now.
    pub may_split: bool,
}

impl Lifecycle {
    /// Splits a task into subtasks in one step: every part is checked before any is written.
    pub async fn split(&self, id: TaskId, input: SplitInput) -> Result<Vec<TaskView>, Error> {
        let actor = PersonId(input.actor.ok_or_else(|| Error::invalid("actor", "请指明操作人"))?);
        let version = input.version.ok_or_else(|| Error::invalid("version", "请提供所依据的任务版本号"))?;
        let task = self.task_store.get_task(id).await?;
        if task.version != version {
            return Err(Error::VersionConflict { current: task.version });
        }
        if input.parts.is_empty() {
            return Err(Error::invalid("parts", "请至少填写一项子任务"));
        }
        if input.parts.len() > MAX_PARTS {
            return Err(Error::invalid("parts", format!("子任务过多（一次最多 {MAX_PARTS} 项）")));
        }
        let who = self.standing(&task, actor).await?;
        let state = self.state(&task).await?;
        may_split(&state, &who)?;
        let members = self.access.group_members().await?;
        let reach = if who.splits_to_any_unit() {
            Reach::AnyUnit
        } else {
            Reach::Units {
                lead: units(&task.fields.lead, &members).collect(),
                cooperating: units(&task.fields.cooperating, &members).collect(),
            }
        };
        let parent = Parent { id, fields: &task.fields, deadline: state.deadline };
        let existing = self.children(id).await?.len();
        let now = self.core.now();
        let mut planned = Vec::with_capacity(input.parts.len());
        for (k, p) in input.parts.iter().enumerate() {
            let deadline = p
                .deadline
                .as_deref()
                .filter(|s| !s.trim().is_empty())
                .map(|s| duban_domain::task::parse_task_date("deadline", s))
                .transpose()?;
            let responsible = match p.responsible {
                Some(r) => match self.people.get_person(PersonId(r)).await {
                    Ok(person) => Some(person),
                    Err(Error::NotFound { .. }) => return Err(Error::invalid("responsible", "责任人不存在")),
                    Err(e) => return Err(e),
                },
                None => None,
            };
            let part = Part {
                title: p.title.clone(),
                text: p.text.clone(),
                unit: p.unit.map(UnitId),
                section: p.section.clone(),
                responsible: p.responsible.map(PersonId),
                deadline,
            };
            let number = part_number(&task.fields.number, existing + k + 1);
            let fields =
                plan_part(parent, &part, &reach, responsible.as_ref(), number, now).map_err(|e| with_part(e, k + 1))?;
            planned.push(fields);
        }
        // The parent's trail first, at the version the splitter saw: of two splits made at once
        // the second is refused (a version conflict) before it creates anything.
        let lines: Vec<String> = planned.iter().map(|f| format!("{} {}", f.number, f.title)).collect();
        let numbers: Vec<&str> = planned.iter().map(|f| f.number.as_str()).collect();
        let data = serde_json::json!({
            "text": format!("分解为 {} 项子任务：{}", lines.len(), lines.join("；")),
            "parts": numbers,
        });
        let (fields, status, clock) = (task.fields.clone(), task.status, task.events.clone());
        let edit = Edit { kind: EventKind::Split, data, actor: Some(actor) };
        // The parent's event and every part in one transaction: a failure writes none of them.
        let parts: Vec<_> = planned
            .into_iter()
            .map(|fields| {
                let data = serde_json::json!({
                    "title": fields.title,
                    "parent_id": id,
                    "section": fields.section,
                    "text": EventKind::Split.label(),
                });
                let clock = BTreeMap::from([(ClockEvent::Received, now)]);
                self.tasks.prepare_insert(fields, Status::Assigned, clock, data, Some(actor))
            })
            .collect();
        let written = self.tasks.write_split(task, version, fields, status, clock, edit, &parts).await?;
        let created: Vec<TaskView> = written.into_iter().map(|child| self.core.view(child, now, true)).collect();
        Ok(created)
    }

    /// What the page of task `id` shows of its decomposition and its units' own word, for
    /// `viewer`, who sees the task.
    pub async fn decomposition(&self, viewer: &Person, id: TaskId) -> Result<Decomposition, Error> {
        let task = self.task_store.get_task(id).await?;
        let members = self.access.group_members().await?;
        let audience = Audience::of(viewer);
        let parent = match task.fields.parent_id {
            Some(p) => match self.task_store.get_task(p).await {
                Ok(p) if audience.sees(&p, &members) => {
                    Some(ParentRef { id: p.id, number: p.fields.number.clone(), title: p.fields.title.clone() })
                }
                Ok(_) | Err(Error::NotFound { .. }) => None,
                Err(e) => return Err(e),
            },
            None => None,
        };
        let children = self.child_tasks(id).await?;
        let statuses: Vec<Status> = children.iter().map(|c| c.status).collect();
        let progress = Progress::of(&statuses);
        let listed: Vec<&Task> = children.iter().filter(|c| audience.sees_part_on_parent(true, &c.fields)).collect();
        let ids: Vec<TaskId> = listed.iter().map(|c| c.id).collect();
        let latest: HashMap<TaskId, String> = self.task_store.latest_progress(&ids).await?.into_iter().collect();
        let parts = listed
            .into_iter()
            .map(|c| PartLine {
                id: c.id,
                number: c.fields.number.clone(),
                title: c.fields.title.clone(),
                lead: c.fields.lead.clone(),
                section: c.fields.section.clone(),
                responsible_person_id: c.fields.responsible_person_id,
                deadline: c.fields.deadline,
                status: c.status,
                state: c.status.state_name(),
                progress: latest.get(&c.id).cloned(),
                open: audience.sees(c, &members),
            })
            .collect();
        let events = self.task_store.task_events(id).await?;
        let word = |e: &duban_store::TaskEvent, kind: EventKind| UnitWord {
            kind,
            unit: e.data.get("unit").and_then(|u| u.as_i64()).map(UnitId),
            actor: e.actor_id,
            text: e.data.get("text").and_then(|t| t.as_str()).unwrap_or_default().to_string(),
            at: e.at,
        };
        let kind_of = |e: &duban_store::TaskEvent| e.kind.parse::<EventKind>().ok();
        let mut reports: Vec<UnitWord> = events
            .iter()
            .filter(|e| kind_of(e) == Some(EventKind::ReportPart))
            .map(|e| word(e, EventKind::ReportPart))
            .collect();
        reports.reverse();
        let last_dispute = events.iter().rposition(|e| kind_of(e) == Some(EventKind::RaiseDispute));
        let positions = match last_dispute {
            Some(from) => events[from..]
                .iter()
                .filter_map(|e| match kind_of(e) {
                    Some(k @ (EventKind::RaiseDispute | EventKind::StatePosition)) => Some(word(e, k)),
                    _ => None,
                })
                .collect(),
            None => Vec::new(),
        };
        let may_split = match self.standing(&task, viewer.id).await {
            Ok(who) => may_split(&self.state(&task).await?, &who).is_ok(),
            Err(_) => false,
        };
        Ok(Decomposition {
            parent,
            closed: progress.closed,
            total: progress.total,
            percent: progress.percent(),
            summary: if progress.total == 0 && statuses.is_empty() { String::new() } else { progress.summary() },
            parts,
            reports,
            positions,
            may_split,
        })
    }

    /// A task's subtasks, by number.
    async fn child_tasks(&self, id: TaskId) -> Result<Vec<Task>, Error> {
        let page = self
            .task_store
            .list_tasks(&TaskQuery {
                parent_id: Some(id),
                page: 1,
                per_page: 500,
                now: self.core.now(),
                sort: TaskSort::Number,
                ..Default::default()
            })
            .await?;
        Ok(page.items)
    }
}

/// Says which part a refusal is about.
fn with_part(e: Error, k: usize) -> Error {
    match e {
        Error::Invalid { field, message } => {
            Error::Invalid { field, message: format!("第 {k} 项子任务：{message}") }
        }
        other => other,
    }
}
