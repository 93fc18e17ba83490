//! Liaison (包联, issue 14 §2) and project stewards (项目管家, §3): assignments, coverage and
//! flags, visits and on-site records, and linking a problem found to the enterprise demand it
//! became. The rules are [`duban_app::liaison::Liaison`]'s; the two services share every
//! handler's body, the kind is the route's.
//!
//! The lists are pages: `GET /api/v1/liaison`, `/api/v1/stewards` (with `q`, text in the
//! person's or the target's name) and `/api/v1/stewards/flags` take `page` (1 to 1,000,000) and
//! `per_page` (1 to 200, default 50) and answer `{items, total, page, per_page}`.

use super::extract::{Json, Path, Query};
use super::openapi::{Conflict, Forbidden, Invalid, NotFound};
use super::{ApiResult, AppState};
use crate::http::session::Signed;
use axum::extract::State;
use axum::http::StatusCode;
use duban_app::liaison::{AssignmentFilter, AssignmentRow, Coverage, FlagRow, PageParams};
use duban_domain::ids::TaskId;
use duban_domain::liaison::{Assignment, AssignmentInput, ServiceKind, Visit, VisitInput};
use duban_store::Page;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_liaisons, assign_liaison))
        .routes(routes!(liaison_coverage))
        .routes(routes!(end_liaison))
        .routes(routes!(liaison_visits, record_visit))
        .routes(routes!(raise_problem))
        .routes(routes!(list_stewards, assign_steward))
        .routes(routes!(steward_flags))
        .routes(routes!(end_steward))
        .routes(routes!(steward_records, record_onsite))
}

/// Ends an assignment.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
struct EndInput {
    /// The last day in force (YYYY-MM-DD); today when absent.
    until: Option<String>,
}

/// The enterprise demand a problem became: an existing one (`task_id`), or a new one raised in
/// one step (转为企业诉求) with its kind and lead unit.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
struct RaisedInput {
    /// An existing demand task (source 企业诉求) to link.
    task_id: Option<i64>,
    /// For a new demand: its kind (诉求类别, code or label).
    kind: Option<String>,
    /// For a new demand: the lead unit(s) it goes to at once.
    #[schema(value_type = Vec<Object>)]
    lead: Vec<duban_domain::task::Party>,
    /// For a new demand: a hard case (at most 30 working days).
    hard: bool,
}

#[utoipa::path(get, path = "/api/v1/liaison", operation_id = "listLiaisons", tag = "enterprise",
    params(AssignmentFilter),
    responses((status = 200, description = "包联：一页（在任的在前），含本季度是否已走访", body = Page<AssignmentRow>), Invalid))]
async fn list_liaisons(
    State(d): State<AppState>,
    caller: Signed,
    Query(f): Query<AssignmentFilter>,
) -> ApiResult<Json<Page<AssignmentRow>>> {
    Ok(Json(d.liaison().assignments(&caller.actor, ServiceKind::Liaison, &f).await?))
}

/// The office assigns a leader or unit head to a key enterprise; their unit is the lead unit
/// of the quarterly visit task.
#[utoipa::path(post, path = "/api/v1/liaison", operation_id = "assignLiaison", tag = "enterprise",
    request_body(content = AssignmentInput, content_type = "application/json"),
    responses((status = 201, description = "已设置包联", body = Assignment), Forbidden, Conflict, Invalid))]
async fn assign_liaison(
    State(d): State<AppState>,
    caller: Signed,
    Json(input): Json<AssignmentInput>,
) -> ApiResult<(StatusCode, Json<Assignment>)> {
    Ok((StatusCode::CREATED, Json(d.liaison().assign(&caller.actor, ServiceKind::Liaison, input).await?)))
}

/// Where the page of enterprises without a liaison starts.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct CoverageParams {
    /// The first gap to list (from 0; 50 a page, `gaps_total` in all).
    #[param(minimum = 0)]
    offset: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/liaison/coverage", operation_id = "liaisonCoverage", tag = "enterprise",
    params(CoverageParams),
    responses((status = 200, description = "包联全覆盖情况、未包联企业，及各包联人、各单位本季度走访情况", body = Coverage), Invalid))]
async fn liaison_coverage(
    State(d): State<AppState>,
    caller: Signed,
    Query(p): Query<CoverageParams>,
) -> ApiResult<Json<Coverage>> {
    let offset = p.offset.unwrap_or(0);
    if offset < 0 {
        return Err(duban_domain::Error::invalid("offset", "起始位置不能为负数").into());
    }
    Ok(Json(d.liaison().coverage_page(&caller.actor, offset).await?))
}

