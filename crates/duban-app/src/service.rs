//! [`Services`], the composition of the application layer: built from one store, it upcasts it
//! once into the [`Ports`] each area reaches, builds the areas that are services of their own
//! ([`SignIn`](crate::sign_in::SignIn), [`Outbox`](crate::outbox::Outbox)), and holds the core
//! they share: the clock (the only source of the time), the calendar and rules in force, and
//! the in-memory [`Snapshot`]. The other areas are `impl Services` blocks in their own modules,
//! each naming the ports it uses.
//!
//! This module is also the tasks area: creating, reading, listing, editing and withdrawing
//! tasks, their views and schedules, the rules in force, and the calendar and unit-directory
//! files loaded by administrators.
//!
//! Every task write recomputes the task's schedule and stores the two instants that decide its
//! light, so lists can filter and sort by light in SQL. When the calendar or the rules change,
//! [`Services::reschedule_all`] recomputes them for every open task.

use crate::ports::Ports;
use duban_domain::Error;
use duban_domain::calendar::{BUILTIN_JSON, Calendar, CalendarFile, UnknownYears};
use duban_domain::clock::Clock;
use duban_domain::event::EventKind;
use duban_domain::ids::{PersonId, TaskId};
use duban_domain::org::{Person, UnitDirectory};
use duban_domain::policy::{ClockEvent, Policy};
use duban_domain::schedule::{Schedule, Stage, StageState, schedule};
use duban_domain::task::{Classification, Light, NewTask, Status, Task, TaskInput, TaskPatch, TaskWarning};
use duban_store::{DirectoryImport, NewEvent, Page, ScheduleInstants, Store, StoredTask, TaskQuery};
use jiff::Timestamp;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

/// The meta key under which the fingerprint of the rules and calendar in force is kept.
const FINGERPRINT_KEY: &str = "schedule_fingerprint";
/// Rules saved from the web (empty: none).
const RULES_KEY: &str = "rules_toml";

/// A stage as shown: its dates, and its state and light now.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StageView {
    #[serde(flatten)]
    pub stage: Stage,
    /// The duration in Chinese, e.g. "3 个工作日".
    pub duration_text: String,
    pub state: StageState,
    pub light: Option<Light>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WarningView {
    pub code: TaskWarning,
    pub message: &'static str,
}

/// A task as shown: the stored task, its light now, and, for a single task, its stages.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskView {
    #[serde(flatten)]
    pub task: Task,
    /// The light now; `null` when the task is closed, suspended or cancelled.
    pub light: Option<Light>,
    /// The earliest due time of its open stages.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub due_at: Option<Timestamp>,
    pub warnings: Vec<WarningView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stages: Option<Vec<StageView>>,
}

/// What importing a calendar file did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarImport {
    pub years: Vec<i16>,
    pub coverage: String,
    pub rescheduled: u64,
}

/// What a write records in the task's history besides the changed fields.
pub(crate) struct Edit {
    pub kind: EventKind,
    pub data: serde_json::Value,
    pub actor: Option<PersonId>,
}

/// The calendar in force: the built-in data, then imported files in order.
pub fn compile_calendar(files: &[CalendarFile], unknown_years: UnknownYears) -> Result<Calendar, Error> {
    let mut all = vec![CalendarFile::parse_json(BUILTIN_JSON)?];
    all.extend(files.iter().cloned());
    Ok(Calendar::build(&all, unknown_years)?)
}

/// The application's services, built from one store: the use cases the API, the pages and the
/// command line share, each area in its own module.
pub struct Services {
    /// The whole store, only for [`Self::store`]; the use cases reach their ports.
    store: Arc<dyn Store>,
    /// The storage ports, one per aggregate, that the areas use.
    pub(crate) ports: Ports,
    pub(crate) calendar: RwLock<Arc<Calendar>>,
    /// The lead-unit suggester, trained on the ledgers on first use and dropped when tasks change.
    pub(crate) suggester: RwLock<Option<Arc<duban_import::suggest::Suggester>>>,
    /// The outbox: its transports and delivery.
    pub(crate) outbox: crate::outbox::Outbox,
    /// The rules in force: the configuration's, or those an administrator saved from the web.
    pub(crate) policy: RwLock<Arc<Policy>>,
    /// The rules the configuration names, to return to.
    pub(crate) configured: Arc<Policy>,
    clock: Arc<dyn Clock>,
    pub(crate) unknown_years: UnknownYears,
    /// Every task with its schedule, for the pages that show a whole ledger at once (battle
    /// map, statistics, supervision); reloaded when the tasks' fingerprint changes.
    snapshot: tokio::sync::Mutex<Option<Arc<Snapshot>>>,
    /// Sign-in: passwords, sessions, throttling, and the web front's settings.
    pub(crate) accounts: crate::sign_in::SignIn,
}

