//! Document import: upload a file for a preview (raw bytes with `?filename=`, or a multipart
//! form with a `file` field) — the tasks found, with suggested lead units for those without
//! one — then commit the confirmed preview with the user's corrections.

use super::extract::{Json, Query, Require};
use super::openapi::{Conflict, FileBytes, Forbidden, Invalid, NotFound, UploadForm};
use super::{ApiResult, AppState};
use axum::extract::{DefaultBodyLimit, Request, State};
use duban_app::actor::RunLedgers;
use duban_app::document_import::ImportReport;
use duban_app::import_review::Review;
use duban_import::Preview;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use duban_app::suggest::Suggestion;

use crate::http::upload::MAX_UPLOAD;

pub fn routes() -> OpenApiRouter<AppState> {
    let uploads =
        OpenApiRouter::new().routes(routes!(preview)).routes(routes!(commit)).layer(DefaultBodyLimit::max(MAX_UPLOAD));
    OpenApiRouter::new().merge(uploads).routes(routes!(suggest))
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
    year: Option<i16>,
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
    let preview = d.document_import().preview(&file.bytes, &filename, p.year).await?;
    Ok(Json(d.document_import().review(preview).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct CommitBody {
    preview: Preview,
}

#[utoipa::path(post, path = "/api/v1/imports/commit", operation_id = "commitImport", tag = "imports",
    request_body(content = CommitBody, content_type = "application/json"),
    responses((status = 200, description = "成功", body = ImportReport), Forbidden, NotFound, Conflict, Invalid))]
async fn commit(
    State(d): State<AppState>,
    Require(caller, _): Require<RunLedgers>,
    Json(body): Json<CommitBody>,
) -> ApiResult<Json<ImportReport>> {
    Ok(Json(d.document_import().commit(&body.preview, &caller.actor).await?))
}
