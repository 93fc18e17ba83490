//! Pre-procedures of key projects (项目前期手续, issue 14 §4): the kinds (`/api/v1/procedures/kinds`),
//! adding a procedure to a project and starting it (which creates its task), one project's
//! procedures, the battle map across projects one page at a time, the weekly dispatch (with its
//! .xlsx) and the monthly report (with its .docx). The rules are
//! [`duban_app::procedures::Procedures`]'.

use super::extract::{Json, Path, Query, Require};
use super::openapi::{Conflict, FileBytes, Forbidden, Invalid, NotFound};
use super::{ApiResult, AppState};
use crate::http::session::Signed;
use crate::http::upload::attachment_disposition;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use duban_app::actor::RunLedgers;
use duban_app::procedures::{Dispatch, KindInput, Matrix, ProcedureView, ProjectProcedures};
use duban_domain::Error;
use duban_domain::ids::ProjectId;
use duban_domain::procedure::{Procedure, ProcedureInput, ProcedureKind};
use jiff::civil::Date;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(matrix, add))
        .routes(routes!(kinds, add_kind))
        .routes(routes!(start))
        .routes(routes!(of_project))
        .routes(routes!(weekly))
        .routes(routes!(weekly_xlsx))
        .routes(routes!(monthly))
        .routes(routes!(monthly_docx))
}

/// A page of the battle map across projects.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
struct MatrixParams {
    /// From 1.
    page: Option<i64>,
    /// Part of a project's name or investor.
    search: Option<String>,
}

/// A day of the week wanted (`2026-03-11`); this week when absent.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
struct WeekParams {
    day: Option<String>,
}

/// A month (`2026-03`); this month when absent.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
struct MonthParams {
    month: Option<String>,
}

/// When a procedure started (`2026-03-02`); today when absent.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
struct StartInput {
    started_on: Option<String>,
}

fn day(field: &str, s: Option<&str>) -> Result<Option<Date>, Error> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => {
            s.parse().map(Some).map_err(|_| Error::invalid(field, format!("“{s}”不是有效日期（如 2026-03-02）")))
        }
    }
}

fn month(d: &AppState, s: Option<&str>) -> Result<Date, Error> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(d.core().now().to_zoned(d.core().policy().timezone()).date().first_of_month()),
        Some(m) => {
            format!("{m}-01").parse().map_err(|_| Error::invalid("month", format!("“{m}”不是有效月份（如 2026-03）")))
        }
    }
}

fn file(bytes: Vec<u8>, name: &str, content_type: &'static str) -> Response {
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&attachment_disposition(name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

#[utoipa::path(get, path = "/api/v1/procedures", operation_id = "procedureMatrix", tag = "enterprise",
    params(MatrixParams),
    responses((status = 200, description = "作战图（项目 × 手续），每页 50 个项目", body = Matrix), Invalid))]
async fn matrix(State(d): State<AppState>, caller: Signed, Query(p): Query<MatrixParams>) -> ApiResult<Json<Matrix>> {
    Ok(Json(d.procedures().matrix(&caller.actor, p.page.unwrap_or(1), p.search).await?))
}

#[utoipa::path(post, path = "/api/v1/procedures", operation_id = "addProcedure", tag = "enterprise",
    request_body(content = ProcedureInput, content_type = "application/json"),
    responses((status = 201, description = "已为项目添加手续（未启动）", body = Procedure), Forbidden, Invalid, Conflict))]
async fn add(
    State(d): State<AppState>,
    Require(caller, _): Require<RunLedgers>,
    Json(input): Json<ProcedureInput>,
) -> ApiResult<(StatusCode, Json<Procedure>)> {
    Ok((StatusCode::CREATED, Json(d.procedures().add(&caller.actor, input).await?)))
}

#[utoipa::path(get, path = "/api/v1/procedures/kinds", operation_id = "procedureKinds", tag = "enterprise",
    responses((status = 200, description = "手续种类：内置的与办公室添加的，按作战图列序", body = Vec<ProcedureKind>)))]
async fn kinds(State(d): State<AppState>, caller: Signed) -> ApiResult<Json<Vec<ProcedureKind>>> {
    Ok(Json(d.procedures().kinds(&caller.actor).await?))
}

