//! The administrative audit log for administrators: `GET /api/v1/admin/events`, newest first,
//! `limit` (default 100, at most 1000) changes before the id `before`.

use super::extract::{Json, Query, Require};
use super::{ApiResult, AppState};
use crate::actor::ReadAdminLog;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use duban_domain::Error;
use duban_store::AdminEvent;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/admin/events", get(events))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    before: Option<i64>,
    limit: Option<u32>,
}

/// Administrators only: those who may read the audit log.
async fn events(
    State(d): State<AppState>,
    _: Require<ReadAdminLog>,
    Query(p): Query<Params>,
) -> ApiResult<Json<Vec<AdminEvent>>> {
    let limit = p.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(Error::invalid("limit", "limit 须在 1 到 1000 之间").into());
    }
    Ok(Json(d.admin_events(p.before, limit).await?))
}
