//! The hashes that seal Duban's two append-only logs, the task trail and the administrative
//! audit log: each link is the SHA-256 of the link before it and of its own content as stored,
//! so changing, removing or reordering a stored link breaks the chain ([`crate::ChainWalk`]
//! checks it). Pure functions, shared by every backend and by the server (token hashes).

use crate::NewAdminEvent;
use sha2::{Digest, Sha256};

/// The hex SHA-256 of some bytes.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 over `parts`, each followed by a zero byte (so no two lists of parts collide by
/// moving text from one part to the next).
fn chained(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for part in parts {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    hex(&h.finalize())
}

/// The hash of a task event: SHA-256 over the previous event's hash and this event's content,
/// as stored. Changing any stored field, or the order of events, breaks the chain.
pub fn event_hash(prev: &str, task_id: i64, at_ms: i64, actor: Option<i64>, kind: &str, data: &str) -> String {
    let actor = actor.map(|a| a.to_string()).unwrap_or_default();
    chained(&[prev, &task_id.to_string(), &at_ms.to_string(), &actor, kind, data])
}

/// The hash of an administrative event: SHA-256 over the previous one's hash and this one's
/// content, as stored, like [`event_hash`].
pub fn admin_event_hash(prev: &str, e: &NewAdminEvent, data: &str) -> String {
    admin_hash_of(prev, e.at.as_millisecond(), e.actor_id.map(|p| p.0), &e.actor, &e.kind, &e.target, data)
}

/// [`admin_event_hash`] over the stored columns.
pub fn admin_hash_of(
    prev: &str,
    at_ms: i64,
    actor_id: Option<i64>,
    actor: &str,
    kind: &str,
    target: &str,
    data: &str,
) -> String {
    let actor_id = actor_id.map(|a| a.to_string()).unwrap_or_default();
    chained(&[prev, &at_ms.to_string(), &actor_id, actor, kind, target, data])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_hex_sha256_of_the_parts_each_ended_by_a_zero_byte() {
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(event_hash("", 1, 2, None, "created", "{}"), sha256_hex(b"\x001\x002\x00\x00created\x00{}\x00"));
        assert_eq!(
            admin_hash_of("p", 5, Some(7), "a", "k", "t", "d"),
            sha256_hex(b"p\x005\x007\x00a\x00k\x00t\x00d\x00")
        );
        // Moving text between parts changes the hash.
        assert_ne!(event_hash("", 1, 2, None, "ab", "c"), event_hash("", 1, 2, None, "a", "bc"));
    }
}
