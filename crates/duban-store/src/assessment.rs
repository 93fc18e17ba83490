//! Assessment facts (考核事实) and their daily tallies (issue 13).
//!
//! The port [`AssessmentStore`]; the SQL that implements it is `duban-store-sql`'s module of the
//! same name. Facts are kept one row each (to explain a score), and summed per day, unit, role,
//! stored indicator, [`Bucket`] and adjustment in a daily table that every write keeps exact by
//! adding what it adds and subtracting what it removes — so a year's ranking reads a few
//! thousand daily sums, not millions of facts, and the cost of keeping them grows with what
//! changed.

use crate::Result;
use async_trait::async_trait;
use duban_domain::assessment::Fact;
use duban_domain::assessment::fact::EventRecord;
use duban_domain::event::EventKind;
use duban_domain::ids::{PersonId, TaskId, UnitId};
use duban_domain::task::Task;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

/// How a fact stands, as far as it can be known without the instant it is read at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    /// Not a stage: counted as it is.
    Counted,
    /// Stopped on or before its due time.
    OnTime,
    /// Stopped after its due time.
    Late,
    /// Not stopped: late once its due time has passed, pending until then.
    Open,
}

impl Bucket {
    pub fn of(f: &Fact) -> Bucket {
        match (f.due_at, f.stopped_at) {
            (None, _) => Bucket::Counted,
            (Some(d), Some(s)) if s <= d => Bucket::OnTime,
            (Some(_), Some(_)) => Bucket::Late,
            (Some(_), None) => Bucket::Open,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Bucket::Counted => "n",
            Bucket::OnTime => "on_time",
            Bucket::Late => "late",
            Bucket::Open => "open",
        }
    }

    pub fn parse(s: &str) -> Option<Bucket> {
        [Bucket::Counted, Bucket::OnTime, Bucket::Late, Bucket::Open].into_iter().find(|b| b.code() == s)
    }
}

/// What the office did to a fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Adjustment {
    /// 容错: a delay the office accepted with a reason; it counts nothing under a profile with
    /// tolerance.
    Tolerance,
    /// An objection (申诉) upheld: the fact counts nothing under any profile.
    Objection,
}

impl Adjustment {
    pub fn code(self) -> &'static str {
        match self {
            Adjustment::Tolerance => "tolerance",
            Adjustment::Objection => "objection",
        }
    }

    pub fn parse(s: &str) -> Option<Adjustment> {
        match s {
            "tolerance" => Some(Adjustment::Tolerance),
            "objection" => Some(Adjustment::Objection),
            _ => None,
        }
    }
}

/// One daily sum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyTally {
    pub day: Date,
    pub unit: UnitId,
    pub role: String,
    pub indicator: String,
    pub bucket: Bucket,
    pub adjusted: Option<Adjustment>,
    pub count: i64,
    pub amount: i64,
}

/// Late and overdue completion stages, by unit, role, due day and the day they stopped (none
/// while open), for counting overdue working days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LateGroup {
    pub unit: UnitId,
    pub role: String,
    pub due: Date,
    pub stopped: Option<Date>,
    pub adjusted: Option<Adjustment>,
    pub count: i64,
}

/// A stored fact with its adjustment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFact {
    pub fact: Fact,
    pub adjusted: Option<Adjustment>,
}

/// An adjustment as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdjustmentRecord {
    pub fact_key: String,
    pub kind: Adjustment,
    pub reason: String,
    pub person_id: Option<PersonId>,
    pub at: Timestamp,
}

/// Assessment facts.
#[async_trait]
pub trait AssessmentStore: Send + Sync {
    /// Task ids whose trail grew after the event `after`, and the last event id read (`after`
    /// when none): up to `limit` events are read per call.
    async fn tasks_with_events_after(&self, after: i64, limit: u32) -> Result<(Vec<TaskId>, i64)>;
    /// The largest event id (0 with none).
    async fn last_event_id(&self) -> Result<i64>;
    /// Tasks by id (those that exist), in id order.
    async fn tasks_by_ids(&self, ids: &[TaskId]) -> Result<Vec<Task>>;
    /// The trail events of these kinds of these tasks, by task then id.
    async fn events_for_facts(&self, ids: &[TaskId], kinds: &[EventKind]) -> Result<Vec<(TaskId, EventRecord)>>;
    /// Replaces the task-derived facts of `tasks` with `facts` (each of one of them), keeping
    /// every adjustment made to a fact by its key, and the daily sums exact — in one transaction.
    async fn replace_task_facts(&self, tasks: &[TaskId], facts: &[Fact]) -> Result<()>;
    /// Deletes every task-derived fact (before a rebuild after the rules changed).
    async fn clear_task_facts(&self) -> Result<()>;
    /// Adds a fact entered by hand (an evaluation, a document error, a naming); a fact with the
    /// same key is replaced.
    async fn put_manual_fact(&self, fact: &Fact) -> Result<()>;
    /// Removes a fact entered by hand.
    async fn remove_manual_fact(&self, key: &str) -> Result<()>;
    /// Records an adjustment of a fact (replacing an earlier one of the same fact), or with
    /// `None` removes it; the fact's daily sums move with it.
    async fn adjust_fact(&self, key: &str, adjustment: Option<&AdjustmentRecord>) -> Result<()>;
    /// The adjustment of a fact, if any.
    async fn adjustment(&self, key: &str) -> Result<Option<AdjustmentRecord>>;
    /// One fact by its key.
    async fn fact(&self, key: &str) -> Result<Option<StoredFact>>;
    /// The daily sums of the days `from..=to`.
    async fn daily_tallies(&self, from: Date, to: Date) -> Result<Vec<DailyTally>>;
    /// The sums of the days `from..=to` added up per unit, role, stored indicator, bucket and
    /// adjustment (`day` is `from`), as read on `as_of_day`: an open stage due before that day
    /// counts as [`Bucket::Late`], one due on it or later is left out (the caller asks
    /// [`open_due_before`](Self::open_due_before) about that day). With `indicator`, only the
    /// sums of that stored indicator.
    async fn span_tallies(
        &self,
        from: Date,
        to: Date,
        as_of_day: Date,
        indicator: Option<&str>,
    ) -> Result<Vec<DailyTally>>;
    /// The open stages due on `day` before `before` (ms), by unit, role and stored indicator —
    /// the one day whose open stages the daily sums cannot tell late from pending.
    async fn open_due_before(&self, day: Date, before: Timestamp) -> Result<Vec<DailyTally>>;
    /// Late and open completion stages due in `from..=to`.
    async fn late_groups(&self, from: Date, to: Date) -> Result<Vec<LateGroup>>;
    /// A unit's facts in `from..=to`, by day then key.
    async fn unit_facts(&self, unit: UnitId, from: Date, to: Date) -> Result<Vec<StoredFact>>;
}
