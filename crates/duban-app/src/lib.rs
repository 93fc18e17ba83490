//! # duban-app
//!
//! Duban's application layer: the use cases the API, the pages and the command line share,
//! between the pure domain (`duban-domain`) and the storage ports (`duban-store`). It never
//! knows HTTP, templates or SQL: the transport (`duban-server`) calls it, and the binary
//! chooses the storage backend and hands it an `Arc<dyn Store>`.
//!
//! One module per area: tasks and their schedules ([`service`]), the [`lifecycle`] of a task,
//! the supervision pass ([`supervise`]), the [`outbox`](notify) and its channels, the
//! task-document import ([`imports`]), lead-unit [`suggest`]ions, sign-in ([`auth`]), the
//! administrative audit log ([`admin_log`]), visibility ([`access`]), work lists ([`work`]),
//! reporting ([`export`], [`party_names`]), the reads the transport needs ([`queries`]), the
//! rules and calendar reload ([`reload`]), the background [`jobs`] and the layered [`config`].

pub mod access;
pub mod admin_log;
pub mod auth;
pub mod config;
pub mod export;
pub mod file_names;
pub mod imports;
pub mod jobs;
pub mod lifecycle;
pub mod notify;
pub mod party_names;
pub mod queries;
pub mod reload;
pub mod service;
pub mod suggest;
pub mod supervise;
pub mod work;

/// The system clock: the one place in Duban that reads the wall time.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl duban_domain::clock::Clock for SystemClock {
    fn now(&self) -> jiff::Timestamp {
        jiff::Timestamp::now()
    }
}
