//! # duban-store
//!
//! The storage interface of Duban, after atuin's `atuin-server-database`: one port (a trait) per
//! aggregate, implemented by one crate per backend (`duban-store-sqlite`,
//! `duban-store-postgres`), each with its own migrations, over the SQL they share
//! (`duban-store-sql`). This crate knows nothing of SQL or sqlx, so a service can be tested
//! against an in-memory fake of just the port it uses.
//!
//! The ports: [`DirectoryStore`] (units and groups), [`PeopleStore`], [`LedgerStore`],
//! [`TaskStore`] (tasks and their trail), [`AttachmentStore`], [`SupervisionStore`] (notices and
//! naming), [`OutboxStore`] (messages and deliveries), [`SignInStore`] (credentials and
//! sessions), [`CalendarStore`], [`AuditStore`] (the administrative log), [`JobStore`] (job
//! leases, outbox claims and the version of the rules in force) and [`MetaStore`]
//! (health, counts, settings), [`AssessmentStore`] (assessment facts and their daily sums),
//! [`ReviewStore`] (objections, evaluations, document errors) and [`RankingStore`] (saved scoring
//! profiles, issued rankings), [`EnterpriseStore`] (key enterprises and projects, with
//! their history), [`ProcedureStore`] (pre-procedures of key projects). [`Store`] is their sum: every backend is a `Store`, and an
//! `Arc<dyn Store>` gives any one port by upcasting, so a service can hold just the port it
//! needs: `let tasks: Arc<dyn TaskStore> = store.clone();`.
//!
//! Every method returns [`duban_domain::Error`]: database failures are logged by the backend,
//! with their cause, and reach the caller as `Error::Internal`, so no SQL ever reaches a user.

pub mod assessment;
mod attachments;
mod audit;
pub mod bulletins;
mod calendar;
pub mod chain;
mod directory;
pub mod enterprises;
mod jobs;
mod ledgers;
mod meta;
mod model;
mod outbox;
mod people;
pub mod procedures;
pub mod rankings;
pub mod reviews;
mod sign_in;
mod supervision;
mod tasks;

pub use assessment::AssessmentStore;
pub use attachments::AttachmentStore;
pub use audit::AuditStore;
pub use bulletins::BulletinStore;
pub use calendar::CalendarStore;
pub use directory::DirectoryStore;
pub use enterprises::EnterpriseStore;
pub use jobs::{CONFIG_VERSION_KEY, JobStore, Lease};
pub use ledgers::LedgerStore;
pub use meta::MetaStore;
pub use model::*;
pub use outbox::OutboxStore;
pub use people::PeopleStore;
pub use procedures::ProcedureStore;
pub use rankings::RankingStore;
pub use reviews::ReviewStore;
pub use sign_in::SignInStore;
pub use supervision::SupervisionStore;
pub use tasks::TaskStore;

use duban_domain::Error;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Declares [`Store`] as the sum of the ports, with the blanket impl that makes every type that
/// implements them all a `Store`; the list of ports is written once.
macro_rules! sum_of_ports {
    ($($port:ident),+ $(,)?) => {
        /// Everything Duban keeps: the sum of the ports. Implemented for every type that implements
        /// all of them (each backend), so callers that hold an `Arc<dyn Store>` keep compiling.
        pub trait Store: $($port +)+ 'static {}

        impl<T> Store for T where T: $($port +)+ 'static {}
    };
}

sum_of_ports!(
    MetaStore,
    DirectoryStore,
    PeopleStore,
    LedgerStore,
    TaskStore,
    AttachmentStore,
    SupervisionStore,
    OutboxStore,
    SignInStore,
    CalendarStore,
    AuditStore,
    JobStore,
    AssessmentStore,
    ReviewStore,
    RankingStore,
    BulletinStore,
    EnterpriseStore,
    ProcedureStore,
);

/// Every port of a store, for code that holds a concrete store type (tests, the command line):
/// `use duban_store::prelude::*;` puts each port's methods in scope.
pub mod prelude {
    pub use crate::ProcedureStore;
    pub use crate::{
        AttachmentStore, AuditStore, CalendarStore, DirectoryStore, EnterpriseStore, JobStore, LedgerStore, MetaStore,
        OutboxStore, PeopleStore, RankingStore, ReviewStore, SignInStore, Store, SupervisionStore, TaskStore,
    };
}
