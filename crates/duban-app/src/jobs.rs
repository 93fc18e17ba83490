//! The job runner: the work a server does on its own, on a timer, and stops doing at shutdown.
//!
//! Each [`Job`] has a name and runs every so often: the supervision pass
//! ([`SupervisionPass`], every minute), outbox delivery ([`OutboxDelivery`], every 30 s) and the
//! assessment's refresh ([`AssessmentRefresh`], every minute: the facts of the tasks whose trail
//! grew). The intervals are the configuration's `[jobs]` ([`JobsConfig`]).
//! Later kinds (bulletins, syncs) are jobs too: a queued job is one whose run takes the next
//! items of its queue. Every run is idempotent, so a run cut short repeats and loses nothing.
//!
//! Several `duban serve` processes may share one database. A run first takes its job's lease
//! ([`duban_store::JobStore::take_lease`]), so a given job runs in one process at a time; the
//! holder renews it on each run and gives it back at shutdown, and a process that dies leaves
//! it to expire (two intervals) for another to take. Messages are claimed one batch at a time
//! before they are sent (see [`crate::outbox`]), so even two runs that overlap never send one
//! twice. Before every run, and every few seconds, the runner also checks whether another
//! process changed the rules or the calendar, and reloads them ([`crate::rules`]).
//!
//! A run's outcome is logged; an error or even a panic in a run is logged and the runner goes
//! on. Lease times come from the service's clock.

use crate::config::JobsConfig;
use crate::service::Services;
use async_trait::async_trait;
use duban_domain::Error;
use duban_store::JobStore;
use jiff::{SignedDuration, Timestamp};
use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

/// Who holds a lease or a claim: one runner of one process, unique across the machines that
/// share a database (host name, process id, and a number within the process).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder(String);

impl Holder {
    /// A new holder, distinct from every other in this process and on other hosts.
    pub fn new() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Self(format!("{}:{}:{}", host_name(), std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed)))
    }

    /// The holder of this process's work outside a runner (a pass run by hand, a 督办 issued
    /// from a page, which deliver at once).
    pub fn of_process() -> &'static Holder {
        static PROCESS: OnceLock<Holder> = OnceLock::new();
        PROCESS.get_or_init(|| Holder(format!("{}:{}:0", host_name(), std::process::id())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for Holder {
    fn default() -> Self {
        Self::new()
    }
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "duban".into())
}

/// Work the runner does on a timer.
#[async_trait]
pub trait Job: Send + Sync + 'static {
    /// The job's name, which is also the name of its lease.
    fn name(&self) -> &'static str;
    /// Does the work once, as `holder`, at `now`; returns a line for the log. Must be
    /// idempotent: it may be cut short, or run again by another process.
    async fn run(&self, duban: &Services, holder: &Holder, now: Timestamp) -> Result<String, Error>;
}

/// The supervision pass ([`Supervision::pass`](crate::supervision::Supervision::pass)): reminders, 督办 notices, escalation, naming.
pub struct SupervisionPass;

#[async_trait]
impl Job for SupervisionPass {
    fn name(&self) -> &'static str {
        "supervision"
    }

    async fn run(&self, duban: &Services, _holder: &Holder, now: Timestamp) -> Result<String, Error> {
        let s = duban.supervision().pass(now).await?;
        Ok(format!(
            "open {}, reminders {}, notices {}, naming {}, delivered {}",
            s.open_tasks,
            s.reminders,
            s.notices.len(),
            s.naming_candidates,
            s.delivered
        ))
    }
}

/// Delivery of the outbox's messages whose time has come ([`Outbox::deliver_as`](crate::outbox::Outbox::deliver_as)).
pub struct OutboxDelivery;

#[async_trait]
impl Job for OutboxDelivery {
    fn name(&self) -> &'static str {
        "outbox"
    }

    async fn run(&self, duban: &Services, holder: &Holder, now: Timestamp) -> Result<String, Error> {
        Ok(format!("delivered {}", duban.outbox().deliver_as(holder, now).await?))
    }
}

