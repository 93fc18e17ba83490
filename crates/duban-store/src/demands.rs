//! Enterprise demands (企业诉求; issue 14 §5): the demand's own fields, keyed to its task.
//!
//! The port [`DemandStore`]; the SQL that implements it is `duban-store-sql`'s module of the
//! same name (migration 0021). Everything with a deadline — status, clock, lights, 督办, the
//! trail — is the task's; this record holds the enterprise as given, the contact, the channel
//! and kind, the hash of the query code, the return visit and the enterprise's rating.

use crate::Result;
use async_trait::async_trait;
use duban_domain::demand::{Channel, DemandKind, NewDemand, Satisfaction};
use duban_domain::enterprise::CreditCode;
use duban_domain::ids::{EnterpriseId, PersonId, TaskId};
use duban_domain::task::Task;
use jiff::Timestamp;
use serde::Serialize;

/// A demand as kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Demand {
    pub id: i64,
    /// `None` while it waits in the office's queue for its lead unit (待分派).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub task_id: Option<TaskId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub enterprise_id: Option<EnterpriseId>,
    pub enterprise_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub credit_code: Option<CreditCode>,
    pub contact_name: String,
    pub contact_phone: String,
    pub channel: Channel,
    pub kind: DemandKind,
    pub title: String,
    pub text: String,
    pub reference: String,
    /// The SHA-256 of the query code (hex); never sent out.
    #[serde(skip)]
    pub code_hash: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub submitted_at: Timestamp,
    /// Who recorded it; `None` when the enterprise submitted it on the public form.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub submitted_by: Option<PersonId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub assigned_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub assigned_by: Option<PersonId>,
    pub return_visit: Option<ReturnVisit>,
    pub rating: Option<Rating>,
}

/// The office's return visit (回访).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReturnVisit {
    pub text: String,
    /// What the enterprise said on the return visit, when it said.
    pub satisfaction: Option<Satisfaction>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub by: PersonId,
}

/// The enterprise's own rating on the public page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rating {
    pub satisfaction: Satisfaction,
    pub comment: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
}

/// Which demands a list reads.
#[derive(Debug, Clone, Default)]
pub struct DemandQuery {
    pub channel: Option<Channel>,
    pub kind: Option<DemandKind>,
    /// `Some(true)`: only those waiting for their lead unit; `Some(false)`: only assigned ones.
    pub queued: Option<bool>,
}

/// One page of the demands list, filtered in SQL (issue 14, "Speed"): the demand's own fields,
/// and for an assigned demand its task's, through the task list's filters — the viewer's
/// [`Audience`](crate::Audience) (the one visibility rule), status, light at `now`, lead unit —
/// so neither the demands nor the tasks are read whole. Newest first.
#[derive(Debug, Clone, Default)]
pub struct DemandPageQuery {
    pub channel: Option<Channel>,
    pub kind: Option<DemandKind>,
    /// `Some(true)`: only those waiting for their lead unit; `Some(false)`: only assigned ones.
    pub queued: Option<bool>,
    /// Whether queued demands may be listed at all (only for those who run ledgers).
    pub show_queued: bool,
    /// The filters an assigned demand's task must pass (its paging fields are not used).
    pub task: crate::TaskQuery,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

/// A demand of a page with its task (`None` while it is queued), read with the page.
#[derive(Debug, Clone)]
pub struct DemandWithTask {
    pub demand: Demand,
    pub task: Option<Task>,
}

#[async_trait]
pub trait DemandStore: Send + Sync {
    /// Keeps a new demand, already tied to its task when `task_id` is given.
    async fn insert_demand(
        &self,
        d: &NewDemand,
        task_id: Option<TaskId>,
        code_hash: &str,
        by: Option<PersonId>,
        at: Timestamp,
    ) -> Result<Demand>;
    async fn demand(&self, id: i64) -> Result<Option<Demand>>;
    async fn demand_by_code_hash(&self, hash: &str) -> Result<Option<Demand>>;
    async fn demand_by_task(&self, task: TaskId) -> Result<Option<Demand>>;
    /// Every demand the query matches, newest first.
    async fn demands(&self, q: &DemandQuery) -> Result<Vec<Demand>>;
    /// One page of demands, each with its task, and how many match in all.
    async fn demand_page(&self, q: &DemandPageQuery) -> Result<crate::Page<DemandWithTask>>;
    /// Ties a queued demand to the task made for it (分派); a conflict when it has one already.
    async fn assign_demand(&self, id: i64, task: TaskId, by: PersonId, at: Timestamp) -> Result<Demand>;
    /// Records (or replaces) the return visit.
    async fn record_return_visit(
        &self,
        id: i64,
        text: &str,
        satisfaction: Option<Satisfaction>,
        by: PersonId,
        at: Timestamp,
    ) -> Result<Demand>;
    /// Records the enterprise's rating; a conflict when it has rated already.
    async fn rate_demand(&self, id: i64, satisfaction: Satisfaction, comment: &str, at: Timestamp) -> Result<Demand>;
}
