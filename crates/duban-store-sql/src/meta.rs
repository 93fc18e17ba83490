//! Health, row counts and small settings: the SQL of `MetaStore`.

/// Implements [`MetaStore`](duban_store::MetaStore) for `$store`; invoked by [`sql_store!`](crate::sql_store)
/// inside the block that [`sql_common!`](crate::sql_common) set up.
#[doc(hidden)]
#[macro_export]
macro_rules! sql_meta {
    ($store:ty) => {
        #[$crate::deps::async_trait::async_trait]
        impl MetaStore for $store {
            fn backend(&self) -> &'static str {
                BACKEND
            }

            async fn ping(&self) -> Result<()> {
                sqlx::query("SELECT 1").execute(&self.pool).await.map_err(db_err("ping"))?;
                Ok(())
            }

            async fn counts(&self) -> Result<Counts> {
                let r = sqlx::query(
                    "SELECT (SELECT COUNT(*) FROM units) AS units, (SELECT COUNT(*) FROM people) AS people, \
                     (SELECT COUNT(*) FROM tasks) AS tasks, (SELECT COUNT(*) FROM task_events) AS task_events, \
                     (SELECT COUNT(*) FROM notices) AS notices, (SELECT COUNT(*) FROM admin_events) AS admin_events",
                )
                .fetch_one(&self.pool)
                .await
                .map_err(db_err("counts"))?;
                let g = db_err("read counts");
                Ok(Counts {
                    units: r.try_get("units").map_err(&g)?,
                    people: r.try_get("people").map_err(&g)?,
                    tasks: r.try_get("tasks").map_err(&g)?,
                    task_events: r.try_get("task_events").map_err(&g)?,
                    notices: r.try_get("notices").map_err(&g)?,
                    admin_events: r.try_get("admin_events").map_err(&g)?,
                })
            }

            async fn get_meta(&self, key: &str) -> Result<Option<String>> {
                sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
                    .bind(key)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_err("get meta"))
            }

            async fn set_meta(&self, key: &str, value: &str) -> Result<()> {
                sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
                    .bind(key)
                    .bind(value)
                    .execute(&self.pool)
                    .await
                    .map_err(db_err("set meta"))?;
                Ok(())
            }
        }
    };
}
