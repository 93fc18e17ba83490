//! Assessment facts and their daily sums: the SQL of `AssessmentStore`.
//!
//! Every write that adds, removes or moves a fact adds or subtracts its count and amount in
//! `assessment_daily` in the same transaction ([`sql_assessment!`]'s `apply_deltas`), so the daily
//! sums always equal the facts (the store suite checks it after every kind of write).

/// Implements [`AssessmentStore`](duban_store::AssessmentStore) for `$store`; invoked by [`sql_store!`](crate::sql_store)
/// inside the block that [`sql_common!`](crate::sql_common) set up.
#[doc(hidden)]
#[macro_export]
macro_rules! sql_assessment {
    ($store:ty) => {
        use $crate::deps::duban_domain::assessment::fact::EventRecord;
        use $crate::deps::duban_domain::assessment::{Fact, FactOrigin, PartyRole};
        use $crate::deps::duban_store::assessment::{
            Adjustment, AdjustmentRecord, Bucket, DailyTally, LateGroup, StoredFact,
        };
        use $crate::deps::jiff::civil::Date;

        const FACT_COLUMNS: &str =
            "key, origin, task_id, unit_id, role, indicator, day, due_at, stopped_at, stop_day, quantity, adjusted, source, priority";

        /// (day, unit, role, stored indicator, bucket, adjustment) → (count, amount).
        type Deltas = HashMap<(String, i64, String, String, &'static str, String), (i64, i64)>;

        fn add_delta(d: &mut Deltas, f: &Fact, adjusted: &str, sign: i64) {
            let e = d
                .entry((
                    f.day.to_string(),
                    f.unit.0,
                    f.role.code().to_string(),
                    f.indicator.clone(),
                    Bucket::of(f).code(),
                    adjusted.to_string(),
                ))
                .or_insert((0, 0));
            e.0 += sign;
            e.1 += sign * f.quantity;
        }

        async fn apply_deltas(tx: &mut Tx<'_>, d: Deltas) -> Result<()> {
            let rows: Vec<_> = d.into_iter().filter(|(_, (n, a))| *n != 0 || *a != 0).collect();
            for chunk in rows.chunks(BATCH_ROWS) {
                let mut qb = QueryBuilder::<Db>::new(
                    "INSERT INTO assessment_daily (day, unit_id, role, indicator, bucket, adjusted, n, amount) ",
                );
                qb.push_values(chunk, |mut b, ((day, unit, role, ind, bucket, adj), (n, a))| {
                    b.push_bind(day.clone())
                        .push_bind(*unit)
                        .push_bind(role.clone())
                        .push_bind(ind.clone())
                        .push_bind(*bucket)
                        .push_bind(adj.clone())
                        .push_bind(*n)
                        .push_bind(*a);
                });
                qb.push(
                    " ON CONFLICT (day, unit_id, role, indicator, bucket, adjusted) DO UPDATE SET \
                     n = assessment_daily.n + excluded.n, amount = assessment_daily.amount + excluded.amount",
                );
                qb.build().execute(&mut **tx).await.map_err(db_err("daily sums"))?;
            }
            Ok(())
        }

        fn fact_from_row(r: &DbRow) -> Result<StoredFact> {
            let g = db_err("read fact");
            let day: String = r.try_get("day").map_err(&g)?;
            let stop_day: Option<String> = r.try_get("stop_day").map_err(&g)?;
            let origin: String = r.try_get("origin").map_err(&g)?;
            let adjusted: String = r.try_get("adjusted").map_err(&g)?;
            let source: String = r.try_get("source").map_err(&g)?;
            let priority: String = r.try_get("priority").map_err(&g)?;
            let class = if source.is_empty() {
                None
            } else {
                Some((code("fact source", &source)?, code("fact priority", &priority)?))
            };
            Ok(StoredFact {
                fact: Fact {
                    key: r.try_get("key").map_err(&g)?,
                    unit: UnitId(r.try_get("unit_id").map_err(&g)?),
                    role: code::<PartyRole>("fact role", &r.try_get::<String, _>("role").map_err(&g)?)?,
                    indicator: r.try_get("indicator").map_err(&g)?,
                    task: r.try_get::<Option<i64>, _>("task_id").map_err(&g)?.map(TaskId),
                    day: code::<Date>("fact day", &day)?,
                    due_at: ts_opt(r.try_get("due_at").map_err(&g)?)?,
                    stopped_at: ts_opt(r.try_get("stopped_at").map_err(&g)?)?,
                    stop_day: stop_day.map(|s| code::<Date>("fact stop day", &s)).transpose()?,
                    quantity: r.try_get("quantity").map_err(&g)?,
                    origin: if origin == "manual" { FactOrigin::Manual } else { FactOrigin::Task },
                    class,
                },
                adjusted: Adjustment::parse(&adjusted),
            })
        }

        async fn insert_facts(tx: &mut Tx<'_>, facts: &[(&Fact, String)]) -> Result<()> {
            for chunk in facts.chunks(BATCH_ROWS / 2) {
                let mut qb = QueryBuilder::<Db>::new(format!("INSERT INTO assessment_facts ({FACT_COLUMNS}) "));
                qb.push_values(chunk, |mut b, (f, adj)| {
                    b.push_bind(f.key.clone())
                        .push_bind(f.origin.code())
                        .push_bind(f.task.map(|t| t.0))
                        .push_bind(f.unit.0)
                        .push_bind(f.role.code())
                        .push_bind(f.indicator.clone())
                        .push_bind(f.day.to_string())
                        .push_bind(ms_opt(f.due_at))
                        .push_bind(ms_opt(f.stopped_at))
                        .push_bind(f.stop_day.map(|d| d.to_string()))
                        .push_bind(f.quantity)
                        .push_bind(adj.clone())
                        .push_bind(f.class.map(|c| c.0.code()).unwrap_or(""))
                        .push_bind(f.class.map(|c| c.1.code()).unwrap_or(""));
                });
                qb.build().execute(&mut **tx).await.map_err(db_err("insert facts"))?;
            }
            Ok(())
        }

        /// Removes the facts a query selects (with `$1`-free SQL built by the caller), subtracting them.
        async fn remove_facts(tx: &mut Tx<'_>, facts: &[StoredFact], d: &mut Deltas) -> Result<()> {
            for f in facts {
                add_delta(d, &f.fact, f.adjusted.map(|a| a.code()).unwrap_or(""), -1);
            }
            for chunk in facts.chunks(BATCH_ROWS) {
                let mut qb = QueryBuilder::<Db>::new("DELETE FROM assessment_facts WHERE key IN (");
                push_list(&mut qb, chunk.iter().map(|f| f.fact.key.clone()));
                qb.push(")");
                qb.build().execute(&mut **tx).await.map_err(db_err("delete facts"))?;
            }
            Ok(())
        }

        /// Begins a write of facts: holds the assessment lock row until the transaction ends.
        async fn begin_facts(pool: &sqlx::Pool<Db>) -> Result<Tx<'static>> {
            let mut tx = begin_write(pool).await.map_err(db_err("begin"))?;
            sqlx::query("UPDATE meta SET value = value WHERE key = 'assessment_lock'")
                .execute(&mut *tx)
                .await
                .map_err(db_err("assessment lock"))?;
            Ok(tx)
        }

        fn daily_from_row(r: &DbRow, with_day: bool) -> Result<DailyTally> {
            let g = db_err("read daily sum");
            let day: String = if with_day { r.try_get("day").map_err(&g)? } else { "1970-01-01".into() };
            let bucket: String = r.try_get("bucket").map_err(&g)?;
            let adjusted: String = r.try_get("adjusted").map_err(&g)?;
            Ok(DailyTally {
                day: code::<Date>("daily day", &day)?,
                unit: UnitId(r.try_get("unit_id").map_err(&g)?),
                role: r.try_get("role").map_err(&g)?,
                indicator: r.try_get("indicator").map_err(&g)?,
                bucket: Bucket::parse(&bucket).ok_or_else(|| corrupt("daily bucket", &bucket))?,
                adjusted: Adjustment::parse(&adjusted),
                count: r.try_get("n").map_err(&g)?,
                amount: r.try_get("amount").map_err(&g)?,
            })
        }

        #[$crate::deps::async_trait::async_trait]
        impl AssessmentStore for $store {
            async fn tasks_with_events_after(&self, after: i64, limit: u32) -> Result<(Vec<TaskId>, i64)> {
                let rows = sqlx::query("SELECT id, task_id FROM task_events WHERE id > $1 ORDER BY id LIMIT $2")
                    .bind(after)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_err("events after"))?;
                let g = db_err("read events after");
                let mut last = after;
                let mut ids = Vec::new();
                for r in &rows {
                    last = r.try_get("id").map_err(&g)?;
                    ids.push(TaskId(r.try_get("task_id").map_err(&g)?));
                }
                ids.sort();
                ids.dedup();
                Ok((ids, last))
            }

            async fn last_event_id(&self) -> Result<i64> {
                sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM task_events")
                    .fetch_one(&self.pool)
                    .await
                    .map_err(db_err("last event"))
            }

            async fn tasks_by_ids(&self, ids: &[TaskId]) -> Result<Vec<Task>> {
                let mut out = Vec::with_capacity(ids.len());
                let mut conn = self.pool.acquire().await.map_err(db_err("acquire"))?;
                for chunk in ids.chunks(BATCH_ROWS) {
                    let mut qb = QueryBuilder::<Db>::new(format!("SELECT {TASK_COLUMNS} FROM tasks WHERE id IN ("));
                    push_list(&mut qb, chunk.iter().map(|t| t.0));
                    qb.push(") ORDER BY id");
                    let rows = qb.build().fetch_all(&mut *conn).await.map_err(db_err("tasks by ids"))?;
                    out.extend(tasks_from_rows(&mut conn, &rows).await?);
                }
                Ok(out)
            }

            async fn events_for_facts(
                &self,
                ids: &[TaskId],
                kinds: &[EventKind],
            ) -> Result<Vec<(TaskId, EventRecord)>> {
                let mut out = Vec::new();
                if kinds.is_empty() {
                    return Ok(out);
                }
                let g = db_err("read fact events");
                for chunk in ids.chunks(BATCH_ROWS) {
                    let mut qb =
                        QueryBuilder::<Db>::new("SELECT id, task_id, at, kind FROM task_events WHERE task_id IN (");
                    push_list(&mut qb, chunk.iter().map(|t| t.0));
                    qb.push(") AND kind IN (");
                    push_list(&mut qb, kinds.iter().map(|k| k.code()));
                    qb.push(") ORDER BY task_id, id");
                    for r in qb.build().fetch_all(&self.pool).await.map_err(db_err("fact events"))? {
                        let kind: String = r.try_get("kind").map_err(&g)?;
                        out.push((
                            TaskId(r.try_get("task_id").map_err(&g)?),
                            EventRecord {
                                id: r.try_get("id").map_err(&g)?,
                                kind: code("event kind", &kind)?,
                                at: ts(r.try_get("at").map_err(&g)?)?,
                            },
                        ));
                    }
                }
                Ok(out)
            }

            async fn replace_task_facts(&self, tasks: &[TaskId], facts: &[Fact]) -> Result<()> {
                if tasks.is_empty() {
                    return Ok(());
                }
                let mut tx = begin_facts(&self.pool).await?;
                let mut d = Deltas::new();
                let mut adjustments: HashMap<String, String> = HashMap::new();
                for chunk in tasks.chunks(BATCH_ROWS) {
                    let mut qb = QueryBuilder::<Db>::new(format!(
                        "SELECT {FACT_COLUMNS} FROM assessment_facts WHERE origin = 'task' AND task_id IN ("
                    ));
                    push_list(&mut qb, chunk.iter().map(|t| t.0));
                    qb.push(")");
                    let rows = qb.build().fetch_all(&mut *tx).await.map_err(db_err("old facts"))?;
                    let old = rows.iter().map(fact_from_row).collect::<Result<Vec<_>>>()?;
                    remove_facts(&mut tx, &old, &mut d).await?;
                    let mut qb =
                        QueryBuilder::<Db>::new("SELECT fact_key, kind FROM assessment_adjustments WHERE task_id IN (");
                    push_list(&mut qb, chunk.iter().map(|t| t.0));
                    qb.push(")");
                    let g = db_err("read adjustments");
                    for r in qb.build().fetch_all(&mut *tx).await.map_err(db_err("adjustments"))? {
                        adjustments.insert(r.try_get("fact_key").map_err(&g)?, r.try_get("kind").map_err(&g)?);
                    }
                }
                let rows: Vec<(&Fact, String)> =
                    facts.iter().map(|f| (f, adjustments.get(&f.key).cloned().unwrap_or_default())).collect();
                for (f, adj) in &rows {
                    add_delta(&mut d, f, adj, 1);
                }
                insert_facts(&mut tx, &rows).await?;
                apply_deltas(&mut tx, d).await?;
                tx.commit().await.map_err(db_err("commit"))?;
                Ok(())
            }

            async fn clear_task_facts(&self) -> Result<()> {
                let mut tx = begin_facts(&self.pool).await?;
                sqlx::query("DELETE FROM assessment_facts WHERE origin = 'task'")
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err("clear facts"))?;
                sqlx::query("DELETE FROM assessment_daily").execute(&mut *tx).await.map_err(db_err("clear sums"))?;
                let rows = sqlx::query(&format!("SELECT {FACT_COLUMNS} FROM assessment_facts"))
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(db_err("manual facts"))?;
                let mut d = Deltas::new();
                for r in &rows {
                    let f = fact_from_row(r)?;
                    add_delta(&mut d, &f.fact, f.adjusted.map(|a| a.code()).unwrap_or(""), 1);
                }
                apply_deltas(&mut tx, d).await?;
                tx.commit().await.map_err(db_err("commit"))?;
                Ok(())
            }

            async fn put_manual_fact(&self, fact: &Fact) -> Result<()> {
                if fact.origin != FactOrigin::Manual {
                    return Err(Error::invalid("fact", "只能手工录入手工事实"));
                }
                let mut tx = begin_facts(&self.pool).await?;
                let mut d = Deltas::new();
                let rows = sqlx::query(&format!("SELECT {FACT_COLUMNS} FROM assessment_facts WHERE key = $1"))
                    .bind(&fact.key)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(db_err("old fact"))?;
                let old = rows.iter().map(fact_from_row).collect::<Result<Vec<_>>>()?;
                if old.iter().any(|f| f.fact.origin != FactOrigin::Manual) {
                    return Err(Error::Conflict(format!("事实 {} 不是手工录入的", fact.key)));
                }
                remove_facts(&mut tx, &old, &mut d).await?;
                let adj: Option<String> =
                    sqlx::query_scalar("SELECT kind FROM assessment_adjustments WHERE fact_key = $1")
                        .bind(&fact.key)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(db_err("adjustment"))?;
                let adj = adj.unwrap_or_default();
                add_delta(&mut d, fact, &adj, 1);
                insert_facts(&mut tx, &[(fact, adj)]).await?;
                apply_deltas(&mut tx, d).await?;
                tx.commit().await.map_err(db_err("commit"))?;
                Ok(())
            }

            async fn remove_manual_fact(&self, key: &str) -> Result<()> {
                let mut tx = begin_facts(&self.pool).await?;
                let rows = sqlx::query(&format!(
                    "SELECT {FACT_COLUMNS} FROM assessment_facts WHERE key = $1 AND origin = 'manual'"
                ))
                .bind(key)
                .fetch_all(&mut *tx)
                .await
                .map_err(db_err("old fact"))?;
                let old = rows.iter().map(fact_from_row).collect::<Result<Vec<_>>>()?;
                let mut d = Deltas::new();
                remove_facts(&mut tx, &old, &mut d).await?;
                apply_deltas(&mut tx, d).await?;
                tx.commit().await.map_err(db_err("commit"))?;
                Ok(())
            }

            async fn adjust_fact(&self, key: &str, adjustment: Option<&AdjustmentRecord>) -> Result<()> {
                let mut tx = begin_facts(&self.pool).await?;
                let rows = sqlx::query(&format!("SELECT {FACT_COLUMNS} FROM assessment_facts WHERE key = $1"))
                    .bind(key)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(db_err("fact"))?;
                let old = rows.iter().map(fact_from_row).collect::<Result<Vec<_>>>()?;
                let Some(f) = old.first() else {
                    return Err(Error::not_found(format!("考核事实 {key}")));
                };
                sqlx::query("DELETE FROM assessment_adjustments WHERE fact_key = $1")
                    .bind(key)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err("clear adjustment"))?;
                let new = adjustment.map(|a| a.kind.code()).unwrap_or("");
                if let Some(a) = adjustment {
                    sqlx::query(
                        "INSERT INTO assessment_adjustments (fact_key, task_id, kind, reason, person_id, at) \
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(key)
                    .bind(f.fact.task.map(|t| t.0))
                    .bind(a.kind.code())
                    .bind(&a.reason)
                    .bind(a.person_id.map(|p| p.0))
                    .bind(ms(a.at))
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err("record adjustment"))?;
                }
                sqlx::query("UPDATE assessment_facts SET adjusted = $1 WHERE key = $2")
                    .bind(new)
                    .bind(key)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err("adjust fact"))?;
                let mut d = Deltas::new();
                add_delta(&mut d, &f.fact, f.adjusted.map(|a| a.code()).unwrap_or(""), -1);
                add_delta(&mut d, &f.fact, new, 1);
                apply_deltas(&mut tx, d).await?;
                tx.commit().await.map_err(db_err("commit"))?;
                Ok(())
            }

            async fn adjustment(&self, key: &str) -> Result<Option<AdjustmentRecord>> {
                let row = sqlx::query(
                    "SELECT fact_key, kind, reason, person_id, at FROM assessment_adjustments WHERE fact_key = $1",
                )
                .bind(key)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err("adjustment"))?;
                let Some(r) = row else { return Ok(None) };
                let g = db_err("read adjustment");
                let kind: String = r.try_get("kind").map_err(&g)?;
                Ok(Some(AdjustmentRecord {
                    fact_key: r.try_get("fact_key").map_err(&g)?,
                    kind: Adjustment::parse(&kind).ok_or_else(|| corrupt("adjustment kind", &kind))?,
                    reason: r.try_get("reason").map_err(&g)?,
                    person_id: r.try_get::<Option<i64>, _>("person_id").map_err(&g)?.map(PersonId),
                    at: ts(r.try_get("at").map_err(&g)?)?,
                }))
            }

            async fn fact(&self, key: &str) -> Result<Option<StoredFact>> {
                let row = sqlx::query(&format!("SELECT {FACT_COLUMNS} FROM assessment_facts WHERE key = $1"))
                    .bind(key)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_err("fact"))?;
                row.as_ref().map(fact_from_row).transpose()
            }

            async fn daily_tallies(&self, from: Date, to: Date) -> Result<Vec<DailyTally>> {
                let rows = sqlx::query(
                    "SELECT day, unit_id, role, indicator, bucket, adjusted, n, amount FROM assessment_daily \
                     WHERE day >= $1 AND day <= $2 AND (n <> 0 OR amount <> 0)",
                )
                .bind(from.to_string())
                .bind(to.to_string())
                .fetch_all(&self.pool)
                .await
                .map_err(db_err("daily sums"))?;
                rows.iter().map(|r| daily_from_row(r, true)).collect()
            }

            async fn span_tallies(&self, from: Date, to: Date, as_of_day: Date, indicator: Option<&str>) -> Result<Vec<DailyTally>> {
                let rows = sqlx::query(
                    "SELECT unit_id, role, indicator, CASE WHEN bucket = 'open' THEN 'late' ELSE bucket END AS bucket, \
                     adjusted, CAST(SUM(n) AS BIGINT) AS n, CAST(SUM(amount) AS BIGINT) AS amount FROM assessment_daily \
                     WHERE day >= $1 AND day <= $2 AND NOT (bucket = 'open' AND day >= $3) AND ($4 = '' OR indicator = $4) \
                     GROUP BY unit_id, role, indicator, CASE WHEN bucket = 'open' THEN 'late' ELSE bucket END, adjusted \
                     HAVING SUM(n) <> 0 OR SUM(amount) <> 0",
                )
                .bind(from.to_string())
                .bind(to.to_string())
                .bind(as_of_day.to_string())
                .bind(indicator.unwrap_or(""))
                .fetch_all(&self.pool)
                .await
                .map_err(db_err("span sums"))?;
                rows.iter().map(|r| daily_from_row(r, false).map(|t| DailyTally { day: from, ..t })).collect()
            }

            async fn open_due_before(&self, day: Date, before: Timestamp) -> Result<Vec<DailyTally>> {
                let rows = sqlx::query(
                    "SELECT unit_id, role, indicator, 'open' AS bucket, adjusted, COUNT(*) AS n, \
                     CAST(COALESCE(SUM(quantity), 0) AS BIGINT) AS amount FROM assessment_facts \
                     WHERE day = $1 AND due_at IS NOT NULL AND stopped_at IS NULL AND due_at < $2 \
                     GROUP BY unit_id, role, indicator, adjusted",
                )
                .bind(day.to_string())
                .bind(ms(before))
                .fetch_all(&self.pool)
                .await
                .map_err(db_err("open due"))?;
                rows.iter().map(|r| daily_from_row(r, false).map(|t| DailyTally { day, ..t })).collect()
            }

            async fn late_groups(&self, from: Date, to: Date) -> Result<Vec<LateGroup>> {
                let rows = sqlx::query(
                    "SELECT unit_id, role, day, stop_day, adjusted, COUNT(*) AS n FROM assessment_facts \
                     WHERE indicator = 'done' AND (stopped_at IS NULL OR stopped_at > due_at) \
                     AND day >= $1 AND day <= $2 GROUP BY unit_id, role, day, stop_day, adjusted",
                )
                .bind(from.to_string())
                .bind(to.to_string())
                .fetch_all(&self.pool)
                .await
                .map_err(db_err("late groups"))?;
                let g = db_err("read late groups");
                rows.iter()
                    .map(|r| {
                        let day: String = r.try_get("day").map_err(&g)?;
                        let stop: Option<String> = r.try_get("stop_day").map_err(&g)?;
                        let adjusted: String = r.try_get("adjusted").map_err(&g)?;
                        Ok(LateGroup {
                            unit: UnitId(r.try_get("unit_id").map_err(&g)?),
                            role: r.try_get("role").map_err(&g)?,
                            due: code("late day", &day)?,
                            stopped: stop.map(|s| code("late stop day", &s)).transpose()?,
                            adjusted: Adjustment::parse(&adjusted),
                            count: r.try_get("n").map_err(&g)?,
                        })
                    })
                    .collect()
            }

            async fn unit_facts(&self, unit: UnitId, from: Date, to: Date) -> Result<Vec<StoredFact>> {
                let rows = sqlx::query(&format!(
                    "SELECT {FACT_COLUMNS} FROM assessment_facts WHERE unit_id = $1 AND day >= $2 AND day <= $3 \
                     ORDER BY day, key"
                ))
                .bind(unit.0)
                .bind(from.to_string())
                .bind(to.to_string())
                .fetch_all(&self.pool)
                .await
                .map_err(db_err("unit facts"))?;
                rows.iter().map(fact_from_row).collect()
            }
        }
    };
}
