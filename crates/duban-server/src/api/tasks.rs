//! Tasks: create, read, edit (with optimistic locking), withdraw, history, and the filtered,
//! paginated list.

use super::extract::{Json, Path, Query, Require};
use super::openapi::{Conflict, FileBytes, Forbidden, Invalid, NotFound, UploadForm, VersionConflict};
use super::{ApiResult, AppState};
use crate::http::list::ListParams;
use crate::http::session::Signed;
use crate::http::upload::{attachment_disposition, clean_file_name, safe_content_type};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use duban_app::actor::{Oversee, RunLedgers};
use duban_app::core::TaskView;
use duban_app::supervision::{Reminded, channels};
use duban_domain::Error;
use duban_domain::ids::{PersonId, TaskId, UnitId};
use duban_domain::task::{TaskInput, TaskPatch};
use duban_store::{Attachment, Page, TaskEvent};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use duban_app::lifecycle::{ActionInput, Available};
use duban_app::worklists::WorkList;

pub fn routes() -> OpenApiRouter<AppState> {
    let uploads = OpenApiRouter::new()
        .routes(routes!(attachments, attach))
        .layer(axum::extract::DefaultBodyLimit::max(crate::http::upload::MAX_UPLOAD));
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update, cancel))
        .routes(routes!(events))
        .routes(routes!(actions, act))
        .routes(routes!(remind_one))
        .routes(routes!(remind_many))
        .routes(routes!(work))
        .merge(uploads)
        .routes(routes!(download))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct WorkParams {
    unit: Option<i64>,
    person: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/work", operation_id = "workList", tag = "tasks",
    params(WorkParams),
    responses((status = 200, description = "成功", body = WorkList), Forbidden, NotFound, Invalid))]
async fn work(State(d): State<AppState>, caller: Signed, Query(p): Query<WorkParams>) -> ApiResult<Json<WorkList>> {
    // Only units and people within the caller's reach, only tasks the caller may see.
    let list = match (p.unit, p.person) {
        (Some(u), None) => d.worklists().unit_work(&caller.person, UnitId(u)).await?,
        (None, Some(person)) => d.worklists().person_work(&caller.person, PersonId(person)).await?,
        _ => return Err(Error::invalid("unit", "请指定 unit 或 person 之一").into()),
    };
    Ok(Json(list))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ActorParam {
    actor: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/tasks/{id}/actions", operation_id = "availableActions", tag = "tasks",
    params(("id" = i64, Path, description = "编号"), ActorParam),
    responses((status = 200, description = "成功", body = Vec<Available>), Forbidden, NotFound, Invalid))]
async fn actions(
    State(d): State<AppState>,
    caller: Signed,
    Path(id): Path<i64>,
    Query(p): Query<ActorParam>,
) -> ApiResult<Json<Vec<Available>>> {
    d.access().visible_task(&caller.person, TaskId(id)).await?;
    Ok(Json(d.lifecycle().available_actions(TaskId(id), caller.acting_as(p.actor)?).await?))
}

#[utoipa::path(post, path = "/api/v1/tasks/{id}/actions", operation_id = "act", tag = "tasks",
    params(("id" = i64, Path, description = "编号")),
    request_body(content = ActionInput, content_type = "application/json"),
    responses((status = 200, description = "成功", body = TaskView), Forbidden, NotFound, VersionConflict, Invalid))]
