//! Builds and runs the HTTP server, after zero-to-production's `startup.rs`: the listener is
//! bound first (port 0 in tests picks a free port), then served until the shutdown signal.

use crate::api;
use crate::service::Duban;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

/// A bound server, ready to run.
pub struct Application {
    listener: TcpListener,
    duban: Arc<Duban>,
}

impl Application {
    /// Binds `addr` ("127.0.0.1:0" for a free port).
    pub async fn bind(addr: &str, duban: Arc<Duban>) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        Ok(Self { listener, duban })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let app = api::router(self.duban).layer(TraceLayer::new_for_http());
        axum::serve(self.listener, app).with_graceful_shutdown(shutdown).await
    }
}
