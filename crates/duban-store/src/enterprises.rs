//! Key enterprises and key projects (issue 14 §1): the port [`EnterpriseStore`]; the SQL that
//! implements it is `duban-store-sql`'s module of the same name (migration 0018).
//!
//! Every write keeps the record's new state in an append-only history (`registry_history`,
//! refused UPDATE and DELETE by triggers on both backends) in the same transaction, so the list
//! shows who changed what and when, and no one can rewrite it.

use crate::Result;
use async_trait::async_trait;
use duban_domain::enterprise::{CreditCode, Enterprise, NewEnterprise, NewProject, Project, Scale};
use duban_domain::ids::{EnterpriseId, PersonId, ProjectId, UnitId};
use jiff::Timestamp;
use serde::Serialize;

/// Which enterprises a list shows, one page of them.
#[derive(Debug, Clone, Default)]
pub struct EnterpriseQuery {
    /// Part of the name or the credit code.
    pub search: Option<String>,
    pub scale: Option<Scale>,
    pub unit_id: Option<UnitId>,
    pub offset: i64,
    /// At most this many rows (the store caps it at 1000).
    pub limit: i64,
}

/// Which projects a list shows, one page of them.
#[derive(Debug, Clone, Default)]
pub struct ProjectQuery {
    /// Part of the name or the investor.
    pub search: Option<String>,
    pub enterprise_id: Option<EnterpriseId>,
    pub unit_id: Option<UnitId>,
    pub offset: i64,
    pub limit: i64,
}

/// What kind of record a history entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Enterprise,
    Project,
}

impl RecordKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::Enterprise => "enterprise",
            Self::Project => "project",
        }
    }
}

/// One version of an enterprise or project: the record as it stood after a write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegistryChange {
    pub id: i64,
    pub kind: RecordKind,
    pub record_id: i64,
    pub version: i64,
    pub by: Option<PersonId>,
    pub at: Timestamp,
    /// The record's JSON (an [`Enterprise`] or a [`Project`]).
    pub snapshot: serde_json::Value,
}

/// What an import of a list wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportCounts {
    pub added: usize,
    /// Rows that changed a listed record: each is a new version in its history.
    pub updated: usize,
    /// Rows equal to the record already listed: nothing written.
    pub unchanged: usize,
}

#[async_trait]
pub trait EnterpriseStore: Send + Sync {
    /// Adds an enterprise. Another with the same credit code is a conflict.
    async fn insert_enterprise(&self, e: &NewEnterprise, by: Option<PersonId>, at: Timestamp) -> Result<Enterprise>;
    /// Replaces an enterprise's fields when its version is still `version` (else a conflict).
    async fn update_enterprise(
        &self,
        id: EnterpriseId,
        version: i64,
        e: &NewEnterprise,
        by: Option<PersonId>,
        at: Timestamp,
    ) -> Result<Enterprise>;
    async fn enterprise(&self, id: EnterpriseId) -> Result<Option<Enterprise>>;
    async fn enterprise_by_code(&self, code: &CreditCode) -> Result<Option<Enterprise>>;
    /// One page of enterprises by name, and how many match in all.
    async fn enterprises(&self, q: &EnterpriseQuery) -> Result<(Vec<Enterprise>, i64)>;
    async fn enterprises_by_ids(&self, ids: &[EnterpriseId]) -> Result<Vec<Enterprise>>;

    /// Adds a project.
    async fn insert_project(&self, p: &NewProject, by: Option<PersonId>, at: Timestamp) -> Result<Project>;
    async fn update_project(
        &self,
        id: ProjectId,
        version: i64,
        p: &NewProject,
        by: Option<PersonId>,
        at: Timestamp,
    ) -> Result<Project>;
    async fn project(&self, id: ProjectId) -> Result<Option<Project>>;
    /// One page of projects by name, and how many match in all.
    async fn projects(&self, q: &ProjectQuery) -> Result<(Vec<Project>, i64)>;
    async fn projects_by_ids(&self, ids: &[ProjectId]) -> Result<Vec<Project>>;

    /// Writes an imported list of enterprises in one transaction, all or nothing: one whose
    /// credit code is listed already is updated (a new version) when anything changed, the
    /// others are added.
    async fn import_enterprises(
        &self,
        rows: &[NewEnterprise],
        by: Option<PersonId>,
        at: Timestamp,
    ) -> Result<ImportCounts>;
    /// Writes an imported list of projects in one transaction, all or nothing: one whose name is
    /// listed already is updated (a new version) when anything changed, the others are added.
    async fn import_projects(&self, rows: &[NewProject], by: Option<PersonId>, at: Timestamp) -> Result<ImportCounts>;

    /// Every version of one record, newest first.
    async fn registry_history(&self, kind: RecordKind, record_id: i64) -> Result<Vec<RegistryChange>>;
}
