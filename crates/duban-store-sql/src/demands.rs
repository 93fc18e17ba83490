//! Enterprise demands: the SQL of `DemandStore` (migration 0021).

/// Implements [`DemandStore`](duban_store::DemandStore) for `$store`; invoked by
/// [`sql_store!`](crate::sql_store) inside the block that [`sql_common!`](crate::sql_common) set up.
#[doc(hidden)]
#[macro_export]
macro_rules! sql_demands {
    ($store:ty) => {
        use $crate::deps::duban_domain::demand::{NewDemand, Satisfaction};
        use $crate::deps::duban_store::demands::{Demand, DemandPageQuery, DemandQuery, DemandWithTask, Rating, ReturnVisit};

        const DEMAND_COLUMNS: &str = "id, task_id, enterprise_id, enterprise_name, credit_code, contact_name, \
            contact_phone, channel, kind, title, text, reference, code_hash, submitted_at, submitted_by, \
            assigned_at, assigned_by, visit_text, visit_satisfaction, visit_at, visit_by, rating, rating_comment, \
            rated_at";

        fn demand_from_row(r: &DbRow) -> Result<Demand> {
            let g = db_err("read demand");
            let channel: String = r.try_get("channel").map_err(&g)?;
            let kind: String = r.try_get("kind").map_err(&g)?;
            let credit: Option<String> = r.try_get("credit_code").map_err(&g)?;
            let visit_text: Option<String> = r.try_get("visit_text").map_err(&g)?;
            let visit_satisfaction: Option<String> = r.try_get("visit_satisfaction").map_err(&g)?;
            let visit_at = ts_opt(r.try_get("visit_at").map_err(&g)?)?;
            let visit_by: Option<i64> = r.try_get("visit_by").map_err(&g)?;
            let rating: Option<String> = r.try_get("rating").map_err(&g)?;
            let rated_at = ts_opt(r.try_get("rated_at").map_err(&g)?)?;
            let return_visit = match (visit_text, visit_at, visit_by) {
                (Some(text), Some(at), Some(by)) => Some(ReturnVisit {
                    text,
                    satisfaction: visit_satisfaction.map(|s| code("visit satisfaction", &s)).transpose()?,
                    at,
                    by: PersonId(by),
                }),
                _ => None,
            };
            let rating = match (rating, rated_at) {
                (Some(s), Some(at)) => Some(Rating {
                    satisfaction: code("rating", &s)?,
                    comment: r.try_get("rating_comment").map_err(&g)?,
                    at,
                }),
                _ => None,
            };
            Ok(Demand {
                id: r.try_get("id").map_err(&g)?,
                task_id: r.try_get::<Option<i64>, _>("task_id").map_err(&g)?.map(TaskId),
                enterprise_id: r.try_get::<Option<i64>, _>("enterprise_id").map_err(&g)?.map(EnterpriseId),
                enterprise_name: r.try_get("enterprise_name").map_err(&g)?,
                credit_code: credit.map(|c| code("credit code", &c)).transpose()?,
                contact_name: r.try_get("contact_name").map_err(&g)?,
                contact_phone: r.try_get("contact_phone").map_err(&g)?,
                channel: code("channel", &channel)?,
                kind: code("demand kind", &kind)?,
                title: r.try_get("title").map_err(&g)?,
                text: r.try_get("text").map_err(&g)?,
                reference: r.try_get("reference").map_err(&g)?,
                code_hash: r.try_get("code_hash").map_err(&g)?,
                submitted_at: ts(r.try_get("submitted_at").map_err(&g)?)?,
                submitted_by: r.try_get::<Option<i64>, _>("submitted_by").map_err(&g)?.map(PersonId),
                assigned_at: ts_opt(r.try_get("assigned_at").map_err(&g)?)?,
                assigned_by: r.try_get::<Option<i64>, _>("assigned_by").map_err(&g)?.map(PersonId),
                return_visit,
                rating,
            })
        }

        /// Which demands a count or list takes, as to the viewer's audience.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        enum Seen {
            /// Those the audience may see.
            Visible,
            /// Any, whatever the audience.
            Any,
            /// Assigned ones whose task an audience of all units may not see (涉密, not naming
            /// the viewer).
            Hidden,
        }

        impl $store {
            async fn demand_where(&self, clause: &str, value: i64) -> Result<Option<Demand>> {
                let r = sqlx::query(&format!("SELECT {DEMAND_COLUMNS} FROM demands WHERE {clause} = $1"))
                    .bind(value)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_err("read demand"))?;
                r.as_ref().map(demand_from_row).transpose()
            }

            /// Runs an UPDATE … RETURNING on one demand: no row is a conflict when the demand
            /// exists (`conflict`), a not-found otherwise.
            async fn update_demand(&self, qb: &mut QueryBuilder<'_, Db>, id: i64, conflict: &str) -> Result<Demand> {
                qb.push(format!(" RETURNING {DEMAND_COLUMNS}"));
                match qb.build().fetch_optional(&self.pool).await.map_err(db_err("update demand"))? {
                    Some(r) => demand_from_row(&r),
                    None if self.demand_where("id", id).await?.is_some() => Err(Error::Conflict(conflict.into())),
                    None => Err(Error::not_found(format!("诉求 {id}"))),
                }
            }

            /// A demand's task is a task of source 企业诉求 (the demands list looks for it among
            /// those; a task's source cannot change to or from it).
            async fn check_demand_task(&self, task: TaskId) -> Result<()> {
                let source: Option<String> = sqlx::query_scalar("SELECT source FROM tasks WHERE id = $1")
                    .bind(task.0)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_err("demand task"))?;
                match source {
                    None => Err(Error::not_found(format!("任务 {task}"))),
                    Some(s) if s == duban_domain::task::Source::Enterprise.code() => Ok(()),
                    Some(_) => Err(Error::invalid("task_id", "诉求只能关联来源为企业诉求的任务")),
                }
            }
        }

        #[$crate::deps::async_trait::async_trait]
        impl DemandStore for $store {
            async fn insert_demand(
                &self,
                d: &NewDemand,
                task_id: Option<TaskId>,
                code_hash: &str,
                by: Option<PersonId>,
                at: Timestamp,
            ) -> Result<Demand> {
                if let Some(t) = task_id {
                    self.check_demand_task(t).await?;
                }
                let r = sqlx::query(&format!(
                    "INSERT INTO demands (task_id, enterprise_id, enterprise_name, credit_code, contact_name, \
                     contact_phone, channel, kind, title, text, reference, code_hash, submitted_at, submitted_by, \
                     assigned_at, assigned_by) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
                     RETURNING {DEMAND_COLUMNS}"
                ))
                .bind(task_id.map(|t| t.0))
                .bind(d.enterprise_id.map(|e| e.0))
                .bind(&d.enterprise_name)
                .bind(d.credit_code.as_ref().map(|c| c.as_str().to_string()))
                .bind(&d.contact_name)
                .bind(&d.contact_phone)
                .bind(d.channel.code())
                .bind(d.kind.code())
                .bind(&d.title)
                .bind(&d.text)
                .bind(&d.reference)
                .bind(code_hash)
                .bind(ms(at))
                .bind(by.map(|p| p.0))
                .bind(task_id.map(|_| ms(at)))
                .bind(task_id.and(by).map(|p| p.0))
                .fetch_one(&self.pool)
                .await
                .map_err(db_err("insert demand"))?;
                demand_from_row(&r)
            }

            async fn demand(&self, id: i64) -> Result<Option<Demand>> {
                self.demand_where("id", id).await
            }

            async fn demand_by_code_hash(&self, hash: &str) -> Result<Option<Demand>> {
                let r = sqlx::query(&format!("SELECT {DEMAND_COLUMNS} FROM demands WHERE code_hash = $1"))
                    .bind(hash)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_err("read demand"))?;
                r.as_ref().map(demand_from_row).transpose()
            }

            async fn demand_by_task(&self, task: TaskId) -> Result<Option<Demand>> {
                self.demand_where("task_id", task.0).await
            }

            async fn demands(&self, q: &DemandQuery) -> Result<Vec<Demand>> {
                let mut qb = QueryBuilder::<Db>::new(format!("SELECT {DEMAND_COLUMNS} FROM demands WHERE 1 = 1"));
                if let Some(c) = q.channel {
                    qb.push(" AND channel = ").push_bind(c.code());
                }
                if let Some(k) = q.kind {
                    qb.push(" AND kind = ").push_bind(k.code());
                }
                match q.queued {
                    Some(true) => qb.push(" AND task_id IS NULL"),
                    Some(false) => qb.push(" AND task_id IS NOT NULL"),
                    None => &mut qb,
                };
                qb.push(" ORDER BY submitted_at DESC, id DESC");
                let rows = qb.build().fetch_all(&self.pool).await.map_err(db_err("list demands"))?;
                rows.iter().map(demand_from_row).collect()
            }

            async fn demand_page(&self, q: &DemandPageQuery) -> Result<Page<DemandWithTask>> {
                let window = PageWindow::new(q.page, q.per_page);
                let queued = q.show_queued && q.queued != Some(false);
                let assigned = q.queued != Some(true);
                // The demands, with the demand's own filters; an assigned one through the viewer's
                // audience on its task id (the one visibility rule, from the party rows by index:
                // a demand's task is of source 企业诉求), and only when the list filters its task
                // further (status, light, lead unit) joined to the task for those.
                let mut rest = q.task.clone();
                rest.audience = None;
                let mut probe = QueryBuilder::<Db>::new("");
                push_task_conditions(&mut probe, &rest, "t.");
                let join = probe.sql() != "1 = 1";
                let body = |qb: &mut QueryBuilder<'_, Db>, seen: Seen| {
                    qb.push(" FROM demands d");
                    if assigned && join {
                        qb.push(if queued { " LEFT JOIN" } else { " JOIN" });
                        qb.push(" tasks t ON t.id = d.task_id");
                    }
                    qb.push(" WHERE 1 = 1");
                    if let Some(c) = q.channel {
                        qb.push(" AND d.channel = ").push_bind(c.code());
                    }
                    if let Some(k) = q.kind {
                        qb.push(" AND d.kind = ").push_bind(k.code());
                    }
                    let queued = queued && seen != Seen::Hidden;
                    match (queued, assigned) {
                        (false, false) => {
                            qb.push(" AND 1 = 0");
                        }
                        (true, false) => {
                            qb.push(" AND d.task_id IS NULL");
                        }
                        (queued, true) => {
                            qb.push(if queued { " AND (d.task_id IS NULL OR (" } else { " AND ((" });
                            qb.push("d.task_id IS NOT NULL");
                            match (&q.task.audience, seen) {
                                (Some(a), Seen::Visible) => {
                                    qb.push(" AND");
                                    push_audience(qb, a, &[duban_domain::task::Source::Enterprise], "d.task_id");
                                }
                                (Some(a), Seen::Hidden) => {
                                    qb.push(" AND d.task_id IN");
                                    push_hidden_from_all(qb, a.person);
                                }
                                (None, _) | (_, Seen::Any) => {}
                            }
                            if join {
                                qb.push(" AND ");
                                push_task_conditions(qb, &rest, "t.");
                            }
                            qb.push("))");
                        }
                    }
                };
                let mut conn = self.pool.acquire().await.map_err(db_err("acquire"))?;
                let count = |seen: Seen| {
                    let mut qb = QueryBuilder::<Db>::new("SELECT COUNT(*)");
                    body(&mut qb, seen);
                    qb
                };
                // One page's rows: its ids first (a narrow sort), then the rows; `counted` adds
                // the number of all matches to each row (a window over them).
                let columns: Vec<String> = DEMAND_COLUMNS.split(", ").map(|c| format!("p.{c}")).collect();
                let page = |newest: bool, skip: u64, take: u64, counted: bool| {
                    let order = if newest { "submitted_at DESC, id DESC" } else { "submitted_at, id" };
                    let mut qb = QueryBuilder::<Db>::new(format!(
                        "SELECT {}{} FROM demands p JOIN (SELECT d.id{}",
                        columns.join(", "),
                        if counted { ", w.matches" } else { "" },
                        if counted { ", COUNT(*) OVER () AS matches" } else { "" },
                    ));
                    body(&mut qb, Seen::Visible);
                    qb.push(format!(" ORDER BY d.{}", order.replace(", ", ", d.")))
                        .push(" LIMIT ")
                        .push_bind(i64::try_from(take).unwrap_or(0))
                        .push(" OFFSET ")
                        .push_bind(i64::try_from(skip).unwrap_or(0))
                        .push(format!(") w ON w.id = p.id ORDER BY p.{}", order.replace(", ", ", p.")));
                    qb
                };
                let fetch = |rows: Vec<DbRow>| rows.iter().map(demand_from_row).collect::<Result<Vec<_>>>();
                let offset = u64::try_from(window.offset()).unwrap_or(0);
                let per_page = u64::from(window.per_page);
                let all_units = q.task.audience.as_ref().is_some_and(|a| a.all_units) && !join;
                // An audience of some units starts from its tasks, so its page sorts every match:
                // its first page and its count are one statement. (For all units the page
                // follows the index of newest demands and stops after a page.)
                let some_units = q.task.audience.as_ref().is_some_and(|a| !a.all_units);
                let (total, demands) = if offset == 0 && some_units {
                    let rows = page(true, 0, per_page, true).build().fetch_all(&mut *conn).await;
                    let rows = rows.map_err(db_err("list demands"))?;
                    let total: i64 = match rows.first() {
                        Some(r) => r.try_get("matches").map_err(db_err("count demands"))?,
                        None => 0,
                    };
                    (u64::try_from(total).unwrap_or(0), fetch(rows)?)
                } else {
                    // For all units and no filter on the task: all of them but the 涉密 ones not
                    // naming the viewer — counting those few and taking them from all is cheaper
                    // than checking every demand.
                    let total: i64 = if all_units {
                        let any: i64 = count(Seen::Any).build_query_scalar().fetch_one(&mut *conn).await.map_err(db_err("count demands"))?;
                        let hidden: i64 = count(Seen::Hidden).build_query_scalar().fetch_one(&mut *conn).await.map_err(db_err("count demands"))?;
                        any - hidden
                    } else {
                        count(Seen::Visible).build_query_scalar().fetch_one(&mut *conn).await.map_err(db_err("count demands"))?
                    };
                    let total = u64::try_from(total).unwrap_or(0);
                    // Newest first; a page past the middle is read from the oldest end, so that
                    // the last page costs what the first does.
                    let end = (offset + per_page).min(total);
                    let from_oldest = offset > total / 2;
                    let mut qb = if from_oldest {
                        page(false, total - end, end.saturating_sub(offset), false)
                    } else {
                        page(true, offset, per_page, false)
                    };
                    let rows = qb.build().fetch_all(&mut *conn).await.map_err(db_err("list demands"))?;
                    let mut demands = fetch(rows)?;
                    if from_oldest {
                        demands.reverse();
                    }
                    (total, demands)
                };
                // The page's tasks, by key, in one read.
                let ids: Vec<i64> = demands.iter().filter_map(|d| d.task_id).map(|t| t.0).collect();
                let mut tasks: HashMap<TaskId, Task> = HashMap::new();
                if !ids.is_empty() {
                    let mut tq = QueryBuilder::<Db>::new(format!("SELECT {TASK_COLUMNS} FROM tasks WHERE id IN ("));
                    push_list(&mut tq, ids);
                    tq.push(")");
                    let rows = tq.build().fetch_all(&mut *conn).await.map_err(db_err("page tasks"))?;
                    tasks = tasks_from_rows(&mut conn, &rows).await?.into_iter().map(|t| (t.id, t)).collect();
                }
                let items = demands
                    .into_iter()
                    .map(|demand| {
                        let task = demand.task_id.and_then(|t| tasks.remove(&t));
                        DemandWithTask { demand, task }
                    })
                    .collect();
                Ok(window.page(items, total))
            }

            async fn assign_demand(&self, id: i64, task: TaskId, by: PersonId, at: Timestamp) -> Result<Demand> {
                self.check_demand_task(task).await?;
                let mut qb = QueryBuilder::<Db>::new("UPDATE demands SET task_id = ");
                qb.push_bind(task.0)
                    .push(", assigned_at = ")
                    .push_bind(ms(at))
                    .push(", assigned_by = ")
                    .push_bind(by.0)
                    .push(" WHERE task_id IS NULL AND id = ")
                    .push_bind(id);
                self.update_demand(&mut qb, id, "该诉求已分派").await
            }

            async fn record_return_visit(
                &self,
                id: i64,
                text: &str,
                satisfaction: Option<Satisfaction>,
                by: PersonId,
                at: Timestamp,
            ) -> Result<Demand> {
                let mut qb = QueryBuilder::<Db>::new("UPDATE demands SET visit_text = ");
                qb.push_bind(text.to_string())
                    .push(", visit_satisfaction = ")
                    .push_bind(satisfaction.map(|s| s.code()))
                    .push(", visit_at = ")
                    .push_bind(ms(at))
                    .push(", visit_by = ")
                    .push_bind(by.0)
                    .push(" WHERE task_id IS NOT NULL AND id = ")
                    .push_bind(id);
                self.update_demand(&mut qb, id, "诉求尚未分派，不能回访").await
            }

            async fn rate_demand(
                &self,
                id: i64,
                satisfaction: Satisfaction,
                comment: &str,
                at: Timestamp,
            ) -> Result<Demand> {
                let mut qb = QueryBuilder::<Db>::new("UPDATE demands SET rating = ");
                qb.push_bind(satisfaction.code())
                    .push(", rating_comment = ")
                    .push_bind(comment.to_string())
                    .push(", rated_at = ")
                    .push_bind(ms(at))
                    .push(" WHERE rated_at IS NULL AND id = ")
                    .push_bind(id);
                self.update_demand(&mut qb, id, "该诉求已评价过").await
            }
        }
    };
}
