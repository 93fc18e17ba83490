//! Enterprise demands (企业诉求, issue 14 §5) as JSON: the office's list, queue, intake,
//! assignment (分派) and return visit under `/api/v1/demands…`, and the public intake under
//! `/api/v1/public/demands…`, which takes no account: an enterprise submits a demand and gets
//! its query code once, reads its progress with the code, and rates the handling. The public
//! routes are limited per client address and in body size; a wrong code answers exactly as a
//! missing one (404). The 联系企业 / 解决或确认 steps are task actions
//! (`POST /api/v1/tasks/{id}/actions`). The rules are [`duban_app::demands::Demands`]'.

use super::extract::{Json, Path, Query};
use super::openapi::{Conflict, Forbidden, Invalid, NotFound, TooManyAttempts};
use super::{ApiResult, AppState};
use crate::http::client::ClientAddr;
use crate::http::session::Signed;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use duban_app::demands::{
    AssignInput, DemandFilter, DemandView, PublicDemand, RaiseInput, RatingInput, Recorded, ReturnVisitInput,
};
use duban_domain::demand::{INTAKE, PublicDemandInput};
use duban_store::Page;
use duban_store::demands::Demand;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, raise))
        .routes(routes!(queue))
        .routes(routes!(detail))
        .routes(routes!(assign))
        .routes(routes!(return_visit))
}

/// The public routes, with the intake's body limit.
pub fn public_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(submit))
        .routes(routes!(public_view))
        .routes(routes!(rate))
        .layer(DefaultBodyLimit::max(INTAKE.max_body_bytes))
}

/// A demand recorded by the office, its task and its query code (shown once).
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct Raised {
    #[serde(flatten)]
    recorded: Recorded,
    task: duban_app::core::TaskView,
}

#[utoipa::path(get, path = "/api/v1/demands", operation_id = "listDemands", tag = "demands",
    params(DemandFilter),
    responses((status = 200, description = "企业诉求（待分派的仅考核办/督查室可见；已分派的按任务可见范围）", body = Page<DemandView>), Invalid))]
async fn list(
    State(d): State<AppState>,
    caller: Signed,
    Query(f): Query<DemandFilter>,
) -> ApiResult<Json<Page<DemandView>>> {
    Ok(Json(d.demands().list(&caller.actor, &f).await?))
}

/// The office records a demand from a hotline, a 项目服务日 or otherwise, naming its lead unit;
/// a liaison records one found on a visit (channel `visit`). Its task is made at once.
#[utoipa::path(post, path = "/api/v1/demands", operation_id = "raiseDemand", tag = "demands",
    request_body(content = RaiseInput, content_type = "application/json"),
    responses((status = 201, description = "已登记并交办；查询码仅此一次给出", body = Raised), Forbidden, Invalid))]
async fn raise(
    State(d): State<AppState>,
    caller: Signed,
    Json(input): Json<RaiseInput>,
) -> ApiResult<(StatusCode, Json<Raised>)> {
    let (recorded, task) = d.demands().raise(&caller.actor, input).await?;
    Ok((StatusCode::CREATED, Json(Raised { recorded, task })))
}

#[utoipa::path(get, path = "/api/v1/demands/queue", operation_id = "demandQueue", tag = "demands",
    responses((status = 200, description = "待分派的网上诉求，先到先列", body = Vec<Demand>), Forbidden))]
async fn queue(State(d): State<AppState>, caller: Signed) -> ApiResult<Json<Vec<Demand>>> {
    Ok(Json(d.demands().queue(&caller.actor).await?))
}

#[utoipa::path(get, path = "/api/v1/demands/{id}", operation_id = "getDemand", tag = "demands",
    params(("id" = i64, Path, description = "诉求编号")),
    responses((status = 200, description = "诉求及其任务、各阶段时限", body = DemandView), NotFound))]
async fn detail(State(d): State<AppState>, caller: Signed, Path(id): Path<i64>) -> ApiResult<Json<DemandView>> {
    Ok(Json(d.demands().detail(&caller.actor, id).await?))
}

