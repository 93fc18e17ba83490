//! Extractors whose rejections are [`ApiError`]s, so a malformed body, query or path gets the
//! same JSON error shape as every other error.

use super::errors::ApiError;
use axum::extract::FromRequest;
use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use duban_domain::Error;

#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Json<T>(pub T);

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

/// Uploads (documents, spreadsheets, evidence) can be large; 20 MiB is plenty.
pub const MAX_UPLOAD: usize = 20 * 1024 * 1024;

/// An uploaded file.
pub struct Upload {
    pub bytes: axum::body::Bytes,
    /// The file name the browser sent, or empty for a raw upload.
    pub name: String,
    pub content_type: String,
}

/// Reads an upload: a multipart form's `file` field, or the raw body.
pub async fn upload<S: Send + Sync>(req: axum::extract::Request, state: &S, missing: &str) -> Result<Upload, Error> {
    use axum::extract::Multipart;
    let unreadable = |e: &dyn std::fmt::Display| Error::invalid("file", format!("上传内容无法读取：{e}"));
    let content_type = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_string();
    if !content_type.starts_with("multipart/form-data") {
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|e| unreadable(&e))?;
        return Ok(Upload { bytes, name: String::new(), content_type });
    }
    let mut form = Multipart::from_request(req, state).await.map_err(|e| unreadable(&e))?;
    while let Some(field) = form.next_field().await.map_err(|e| unreadable(&e))? {
        if field.name() == Some("file") {
            let name = field.file_name().map(str::to_string).unwrap_or_default();
            let content_type = field.content_type().unwrap_or("application/octet-stream").to_string();
            let bytes = field.bytes().await.map_err(|e| unreadable(&e))?;
            return Ok(Upload { bytes, name, content_type });
        }
    }
    Err(Error::invalid("file", missing))
}
