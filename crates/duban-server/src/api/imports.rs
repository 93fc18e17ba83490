//! Document import: upload a file for a preview (raw bytes with `?filename=`, or a multipart
//! form with a `file` field), then commit the confirmed preview with the user's corrections.

use super::extract::{Json, Query};
use super::{ApiResult, AppState};
use crate::imports::ImportReport;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::header;
use axum::routing::post;
use duban_domain::Error;
use duban_import::Preview;
use serde::Deserialize;

/// Documents and spreadsheets can be large; 20 MiB is plenty for a policy document.
const MAX_UPLOAD: usize = 20 * 1024 * 1024;

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
) -> ApiResult<Json<Vec<crate::suggest::Suggestion>>> {
    Ok(Json(d.suggest_leads(&p.text, 3).await?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct PreviewParams {
    filename: Option<String>,
    year: Option<i16>,
}

async fn preview(State(d): State<AppState>, Query(p): Query<PreviewParams>, req: Request) -> ApiResult<Json<Preview>> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let (bytes, filename) = if multipart {
        let mut form = Multipart::from_request(req, &d)
            .await
            .map_err(|e| Error::invalid("file", format!("上传内容无法读取：{e}")))?;
        let mut found = None;
        while let Some(field) =
            form.next_field().await.map_err(|e| Error::invalid("file", format!("上传内容无法读取：{e}")))?
        {
            if field.name() == Some("file") {
                let name = field.file_name().map(str::to_string).unwrap_or_default();
                let data = field.bytes().await.map_err(|e| Error::invalid("file", format!("上传内容无法读取：{e}")))?;
                found = Some((data, name));
                break;
            }
        }
        found.ok_or_else(|| Error::invalid("file", "请选择要导入的文件（表单字段 file）"))?
    } else {
        let data =
            Bytes::from_request(req, &d).await.map_err(|e| Error::invalid("file", format!("上传内容无法读取：{e}")))?;
        (data, String::new())
    };
    let filename = p.filename.filter(|f| !f.trim().is_empty()).unwrap_or(filename);
    Ok(Json(d.preview_import(&bytes, &filename, p.year).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CommitBody {
    preview: Preview,
}

async fn commit(State(d): State<AppState>, Json(body): Json<CommitBody>) -> ApiResult<Json<ImportReport>> {
    Ok(Json(d.commit_import(&body.preview, None).await?))
}
