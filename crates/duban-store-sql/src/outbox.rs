//! The outbox of messages and their deliveries: the SQL of `OutboxStore`.

/// Implements [`OutboxStore`](duban_store::OutboxStore) for `$store`; invoked by [`sql_store!`](crate::sql_store)
/// inside the block that [`sql_common!`](crate::sql_common) set up.
#[doc(hidden)]
#[macro_export]
macro_rules! sql_outbox {
    ($store:ty) => {
        fn message_from_row(r: &DbRow) -> Result<Message> {
            let g = db_err("read message");
            Ok(Message {
                id: r.try_get("id").map_err(&g)?,
                message: NewMessage {
                    dedup_key: r.try_get("dedup_key").map_err(&g)?,
                    kind: r.try_get("kind").map_err(&g)?,
                    channel: r.try_get("channel").map_err(&g)?,
                    person_id: r.try_get::<Option<i64>, _>("person_id").map_err(&g)?.map(PersonId),
                    address: r.try_get("address").map_err(&g)?,
                    task_id: r.try_get::<Option<i64>, _>("task_id").map_err(&g)?.map(TaskId),
                    subject: r.try_get("subject").map_err(&g)?,
                    body: r.try_get("body").map_err(&g)?,
                    created_at: ts(r.try_get("created_at").map_err(&g)?)?,
                    not_before: ts(r.try_get("not_before").map_err(&g)?)?,
                },
                attempts: r.try_get("attempts").map_err(&g)?,
                next_attempt_at: ts(r.try_get("next_attempt_at").map_err(&g)?)?,
                status: r.try_get("status").map_err(&g)?,
                last_error: r.try_get("last_error").map_err(&g)?,
                delivered_at: ts_opt(r.try_get("delivered_at").map_err(&g)?)?,
                read_at: ts_opt(r.try_get("read_at").map_err(&g)?)?,
            })
        }

        /// Queues a message unless one with its dedup key exists; true when queued.
        async fn insert_message(tx: &mut Tx<'_>, m: &NewMessage) -> Result<bool> {
            let done = sqlx::query(
                "INSERT INTO outbox (dedup_key, kind, channel, person_id, address, task_id, subject, body, created_at, \
                 not_before, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) \
                 ON CONFLICT (dedup_key) DO NOTHING",
            )
            .bind(&m.dedup_key)
            .bind(&m.kind)
            .bind(&m.channel)
            .bind(m.person_id.map(|p| p.0))
            .bind(&m.address)
            .bind(m.task_id.map(|t| t.0))
            .bind(&m.subject)
            .bind(&m.body)
            .bind(ms(m.created_at))
            .bind(ms(m.not_before))
            .execute(&mut **tx)
            .await
            .map_err(db_err("enqueue"))?;
            Ok(done.rows_affected() > 0)
        }

        #[$crate::deps::async_trait::async_trait]
        impl OutboxStore for $store {
            async fn enqueue(&self, list: &[NewMessage]) -> Result<Vec<bool>> {
                let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                let mut out = Vec::with_capacity(list.len());
                for m in list {
                    out.push(insert_message(&mut tx, m).await?);
                }
                tx.commit().await.map_err(db_err("commit"))?;
                Ok(out)
            }

            async fn deliver_inbox(&self, now: Timestamp) -> Result<u64> {
                let done = sqlx::query(
                    "UPDATE outbox SET status = 'sent', attempts = attempts + 1, delivered_at = $1 \
                     WHERE status = 'pending' AND channel = 'inbox' AND next_attempt_at <= $1 AND not_before <= $1",
                )
                .bind(ms(now))
                .execute(&self.pool)
                .await
                .map_err(db_err("deliver inbox"))?;
                Ok(done.rows_affected())
            }

            async fn list_messages(&self, person: Option<PersonId>, limit: u32) -> Result<Vec<Message>> {
                let rows = match person {
                    Some(p) => sqlx::query("SELECT * FROM outbox WHERE person_id = $1 ORDER BY id DESC LIMIT $2")
                        .bind(p.0)
                        .bind(i64::from(limit))
                        .fetch_all(&self.pool)
                        .await,
                    None => sqlx::query("SELECT * FROM outbox ORDER BY id DESC LIMIT $1")
                        .bind(i64::from(limit))
                        .fetch_all(&self.pool)
                        .await,
                }
                .map_err(db_err("list messages"))?;
                rows.iter().map(message_from_row).collect()
            }

            async fn inbox_page(&self, person: PersonId, before: Option<i64>, limit: u32) -> Result<Vec<Message>> {
                let rows = sqlx::query(
                    "SELECT * FROM outbox WHERE person_id = $1 AND channel = 'inbox' AND status = 'sent' \
                     AND id < $2 ORDER BY id DESC LIMIT $3",
                )
                .bind(person.0)
                .bind(before.unwrap_or(i64::MAX))
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await
                .map_err(db_err("inbox page"))?;
                rows.iter().map(message_from_row).collect()
            }

            async fn mark_read(&self, person: PersonId, ids: &[i64], at: Timestamp) -> Result<u64> {
                if ids.is_empty() {
                    return Ok(0);
                }
                let mut qb = QueryBuilder::<Db>::new("UPDATE outbox SET read_at = ");
                qb.push_bind(ms(at))
                    .push(" WHERE channel = 'inbox' AND read_at IS NULL AND person_id = ")
                    .push_bind(person.0)
                    .push(" AND id IN (");
                push_list(&mut qb, ids.iter().copied());
                qb.push(")");
                let done = qb.build().execute(&self.pool).await.map_err(db_err("mark read"))?;
                Ok(done.rows_affected())
            }
        }
    };
}
