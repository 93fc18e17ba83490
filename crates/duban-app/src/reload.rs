//! Rules and calendar changed by another process: a server that did not make the change
//! reloads them from the database, so that every process on one database works by the same
//! rules without a restart.
//!
//! Every write that changes them raises a version in the database (migration 0010);
//! [`crate::jobs::Runner`] compares it with the version it loaded before each job run and every
//! few seconds, and calls [`Services::reload_rules_and_calendar`] when it moved. The process that
//! made the change has already recomputed the stored schedules, so a reload only puts the
//! rules and calendar in force in memory.

use crate::service::{Services, compile_calendar};
use duban_domain::Error;
use duban_domain::policy::Policy;
use std::sync::{Arc, RwLock};

/// Replaces what a lock holds (a poisoned lock only means a panic elsewhere; the value is whole).
fn put<T>(lock: &RwLock<Arc<T>>, value: T) {
    let mut slot = lock.write().unwrap_or_else(std::sync::PoisonError::into_inner);
    *slot = Arc::new(value);
}

impl Services {
    /// Reads the rules an administrator saved (or, when none, the configuration's) and the
    /// calendar files again, and puts them in force. On an error nothing changes.
    pub async fn reload_rules_and_calendar(&self) -> Result<(), Error> {
        let files = self.ports.calendar.calendar_files().await?;
        let calendar = compile_calendar(&files, self.unknown_years)?;
        let policy = match self.saved_rules().await? {
            Some(text) => Policy::from_toml(&text)?,
            None => Policy::clone(&self.configured),
        };
        put(&self.policy, policy);
        put(&self.calendar, calendar);
        Ok(())
    }
}
