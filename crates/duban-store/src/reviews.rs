//! Objections (申诉), leaders' evaluations and the document-error ledger (公文错情) (issue 13).
//!
//! The port [`ReviewStore`]; the SQL that implements it is `duban-store-sql`'s module of the
//! same name (migration 0017). The facts these records count through are written by the
//! application in the assessment store (`ev{id}`, `de{id}`, an objection's adjustment); these
//! tables keep who said what, when, and why.

use crate::Result;
use async_trait::async_trait;
use duban_domain::ids::{PersonId, TaskId, UnitId};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

/// An uploaded file of evidence, kept with its objection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    /// Cleaned (`clean_file_name`) before it is stored.
    pub name: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

/// An objection as filed.
#[derive(Debug, Clone)]
pub struct NewObjection {
    pub fact_key: String,
    pub unit_id: UnitId,
    /// The scoring profile and period of the breakdown it was filed from.
    pub profile: String,
    pub period: String,
    pub reason: String,
    pub evidence: Option<Evidence>,
    pub filed_by: PersonId,
    pub filed_at: Timestamp,
}

/// An objection and how it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Objection {
    pub id: i64,
    pub fact_key: String,
    pub unit_id: UnitId,
    pub profile: String,
    pub period: String,
    pub reason: String,
    /// The evidence's file name and size, when a file was given.
    pub evidence_name: Option<String>,
    pub evidence_size: Option<i64>,
    /// `filed`, `upheld` or `rejected`.
    pub status: String,
    pub filed_by: PersonId,
    pub filed_at: Timestamp,
    pub decided_by: Option<PersonId>,
    pub decided_at: Option<Timestamp>,
    pub decision: String,
}

/// A leader's (or the office's) evaluation of a unit, on a task or for a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvaluation {
    pub unit_id: UnitId,
    pub task_id: Option<TaskId>,
    pub day: Date,
    /// Hundredths of a point, 0–1000.
    pub score: i64,
    pub comment: String,
    pub by: PersonId,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    pub id: i64,
    pub unit_id: UnitId,
    pub task_id: Option<TaskId>,
    pub day: Date,
    pub score: i64,
    pub comment: String,
    pub by: PersonId,
    pub at: Timestamp,
    pub withdrawn_at: Option<Timestamp>,
    pub withdrawn_by: Option<PersonId>,
}

/// A line of the document-error ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDocumentError {
    pub unit_id: UnitId,
    pub day: Date,
    pub title: String,
    /// 文号.
    pub number: String,
    /// An [`ErrorKind`](duban_domain::assessment::review::ErrorKind) code.
    pub kind: String,
    pub count: i64,
    pub note: String,
    pub by: PersonId,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentError {
    pub id: i64,
    pub unit_id: UnitId,
    pub day: Date,
    pub title: String,
    pub number: String,
    pub kind: String,
    pub count: i64,
    pub note: String,
    pub by: PersonId,
    pub at: Timestamp,
    pub withdrawn_at: Option<Timestamp>,
    pub withdrawn_by: Option<PersonId>,
}

/// Objections, evaluations and document errors.
#[async_trait]
pub trait ReviewStore: Send + Sync {
    /// Files an objection; a second open objection on the same fact is a conflict.
    async fn file_objection(&self, o: &NewObjection) -> Result<Objection>;
    async fn objection(&self, id: i64) -> Result<Option<Objection>>;
    /// The evidence of an objection, if a file was given.
    async fn objection_evidence(&self, id: i64) -> Result<Option<Evidence>>;
    /// Objections, newest first: every unit's, or one unit's.
    async fn objections(&self, unit: Option<UnitId>) -> Result<Vec<Objection>>;
    /// Decides a filed objection (`upheld` or `rejected`); one already decided is a conflict.
    async fn decide_objection(
        &self,
        id: i64,
        status: &str,
        decision: &str,
        by: PersonId,
        at: Timestamp,
    ) -> Result<Objection>;

    async fn add_evaluation(&self, e: &NewEvaluation) -> Result<Evaluation>;
    async fn evaluation(&self, id: i64) -> Result<Option<Evaluation>>;
    /// Evaluations (withdrawn ones too), newest first.
    async fn evaluations(&self) -> Result<Vec<Evaluation>>;
    /// Marks an evaluation withdrawn; one already withdrawn is a conflict.
    async fn withdraw_evaluation(&self, id: i64, by: PersonId, at: Timestamp) -> Result<Evaluation>;

    async fn add_document_error(&self, e: &NewDocumentError) -> Result<DocumentError>;
    async fn document_error(&self, id: i64) -> Result<Option<DocumentError>>;
    /// The ledger's lines of the days `from..=to` (withdrawn ones too), by day then id.
    async fn document_errors(&self, from: Date, to: Date) -> Result<Vec<DocumentError>>;
    /// Marks a line withdrawn; one already withdrawn is a conflict.
    async fn withdraw_document_error(&self, id: i64, by: PersonId, at: Timestamp) -> Result<DocumentError>;
}
