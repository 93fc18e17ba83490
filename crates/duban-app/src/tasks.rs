//! [`Tasks`], the tasks area: creating, reading, listing, editing and withdrawing tasks and
//! creating ledgers, and the in-memory [`Snapshot`] of every task with its schedule for the
//! pages that show a whole ledger at once. The lifecycle and the document import write through
//! it, so that every task write is made here.
//!
//! Every task write recomputes the task's schedule and stores the two instants that decide its
//! light, so lists can filter and sort by light in SQL (when the calendar or the rules change,
//! [`Rules`](crate::rules::Rules) recomputes them for every open task), and drops the lead-unit
//! [`Suggestions`] model.

use crate::access::Access;
use crate::core::{Core, TaskView, instants};
use crate::suggest::Suggestions;
use duban_domain::Error;
use duban_domain::event::EventKind;
use duban_domain::ids::{LedgerId, PersonId, TaskId};
use duban_domain::org::Person;
use duban_domain::policy::ClockEvent;
use duban_domain::schedule::Schedule;
use duban_domain::task::{Classification, NewTask, Status, Task, TaskInput, TaskPatch};
use duban_store::{ImportWrite, Ledger, LedgerStore, NewEvent, NewLedger, Page, StoredTask, TaskQuery, TaskStore};
use jiff::Timestamp;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What a write records in the task's history besides the changed fields.
pub(crate) struct Edit {
    pub kind: EventKind,
    pub data: serde_json::Value,
    pub actor: Option<PersonId>,
}

/// The event an edit of descriptive fields records: a change of lead unit is a 改派
/// ([`EventKind::Reassigned`]) with the units before and after; either carries the reason given
/// (the changed fields before and after are added when it is written).
fn edit_of(before: &NewTask, after: &NewTask, reason: Option<&str>, mut edit: Edit) -> Result<Edit, Error> {
    let reason = reason.map(str::trim).unwrap_or_default();
    duban_domain::task::check_length("reason", "修改原因", reason, duban_domain::task::MAX_COMMENT_CHARS)?;
    let mut data = serde_json::Map::new();
    if !reason.is_empty() {
        data.insert("reason".into(), reason.into());
    }
    if before.lead != after.lead {
        edit.kind = EventKind::Reassigned;
        data.insert("from".into(), serde_json::to_value(&before.lead).unwrap_or_default());
        data.insert("to".into(), serde_json::to_value(&after.lead).unwrap_or_default());
    }
    edit.data = serde_json::Value::Object(data);
    Ok(edit)
}

/// Every task with its schedule, as of a fingerprint of the tasks table.
pub struct Snapshot {
    key: (i64, i64, i64, (usize, usize)),
    /// The latest change it holds.
    changed: Timestamp,
    pub tasks: Vec<(Task, Schedule)>,
}

/// The tasks area over the task and ledger ports.
pub struct Tasks {
    core: Arc<Core>,
    access: Access,
    tasks: Arc<dyn TaskStore>,
    ledgers: Arc<dyn LedgerStore>,
    /// Dropped whenever a task is written.
    suggestions: Arc<Suggestions>,
    /// Every task with its schedule, for the pages that show a whole ledger at once (battle
    /// map, statistics, supervision); reloaded when the tasks' fingerprint changes.
    snapshot: tokio::sync::Mutex<Option<Arc<Snapshot>>>,
}

impl Tasks {
    pub fn new(
        core: Arc<Core>,
        access: Access,
        tasks: Arc<dyn TaskStore>,
        ledgers: Arc<dyn LedgerStore>,
        suggestions: Arc<Suggestions>,
    ) -> Self {
        Self { core, access, tasks, ledgers, suggestions, snapshot: tokio::sync::Mutex::new(None) }
    }

