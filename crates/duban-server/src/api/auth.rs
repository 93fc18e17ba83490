//! Who is calling the API. Every route but `/healthz`, the OpenAPI document and signing in needs
//! a session: `Authorization: Bearer <token>` from `POST /api/v1/session`, or the pages' session
//! cookie. [`require_caller`] puts the signed-in caller ([`Signed`]: the person and their
//! `Actor`) in the request; what the caller may change is asked of the actor's capabilities by
//! each handler (`extract::Require`) and by the use cases it calls; what they may read is scoped
//! like the pages ([`duban_app::access`]). A write made with the session cookie (rather than a
//! bearer token) must carry the session's CSRF token in the `X-CSRF-Token` header, so another
//! site cannot make a signed-in browser write.

use super::errors::ApiError;
use super::extract::Json;
use super::openapi::{Invalid, TooManyAttempts, Unauthenticated};
use super::{ApiResult, AppState};
use crate::http::client::ClientAddr;
use crate::http::cookies::session_cookie;
use crate::http::session::{Signed, bearer, csrf_header_matches, is_safe, signed_in};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use duban_domain::Error;
use duban_domain::org::Person;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Routes that need no session.
pub fn is_public(path: &str) -> bool {
    matches!(path, "/healthz" | "/api/v1/openapi.json" | "/api/v1/session" | "/api/v1/public/bulletins")
        || path.starts_with("/api/v1/public/demands")
}

fn csrf_refused() -> Response {
    let body = serde_json::json!({"error": {
        "code": Error::Forbidden.code(),
        "message": "使用登录 Cookie 修改数据时，须在请求头 X-CSRF-Token 中提供本次会话的 CSRF 令牌",
    }});
    (StatusCode::FORBIDDEN, axum::Json(body)).into_response()
}

/// Finds the caller and refuses the request without one; the handlers check the caller's
/// capabilities.
pub async fn require_caller(State(d): State<AppState>, mut req: Request, next: Next) -> Response {
    if is_public(req.uri().path()) || !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let by_bearer = bearer(req.headers());
    let by_cookie = by_bearer.is_none();
    let token = by_bearer.or_else(|| session_cookie(req.headers()).map(str::to_string));
    let actor = match token {
        Some(t) => match signed_in(&d, &t).await {
            Ok(Some((s, actor))) => {
                if by_cookie && !is_safe(req.method()) && !csrf_header_matches(req.headers(), &s.csrf) {
                    return csrf_refused();
                }
                actor
            }
            Ok(None) => return ApiError::from(Error::Unauthenticated).into_response(),
            Err(e) => return ApiError::from(e).into_response(),
        },
        None => return ApiError::from(Error::Unauthenticated).into_response(),
    };
    req.extensions_mut().insert::<Signed>(actor);
    next.run(req).await
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(sign_in, sign_out))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct Credentials {
    username: String,
    password: String,
}

#[derive(Serialize, utoipa::ToSchema)]
struct SessionOut {
    token: String,
    #[schema(value_type = String, format = DateTime)]
    expires_at: jiff::Timestamp,
    person: Person,
}

#[utoipa::path(post, path = "/api/v1/session", operation_id = "signIn", tag = "session",
    request_body(content = Credentials, content_type = "application/json"),
    security(()),
    responses((status = 201, description = "已登录", body = SessionOut), Invalid, TooManyAttempts))]
async fn sign_in(
    State(d): State<AppState>,
    ClientAddr(client): ClientAddr,
    Json(c): Json<Credentials>,
) -> ApiResult<(StatusCode, Json<SessionOut>)> {
    let s = d.sign_in().sign_in_from(&c.username, &c.password, client).await?;
    Ok((StatusCode::CREATED, Json(SessionOut { token: s.token, expires_at: s.session.expires_at, person: s.person })))
}

#[utoipa::path(delete, path = "/api/v1/session", operation_id = "signOut", tag = "session",
    responses((status = 204, description = "已退出"), Unauthenticated))]
async fn sign_out(State(d): State<AppState>, req: Request) -> ApiResult<StatusCode> {
    let token = bearer(req.headers()).ok_or(Error::Unauthenticated)?;
    d.sign_in().sign_out(&token).await?;
    Ok(StatusCode::NO_CONTENT)
}
