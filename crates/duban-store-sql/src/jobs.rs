//! Leases on periodic jobs, claims on outbox messages and the version of the rules and calendar
//! in force: the SQL of `JobStore`.
//!
//! The one difference between the backends is how a claim picks its messages: PostgreSQL locks
//! them `FOR UPDATE SKIP LOCKED`, so two processes claiming at once take disjoint rows without
//! waiting for each other; SQLite has one writer at a time, so its single `UPDATE` is atomic as
//! it stands.

use duban_store::Delivery;

/// The outbox columns a claim returns (those [`sql_outbox!`](crate::sql_outbox)'s row reader reads).
pub const MESSAGE_COLUMNS: &str = "id, dedup_key, kind, channel, person_id, address, task_id, subject, body, \
    created_at, not_before, attempts, next_attempt_at, status, last_error, delivered_at, read_at";

/// The columns a delivery's outcome writes: the status, when it was delivered, when to try
/// again, and the error. Bound to [`FINISH_SQL`].
pub fn outcome(d: &Delivery) -> (&'static str, Option<i64>, Option<i64>, &str) {
    match d {
        Delivery::Sent { at } => ("sent", Some(at.as_millisecond()), None, ""),
        Delivery::Failed { error, retry_at: Some(at) } => ("pending", None, Some(at.as_millisecond()), error),
        Delivery::Failed { error, retry_at: None } => ("failed", None, None, error),
    }
}

/// The statement that records a delivery's [`outcome`] (`$1`…`$4`) for message `$5` and ends the
/// claim on it, only while `$6` still holds the claim.
pub const FINISH_SQL: &str = "UPDATE outbox SET status = $1, attempts = attempts + 1, \
     delivered_at = COALESCE($2, delivered_at), next_attempt_at = COALESCE($3, next_attempt_at), \
     last_error = $4, claimed_by = '', claimed_until = 0 WHERE id = $5 AND claimed_by = $6";

/// The claim statement: `$1` holder, `$2` claimed until, `$3` channel, `$4` now, `$5` limit.
pub fn claim_sql(backend: &str) -> String {
    let lock = if backend == "postgres" { " FOR UPDATE SKIP LOCKED" } else { "" };
    format!(
        "UPDATE outbox SET claimed_by = $1, claimed_until = $2 WHERE claimed_until <= $4 AND id IN (\
         SELECT id FROM outbox WHERE status = 'pending' AND channel = $3 AND next_attempt_at <= $4 \
         AND not_before <= $4 AND claimed_until <= $4 ORDER BY next_attempt_at, id LIMIT $5{lock}) \
         RETURNING {MESSAGE_COLUMNS}"
    )
}

/// Implements [`JobStore`](duban_store::JobStore) for `$store`; invoked by [`sql_store!`](crate::sql_store)
/// inside the block that [`sql_common!`](crate::sql_common) set up.
#[doc(hidden)]
#[macro_export]
macro_rules! sql_jobs {
    ($store:ty) => {
        #[$crate::deps::async_trait::async_trait]
        impl JobStore for $store {
            async fn take_lease(&self, name: &str, holder: &str, now: Timestamp, until: Timestamp) -> Result<bool> {
                let done = sqlx::query(
                    "INSERT INTO job_leases (name, holder, held_until) VALUES ($1, $2, $3) \
                     ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, held_until = excluded.held_until \
                     WHERE job_leases.held_until <= $4 OR job_leases.holder = excluded.holder",
                )
                .bind(name)
                .bind(holder)
                .bind(ms(until))
                .bind(ms(now))
                .execute(&self.pool)
                .await
                .map_err(db_err("take lease"))?;
                Ok(done.rows_affected() == 1)
            }

            async fn release_lease(&self, name: &str, holder: &str) -> Result<()> {
                sqlx::query("UPDATE job_leases SET held_until = 0 WHERE name = $1 AND holder = $2")
                    .bind(name)
                    .bind(holder)
                    .execute(&self.pool)
                    .await
                    .map_err(db_err("release lease"))?;
                Ok(())
            }

            async fn lease(&self, name: &str) -> Result<Option<Lease>> {
                let row: Option<(String, String, i64)> =
                    sqlx::query_as("SELECT name, holder, held_until FROM job_leases WHERE name = $1")
                        .bind(name)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(db_err("read lease"))?;
                row.map(|(name, holder, until)| Ok(Lease { name, holder, until: ts(until)? })).transpose()
            }

            async fn claim_messages(
                &self,
                channel: &str,
                holder: &str,
                now: Timestamp,
                until: Timestamp,
                limit: u32,
            ) -> Result<Vec<Message>> {
                let rows = sqlx::query(&$crate::jobs::claim_sql(BACKEND))
                    .bind(holder)
                    .bind(ms(until))
                    .bind(channel)
                    .bind(ms(now))
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_err("claim messages"))?;
                let mut out = rows.iter().map(message_from_row).collect::<Result<Vec<_>>>()?;
                // RETURNING need not keep the order of the subquery.
                out.sort_by_key(|m| (m.next_attempt_at, m.id));
                Ok(out)
            }

            async fn finish_claimed(&self, id: i64, holder: &str, d: &Delivery) -> Result<bool> {
                let (status, delivered, retry, error) = $crate::jobs::outcome(d);
                let done = sqlx::query($crate::jobs::FINISH_SQL)
                    .bind(status)
                    .bind(delivered)
                    .bind(retry)
                    .bind(error)
                    .bind(id)
                    .bind(holder)
                    .execute(&self.pool)
                    .await
                    .map_err(db_err("finish claimed message"))?;
                Ok(done.rows_affected() == 1)
            }

            async fn config_version(&self) -> Result<i64> {
                let v: Option<String> = sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
                    .bind(CONFIG_VERSION_KEY)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_err("config version"))?;
                v.map_or(Ok(0), |v| v.trim().parse().map_err(|e| corrupt("config version", e)))
            }
        }
    };
}