async fn act(
    State(d): State<AppState>,
    caller: Signed,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(mut input): Json<ActionInput>,
) -> ApiResult<Response> {
    d.access().visible_task(&caller.person, TaskId(id)).await?;
    input.actor = Some(caller.acting_as(input.actor)?.0);
    if input.version.is_none() {
        input.version = version(&headers, &WriteParams::default()).ok();
    }
    Ok(with_etag(StatusCode::OK, d.lifecycle().act(TaskId(id), input).await?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct AttachParams {
    filename: Option<String>,
    actor: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/tasks/{id}/attachments", operation_id = "attach", tag = "tasks",
    params(("id" = i64, Path, description = "编号"), AttachParams),
    request_body(content((FileBytes = "application/octet-stream"), (UploadForm = "multipart/form-data")),
        description = "文件：原始字节（文件名见 filename 参数），或表单字段 file"),
    responses((status = 201, description = "已上传", body = Attachment), Forbidden, NotFound, Invalid))]
async fn attach(
    State(d): State<AppState>,
    caller: Signed,
    Path(id): Path<i64>,
    Query(p): Query<AttachParams>,
    req: axum::extract::Request,
) -> ApiResult<(StatusCode, Json<Attachment>)> {
    d.access().visible_task(&caller.person, TaskId(id)).await?;
    let file = crate::http::upload::upload(req, &d, "请选择要上传的文件（表单字段 file）").await?;
    let name = p.filename.filter(|f| !f.trim().is_empty()).unwrap_or(file.name);
    let a = d
        .lifecycle()
        .attach(TaskId(id), &name, &file.content_type, file.bytes.to_vec(), Some(caller.acting_as(p.actor)?))
        .await?;
    Ok((StatusCode::CREATED, Json(a)))
}

#[utoipa::path(get, path = "/api/v1/tasks/{id}/attachments", operation_id = "listAttachments", tag = "tasks",
    params(("id" = i64, Path, description = "编号")),
    responses((status = 200, description = "成功", body = Vec<Attachment>), NotFound))]
async fn attachments(
    State(d): State<AppState>,
    caller: Signed,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<Attachment>>> {
    d.access().visible_task(&caller.person, TaskId(id)).await?;
    Ok(Json(d.queries().attachments(TaskId(id)).await?))
}

/// The file itself, as a download with its name (RFC 6266, UTF-8 names encoded), served as
/// `application/octet-stream` unless its type is known to be harmless, with `nosniff`.
#[utoipa::path(get, path = "/api/v1/attachments/{id}", operation_id = "download", tag = "tasks",
    params(("id" = i64, Path, description = "编号")),
    responses((status = 200, description = "文件内容", content_type = "application/octet-stream", body = FileBytes), NotFound))]
async fn download(State(d): State<AppState>, caller: Signed, Path(id): Path<i64>) -> ApiResult<Response> {
    let (a, data) = d.queries().attachment(id).await?;
    d.access().visible_task(&caller.person, a.task_id).await.map_err(|e| match e {
        Error::NotFound { .. } => Error::not_found("附件"),
        e => e,
    })?;
    // Always a download, never shown in the page's origin; and a type browsers do not run.
    let disposition = attachment_disposition(&clean_file_name(&a.name));
    let mut resp = data.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(safe_content_type(&a.content_type)));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    Ok(resp)
}

#[utoipa::path(get, path = "/api/v1/tasks", operation_id = "listTasks", tag = "tasks",
    params(
        ("ledger" = Option<i64>, Query),
        ("parent" = Option<i64>, Query),
        ("unit" = Option<i64>, Query),
        ("lead_only" = Option<bool>, Query),
        ("leader" = Option<i64>, Query),
        ("status" = Option<String>, Query, description = "状态，逗号分隔"),
        ("source" = Option<String>, Query),
        ("classification" = Option<String>, Query),
        ("light" = Option<String>, Query),
        ("unanswered" = Option<bool>, Query, description = "仅督办待回复（已发督办单、其后尚无进展的在办任务）"),
        ("due_before" = Option<String>, Query),
        ("due_after" = Option<String>, Query),
        ("deadline_before" = Option<String>, Query),
        ("deadline_after" = Option<String>, Query),
        ("q" = Option<String>, Query, description = "搜索词"),
        ("sort" = Option<String>, Query),
        ("page" = Option<u64>, Query, description = "页码，从 1 起"),
        ("per_page" = Option<u64>, Query, description = "每页条数"),
    ),
    responses((status = 200, description = "成功", body = Page<TaskView>), Invalid))]
