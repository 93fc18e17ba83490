//! # duban-domain
//!
//! The rules of Duban (督办), with no IO, no async and no database: everything here is a pure
//! function of its inputs, so it can be tested exhaustively and reused by every other crate.
//!
//! - [`assessment`]: indicators per unit and period, scoring profiles as data, explained scores
//!   and rankings by category.
//! - [`citation`]: a rule's clause cited by its document's name (《…》第八条).
//! - [`calendar`]: the Chinese working-day calendar (weekends, official holidays and 调休 make-up
//!   working days), with O(1) working-day arithmetic over a precomputed index.
//! - [`policy`]: time-limit rules as data. A policy file names, for each stage of a task, the event
//!   that starts the clock, the event that stops it, a duration and warning thresholds. Built-in
//!   profiles reproduce the seed documents.
//! - [`schedule`]: applies a policy and a calendar to one task: the due date of every stage and
//!   its light (green / yellow / red) at a given instant.
//! - [`task`], [`org`]: the task ledger's vocabulary (sources, priorities, complexities,
//!   classifications, statuses) and the organisation (units, groups, people, roles).
//! - [`facts`]: what the rules know of a task (source, priority, complexity, deadline) and the
//!   events that start and stop their clocks — shared by [`policy`] and [`task`], which do not
//!   import each other.
//! - [`decompose`]: splitting a task into subtasks for sections and cooperating units, and the
//!   parent's progress from its children.
//! - [`event`]: the kinds of event in a task's trail, and which of them count as progress.
//! - [`notice`]: how 督办 notices are numbered.
//! - [`supervision`]: the supervision plan — given the rules, the calendar, the people, the
//!   tasks with their notices and trail activity, and the instant, the reminders, 督办 notices,
//!   escalations and naming candidates a pass must record.
//! - [`publication`]: what the public pages publish of a task, and when its feedback is shown.
//! - [`period`]: report periods (week, half-month, month, quarter) and week arithmetic.
//! - [`stats`]: on-time rates, overdue counts and the weekly trend.
//! - [`enterprise`]: key enterprises and key projects — 统一社会信用代码 with its check digit,
//!   exact amounts ([`enterprise::Yuan`]), the lists' records and their parsing.
//! - [`procedure`]: pre-procedures of key projects (项目前期手续) — kinds as policy data, the
//!   committed date on the working-day calendar, the status read from the task, the weekly dispatch.
//! - [`ids`]: typed identifiers, so a unit id can never be passed where a task id is expected.
//! - [`visibility`]: who may see which task, and which of its fields go over which channel.
//! - [`clock`]: the only way the rest of Duban learns the time, so rules can be tested with an
//!   injected clock.
//! - [`error`]: the one error type every layer maps into, with a stable code and a Chinese
//!   message for users.
//!
//! Dependencies point inward: storage, importer, server and the `duban` binary depend on this
//! crate, never the other way round.

pub mod assessment;
pub mod bulletin;
pub mod calendar;
pub mod citation;
pub mod clock;
pub mod decompose;
pub mod demand;
pub mod enterprise;
pub mod error;
pub mod event;
pub mod facts;
pub mod ids;
pub mod liaison;
pub mod lifecycle;
pub mod notice;
pub mod org;
pub mod period;
pub mod policy;
pub mod procedure;
pub mod publication;
pub mod schedule;
pub mod service_stats;
pub mod stats;
pub mod supervision;
pub mod task;
pub mod visibility;
pub mod vocab;

pub use error::{Error, ErrorCode};
