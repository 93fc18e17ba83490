//! # duban-app
//!
//! Duban's application layer: the use cases the API, the pages and the command line share,
//! between the pure domain (`duban-domain`) and the storage ports (`duban-store`). It never
//! knows HTTP, templates or SQL: the transport (`duban-server`) calls it, and the binary
//! chooses the storage backend and hands it an `Arc<dyn Store>`.
//!
//! Each area is a small service of its own, holding the shared [`Core`](core::Core) (the clock,
//! the only source of the time, and the rules and calendar in force) and only the storage
//! [`ports`] it uses; where one area needs another it holds that service. The
//! [`Services`](service::Services) composition root builds them all from one store and offers
//! an accessor for each:
//!
//! - [`tasks`] ([`Tasks`](tasks::Tasks)): creating, reading, listing, editing and withdrawing
//!   tasks, ledgers, and the in-memory snapshot of every task with its schedule;
//! - [`lifecycle`] ([`Lifecycle`](lifecycle::Lifecycle)): the actions on a task, written
//!   through the tasks area, and [`decompose`]: splitting a task into subtasks, and what a
//!   task's page shows of its parts, its cooperating units' reports and a dispute's positions;
//! - [`supervision`] ([`Supervision`](supervision::Supervision)): the pass (its IO; the plan is
//!   the domain's) and the 督办 by hand, delivered through the outbox, and the printed
//!   督办通知单 ([`notice_sheet`]: the sheet and its .docx);
//! - [`outbox`] ([`Outbox`](outbox::Outbox)): the channels and delivery;
//! - [`document_import`] ([`DocumentImport`](document_import::DocumentImport)): previewing and
//!   committing task documents (the readers are `duban-import`), and the [`import_review`]
//!   the office works in before committing (suggested lead units, units given to many tasks);
//! - [`suggest`] ([`Suggestions`](suggest::Suggestions)): lead-unit suggestions;
//! - [`sign_in`] ([`SignIn`](sign_in::SignIn)): password hashing, throttling, sessions;
//! - [`rules`] ([`Rules`](rules::Rules)): the rules and calendar in force, saved rules, holiday
//!   data, reloading what another process changed, and rescheduling;
//! - [`admin_log`] ([`Administration`](admin_log::Administration)): the administrative writes
//!   (units, people, calendar, rules), each recorded in the audit log;
//! - [`access`] ([`Access`](access::Access)): who sees which tasks;
//! - [`worklists`] ([`Worklists`](worklists::Worklists)); [`reporting`]
//!   ([`Reporting`](reporting::Reporting): party names, progress) and the [`export`] workbook;
//! - [`queries`] ([`Queries`](queries::Queries)): the plain reads the transport needs;
//! - [`publication`] ([`Publication`](publication::Publication)): the public pages' reads and
//!   marking a task's feedback publishable;
//! - [`bulletin`] ([`Bulletins`](bulletin::Bulletins)): the monthly bulletin — drafted from the
//!   assessment, edited, issued and numbered, its Word file ([`bulletin_docx`]) built from the
//!   official-document pieces it shares with the notice sheet ([`official_docx`]);
//! - [`enterprises`] ([`Enterprises`](enterprises::Enterprises)): the key enterprise and key
//!   project lists, with their history;
//! - [`procedures`] ([`Procedures`](procedures::Procedures)): the pre-procedures of key projects —
//!   each started one a task on the one engine, the weekly dispatch and the monthly report.
//!
//! Every permission is a capability of the one [`Actor`](actor::Actor) ([`actor`]): a
//! signed-in person or the command line; the use cases that decide one (a 督办 by hand, the
//! administrative writes, committing an import) take the actor and ask it. Besides: the
//! background [`jobs`], the layered [`config`], and the name an attachment is stored under
//! ([`file_names`]).

pub mod access;
pub mod actor;
pub mod admin_log;
pub mod assessment;
pub mod bulletin;
pub mod bulletin_docx;
pub mod config;
pub mod core;
pub mod decompose;
pub mod demands;
pub mod document_import;
pub mod enterprises;
pub mod export;
pub mod file_names;
pub mod import_review;
pub mod jobs;
pub mod liaison;
pub mod lifecycle;
pub mod notice_sheet;
pub mod official_docx;
pub mod outbox;
pub mod ports;
pub mod procedures;
pub mod publication;
pub mod queries;
pub mod rankings;
pub mod registry;
pub mod reporting;
pub mod reviews;
pub mod rules;
pub mod service;
pub mod service_views;
pub mod sign_in;
pub mod suggest;
pub mod supervision;
pub mod tasks;
pub mod worklists;

/// The system clock: the one place in Duban that reads the wall time.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl duban_domain::clock::Clock for SystemClock {
    fn now(&self) -> jiff::Timestamp {
        jiff::Timestamp::now()
    }
}
