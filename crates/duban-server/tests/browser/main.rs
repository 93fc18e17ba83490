//! The web application in a real headless Chromium (Debian's `chromium` and `chromium-driver`,
//! driven over WebDriver by fantoccini), through issue 5 §4's scenario:
//!
//! 1. the office signs in and imports seed 003 through the import page;
//! 2. a unit officer signs for a task, reports progress, uploads evidence and gives feedback;
//! 3. the office approves it, sees it closed and the statistics change;
//! 4. the public page shows no internal or secret task;
//! 5. a second unit's officer cannot see the first unit's internal task.
//!
//! And the office's path through a plan that names no unit per measure (issue 11): seed 001
//! uploaded, its 15 measures shown as drafts without a lead, one lead given to all of them at
//! once, a default deadline set where the proposed one has passed, the import confirmed and
//! committed.
//!
//! Screenshots of the main pages are saved under `target/screenshots/` (CI keeps them). Without
//! Chromium the test says so and passes, except under `CI=true`, where it fails.

//!
//! One test binary, one module per flow; `support` holds the driver, the browser windows and
//! the steps every flow uses (sign in, act, wait for text, screenshots).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

#[allow(dead_code)]
#[path = "../api/helpers.rs"]
mod helpers;
#[allow(dead_code)]
mod support;

mod bulletins;
mod closed_loop;
mod decompose;
mod demands;
mod desks;
mod entry;
mod import;
mod liaison;
mod notice;
mod objections;
mod polish;
mod procedures;
mod rankings;
mod registry;
mod service_views;
