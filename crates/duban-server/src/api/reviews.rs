//! Objections (申诉), leaders' evaluations and the document-error ledger (公文错情), issue 13:
//! filing an objection to a line of a unit's score and the office's decision, evaluating a
//! unit, and the office's ledger of documents with errors. The rules are
//! [`duban_app::reviews::Reviews`]'; a task's number and title appear only to those who may see
//! it.

use super::extract::{Json, Path, Query};
use super::openapi::{Conflict, Forbidden, Invalid, NotFound};
use super::{ApiResult, AppState};
use crate::http::session::Signed;
use axum::extract::State;
use axum::http::StatusCode;
use duban_app::reviews::{
    Decided, DocumentErrorInput, ErrorLedger, EvaluationInput, EvaluationView, ObjectionInput, ObjectionView,
};
use duban_domain::assessment::Span;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_objections, file_objection))
        .routes(routes!(get_objection))
        .routes(routes!(decide))
        .routes(routes!(list_evaluations, evaluate))
        .routes(routes!(withdraw_evaluation))
        .routes(routes!(ledger, record_error))
        .routes(routes!(withdraw_error))
}

/// The id of what was written.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct Created {
    id: i64,
}

/// The office's decision on an objection.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
struct DecisionInput {
    /// `true`: upheld (the line counts nothing); `false`: rejected (nothing changes).
    upheld: bool,
    /// 处理意见 (required).
    decision: String,
}

/// A period: `2026-07`, `2026Q3`, `2026` or `2026-07-01..2026-07-15`; this month when absent.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
struct PeriodParams {
    period: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/objections", operation_id = "listObjections", tag = "assessment",
    responses((status = 200, description = "申诉：考核办全部，单位本单位的，新的在前", body = Vec<ObjectionView>)))]
async fn list_objections(State(d): State<AppState>, caller: Signed) -> ApiResult<Json<Vec<ObjectionView>>> {
    Ok(Json(d.reviews().objections(&caller.actor).await?))
}

/// A unit's officer or head objects to a line of their unit's score, with a reason. Evidence
/// files are uploaded on the page `/objections/new`.
#[utoipa::path(post, path = "/api/v1/objections", operation_id = "fileObjection", tag = "assessment",
    request_body(content = ObjectionInput, content_type = "application/json"),
    responses((status = 201, description = "已提出申诉，记入管理日志", body = ObjectionView),
        Forbidden, NotFound, Conflict, Invalid))]
async fn file_objection(
    State(d): State<AppState>,
    caller: Signed,
    Json(input): Json<ObjectionInput>,
) -> ApiResult<(StatusCode, Json<ObjectionView>)> {
    let o = d.reviews().file_objection(&caller.actor, &input, None).await?;
    Ok((StatusCode::CREATED, Json(d.reviews().objection(&caller.actor, o.id).await?)))
}

#[utoipa::path(get, path = "/api/v1/objections/{id}", operation_id = "getObjection", tag = "assessment",
    params(("id" = i64, Path, description = "申诉编号")),
    responses((status = 200, description = "申诉", body = ObjectionView), NotFound))]
async fn get_objection(
    State(d): State<AppState>,
    caller: Signed,
    Path(id): Path<i64>,
) -> ApiResult<Json<ObjectionView>> {
    Ok(Json(d.reviews().objection(&caller.actor, id).await?))
}

/// The office decides an objection; the decision and its effect (the unit's total before and
/// after) go into the administrative log.
#[utoipa::path(post, path = "/api/v1/objections/{id}/decision", operation_id = "decideObjection", tag = "assessment",
    params(("id" = i64, Path, description = "申诉编号")),
    request_body(content = DecisionInput, content_type = "application/json"),
    responses((status = 200, description = "已处理", body = Decided), Forbidden, NotFound, Conflict, Invalid))]
async fn decide(
    State(d): State<AppState>,
    caller: Signed,
    Path(id): Path<i64>,
    Json(input): Json<DecisionInput>,
) -> ApiResult<Json<Decided>> {
    Ok(Json(d.reviews().decide(&caller.actor, id, input.upheld, &input.decision).await?))
}

#[utoipa::path(get, path = "/api/v1/evaluations", operation_id = "listEvaluations", tag = "assessment",
    responses((status = 200, description = "领导评价：考核办全部，其他人所能看到单位的及本人所评", body = Vec<EvaluationView>)))]
async fn list_evaluations(State(d): State<AppState>, caller: Signed) -> ApiResult<Json<Vec<EvaluationView>>> {
    Ok(Json(d.reviews().evaluations(&caller.actor).await?))
}

/// A leader evaluates a unit in their charge (the office any unit): 0–10 points and a comment.
#[utoipa::path(post, path = "/api/v1/evaluations", operation_id = "evaluateUnit", tag = "assessment",
    request_body(content = EvaluationInput, content_type = "application/json"),
    responses((status = 201, description = "已评价，计入考核", body = Created), Forbidden, NotFound, Invalid))]
async fn evaluate(
    State(d): State<AppState>,
    caller: Signed,
    Json(input): Json<EvaluationInput>,
) -> ApiResult<(StatusCode, Json<Created>)> {
    let e = d.reviews().evaluate(&caller.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(Created { id: e.id })))
}

#[utoipa::path(delete, path = "/api/v1/evaluations/{id}", operation_id = "withdrawEvaluation", tag = "assessment",
    params(("id" = i64, Path, description = "评价编号")),
    responses((status = 204, description = "已撤回，不再计入考核"), Forbidden, NotFound, Conflict))]
async fn withdraw_evaluation(State(d): State<AppState>, caller: Signed, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    d.reviews().withdraw_evaluation(&caller.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/document-errors", operation_id = "documentErrors", tag = "assessment",
    params(PeriodParams),
    responses((status = 200, description = "公文错情登记及按单位汇总（考核办）", body = ErrorLedger), Forbidden, Invalid))]
async fn ledger(
    State(d): State<AppState>,
    caller: Signed,
    Query(p): Query<PeriodParams>,
) -> ApiResult<Json<ErrorLedger>> {
    let span = match p.period.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Span::parse(s)?,
        None => this_month(&d)?,
    };
    Ok(Json(d.reviews().document_errors(&caller.actor, &span).await?))
}

/// The month holding today.
fn this_month(d: &AppState) -> Result<Span, duban_domain::Error> {
    let today = d.core().now().to_zoned(d.core().policy().timezone()).date();
    Span::month(today.year(), today.month()).ok_or_else(|| duban_domain::Error::invalid("period", "月份无效"))
}

#[utoipa::path(post, path = "/api/v1/document-errors", operation_id = "recordDocumentError", tag = "assessment",
    request_body(content = DocumentErrorInput, content_type = "application/json"),
    responses((status = 201, description = "已登记，计入考核", body = Created), Forbidden, NotFound, Invalid))]
async fn record_error(
    State(d): State<AppState>,
    caller: Signed,
    Json(input): Json<DocumentErrorInput>,
) -> ApiResult<(StatusCode, Json<Created>)> {
    let e = d.reviews().record_document_error(&caller.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(Created { id: e.id })))
}

#[utoipa::path(delete, path = "/api/v1/document-errors/{id}", operation_id = "withdrawDocumentError", tag = "assessment",
    params(("id" = i64, Path, description = "登记编号")),
    responses((status = 204, description = "已撤销，不再计入考核"), Forbidden, NotFound, Conflict))]
async fn withdraw_error(State(d): State<AppState>, caller: Signed, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    d.reviews().withdraw_document_error(&caller.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
