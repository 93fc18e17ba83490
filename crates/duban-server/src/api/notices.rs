//! 督办通知单 (issue 12 §3): issuing one by hand with its instruction, 答复时限 and 主送 units
//! (`POST /api/v1/tasks/{id}/notices`), reading the printed sheet (`GET /api/v1/notices/{id}`)
//! and downloading its Word file (`GET /api/v1/notices/{id}/docx`). A notice of a task the
//! caller may not see answers as a missing one.

use super::extract::{Json, Path, Require};
use super::openapi::{Conflict, FileBytes, Forbidden, Invalid, NotFound};
use super::{ApiResult, AppState};
use crate::http::session::Signed;
use crate::http::upload::attachment_disposition;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use duban_app::actor::Oversee;
use duban_app::notice_sheet::{self, NoticeSheet};
use duban_domain::ids::{TaskId, UnitId};
use duban_domain::supervision::Order;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(issue)).routes(routes!(sheet)).routes(routes!(docx))
}

/// A 督办通知单 by hand.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
struct NoticeInput {
    /// 督办要求 (required).
    text: String,
    /// 答复时限: a working day, not before today; the rules' date when absent.
    #[schema(value_type = Option<String>, format = Date, example = "2026-03-10")]
    answer_by: Option<jiff::civil::Date>,
    /// Cooperating units to address besides the lead units (主送); their people are told.
    recipients: Vec<i64>,
}

/// A notice issued.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct IssuedNotice {
    id: i64,
    /// 督〔YYYY〕N号.
    number: String,
    task_id: i64,
    stage: String,
    round: i64,
    #[schema(value_type = String, format = Date)]
    answer_by: jiff::civil::Date,
    /// The units it is addressed to (主送).
    recipients: Vec<i64>,
    text: String,
}

#[utoipa::path(post, path = "/api/v1/tasks/{id}/notices", operation_id = "issueNotice", tag = "tasks",
    params(("id" = i64, Path, description = "任务编号")),
    request_body(content = NoticeInput, content_type = "application/json"),
    responses((status = 201, description = "已发出督办通知单，记入全过程记录并通知主送单位", body = IssuedNotice),
        Forbidden, NotFound, Conflict, Invalid))]
async fn issue(
    State(d): State<AppState>,
    Require(caller, _): Require<Oversee>,
    Path(id): Path<i64>,
    Json(input): Json<NoticeInput>,
) -> ApiResult<(StatusCode, Json<IssuedNotice>)> {
    let order = Order {
        text: input.text,
        answer_by: input.answer_by,
        recipients: input.recipients.into_iter().map(UnitId).collect(),
    };
    let n = d.supervision().order(&caller.actor, TaskId(id), &order).await?;
    Ok((
        StatusCode::CREATED,
        Json(IssuedNotice {
            id: n.id,
            number: n.number,
            task_id: n.task_id.0,
            stage: n.stage,
            round: n.round,
            answer_by: n.answer_by,
            recipients: n.recipients.iter().map(|u| u.0).collect(),
            text: n.text,
        }),
    ))
}

#[utoipa::path(get, path = "/api/v1/notices/{id}", operation_id = "getNotice", tag = "tasks",
    params(("id" = i64, Path, description = "督办通知单编号")),
    responses((status = 200, description = "督办通知单的内容（文号、标题、主送、正文、落款、日期）", body = NoticeSheet), NotFound))]
async fn sheet(State(d): State<AppState>, caller: Signed, Path(id): Path<i64>) -> ApiResult<Json<NoticeSheet>> {
    Ok(Json(d.supervision().sheet(&caller.actor, id).await?))
}

#[utoipa::path(get, path = "/api/v1/notices/{id}/docx", operation_id = "downloadNotice", tag = "tasks",
    params(("id" = i64, Path, description = "督办通知单编号")),
    responses((status = 200, description = "督办通知单 Word 文档（GB/T 9704 版式）",
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", body = FileBytes), NotFound))]
async fn docx(State(d): State<AppState>, caller: Signed, Path(id): Path<i64>) -> ApiResult<Response> {
    let s = d.supervision().sheet(&caller.actor, id).await?;
    let mut resp = notice_sheet::docx(&s)?.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    );
    if let Ok(v) = HeaderValue::from_str(&attachment_disposition(&notice_sheet::file_name(&s))) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}
