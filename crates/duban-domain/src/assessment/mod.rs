//! Assessment (考核): indicators per unit and period, scoring as policy data, explained scores and
//! rankings (REQUIREMENTS §7; 004 五、八; 002 三(五)3, 四(四)).
//!
//! Every number traces back to the events that made it:
//!
//! - [`fact`]: what happened to a unit, one row per occurrence — a task assigned, a stage due
//!   (signing, completion) with the instant it stopped, a 督办 notice received and answered, a
//!   return, an extension, a leader's evaluation, a document error, a public naming. Facts of a
//!   task are derived from the task, its schedule, its trail and its notices by
//!   [`fact::of_task`], a pure function; the application keeps them in a table that is
//!   refreshed only for tasks whose trail grew.
//! - [`indicator`]: the closed vocabulary of indicators and the roles a unit plays (lead,
//!   cooperating, or the unit as such). New sources (visits, demands, 12345 orders, ratings) add
//!   an indicator and a fact source; scoring needs no change.
//! - [`span`]: the period assessed — a month, quarter, year or any range of days.
//! - [`profile`]: a scoring profile (TOML): base score, points per occurrence or per working day,
//!   rate lines, weights, caps, categories ranked separately, tolerance (容错) and
//!   disqualification. Built-in profiles come from the seeds.
//! - [`score`]: applies a profile to tallies (per unit, role and indicator) to rank units by
//!   category, and to one unit's facts to explain its score line by line; both give the same
//!   totals.
//! - [`points`]: exact points in hundredths.
//! - [`review`]: objections, leaders' evaluations and the document-error ledger.

pub mod fact;
pub mod indicator;
pub mod points;
pub mod profile;
pub mod review;
pub mod score;
pub mod span;

pub use fact::{Fact, FactOrigin, TaskRecord};
pub use indicator::{Indicator, Outcome, PartyRole};
pub use points::Points;
pub use profile::{BUILTIN_SCORING, ScoringProfile};
pub use score::{Ranking, Tally, UnitInfo, UnitScore};
pub use span::Span;
