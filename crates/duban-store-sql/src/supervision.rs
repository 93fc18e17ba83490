//! The supervision engine's records (督办 notices and naming candidates): the SQL of `SupervisionStore`.

/// Implements [`SupervisionStore`](duban_store::SupervisionStore) for `$store`; invoked by [`sql_store!`](crate::sql_store)
/// inside the block that [`sql_common!`](crate::sql_common) set up.
#[doc(hidden)]
#[macro_export]
macro_rules! sql_supervision {
    ($store:ty) => {
        fn notice_from_row(r: &DbRow) -> Result<Notice> {
            let g = db_err("read notice");
            Ok(Notice {
                id: r.try_get("id").map_err(&g)?,
                number: r.try_get("number").map_err(&g)?,
                task_id: TaskId(r.try_get("task_id").map_err(&g)?),
                stage: r.try_get("stage").map_err(&g)?,
                round: r.try_get("round").map_err(&g)?,
                issued_at: ts(r.try_get("issued_at").map_err(&g)?)?,
                answer_by: code("answer_by", &r.try_get::<String, _>("answer_by").map_err(&g)?)?,
                answered_at: ts_opt(r.try_get("answered_at").map_err(&g)?)?,
                recipients: unit_list(&r.try_get::<String, _>("recipients").map_err(&g)?)?,
                text: r.try_get("text").map_err(&g)?,
            })
        }

        /// The units of a notice's 主送, kept as their ids separated by commas.
        fn unit_list(text: &str) -> Result<Vec<UnitId>> {
            text.split(',')
                .filter(|s| !s.is_empty())
                .map(|s| code::<i64>("notice recipients", s).map(UnitId))
                .collect()
        }

        fn naming_from_row(r: &DbRow) -> Result<Naming> {
            let g = db_err("read naming");
            Ok(Naming {
                id: r.try_get("id").map_err(&g)?,
                naming: NewNaming {
                    dedup_key: r.try_get("dedup_key").map_err(&g)?,
                    task_id: TaskId(r.try_get("task_id").map_err(&g)?),
                    unit_id: r.try_get::<Option<i64>, _>("unit_id").map_err(&g)?.map(UnitId),
                    person_id: r.try_get::<Option<i64>, _>("person_id").map_err(&g)?.map(PersonId),
                    created_at: ts(r.try_get("created_at").map_err(&g)?)?,
                    reason: r.try_get("reason").map_err(&g)?,
                },
            })
        }

        #[$crate::deps::async_trait::async_trait]
        impl SupervisionStore for $store {
            async fn record_supervision(&self, list: &[Supervision]) -> Result<Vec<Option<Notice>>> {
                let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                let mut out = Vec::with_capacity(list.len());
                for s in list {
                    let n = &s.notice;
                    // The number is taken first and given back if the notice exists: no lookup
                    // by dedup key that a stale plan could turn into a scan of a growing table.
                    // Numbered by the year the notice is issued in, not the year it is answered by.
                    let year = duban_domain::notice::year_of(n.issued_on);
                    let seq: i64 = sqlx::query_scalar(
                        "INSERT INTO notice_numbers (year, last) VALUES ($1, 1) \
                         ON CONFLICT (year) DO UPDATE SET last = notice_numbers.last + 1 RETURNING last",
                    )
                    .bind(i64::from(year))
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db_err("number notice"))?;
                    let number = duban_domain::notice::number(year, seq);
                    let id: Option<i64> = sqlx::query_scalar(
                        "INSERT INTO notices (number, dedup_key, task_id, stage, round, issued_at, answer_by, recipients, text) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (dedup_key) DO NOTHING RETURNING id",
                    )
                    .bind(&number)
                    .bind(&n.dedup_key)
                    .bind(n.task_id.0)
                    .bind(&n.stage)
                    .bind(n.round)
                    .bind(ms(n.issued_at))
                    .bind(n.answer_by.to_string())
                    .bind(n.recipients.iter().map(|u| u.0.to_string()).collect::<Vec<_>>().join(","))
                    .bind(&n.text)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_err("insert notice"))?;
                    let Some(id) = id else {
                        sqlx::query("UPDATE notice_numbers SET last = last - 1 WHERE year = $1")
                            .bind(i64::from(year))
                            .execute(&mut *tx)
                            .await
                            .map_err(db_err("number notice"))?;
                        out.push(None);
                        continue;
                    };
                    let numbered = |text: &str| text.replace(NUMBER, &number);
                    let data = json("event data", &numbered(&to_json(&s.event.data)))?;
                    insert_event(&mut tx, n.task_id.0, &NewEvent { data, ..s.event.clone() }).await?;
                    for m in &s.messages {
                        let m = NewMessage { subject: numbered(&m.subject), body: numbered(&m.body), ..m.clone() };
                        insert_message(&mut tx, &m).await?;
                    }
                    for c in &s.naming {
                        let c = NewNaming { reason: numbered(&c.reason), ..c.clone() };
                        sqlx::query(
                            "INSERT INTO naming_candidates (dedup_key, task_id, unit_id, person_id, created_at, reason) \
                             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (dedup_key) DO NOTHING",
                        )
                        .bind(&c.dedup_key)
                        .bind(c.task_id.0)
                        .bind(c.unit_id.map(|u| u.0))
                        .bind(c.person_id.map(|p| p.0))
                        .bind(ms(c.created_at))
                        .bind(&c.reason)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err("add naming"))?;
                    }
                    out.push(Some(Notice {
                        id,
                        number,
                        task_id: n.task_id,
                        stage: n.stage.clone(),
                        round: n.round,
                        issued_at: n.issued_at,
                        answer_by: n.answer_by,
                        answered_at: None,
                        recipients: n.recipients.clone(),
                        text: n.text.clone(),
                    }));
                }
                tx.commit().await.map_err(db_err("commit"))?;
                Ok(out)
            }

            async fn supervision_records(
                &self,
                notices_of: &[TaskId],
                activity_of: &[TaskId],
            ) -> Result<SupervisionRecords> {
                let mut conn = self.pool.acquire().await.map_err(db_err("acquire"))?;
                let mut out = SupervisionRecords::default();
                if !notices_of.is_empty() {
                    let mut qb = QueryBuilder::<Db>::new("SELECT * FROM notices WHERE task_id IN (");
                    push_list(&mut qb, notices_of.iter().map(|id| id.0));
                    qb.push(") ORDER BY id");
                    let rows = qb.build().fetch_all(&mut *conn).await.map_err(db_err("task notices"))?;
                    out.notices = rows.iter().map(notice_from_row).collect::<Result<Vec<_>>>()?;
                }
                if !activity_of.is_empty() {
                    let mut qb = QueryBuilder::<Db>::new("SELECT task_id, kind, at FROM task_events WHERE task_id IN (");
                    push_list(&mut qb, activity_of.iter().map(|id| id.0));
                    qb.push(") ORDER BY task_id, id");
                    let rows = qb.build().fetch_all(&mut *conn).await.map_err(db_err("task activity"))?;
                    let g = db_err("read activity");
                    out.activity = rows
                        .iter()
                        .map(|r| {
                            Ok(Activity {
                                task_id: TaskId(r.try_get("task_id").map_err(&g)?),
                                kind: r.try_get("kind").map_err(&g)?,
                                at: ts(r.try_get("at").map_err(&g)?)?,
                            })
                        })
                        .collect::<Result<Vec<_>>>()?;
                }
                Ok(out)
            }

            async fn list_notices(&self) -> Result<Vec<Notice>> {
                all_rows(&self.pool, "SELECT * FROM notices ORDER BY id", "list notices", notice_from_row).await
            }

            async fn notice(&self, id: i64) -> Result<Option<Notice>> {
                let row = sqlx::query("SELECT * FROM notices WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_err("read notice"))?;
                row.as_ref().map(notice_from_row).transpose()
            }

            async fn naming_between(&self, from: Timestamp, to: Timestamp) -> Result<Vec<Naming>> {
                let rows = sqlx::query(
                    "SELECT * FROM naming_candidates WHERE created_at >= $1 AND created_at < $2 ORDER BY id",
                )
                .bind(ms(from))
                .bind(ms(to))
                .fetch_all(&self.pool)
                .await
                .map_err(db_err("naming between"))?;
                rows.iter().map(naming_from_row).collect()
            }

            async fn list_naming(&self) -> Result<Vec<Naming>> {
                all_rows(&self.pool, "SELECT * FROM naming_candidates ORDER BY id", "list naming", naming_from_row).await
            }
        }
    };
}
