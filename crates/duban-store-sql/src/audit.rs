//! The administrative audit log, hash-chained: the SQL of `AuditStore`.

/// Implements [`AuditStore`](duban_store::AuditStore) for `$store`; invoked by [`sql_store!`](crate::sql_store)
/// inside the block that [`sql_common!`](crate::sql_common) set up.
#[doc(hidden)]
#[macro_export]
macro_rules! sql_audit {
    ($store:ty) => {
        #[$crate::deps::async_trait::async_trait]
        impl AuditStore for $store {
            async fn record_admin_event(&self, e: &NewAdminEvent) -> Result<AdminEvent> {
                let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                let prev: String =
                    sqlx::query_scalar("UPDATE admin_chain SET length = length + 1 WHERE id = 1 RETURNING head_hash")
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(db_err("claim admin chain"))?;
                let data = to_json(&e.data);
                let hash = admin_event_hash(&prev, e, &data);
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO admin_events (at, actor_id, actor, kind, target, data, prev_hash, hash) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                )
                .bind(ms(e.at))
                .bind(e.actor_id.map(|p| p.0))
                .bind(&e.actor)
                .bind(&e.kind)
                .bind(&e.target)
                .bind(&data)
                .bind(&prev)
                .bind(&hash)
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err("insert admin event"))?;
                sqlx::query("UPDATE admin_chain SET head_hash = $1 WHERE id = 1")
                    .bind(&hash)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err("admin chain head"))?;
                tx.commit().await.map_err(db_err("commit"))?;
                Ok(AdminEvent { id, fields: e.clone() })
            }

            async fn admin_events(&self, before: Option<i64>, limit: u32) -> Result<Vec<AdminEvent>> {
                let rows = sqlx::query(
                    "SELECT id, at, actor_id, actor, kind, target, data FROM admin_events \
                     WHERE id < $1 ORDER BY id DESC LIMIT $2",
                )
                .bind(before.unwrap_or(i64::MAX))
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await
                .map_err(db_err("admin events"))?;
                let g = db_err("read admin event");
                rows.iter()
                    .map(|r| {
                        Ok(AdminEvent {
                            id: r.try_get("id").map_err(&g)?,
                            fields: NewAdminEvent {
                                at: ts(r.try_get("at").map_err(&g)?)?,
                                actor_id: r.try_get::<Option<i64>, _>("actor_id").map_err(&g)?.map(PersonId),
                                actor: r.try_get("actor").map_err(&g)?,
                                kind: r.try_get("kind").map_err(&g)?,
                                target: r.try_get("target").map_err(&g)?,
                                data: json("admin event data", &r.try_get::<String, _>("data").map_err(&g)?)?,
                            },
                        })
                    })
                    .collect()
            }

            async fn verify_admin_events(&self) -> Result<ChainReport> {
                let g = db_err("read admin events");
                let select = "SELECT id, at, actor_id, actor, kind, target, data, prev_hash, hash FROM admin_events \
                              WHERE id > $1 ORDER BY id LIMIT 10000";
                walk_chain(&self.pool, select, "admin_chain", false, |r, prev| {
                    let again = admin_hash_of(
                        prev,
                        r.try_get("at").map_err(&g)?,
                        r.try_get::<Option<i64>, _>("actor_id").map_err(&g)?,
                        &r.try_get::<String, _>("actor").map_err(&g)?,
                        &r.try_get::<String, _>("kind").map_err(&g)?,
                        &r.try_get::<String, _>("target").map_err(&g)?,
                        &r.try_get::<String, _>("data").map_err(&g)?,
                    );
                    Ok((None, again))
                })
                .await
            }
        }
    };
}
