//! The API tests: one binary, one fresh database and server per test.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

mod access;
mod admin_log;
mod assessment;
mod assessment_job;
mod auth;
mod bulletins;
mod calendar;
mod decompose;
mod demands;
mod desks;
mod entry;
mod helpers;
mod import_page;
mod import_review;
mod imports;
mod jobs;
mod liaison;
mod lifecycle;
mod matrix;
mod notice;
mod notify;
mod org;
mod polish;
mod procedures;
mod rankings;
mod registry;
mod reviews;
mod service_views;
mod supervise;
mod tasks;
mod web;
mod year;
mod year_assessment;
