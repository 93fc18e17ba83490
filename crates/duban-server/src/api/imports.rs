//! Document import: upload a file for a preview (raw bytes with `?filename=`, or a multipart
//! form with a `file` field) — the tasks found, with suggested lead units for those without
//! one, the document's year, the deadlines already past and the unit names the directory does
//! not know —; review an edited preview again; settle an unknown unit name (map it to a unit as
//! an alias, or create it); then commit the confirmed preview with the user's corrections, a
//! default deadline for tasks without one, and the confirmation of deadlines already past.

use super::extract::{Json, Query, Require};
use super::openapi::{Conflict, FileBytes, Forbidden, Invalid, NotFound, UploadForm};
use super::{ApiResult, AppState};
use axum::extract::{DefaultBodyLimit, Request, State};
use duban_app::actor::RunLedgers;
use duban_app::document_import::{CommitOptions, ImportReport};
use duban_app::import_review::{Review, ReviewOptions, Settle, Settled};
use duban_domain::Error;
use duban_domain::ids::UnitId;
use duban_domain::task::{check_task_date, parse_task_date};
use duban_import::Preview;
use jiff::civil::Date;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use duban_app::suggest::Suggestion;

use crate::http::upload::MAX_UPLOAD;

pub fn routes() -> OpenApiRouter<AppState> {
    let uploads =
        OpenApiRouter::new().routes(routes!(preview)).routes(routes!(commit)).layer(DefaultBodyLimit::max(MAX_UPLOAD));
    OpenApiRouter::new().merge(uploads).routes(routes!(review)).routes(routes!(settle_unit)).routes(routes!(suggest))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct SuggestParams {
    text: String,
}

#[utoipa::path(get, path = "/api/v1/suggest", operation_id = "suggestLeads", tag = "imports",
    params(SuggestParams),
    responses((status = 200, description = "成功", body = Vec<Suggestion>), Invalid))]
