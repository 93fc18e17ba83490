//! Pre-procedures of key projects (issue 14 §4): the port [`ProcedureStore`]; the SQL that
//! implements it is `duban-store-sql`'s module of the same name (migration 0020).
//!
//! A procedure row keeps only what its task does not (project, kind, committed time limit);
//! reads join the task for its status, the two instants that decide its light, and the time it
//! was done (办结), so there is no second copy of any of them.

use crate::Result;
use async_trait::async_trait;
use duban_domain::ids::{PersonId, ProjectId, TaskId};
use duban_domain::procedure::{KindSpec, NewProcedure, Procedure, ProcedureKind};
use duban_domain::task::Status;
use jiff::Timestamp;
use jiff::civil::Date;

/// A procedure with its kind's name and what its task says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcedureRow {
    pub procedure: Procedure,
    pub kind: String,
    /// The kind's place among the columns of the battle map.
    pub kind_position: i64,
    /// The task's status; none until the procedure starts.
    pub status: Option<Status>,
    pub due_at: Option<Timestamp>,
    pub warn_at: Option<Timestamp>,
    /// When the task was done (办结), from its clock.
    pub done_at: Option<Timestamp>,
}

#[async_trait]
pub trait ProcedureStore: Send + Sync {
    /// Every kind, in column order.
    async fn procedure_kinds(&self) -> Result<Vec<ProcedureKind>>;
    /// Adds the built-in kinds that are missing (by name), after those already there.
    async fn ensure_procedure_kinds(&self, kinds: &[KindSpec], at: Timestamp) -> Result<()>;
    /// Adds a kind the office names. A kind of the same name is a conflict.
    async fn insert_procedure_kind(&self, kind: &KindSpec, at: Timestamp) -> Result<ProcedureKind>;
    /// Adds a procedure to a project, not started. The same kind twice on one project is a conflict.
    async fn insert_procedure(&self, p: &NewProcedure, by: Option<PersonId>, at: Timestamp) -> Result<Procedure>;
    async fn procedure(&self, id: i64) -> Result<Option<Procedure>>;
    /// Records that a procedure started with `task`: only once (a second start is a conflict).
    async fn start_procedure(&self, id: i64, task: TaskId, started_on: Date, committed_on: Date) -> Result<Procedure>;
    /// The procedures of these projects (one page of a list), by project and kind.
    async fn procedures_of(&self, projects: &[ProjectId]) -> Result<Vec<ProcedureRow>>;
    /// The started procedures still open and committed on or before `until`, and those whose
    /// task was written since `since` (the week's or month's dispatch sorts these), by committed
    /// date.
    async fn procedures_for_dispatch(&self, since: Timestamp, until: Date) -> Result<Vec<ProcedureRow>>;
}
