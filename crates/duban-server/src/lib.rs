//! # duban-server
//!
//! Everything around the domain that the `duban` binary runs: the layered [`config`], the
//! [`service`] layer over any storage backend (an `Arc<dyn Store>`; the binary chooses it) that
//! applies the rules and the calendar to tasks (with [`queries`], the reads the transport needs,
//! and the signed-in [`actor`] who decides every permission), the [`jobs`] that run in the
//! background, and the transport served by [`startup`]: the JSON [`api`] and the [`web`] pages,
//! which share the [`http`] room and never import each other.

pub mod access;
pub mod actor;
pub mod admin_log;
pub mod api;
pub mod auth;
pub mod config;
pub mod export;
pub mod http;
pub mod imports;
pub mod jobs;
pub mod lifecycle;
pub mod notify;
pub mod party_names;
pub mod queries;
pub mod reload;
pub mod service;
pub mod startup;
pub mod suggest;
pub mod supervise;
pub mod web;
pub mod work;

/// The system clock: the one place in Duban that reads the wall time.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl duban_domain::clock::Clock for SystemClock {
    fn now(&self) -> jiff::Timestamp {
        jiff::Timestamp::now()
    }
}
