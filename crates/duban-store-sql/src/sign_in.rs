//! Credentials and sessions: the SQL of `SignInStore`.

/// Implements [`SignInStore`](duban_store::SignInStore) for `$store`; invoked by [`sql_store!`](crate::sql_store)
/// inside the block that [`sql_common!`](crate::sql_common) set up.
#[doc(hidden)]
#[macro_export]
macro_rules! sql_sign_in {
    ($store:ty) => {
        #[$crate::deps::async_trait::async_trait]
        impl SignInStore for $store {
            async fn set_password(&self, person: PersonId, hash: &str, at: Timestamp) -> Result<()> {
                sqlx::query(
                    "INSERT INTO credentials (person_id, password_hash, failures, locked_until, updated_at) \
                     VALUES ($1, $2, 0, NULL, $3) ON CONFLICT (person_id) DO UPDATE SET \
                     password_hash = excluded.password_hash, failures = 0, locked_until = NULL, updated_at = excluded.updated_at",
                )
                .bind(person.0)
                .bind(hash)
                .bind(ms(at))
                .execute(&self.pool)
                .await
                .map_err(db_err("set password"))?;
                Ok(())
            }

            async fn credential(&self, username: &str) -> Result<Option<Credential>> {
                let row = sqlx::query(
                    "SELECT p.*, c.password_hash, c.failures, c.locked_until FROM people p \
                     JOIN credentials c ON c.person_id = p.id WHERE p.username = $1 AND p.active",
                )
                .bind(username)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err("credential"))?;
                let Some(r) = row else { return Ok(None) };
                let g = db_err("read credential");
                Ok(Some(Credential {
                    person: person_from_row(&r)?,
                    password_hash: r.try_get("password_hash").map_err(&g)?,
                    failures: r.try_get("failures").map_err(&g)?,
                    locked_until: ts_opt(r.try_get("locked_until").map_err(&g)?)?,
                }))
            }

            async fn record_sign_in(&self, person: PersonId, failed: Option<Timestamp>) -> Result<()> {
                let q = match failed {
                    Some(until) => sqlx::query(
                        "UPDATE credentials SET failures = failures + 1, locked_until = $2 WHERE person_id = $1",
                    )
                    .bind(person.0)
                    .bind(ms(until)),
                    None => sqlx::query("UPDATE credentials SET failures = 0, locked_until = NULL WHERE person_id = $1")
                        .bind(person.0),
                };
                q.execute(&self.pool).await.map_err(db_err("record sign-in"))?;
                Ok(())
            }

            async fn create_session(&self, s: &Session) -> Result<()> {
                sqlx::query(
                    "INSERT INTO sessions (token_hash, person_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&s.token_hash)
                .bind(s.person_id.0)
                .bind(&s.csrf)
                .bind(ms(s.created_at))
                .bind(ms(s.expires_at))
                .execute(&self.pool)
                .await
                .map_err(db_err("create session"))?;
                Ok(())
            }

            async fn session(&self, token_hash: &str, now: Timestamp) -> Result<Option<Session>> {
                let row = sqlx::query("SELECT * FROM sessions WHERE token_hash = $1 AND expires_at > $2")
                    .bind(token_hash)
                    .bind(ms(now))
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_err("session"))?;
                let Some(r) = row else { return Ok(None) };
                let g = db_err("read session");
                Ok(Some(Session {
                    token_hash: r.try_get("token_hash").map_err(&g)?,
                    person_id: PersonId(r.try_get("person_id").map_err(&g)?),
                    csrf: r.try_get("csrf").map_err(&g)?,
                    created_at: ts(r.try_get("created_at").map_err(&g)?)?,
                    expires_at: ts(r.try_get("expires_at").map_err(&g)?)?,
                }))
            }

            async fn delete_session(&self, token_hash: &str) -> Result<()> {
                sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                    .bind(token_hash)
                    .execute(&self.pool)
                    .await
                    .map_err(db_err("delete session"))?;
                Ok(())
            }

            async fn delete_sessions_of(&self, person: PersonId) -> Result<u64> {
                let done = sqlx::query("DELETE FROM sessions WHERE person_id = $1")
                    .bind(person.0)
                    .execute(&self.pool)
                    .await
                    .map_err(db_err("delete sessions"))?;
                Ok(done.rows_affected())
            }
        }
    };
}
