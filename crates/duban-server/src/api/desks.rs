//! The desk's batch action over the API (issue 12 §2): `POST /api/v1/tasks/sign` signs many
//! tasks at once for the caller's unit, each as an ordinary 签收 in its own trail; the answer
//! lists the tasks signed and each refusal with its reason (a task the caller may not see is
//! refused exactly as a missing one).

use super::extract::Json;
use super::openapi::{Forbidden, Invalid};
use super::{ApiResult, AppState};
use crate::http::session::Signed;
use axum::extract::State;
use duban_app::lifecycle::BatchSigned;
use duban_domain::ids::TaskId;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(sign_many))
}

/// The tasks to sign.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
struct SignManyInput {
    /// The tasks to sign (at most 200).
    ids: Vec<i64>,
}

#[utoipa::path(post, path = "/api/v1/tasks/sign", operation_id = "signMany", tag = "tasks",
    request_body(content = SignManyInput, content_type = "application/json"),
    responses((status = 200, description = "每项任务的结果：已签收的和未签收的（及原因）", body = BatchSigned), Forbidden, Invalid))]
async fn sign_many(
    State(d): State<AppState>,
    caller: Signed,
    Json(input): Json<SignManyInput>,
) -> ApiResult<Json<BatchSigned>> {
    let ids: Vec<TaskId> = input.ids.into_iter().map(TaskId).collect();
    Ok(Json(d.lifecycle().sign_many(&caller.actor, &ids).await?))
}
