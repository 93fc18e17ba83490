//! The JSON API under `/api/v1/`, plus `/healthz`. Handlers parse at the edge (query strings and
//! bodies become checked domain values) and delegate to the application's services (through
//! [`Services`](duban_app::service::Services)' accessors), passing the caller's
//! [`Actor`](duban_app::actor::Actor) to the use cases that decide a permission. The OpenAPI document describing every route is served at `/api/v1/openapi.json`.

mod admin;
pub mod auth;
mod bulletins;
mod decompose;
mod demands;
mod desks;
pub mod errors;
mod extract;
mod imports;
mod liaison;
mod notices;
pub mod openapi;
mod org;
mod procedures;
mod rankings;
mod registry;
mod reviews;
mod service_views;
pub mod tasks;
mod workdays;

pub use crate::http::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Kept for the service layer's attachments (`lifecycle.rs`), which cleans names the same way.
pub use crate::http::upload::clean_file_name;

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
    ("post", "/api/v1/tasks/{id}/remind"),
    ("post", "/api/v1/tasks/remind"),
    ("post", "/api/v1/tasks/sign"),
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
    ("post", "/api/v1/imports/review"),
    ("post", "/api/v1/imports/units"),
    ("get", "/api/v1/suggest"),
    ("get", "/api/v1/admin/events"),
    ("post", "/api/v1/tasks/{id}/notices"),
    ("get", "/api/v1/notices/{id}"),
    ("get", "/api/v1/notices/{id}/docx"),
    ("post", "/api/v1/tasks/{id}/split"),
    ("get", "/api/v1/tasks/{id}/decomposition"),
    ("get", "/api/v1/objections"),
    ("post", "/api/v1/objections"),
    ("get", "/api/v1/objections/{id}"),
    ("post", "/api/v1/objections/{id}/decision"),
    ("get", "/api/v1/evaluations"),
    ("post", "/api/v1/evaluations"),
    ("delete", "/api/v1/evaluations/{id}"),
    ("get", "/api/v1/document-errors"),
    ("post", "/api/v1/document-errors"),
    ("delete", "/api/v1/document-errors/{id}"),
    ("get", "/api/v1/rankings"),
    ("get", "/api/v1/rankings/units/{id}"),
    ("post", "/api/v1/rankings/issued"),
    ("get", "/api/v1/rankings/issued"),
    ("get", "/api/v1/rankings/issued/{id}"),
    ("get", "/api/v1/scoring"),
    ("get", "/api/v1/scoring/{name}"),
    ("put", "/api/v1/scoring/{name}"),
    ("post", "/api/v1/scoring/{name}/preview"),
    ("post", "/api/v1/assessment/facts/tolerance"),
    ("get", "/api/v1/bulletins"),
    ("post", "/api/v1/bulletins"),
    ("get", "/api/v1/bulletins/{id}"),
    ("patch", "/api/v1/bulletins/{id}"),
    ("delete", "/api/v1/bulletins/{id}"),
    ("post", "/api/v1/bulletins/{id}/issue"),
    ("get", "/api/v1/bulletins/{id}/docx"),
    ("get", "/api/v1/public/bulletins"),
    ("get", "/api/v1/liaison"),
    ("post", "/api/v1/liaison"),
    ("get", "/api/v1/liaison/coverage"),
    ("post", "/api/v1/liaison/{id}/end"),
    ("get", "/api/v1/liaison/{id}/visits"),
    ("post", "/api/v1/liaison/{id}/visits"),
    ("post", "/api/v1/liaison/visits/{visit}/problems/{index}/demand"),
    ("get", "/api/v1/stewards"),
    ("post", "/api/v1/stewards"),
    ("get", "/api/v1/stewards/flags"),
    ("post", "/api/v1/stewards/{id}/end"),
    ("get", "/api/v1/stewards/{id}/records"),
    ("post", "/api/v1/stewards/{id}/records"),
    ("get", "/api/v1/procedures"),
    ("post", "/api/v1/procedures"),
    ("get", "/api/v1/procedures/kinds"),
    ("post", "/api/v1/procedures/kinds"),
    ("post", "/api/v1/procedures/{id}/start"),
    ("get", "/api/v1/procedures/projects/{id}"),
    ("get", "/api/v1/procedures/weekly"),
    ("get", "/api/v1/procedures/weekly/xlsx"),
    ("get", "/api/v1/procedures/monthly"),
    ("get", "/api/v1/procedures/monthly/docx"),
    ("get", "/api/v1/demands"),
    ("post", "/api/v1/demands"),
    ("get", "/api/v1/demands/queue"),
    ("get", "/api/v1/demands/{id}"),
    ("post", "/api/v1/demands/{id}/assignment"),
    ("post", "/api/v1/demands/{id}/return-visit"),
    ("post", "/api/v1/public/demands"),
    ("get", "/api/v1/public/demands/{code}"),
    ("post", "/api/v1/public/demands/{code}/rating"),
    ("get", "/api/v1/enterprises"),
    ("post", "/api/v1/enterprises"),
    ("get", "/api/v1/enterprises/{id}"),
    ("put", "/api/v1/enterprises/{id}"),
    ("get", "/api/v1/enterprises/{id}/history"),
    ("post", "/api/v1/enterprises/import"),
    ("post", "/api/v1/enterprises/import/commit"),
    ("get", "/api/v1/enterprises/export"),
    ("get", "/api/v1/projects"),
    ("post", "/api/v1/projects"),
    ("get", "/api/v1/projects/{id}"),
    ("put", "/api/v1/projects/{id}"),
    ("get", "/api/v1/projects/{id}/history"),
    ("post", "/api/v1/projects/import"),
    ("post", "/api/v1/projects/import/commit"),
    ("get", "/api/v1/projects/export"),
    ("get", "/api/v1/enterprises/{id}/timeline"),
    ("get", "/api/v1/units/{id}/service"),
    ("get", "/api/v1/service/stats"),
];

