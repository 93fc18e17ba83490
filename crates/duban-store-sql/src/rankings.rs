//! Saved scoring profiles and issued rankings: the SQL of `RankingStore`. Issued rankings are
//! append-only (triggers in both backends' migration 0015); the frozen ranking is kept as JSON.

/// Implements [`RankingStore`](duban_store::RankingStore) for `$store`; invoked by
/// [`sql_store!`](crate::sql_store) inside the block that [`sql_common!`](crate::sql_common) set up.
#[doc(hidden)]
#[macro_export]
macro_rules! sql_rankings {
    ($store:ty) => {
        use $crate::deps::duban_store::rankings::{IssuedRanking, NewIssuedRanking, SavedProfile};

        const ISSUED_COLUMNS: &str = "id, profile, profile_toml, period, revision, supersedes, reason, ranking, \
             issued_at, issued_by";

        fn saved_from_row(r: &DbRow) -> Result<SavedProfile> {
            let g = db_err("read saved profile");
            Ok(SavedProfile {
                name: r.try_get("name").map_err(&g)?,
                toml: r.try_get("toml").map_err(&g)?,
                saved_at: ts(r.try_get("saved_at").map_err(&g)?)?,
                saved_by: r.try_get::<Option<i64>, _>("saved_by").map_err(&g)?.map(PersonId),
            })
        }

        fn issued_from_row(r: &DbRow) -> Result<IssuedRanking> {
            let g = db_err("read issued ranking");
            let ranking: String = r.try_get("ranking").map_err(&g)?;
            Ok(IssuedRanking {
                id: r.try_get("id").map_err(&g)?,
                fields: NewIssuedRanking {
                    profile: r.try_get("profile").map_err(&g)?,
                    profile_toml: r.try_get("profile_toml").map_err(&g)?,
                    period: r.try_get("period").map_err(&g)?,
                    revision: r.try_get("revision").map_err(&g)?,
                    supersedes: r.try_get("supersedes").map_err(&g)?,
                    reason: r.try_get("reason").map_err(&g)?,
                    ranking: json("issued ranking", &ranking)?,
                    issued_at: ts(r.try_get("issued_at").map_err(&g)?)?,
                    issued_by: r.try_get::<Option<i64>, _>("issued_by").map_err(&g)?.map(PersonId),
                },
            })
        }

        #[$crate::deps::async_trait::async_trait]
        impl RankingStore for $store {
            async fn saved_profiles(&self) -> Result<Vec<SavedProfile>> {
                all_rows(
                    &self.pool,
                    "SELECT name, toml, saved_at, saved_by FROM scoring_profiles ORDER BY name",
                    "saved profiles",
                    saved_from_row,
                )
                .await
            }

            async fn saved_profile(&self, name: &str) -> Result<Option<SavedProfile>> {
                let row = sqlx::query("SELECT name, toml, saved_at, saved_by FROM scoring_profiles WHERE name = $1")
                    .bind(name)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_err("saved profile"))?;
                row.as_ref().map(saved_from_row).transpose()
            }

            async fn save_profile(&self, p: &SavedProfile) -> Result<()> {
                sqlx::query(
                    "INSERT INTO scoring_profiles (name, toml, saved_at, saved_by) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (name) DO UPDATE SET toml = excluded.toml, saved_at = excluded.saved_at, \
                     saved_by = excluded.saved_by",
                )
                .bind(&p.name)
                .bind(&p.toml)
                .bind(ms(p.saved_at))
                .bind(p.saved_by.map(|x| x.0))
                .execute(&self.pool)
                .await
                .map_err(db_err("save profile"))?;
                Ok(())
            }

            async fn delete_profile(&self, name: &str) -> Result<bool> {
                let r = sqlx::query("DELETE FROM scoring_profiles WHERE name = $1")
                    .bind(name)
                    .execute(&self.pool)
                    .await
                    .map_err(db_err("delete profile"))?;
                Ok(r.rows_affected() > 0)
            }

            async fn issue_ranking(&self, r: &NewIssuedRanking) -> Result<IssuedRanking> {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO rankings (profile, profile_toml, period, revision, supersedes, reason, ranking, \
                     issued_at, issued_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                )
                .bind(&r.profile)
                .bind(&r.profile_toml)
                .bind(&r.period)
                .bind(r.revision)
                .bind(r.supersedes)
                .bind(&r.reason)
                .bind(to_json(&r.ranking))
                .bind(ms(r.issued_at))
                .bind(r.issued_by.map(|x| x.0))
                .fetch_one(&self.pool)
                .await
                .map_err(db_err("issue ranking"))?;
                Ok(IssuedRanking { id, fields: r.clone() })
            }

            async fn issued_rankings(&self, profile: Option<&str>, period: Option<&str>) -> Result<Vec<IssuedRanking>> {
                let mut qb = QueryBuilder::<Db>::new(format!("SELECT {ISSUED_COLUMNS} FROM rankings WHERE 1 = 1"));
                if let Some(p) = profile {
                    qb.push(" AND profile = ").push_bind(p.to_string());
                }
                if let Some(p) = period {
                    qb.push(" AND period = ").push_bind(p.to_string());
                }
                qb.push(" ORDER BY id DESC");
                let rows = qb.build().fetch_all(&self.pool).await.map_err(db_err("issued rankings"))?;
                rows.iter().map(issued_from_row).collect()
            }

            async fn issued_ranking(&self, id: i64) -> Result<Option<IssuedRanking>> {
                let row = sqlx::query(&format!("SELECT {ISSUED_COLUMNS} FROM rankings WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_err("issued ranking"))?;
                row.as_ref().map(issued_from_row).transpose()
            }
        }
    };
}
