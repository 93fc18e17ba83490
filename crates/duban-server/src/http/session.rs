//! From a request to the signed-in person ([`Signed`], with the [`Actor`] the application layer
//! asks for every permission): the token (a bearer token or the session cookie),
//! the session it stands for, and the CSRF checks — a cookie-authenticated API write carries the
//! session's token in `X-CSRF-Token`, a page's form in its body.

use super::AppState;
use axum::http::{HeaderMap, Method, header};
use duban_app::actor::Actor;
use duban_domain::Error;
use duban_domain::org::Person;
use duban_store::Session;
use std::ops::Deref;

/// The header a cookie-authenticated write carries the session's CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The bearer token of a request, if it has one.
pub fn bearer(headers: &HeaderMap) -> Option<String> {
    let h = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    h.strip_prefix("Bearer ").map(|t| t.trim().to_string())
}

/// Whether a method only reads.
pub fn is_safe(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Whether two CSRF tokens are the same, in time that does not depend on where they differ; an
/// empty expected token matches nothing.
pub fn csrf_equal(given: &str, expected: &str) -> bool {
    !expected.is_empty()
        && given.len() == expected.len()
        && given.bytes().zip(expected.bytes()).fold(0, |a, (x, y)| a | (x ^ y)) == 0
}

/// Whether the `X-CSRF-Token` header holds the expected token.
pub fn csrf_header_matches(headers: &HeaderMap, expected: &str) -> bool {
    let given = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
    csrf_equal(given, expected)
}

/// A signed-in person, and the [`Actor`] they are: handlers read the person (for what they may
/// see) and hand the actor to the use cases (which ask it what they may do). It dereferences to
/// the actor, so `signed.may::<C>()` asks the actor.
#[derive(Debug, Clone)]
pub struct Signed {
    pub person: Person,
    pub actor: Actor,
}

impl Signed {
    pub fn new(person: Person) -> Self {
        Self { actor: Actor::new(person.clone()), person }
    }
}

impl Deref for Signed {
    type Target = Actor;

    fn deref(&self) -> &Actor {
        &self.actor
    }
}

/// The session and person a token stands for, if the session is current and the person active.
pub async fn signed_in(d: &AppState, token: &str) -> Result<Option<(Session, Signed)>, Error> {
    Ok(d.sign_in().session(token).await?.map(|(s, person)| (s, Signed::new(person))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csrf_header_must_match_exactly() {
        let mut h = axum::http::HeaderMap::new();
        assert!(!csrf_header_matches(&h, "abc"));
        h.insert(CSRF_HEADER, "abd".parse().unwrap());
        assert!(!csrf_header_matches(&h, "abc"));
        assert!(!csrf_header_matches(&h, ""));
        h.insert(CSRF_HEADER, "abc".parse().unwrap());
        assert!(csrf_header_matches(&h, "abc"));
        assert!(is_safe(&Method::GET) && !is_safe(&Method::POST) && !is_safe(&Method::DELETE));
    }
}
