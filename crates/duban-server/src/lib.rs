//! # duban-server
//!
//! The transport of Duban: the JSON [`api`] and the [`web`] pages, served by [`startup`], which
//! share the [`http`] room (the one application state, cookies, sessions, CSRF, uploads) and
//! never import each other. Every use case is a call into the application layer
//! (`duban-app`); the signed-in person's `duban_app::actor::Actor` decides every permission a
//! route or a use case checks.

pub mod api;
pub mod http;
pub mod startup;
pub mod web;
