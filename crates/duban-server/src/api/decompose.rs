//! Decomposition (issue 12 §1, §2): splitting a task into subtasks for the lead unit's sections
//! and its cooperating units in one step, and what a task shows of it — the parent's progress
//! from its children, the cooperating units' reports of their part and a dispute's positions.
//! The reports and positions themselves are actions (`report_part`, `state_position`) taken
//! through `POST /api/v1/tasks/{id}/actions`.

use super::extract::{Json, Path};
use super::openapi::{Conflict, Forbidden, Invalid, NotFound, VersionConflict};
use super::{ApiResult, AppState};
use crate::http::session::Signed;
use axum::extract::State;
use axum::http::StatusCode;
use duban_app::core::TaskView;
use duban_app::decompose::{Decomposition, SplitInput};
use duban_domain::ids::TaskId;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(split)).routes(routes!(decomposition))
}

/// Splits the task into subtasks (分解交办): the lead unit's officers and head to their sections
/// and cooperating units, the office to any unit; each part's deadline no later than the task's.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/split", operation_id = "splitTask", tag = "tasks",
    params(("id" = i64, Path, description = "编号")),
    request_body(content = SplitInput, content_type = "application/json"),
    responses((status = 201, description = "已分解，返回新建的子任务", body = Vec<TaskView>),
        Forbidden, NotFound, VersionConflict, Conflict, Invalid))]
async fn split(
    State(d): State<AppState>,
    caller: Signed,
    Path(id): Path<i64>,
    Json(mut input): Json<SplitInput>,
) -> ApiResult<(StatusCode, Json<Vec<TaskView>>)> {
    d.access().visible_task(&caller.person, TaskId(id)).await?;
    input.actor = Some(caller.acting_as(input.actor)?.0);
    Ok((StatusCode::CREATED, Json(d.lifecycle().split(TaskId(id), input).await?)))
}

/// The task's subtasks with the parent's progress, its cooperating units' reports and the
/// positions on its latest dispute, as the caller may see them.
#[utoipa::path(get, path = "/api/v1/tasks/{id}/decomposition", operation_id = "taskDecomposition", tag = "tasks",
    params(("id" = i64, Path, description = "编号")),
    responses((status = 200, description = "成功", body = Decomposition), NotFound))]
async fn decomposition(
    State(d): State<AppState>,
    caller: Signed,
    Path(id): Path<i64>,
) -> ApiResult<Json<Decomposition>> {
    d.access().visible_task(&caller.person, TaskId(id)).await?;
    Ok(Json(d.lifecycle().decomposition(&caller.person, TaskId(id)).await?))
}
