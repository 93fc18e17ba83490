//! Tasks, their parties and their hash-chained trail of events: the SQL of `TaskStore`.

/// Implements [`TaskStore`](duban_store::TaskStore) for `$store`; invoked by [`sql_store!`](crate::sql_store)
/// inside the block that [`sql_common!`](crate::sql_common) set up.
#[doc(hidden)]
#[macro_export]
macro_rules! sql_tasks {
    ($store:ty) => {
        /// A task row without its parties.
        fn task_from_row(r: &DbRow) -> Result<Task> {
            let g = db_err("read task");
            let s = |c: &str| -> Result<String> { r.try_get::<String, _>(c).map_err(&g) };
            let clock: BTreeMap<String, i64> = json("clock", &s("clock")?)?;
            let mut events = BTreeMap::new();
            for (k, v) in clock {
                events.insert(code("clock event", &k)?, ts(v)?);
            }
            Ok(Task {
                id: TaskId(r.try_get("id").map_err(&g)?),
                fields: NewTask {
                    ledger_id: r.try_get::<Option<i64>, _>("ledger_id").map_err(&g)?.map(LedgerId),
                    parent_id: r.try_get::<Option<i64>, _>("parent_id").map_err(&g)?.map(TaskId),
                    number: s("number")?,
                    title: s("title")?,
                    text: s("body")?,
                    section: s("section")?,
                    source: code("source", &s("source")?)?,
                    lead: Vec::new(),
                    cooperating: Vec::new(),
                    leader_id: r.try_get::<Option<i64>, _>("leader_id").map_err(&g)?.map(PersonId),
                    responsible_person_id: r
                        .try_get::<Option<i64>, _>("responsible_person_id")
                        .map_err(&g)?
                        .map(PersonId),
                    deadline: r
                        .try_get::<Option<String>, _>("deadline")
                        .map_err(&g)?
                        .map(|d| code("deadline", &d))
                        .transpose()?,
                    milestones: json("milestones", &s("milestones")?)?,
                    targets: json("targets", &s("targets")?)?,
                    work_standard: s("work_standard")?,
                    priority: code("priority", &s("priority")?)?,
                    complexity: code("complexity", &s("complexity")?)?,
                    classification: code("classification", &s("classification")?)?,
                    received_at: ts(r.try_get("received_at").map_err(&g)?)?,
                },
                status: code("status", &s("status")?)?,
                events,
                created_at: ts(r.try_get("created_at").map_err(&g)?)?,
                updated_at: ts(r.try_get("updated_at").map_err(&g)?)?,
                version: r.try_get("version").map_err(&g)?,
            })
        }

        /// The tasks of some rows of `tasks`, with their parties (read on the same connection).
        async fn tasks_from_rows(conn: &mut <Db as sqlx::Database>::Connection, rows: &[DbRow]) -> Result<Vec<Task>> {
            let mut items = rows.iter().map(task_from_row).collect::<Result<Vec<_>>>()?;
            attach_parties(conn, &mut items).await?;
            Ok(items)
        }

        /// Fills in the lead and cooperating parties of loaded tasks.
        async fn attach_parties(conn: &mut <Db as sqlx::Database>::Connection, tasks: &mut [Task]) -> Result<()> {
            if tasks.is_empty() {
                return Ok(());
            }
            // A few thousand ids a statement: SQLite takes at most 32,766 bound values and
            // PostgreSQL 65,535, and a snapshot reads every task.
            let mut rows = Vec::new();
            for chunk in tasks.chunks(PARTY_IDS_PER_QUERY) {
                let mut qb = QueryBuilder::<Db>::new(
                    "SELECT task_id, role, unit_id, group_id FROM task_parties WHERE task_id IN (",
                );
                push_list(&mut qb, chunk.iter().map(|t| t.id.0));
                qb.push(") ORDER BY task_id, role, position");
                rows.extend(qb.build().fetch_all(&mut *conn).await.map_err(db_err("load parties"))?);
            }
            let index: HashMap<i64, usize> = tasks.iter().enumerate().map(|(i, t)| (t.id.0, i)).collect();
            let g = db_err("read parties");
            for r in rows {
                let task_id: i64 = r.try_get("task_id").map_err(&g)?;
                let role: String = r.try_get("role").map_err(&g)?;
                let party = match (
                    r.try_get::<Option<i64>, _>("unit_id").map_err(&g)?,
                    r.try_get::<Option<i64>, _>("group_id").map_err(&g)?,
                ) {
                    (Some(u), _) => Party::Unit(UnitId(u)),
                    (None, Some(gid)) => Party::Group(GroupId(gid)),
                    (None, None) => return Err(corrupt("party", "neither unit nor group")),
                };
                if let Some(&i) = index.get(&task_id) {
                    let t = &mut tasks[i].fields;
                    if role == "lead" { t.lead.push(party) } else { t.cooperating.push(party) }
                }
            }
            Ok(())
        }

        async fn insert_parties(tx: &mut Tx<'_>, rows: &[(i64, &NewTask)]) -> Result<()> {
            // Each party row carries its task's source and classification (rewritten with the
            // task), so that the visibility rule is answered from the party rows by index.
            type Row = (i64, &'static str, i64, Party, (&'static str, &'static str));
            let all: Vec<Row> = rows
                .iter()
                .flat_map(|(id, t)| {
                    let copied = (t.source.code(), t.classification.code());
                    let lead = t.lead.iter().enumerate().map(move |(i, p)| (*id, "lead", i as i64, *p, copied));
                    let coop = t
                        .cooperating
                        .iter()
                        .enumerate()
                        .map(move |(i, p)| (*id, "cooperating", i as i64, *p, copied));
                    lead.chain(coop)
                })
                .collect();
            for chunk in all.chunks(BATCH_ROWS) {
                let mut qb = QueryBuilder::<Db>::new(
                    "INSERT INTO task_parties (task_id, role, position, unit_id, group_id, source, classification) ",
                );
                qb.push_values(chunk, |mut b, (id, role, pos, p, (source, classification))| {
                    let (u, g) = match p {
                        Party::Unit(u) => (Some(u.0), None),
                        Party::Group(g) => (None, Some(g.0)),
                    };
                    b.push_bind(*id)
                        .push_bind(*role)
                        .push_bind(*pos)
                        .push_bind(u)
                        .push_bind(g)
                        .push_bind(*source)
                        .push_bind(*classification);
                });
                qb.build().execute(&mut **tx).await.map_err(db_err("insert parties"))?;
            }
            Ok(())
        }

        /// Claims `n` links of the event chain: takes the chain's row (so concurrent writers
        /// take turns) and returns the current head hash.
        async fn claim_links(tx: &mut Tx<'_>, n: i64) -> Result<String> {
            sqlx::query_scalar("UPDATE event_chain SET length = length + $1 WHERE id = 1 RETURNING head_hash")
                .bind(n)
                .fetch_one(&mut **tx)
                .await
                .map_err(db_err("claim chain"))
        }

        async fn set_head(tx: &mut Tx<'_>, head: &str) -> Result<()> {
            sqlx::query("UPDATE event_chain SET head_hash = $1 WHERE id = 1")
                .bind(head)
                .execute(&mut **tx)
                .await
                .map_err(db_err("chain head"))?;
            Ok(())
        }

        async fn insert_event(tx: &mut Tx<'_>, task_id: i64, e: &NewEvent) -> Result<()> {
            let prev = claim_links(tx, 1).await?;
            let data = to_json(&e.data);
            let actor = e.actor_id.map(|p| p.0);
            let hash = event_hash(&prev, task_id, ms(e.at), actor, &e.kind, &data);
            sqlx::query(
                "INSERT INTO task_events (task_id, at, actor_id, kind, data, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(task_id)
            .bind(ms(e.at))
            .bind(actor)
            .bind(&e.kind)
            .bind(data)
            .bind(prev)
            .bind(&hash)
            .execute(&mut **tx)
            .await
            .map_err(db_err("insert event"))?;
            set_head(tx, &hash).await
        }

        /// Writes a changed task if it is still at `expected_version`, with its event.
        async fn update_task_row(tx: &mut Tx<'_>, id: TaskId, expected_version: i64, t: &StoredTask, event: &NewEvent) -> Result<()> {
            let f = &t.fields;
            let mut qb = QueryBuilder::<Db>::new("UPDATE tasks SET ");
            for (col, v) in task_row(t) {
                qb.push(col).push(" = ");
                match v {
                    TaskValue::Int(x) => qb.push_bind(x),
                    TaskValue::Text(x) => qb.push_bind(x),
                };
                qb.push(", ");
            }
            qb.push("version = version + 1 WHERE id = ")
                .push_bind(id.0)
                .push(" AND version = ")
                .push_bind(expected_version);
            let done = qb.build().execute(&mut **tx).await.map_err(db_err("update task"))?;
            if done.rows_affected() == 0 {
                let current: Option<i64> = sqlx::query_scalar("SELECT version FROM tasks WHERE id = $1")
                    .bind(id.0)
                    .fetch_optional(&mut **tx)
                    .await
                    .map_err(db_err("task version"))?;
                return Err(match current {
                    None => Error::not_found(format!("任务 {id}")),
                    Some(current) => Error::VersionConflict { current },
                });
            }
            sqlx::query("DELETE FROM task_parties WHERE task_id = $1")
                .bind(id.0)
                .execute(&mut **tx)
                .await
                .map_err(db_err("clear parties"))?;
            insert_parties(tx, &[(id.0, f)]).await?;
            insert_event(tx, id.0, event).await?;
            Ok(())
        }

        /// The task list's filters, after a `WHERE`.
        fn push_task_filters(qb: &mut QueryBuilder<'_, Db>, q: &TaskQuery) {
            qb.push(" WHERE ");
            push_task_conditions(qb, q, "");
        }

        /// The task list's filters over the tasks table under the prefix `t` ("" or "t.", when it
        /// is joined under that alias), as one conjunction ("1 = 1 AND …") to nest in a larger
        /// condition.
        fn push_task_conditions(qb: &mut QueryBuilder<'_, Db>, q: &TaskQuery, t: &str) {
            qb.push("1 = 1");
            if let Some(l) = q.ledger_id {
                qb.push(format!(" AND {t}ledger_id = ")).push_bind(l.0);
            }
            if let Some(p) = q.parent_id {
                qb.push(format!(" AND {t}parent_id = ")).push_bind(p.0);
            }
            if let Some(u) = q.unit_id {
                // Two lookups, one by each index (the unit; its groups), not one OR over both.
                let role = if q.lead_only { " AND role = 'lead'" } else { "" };
                qb.push(format!(" AND {t}id IN (SELECT task_id FROM task_parties WHERE unit_id = "))
                    .push_bind(u.0)
                    .push(format!(
                        "{role} UNION ALL SELECT task_id FROM task_parties WHERE group_id IS NOT NULL AND group_id IN \
                         (SELECT group_id FROM unit_group_members WHERE unit_id = "
                    ))
                    .push_bind(u.0)
                    .push(format!("){role})"));
            }
            if let Some(l) = q.leader_id {
                qb.push(format!(" AND {t}leader_id = ")).push_bind(l.0);
            }
            if let Some(a) = &q.audience {
                qb.push(" AND");
                push_audience(qb, a, &q.sources, &format!("{t}id"));
            }
            let list = |qb: &mut QueryBuilder<'_, Db>, col: &str, codes: Vec<&'static str>| {
                if codes.is_empty() {
                    return;
                }
                qb.push(format!(" AND {t}{col} IN ("));
                push_list(qb, codes);
                qb.push(")");
            };
            list(qb, "status", q.statuses.iter().map(|s| s.code()).collect());
            list(qb, "source", q.sources.iter().map(|s| s.code()).collect());
            list(qb, "classification", q.classifications.iter().map(|s| s.code()).collect());
            let now = ms(q.now);
            let open = format!("{t}{OPEN_PREDICATE}");
            match q.light {
                Some(duban_domain::task::Light::Red) => {
                    qb.push(format!(" AND {open} AND {t}due_at < ")).push_bind(now);
                }
                Some(duban_domain::task::Light::Yellow) => {
                    qb.push(format!(" AND {open} AND {t}due_at >= "))
                        .push_bind(now)
                        .push(format!(" AND {t}warn_at <= "))
                        .push_bind(now);
                }
                Some(duban_domain::task::Light::Green) => {
                    qb.push(format!(" AND {open} AND ({t}due_at IS NULL OR ({t}due_at >= "))
                        .push_bind(now)
                        .push(format!(" AND ({t}warn_at IS NULL OR {t}warn_at > "))
                        .push_bind(now)
                        .push(")))");
                }
                None => {}
            }
            if let Some(d) = q.due_before {
                qb.push(format!(" AND {t}due_at <= ")).push_bind(ms(d));
            }
            if let Some(d) = q.due_after {
                qb.push(format!(" AND {t}due_at >= ")).push_bind(ms(d));
            }
            if let Some(d) = q.deadline_before {
                qb.push(format!(" AND {t}deadline <= ")).push_bind(d.to_string());
            }
            if let Some(d) = q.deadline_after {
                qb.push(format!(" AND {t}deadline >= ")).push_bind(d.to_string());
            }
            if q.unanswered {
                qb.push(format!(
                    " AND {open} AND {t}id IN (SELECT n.task_id FROM notices n WHERE NOT EXISTS \
                     (SELECT 1 FROM task_events e WHERE e.task_id = n.task_id AND e.at > n.issued_at AND e.kind IN ("
                ));
                push_list(qb, EventKind::PROGRESS.iter().map(|k| k.code()));
                qb.push(")))");
            }
            if let Some(text) = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
                let p = like_pattern(text);
                qb.push(format!(" AND ({t}title LIKE "))
                    .push_bind(p.clone())
                    .push(format!(" ESCAPE '\\' OR {t}body LIKE "))
                    .push_bind(p)
                    .push(format!(" ESCAPE '\\' OR {t}number = "))
                    .push_bind(text.to_string())
                    .push(")");
            }
        }

        /// The tasks an audience of all units may not see, as a parenthesised list: the 涉密
        /// ones that do not name `person` (by the partial index on 涉密 tasks).
        fn push_hidden_from_all(qb: &mut QueryBuilder<'_, Db>, person: PersonId) {
            qb.push(" (SELECT id FROM tasks WHERE classification = 'secret' AND COALESCE(leader_id, 0) <> ")
                .push_bind(person.0)
                .push(" AND COALESCE(responsible_person_id, 0) <> ")
                .push_bind(person.0)
                .push(")");
        }

        /// The one visibility rule (`Audience::sees`) in SQL, as a condition on the task id in
        /// `column`: a task its units or their groups are a party of unless it is 涉密, and any
        /// task the person leads or is responsible for. Answered from the party rows (which carry
        /// their task's source and classification) and two indexes on the tasks, never by reading
        /// every task: for all units, every task but the 涉密 ones not naming the person; for some
        /// units, the list of the tasks they see, each part by its index — only of `sources`
        /// when given, a hint for a list of one source such as the enterprise demands. The parts
        /// are joined with `UNION ALL`: a task in two parts is the same for `IN`, and the plan
        /// need not make the list distinct first.
        fn push_audience(qb: &mut QueryBuilder<'_, Db>, a: &Audience, sources: &[duban_domain::task::Source], column: &str) {
            if a.all_units {
                qb.push(format!(" {column} NOT IN"));
                push_hidden_from_all(qb, a.person);
                return;
            }
            let units = |qb: &mut QueryBuilder<'_, Db>| {
                if a.units.is_empty() {
                    qb.push("NULL");
                } else {
                    push_list(qb, a.units.iter().map(|u| u.0));
                }
            };
            let open_parties = |qb: &mut QueryBuilder<'_, Db>| {
                if !sources.is_empty() {
                    qb.push(" AND source IN (");
                    push_list(qb, sources.iter().map(|s| s.code()));
                    qb.push(")");
                }
                qb.push(" AND classification <> 'secret'");
            };
            qb.push(format!(" {column} IN (SELECT task_id FROM task_parties WHERE unit_id IN ("));
            units(qb);
            qb.push(")");
            open_parties(qb);
            qb.push(
                " UNION ALL SELECT task_id FROM task_parties WHERE group_id IS NOT NULL AND group_id IN \
                 (SELECT group_id FROM unit_group_members WHERE unit_id IN (",
            );
            units(qb);
            qb.push("))");
            open_parties(qb);
            qb.push(" UNION ALL SELECT id FROM tasks WHERE leader_id = ")
                .push_bind(a.person.0)
                .push(" UNION ALL SELECT id FROM tasks WHERE responsible_person_id = ")
                .push_bind(a.person.0)
                .push(")");
        }

        #[$crate::deps::async_trait::async_trait]
        impl TaskStore for $store {
            async fn create_task(&self, t: &StoredTask, event: &NewEvent) -> Result<Task> {
                let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                let ids = self.insert_task_rows(&mut tx, std::slice::from_ref(t)).await?;
                let id = *ids.first().ok_or(Error::Internal)?;
                insert_event(&mut tx, id, event).await?;
                tx.commit().await.map_err(db_err("commit"))?;
                self.get_task(TaskId(id)).await
            }

            async fn insert_tasks(&self, tasks: &[StoredTask], at: Timestamp) -> Result<u64> {
                let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                let mut n = 0u64;
                for chunk in tasks.chunks(BATCH_ROWS) {
                    let ids = self.insert_task_rows(&mut tx, chunk).await?;
                    let mut prev = claim_links(&mut tx, ids.len() as i64).await?;
                    let links: Vec<(i64, String, String)> = ids
                        .iter()
                        .map(|id| {
                            let hash = event_hash(&prev, *id, ms(at), None, EventKind::Created.code(), "{}");
                            (*id, std::mem::replace(&mut prev, hash.clone()), hash)
                        })
                        .collect();
                    let mut qb = QueryBuilder::<Db>::new(
                        "INSERT INTO task_events (task_id, at, actor_id, kind, data, prev_hash, hash) ",
                    );
                    qb.push_values(&links, |mut b, (id, before, hash)| {
                        b.push_bind(*id)
                            .push_bind(ms(at))
                            .push_bind(None::<i64>)
                            .push_bind(EventKind::Created.code())
                            .push_bind("{}")
                            .push_bind(before.clone())
                            .push_bind(hash.clone());
                    });
                    qb.build().execute(&mut *tx).await.map_err(db_err("insert events"))?;
                    set_head(&mut tx, &prev).await?;
                    n += ids.len() as u64;
                }
                tx.commit().await.map_err(db_err("commit"))?;
                Ok(n)
            }

            async fn get_task(&self, id: TaskId) -> Result<Task> {
                let mut conn = self.pool.acquire().await.map_err(db_err("acquire"))?;
                let row = sqlx::query(&format!("SELECT {TASK_COLUMNS} FROM tasks WHERE id = $1"))
                    .bind(id.0)
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(db_err("get task"))?
                    .ok_or_else(|| Error::not_found(format!("任务 {id}")))?;
                let mut tasks = tasks_from_rows(&mut conn, std::slice::from_ref(&row)).await?;
                tasks.pop().ok_or(Error::Internal)
            }

            async fn update_task(&self, id: TaskId, expected_version: i64, t: &StoredTask, event: &NewEvent) -> Result<Task> {
                let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                update_task_row(&mut tx, id, expected_version, t, event).await?;
                tx.commit().await.map_err(db_err("commit"))?;
                self.get_task(id).await
            }

            async fn split_task(
                &self,
                id: TaskId,
                expected_version: i64,
                parent: &StoredTask,
                event: &NewEvent,
                parts: &[(StoredTask, NewEvent)],
            ) -> Result<Vec<Task>> {
                let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                update_task_row(&mut tx, id, expected_version, parent, event).await?;
                let mut ids = Vec::with_capacity(parts.len());
                for (t, created) in parts {
                    let rows = self.insert_task_rows(&mut tx, std::slice::from_ref(t)).await?;
                    let part = *rows.first().ok_or(Error::Internal)?;
                    insert_event(&mut tx, part, created).await?;
                    ids.push(part);
                }
                tx.commit().await.map_err(db_err("commit"))?;
                let mut out = Vec::with_capacity(ids.len());
                for part in ids {
                    out.push(self.get_task(TaskId(part)).await?);
                }
                Ok(out)
            }

            async fn write_import(&self, w: &ImportWrite) -> Result<LedgerId> {
                let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                let ledger = match &w.ledger {
                    LedgerTarget::Existing(id) => *id,
                    LedgerTarget::New(l, at) => LedgerId(insert_ledger(&mut tx, l, *at).await?),
                };
                for (t, event) in &w.create {
                    let mut t = t.clone();
                    t.fields.ledger_id = Some(ledger);
                    let ids = self.insert_task_rows(&mut tx, std::slice::from_ref(&t)).await?;
                    let id = *ids.first().ok_or(Error::Internal)?;
                    insert_event(&mut tx, id, event).await?;
                }
                for (id, version, t, event) in &w.update {
                    update_task_row(&mut tx, *id, *version, t, event).await?;
                }
                // Dropped without a commit on any error above: nothing is left behind.
                tx.commit().await.map_err(db_err("commit"))?;
                Ok(ledger)
            }

            async fn list_tasks(&self, q: &TaskQuery) -> Result<Page<Task>> {
                let window = PageWindow::new(q.page, q.per_page);
                let mut conn = self.pool.acquire().await.map_err(db_err("acquire"))?;
                let mut count = QueryBuilder::<Db>::new("SELECT COUNT(*) FROM tasks");
                push_task_filters(&mut count, q);
                let total: i64 = count
                    .build_query_scalar()
                    .fetch_one(&mut *conn)
                    .await
                    .map_err(db_err("count tasks"))?;
                let mut qb = QueryBuilder::<Db>::new(format!("SELECT {TASK_COLUMNS} FROM tasks"));
                push_task_filters(&mut qb, q);
                // With a filter that rules out tasks without a due time, order by the index.
                let due_known = matches!(
                    q.light,
                    Some(duban_domain::task::Light::Red | duban_domain::task::Light::Yellow)
                ) || q.due_before.is_some()
                    || q.due_after.is_some();
                qb.push(match q.sort {
                    TaskSort::Due if due_known => " ORDER BY due_at, id",
                    TaskSort::Due => " ORDER BY due_at IS NULL, due_at, id",
                    TaskSort::Deadline => " ORDER BY deadline IS NULL, deadline, id",
                    TaskSort::Number => " ORDER BY ledger_id, id",
                    TaskSort::Updated => " ORDER BY updated_at DESC, id DESC",
                });
                qb.push(" LIMIT ")
                    .push_bind(i64::from(window.per_page))
                    .push(" OFFSET ")
                    .push_bind(window.offset());
                let rows = qb.build().fetch_all(&mut *conn).await.map_err(db_err("list tasks"))?;
                let items = tasks_from_rows(&mut conn, &rows).await?;
                Ok(window.page(items, u64::try_from(total).unwrap_or(0)))
            }

            async fn task_events(&self, id: TaskId) -> Result<Vec<TaskEvent>> {
                let rows = sqlx::query("SELECT id, task_id, at, actor_id, kind, data FROM task_events WHERE task_id = $1 ORDER BY id")
                    .bind(id.0)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_err("task events"))?;
                let g = db_err("read event");
                rows.iter()
                    .map(|r| {
                        Ok(TaskEvent {
                            id: EventId(r.try_get("id").map_err(&g)?),
                            task_id: TaskId(r.try_get("task_id").map_err(&g)?),
                            at: ts(r.try_get("at").map_err(&g)?)?,
                            actor_id: r.try_get::<Option<i64>, _>("actor_id").map_err(&g)?.map(PersonId),
                            kind: r.try_get("kind").map_err(&g)?,
                            data: json("event data", &r.try_get::<String, _>("data").map_err(&g)?)?,
                        })
                    })
                    .collect()
            }

            async fn append_event(&self, id: TaskId, e: &NewEvent) -> Result<()> {
                let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                insert_event(&mut tx, id.0, e).await?;
                tx.commit().await.map_err(db_err("commit"))?;
                Ok(())
            }

            async fn verify_events(&self) -> Result<ChainReport> {
                let g = db_err("read events");
                let select = "SELECT id, task_id, at, actor_id, kind, data, prev_hash, hash FROM task_events \
                              WHERE id > $1 ORDER BY id LIMIT 10000";
                walk_chain(&self.pool, select, "event_chain", true, |r, prev| {
                    let task: i64 = r.try_get("task_id").map_err(&g)?;
                    let again = event_hash(
                        prev,
                        task,
                        r.try_get("at").map_err(&g)?,
                        r.try_get::<Option<i64>, _>("actor_id").map_err(&g)?,
                        &r.try_get::<String, _>("kind").map_err(&g)?,
                        &r.try_get::<String, _>("data").map_err(&g)?,
                    );
                    Ok((Some(TaskId(task)), again))
                })
                .await
            }


            async fn open_tasks(&self, after: TaskId, limit: u32) -> Result<Vec<Task>> {
                let mut conn = self.pool.acquire().await.map_err(db_err("acquire"))?;
                let rows = sqlx::query(&format!(
                    "SELECT {TASK_COLUMNS} FROM tasks WHERE id > $1 AND {OPEN_PREDICATE} ORDER BY id LIMIT $2"
                ))
                .bind(after.0)
                .bind(i64::from(limit))
                .fetch_all(&mut *conn)
                .await
                .map_err(db_err("open tasks"))?;
                tasks_from_rows(&mut conn, &rows).await
            }

            async fn tasks_changed_since(&self, since: Timestamp) -> Result<Vec<Task>> {
                let mut conn = self.pool.acquire().await.map_err(db_err("acquire"))?;
                let rows = sqlx::query(&format!("SELECT {TASK_COLUMNS} FROM tasks WHERE updated_at >= $1 ORDER BY id"))
                    .bind(ms(since))
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(db_err("changed tasks"))?;
                tasks_from_rows(&mut conn, &rows).await
            }

            async fn tasks_fingerprint(&self) -> Result<(i64, i64, i64)> {
                let row = sqlx::query(
                    "SELECT COUNT(*) AS n, COALESCE(MAX(id), 0) AS top, CAST(COALESCE(SUM(version), 0) AS BIGINT) AS versions FROM tasks",
                )
                .fetch_one(&self.pool)
                .await
                .map_err(db_err("tasks fingerprint"))?;
                let g = db_err("read fingerprint");
                Ok((row.try_get("n").map_err(&g)?, row.try_get("top").map_err(&g)?, row.try_get("versions").map_err(&g)?))
            }

            async fn latest_progress(&self, ids: &[TaskId]) -> Result<Vec<(TaskId, String)>> {
                if ids.is_empty() {
                    return Ok(Vec::new());
                }
                // What counts as progress with a text is the domain's to say.
                let mut qb = QueryBuilder::<Db>::new(format!(
                    "SELECT task_id, data FROM task_events WHERE kind IN {} AND task_id IN (",
                    kind_list(EventKind::PROGRESS_TEXT)
                ));
                push_list(&mut qb, ids.iter().map(|id| id.0));
                qb.push(") ORDER BY task_id, id");
                let rows = qb.build().fetch_all(&self.pool).await.map_err(db_err("latest progress"))?;
                let g = db_err("read progress");
                let mut out: Vec<(TaskId, String)> = Vec::new();
                for r in rows {
                    let id = TaskId(r.try_get("task_id").map_err(&g)?);
                    let data: $crate::deps::serde_json::Value = json("event data", &r.try_get::<String, _>("data").map_err(&g)?)?;
                    let text = data.get("text").and_then(|v| v.as_str()).unwrap_or_default().to_string();
                    match out.last_mut() {
                        Some(last) if last.0 == id => last.1 = text,
                        _ => out.push((id, text)),
                    }
                }
                Ok(out)
            }

            async fn events_of_kinds(
                &self,
                ids: &[TaskId],
                kinds: &[EventKind],
            ) -> Result<Vec<(TaskId, String, $crate::deps::serde_json::Value)>> {
                if ids.is_empty() || kinds.is_empty() {
                    return Ok(Vec::new());
                }
                let mut qb = QueryBuilder::<Db>::new(format!(
                    "SELECT task_id, kind, data FROM task_events WHERE kind IN {} AND task_id IN (",
                    kind_list(kinds)
                ));
                push_list(&mut qb, ids.iter().map(|id| id.0));
                qb.push(") ORDER BY task_id, id");
                let rows = qb.build().fetch_all(&self.pool).await.map_err(db_err("events of kinds"))?;
                let g = db_err("read events of kinds");
                let mut out = Vec::with_capacity(rows.len());
                for r in rows {
                    let id = TaskId(r.try_get("task_id").map_err(&g)?);
                    let kind: String = r.try_get("kind").map_err(&g)?;
                    let data = json("event data", &r.try_get::<String, _>("data").map_err(&g)?)?;
                    out.push((id, kind, data));
                }
                Ok(out)
            }

            async fn set_schedules(&self, s: &[(TaskId, ScheduleInstants)]) -> Result<()> {
                let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                for (id, sch) in s {
                    sqlx::query("UPDATE tasks SET due_at = $1, warn_at = $2 WHERE id = $3")
                        .bind(ms_opt(sch.due_at))
                        .bind(ms_opt(sch.warn_at))
                        .bind(id.0)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err("set schedule"))?;
                }
                tx.commit().await.map_err(db_err("commit"))?;
                Ok(())
            }
        }

        impl $store {
            /// Inserts task rows and their parties; returns the new ids in input order.
            async fn insert_task_rows(&self, tx: &mut Tx<'_>, tasks: &[StoredTask]) -> Result<Vec<i64>> {
                let Some(first) = tasks.first() else { return Ok(Vec::new()) };
                let cols: Vec<&str> = task_row(first).iter().map(|(c, _)| *c).collect();
                let mut qb = QueryBuilder::<Db>::new(format!("INSERT INTO tasks ({}, created_at, version) ", cols.join(", ")));
                qb.push_values(tasks, |mut b, t| {
                    for (_, v) in task_row(t) {
                        match v {
                            TaskValue::Int(x) => b.push_bind(x),
                            TaskValue::Text(x) => b.push_bind(x),
                        };
                    }
                    b.push_bind(ms(t.at)).push_bind(1i64);
                });
                qb.push(" RETURNING id");
                let mut ids: Vec<i64> = qb
                    .build_query_scalar()
                    .fetch_all(&mut **tx)
                    .await
                    .map_err(db_err("insert tasks"))?;
                // One statement assigns increasing ids in row order; RETURNING need not
                // list them in that order, so sort.
                ids.sort_unstable();
                if ids.len() != tasks.len() {
                    return Err(corrupt("insert tasks", "row count mismatch"));
                }
                let pairs: Vec<(i64, &NewTask)> = ids.iter().copied().zip(tasks.iter().map(|t| &t.fields)).collect();
                insert_parties(tx, &pairs).await?;
                Ok(ids)
            }
        }
    };
}