async fn list(
    State(d): State<AppState>,
    caller: Signed,
    Query(p): Query<ListParams>,
) -> ApiResult<axum::Json<Page<TaskView>>> {
    let mut q = p.parse(&d.core().policy().timezone())?;
    q.audience = Some(d.access().audience(&caller.person));
    Ok(axum::Json(d.tasks().list_tasks(q).await?))
}

/// A task with its version as an `ETag`, for `If-Match` on the next write.
fn with_etag(status: StatusCode, v: TaskView) -> Response {
    let etag = HeaderValue::from_str(&format!("\"{}\"", v.task.version)).ok();
    let location = HeaderValue::from_str(&format!("/api/v1/tasks/{}", v.task.id)).ok();
    let mut resp = (status, axum::Json(v)).into_response();
    if let Some(e) = etag {
        resp.headers_mut().insert(header::ETAG, e);
    }
    if status == StatusCode::CREATED
        && let Some(l) = location
    {
        resp.headers_mut().insert(header::LOCATION, l);
    }
    resp
}

#[utoipa::path(post, path = "/api/v1/tasks", operation_id = "createTask", tag = "tasks",
    request_body(content = TaskInput, content_type = "application/json"),
    responses((status = 201, description = "已创建", body = TaskView), Forbidden, NotFound, Invalid))]
async fn create(
    State(d): State<AppState>,
    Require(caller, _): Require<RunLedgers>,
    Json(input): Json<TaskInput>,
) -> ApiResult<Response> {
    Ok(with_etag(StatusCode::CREATED, d.tasks().create_task_as(&caller.person, input).await?))
}

#[utoipa::path(get, path = "/api/v1/tasks/{id}", operation_id = "getTask", tag = "tasks",
    params(("id" = i64, Path, description = "编号")),
    responses((status = 200, description = "成功", body = TaskView), NotFound))]
async fn get_one(State(d): State<AppState>, caller: Signed, Path(id): Path<i64>) -> ApiResult<Response> {
    d.access().visible_task(&caller.person, TaskId(id)).await?;
    Ok(with_etag(StatusCode::OK, d.tasks().get_task(TaskId(id)).await?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct WriteParams {
    version: Option<i64>,
    reason: Option<String>,
}

/// The version a write is based on: `If-Match: "N"` or `?version=N`. Required, so that nobody
/// overwrites a change they have not seen.
fn version(headers: &HeaderMap, p: &WriteParams) -> Result<i64, Error> {
    if let Some(v) = p.version {
        return Ok(v);
    }
    let missing = || Error::invalid("version", "修改任务须提供所依据的版本号（If-Match 请求头或 version 参数）");
    let h = headers.get(header::IF_MATCH).ok_or_else(missing)?;
    h.to_str()
        .ok()
        .map(|s| s.trim().trim_start_matches("W/").trim_matches('"'))
        .and_then(|s| s.parse().ok())
        .ok_or_else(missing)
}

#[utoipa::path(patch, path = "/api/v1/tasks/{id}", operation_id = "updateTask", tag = "tasks",
    params(
        ("id" = i64, Path, description = "编号"),
        ("version" = Option<i64>, Query, description = "所依据的版本；也可用 If-Match 请求头"),
        ("If-Match" = Option<String>, Header),
    ),
    request_body(content = TaskPatch, content_type = "application/json"),
    responses((status = 200, description = "成功", body = TaskView), Forbidden, NotFound, VersionConflict, Invalid))]
async fn update(
    State(d): State<AppState>,
    Require(caller, _): Require<RunLedgers>,
    Path(id): Path<i64>,
    Query(p): Query<WriteParams>,
    headers: HeaderMap,
    Json(patch): Json<TaskPatch>,
) -> ApiResult<Response> {
    d.access().visible_task(&caller.person, TaskId(id)).await?;
    let v = version(&headers, &p)?;
    Ok(with_etag(StatusCode::OK, d.tasks().update_task(TaskId(id), v, &patch, Some(caller.person.id)).await?))
}

#[utoipa::path(delete, path = "/api/v1/tasks/{id}", operation_id = "cancelTask", tag = "tasks",
    params(
        ("id" = i64, Path, description = "编号"),
        ("version" = Option<i64>, Query, description = "所依据的版本；也可用 If-Match 请求头"),
        ("If-Match" = Option<String>, Header),
        ("reason" = Option<String>, Query),
    ),
    responses((status = 200, description = "已撤销", body = TaskView), Forbidden, NotFound, VersionConflict, Invalid))]
