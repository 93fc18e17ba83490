//! The administrative audit log for administrators: `GET /api/v1/admin/events`, newest first,
//! `limit` (default 100, at most 1000) changes before the id `before`.

use super::extract::{Json, Query, Require};
use super::openapi::{Forbidden, Invalid};
use super::{ApiResult, AppState};
use axum::extract::State;
use duban_app::actor::ReadAdminLog;
use duban_domain::Error;
use duban_store::AdminEvent;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(events))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct Params {
    /// Changes before this id.
    before: Option<i64>,
    /// How many (1–1000, default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
}

/// Administrators only: those who may read the audit log.
#[utoipa::path(get, path = "/api/v1/admin/events", operation_id = "adminEvents", tag = "admin",
    params(Params),
    responses((status = 200, description = "成功", body = Vec<AdminEvent>), Forbidden, Invalid))]
async fn events(
    State(d): State<AppState>,
    Require(reader, _): Require<ReadAdminLog>,
    Query(p): Query<Params>,
) -> ApiResult<Json<Vec<AdminEvent>>> {
    let limit = p.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(Error::invalid("limit", "limit 须在 1 到 1000 之间").into());
    }
    Ok(Json(d.admin().events(&reader.actor, p.before, limit).await?))
}