/// A task's light at `now`: none once it is closed, suspended or withdrawn.
pub fn light_of(task: &Task, s: &Schedule, now: Timestamp) -> Option<Light> {
    task.status.is_open().then(|| s.light_at(now).unwrap_or(Light::Green))
}

/// Every task with its schedule, as of a fingerprint of the tasks table.
pub struct Snapshot {
    key: (i64, i64, i64, (usize, usize)),
    /// The latest change it holds.
    changed: Timestamp,
    pub tasks: Vec<(Task, Schedule)>,
}

/// A small, stable hash (FNV-1a), to notice when the rules or the calendar changed.
fn fnv(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain([0u8]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

impl Services {
    /// Builds the core: loads the calendar (built-in data plus imported files) and, when the
    /// rules or calendar differ from those the stored schedules were computed with, recomputes
    /// every open task's schedule.
    pub async fn new(
        store: Arc<dyn Store>,
        policy: Policy,
        clock: Arc<dyn Clock>,
        unknown_years: UnknownYears,
    ) -> Result<Self, Error> {
        let files = store.calendar_files().await?;
        let calendar = compile_calendar(&files, unknown_years)?;
        // Rules saved from the web outlive restarts and come before the configuration's.
        let configured = Arc::new(policy.clone());
        let policy = match store.get_meta(RULES_KEY).await?.filter(|t| !t.trim().is_empty()) {
            Some(text) => match Policy::from_toml(&text) {
                Ok(saved) => {
                    tracing::info!(rules = %saved.name, "rules saved by an administrator are in force");
                    saved
                }
                Err(e) => {
                    tracing::warn!(error = %e, "the saved rules no longer read; the configuration's are in force");
                    policy
                }
            },
            None => policy,
        };
        let ports = Ports::of(&store);
        let accounts = crate::sign_in::SignIn::new(ports.people.clone(), ports.sign_in.clone(), clock.clone());
        let outbox = crate::outbox::Outbox::new(&ports);
        let d = Self {
            ports,
            store,
            calendar: RwLock::new(Arc::new(calendar)),
            suggester: RwLock::new(None),
            outbox,
            policy: RwLock::new(Arc::new(policy)),
            configured,
            clock,
            unknown_years,
            snapshot: tokio::sync::Mutex::new(None),
            accounts,
        };
        d.reschedule_if_changed(&files).await?;
        Ok(d)
    }

    fn fingerprint(&self, files: &[CalendarFile]) -> String {
        let policy = self.policy().to_toml();
        let cal: Vec<String> = files.iter().map(CalendarFile::to_json).collect();
        let mut parts: Vec<&str> =
            vec![&policy, BUILTIN_JSON, if self.unknown_years == UnknownYears::Error { "e" } else { "w" }];
        parts.extend(cal.iter().map(String::as_str));
        fnv(&parts)
    }

    async fn reschedule_if_changed(&self, files: &[CalendarFile]) -> Result<(), Error> {
        let fp = self.fingerprint(files);
        if self.ports.meta.get_meta(FINGERPRINT_KEY).await?.as_deref() != Some(fp.as_str()) {
            let n = self.reschedule_all().await?;
            tracing::info!(tasks = n, "rules or calendar changed: schedules recomputed");
            self.ports.meta.set_meta(FINGERPRINT_KEY, &fp).await?;
        }
        Ok(())
    }

    /// Every task with its schedule. Cheap while nothing has changed: one aggregate query
    /// decides whether the copy in memory is current; after a change only the tasks changed
    /// since are read again (all of them when the calendar or the rules changed).
    pub async fn snapshot(&self) -> Result<Arc<Snapshot>, Error> {
        let (n, top, versions) = self.ports.tasks.tasks_fingerprint().await?;
        // The calendar and the rules in force are part of the key: either moves due dates.
        let calendar = (Arc::as_ptr(&self.calendar()) as usize, Arc::as_ptr(&self.policy()) as usize);
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
        for t in self.ports.tasks.tasks_changed_since(since).await? {
            latest = latest.max(t.updated_at);
            let schedule = self.schedule_of(&t.fields, &t.events);
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

    /// The whole store, for the binary's maintenance commands (the demo, backups) and tests;
    /// the use cases reach only their ports ([`Ports`]).
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn policy(&self) -> Arc<Policy> {
        match self.policy.read() {
            Ok(p) => Arc::clone(&p),
            Err(p) => Arc::clone(&p.into_inner()),
        }
    }

    /// The rules an administrator saved from the web, if any.
    pub async fn saved_rules(&self) -> Result<Option<String>, Error> {
        Ok(self.ports.meta.get_meta(RULES_KEY).await?.filter(|t| !t.trim().is_empty()))
    }

    /// Puts rules in force (a whole policy file, or `profile = "…"` with overrides), keeps them
    /// for restarts, and recomputes every open task's schedule. `None` returns to the rules the
    /// configuration names. Returns how many tasks were rescheduled.
    pub async fn set_rules(&self, text: Option<&str>) -> Result<u64, Error> {
        let policy = match text {
            Some(t) => Policy::from_toml(t)?,
            None => Policy::clone(&self.configured),
        };
        self.ports.meta.set_meta(RULES_KEY, text.unwrap_or_default()).await?;
        match self.policy.write() {
            Ok(mut p) => *p = Arc::new(policy),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(policy),
        }
        let n = self.reschedule_all().await?;
        let files = self.ports.calendar.calendar_files().await?;
        self.ports.meta.set_meta(FINGERPRINT_KEY, &self.fingerprint(&files)).await?;
        Ok(n)
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The calendar in force (a cheap shared copy).
    pub fn calendar(&self) -> Arc<Calendar> {
        match self.calendar.read() {
            Ok(c) => Arc::clone(&c),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// The schedule of a task under the rules and calendar in force.
    pub fn schedule_of(&self, t: &NewTask, clock: &BTreeMap<ClockEvent, Timestamp>) -> Schedule {
        schedule(&self.policy(), &self.calendar(), &t.facts(), clock)
    }

    fn instants(s: &Schedule) -> ScheduleInstants {
        ScheduleInstants { due_at: s.due_at, warn_at: s.warn_at }
    }

    /// A task as shown at `now`; with `stages`, every stage with its state and light.
    pub fn view(&self, task: Task, now: Timestamp, stages: bool) -> TaskView {
        let s = self.schedule_of(&task.fields, &task.events);
        let open = task.status.is_open();
        let light = light_of(&task, &s, now);
        let tz = self.policy().timezone();
        let stage_views = stages.then(|| {
            s.stages
                .iter()
                .map(|st| {
                    let (state, light) = st.state_at(now, &tz);
                    StageView {
                        duration_text: st.duration.describe(),
                        stage: st.clone(),
                        state,
                        light: if open { light } else { None },
                    }
                })
                .collect()
        });
        let warnings =
            task.fields.warnings().into_iter().map(|w| WarningView { code: w, message: w.message() }).collect();
        TaskView { light, due_at: if open { s.due_at } else { None }, warnings, stages: stage_views, task }
    }

    /// Creates a task from unchecked input, with its `created` event.
    pub async fn create_task(&self, input: TaskInput, actor: Option<PersonId>) -> Result<TaskView, Error> {
        let fields = input.parse(self.now(), &self.policy().timezone())?;
        self.create_checked(fields, actor).await
    }

    /// Creates a task as `creator`: a subtask only under a parent they may see (a hidden parent
    /// answers exactly as a missing one), and under a 涉密 parent only a 涉密 subtask.
    pub async fn create_task_as(&self, creator: &Person, input: TaskInput) -> Result<TaskView, Error> {
        let parent = match input.parent_id {
            Some(p) => Some(self.visible_task(creator, p).await?),
            None => None,
        };
        let fields = input.parse(self.now(), &self.policy().timezone())?;
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
        Ok(self.view(task, self.now(), true))
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
        let task = self.ports.tasks.create_task(&stored, &event).await;
        self.forget_suggester();
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
        let now = self.now();
        clock.entry(ClockEvent::Received).or_insert(fields.received_at);
        let schedule = self.schedule_of(&fields, &clock);
        let stored = StoredTask { status, schedule: Self::instants(&schedule), clock, at: now, fields };
        let event = NewEvent { at: now, actor_id: actor, kind: EventKind::Created.code().into(), data };
        (stored, event)
    }

    pub async fn get_task(&self, id: TaskId) -> Result<TaskView, Error> {
        let task = self.ports.tasks.get_task(id).await?;
        Ok(self.view(task, self.now(), true))
    }

    pub async fn list_tasks(&self, mut q: TaskQuery) -> Result<Page<TaskView>, Error> {
        let now = self.now();
        q.now = now;
        let page = self.ports.tasks.list_tasks(&q).await?;
        Ok(Page {
            items: page.items.into_iter().map(|t| self.view(t, now, false)).collect(),
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
        let now = self.now();
        let (stored, event) = self.prepare_write(&current, fields, status, clock, edit);
        let task = self.ports.tasks.update_task(current.id, version, &stored, &event).await?;
        self.forget_suggester();
        Ok(self.view(task, now, true))
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
        let now = self.now();
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
        let schedule = self.schedule_of(&fields, &clock);
        let stored = StoredTask { fields, status, clock, schedule: Self::instants(&schedule), at: now };
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
        let current = self.ports.tasks.get_task(id).await?;
        let mut fields = current.fields.clone();
        patch.apply(&mut fields)?;
        if let Some(parent) = fields.parent_id {
            self.check_parent(id, parent).await?;
        }
        let status = current.status;
        let edit = Edit { kind: EventKind::Updated, data: serde_json::json!({}), actor };
        self.write(current, version, fields, status, edit).await
    }

    /// Refuses a parent that is the task itself or one of its descendants.
    async fn check_parent(&self, id: TaskId, parent: TaskId) -> Result<(), Error> {
        let mut cur = Some(parent);
        let mut depth = 0;
        while let Some(p) = cur {
            if p == id {
                return Err(Error::invalid("parent_id", "上级任务不能是本任务或其子任务"));
            }
            cur = self.ports.tasks.get_task(p).await?.fields.parent_id;
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
        let current = self.ports.tasks.get_task(id).await?;
        if current.status == Status::Cancelled {
            return Err(Error::Conflict("任务已撤销".into()));
        }
        let fields = current.fields.clone();
        let data = serde_json::json!({ "reason": reason.trim() });
        self.write(current, version, fields, Status::Cancelled, Edit { kind: EventKind::Cancelled, data, actor }).await
    }

    /// Recomputes the stored schedule of every open task; returns how many.
    pub async fn reschedule_all(&self) -> Result<u64, Error> {
        let mut after = TaskId(0);
        let mut n = 0u64;
        loop {
            let batch = self.ports.tasks.open_tasks(after, 1000).await?;
            let Some(last) = batch.last() else { break };
            after = last.id;
            let updates: Vec<(TaskId, ScheduleInstants)> =
                batch.iter().map(|t| (t.id, Self::instants(&self.schedule_of(&t.fields, &t.events)))).collect();
            self.ports.tasks.set_schedules(&updates).await?;
            n += updates.len() as u64;
        }
        Ok(n)
    }

    /// Adds holiday data (a new year, a local holiday or working day); it is used at once and
    /// every open task's schedule is recomputed.
    pub async fn load_calendar_file(&self, file: CalendarFile, note: &str) -> Result<CalendarImport, Error> {
        let mut files = self.ports.calendar.calendar_files().await?;
        files.push(file.clone());
        let calendar = compile_calendar(&files, self.unknown_years)?;
        self.ports.calendar.add_calendar_file(&file, note, self.now()).await?;
        let coverage = calendar.coverage();
        match self.calendar.write() {
            Ok(mut c) => *c = Arc::new(calendar),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(calendar),
        }
        let rescheduled = self.reschedule_all().await?;
        self.ports.meta.set_meta(FINGERPRINT_KEY, &self.fingerprint(&files)).await?;
        Ok(CalendarImport { years: file.years.keys().copied().collect(), coverage, rescheduled })
    }

    /// Loads a unit directory file.
    pub async fn load_unit_directory(&self, text: &str) -> Result<DirectoryImport, Error> {
        let dir = UnitDirectory::from_toml(text)?;
        self.ports.directory.import_directory(&dir, self.now()).await
    }
}
