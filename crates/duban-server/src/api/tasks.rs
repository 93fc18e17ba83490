//! Tasks: create, read, edit (with optimistic locking), withdraw, history, and the filtered,
//! paginated list.

use super::auth::Caller;
use super::extract::{Json, Path, Query};
use super::{ApiResult, AppState};
use crate::service::TaskView;
use axum::Extension;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use duban_domain::Error;
use duban_domain::ids::{LedgerId, PersonId, TaskId, UnitId};
use duban_domain::org::Role;
use duban_domain::task::{TaskInput, TaskPatch, parse_date, parse_instant};
use duban_store::{Attachment, Page, TaskEvent, TaskQuery, TaskSort};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/tasks", get(list).post(create))
        .route("/api/v1/tasks/{id}", get(get_one).patch(update).delete(cancel))
        .route("/api/v1/tasks/{id}/events", get(events))
        .route("/api/v1/tasks/{id}/actions", get(actions).post(act))
        .route("/api/v1/work", get(work))
        .route(
            "/api/v1/tasks/{id}/attachments",
            get(attachments).post(attach).layer(axum::extract::DefaultBodyLimit::max(super::extract::MAX_UPLOAD)),
        )
        .route("/api/v1/attachments/{id}", get(download))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct WorkParams {
    unit: Option<i64>,
    person: Option<i64>,
}

/// The person an action is taken as: the caller, or, for an administrator recording on someone's
/// behalf, the person named.
fn acting_as(caller: &Caller, named: Option<i64>) -> Result<PersonId, Error> {
    match named {
        Some(p) if p != caller.0.id.0 => {
            if caller.has(Role::Admin) {
                Ok(PersonId(p))
            } else {
                Err(Error::Forbidden)
            }
        }
        _ => Ok(caller.0.id),
    }
}