async fn cancel(
    State(d): State<AppState>,
    Require(caller, _): Require<RunLedgers>,
    Path(id): Path<i64>,
    Query(p): Query<WriteParams>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    d.access().visible_task(&caller.person, TaskId(id)).await?;
    let v = version(&headers, &p)?;
    let reason = p.reason.as_deref().unwrap_or("");
    Ok(with_etag(StatusCode::OK, d.tasks().cancel_task(TaskId(id), v, reason, Some(caller.person.id)).await?))
}

#[utoipa::path(get, path = "/api/v1/tasks/{id}/events", operation_id = "taskEvents", tag = "tasks",
    params(("id" = i64, Path, description = "编号")),
    responses((status = 200, description = "成功", body = Vec<TaskEvent>), NotFound))]
async fn events(State(d): State<AppState>, caller: Signed, Path(id): Path<i64>) -> ApiResult<Json<Vec<TaskEvent>>> {
    let id = TaskId(id);
    d.access().visible_task(&caller.person, id).await?;
    Ok(Json(d.queries().task_events(id).await?))
}

/// A 催办 by hand: the channels to send it over and an optional instruction.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
struct RemindInput {
    /// `inbox` (站内消息), `sms` (短信), `email` (电子邮件): at least one.
    #[schema(example = json!(["inbox", "sms"]))]
    channels: Vec<String>,
    /// 催办要求 (optional; a standard request when empty).
    text: String,
}

/// A 催办 by hand on several tasks (from the ledger).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
struct RemindManyInput {
    /// The tasks to remind (at most 500).
    ids: Vec<i64>,
    channels: Vec<String>,
    text: String,
}

#[utoipa::path(post, path = "/api/v1/tasks/{id}/remind", operation_id = "remind", tag = "tasks",
    params(("id" = i64, Path, description = "编号")),
    request_body(content = RemindInput, content_type = "application/json"),
    responses((status = 200, description = "已催办：消息已发出或排队", body = Reminded), Forbidden, NotFound, Conflict, Invalid))]
async fn remind_one(
    State(d): State<AppState>,
    Require(caller, _): Require<Oversee>,
    Path(id): Path<i64>,
    Json(input): Json<RemindInput>,
) -> ApiResult<Json<Reminded>> {
    let channels = channels(&input.channels)?;
    let r = d.supervision().remind(&caller.actor, &[TaskId(id)], &channels, &input.text).await?;
    // One task: its refusal is the answer's error.
    if let Some(refused) = r.refused.first() {
        return Err(match refused.code.as_str() {
            "not_found" => Error::not_found("任务"),
            _ => Error::Conflict(refused.message.clone()),
        }
        .into());
    }
    Ok(Json(r))
}

#[utoipa::path(post, path = "/api/v1/tasks/remind", operation_id = "remindMany", tag = "tasks",
    request_body(content = RemindManyInput, content_type = "application/json"),
    responses((status = 200, description = "每项任务的结果：已催办的和未催办的（及原因）", body = Reminded), Forbidden, Invalid))]
async fn remind_many(
    State(d): State<AppState>,
    Require(caller, _): Require<Oversee>,
    Json(input): Json<RemindManyInput>,
) -> ApiResult<Json<Reminded>> {
    let channels = channels(&input.channels)?;
    let ids: Vec<TaskId> = input.ids.into_iter().map(TaskId).collect();
    Ok(Json(d.supervision().remind(&caller.actor, &ids, &channels, &input.text).await?))
}