    /// Every task with its schedule. Cheap while nothing has changed: one aggregate query
    /// decides whether the copy in memory is current; after a change only the tasks changed
    /// since are read again (all of them when the calendar or the rules changed).
    pub async fn snapshot(&self) -> Result<Arc<Snapshot>, Error> {
        let (n, top, versions) = self.tasks.tasks_fingerprint().await?;
        // The calendar and the rules in force are part of the key: either moves due dates.
        let calendar = (Arc::as_ptr(&self.core.calendar()) as usize, Arc::as_ptr(&self.core.policy()) as usize);
        let key = (n, top, versions, calendar);
        let mut guard = self.snapshot.lock().await;
        if let Some(s) = guard.as_ref().filter(|s| s.key == key) {
            return Ok(s.clone());
        }
        // After a change of calendar or rules every schedule moves: start from nothing, and
        // "changed since the beginning" reads every task. The old copy is taken over rather
        // than copied when no page still holds it.
        let (since, mut tasks) = match guard.take().filter(|s| s.key.3 == calendar) {
            Some(old) => {
                let changed = old.changed;
                (changed, Arc::try_unwrap(old).map_or_else(|shared| shared.tasks.clone(), |own| own.tasks))
            }
            None => (Timestamp::UNIX_EPOCH, Vec::new()),
        };
        let mut latest = since;
        for t in self.tasks.tasks_changed_since(since).await? {
            latest = latest.max(t.updated_at);
            let schedule = self.core.schedule_of(&t.fields, &t.events);
            match tasks.binary_search_by_key(&t.id, |(x, _)| x.id) {
                Ok(i) => tasks[i] = (t, schedule),
                Err(i) => tasks.insert(i, (t, schedule)),
            }
        }
        let snap = Snapshot { key, changed: latest, tasks };
        let snap = Arc::new(snap);
        *guard = Some(snap.clone());
        Ok(snap)
    }

    /// Creates a task from unchecked input, with its `created` event.
    pub async fn create_task(&self, input: TaskInput, actor: Option<PersonId>) -> Result<TaskView, Error> {
        let fields = input.parse(self.core.now(), &self.core.policy().timezone())?;
        self.create_checked(fields, actor).await
    }

    /// Creates a task as `creator`: a subtask only under a parent they may see (a hidden parent
    /// answers exactly as a missing one), and under a 涉密 parent only a 涉密 subtask.
    pub async fn create_task_as(&self, creator: &Person, input: TaskInput) -> Result<TaskView, Error> {
        let parent = match input.parent_id {
            Some(p) => Some(self.access.visible_task(creator, p).await?),
            None => None,
        };
        let fields = input.parse(self.core.now(), &self.core.policy().timezone())?;
        if parent.is_some_and(|p| p.fields.classification == Classification::Secret)
            && fields.classification != Classification::Secret
        {
            return Err(Error::invalid("classification", "涉密任务的子任务须同样定为涉密"));
        }
        self.create_checked(fields, Some(creator.id)).await
    }

    async fn create_checked(&self, fields: NewTask, actor: Option<PersonId>) -> Result<TaskView, Error> {
        let clock = BTreeMap::from([(ClockEvent::Received, fields.received_at)]);
        let data = serde_json::json!({ "title": fields.title });
        let task = self.insert_task(fields, Status::Assigned, clock, data, actor).await?;
        Ok(self.core.view(task, self.core.now(), true))
    }

    /// Stores a checked task in a given state with the clock events that have happened (as an
    /// import or the demo does), with its schedule and a `created` event carrying `data`.
    pub async fn insert_task(
        &self,
        fields: NewTask,
        status: Status,
        clock: BTreeMap<ClockEvent, Timestamp>,
        data: serde_json::Value,
        actor: Option<PersonId>,
    ) -> Result<Task, Error> {
        let (stored, event) = self.prepare_insert(fields, status, clock, data, actor);
        let task = self.tasks.create_task(&stored, &event).await;
        self.suggestions.forget();
        task
    }

    /// A new task as stored, with its schedule, and its `created` event (see [`Self::insert_task`]).
    pub(crate) fn prepare_insert(
        &self,
        fields: NewTask,
        status: Status,
        mut clock: BTreeMap<ClockEvent, Timestamp>,
        data: serde_json::Value,
        actor: Option<PersonId>,
    ) -> (StoredTask, NewEvent) {
        let now = self.core.now();
        clock.entry(ClockEvent::Received).or_insert(fields.received_at);
        let schedule = self.core.schedule_of(&fields, &clock);
        let stored = StoredTask { status, schedule: instants(&schedule), clock, at: now, fields };
        let event = NewEvent { at: now, actor_id: actor, kind: EventKind::Created.code().into(), data };
        (stored, event)
    }