/// The assessment's refresh ([`Assessment::refresh`](crate::assessment::Assessment::refresh)):
/// derives again the facts of exactly the tasks whose trail grew since the last run, so rankings
/// and bulletins read facts that are at most an interval behind (they refresh before reading
/// anyway; the job keeps that refresh small).
pub struct AssessmentRefresh;

#[async_trait]
impl Job for AssessmentRefresh {
    fn name(&self) -> &'static str {
        "assessment"
    }

    async fn run(&self, duban: &Services, _holder: &Holder, _now: Timestamp) -> Result<String, Error> {
        let r = duban.assessment().refresh().await?;
        Ok(format!("tasks {}, facts {}{}", r.tasks, r.facts, if r.rebuilt { ", every task derived again" } else { "" }))
    }
}

/// What became of one attempt to run a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It ran; the line it logged.
    Ran(String),
    /// Another process holds its lease.
    Elsewhere,
    /// It failed (or panicked); the error as logged.
    Failed(String),
}

struct Scheduled {
    job: Arc<dyn Job>,
    every: Duration,
}

/// The runner: its jobs and intervals, and the version of the rules and calendar it last saw.
pub struct Runner {
    duban: Arc<Services>,
    /// The port of job leases and the rules/calendar version.
    leases: Arc<dyn JobStore>,
    holder: Holder,
    jobs: Vec<Scheduled>,
    config_every: Duration,
    /// The configuration version loaded, or -1 before the first check.
    seen: AtomicI64,
}

impl Runner {
    /// The server's jobs: the supervision pass every minute, delivery every 30 seconds, the
    /// assessment's refresh every minute, the liaison and steward obligation tasks
    /// ([`ServiceObligations`](crate::liaison::ServiceObligations)) every 5 minutes, and a look
    /// for changed rules or calendar every 5 seconds.
    pub fn new(duban: Arc<Services>) -> Self {
        Self {
            leases: duban.leases().clone(),
            duban,
            holder: Holder::new(),
            jobs: vec![
                Scheduled { job: Arc::new(SupervisionPass), every: Duration::from_secs(60) },
                Scheduled { job: Arc::new(OutboxDelivery), every: Duration::from_secs(30) },
                Scheduled { job: Arc::new(AssessmentRefresh), every: Duration::from_secs(60) },
                Scheduled { job: Arc::new(crate::liaison::ServiceObligations), every: Duration::from_secs(300) },
            ],
            config_every: Duration::from_secs(5),
            seen: AtomicI64::new(-1),
        }
    }

    /// Adds a job, or changes the interval of the job of that name.
    pub fn with(mut self, job: Arc<dyn Job>, every: Duration) -> Self {
        self.jobs.retain(|s| s.job.name() != job.name());
        self.jobs.push(Scheduled { job, every });
        self
    }

    /// Runs every job of the server at `every` (tests use short intervals).
    pub fn every(self, every: Duration) -> Self {
        let runner = self
            .with(Arc::new(SupervisionPass), every)
            .with(Arc::new(OutboxDelivery), every)
            .with(Arc::new(AssessmentRefresh), every)
            .with(Arc::new(crate::liaison::ServiceObligations), every);
        Self { config_every: every, ..runner }
    }

    /// The intervals of the configuration's `[jobs]` (a zero is taken as one second).
    pub fn configured(self, c: &JobsConfig) -> Self {
        let secs = |n: u64| Duration::from_secs(n.max(1));
        self.with(Arc::new(SupervisionPass), secs(c.supervision_seconds))
            .with(Arc::new(OutboxDelivery), secs(c.outbox_seconds))
            .with(Arc::new(AssessmentRefresh), secs(c.assessment_seconds))
    }

    /// Who this runner holds leases and claims as.
    pub fn holder(&self) -> &Holder {
        &self.holder
    }

    /// Runs the jobs until `stop` turns true, then gives their leases back. Dropping the
    /// returned future (as a killed process would) stops every job at once and gives nothing
    /// back: the leases and claims expire.
    pub async fn run(self, stop: watch::Receiver<bool>) {
        let me = Arc::new(self);
        let mut tasks = JoinSet::new();
        for i in 0..me.jobs.len() {
            tasks.spawn(me.clone().repeat(i, stop.clone()));
        }
        tasks.spawn(me.clone().watch_config(stop));
        while let Some(done) = tasks.join_next().await {
            if let Err(e) = done {
                tracing::error!(error = %e, "a job loop ended abnormally");
            }
        }
        for s in &me.jobs {
            if let Err(e) = me.leases.release_lease(s.job.name(), me.holder.as_str()).await {
                tracing::warn!(job = s.job.name(), error = %e, "lease not given back; it will expire");
            }
        }
    }

