//! [`Rules`], the rules and calendar area: it loads the rules and calendar in force into the
//! [`Core`] at start, saves rules an administrator edits, adds holiday data, and recomputes the
//! stored schedules of the open tasks when either changes.
//!
//! Rules saved from the web outlive restarts and come before the configuration's. A
//! fingerprint of the rules and calendar the stored schedules were computed with is kept, so a
//! process that starts with other ones recomputes every open task's schedule once.
//!
//! Rules and calendar changed by another process: every write that changes them raises a
//! version in the database (migration 0010); [`crate::jobs::Runner`] compares it with the
//! version it loaded before each job run and every few seconds, and calls [`Rules::reload`]
//! when it moved. The process that made the change has already recomputed the stored
//! schedules, so a reload only puts the rules and calendar in force in memory.

use crate::core::{Core, instants};
use duban_domain::Error;
use duban_domain::calendar::{BUILTIN_JSON, Calendar, CalendarFile, UnknownYears};
use duban_domain::clock::Clock;
use duban_domain::ids::TaskId;
use duban_domain::policy::Policy;
use duban_store::{CalendarStore, MetaStore, ScheduleInstants, TaskStore};
use serde::Serialize;
use std::sync::Arc;

/// The meta key under which the fingerprint of the rules and calendar in force is kept.
pub(crate) const FINGERPRINT_KEY: &str = "schedule_fingerprint";
/// Rules saved from the web (empty: none).
const RULES_KEY: &str = "rules_toml";

/// What importing a calendar file did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarImport {
    pub years: Vec<i16>,
    pub coverage: String,
    pub rescheduled: u64,
}

/// The calendar in force: the built-in data, then imported files in order.
pub fn compile_calendar(files: &[CalendarFile], unknown_years: UnknownYears) -> Result<Calendar, Error> {
    let mut all = vec![CalendarFile::parse_json(BUILTIN_JSON)?];
    all.extend(files.iter().cloned());
    Ok(Calendar::build(&all, unknown_years)?)
}

