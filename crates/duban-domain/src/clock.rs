//! The clock abstraction. Nothing in Duban reads the wall clock directly: it asks a [`Clock`], so
//! time rules are tested with [`FixedClock`] and the server uses the system clock.

use jiff::Timestamp;
use std::sync::Mutex;

/// A source of the current instant.
pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

/// A clock that stays where it is put; tests move it by hand.
#[derive(Debug)]
pub struct FixedClock(Mutex<Timestamp>);

impl FixedClock {
    pub fn new(at: Timestamp) -> Self {
        Self(Mutex::new(at))
    }

    pub fn set(&self, at: Timestamp) {
        // A poisoned lock only means another test thread panicked; the value is still valid.
        let mut guard = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *guard = at;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}
