//! Liaison (包联) and project stewards (项目管家; issue 14 §2–3): the port [`LiaisonStore`];
//! its SQL is `duban-store-sql`'s module of the same name (migration 0019).
//!
//! One set of tables serves both services (the kind is a column): assignments, the obligation
//! of each assignment and period (the task on the one engine it became, unique per period so the
//! job that creates them is idempotent), and visits with the problems found.
//!
//! The lists the pages show are read a page at a time, with the names they show, in SQL
//! ([`LiaisonStore::assignment_page`], the flags' anti-joins): a request costs a page, not the
//! ledger.

use crate::Result;
use async_trait::async_trait;
use duban_domain::enterprise::Yuan;
use duban_domain::ids::{EnterpriseId, PersonId, ProjectId, TaskId};
use duban_domain::liaison::{Assignment, NewAssignment, NewVisit, Rank, ServiceKind, Visit};
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
    /// One page of the assignments of a kind with the names the list shows, in force on `q.on`
    /// first, then by id; and how many match in all.
    async fn assignment_page(&self, q: &AssignmentPageQuery) -> Result<(Vec<AssignmentListRow>, i64)>;
    /// Who may be assigned: the active people with a unit, (id, name, unit name), by id.
    async fn assignable_people(&self) -> Result<Vec<(PersonId, String, String)>>;
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

    /// Coverage (全覆盖) counted in SQL: (key enterprises, those with a liaison in force on `on`).
    async fn coverage_counts(&self, on: Date) -> Result<(i64, i64)>;
    /// The key enterprises without a liaison in force on `on` (an anti-join), ordered by name,
    /// one page of them, with how many there are in all.
    async fn coverage_gaps(&self, on: Date, offset: i64, limit: i64) -> Result<(Vec<(EnterpriseId, String)>, i64)>;
    /// The liaison assignments in force on `on`, grouped per liaison (`by_unit` false) or per
    /// unit (true): (id, name, assigned, of them visited between `from` and `to`), by id.
    async fn coverage_lines(&self, on: Date, from: Date, to: Date, by_unit: bool) -> Result<Vec<CoverageCount>>;
    /// Projects that need a steward — signed, not stopped, total investment above `above` — and
    /// have none in force on `on` (an anti-join): (id, name, investment), by name and id, one
    /// page of them, with how many there are in all.
    async fn projects_without_steward(
        &self,
        on: Date,
        above: Yuan,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<(ProjectId, String, Yuan)>, i64)>;
    /// 规上/限上 enterprises (scale other than `other`) without a steward in force on `on`, by name
    /// and id, one page of them, with how many there are in all.
    async fn enterprises_without_steward(
        &self,
        on: Date,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<(EnterpriseId, String)>, i64)>;
    /// The stewards of projects in force on `on`, each with its project's name and investment,
    /// by project name, project, id; only those whose rank may be below their project's tier
    /// when `tiers` are given: (above, the ranks that fit), ascending — an investment above a
    /// tier's `above` (the highest such tier; below them all, the first) asks for one of its
    /// ranks, and a steward without a rank never fits. The caller decides the flag; empty
    /// `tiers` read every steward.
    async fn project_stewards(&self, on: Date, tiers: &[(Yuan, Vec<Rank>)]) -> Result<Vec<(Assignment, String, Yuan)>>;
}

/// One line of the coverage: a liaison or a unit, its assignments in force and how many of
/// them were visited this period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverageCount {
    pub id: i64,
    pub name: String,
    pub assigned: i64,
    pub visited: i64,
}

/// Which assignments one page of the list reads ([`LiaisonStore::assignment_page`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentPageQuery {
    pub kind: ServiceKind,
    /// The day: assignments in force on it come first.
    pub on: Date,
    /// The current period: its first and last day (whether it was visited) and its code (its
    /// obligation task).
    pub from: Date,
    pub to: Date,
    pub period: String,
    /// Text in the person's name or the enterprise's (project's) name.
    pub search: Option<String>,
    /// Only this assignment.
    pub id: Option<i64>,
    pub offset: i64,
    pub limit: i64,
}

/// One line of the assignment list: the assignment with the names it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentListRow {
    pub assignment: Assignment,
    pub person: String,
    pub unit: String,
    /// The enterprise's or the project's name.
    pub target: String,
    /// Whether a visit (on-site work) is recorded between the period's first and last day.
    pub visited: bool,
    /// The obligation task of the period, once made.
    pub task_id: Option<TaskId>,
}
