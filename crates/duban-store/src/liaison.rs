//! Liaison (包联) and project stewards (项目管家; issue 14 §2–3): the port [`LiaisonStore`];
//! its SQL is `duban-store-sql`'s module of the same name (migration 0019).
//!
//! One set of tables serves both services (the kind is a column): assignments, the obligation
//! of each assignment and period (the task on the one engine it became, unique per period so the
//! job that creates them is idempotent), and visits with the problems found.

use crate::Result;
use async_trait::async_trait;
use duban_domain::ids::{PersonId, TaskId};
use duban_domain::liaison::{Assignment, NewAssignment, NewVisit, ServiceKind, Visit};
use jiff::Timestamp;
use jiff::civil::Date;

#[async_trait]
pub trait LiaisonStore: Send + Sync {
    /// Adds an assignment. The same person on the same enterprise or project, of the same kind,
    /// still in force, is a conflict.
    async fn insert_assignment(&self, a: &NewAssignment, by: Option<PersonId>, at: Timestamp) -> Result<Assignment>;
    /// Ends an assignment on `until` (取消包联); one already ended is a conflict.
    async fn end_assignment(&self, id: i64, until: Date, by: Option<PersonId>, at: Timestamp) -> Result<Assignment>;
    async fn assignment(&self, id: i64) -> Result<Option<Assignment>>;
    /// Every assignment of a kind, ended ones too, oldest first.
    async fn assignments(&self, kind: ServiceKind) -> Result<Vec<Assignment>>;
    /// The assignments of a kind in force on `on` that have no obligation for `period` yet: what
    /// the obligation job still has to create (only what changed since its last run).
    async fn assignments_due(&self, kind: ServiceKind, on: Date, period: &str) -> Result<Vec<Assignment>>;

    /// The obligation task of an assignment for a period.
    async fn obligation(&self, assignment: i64, period: &str) -> Result<Option<TaskId>>;
    /// Records the task of an obligation; `false` when the period already has one.
    async fn insert_obligation(&self, assignment: i64, period: &str, task: TaskId) -> Result<bool>;
    /// Every obligation of the assignments of a kind: (assignment, period, task).
    async fn obligations(&self, kind: ServiceKind) -> Result<Vec<(i64, String, TaskId)>>;

    /// Records a visit with its problems, tied to the obligation task it completes.
    async fn insert_visit(
        &self,
        v: &NewVisit,
        task: Option<TaskId>,
        by: Option<PersonId>,
        at: Timestamp,
    ) -> Result<Visit>;
    async fn visit(&self, id: i64) -> Result<Option<Visit>>;
    /// The visits of a kind (of one assignment when given), newest first.
    async fn visits(&self, kind: ServiceKind, assignment: Option<i64>) -> Result<Vec<Visit>>;
    /// Records that problem `index` (from 0) of a visit became the demand `task`; a problem
    /// already raised is a conflict, a missing one not found.
    async fn mark_problem_raised(&self, visit: i64, index: usize, task: TaskId) -> Result<()>;
}
