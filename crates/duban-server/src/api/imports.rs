//! Document import: upload a file for a preview (raw bytes with `?filename=`, or a multipart
//! form with a `file` field), then commit the confirmed preview with the user's corrections.

use super::extract::{Json, Query, Require};
use super::{ApiResult, AppState};
use crate::actor::RunLedgers;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::routing::post;
use duban_app::document_import::ImportReport;
use duban_import::Preview;
use serde::Deserialize;

use crate::http::upload::MAX_UPLOAD;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/imports/preview", post(preview).layer(DefaultBodyLimit::max(MAX_UPLOAD)))
        .route("/api/v1/imports/commit", post(commit).layer(DefaultBodyLimit::max(MAX_UPLOAD)))
        .route("/api/v1/suggest", axum::routing::get(suggest))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SuggestParams {
    text: String,
}

async fn suggest(
    State(d): State<AppState>,
    Query(p): Query<SuggestParams>,
) -> ApiResult<Json<Vec<duban_app::suggest::Suggestion>>> {
    Ok(Json(d.suggest_leads(&p.text, 3).await?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct PreviewParams {
    filename: Option<String>,
    year: Option<i16>,
}

async fn preview(
    State(d): State<AppState>,
    _: Require<RunLedgers>,
    Query(p): Query<PreviewParams>,
    req: Request,
) -> ApiResult<Json<Preview>> {
    let file = crate::http::upload::upload(req, &d, "请选择要导入的文件（表单字段 file）").await?;
    let filename = p.filename.filter(|f| !f.trim().is_empty()).unwrap_or(file.name);
    Ok(Json(d.preview_document_import(&file.bytes, &filename, p.year).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CommitBody {
    preview: Preview,
}

async fn commit(
    State(d): State<AppState>,
    Require(caller, _): Require<RunLedgers>,
    Json(body): Json<CommitBody>,
) -> ApiResult<Json<ImportReport>> {
    Ok(Json(d.commit_document_import(&body.preview, Some(&caller.person)).await?))
}
