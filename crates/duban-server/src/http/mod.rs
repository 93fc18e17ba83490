//! The transport room shared by the JSON API (`api/`) and the web pages (`web/`), which never
//! import each other: the one application state, the HTTP status of a domain error
//! (each side renders it: JSON in `api::errors`, HTML in `web::errors`), cookies, the signed-in
//! person and their [`Actor`](duban_app::actor::Actor) behind a session token
//! ([`session::Signed`]), CSRF checks, the client's address, uploads, and the task list's query
//! parameters and paging.

pub mod client;
pub mod cookies;
pub mod list;
pub mod session;
pub mod status;
pub mod upload;

use duban_app::service::Services;
use std::sync::Arc;

/// The state every handler gets: the application's services (a handler calls one through its
/// accessor, e.g. `d.tasks()`).
pub type AppState = Arc<Services>;

/// Percent-encodes text for a URL query value or an RFC 5987 file name: everything but ASCII
/// letters, digits and `-._~`.
pub fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