async fn work(
    State(d): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(p): Query<WorkParams>,
) -> ApiResult<Json<crate::work::WorkList>> {
    // Only units and people within the caller's reach, only tasks the caller may see.
    let list = match (p.unit, p.person) {
        (Some(u), None) => d.unit_work(&caller.0, UnitId(u)).await?,
        (None, Some(person)) => d.person_work(&caller.0, PersonId(person)).await?,
        _ => return Err(Error::invalid("unit", "请指定 unit 或 person 之一").into()),
    };
    Ok(Json(list))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ActorParam {
    actor: Option<i64>,
}

async fn actions(
    State(d): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    Query(p): Query<ActorParam>,
) -> ApiResult<Json<Vec<crate::lifecycle::Available>>> {
    d.visible_task(&caller.0, TaskId(id)).await?;
    Ok(Json(d.available_actions(TaskId(id), acting_as(&caller, p.actor)?).await?))
}

async fn act(
    State(d): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(mut input): Json<crate::lifecycle::ActionInput>,
) -> ApiResult<Response> {
    d.visible_task(&caller.0, TaskId(id)).await?;
    input.actor = Some(acting_as(&caller, input.actor)?.0);
    if input.version.is_none() {
        input.version = version(&headers, &WriteParams::default()).ok();
    }
    Ok(with_etag(StatusCode::OK, d.act(TaskId(id), input).await?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct AttachParams {
    filename: Option<String>,
    actor: Option<i64>,
}

async fn attach(
    State(d): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    Query(p): Query<AttachParams>,
    req: axum::extract::Request,
) -> ApiResult<(StatusCode, Json<Attachment>)> {
    d.visible_task(&caller.0, TaskId(id)).await?;
    let file = super::extract::upload(req, &d, "请选择要上传的文件（表单字段 file）").await?;
    let name = p.filename.filter(|f| !f.trim().is_empty()).unwrap_or(file.name);
    let a = d
        .attach(TaskId(id), &name, &file.content_type, file.bytes.to_vec(), Some(acting_as(&caller, p.actor)?))
        .await?;
    Ok((StatusCode::CREATED, Json(a)))
}

async fn attachments(
    State(d): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<Attachment>>> {
    d.visible_task(&caller.0, TaskId(id)).await?;
    Ok(Json(d.store().list_attachments(TaskId(id)).await?))
}

/// The file itself, as a download with its name (RFC 6266, UTF-8 names encoded), served as
/// `application/octet-stream` unless its type is known to be harmless, with `nosniff`.
async fn download(
    State(d): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let (a, data) = d.store().get_attachment(id).await?;
    d.visible_task(&caller.0, a.task_id).await.map_err(|e| match e {
        Error::NotFound { .. } => Error::not_found("附件"),
        e => e,
    })?;
    // Always a download, never shown in the page's origin; and a type browsers do not run.
    let disposition = super::extract::attachment_disposition(&super::extract::clean_file_name(&a.name));
    let mut resp = data.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(super::extract::safe_content_type(&a.content_type)));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    Ok(resp)
}

/// The query string of the task list, as written by clients.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ListParams {
    pub ledger: Option<i64>,
    pub parent: Option<i64>,
    pub unit: Option<i64>,
    pub lead_only: Option<bool>,
    pub leader: Option<i64>,
    /// Comma-separated statuses.
    pub status: Option<String>,
    pub source: Option<String>,
    pub classification: Option<String>,
    pub light: Option<String>,
    pub due_before: Option<String>,
    pub due_after: Option<String>,
    pub deadline_before: Option<String>,
    pub deadline_after: Option<String>,
    pub q: Option<String>,
    pub sort: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

fn list_of<T: std::str::FromStr<Err = Error>>(v: Option<&str>) -> Result<Vec<T>, Error> {
    v.map(|s| s.split([',', '，']).map(str::trim).filter(|x| !x.is_empty()).map(str::parse).collect())
        .transpose()
        .map(Option::unwrap_or_default)
}

impl ListParams {
    /// Checks every parameter and gives a store query.
    pub fn parse(self, tz: &jiff::tz::TimeZone) -> Result<TaskQuery, Error> {
        let instant = |field: &str, v: Option<String>, end_of_day: bool| -> Result<Option<jiff::Timestamp>, Error> {
            let Some(v) = v.filter(|s| !s.trim().is_empty()) else { return Ok(None) };
            // A bare date means the whole day: up to its end for "before", from its start for "after".
            if end_of_day && let Ok(d) = v.trim().parse::<jiff::civil::Date>() {
                let next = d.tomorrow().map_err(|_| Error::invalid(field, "日期超出范围"))?;
                let start = parse_instant(field, &next.to_string(), tz)?;
                return Ok(Some(start - jiff::SignedDuration::from_millis(1)));
            }
            parse_instant(field, &v, tz).map(Some)
        };
        // A date filter given empty is a mistake, as the document's `format: date` says.
        let date = |field: &str, v: Option<String>| v.map(|s| parse_date(field, &s)).transpose();
        let sort = match self.sort.as_deref().map(str::trim) {
            None | Some("due") => TaskSort::Due,
            Some("deadline") => TaskSort::Deadline,
            Some("number") => TaskSort::Number,
            Some("updated") => TaskSort::Updated,
            Some(other) => {
                return Err(Error::invalid(
                    "sort",
                    format!("排序方式“{other}”无效，可选：due、deadline、number、updated"),
                ));
            }
        };
        if self.page == Some(0) {
            return Err(Error::invalid("page", "页码从 1 开始"));
        }
        let per_page = self.per_page.unwrap_or(50);
        if per_page == 0 || per_page > 500 {
            return Err(Error::invalid("per_page", "每页条数应在 1 到 500 之间"));
        }
        Ok(TaskQuery {
            ledger_id: self.ledger.map(LedgerId),
            parent_id: self.parent.map(TaskId),
            unit_id: self.unit.map(UnitId),
            lead_only: self.lead_only.unwrap_or(false),
            leader_id: self.leader.map(duban_domain::ids::PersonId),
            audience: None,
            statuses: list_of(self.status.as_deref())?,
            sources: list_of(self.source.as_deref())?,
            classifications: list_of(self.classification.as_deref())?,
            light: self.light.filter(|s| !s.trim().is_empty()).map(|s| s.parse()).transpose()?,
            now: jiff::Timestamp::UNIX_EPOCH,
            due_before: instant("due_before", self.due_before, true)?,
            due_after: instant("due_after", self.due_after, false)?,
            deadline_before: date("deadline_before", self.deadline_before)?,
            deadline_after: date("deadline_after", self.deadline_after)?,
            text: self.q.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
            sort,
            page: self.page.unwrap_or(1).max(1),
            per_page,
        })
    }
}

async fn list(
    State(d): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(p): Query<ListParams>,
) -> ApiResult<axum::Json<Page<TaskView>>> {
    let mut q = p.parse(&d.policy().timezone())?;
    q.audience = Some(d.audience(&caller.0));
    Ok(axum::Json(d.list_tasks(q).await?))
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

async fn create(
    State(d): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(input): Json<TaskInput>,
) -> ApiResult<Response> {
    Ok(with_etag(StatusCode::CREATED, d.create_task_as(&caller.0, input).await?))
}

async fn get_one(
    State(d): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    d.visible_task(&caller.0, TaskId(id)).await?;
    Ok(with_etag(StatusCode::OK, d.get_task(TaskId(id)).await?))
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

async fn update(
    State(d): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    Query(p): Query<WriteParams>,
    headers: HeaderMap,
    Json(patch): Json<TaskPatch>,
) -> ApiResult<Response> {
    d.visible_task(&caller.0, TaskId(id)).await?;
    let v = version(&headers, &p)?;
    Ok(with_etag(StatusCode::OK, d.update_task(TaskId(id), v, &patch, Some(caller.0.id)).await?))
}

async fn cancel(
    State(d): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    Query(p): Query<WriteParams>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    d.visible_task(&caller.0, TaskId(id)).await?;
    let v = version(&headers, &p)?;
    let reason = p.reason.as_deref().unwrap_or("");
    Ok(with_etag(StatusCode::OK, d.cancel_task(TaskId(id), v, reason, Some(caller.0.id)).await?))
}

async fn events(
    State(d): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<TaskEvent>>> {
    let id = TaskId(id);
    d.visible_task(&caller.0, id).await?;
    Ok(Json(d.store().task_events(id).await?))
}
