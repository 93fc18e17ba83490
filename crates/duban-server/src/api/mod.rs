//! The JSON API under `/api/v1/`, plus `/healthz`. Handlers parse at the edge (query strings and
//! bodies become checked domain values) and delegate to the [`Duban`](crate::service::Duban)
//! service. The OpenAPI document describing every route is served at `/api/v1/openapi.json`.

mod admin;
pub mod auth;
pub mod errors;
mod extract;
mod imports;
pub mod openapi;
mod org;
pub mod tasks;
mod workdays;

use crate::service::Duban;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use std::sync::Arc;

pub use extract::{MAX_UPLOAD, Upload, UploadForm, clean_file_name, upload, upload_form};

pub type AppState = Arc<Duban>;
type ApiResult<T> = Result<T, errors::ApiError>;

/// Every route, as (method, path); the OpenAPI document must describe each (tested).
pub const ROUTES: &[(&str, &str)] = &[
    ("get", "/healthz"),
    ("get", "/api/v1/openapi.json"),
    ("post", "/api/v1/session"),
    ("delete", "/api/v1/session"),
    ("get", "/api/v1/units"),
    ("post", "/api/v1/units"),
    ("get", "/api/v1/units/{id}"),
    ("put", "/api/v1/units/{id}"),
    ("delete", "/api/v1/units/{id}"),
    ("get", "/api/v1/groups"),
    ("get", "/api/v1/groups/{id}"),
    ("get", "/api/v1/resolve"),
    ("get", "/api/v1/people"),
    ("post", "/api/v1/people"),
    ("get", "/api/v1/people/{id}"),
    ("put", "/api/v1/people/{id}"),
    ("delete", "/api/v1/people/{id}"),
    ("get", "/api/v1/ledgers"),
    ("post", "/api/v1/ledgers"),
    ("get", "/api/v1/ledgers/{id}"),
    ("get", "/api/v1/tasks"),
    ("post", "/api/v1/tasks"),
    ("get", "/api/v1/tasks/{id}"),
    ("patch", "/api/v1/tasks/{id}"),
    ("delete", "/api/v1/tasks/{id}"),
    ("get", "/api/v1/tasks/{id}/events"),
    ("get", "/api/v1/tasks/{id}/actions"),
    ("post", "/api/v1/tasks/{id}/actions"),
    ("get", "/api/v1/work"),
    ("get", "/api/v1/tasks/{id}/attachments"),
    ("post", "/api/v1/tasks/{id}/attachments"),
    ("get", "/api/v1/attachments/{id}"),
    ("get", "/api/v1/calendar/workday"),
    ("get", "/api/v1/calendar/add"),
    ("get", "/api/v1/calendar/between"),
    ("post", "/api/v1/calendar"),
    ("get", "/api/v1/rules"),
    ("post", "/api/v1/imports/preview"),
    ("post", "/api/v1/imports/commit"),
    ("get", "/api/v1/suggest"),
    ("get", "/api/v1/admin/events"),
];

/// The API router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/api/v1/openapi.json", get(openapi::document))
        .merge(org::routes())
        .merge(tasks::routes())
        .merge(workdays::routes())
        .merge(imports::routes())
        .merge(auth::routes())
        .merge(admin::routes())
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::require_caller))
        .with_state(state)
}

async fn healthz(State(d): State<AppState>) -> impl IntoResponse {
    match d.store().ping().await {
        Ok(()) => (StatusCode::OK, axum::Json(serde_json::json!({"status": "ok", "database": d.store().backend()}))),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({"status": "unavailable", "database": d.store().backend()})),
        ),
    }
}

/// The answer for an address no route takes: JSON under `/api/`, a page elsewhere.
pub async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    if uri.path().starts_with("/api/") || uri.path() == "/healthz" {
        api_not_found().await.into_response()
    } else {
        crate::web::WebError::from(duban_domain::Error::not_found("页面")).into_response()
    }
}

async fn api_not_found() -> errors::ApiError {
    duban_domain::Error::not_found("请求的地址").into()
}