/// Every route with its description: registering a handler here (`routes!`) both routes it and
/// documents it, so the router and the OpenAPI document cannot disagree.
pub fn documented_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(healthz))
        .routes(routes!(openapi::document))
        .merge(org::routes())
        .merge(tasks::routes())
        .merge(desks::routes())
        .merge(workdays::routes())
        .merge(imports::routes())
        .merge(auth::routes())
        .merge(admin::routes())
        .merge(notices::routes())
        .merge(decompose::routes())
        .merge(reviews::routes())
        .merge(rankings::routes())
        .merge(bulletins::routes())
        .merge(liaison::routes())
        .merge(procedures::routes())
        .merge(demands::routes())
        .merge(demands::public_routes())
        .merge(registry::routes())
        .merge(service_views::routes())
}

/// The API router.
pub fn router(state: AppState) -> Router {
    let (routes, _) = documented_routes().split_for_parts();
    routes.layer(axum::middleware::from_fn_with_state(state.clone(), auth::require_caller)).with_state(state)
}

/// Whether the server and its database are up.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct Health {
    #[schema(value_type = String, pattern = "^(ok|unavailable)$")]
    status: &'static str,
    /// The backend: `sqlite` or `postgres`.
    #[schema(value_type = String)]
    database: &'static str,
}

#[utoipa::path(get, path = "/healthz", operation_id = "healthz", tag = "meta",
    security(()),
    responses((status = 200, description = "正常", body = Health), (status = 503, description = "数据库不可用", body = Health)))]
async fn healthz(State(d): State<AppState>) -> impl IntoResponse {
    let h = d.queries().health().await;
    let (status, word) = if h.up { (StatusCode::OK, "ok") } else { (StatusCode::SERVICE_UNAVAILABLE, "unavailable") };
    (status, axum::Json(Health { status: word, database: h.backend }))
}

/// The answer for an address no route takes under `/api/` (and `/healthz`).
pub async fn not_found() -> errors::ApiError {
    duban_domain::Error::not_found("请求的地址").into()
}