/// A small, stable hash (FNV-1a), to notice when the rules or the calendar changed.
pub(crate) fn fnv(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain([0u8]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// The rules and calendar area, over the meta, calendar and task ports.
pub struct Rules {
    core: Arc<Core>,
    /// The rules the configuration names, to return to.
    configured: Arc<Policy>,
    meta: Arc<dyn MetaStore>,
    calendar: Arc<dyn CalendarStore>,
    /// For recomputing the open tasks' schedules.
    tasks: Arc<dyn TaskStore>,
}

impl Rules {
    /// Loads the rules and calendar in force (the rules an administrator saved, else the
    /// configuration's `policy`; the built-in holiday data plus imported files) into a new
    /// [`Core`] reading the time from `clock`, and, when they differ from those the stored
    /// schedules were computed with, recomputes every open task's schedule.
    pub async fn load(
        meta: Arc<dyn MetaStore>,
        calendar: Arc<dyn CalendarStore>,
        tasks: Arc<dyn TaskStore>,
        policy: Policy,
        clock: Arc<dyn Clock>,
        unknown_years: UnknownYears,
    ) -> Result<Self, Error> {
        let files = calendar.calendar_files().await?;
        let compiled = compile_calendar(&files, unknown_years)?;
        // Rules saved from the web outlive restarts and come before the configuration's.
        let configured = Arc::new(policy.clone());
        let policy = match meta.get_meta(RULES_KEY).await?.filter(|t| !t.trim().is_empty()) {
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
        let core = Arc::new(Core::new(clock, policy, compiled, unknown_years));
        let rules = Self { core, configured, meta, calendar, tasks };
        rules.reschedule_if_changed(&files).await?;
        Ok(rules)
    }

    fn fingerprint(&self, files: &[CalendarFile]) -> String {
        let policy = self.core.policy().to_toml();
        let cal: Vec<String> = files.iter().map(CalendarFile::to_json).collect();
        let mut parts: Vec<&str> =
            vec![&policy, BUILTIN_JSON, if self.core.unknown_years() == UnknownYears::Error { "e" } else { "w" }];
        parts.extend(cal.iter().map(String::as_str));
        fnv(&parts)
    }

    async fn reschedule_if_changed(&self, files: &[CalendarFile]) -> Result<(), Error> {
        let fp = self.fingerprint(files);
        if self.meta.get_meta(FINGERPRINT_KEY).await?.as_deref() != Some(fp.as_str()) {
            let n = self.reschedule_all().await?;
            tracing::info!(tasks = n, "rules or calendar changed: schedules recomputed");
            self.meta.set_meta(FINGERPRINT_KEY, &fp).await?;
        }
        Ok(())
    }

    /// The core these rules are in force in.
    pub fn core(&self) -> &Arc<Core> {
        &self.core
    }

    /// The rules an administrator saved from the web, if any.
    pub async fn saved_rules(&self) -> Result<Option<String>, Error> {
        Ok(self.meta.get_meta(RULES_KEY).await?.filter(|t| !t.trim().is_empty()))
    }

    /// Puts rules in force (a whole policy file, or `profile = "…"` with overrides), keeps them
    /// for restarts, and recomputes every open task's schedule. `None` returns to the rules the
    /// configuration names. Returns how many tasks were rescheduled.
    pub async fn set_rules(&self, text: Option<&str>) -> Result<u64, Error> {
        let policy = match text {
            Some(t) => Policy::from_toml(t)?,
            None => Policy::clone(&self.configured),
        };
        self.meta.set_meta(RULES_KEY, text.unwrap_or_default()).await?;
        self.core.put_policy(policy);
        let n = self.reschedule_all().await?;
        let files = self.calendar.calendar_files().await?;
        self.meta.set_meta(FINGERPRINT_KEY, &self.fingerprint(&files)).await?;
        Ok(n)
    }

    /// Recomputes the stored schedule of every open task; returns how many.
    pub async fn reschedule_all(&self) -> Result<u64, Error> {
        let mut after = TaskId(0);
        let mut n = 0u64;
        loop {
            let batch = self.tasks.open_tasks(after, 1000).await?;
            let Some(last) = batch.last() else { break };
            after = last.id;
            let updates: Vec<(TaskId, ScheduleInstants)> =
                batch.iter().map(|t| (t.id, instants(&self.core.schedule_of(&t.fields, &t.events)))).collect();
            self.tasks.set_schedules(&updates).await?;
            n += updates.len() as u64;
        }
        Ok(n)
    }

    /// Adds holiday data (a new year, a local holiday or working day); it is used at once and
    /// every open task's schedule is recomputed.
    pub async fn load_calendar_file(&self, file: CalendarFile, note: &str) -> Result<CalendarImport, Error> {
        let mut files = self.calendar.calendar_files().await?;
        files.push(file.clone());
        let calendar = compile_calendar(&files, self.core.unknown_years())?;
        self.calendar.add_calendar_file(&file, note, self.core.now()).await?;
        let coverage = calendar.coverage();
        self.core.put_calendar(calendar);
        let rescheduled = self.reschedule_all().await?;
        self.meta.set_meta(FINGERPRINT_KEY, &self.fingerprint(&files)).await?;
        Ok(CalendarImport { years: file.years.keys().copied().collect(), coverage, rescheduled })
    }

    /// Reads the rules an administrator saved (or, when none, the configuration's) and the
    /// calendar files again, and puts them in force. On an error nothing changes.
    pub async fn reload(&self) -> Result<(), Error> {
        let files = self.calendar.calendar_files().await?;
        let calendar = compile_calendar(&files, self.core.unknown_years())?;
        let policy = match self.saved_rules().await? {
            Some(text) => Policy::from_toml(&text)?,
            None => Policy::clone(&self.configured),
        };
        self.core.put_policy(policy);
        self.core.put_calendar(calendar);
        Ok(())
    }
}