async fn end(
    d: &AppState,
    caller: &Signed,
    kind: ServiceKind,
    id: i64,
    input: EndInput,
) -> ApiResult<Json<Assignment>> {
    let a = d.liaison().assignment(&caller.actor, id).await?;
    if a.fields.kind != kind {
        return Err(duban_domain::Error::not_found(format!("{} {id}", kind.label())).into());
    }
    Ok(Json(d.liaison().unassign(&caller.actor, id, input.until.as_deref()).await?))
}

#[utoipa::path(post, path = "/api/v1/liaison/{id}/end", operation_id = "endLiaison", tag = "enterprise",
    params(("id" = i64, Path, description = "包联编号")),
    request_body(content = EndInput, content_type = "application/json"),
    responses((status = 200, description = "已取消包联", body = Assignment), Forbidden, NotFound, Conflict, Invalid))]
async fn end_liaison(
    State(d): State<AppState>,
    caller: Signed,
    Path(id): Path<i64>,
    Json(input): Json<EndInput>,
) -> ApiResult<Json<Assignment>> {
    end(&d, &caller, ServiceKind::Liaison, id, input).await
}

async fn visits_of(d: &AppState, caller: &Signed, kind: ServiceKind, id: i64) -> ApiResult<Json<Vec<Visit>>> {
    let a = d.liaison().assignment(&caller.actor, id).await?;
    if a.fields.kind != kind {
        return Err(duban_domain::Error::not_found(format!("{} {id}", kind.label())).into());
    }
    Ok(Json(d.liaison().visits(&caller.actor, kind, Some(id)).await?))
}

async fn record(
    d: &AppState,
    caller: &Signed,
    kind: ServiceKind,
    id: i64,
    input: VisitInput,
) -> ApiResult<(StatusCode, Json<Visit>)> {
    let a = d.liaison().assignment(&caller.actor, id).await?;
    if a.fields.kind != kind {
        return Err(duban_domain::Error::not_found(format!("{} {id}", kind.label())).into());
    }
    Ok((StatusCode::CREATED, Json(d.liaison().record_visit(&caller.actor, id, input).await?)))
}

#[utoipa::path(get, path = "/api/v1/liaison/{id}/visits", operation_id = "liaisonVisits", tag = "enterprise",
    params(("id" = i64, Path, description = "包联编号")),
    responses((status = 200, description = "走访记录，新的在前", body = Vec<Visit>), NotFound))]
async fn liaison_visits(State(d): State<AppState>, caller: Signed, Path(id): Path<i64>) -> ApiResult<Json<Vec<Visit>>> {
    visits_of(&d, &caller, ServiceKind::Liaison, id).await
}

/// The liaison (or the office) records a visit: the people met, the policies explained, the
/// problems found, evidence (attachments of the quarter's visit task). It completes that
/// quarter's task.
#[utoipa::path(post, path = "/api/v1/liaison/{id}/visits", operation_id = "recordVisit", tag = "enterprise",
    params(("id" = i64, Path, description = "包联编号")),
    request_body(content = VisitInput, content_type = "application/json"),
    responses((status = 201, description = "已记录走访，本季度走访任务办结", body = Visit), Forbidden, NotFound, Invalid))]
async fn record_visit(
    State(d): State<AppState>,
    caller: Signed,
    Path(id): Path<i64>,
    Json(input): Json<VisitInput>,
) -> ApiResult<(StatusCode, Json<Visit>)> {
    record(&d, &caller, ServiceKind::Liaison, id, input).await
}

/// Links problem `index` (from 0) of a visit to the enterprise demand it became (转为企业诉求).
#[utoipa::path(post, path = "/api/v1/liaison/visits/{visit}/problems/{index}/demand", operation_id = "raiseProblem",
    tag = "enterprise",
    params(("visit" = i64, Path, description = "走访记录编号"), ("index" = usize, Path, description = "问题序号，从0起")),
    request_body(content = RaisedInput, content_type = "application/json"),
    responses((status = 200, description = "已转为或关联企业诉求", body = Visit), Forbidden, NotFound, Conflict, Invalid))]