    async fn repeat(self: Arc<Self>, i: usize, mut stop: watch::Receiver<bool>) {
        let Some(every) = self.jobs.get(i).map(|s| s.every) else { return };
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        while !*stop.borrow() {
            tokio::select! {
                _ = ticker.tick() => {
                    if let Some(s) = self.jobs.get(i) {
                        self.run_scheduled(s).await;
                    }
                }
                changed = stop.changed() => if changed.is_err() { break },
            }
        }
    }

    async fn watch_config(self: Arc<Self>, mut stop: watch::Receiver<bool>) {
        let mut ticker = tokio::time::interval(self.config_every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        while !*stop.borrow() {
            tokio::select! {
                _ = ticker.tick() => self.check_config().await,
                changed = stop.changed() => if changed.is_err() { break },
            }
        }
    }

    /// Runs the job of this name once now, as the timer would (with the lease); `None` for a
    /// job the runner does not have.
    pub async fn run_now(&self, name: &str) -> Option<Outcome> {
        let s = self.jobs.iter().find(|s| s.job.name() == name)?;
        Some(self.run_scheduled(s).await)
    }

    async fn run_scheduled(&self, s: &Scheduled) -> Outcome {
        self.check_config().await;
        let name = s.job.name();
        let now = self.duban.core().now();
        let lease = SignedDuration::try_from(s.every.saturating_mul(2)).unwrap_or(SignedDuration::MAX);
        let until = now.checked_add(lease).unwrap_or(Timestamp::MAX);
        match self.leases.take_lease(name, self.holder.as_str(), now, until).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::debug!(job = name, "another process holds the lease");
                return Outcome::Elsewhere;
            }
            Err(e) => {
                tracing::error!(job = name, error = %e, "lease not taken");
                return Outcome::Failed(e.to_string());
            }
        }
        // The run is a task of its own, so that a panic in it is caught and logged; it is
        // aborted with the runner.
        let (job, duban, holder) = (s.job.clone(), self.duban.clone(), self.holder.clone());
        let run = AbortOnDrop(tokio::spawn(async move { job.run(&duban, &holder, now).await }));
        match run.finish().await {
            Ok(Ok(line)) => {
                tracing::info!(job = name, outcome = %line, "job ran");
                Outcome::Ran(line)
            }
            Ok(Err(e)) => {
                tracing::error!(job = name, error = %e, "job failed");
                Outcome::Failed(e.to_string())
            }
            Err(e) => {
                tracing::error!(job = name, error = %e, "job panicked");
                Outcome::Failed(e.to_string())
            }
        }
    }

    /// Reloads the rules and calendar when their version moved since the last look.
    async fn check_config(&self) {
        let version = match self.leases.config_version().await {
            Ok(v) => v,
            Err(e) => {
                tracing::warn!(error = %e, "configuration version not read");
                return;
            }
        };
        if self.seen.load(Ordering::Acquire) == version {
            return;
        }
        match self.duban.rules().reload().await {
            Ok(()) => {
                self.seen.store(version, Ordering::Release);
                tracing::debug!(version, "rules and calendar loaded");
            }
            Err(e) => tracing::error!(error = %e, "rules or calendar changed but do not load; the old ones stay"),
        }
    }
}

/// A spawned task that is aborted when its handle is dropped.
struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> AbortOnDrop<T> {
    async fn finish(mut self) -> Result<T, tokio::task::JoinError> {
        (&mut self.0).await
    }
}

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holders_are_distinct_within_a_process() {
        let (a, b) = (Holder::new(), Holder::new());
        assert_ne!(a, b);
        assert_ne!(&a, Holder::of_process());
        assert_eq!(Holder::of_process(), Holder::of_process());
        assert!(a.as_str().contains(&format!(":{}:", std::process::id())));
    }
}