#[utoipa::path(post, path = "/api/v1/procedures/kinds", operation_id = "addProcedureKind", tag = "enterprise",
    request_body(content = KindInput, content_type = "application/json"),
    responses((status = 201, description = "已添加手续种类", body = ProcedureKind), Forbidden, Invalid, Conflict))]
async fn add_kind(
    State(d): State<AppState>,
    Require(caller, _): Require<RunLedgers>,
    Json(input): Json<KindInput>,
) -> ApiResult<(StatusCode, Json<ProcedureKind>)> {
    Ok((StatusCode::CREATED, Json(d.procedures().add_kind(&caller.actor, input).await?)))
}

#[utoipa::path(post, path = "/api/v1/procedures/{id}/start", operation_id = "startProcedure", tag = "enterprise",
    params(("id" = i64, Path, description = "手续编号")),
    request_body(content = StartInput, content_type = "application/json"),
    responses((status = 200, description = "已启动：按工作日推算承诺日期，生成督办任务", body = ProcedureView),
        Forbidden, NotFound, Invalid, Conflict))]
async fn start(
    State(d): State<AppState>,
    Require(caller, _): Require<RunLedgers>,
    Path(id): Path<i64>,
    Json(input): Json<StartInput>,
) -> ApiResult<Json<ProcedureView>> {
    let started = day("started_on", input.started_on.as_deref())?;
    Ok(Json(d.procedures().start(&caller.actor, id, started).await?))
}

#[utoipa::path(get, path = "/api/v1/procedures/projects/{id}", operation_id = "projectProcedures", tag = "enterprise",
    params(("id" = i64, Path, description = "项目编号")),
    responses((status = 200, description = "项目的前期手续", body = ProjectProcedures), NotFound))]
async fn of_project(
    State(d): State<AppState>,
    caller: Signed,
    Path(id): Path<i64>,
) -> ApiResult<Json<ProjectProcedures>> {
    Ok(Json(d.procedures().of_project(&caller.actor, ProjectId(id)).await?))
}

#[utoipa::path(get, path = "/api/v1/procedures/weekly", operation_id = "procedureWeekly", tag = "enterprise",
    params(WeekParams),
    responses((status = 200, description = "周调度：本周到期、逾期未办结、本周办结", body = Dispatch), Invalid))]
async fn weekly(State(d): State<AppState>, caller: Signed, Query(p): Query<WeekParams>) -> ApiResult<Json<Dispatch>> {
    let day = day("day", p.day.as_deref())?;
    Ok(Json(d.procedures().weekly(&caller.actor, day).await?))
}

#[utoipa::path(get, path = "/api/v1/procedures/weekly/xlsx", operation_id = "procedureWeeklyXlsx", tag = "enterprise",
    params(WeekParams),
    responses((status = 200, description = "周调度表（.xlsx）",
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = FileBytes), Invalid))]
async fn weekly_xlsx(State(d): State<AppState>, caller: Signed, Query(p): Query<WeekParams>) -> ApiResult<Response> {
    let day = day("day", p.day.as_deref())?;
    let w = d.procedures().weekly(&caller.actor, day).await?;
    let bytes = duban_app::procedures::weekly_xlsx(&w)?;
    Ok(file(
        bytes,
        &format!("项目前期手续周调度{}.xlsx", w.from),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ))
}

#[utoipa::path(get, path = "/api/v1/procedures/monthly", operation_id = "procedureMonthly", tag = "enterprise",
    params(MonthParams),
    responses((status = 200, description = "月报告：本月到期、逾期未办结、本月办结", body = Dispatch), Invalid))]
async fn monthly(State(d): State<AppState>, caller: Signed, Query(p): Query<MonthParams>) -> ApiResult<Json<Dispatch>> {
    let m = month(&d, p.month.as_deref())?;
    Ok(Json(d.procedures().monthly(&caller.actor, m).await?))
}

#[utoipa::path(get, path = "/api/v1/procedures/monthly/docx", operation_id = "procedureMonthlyDocx", tag = "enterprise",
    params(MonthParams),
    responses((status = 200, description = "月报告（Word，GB/T 9704 版式）",
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", body = FileBytes), Invalid))]
async fn monthly_docx(State(d): State<AppState>, caller: Signed, Query(p): Query<MonthParams>) -> ApiResult<Response> {
    let m = month(&d, p.month.as_deref())?;
    let (name, bytes) = d.procedures().monthly_report(&caller.actor, m).await?;
    Ok(file(bytes, &name, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
}
