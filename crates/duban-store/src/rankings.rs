//! Scoring profiles the office saved and rankings issued (issue 13 §2, §3).
//!
//! The port [`RankingStore`]; the SQL that implements it is `duban-store-sql`'s module of the
//! same name. A saved profile whose name is a built-in's overrides it until it is reset
//! (deleted). Issued rankings are append-only (the database refuses to change or delete one): a
//! correction is a new row, the next revision of the same profile and period, naming the one it
//! supersedes and why.

use crate::Result;
use async_trait::async_trait;
use duban_domain::assessment::Ranking;
use duban_domain::ids::PersonId;
use jiff::Timestamp;
use serde::Serialize;

/// A scoring profile the office saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SavedProfile {
    pub name: String,
    /// The profile as TOML.
    pub toml: String,
    pub saved_at: Timestamp,
    pub saved_by: Option<PersonId>,
}

/// A ranking to issue: the frozen copy and what it was made under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewIssuedRanking {
    pub profile: String,
    /// The profile's TOML as it was when issued.
    pub profile_toml: String,
    /// The period's key (`2026Q1`, `2026-03`, `2026`).
    pub period: String,
    /// 1 for the first issue, then 2, 3 … for each revision.
    pub revision: i64,
    /// The issued ranking this one replaces (a revision).
    pub supersedes: Option<i64>,
    /// Why (required for a revision).
    pub reason: String,
    pub ranking: Ranking,
    pub issued_at: Timestamp,
    pub issued_by: Option<PersonId>,
}

/// An issued ranking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssuedRanking {
    pub id: i64,
    #[serde(flatten)]
    pub fields: NewIssuedRanking,
}

#[async_trait]
pub trait RankingStore: Send + Sync {
    /// Every saved profile, by name.
    async fn saved_profiles(&self) -> Result<Vec<SavedProfile>>;
    async fn saved_profile(&self, name: &str) -> Result<Option<SavedProfile>>;
    /// Saves a profile, replacing one of the same name.
    async fn save_profile(&self, p: &SavedProfile) -> Result<()>;
    /// Deletes a saved profile; whether there was one.
    async fn delete_profile(&self, name: &str) -> Result<bool>;
    /// Issues a ranking. Another issue of the same profile, period and revision is a conflict.
    async fn issue_ranking(&self, r: &NewIssuedRanking) -> Result<IssuedRanking>;
    /// Issued rankings, newest first, optionally of one profile and period.
    async fn issued_rankings(&self, profile: Option<&str>, period: Option<&str>) -> Result<Vec<IssuedRanking>>;
    async fn issued_ranking(&self, id: i64) -> Result<Option<IssuedRanking>>;
}
