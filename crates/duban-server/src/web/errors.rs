//! Errors as HTML pages (the API renders the same errors as JSON): the same domain error, its
//! Chinese message and the same HTTP status ([`status_of`]). Internal causes were logged where they happened.

use super::Nav;
use crate::http::status::status_of;
use askama::Template;
use axum::http::StatusCode;
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
        render(&ErrorPage { nav: Nav::new(None, ""), heading, message }, status)
    }
}
