//! The cookies Duban sets and reads: the session cookie (HttpOnly, SameSite=Lax, `Secure` behind
//! HTTPS) that both the pages and a browser calling the API carry, and the sign-in form's
//! double-submitted CSRF cookie.

use axum::http::{HeaderMap, HeaderValue, header};

/// The session cookie.
pub const SESSION_COOKIE: &str = "duban_session";
/// The sign-in form's CSRF cookie.
pub const LOGIN_COOKIE: &str = "duban_login";

/// The value of a cookie.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The session token in a request's cookie.
pub fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    cookie(headers, SESSION_COOKIE)
}

/// A `Set-Cookie` value for a cookie only the server reads; `Secure` when served over HTTPS
/// (`server.secure_cookies`).
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{name}={value}; HttpOnly; SameSite=Lax; Path=/; Max-Age={max_age_secs}{secure}"))
        .unwrap_or(HeaderValue::from_static(""))
}
