//! # duban-server
//!
//! The transport of Duban: the JSON [`api`] and the [`web`] pages, served by [`startup`], which
//! share the [`http`] room (the one application state, cookies, sessions, CSRF, uploads) and
//! never import each other. Every use case is a call into the application layer
//! (`duban-app`); the signed-in [`actor`] decides every permission a route checks.

pub mod actor;
pub mod api;
pub mod http;
pub mod startup;
pub mod web;