async fn suggest(State(d): State<AppState>, Query(p): Query<SuggestParams>) -> ApiResult<Json<Vec<Suggestion>>> {
    Ok(Json(d.suggestions().suggest_leads(&p.text, 3).await?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PreviewParams {
    filename: Option<String>,
    /// The year for deadlines written without one (3月底前); by default the document's.
    year: Option<i16>,
    /// The deadline meant for tasks without one (YYYY-MM-DD), for the warning about deadlines
    /// already past; it is applied by the commit's `default_deadline`.
    default_deadline: Option<String>,
}

/// Checks the year the office gives a document.
fn checked_year(year: Option<i16>) -> Result<Option<i16>, Error> {
    match year {
        Some(y) if !(duban_domain::task::FIRST_YEAR..=duban_domain::task::LAST_YEAR).contains(&y) => {
            Err(Error::invalid(
                "year",
                format!(
                    "年份 {y} 超出允许范围（{}–{}）",
                    duban_domain::task::FIRST_YEAR,
                    duban_domain::task::LAST_YEAR
                ),
            ))
        }
        y => Ok(y),
    }
}

#[utoipa::path(post, path = "/api/v1/imports/preview", operation_id = "previewImport", tag = "imports",
    params(PreviewParams),
    request_body(content((FileBytes = "application/octet-stream"), (UploadForm = "multipart/form-data")),
        description = "文件：原始字节（文件名见 filename 参数），或表单字段 file"),
    responses((status = 200, description = "成功：识别出的任务；未写明牵头单位的任务附建议的牵头单位", body = Review),
        Forbidden, Invalid))]
async fn preview(
    State(d): State<AppState>,
    _: Require<RunLedgers>,
    Query(p): Query<PreviewParams>,
    req: Request,
) -> ApiResult<Json<Review>> {
    let file = crate::http::upload::upload(req, &d, "请选择要导入的文件（表单字段 file）").await?;
    let filename = p.filename.filter(|f| !f.trim().is_empty()).unwrap_or(file.name);
    let year = checked_year(p.year)?;
    let default_deadline = match p.default_deadline.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() => Some(parse_task_date("default_deadline", s)?),
        _ => None,
    };
    let preview = d.document_import().preview(&file.bytes, &filename, year).await?;
    Ok(Json(d.document_import().review(preview, ReviewOptions { year, default_deadline }).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ReviewBody {
    /// The preview as edited (`document` and `tasks`; other fields of a review are ignored).
    preview: Preview,
    /// The year the document was read with, when it was set (`?year=` of the preview).
    #[serde(default)]
    year: Option<i16>,
    /// The deadline meant for tasks without one.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    default_deadline: Option<Date>,
}

/// The review of an edited preview, computed again: suggestions, deadlines already past at
/// today's date, the unit names the directory does not know (after some were settled).
#[utoipa::path(post, path = "/api/v1/imports/review", operation_id = "reviewImport", tag = "imports",
    request_body(content = ReviewBody, content_type = "application/json"),
    responses((status = 200, description = "成功", body = Review), Forbidden, Invalid))]
async fn review(
    State(d): State<AppState>,
    _: Require<RunLedgers>,
    Json(body): Json<ReviewBody>,
) -> ApiResult<Json<Review>> {
    let year = checked_year(body.year)?;
    let default_deadline = body.default_deadline.map(|dd| check_task_date("default_deadline", dd)).transpose()?;
    Ok(Json(d.document_import().review(body.preview, ReviewOptions { year, default_deadline }).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct SettleBody {
    /// The unit name as the document wrote it.
    name: String,
    /// Map the name to this unit: it becomes one of the unit's aliases.
    #[serde(default)]
    map_to: Option<i64>,
    /// Create a unit of this name (its kind guessed from the name; editable on the 管理 pages).
    #[serde(default)]
    create: bool,
}

/// Settles a unit name the directory does not know, in one step: `map_to` a unit (the name
/// becomes its alias, so later documents resolve it) or `create` it. Recorded in the
/// administrative audit log.
#[utoipa::path(post, path = "/api/v1/imports/units", operation_id = "settleImportUnit", tag = "imports",
    request_body(content = SettleBody, content_type = "application/json"),
    responses((status = 200, description = "成功：该名称现在对应的单位", body = Settled), Forbidden, NotFound, Conflict, Invalid))]
async fn settle_unit(
    State(d): State<AppState>,
    Require(caller, _): Require<RunLedgers>,
    Json(body): Json<SettleBody>,
) -> ApiResult<Json<Settled>> {
    let how = match (body.map_to, body.create) {
        (Some(id), false) => Settle::MapTo(UnitId(id)),
        (None, true) => Settle::Create,
        _ => {
            return Err(Error::invalid(
                "map_to",
                "请指定对应的已有单位（map_to），或新建单位（create: true），二者选一",
            )
            .into());
        }
    };
    Ok(Json(d.document_import().settle_name(&caller.actor, &body.name, how).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct CommitBody {
    preview: Preview,
    /// The deadline written on every task without one of its own (YYYY-MM-DD; the document
    /// year's 31 December is the usual reading of a yearly plan); omitted, the time-limit rules
    /// give them one.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    default_deadline: Option<Date>,
    /// Commit even though some deadlines (own or default) have already passed; without it such
    /// a commit is refused with `import.past_deadlines`.
    #[serde(default)]
    confirm_past_deadlines: bool,
}

#[utoipa::path(post, path = "/api/v1/imports/commit", operation_id = "commitImport", tag = "imports",
    request_body(content = CommitBody, content_type = "application/json"),
    responses((status = 200, description = "成功", body = ImportReport), Forbidden, NotFound, Conflict, Invalid))]
async fn commit(
    State(d): State<AppState>,
    Require(caller, _): Require<RunLedgers>,
    Json(body): Json<CommitBody>,
) -> ApiResult<Json<ImportReport>> {
    let opts =
        CommitOptions { default_deadline: body.default_deadline, confirm_past_deadlines: body.confirm_past_deadlines };
    Ok(Json(d.document_import().commit(&body.preview, &opts, &caller.actor).await?))
}
