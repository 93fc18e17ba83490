//! Whole histories and enterprise-side statistics (issue 14 §6): an enterprise's timeline across
//! the service areas, a unit's service history, and a month's statistics. Every task passes the
//! one visibility rule (`duban_app::service_views`).

use super::extract::{Path, Query};
use super::openapi::{Forbidden, Invalid, NotFound};
use super::{ApiResult, AppState};
use crate::http::session::Signed;
use axum::Json;
use axum::extract::State;
use duban_app::service_views::{EnterpriseTimeline, MonthStats, UnitService};
use duban_domain::ids::{EnterpriseId, UnitId};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(enterprise_timeline))
        .routes(routes!(unit_service))
        .routes(routes!(service_stats))
}

#[utoipa::path(get, path = "/api/v1/enterprises/{id}/timeline", operation_id = "enterpriseTimeline", tag = "enterprises",
    params(("id" = i64, Path, description = "企业编号")),
    responses((status = 200, description = "企业的全部服务历史（最新在前；只含调用者可见的任务）", body = EnterpriseTimeline), Forbidden, NotFound))]
async fn enterprise_timeline(
    State(d): State<AppState>,
    caller: Signed,
    Path(id): Path<i64>,
) -> ApiResult<Json<EnterpriseTimeline>> {
    Ok(Json(d.service_views().enterprise(&caller.actor, EnterpriseId(id)).await?))
}

#[utoipa::path(get, path = "/api/v1/units/{id}/service", operation_id = "unitService", tag = "enterprises",
    params(("id" = i64, Path, description = "单位编号")),
    responses((status = 200, description = "单位的企业服务历史（只含调用者可见的任务）", body = UnitService), Forbidden, NotFound))]
async fn unit_service(State(d): State<AppState>, caller: Signed, Path(id): Path<i64>) -> ApiResult<Json<UnitService>> {
    Ok(Json(d.service_views().unit(&caller.actor, UnitId(id)).await?))
}

/// The month of the statistics.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MonthParam {
    /// `2026-11`; this month when absent.
    pub month: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/service/stats", operation_id = "serviceStats", tag = "enterprises",
    params(MonthParam),
    responses((status = 200, description = "企业服务月度统计", body = MonthStats), Forbidden, Invalid))]
async fn service_stats(
    State(d): State<AppState>,
    caller: Signed,
    Query(q): Query<MonthParam>,
) -> ApiResult<Json<MonthStats>> {
    let month = match q.month.filter(|m| !m.trim().is_empty()) {
        Some(m) => m,
        None => {
            let today = d.core().now().to_zoned(d.core().policy().timezone()).date();
            format!("{:04}-{:02}", today.year(), today.month())
        }
    };
    Ok(Json(d.service_views().stats(&caller.actor, &month).await?))
}
