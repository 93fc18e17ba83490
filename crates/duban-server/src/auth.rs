//! Sign-in and sessions (issue 5 §1).
//!
//! Passwords are hashed with argon2id (PHC strings, a fresh salt each). A session is a random
//! 256-bit token given to the browser in an HttpOnly cookie; the database keeps only its SHA-256,
//! with the session's own CSRF token that every form must echo. After five failed attempts in a
//! row an account waits before the next attempt is even checked: 30 s, doubling with each further
//! failure, up to an hour. An unknown user name costs the same hashing work as a known one, so
//! the answer's timing does not tell which names exist.

use crate::service::Duban;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use duban_domain::Error;
use duban_domain::ids::PersonId;
use duban_domain::org::Person;
use duban_store::Session;
use jiff::SignedDuration;
use rand::RngCore;

/// How long a session lasts without signing in again: a working day and a half.
pub const SESSION_HOURS: i64 = 36;
/// Failures allowed before the backoff starts.
const FREE_FAILURES: i64 = 5;
const MAX_WAIT_SECS: i64 = 3600;
/// A well-formed hash no password matches, checked when the user name is unknown.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/// A signed-in session and its secret token (for the cookie); the token is never logged.
#[derive(Clone)]
pub struct SignedIn {
    pub token: String,
    pub session: Session,
    pub person: Person,
}

impl std::fmt::Debug for SignedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedIn").field("token", &"<redacted>").field("person", &self.person.id).finish()
    }
}

fn argon() -> Argon2<'static> {
    // OWASP's argon2id minimum (19 MiB, 2 passes, 1 lane).
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of a session token, as stored.
pub fn token_hash(token: &str) -> String {
    duban_store::sql::sha256_hex(token.as_bytes())
}

/// Hashes a password with argon2id.
pub fn hash_password(password: &str) -> Result<String, Error> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|_| Error::Internal)?;
    argon().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|_| Error::Internal)
}

fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| argon().verify_password(password.as_bytes(), &h).is_ok())
}

/// The wait after the `failures`-th failure in a row, if any.
pub fn backoff(failures: i64) -> Option<SignedDuration> {
    let over = failures - FREE_FAILURES;
    (over >= 0).then(|| SignedDuration::from_secs((30i64 << over.min(10)).min(MAX_WAIT_SECS)))
}

impl Duban {
    /// Sets a person's password (at least 8 characters).
    pub async fn set_password(&self, person: PersonId, password: &str) -> Result<(), Error> {
        if password.chars().count() < 8 {
            return Err(Error::invalid("password", "密码至少 8 位"));
        }
        self.store().get_person(person).await?;
        let hash = hash_password(password)?;
        self.store().set_password(person, &hash, self.now()).await
    }

    /// Checks a user name and password and opens a session.
    pub async fn sign_in(&self, username: &str, password: &str) -> Result<SignedIn, Error> {
        let now = self.now();
        let wrong = || Error::invalid("password", "用户名或密码不正确");
        let Some(c) = self.store().credential(username.trim()).await? else {
            // Same work as a real check, so that timing does not reveal the name is unknown.
            let _ = verify(password, DUMMY_HASH);
            return Err(wrong());
        };
        if let Some(until) = c.locked_until.filter(|u| *u > now) {
            let secs = u64::try_from(until.duration_since(now).as_secs()).unwrap_or(0).max(1);
            return Err(Error::TooManyAttempts { retry_after_secs: secs });
        }
        if !verify(password, &c.password_hash) {
            let failures = c.failures + 1;
            self.store().record_sign_in(c.person.id, Some(backoff(failures).map_or(now, |w| now + w))).await?;
            tracing::info!(person = c.person.id.0, failures, "sign-in failed");
            return Err(wrong());
        }
        self.store().record_sign_in(c.person.id, None).await?;
        let token = random_token();
        let session = Session {
            token_hash: token_hash(&token),
            person_id: c.person.id,
            csrf: random_token(),
            created_at: now,
            expires_at: now + SignedDuration::from_hours(SESSION_HOURS),
        };
        self.store().create_session(&session).await?;
        Ok(SignedIn { token, session, person: c.person })
    }

    /// The session and person a cookie's token stands for, if it is current and the person
    /// still active.
    pub async fn session(&self, token: &str) -> Result<Option<(Session, Person)>, Error> {
        let Some(s) = self.store().session(&token_hash(token), self.now()).await? else { return Ok(None) };
        let p = self.store().get_person(s.person_id).await?;
        Ok(p.active.then_some((s, p)))
    }

    pub async fn sign_out(&self, token: &str) -> Result<(), Error> {
        self.store().delete_session(&token_hash(token)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_salted_and_verify() {
        let a = hash_password("correct horse").unwrap();
        let b = hash_password("correct horse").unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert_ne!(a, b);
        assert!(verify("correct horse", &a));
        assert!(!verify("correct hors", &a));
        assert!(!verify("x", "not a hash"));
        // The stand-in for unknown names parses, so checking it costs a real hash.
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
    }

    #[test]
    fn backoff_starts_after_five_failures_and_doubles_to_an_hour() {
        let secs = |n| backoff(n).map(|d| d.as_secs());
        assert_eq!((secs(4), secs(5), secs(6), secs(7)), (None, Some(30), Some(60), Some(120)));
        assert_eq!((secs(12), secs(100)), (Some(3600), Some(3600)));
    }
}
