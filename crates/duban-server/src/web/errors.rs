//! Errors as HTML pages (the API renders the same errors as JSON): the same domain error, its
//! Chinese message and the same HTTP status ([`status_of`]). Internal causes were logged where they happened.
//!
//! An error is rendered where it happens, without knowing who asked; [`with_viewer`] (a layer
//! around the whole application) renders it again with the signed-in person's header, so that a
//! 404 or 403 page shows their name and links rather than 登录.

use super::{AppState, Nav, Viewer};
use crate::http::cookies::session_cookie;
use crate::http::session::{Signed, signed_in};
use crate::http::status::status_of;
use askama::Template;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use duban_domain::Error;

/// What can go wrong behind a page.
#[derive(Debug)]
pub enum WebError {
    Domain(Error),
    /// A form without the session's CSRF token.
    Csrf,
}

impl From<Error> for WebError {
    fn from(e: Error) -> Self {
        WebError::Domain(e)
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    nav: Nav,
    heading: &'static str,
    message: String,
}

/// What an error page said, kept on its response for [`with_viewer`].
#[derive(Debug, Clone)]
struct ErrorShown {
    heading: &'static str,
    message: String,
}

/// Renders a template, or a plain 500 if the template itself fails.
pub fn render(t: &impl Template, status: StatusCode) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, Html("<h1>系统内部错误</h1>".to_string())).into_response()
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, heading, message) = match self {
            WebError::Domain(Error::Unauthenticated) => return Redirect::to("/login").into_response(),
            WebError::Domain(e) => {
                let status = status_of(e.code());
                let heading = match status {
                    StatusCode::NOT_FOUND => "找不到页面",
                    StatusCode::FORBIDDEN => "无权访问",
                    s if s.is_server_error() => "系统错误",
                    _ => "无法完成",
                };
                (status, heading, e.to_string())
            }
            WebError::Csrf => {
                (StatusCode::FORBIDDEN, "表单已失效", "表单已过期或来源不明，请返回上一页刷新后重试。".to_string())
            }
        };
        let shown = ErrorShown { heading, message };
        let mut resp = render(&ErrorPage { nav: Nav::new(None, ""), heading, message: shown.message.clone() }, status);
        resp.extensions_mut().insert(shown);
        resp
    }
}

/// Renders an error page again with the header of the person signed in, if anyone is (a
/// session is looked up only for error pages).
pub async fn with_viewer(State(d): State<AppState>, req: Request, next: Next) -> Response {
    let token = session_cookie(req.headers()).map(str::to_string);
    let resp = next.run(req).await;
    let (Some(token), Some(shown)) = (token, resp.extensions().get::<ErrorShown>().cloned()) else { return resp };
    let Ok(Some((s, Signed { person, actor }))) = signed_in(&d, &token).await else { return resp };
    let v = Viewer { person, actor, csrf: s.csrf };
    let page = ErrorPage { nav: Nav::new(Some(&v), ""), heading: shown.heading, message: shown.message };
    let again = render(&page, resp.status());
    let (parts, _) = resp.into_parts();
    Response::from_parts(parts, again.into_body())
}