async fn raise_problem(
    State(d): State<AppState>,
    caller: Signed,
    Path((visit, index)): Path<(i64, usize)>,
    Json(input): Json<RaisedInput>,
) -> ApiResult<Json<Visit>> {
    let l = d.liaison();
    if let Some(task) = input.task_id {
        return Ok(Json(l.mark_problem_raised(&caller.actor, visit, index, TaskId(task)).await?));
    }
    let kind = input.kind.unwrap_or_default();
    let assign = duban_app::demands::AssignInput { lead: input.lead, hard: input.hard, responsible_person_id: None };
    Ok(Json(l.raise_problem(&caller.actor, d.demands(), visit, index, &kind, assign).await?.0))
}

#[utoipa::path(get, path = "/api/v1/stewards", operation_id = "listStewards", tag = "enterprise",
    params(AssignmentFilter),
    responses((status = 200, description = "项目管家：一页（在任的在前），含本月是否已现场办公", body = Page<AssignmentRow>), Invalid))]
async fn list_stewards(
    State(d): State<AppState>,
    caller: Signed,
    Query(f): Query<AssignmentFilter>,
) -> ApiResult<Json<Page<AssignmentRow>>> {
    Ok(Json(d.liaison().assignments(&caller.actor, ServiceKind::Steward, &f).await?))
}

/// The office names a steward of a project or an enterprise, with their rank (职级).
#[utoipa::path(post, path = "/api/v1/stewards", operation_id = "assignSteward", tag = "enterprise",
    request_body(content = AssignmentInput, content_type = "application/json"),
    responses((status = 201, description = "已设置项目管家", body = Assignment), Forbidden, Conflict, Invalid))]
async fn assign_steward(
    State(d): State<AppState>,
    caller: Signed,
    Json(input): Json<AssignmentInput>,
) -> ApiResult<(StatusCode, Json<Assignment>)> {
    Ok((StatusCode::CREATED, Json(d.liaison().assign(&caller.actor, ServiceKind::Steward, input).await?)))
}

#[utoipa::path(get, path = "/api/v1/stewards/flags", operation_id = "stewardFlags", tag = "enterprise",
    params(PageParams),
    responses((status = 200, description = "未落实项目管家、职级不符的项目和企业：一页（项目按名称在前，企业在后）", body = Page<FlagRow>), Invalid))]
async fn steward_flags(
    State(d): State<AppState>,
    caller: Signed,
    Query(p): Query<PageParams>,
) -> ApiResult<Json<Page<FlagRow>>> {
    Ok(Json(d.liaison().steward_flags(&caller.actor, &p).await?))
}

#[utoipa::path(post, path = "/api/v1/stewards/{id}/end", operation_id = "endSteward", tag = "enterprise",
    params(("id" = i64, Path, description = "项目管家编号")),
    request_body(content = EndInput, content_type = "application/json"),
    responses((status = 200, description = "已取消项目管家", body = Assignment), Forbidden, NotFound, Conflict, Invalid))]
async fn end_steward(
    State(d): State<AppState>,
    caller: Signed,
    Path(id): Path<i64>,
    Json(input): Json<EndInput>,
) -> ApiResult<Json<Assignment>> {
    end(&d, &caller, ServiceKind::Steward, id, input).await
}

#[utoipa::path(get, path = "/api/v1/stewards/{id}/records", operation_id = "stewardRecords", tag = "enterprise",
    params(("id" = i64, Path, description = "项目管家编号")),
    responses((status = 200, description = "现场办公记录，新的在前", body = Vec<Visit>), NotFound))]
async fn steward_records(
    State(d): State<AppState>,
    caller: Signed,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<Visit>>> {
    visits_of(&d, &caller, ServiceKind::Steward, id).await
}

/// The steward (or the office) records on-site work; it completes that month's task.
#[utoipa::path(post, path = "/api/v1/stewards/{id}/records", operation_id = "recordOnsite", tag = "enterprise",
    params(("id" = i64, Path, description = "项目管家编号")),
    request_body(content = VisitInput, content_type = "application/json"),
    responses((status = 201, description = "已记录现场办公，本月任务办结", body = Visit), Forbidden, NotFound, Invalid))]
async fn record_onsite(
    State(d): State<AppState>,
    caller: Signed,
    Path(id): Path<i64>,
    Json(input): Json<VisitInput>,
) -> ApiResult<(StatusCode, Json<Visit>)> {
    record(&d, &caller, ServiceKind::Steward, id, input).await
}
