//! [`Core`], what every service shares: the clock (the only source of the time in the
//! application layer), and the rules and calendar in force, from which a task's schedule and
//! its view are computed. It holds no storage port: [`Rules`](crate::rules::Rules) loads the
//! rules and calendar and puts them in force here; every other service reads them.
//!
//! The types a task is shown as ([`TaskView`], [`StageView`], [`WarningView`]) are here too,
//! with [`Core::view`] that makes them.

use duban_domain::calendar::{Calendar, UnknownYears};
use duban_domain::clock::Clock;
use duban_domain::policy::{ClockEvent, Policy};
use duban_domain::schedule::{Schedule, Stage, StageState, schedule};
use duban_domain::task::{Light, NewTask, Task, TaskWarning};
use duban_store::ScheduleInstants;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

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
    /// The state as the ledger names it (待签收, 办理中, 待审核, 已销号 …;
    /// [`Status::state_name`](duban_domain::task::Status::state_name)).
    pub state: &'static str,
    /// The deadline in force (完成时限): the task's own, or else the one its rules give.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub deadline_in_force: Option<Date>,
    /// Whether [`TaskView::deadline_in_force`] comes from the rules (the task has none of its own).
    pub deadline_from_rules: bool,
    /// 逾期天数: working days the open stage due first is past its due date; `null` when not
    /// overdue ([`Schedule::overdue_workdays`]).
    pub overdue_days: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stages: Option<Vec<StageView>>,
}

/// A task's light at `now`: none once it is closed, suspended or withdrawn.
pub fn light_of(task: &Task, s: &Schedule, now: Timestamp) -> Option<Light> {
    task.status.is_open().then(|| s.light_at(now).unwrap_or(Light::Green))
}

/// The two instants of a schedule that are stored with a task, so lists can filter and sort
/// by light.
pub(crate) fn instants(s: &Schedule) -> ScheduleInstants {
    ScheduleInstants { due_at: s.due_at, warn_at: s.warn_at }
}

/// Replaces what a lock holds (a poisoned lock only means a panic elsewhere; the value is whole).
fn put<T>(lock: &RwLock<Arc<T>>, value: T) {
    let mut slot = lock.write().unwrap_or_else(std::sync::PoisonError::into_inner);
    *slot = Arc::new(value);
}

/// A cheap shared copy of what a lock holds.
fn get<T>(lock: &RwLock<Arc<T>>) -> Arc<T> {
    Arc::clone(&lock.read().unwrap_or_else(std::sync::PoisonError::into_inner))
}

/// The clock and the rules and calendar in force, shared by every service.
pub struct Core {
    clock: Arc<dyn Clock>,
    /// The rules in force: the configuration's, or those an administrator saved from the web.
    policy: RwLock<Arc<Policy>>,
    calendar: RwLock<Arc<Calendar>>,
    /// What a calendar does for a year it has no data for.
    unknown_years: UnknownYears,
}

impl Core {
    /// A core with these rules and calendar in force, reading the time from `clock`.
    pub fn new(clock: Arc<dyn Clock>, policy: Policy, calendar: Calendar, unknown_years: UnknownYears) -> Self {
        Self { clock, policy: RwLock::new(Arc::new(policy)), calendar: RwLock::new(Arc::new(calendar)), unknown_years }
    }

    /// The time now, from the clock.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The rules in force (a cheap shared copy).
    pub fn policy(&self) -> Arc<Policy> {
        get(&self.policy)
    }

    /// The calendar in force (a cheap shared copy).
    pub fn calendar(&self) -> Arc<Calendar> {
        get(&self.calendar)
    }

    /// What a calendar compiled for this process does for a year it has no data for.
    pub fn unknown_years(&self) -> UnknownYears {
        self.unknown_years
    }

    /// Puts rules in force (only [`Rules`](crate::rules::Rules) does).
    pub(crate) fn put_policy(&self, policy: Policy) {
        put(&self.policy, policy);
    }

    /// Puts a calendar in force (only [`Rules`](crate::rules::Rules) does).
    pub(crate) fn put_calendar(&self, calendar: Calendar) {
        put(&self.calendar, calendar);
    }

    /// The schedule of a task under the rules and calendar in force.
    pub fn schedule_of(&self, t: &NewTask, clock: &BTreeMap<ClockEvent, Timestamp>) -> Schedule {
        schedule(&self.policy(), &self.calendar(), &t.facts(), clock)
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
        let deadline_in_force = s.deadline(task.fields.deadline);
        let overdue_days = if open { s.overdue_workdays(now, &tz, &self.calendar()) } else { None };
        TaskView {
            light,
            due_at: if open { s.due_at } else { None },
            warnings,
            state: task.status.state_name(),
            deadline_from_rules: task.fields.deadline.is_none() && deadline_in_force.is_some(),
            deadline_in_force,
            overdue_days,
            stages: stage_views,
            task,
        }
    }
}
