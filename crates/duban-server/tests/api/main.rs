//! The API tests: one binary, one fresh database and server per test.

mod calendar;
mod helpers;
mod org;
mod tasks;
