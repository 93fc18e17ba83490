//! Builds and runs the HTTP server, after zero-to-production's `startup.rs`: the listener is
//! bound first (port 0 in tests picks a free port), then served until the shutdown signal.

use crate::{api, web};
use axum::http::{HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};
use duban_app::service::Services;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

/// A bound server, ready to run.
pub struct Application {
    listener: TcpListener,
    duban: Arc<Services>,
}

impl Application {
    /// Binds `addr` ("127.0.0.1:0" for a free port).
    pub async fn bind(addr: &str, duban: Arc<Services>) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        Ok(Self { listener, duban })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let app = app(self.duban).layer(TraceLayer::new_for_http());
        // The peer's address reaches the handlers (sign-in throttling per client).
        axum::serve(self.listener, app.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown)
            .await
    }
}

/// The whole application: the JSON API, the pages, and the headers every response carries.
pub fn app(duban: Arc<Services>) -> axum::Router {
    api::router(duban.clone())
        .merge(web::router(duban.clone()))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(duban, web::error_pages_with_viewer))
        .layer(axum::middleware::map_response(security_headers))
}

/// The answer for an address no route takes: JSON under `/api/` (and `/healthz`), a page
/// elsewhere.
async fn not_found(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") || uri.path() == "/healthz" {
        api::not_found().await.into_response()
    } else {
        web::not_found().await.into_response()
    }
}

/// Headers on every response: no framing, no sniffing, and only this server's own scripts,
/// styles and images (nothing is fetched from outside). Nothing is stored by caches unless the
/// handler said otherwise (the stylesheet and script do): pages and API answers carry personal
/// data. Every 429 says when to come back.
async fn security_headers(mut resp: Response) -> Response {
    let too_many = resp.status() == axum::http::StatusCode::TOO_MANY_REQUESTS;
    let h = resp.headers_mut();
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if too_many && !h.contains_key(header::RETRY_AFTER) {
        h.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    resp
}
