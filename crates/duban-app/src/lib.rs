//! # duban-app
//!
//! Duban's application layer: the use cases the API, the pages and the command line share,
//! between the pure domain (`duban-domain`) and the storage ports (`duban-store`). It never
//! knows HTTP, templates or SQL: the transport (`duban-server`) calls it, and the binary
//! chooses the storage backend and hands it an `Arc<dyn Store>`.
//!
//! One module per area: the [`Services`](service::Services) that builds them all from one store,
//! with tasks, their schedules and the in-memory snapshot ([`service`]); the [`lifecycle`] of
//! a task; the [`supervision`] pass (its IO; the plan is the domain's); the [`outbox`] and its
//! channels; the task-document import ([`document_import`]; the readers are `duban-import`);
//! lead-unit [`suggest`]ions; [`sign_in`] (password hashing, throttling, sessions); the
//! administrative audit log ([`admin_log`]); visibility ([`access`]); [`worklists`]; reporting
//! ([`export`], [`party_names`]); the reads the transport needs ([`queries`]); reloading the
//! rules and calendar another process changed ([`reload`]); the background [`jobs`]; the
//! layered [`config`]; the storage [`ports`] each area reaches; and the name an attachment is stored under ([`file_names`]).
//!
//! Two other things are loaded from files and are not the document import: the unit
//! directory ([`Services::load_unit_directory`](service::Services::load_unit_directory)) and
//! holiday data ([`Services::load_calendar_file`](service::Services::load_calendar_file)).

pub mod access;
pub mod admin_log;
pub mod config;
pub mod document_import;
pub mod export;
pub mod file_names;
pub mod jobs;
pub mod lifecycle;
pub mod outbox;
pub mod party_names;
pub mod ports;
pub mod queries;
pub mod reload;
pub mod service;
pub mod sign_in;
pub mod suggest;
pub mod supervision;
pub mod worklists;

/// The system clock: the one place in Duban that reads the wall time.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl duban_domain::clock::Clock for SystemClock {
    fn now(&self) -> jiff::Timestamp {
        jiff::Timestamp::now()
    }
}
