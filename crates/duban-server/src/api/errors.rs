//! The JSON renderer of [`duban_domain::Error`], after kanidm's `https/errors.rs`: every error
//! becomes an HTTP status and a body `{"error": {"code", "message", …}}` whose `code` is stable
//! and whose `message` is in Chinese for people. Request bodies, queries and paths that cannot
//! be read become `invalid_input` errors the same way. Internal causes never reach the body. The
//! status of each error is [`status_of`], shared with the pages.

use crate::http::status::status_of;
use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection, StringRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use duban_domain::Error;

/// An error on its way to the client, with the HTTP status when it is not the error code's
/// usual one (a request that cannot even be read is 400 or 415, not 422).
#[derive(Debug)]
pub struct ApiError {
    pub error: Error,
    pub status: Option<StatusCode>,
}

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        Self { error, status: None }
    }
}

fn unreadable(field: &str, what: &str, status: StatusCode, detail: String) -> ApiError {
    ApiError { error: Error::invalid(field, format!("{what}：{detail}")), status: Some(status) }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        unreadable("body", "请求内容不是有效的 JSON 或字段有误", r.status(), r.body_text())
    }
}

impl From<StringRejection> for ApiError {
    fn from(r: StringRejection) -> Self {
        unreadable("body", "请求内容不是有效的 UTF-8 文本", r.status(), r.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        unreadable("query", "查询参数有误", StatusCode::BAD_REQUEST, r.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        unreadable("path", "路径参数有误", StatusCode::BAD_REQUEST, r.body_text())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.error;
        let code = e.code();
        let mut body = serde_json::json!({ "code": code, "message": e.to_string() });
        match &e {
            Error::Invalid { field, .. } => body["field"] = serde_json::json!(field),
            Error::VersionConflict { current } => body["current_version"] = serde_json::json!(current),
            _ => {}
        }
        let status = self.status.unwrap_or_else(|| status_of(code));
        let mut resp = (status, Json(serde_json::json!({ "error": body }))).into_response();
        if let Error::TooManyAttempts { retry_after_secs } | Error::TooManyRequests { retry_after_secs } = e {
            resp.headers_mut().insert(axum::http::header::RETRY_AFTER, retry_after_secs.into());
        }
        resp
    }
}