/// 分派: the office names the lead unit of a queued demand; its task is made now and its 1-day
/// clock runs from now.
#[utoipa::path(post, path = "/api/v1/demands/{id}/assignment", operation_id = "assignDemand", tag = "demands",
    params(("id" = i64, Path, description = "诉求编号")),
    request_body(content = AssignInput, content_type = "application/json"),
    responses((status = 200, description = "已分派", body = DemandView), Forbidden, NotFound, Conflict, Invalid))]
async fn assign(
    State(d): State<AppState>,
    caller: Signed,
    Path(id): Path<i64>,
    Json(input): Json<AssignInput>,
) -> ApiResult<Json<DemandView>> {
    Ok(Json(d.demands().assign(&caller.actor, id, input).await?))
}

/// 回访: the office records its return visit once the demand is solved or confirmed.
#[utoipa::path(post, path = "/api/v1/demands/{id}/return-visit", operation_id = "returnVisit", tag = "demands",
    params(("id" = i64, Path, description = "诉求编号")),
    request_body(content = ReturnVisitInput, content_type = "application/json"),
    responses((status = 200, description = "已记录回访", body = Demand), Forbidden, NotFound, Conflict, Invalid))]
async fn return_visit(
    State(d): State<AppState>,
    caller: Signed,
    Path(id): Path<i64>,
    Json(input): Json<ReturnVisitInput>,
) -> ApiResult<Json<Demand>> {
    Ok(Json(d.demands().return_visit(&caller.actor, id, input).await?))
}

/// An enterprise submits a demand, without an account. The answer carries the query code — the
/// only time it is given. At most a few submissions per address an hour.
#[utoipa::path(post, path = "/api/v1/public/demands", operation_id = "submitDemand", tag = "demands",
    request_body(content = PublicDemandInput, content_type = "application/json"),
    security(()),
    responses((status = 201, description = "已提交，待分派；请保存查询码", body = PublicSubmitted), Invalid, TooManyAttempts))]
async fn submit(
    State(d): State<AppState>,
    ClientAddr(client): ClientAddr,
    Json(input): Json<PublicDemandInput>,
) -> ApiResult<(StatusCode, Json<PublicSubmitted>)> {
    let r = d.demands().submit_public(client, input).await?;
    Ok((StatusCode::CREATED, Json(PublicSubmitted { code: r.code, submitted_at: r.demand.submitted_at })))
}

/// What the enterprise gets back: its code, and nothing internal.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct PublicSubmitted {
    /// The query code, in groups of four; keep it — it is not shown again.
    code: String,
    #[schema(value_type = String, format = DateTime)]
    submitted_at: jiff::Timestamp,
}

#[utoipa::path(get, path = "/api/v1/public/demands/{code}", operation_id = "publicDemand", tag = "demands",
    params(("code" = String, Path, description = "查询码")),
    security(()),
    responses((status = 200, description = "办理进度（状态与日期，不含内部人员与意见）", body = PublicDemand), NotFound, TooManyAttempts))]
async fn public_view(
    State(d): State<AppState>,
    ClientAddr(client): ClientAddr,
    Path(code): Path<String>,
) -> ApiResult<Json<PublicDemand>> {
    Ok(Json(d.demands().public_view(client, &code).await?))
}

#[utoipa::path(post, path = "/api/v1/public/demands/{code}/rating", operation_id = "rateDemand", tag = "demands",
    params(("code" = String, Path, description = "查询码")),
    request_body(content = RatingInput, content_type = "application/json"),
    security(()),
    responses((status = 200, description = "已评价（仅一次）", body = PublicDemand), NotFound, Conflict, Invalid, TooManyAttempts))]
async fn rate(
    State(d): State<AppState>,
    ClientAddr(client): ClientAddr,
    Path(code): Path<String>,
    Json(input): Json<RatingInput>,
) -> ApiResult<Json<PublicDemand>> {
    Ok(Json(d.demands().rate(client, &code, input).await?))
}
