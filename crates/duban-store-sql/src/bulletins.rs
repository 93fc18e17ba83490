//! Monthly bulletins: the SQL of `BulletinStore`. An issued row is immutable by the migration's
//! triggers; here every write to a draft also says `AND status = 'draft'`, so a write that lost
//! the race to the issue answers `Conflict` rather than the trigger's error.

/// Implements [`BulletinStore`](duban_store::BulletinStore) for `$store`; invoked by
/// [`sql_store!`](crate::sql_store) inside the block that [`sql_common!`](crate::sql_common) set up.
#[doc(hidden)]
#[macro_export]
macro_rules! sql_bulletins {
    ($store:ty) => {
        use $crate::deps::duban_domain::bulletin::Body as BulletinBody;
        use $crate::deps::duban_store::bulletins::{
            Bulletin, BulletinNaming, DueCount, DueTask, Issue as BulletinIssue, NewBulletin,
        };

        const BULLETIN_COLUMNS: &str = "id, month, status, title, year, seq, number, recipients, body, created_at, \
            created_by, updated_at, updated_by, issued_at, issued_by, issued_on";

        fn bulletin_from_row(r: &DbRow) -> Result<Bulletin> {
            let g = db_err("read bulletin");
            let status: String = r.try_get("status").map_err(&g)?;
            let body: String = r.try_get("body").map_err(&g)?;
            let issued_on: Option<String> = r.try_get("issued_on").map_err(&g)?;
            Ok(Bulletin {
                id: r.try_get("id").map_err(&g)?,
                month: r.try_get("month").map_err(&g)?,
                issued: status == "issued",
                title: r.try_get("title").map_err(&g)?,
                number: r.try_get("number").map_err(&g)?,
                year: r.try_get("year").map_err(&g)?,
                seq: r.try_get("seq").map_err(&g)?,
                recipients: r.try_get("recipients").map_err(&g)?,
                body: json::<BulletinBody>("bulletin body", &body)?,
                created_at: ts(r.try_get("created_at").map_err(&g)?)?,
                created_by: r.try_get::<Option<i64>, _>("created_by").map_err(&g)?.map(PersonId),
                updated_at: ts(r.try_get("updated_at").map_err(&g)?)?,
                updated_by: r.try_get::<Option<i64>, _>("updated_by").map_err(&g)?.map(PersonId),
                issued_at: ts_opt(r.try_get("issued_at").map_err(&g)?)?,
                issued_by: r.try_get::<Option<i64>, _>("issued_by").map_err(&g)?.map(PersonId),
                issued_on: issued_on.map(|d| code("bulletin day", &d)).transpose()?,
            })
        }

        fn due_task_from_row(r: &DbRow) -> Result<DueTask> {
            let g = db_err("read due task");
            Ok(DueTask {
                id: TaskId(r.try_get("id").map_err(&g)?),
                number: r.try_get("number").map_err(&g)?,
                title: r.try_get("title").map_err(&g)?,
                source: r.try_get("source").map_err(&g)?,
                priority: r.try_get("priority").map_err(&g)?,
                classification: r.try_get("classification").map_err(&g)?,
                status: r.try_get("status").map_err(&g)?,
                due_at: ts_opt(r.try_get("f_due").map_err(&g)?)?,
                stopped_at: ts_opt(r.try_get("f_stopped").map_err(&g)?)?,
            })
        }

        async fn bulletin_by_id(pool: &sqlx::Pool<Db>, id: i64) -> Result<Option<Bulletin>> {
            let row = sqlx::query(&format!("SELECT {BULLETIN_COLUMNS} FROM bulletins WHERE id = $1"))
                .bind(id)
                .fetch_optional(pool)
                .await
                .map_err(db_err("bulletin"))?;
            row.as_ref().map(bulletin_from_row).transpose()
        }

        /// Why a write to a bulletin changed nothing: it is missing, or issued.
        async fn not_a_draft(pool: &sqlx::Pool<Db>, id: i64) -> Error {
            match bulletin_by_id(pool, id).await {
                Ok(Some(_)) => Error::Conflict("通报已印发，不能再修改或删除".into()),
                Ok(None) => Error::not_found(format!("通报 {id}")),
                Err(e) => e,
            }
        }

        #[$crate::deps::async_trait::async_trait]
        impl BulletinStore for $store {
            async fn create_bulletin(&self, b: &NewBulletin) -> Result<Bulletin> {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO bulletins (month, status, title, recipients, body, created_at, created_by, \
                     updated_at, updated_by) VALUES ($1, 'draft', $2, $3, $4, $5, $6, $5, $6) RETURNING id",
                )
                .bind(&b.month)
                .bind(&b.title)
                .bind(&b.recipients)
                .bind(to_json(&b.body))
                .bind(ms(b.at))
                .bind(b.by.map(|p| p.0))
                .fetch_one(&self.pool)
                .await
                .map_err(db_err("create bulletin"))?;
                bulletin_by_id(&self.pool, id).await?.ok_or(Error::Internal)
            }

            async fn bulletin(&self, id: i64) -> Result<Option<Bulletin>> {
                bulletin_by_id(&self.pool, id).await
            }

            async fn list_bulletins(&self, issued_only: bool) -> Result<Vec<Bulletin>> {
                let filter = if issued_only { "WHERE status = 'issued'" } else { "" };
                all_rows(
                    &self.pool,
                    &format!("SELECT {BULLETIN_COLUMNS} FROM bulletins {filter} ORDER BY month DESC, id DESC"),
                    "list bulletins",
                    bulletin_from_row,
                )
                .await
            }

            async fn update_draft(
                &self,
                id: i64,
                title: &str,
                recipients: &str,
                body: &BulletinBody,
                at: Timestamp,
                by: Option<PersonId>,
            ) -> Result<Bulletin> {
                let n = sqlx::query(
                    "UPDATE bulletins SET title = $1, recipients = $2, body = $3, updated_at = $4, updated_by = $5 \
                     WHERE id = $6 AND status = 'draft'",
                )
                .bind(title)
                .bind(recipients)
                .bind(to_json(body))
                .bind(ms(at))
                .bind(by.map(|p| p.0))
                .bind(id)
                .execute(&self.pool)
                .await
                .map_err(db_err("update bulletin"))?
                .rows_affected();
                if n == 0 {
                    return Err(not_a_draft(&self.pool, id).await);
                }
                bulletin_by_id(&self.pool, id).await?.ok_or(Error::Internal)
            }

            async fn delete_draft(&self, id: i64) -> Result<()> {
                let n = sqlx::query("DELETE FROM bulletins WHERE id = $1 AND status = 'draft'")
                    .bind(id)
                    .execute(&self.pool)
                    .await
                    .map_err(db_err("delete bulletin"))?
                    .rows_affected();
                if n == 0 {
                    return Err(not_a_draft(&self.pool, id).await);
                }
                Ok(())
            }

            async fn next_bulletin_seq(&self, year: i64) -> Result<i64> {
                sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) + 1 FROM bulletins WHERE year = $1")
                    .bind(year)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(db_err("next bulletin number"))
            }

            async fn issue_bulletin(&self, id: i64, i: &BulletinIssue) -> Result<Bulletin> {
                let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                let n = sqlx::query(
                    "UPDATE bulletins SET status = 'issued', year = $1, seq = $2, number = $3, title = $4, \
                     recipients = $5, body = $6, issued_at = $7, issued_by = $8, issued_on = $9, docx = $10, \
                     updated_at = $7, updated_by = $8 WHERE id = $11 AND status = 'draft'",
                )
                .bind(i.year)
                .bind(i.seq)
                .bind(&i.number)
                .bind(&i.title)
                .bind(&i.recipients)
                .bind(to_json(&i.body))
                .bind(ms(i.at))
                .bind(i.by.map(|p| p.0))
                .bind(i.on.to_string())
                .bind(i.docx.clone())
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(db_err("issue bulletin"))?
                .rows_affected();
                if n == 0 {
                    drop(tx);
                    return Err(not_a_draft(&self.pool, id).await);
                }
                for chunk in i.namings.chunks(BATCH_ROWS) {
                    let mut qb = QueryBuilder::<Db>::new(
                        "INSERT INTO bulletin_namings (bulletin_id, unit_id, person_id, task_id, reason) ",
                    );
                    qb.push_values(chunk, |mut b, n| {
                        b.push_bind(id)
                            .push_bind(n.unit_id.0)
                            .push_bind(n.person_id.map(|p| p.0))
                            .push_bind(n.task_id.map(|t| t.0))
                            .push_bind(n.reason.clone());
                    });
                    qb.build().execute(&mut *tx).await.map_err(db_err("bulletin namings"))?;
                }
                tx.commit().await.map_err(db_err("commit"))?;
                bulletin_by_id(&self.pool, id).await?.ok_or(Error::Internal)
            }

            async fn bulletin_docx(&self, id: i64) -> Result<Option<Vec<u8>>> {
                let v: Option<Option<Vec<u8>>> =
                    sqlx::query_scalar("SELECT docx FROM bulletins WHERE id = $1 AND status = 'issued'")
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(db_err("bulletin docx"))?;
                Ok(v.flatten())
            }

            async fn bulletin_namings(&self, id: i64) -> Result<Vec<BulletinNaming>> {
                let rows = sqlx::query(
                    "SELECT unit_id, person_id, task_id, reason FROM bulletin_namings WHERE bulletin_id = $1 ORDER BY id",
                )
                .bind(id)
                .fetch_all(&self.pool)
                .await
                .map_err(db_err("bulletin namings"))?;
                let g = db_err("read bulletin naming");
                rows.iter()
                    .map(|r| {
                        Ok(BulletinNaming {
                            unit_id: UnitId(r.try_get("unit_id").map_err(&g)?),
                            person_id: r.try_get::<Option<i64>, _>("person_id").map_err(&g)?.map(PersonId),
                            task_id: r.try_get::<Option<i64>, _>("task_id").map_err(&g)?.map(TaskId),
                            reason: r.try_get("reason").map_err(&g)?,
                        })
                    })
                    .collect()
            }

            async fn due_counts(&self, from: Date, to: Date, as_of: Timestamp) -> Result<Vec<DueCount>> {
                let rows = sqlx::query(
                    "SELECT f.source AS source, f.priority AS priority, \
                     CASE WHEN f.stopped_at IS NULL AND f.due_at < $3 THEN 'overdue' \
                          WHEN f.stopped_at IS NULL THEN 'open' \
                          WHEN f.stopped_at <= f.due_at THEN 'on_time' ELSE 'late' END AS outcome, \
                     COUNT(DISTINCT f.task_id) AS n \
                     FROM assessment_facts f \
                     WHERE f.indicator = 'done' AND f.role = 'lead' AND f.day >= $1 AND f.day <= $2 \
                     GROUP BY f.source, f.priority, \
                     CASE WHEN f.stopped_at IS NULL AND f.due_at < $3 THEN 'overdue' \
                          WHEN f.stopped_at IS NULL THEN 'open' \
                          WHEN f.stopped_at <= f.due_at THEN 'on_time' ELSE 'late' END",
                )
                .bind(from.to_string())
                .bind(to.to_string())
                .bind(ms(as_of))
                .fetch_all(&self.pool)
                .await
                .map_err(db_err("due counts"))?;
                let g = db_err("read due counts");
                rows.iter()
                    .map(|r| {
                        Ok(DueCount {
                            source: r.try_get("source").map_err(&g)?,
                            priority: r.try_get("priority").map_err(&g)?,
                            outcome: r.try_get("outcome").map_err(&g)?,
                            count: r.try_get("n").map_err(&g)?,
                        })
                    })
                    .collect()
            }

            async fn due_tasks(
                &self,
                from: Date,
                to: Date,
                source: &str,
                priority: &str,
                limit: u32,
            ) -> Result<Vec<DueTask>> {
                let rows = sqlx::query(
                    "SELECT t.id AS id, t.number AS number, t.title AS title, t.source AS source, \
                     t.priority AS priority, t.classification AS classification, t.status AS status, \
                     MIN(f.due_at) AS f_due, MAX(f.stopped_at) AS f_stopped \
                     FROM assessment_facts f JOIN tasks t ON t.id = f.task_id \
                     WHERE f.indicator = 'done' AND f.role = 'lead' AND f.day >= $1 AND f.day <= $2 \
                     AND (f.source = $3 OR f.priority = $4) \
                     GROUP BY t.id, t.number, t.title, t.source, t.priority, t.classification, t.status \
                     ORDER BY MIN(f.due_at), t.id LIMIT $5",
                )
                .bind(from.to_string())
                .bind(to.to_string())
                .bind(source)
                .bind(priority)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await
                .map_err(db_err("due tasks"))?;
                rows.iter().map(due_task_from_row).collect()
            }

            async fn bulletin_tasks(&self, ids: &[TaskId]) -> Result<Vec<DueTask>> {
                let mut out = Vec::new();
                for chunk in ids.chunks(BATCH_ROWS) {
                    let mut qb = QueryBuilder::<Db>::new(
                        "SELECT id, number, title, source, priority, classification, status, due_at AS f_due, \
                         CAST(NULL AS BIGINT) AS f_stopped FROM tasks WHERE id IN (",
                    );
                    push_list(&mut qb, chunk.iter().map(|t| t.0));
                    qb.push(") ORDER BY id");
                    for r in qb.build().fetch_all(&self.pool).await.map_err(db_err("bulletin tasks"))? {
                        out.push(due_task_from_row(&r)?);
                    }
                }
                Ok(out)
            }
        }
    };
}