    pub async fn get_task(&self, id: TaskId) -> Result<TaskView, Error> {
        let task = self.tasks.get_task(id).await?;
        Ok(self.core.view(task, self.core.now(), true))
    }

    pub async fn list_tasks(&self, mut q: TaskQuery) -> Result<Page<TaskView>, Error> {
        let now = self.core.now();
        q.now = now;
        let page = self.tasks.list_tasks(&q).await?;
        Ok(Page {
            items: page.items.into_iter().map(|t| self.core.view(t, now, false)).collect(),
            total: page.total,
            page: page.page,
            per_page: page.per_page,
        })
    }

    /// Writes a changed task if nobody changed it since `version`, with an event recording the
    /// fields before and after.
    async fn write(
        &self,
        current: Task,
        version: i64,
        fields: NewTask,
        status: Status,
        edit: Edit,
    ) -> Result<TaskView, Error> {
        let clock = current.events.clone();
        self.write_with_clock(current, version, fields, status, clock, edit).await
    }

    /// Writes a task with its clock events as given (a lifecycle action sets or clears some).
    pub(crate) async fn write_with_clock(
        &self,
        current: Task,
        version: i64,
        fields: NewTask,
        status: Status,
        clock: BTreeMap<ClockEvent, Timestamp>,
        edit: Edit,
    ) -> Result<TaskView, Error> {
        if current.version != version {
            return Err(Error::VersionConflict { current: current.version });
        }
        let now = self.core.now();
        let (stored, event) = self.prepare_write(&current, fields, status, clock, edit);
        let task = self.tasks.update_task(current.id, version, &stored, &event).await?;
        self.suggestions.forget();
        Ok(self.core.view(task, now, true))
    }

    /// Splits `current` (see [`crate::decompose`]): its changed fields and event, and the parts
    /// prepared with [`Self::prepare_insert`], written in one transaction. Returns the parts.
    #[allow(clippy::too_many_arguments)] // the write's own arguments plus the parts
    pub(crate) async fn write_split(
        &self,
        current: Task,
        version: i64,
        fields: NewTask,
        status: Status,
        clock: BTreeMap<ClockEvent, Timestamp>,
        edit: Edit,
        parts: &[(StoredTask, NewEvent)],
    ) -> Result<Vec<Task>, Error> {
        if current.version != version {
            return Err(Error::VersionConflict { current: current.version });
        }
        let (stored, event) = self.prepare_write(&current, fields, status, clock, edit);
        let written = self.tasks.split_task(current.id, version, &stored, &event, parts).await?;
        self.suggestions.forget();
        Ok(written)
    }

    /// A changed task as stored, with its schedule, and the event recording the fields and
    /// status before and after (see [`Self::write_with_clock`]).
    pub(crate) fn prepare_write(
        &self,
        current: &Task,
        fields: NewTask,
        status: Status,
        clock: BTreeMap<ClockEvent, Timestamp>,
        edit: Edit,
    ) -> (StoredTask, NewEvent) {
        let Edit { kind, mut data, actor } = edit;
        let now = self.core.now();
        let before = serde_json::to_value(&current.fields).unwrap_or_default();
        let after = serde_json::to_value(&fields).unwrap_or_default();
        let mut changes = serde_json::Map::new();
        if let (Some(b), Some(a)) = (before.as_object(), after.as_object()) {
            for (k, av) in a {
                let bv = b.get(k).cloned().unwrap_or(serde_json::Value::Null);
                if &bv != av {
                    changes.insert(k.clone(), serde_json::json!({ "before": bv, "after": av }));
                }
            }
        }
        if status != current.status {
            changes.insert("status".into(), serde_json::json!({ "before": current.status, "after": status }));
        }
        if let Some(obj) = data.as_object_mut() {
            obj.insert("changes".into(), serde_json::Value::Object(changes));
        }
        let schedule = self.core.schedule_of(&fields, &clock);
        let stored = StoredTask { fields, status, clock, schedule: instants(&schedule), at: now };
        let event = NewEvent { at: now, actor_id: actor, kind: kind.code().into(), data };
        (stored, event)
    }

