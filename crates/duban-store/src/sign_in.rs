//! Sign-in: password hashes with their failed-attempt backoff, and sessions (only token hashes are stored).
//!
//! The port [`SignInStore`]; the SQL that implements it is `duban-store-sql`'s module of the same name.

use crate::{Credential, Result, Session};
use async_trait::async_trait;
use duban_domain::ids::PersonId;
use jiff::Timestamp;

/// Sign-in.
#[async_trait]
pub trait SignInStore: Send + Sync {
    /// Sets a person's password hash and clears failed attempts.
    async fn set_password(&self, person: PersonId, hash: &str, at: Timestamp) -> Result<()>;
    /// The credential of an active person with this user name.
    async fn credential(&self, username: &str) -> Result<Option<Credential>>;
    /// Records a failed attempt (with the backoff it earns) or, with `None`, a success.
    async fn record_sign_in(&self, person: PersonId, failed: Option<Timestamp>) -> Result<()>;
    async fn create_session(&self, s: &Session) -> Result<()>;
    /// The session with this token hash, if it has not expired at `now`.
    async fn session(&self, token_hash: &str, now: Timestamp) -> Result<Option<Session>>;
    async fn delete_session(&self, token_hash: &str) -> Result<()>;
    /// Ends every session of a person (password reset, deactivation); returns how many.
    async fn delete_sessions_of(&self, person: PersonId) -> Result<u64>;
}
