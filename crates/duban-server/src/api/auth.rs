//! Who is calling the API. Every route but `/healthz`, the OpenAPI document and signing in needs
//! a session: `Authorization: Bearer <token>` from `POST /api/v1/session`, or the pages' session
//! cookie. What the caller may change depends on their roles ([`allowed`]); what they may read is
//! scoped like the pages ([`crate::access`]). A write made with the session cookie (rather than
//! a bearer token) must carry the session's CSRF token in the `X-CSRF-Token` header, so another
//! site cannot make a signed-in browser write.

use super::errors::ApiError;
use super::extract::Json;
use super::{ApiResult, AppState};
use crate::auth::ClientAddr;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use duban_domain::Error;
use duban_domain::org::{Person, Role};
use serde::{Deserialize, Serialize};

/// The signed-in caller, put in the request's extensions by [`require_caller`].
#[derive(Debug, Clone)]
pub struct Caller(pub Person);

impl Caller {
    pub fn has(&self, r: Role) -> bool {
        self.0.fields.roles.contains(&r)
    }
}

/// Routes that need no session.
pub fn is_public(path: &str) -> bool {
    matches!(path, "/healthz" | "/api/v1/openapi.json" | "/api/v1/session")
}

/// Whether roles allow a request. Reading, acting on tasks through the lifecycle (which checks
/// who may do what) and attaching files are open to everyone signed in; the directory, people,
/// calendar and rules are the administrators'; ledgers, tasks and imports the supervision
/// office's. The administrative audit log (`/api/v1/admin/…`) is the administrators' to read too.
pub fn allowed(method: &Method, path: &str, roles: &[Role]) -> bool {
    let admin = roles.contains(&Role::Admin);
    let office = admin || roles.contains(&Role::Office);
    let p = path.trim_end_matches('/');
    if p.starts_with("/api/v1/admin/") {
        return admin;
    }
    if method == Method::GET {
        return true;
    }
    if p.ends_with("/actions") || p.ends_with("/attachments") {
        return true;
    }
    if p.starts_with("/api/v1/units") || p.starts_with("/api/v1/people") || p == "/api/v1/calendar" {
        return admin;
    }
    if p.starts_with("/api/v1/ledgers") || p.starts_with("/api/v1/tasks") || p.starts_with("/api/v1/imports") {
        return office;
    }
    office
}

/// The header a cookie-authenticated write carries the session's CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

fn is_safe(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn csrf_matches(headers: &axum::http::HeaderMap, expected: &str) -> bool {
    let given = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
    !expected.is_empty()
        && given.len() == expected.len()
        && given.bytes().zip(expected.bytes()).fold(0, |a, (x, y)| a | (x ^ y)) == 0
}

fn csrf_refused() -> Response {
    let body = serde_json::json!({"error": {
        "code": Error::Forbidden.code(),
        "message": "使用登录 Cookie 修改数据时，须在请求头 X-CSRF-Token 中提供本次会话的 CSRF 令牌",
    }});
    (StatusCode::FORBIDDEN, axum::Json(body)).into_response()
}

fn bearer(req: &Request) -> Option<String> {
    let h = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    h.strip_prefix("Bearer ").map(|t| t.trim().to_string())
}

/// Finds the caller, refuses the request without one, and checks the caller's roles.
pub async fn require_caller(State(d): State<AppState>, mut req: Request, next: Next) -> Response {
    if is_public(req.uri().path()) || !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let by_bearer = bearer(&req);
    let by_cookie = by_bearer.is_none();
    let token = by_bearer.or_else(|| crate::web::session_cookie(req.headers()).map(str::to_string));
    let person = match token {
        Some(t) => match d.session(&t).await {
            Ok(Some((s, p))) => {
                if by_cookie && !is_safe(req.method()) && !csrf_matches(req.headers(), &s.csrf) {
                    return csrf_refused();
                }
                p
            }
            Ok(None) => return ApiError::from(Error::Unauthenticated).into_response(),
            Err(e) => return ApiError::from(e).into_response(),
        },
        None => return ApiError::from(Error::Unauthenticated).into_response(),
    };
    if !allowed(req.method(), req.uri().path(), &person.fields.roles) {
        return ApiError::from(Error::Forbidden).into_response();
    }
    req.extensions_mut().insert(Caller(person));
    next.run(req).await
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/session", post(sign_in).delete(sign_out))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Credentials {
    username: String,
    password: String,
}

#[derive(Serialize)]
struct SessionOut {
    token: String,
    expires_at: jiff::Timestamp,
    person: Person,
}

async fn sign_in(
    State(d): State<AppState>,
    ClientAddr(client): ClientAddr,
    Json(c): Json<Credentials>,
) -> ApiResult<(StatusCode, Json<SessionOut>)> {
    let s = d.sign_in_from(&c.username, &c.password, client).await?;
    Ok((StatusCode::CREATED, Json(SessionOut { token: s.token, expires_at: s.session.expires_at, person: s.person })))
}

async fn sign_out(State(d): State<AppState>, req: Request) -> ApiResult<StatusCode> {
    let token = bearer(&req).ok_or(Error::Unauthenticated)?;
    d.sign_out(&token).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_decide_what_may_be_changed() {
        let officer = [Role::Officer];
        let office = [Role::Office];
        let admin = [Role::Admin];
        assert!(allowed(&Method::GET, "/api/v1/tasks", &officer));
        assert!(allowed(&Method::POST, "/api/v1/tasks/7/actions", &officer));
        assert!(allowed(&Method::POST, "/api/v1/tasks/7/attachments", &officer));
        assert!(!allowed(&Method::POST, "/api/v1/tasks", &officer));
        assert!(!allowed(&Method::PATCH, "/api/v1/tasks/7", &officer));
        assert!(allowed(&Method::PATCH, "/api/v1/tasks/7", &office));
        assert!(allowed(&Method::POST, "/api/v1/imports/commit", &office));
        assert!(!allowed(&Method::POST, "/api/v1/units", &office));
        assert!(!allowed(&Method::POST, "/api/v1/calendar", &office));
        assert!(allowed(&Method::POST, "/api/v1/people", &admin));
        assert!(allowed(&Method::DELETE, "/api/v1/units/3", &admin));
        assert!(allowed(&Method::GET, "/api/v1/admin/events", &admin));
        assert!(!allowed(&Method::GET, "/api/v1/admin/events", &office));
        assert!(!allowed(&Method::GET, "/api/v1/admin/events", &officer));
    }

    #[test]
    fn the_csrf_header_must_match_exactly() {
        let mut h = axum::http::HeaderMap::new();
        assert!(!csrf_matches(&h, "abc"));
        h.insert(CSRF_HEADER, "abd".parse().unwrap());
        assert!(!csrf_matches(&h, "abc"));
        assert!(!csrf_matches(&h, ""));
        h.insert(CSRF_HEADER, "abc".parse().unwrap());
        assert!(csrf_matches(&h, "abc"));
        assert!(is_safe(&Method::GET) && !is_safe(&Method::POST) && !is_safe(&Method::DELETE));
    }
}
