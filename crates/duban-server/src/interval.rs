//! Background jobs, after kanidm's `interval.rs`: the supervision pass runs every minute in the
//! server and stops with it. The pass is idempotent, so a restart midway loses and repeats
//! nothing.

use crate::service::Duban;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Runs the supervision pass every `every` until `stop` turns true.
pub async fn supervision(duban: Arc<Duban>, every: Duration, mut stop: watch::Receiver<bool>) {
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            _ = ticker.tick() => {
                let now = duban.now();
                match duban.tick(now).await {
                    Ok(s) => tracing::info!(
                        open = s.open_tasks,
                        reminders = s.reminders,
                        notices = s.notices.len(),
                        naming = s.naming_candidates,
                        delivered = s.delivered,
                        "supervision pass"
                    ),
                    Err(e) => tracing::error!(error = %e, "supervision pass failed"),
                }
            }
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    break;
                }
            }
        }
    }
}