    /// Edits a task's descriptive fields.
    pub async fn update_task(
        &self,
        id: TaskId,
        version: i64,
        patch: &TaskPatch,
        actor: Option<PersonId>,
    ) -> Result<TaskView, Error> {
        let current = self.tasks.get_task(id).await?;
        let mut fields = current.fields.clone();
        patch.apply(&mut fields)?;
        if let Some(parent) = fields.parent_id {
            self.check_parent(id, parent).await?;
        }
        let status = current.status;
        let edit = Edit { kind: EventKind::Updated, data: serde_json::json!({}), actor };
        let edit = edit_of(&current.fields, &fields, patch.reason.as_deref(), edit)?;
        self.write(current, version, fields, status, edit).await
    }

    /// Creates several tasks at once as `creator` (the items decided at one meeting), in a new
    /// ledger when one is given: every item is checked before anything is written, and a
    /// refusal names the item (第 2 项：…) when there are several.
    pub async fn create_many_as(
        &self,
        creator: &Person,
        ledger: Option<NewLedger>,
        mut inputs: Vec<TaskInput>,
    ) -> Result<(Option<Ledger>, Vec<TaskView>), Error> {
        if inputs.is_empty() {
            return Err(Error::invalid("title", "请至少填写一项任务"));
        }
        let several = inputs.len() > 1;
        let (now, tz) = (self.core.now(), self.core.policy().timezone());
        for (i, input) in inputs.iter().enumerate() {
            if let Err(e) = input.clone().parse(now, &tz) {
                return Err(match e {
                    Error::Invalid { field, message } if several => {
                        Error::invalid(field, format!("第 {} 项：{message}", i + 1))
                    }
                    e => e,
                });
            }
        }
        let ledger = match ledger {
            Some(l) => Some(self.create_ledger(&l).await?),
            None => None,
        };
        let mut made = Vec::with_capacity(inputs.len());
        for mut input in inputs.drain(..) {
            if let Some(l) = &ledger {
                input.ledger_id = Some(l.id);
            }
            made.push(self.create_task_as(creator, input).await?);
        }
        Ok((ledger, made))
    }

    /// Refuses a parent that is the task itself or one of its descendants.
    async fn check_parent(&self, id: TaskId, parent: TaskId) -> Result<(), Error> {
        let mut cur = Some(parent);
        let mut depth = 0;
        while let Some(p) = cur {
            if p == id {
                return Err(Error::invalid("parent_id", "上级任务不能是本任务或其子任务"));
            }
            cur = self.tasks.get_task(p).await?.fields.parent_id;
            depth += 1;
            if depth > 32 {
                return Err(Error::invalid("parent_id", "任务层级过深"));
            }
        }
        Ok(())
    }

    /// Withdraws a task (撤销). Tasks are never deleted: the trail keeps them.
    pub async fn cancel_task(
        &self,
        id: TaskId,
        version: i64,
        reason: &str,
        actor: Option<PersonId>,
    ) -> Result<TaskView, Error> {
        duban_domain::task::check_length("reason", "撤销原因", reason, duban_domain::task::MAX_COMMENT_CHARS)?;
        let current = self.tasks.get_task(id).await?;
        if current.status == Status::Cancelled {
            return Err(Error::Conflict("任务已撤销".into()));
        }
        let fields = current.fields.clone();
        let data = serde_json::json!({ "reason": reason.trim() });
        self.write(current, version, fields, Status::Cancelled, Edit { kind: EventKind::Cancelled, data, actor }).await
    }

    /// Writes a committed document import (see [`crate::document_import`]) in one transaction;
    /// returns its ledger.
    pub(crate) async fn write_import(&self, write: &ImportWrite) -> Result<LedgerId, Error> {
        let ledger = self.tasks.write_import(write).await;
        self.suggestions.forget();
        ledger
    }

    /// Creates a ledger.
    pub async fn create_ledger(&self, l: &NewLedger) -> Result<Ledger, Error> {
        self.ledgers.create_ledger(l, self.core.now()).await
    }
}
