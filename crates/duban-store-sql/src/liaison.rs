//! Liaison and steward assignments, their obligations and visits: the SQL of `LiaisonStore`.
//!
//! The lists are paged here: one page of assignments with its names, visited flag and task
//! (the page of ids first, then the names of those rows only), and the steward flags' anti-joins
//! with their counts.

/// Implements [`LiaisonStore`](duban_store::LiaisonStore) for `$store`; invoked by
/// [`sql_store!`](crate::sql_store) inside the block that [`sql_common!`](crate::sql_common) set up.
#[doc(hidden)]
#[macro_export]
macro_rules! sql_liaison {
    ($store:ty) => {
        use $crate::deps::duban_domain::liaison::{
            Assignment, NewAssignment, NewVisit, Problem, Rank, ServiceKind, Target, Visit,
        };
        use $crate::deps::duban_store::liaison::{
            AssignmentListRow, AssignmentPageQuery, CoverageCount, LiaisonStore,
        };
        use $crate::deps::duban_domain::enterprise::Yuan as LiaisonYuan;
        use $crate::deps::jiff::civil::Date as LiaisonDate;

        const ASSIGNMENT_COLUMNS: &str = "id, kind, person_id, unit_id, enterprise_id, project_id, rank, since, \
            until, assigned_by, assigned_at, ended_by, ended_at";
        const VISIT_COLUMNS: &str = "v.id, v.assignment_id, v.task_id, v.visited_on, v.met, v.policies, v.work, \
            v.evidence, v.recorded_by, v.recorded_at";

        fn assignment_from_row(r: &DbRow) -> Result<Assignment> {
            let g = db_err("read assignment");
            let kind: String = r.try_get("kind").map_err(&g)?;
            let enterprise: Option<i64> = r.try_get("enterprise_id").map_err(&g)?;
            let project: Option<i64> = r.try_get("project_id").map_err(&g)?;
            let target = match (enterprise, project) {
                (Some(e), _) => Target::Enterprise(EnterpriseId(e)),
                (None, Some(p)) => Target::Project(ProjectId(p)),
                (None, None) => return Err(corrupt("assignment", "neither enterprise nor project")),
            };
            let rank: Option<String> = r.try_get("rank").map_err(&g)?;
            let since: String = r.try_get("since").map_err(&g)?;
            let until: Option<String> = r.try_get("until").map_err(&g)?;
            Ok(Assignment {
                id: r.try_get("id").map_err(&g)?,
                fields: NewAssignment {
                    kind: code("kind", &kind)?,
                    person_id: PersonId(r.try_get("person_id").map_err(&g)?),
                    unit_id: UnitId(r.try_get("unit_id").map_err(&g)?),
                    target,
                    rank: rank.as_deref().map(|x| code("rank", x)).transpose()?,
                    since: code("since", &since)?,
                    until: until.as_deref().map(|x| code("until", x)).transpose()?,
                },
                assigned_by: r.try_get::<Option<i64>, _>("assigned_by").map_err(&g)?.map(PersonId),
                assigned_at: ts(r.try_get("assigned_at").map_err(&g)?)?,
                ended_by: r.try_get::<Option<i64>, _>("ended_by").map_err(&g)?.map(PersonId),
                ended_at: ts_opt(r.try_get("ended_at").map_err(&g)?)?,
            })
        }

        fn visit_from_row(r: &DbRow, problems: Vec<Problem>) -> Result<Visit> {
            let g = db_err("read visit");
            let on: String = r.try_get("visited_on").map_err(&g)?;
            let evidence: String = r.try_get("evidence").map_err(&g)?;
            Ok(Visit {
                id: r.try_get("id").map_err(&g)?,
                assignment_id: r.try_get("assignment_id").map_err(&g)?,
                visited_on: code("visited on", &on)?,
                met: r.try_get("met").map_err(&g)?,
                policies: r.try_get("policies").map_err(&g)?,
                work: r.try_get("work").map_err(&g)?,
                problems,
                evidence: json("evidence", &evidence)?,
                task_id: r.try_get::<Option<i64>, _>("task_id").map_err(&g)?.map(TaskId),
                recorded_by: r.try_get::<Option<i64>, _>("recorded_by").map_err(&g)?.map(PersonId),
                recorded_at: ts(r.try_get("recorded_at").map_err(&g)?)?,
            })
        }

        /// The visits `rows` names, each with its problems (one query for all of them).
        async fn visits_with_problems(pool: &sqlx::Pool<Db>, rows: Vec<DbRow>) -> Result<Vec<Visit>> {
            let g = db_err("read problems");
            let ids: Vec<i64> = rows.iter().map(|r| r.try_get("id")).collect::<Result<_, _>>().map_err(&g)?;
            let mut problems: HashMap<i64, Vec<Problem>> = HashMap::new();
            if !ids.is_empty() {
                let mut qb = QueryBuilder::<Db>::new(
                    "SELECT visit_id, text, demand_task_id FROM service_problems WHERE visit_id IN (",
                );
                push_list(&mut qb, ids.iter().copied());
                qb.push(") ORDER BY visit_id, idx");
                for p in qb.build().fetch_all(pool).await.map_err(&g)? {
                    problems.entry(p.try_get("visit_id").map_err(&g)?).or_default().push(Problem {
                        text: p.try_get("text").map_err(&g)?,
                        demand_task_id: p.try_get::<Option<i64>, _>("demand_task_id").map_err(&g)?.map(TaskId),
                    });
                }
            }
            rows.iter()
                .zip(ids)
                .map(|(r, id)| visit_from_row(r, problems.remove(&id).unwrap_or_default()))
                .collect()
        }

        fn day(d: LiaisonDate) -> String {
            d.to_string()
        }

        /// The assignment columns with the table's alias `a.`.
        fn assignment_columns_of_a() -> String {
            ASSIGNMENT_COLUMNS.split(", ").map(|c| format!("a.{c}")).collect::<Vec<_>>().join(", ")
        }

        /// The `WHERE` of the assignment list (`service_assignments a`): kind, one id, and text
        /// in the person's or the target's name.
        fn assignment_filter<'a>(qb: &mut QueryBuilder<'a, Db>, q: &'a AssignmentPageQuery) {
            qb.push(" WHERE a.kind = ").push_bind(q.kind.code());
            if let Some(id) = q.id {
                qb.push(" AND a.id = ").push_bind(id);
            }
            if let Some(s) = q.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                let pat = like_pattern(s);
                qb.push(" AND (EXISTS (SELECT 1 FROM people x WHERE x.id = a.person_id AND x.name LIKE ")
                    .push_bind(pat.clone())
                    .push(" ESCAPE '\\') OR EXISTS (SELECT 1 FROM enterprises x WHERE x.id = a.enterprise_id \
                           AND x.name LIKE ")
                    .push_bind(pat.clone())
                    .push(" ESCAPE '\\') OR EXISTS (SELECT 1 FROM projects x WHERE x.id = a.project_id \
                           AND x.name LIKE ")
                    .push_bind(pat)
                    .push(" ESCAPE '\\'))");
            }
        }

        #[$crate::deps::async_trait::async_trait]
        impl LiaisonStore for $store {
            async fn insert_assignment(
                &self,
                a: &NewAssignment,
                by: Option<PersonId>,
                at: Timestamp,
            ) -> Result<Assignment> {
                let (enterprise, project) = match a.target {
                    Target::Enterprise(e) => (Some(e.0), None),
                    Target::Project(p) => (None, Some(p.0)),
                };
                let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                let same: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM service_assignments WHERE kind = $1 AND person_id = $2 \
                     AND enterprise_id IS NOT DISTINCT FROM $3 AND project_id IS NOT DISTINCT FROM $4 \
                     AND (until IS NULL OR until >= $5)",
                )
                .bind(a.kind.code())
                .bind(a.person_id.0)
                .bind(enterprise)
                .bind(project)
                .bind(day(a.since))
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err("check assignment"))?;
                if same > 0 {
                    return Err(Error::Conflict("此人已在包联（管家）该对象".into()));
                }
                let r = sqlx::query(&format!(
                    "INSERT INTO service_assignments (kind, person_id, unit_id, enterprise_id, project_id, rank, since, \
                     until, assigned_by, assigned_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                     RETURNING {ASSIGNMENT_COLUMNS}"
                ))
                .bind(a.kind.code())
                .bind(a.person_id.0)
                .bind(a.unit_id.0)
                .bind(enterprise)
                .bind(project)
                .bind(a.rank.map(|r| r.code()))
                .bind(day(a.since))
                .bind(a.until.map(day))
                .bind(by.map(|p| p.0))
                .bind(ms(at))
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err("insert assignment"))?;
                let saved = assignment_from_row(&r)?;
                tx.commit().await.map_err(db_err("commit"))?;
                Ok(saved)
            }

            async fn end_assignment(
                &self,
                id: i64,
                until: LiaisonDate,
                by: Option<PersonId>,
                at: Timestamp,
            ) -> Result<Assignment> {
                let r = sqlx::query(&format!(
                    "UPDATE service_assignments SET until = $2, ended_by = $3, ended_at = $4 \
                     WHERE id = $1 AND ended_at IS NULL RETURNING {ASSIGNMENT_COLUMNS}"
                ))
                .bind(id)
                .bind(day(until))
                .bind(by.map(|p| p.0))
                .bind(ms(at))
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err("end assignment"))?;
                match r {
                    Some(r) => assignment_from_row(&r),
                    None if self.assignment(id).await?.is_some() => Err(Error::Conflict("该包联已取消".into())),
                    None => Err(Error::not_found(format!("包联 {id}"))),
                }
            }

            async fn assignment(&self, id: i64) -> Result<Option<Assignment>> {
                sqlx::query(&format!("SELECT {ASSIGNMENT_COLUMNS} FROM service_assignments WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_err("read assignment"))?
                    .as_ref()
                    .map(assignment_from_row)
                    .transpose()
            }

            async fn assignments(&self, kind: ServiceKind) -> Result<Vec<Assignment>> {
                let rows = sqlx::query(&format!(
                    "SELECT {ASSIGNMENT_COLUMNS} FROM service_assignments WHERE kind = $1 ORDER BY id"
                ))
                .bind(kind.code())
                .fetch_all(&self.pool)
                .await
                .map_err(db_err("list assignments"))?;
                rows.iter().map(assignment_from_row).collect()
            }

            async fn assignment_page(&self, q: &AssignmentPageQuery) -> Result<(Vec<AssignmentListRow>, i64)> {
                let g = db_err("list assignment page");
                let mut count = QueryBuilder::<Db>::new("SELECT COUNT(*) FROM service_assignments a");
                assignment_filter(&mut count, q);
                let total: i64 = count.build_query_scalar().fetch_one(&self.pool).await.map_err(&g)?;
                // The page of assignments first (in force on the day first, then by id), then
                // the names, the visit and the task of those rows only.
                let on = day(q.on);
                let mut qb = QueryBuilder::<Db>::new(format!(
                    "WITH pg AS (SELECT {}, CASE WHEN a.since <= ",
                    assignment_columns_of_a()
                ));
                qb.push_bind(on.clone())
                    .push(" AND (a.until IS NULL OR a.until >= ")
                    .push_bind(on)
                    .push(") THEN 0 ELSE 1 END AS ended FROM service_assignments a");
                assignment_filter(&mut qb, q);
                qb.push(" ORDER BY ended, a.id LIMIT ")
                    .push_bind(q.limit.max(0))
                    .push(" OFFSET ")
                    .push_bind(q.offset.max(0))
                    .push(
                        ") SELECT pg.*, COALESCE(pe.name, '') AS person_name, COALESCE(u.name, '') AS unit_name, \
                         COALESCE(e.name, p.name, '') AS target_name, \
                         (SELECT COUNT(*) FROM service_visits v WHERE v.assignment_id = pg.id AND v.visited_on >= ",
                    )
                    .push_bind(day(q.from))
                    .push(" AND v.visited_on <= ")
                    .push_bind(day(q.to))
                    .push(
                        ") AS visits, (SELECT o.task_id FROM service_obligations o WHERE o.assignment_id = pg.id \
                         AND o.period = ",
                    )
                    .push_bind(q.period.as_str())
                    .push(
                        ") AS obligation_task FROM pg LEFT JOIN people pe ON pe.id = pg.person_id \
                         LEFT JOIN units u ON u.id = pg.unit_id LEFT JOIN enterprises e ON e.id = pg.enterprise_id \
                         LEFT JOIN projects p ON p.id = pg.project_id ORDER BY pg.ended, pg.id",
                    );
                let rows = qb.build().fetch_all(&self.pool).await.map_err(&g)?;
                let list = rows
                    .iter()
                    .map(|r| {
                        let visits: i64 = r.try_get("visits").map_err(&g)?;
                        Ok(AssignmentListRow {
                            assignment: assignment_from_row(r)?,
                            person: r.try_get("person_name").map_err(&g)?,
                            unit: r.try_get("unit_name").map_err(&g)?,
                            target: r.try_get("target_name").map_err(&g)?,
                            visited: visits > 0,
                            task_id: r.try_get::<Option<i64>, _>("obligation_task").map_err(&g)?.map(TaskId),
                        })
                    })
                    .collect::<Result<Vec<_>>>()?;
                Ok((list, total))
            }

            async fn assignable_people(&self) -> Result<Vec<(PersonId, String, String)>> {
                let g = db_err("list assignable people");
                let rows = sqlx::query(
                    "SELECT p.id, p.name, u.name AS unit_name FROM people p JOIN units u ON u.id = p.unit_id \
                     WHERE p.active = $1 ORDER BY p.id",
                )
                .bind(true)
                .fetch_all(&self.pool)
                .await
                .map_err(&g)?;
                rows.iter()
                    .map(|r| {
                        Ok((
                            PersonId(r.try_get("id").map_err(&g)?),
                            r.try_get("name").map_err(&g)?,
                            r.try_get("unit_name").map_err(&g)?,
                        ))
                    })
                    .collect()
            }

            async fn assignments_due(&self, kind: ServiceKind, on: LiaisonDate, period: &str) -> Result<Vec<Assignment>> {
                let rows = sqlx::query(&format!(
                    "SELECT {ASSIGNMENT_COLUMNS} FROM service_assignments a WHERE kind = $1 AND since <= $2 \
                     AND (until IS NULL OR until >= $2) AND NOT EXISTS (SELECT 1 FROM service_obligations o \
                     WHERE o.assignment_id = a.id AND o.period = $3) ORDER BY id"
                ))
                .bind(kind.code())
                .bind(day(on))
                .bind(period)
                .fetch_all(&self.pool)
                .await
                .map_err(db_err("list due assignments"))?;
                rows.iter().map(assignment_from_row).collect()
            }

            async fn obligation(&self, assignment: i64, period: &str) -> Result<Option<TaskId>> {
                let t: Option<i64> = sqlx::query_scalar(
                    "SELECT task_id FROM service_obligations WHERE assignment_id = $1 AND period = $2",
                )
                .bind(assignment)
                .bind(period)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err("read obligation"))?;
                Ok(t.map(TaskId))
            }

            async fn insert_obligation(&self, assignment: i64, period: &str, task: TaskId) -> Result<bool> {
                let done = sqlx::query(
                    "INSERT INTO service_obligations (assignment_id, period, task_id) VALUES ($1, $2, $3) \
                     ON CONFLICT (assignment_id, period) DO NOTHING",
                )
                .bind(assignment)
                .bind(period)
                .bind(task.0)
                .execute(&self.pool)
                .await
                .map_err(db_err("insert obligation"))?;
                Ok(done.rows_affected() == 1)
            }

            async fn obligations(&self, kind: ServiceKind) -> Result<Vec<(i64, String, TaskId)>> {
                let g = db_err("list obligations");
                let rows = sqlx::query(
                    "SELECT o.assignment_id, o.period, o.task_id FROM service_obligations o \
                     JOIN service_assignments a ON a.id = o.assignment_id WHERE a.kind = $1 \
                     ORDER BY o.assignment_id, o.period",
                )
                .bind(kind.code())
                .fetch_all(&self.pool)
                .await
                .map_err(&g)?;
                rows.iter()
                    .map(|r| {
                        Ok((
                            r.try_get("assignment_id").map_err(&g)?,
                            r.try_get("period").map_err(&g)?,
                            TaskId(r.try_get("task_id").map_err(&g)?),
                        ))
                    })
                    .collect()
            }

            async fn insert_visit(
                &self,
                v: &NewVisit,
                task: Option<TaskId>,
                by: Option<PersonId>,
                at: Timestamp,
            ) -> Result<Visit> {
                let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO service_visits (assignment_id, task_id, visited_on, met, policies, work, evidence, \
                     recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                )
                .bind(v.assignment_id)
                .bind(task.map(|t| t.0))
                .bind(day(v.visited_on))
                .bind(&v.met)
                .bind(&v.policies)
                .bind(&v.work)
                .bind(to_json(&v.evidence))
                .bind(by.map(|p| p.0))
                .bind(ms(at))
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err("insert visit"))?;
                for (i, p) in v.problems.iter().enumerate() {
                    sqlx::query("INSERT INTO service_problems (visit_id, idx, text) VALUES ($1, $2, $3)")
                        .bind(id)
                        .bind(i as i64)
                        .bind(p)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err("insert problem"))?;
                }
                tx.commit().await.map_err(db_err("commit"))?;
                self.visit(id).await?.ok_or_else(|| Error::not_found(format!("走访记录 {id}")))
            }

            async fn visit(&self, id: i64) -> Result<Option<Visit>> {
                let rows = sqlx::query(&format!("SELECT {VISIT_COLUMNS} FROM service_visits v WHERE v.id = $1"))
                    .bind(id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_err("read visit"))?;
                Ok(visits_with_problems(&self.pool, rows).await?.pop())
            }

            async fn visits(&self, kind: ServiceKind, assignment: Option<i64>) -> Result<Vec<Visit>> {
                let rows = sqlx::query(&format!(
                    "SELECT {VISIT_COLUMNS} FROM service_visits v JOIN service_assignments a ON a.id = v.assignment_id \
                     WHERE a.kind = $1 AND ($2 IS NULL OR v.assignment_id = $2) ORDER BY v.visited_on DESC, v.id DESC"
                ))
                .bind(kind.code())
                .bind(assignment)
                .fetch_all(&self.pool)
                .await
                .map_err(db_err("list visits"))?;
                visits_with_problems(&self.pool, rows).await
            }

            async fn mark_problem_raised(&self, visit: i64, index: usize, task: TaskId) -> Result<()> {
                let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                let current: Option<Option<i64>> = sqlx::query_scalar(
                    "SELECT demand_task_id FROM service_problems WHERE visit_id = $1 AND idx = $2",
                )
                .bind(visit)
                .bind(index as i64)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_err("read problem"))?;
                match current {
                    None => return Err(Error::not_found(format!("走访记录 {visit} 的第 {} 个问题", index + 1))),
                    Some(Some(_)) => return Err(Error::Conflict("该问题已转为企业诉求".into())),
                    Some(None) => {}
                }
                sqlx::query("UPDATE service_problems SET demand_task_id = $3 WHERE visit_id = $1 AND idx = $2")
                    .bind(visit)
                    .bind(index as i64)
                    .bind(task.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err("mark problem"))?;
                tx.commit().await.map_err(db_err("commit"))?;
                Ok(())
            }

            async fn coverage_counts(&self, on: LiaisonDate) -> Result<(i64, i64)> {
                let g = db_err("count coverage");
                let r = sqlx::query(
                    "SELECT (SELECT COUNT(*) FROM enterprises) AS total, \
                     (SELECT COUNT(DISTINCT enterprise_id) FROM service_assignments WHERE kind = 'liaison' \
                     AND enterprise_id IS NOT NULL AND since <= $1 AND (until IS NULL OR until >= $1)) AS covered",
                )
                .bind(day(on))
                .fetch_one(&self.pool)
                .await
                .map_err(&g)?;
                Ok((r.try_get("total").map_err(&g)?, r.try_get("covered").map_err(&g)?))
            }

            async fn coverage_gaps(
                &self,
                on: LiaisonDate,
                offset: i64,
                limit: i64,
            ) -> Result<(Vec<(EnterpriseId, String)>, i64)> {
                let g = db_err("list coverage gaps");
                const GAP: &str = "FROM enterprises e WHERE NOT EXISTS (SELECT 1 FROM service_assignments a \
                    WHERE a.enterprise_id = e.id AND a.kind = 'liaison' AND a.since <= $1 \
                    AND (a.until IS NULL OR a.until >= $1))";
                let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) {GAP}"))
                    .bind(day(on))
                    .fetch_one(&self.pool)
                    .await
                    .map_err(&g)?;
                let rows = sqlx::query(&format!("SELECT e.id, e.name {GAP} ORDER BY e.name, e.id LIMIT $2 OFFSET $3"))
                    .bind(day(on))
                    .bind(limit.max(0))
                    .bind(offset.max(0))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(&g)?;
                let list = rows
                    .iter()
                    .map(|r| Ok((EnterpriseId(r.try_get("id").map_err(&g)?), r.try_get("name").map_err(&g)?)))
                    .collect::<Result<Vec<_>>>()?;
                Ok((list, total))
            }

            async fn coverage_lines(
                &self,
                on: LiaisonDate,
                from: LiaisonDate,
                to: LiaisonDate,
                by_unit: bool,
            ) -> Result<Vec<CoverageCount>> {
                let g = db_err("count coverage lines");
                let (key, join) = if by_unit {
                    ("a.unit_id", "LEFT JOIN units n ON n.id = a.unit_id")
                } else {
                    ("a.person_id", "LEFT JOIN people n ON n.id = a.person_id")
                };
                let rows = sqlx::query(&format!(
                    "SELECT {key} AS id, COALESCE(MAX(n.name), '') AS name, COUNT(*) AS assigned, \
                     SUM(CASE WHEN EXISTS (SELECT 1 FROM service_visits v WHERE v.assignment_id = a.id \
                     AND v.visited_on >= $2 AND v.visited_on <= $3) THEN 1 ELSE 0 END) AS visited \
                     FROM service_assignments a {join} WHERE a.kind = 'liaison' AND a.since <= $1 \
                     AND (a.until IS NULL OR a.until >= $1) GROUP BY {key} ORDER BY {key}"
                ))
                .bind(day(on))
                .bind(day(from))
                .bind(day(to))
                .fetch_all(&self.pool)
                .await
                .map_err(&g)?;
                rows.iter()
                    .map(|r| {
                        Ok(CoverageCount {
                            id: r.try_get("id").map_err(&g)?,
                            name: r.try_get("name").map_err(&g)?,
                            assigned: r.try_get("assigned").map_err(&g)?,
                            visited: r.try_get("visited").map_err(&g)?,
                        })
                    })
                    .collect()
            }

            async fn projects_without_steward(
                &self,
                on: LiaisonDate,
                above: LiaisonYuan,
                offset: i64,
                limit: i64,
            ) -> Result<(Vec<(ProjectId, String, LiaisonYuan)>, i64)> {
                let g = db_err("list projects without steward");
                const MISSING: &str = "FROM projects p WHERE p.signed_on IS NOT NULL \
                     AND p.stage <> 'stopped' AND p.total_investment > $2 AND NOT EXISTS (SELECT 1 \
                     FROM service_assignments a WHERE a.project_id = p.id AND a.kind = 'steward' \
                     AND a.since <= $1 AND (a.until IS NULL OR a.until >= $1))";
                let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) {MISSING}"))
                    .bind(day(on))
                    .bind(above.fen())
                    .fetch_one(&self.pool)
                    .await
                    .map_err(&g)?;
                // By name in code-point order on both backends: the caller merges this page with
                // the rank flags it sorts itself (Rust's order of strings).
                let by_name = if BACKEND == "postgres" { "p.name COLLATE \"C\"" } else { "p.name" };
                let rows = sqlx::query(&format!(
                    "SELECT p.id, p.name, p.total_investment {MISSING} ORDER BY {by_name}, p.id LIMIT $3 OFFSET $4"
                ))
                .bind(day(on))
                .bind(above.fen())
                .bind(limit.max(0))
                .bind(offset.max(0))
                .fetch_all(&self.pool)
                .await
                .map_err(&g)?;
                let list = rows
                    .iter()
                    .map(|r| {
                        Ok((
                            ProjectId(r.try_get("id").map_err(&g)?),
                            r.try_get("name").map_err(&g)?,
                            LiaisonYuan(r.try_get("total_investment").map_err(&g)?),
                        ))
                    })
                    .collect::<Result<Vec<_>>>()?;
                Ok((list, total))
            }

            async fn enterprises_without_steward(
                &self,
                on: LiaisonDate,
                offset: i64,
                limit: i64,
            ) -> Result<(Vec<(EnterpriseId, String)>, i64)> {
                let g = db_err("list enterprises without steward");
                const MISSING: &str = "FROM enterprises e WHERE e.scale <> 'other' AND NOT EXISTS (SELECT 1 \
                     FROM service_assignments a WHERE a.enterprise_id = e.id AND a.kind = 'steward' \
                     AND a.since <= $1 AND (a.until IS NULL OR a.until >= $1))";
                let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) {MISSING}"))
                    .bind(day(on))
                    .fetch_one(&self.pool)
                    .await
                    .map_err(&g)?;
                let rows =
                    sqlx::query(&format!("SELECT e.id, e.name {MISSING} ORDER BY e.name, e.id LIMIT $2 OFFSET $3"))
                        .bind(day(on))
                        .bind(limit.max(0))
                        .bind(offset.max(0))
                        .fetch_all(&self.pool)
                        .await
                        .map_err(&g)?;
                let list = rows
                    .iter()
                    .map(|r| Ok((EnterpriseId(r.try_get("id").map_err(&g)?), r.try_get("name").map_err(&g)?)))
                    .collect::<Result<Vec<_>>>()?;
                Ok((list, total))
            }

            async fn project_stewards(
                &self,
                on: LiaisonDate,
                tiers: &[(LiaisonYuan, Vec<Rank>)],
            ) -> Result<Vec<(Assignment, String, LiaisonYuan)>> {
                let g = db_err("list project stewards");
                let cols = assignment_columns_of_a();
                let mut qb = QueryBuilder::<Db>::new(format!(
                    "SELECT {cols}, p.name AS project_name, p.total_investment FROM service_assignments a \
                     JOIN projects p ON p.id = a.project_id WHERE a.kind = 'steward' AND a.since <= "
                ));
                qb.push_bind(day(on)).push(" AND (a.until IS NULL OR a.until >= ").push_bind(day(on)).push(")");
                // Only a rank that may be below the tier: none, or not one that fits the tier the
                // investment falls in (the highest tier it is above; else the first).
                if let Some((_, first)) = tiers.first() {
                    let fits = |qb: &mut QueryBuilder<'_, Db>, ranks: &[Rank]| {
                        if ranks.is_empty() {
                            qb.push("1 = 0");
                            return;
                        }
                        qb.push("a.rank IN (");
                        let mut list = qb.separated(", ");
                        for r in ranks {
                            list.push_bind(r.code());
                        }
                        qb.push(")");
                    };
                    qb.push(" AND (a.rank IS NULL OR NOT (CASE");
                    for (above, ranks) in tiers.iter().rev() {
                        qb.push(" WHEN p.total_investment > ").push_bind(above.fen()).push(" THEN ");
                        fits(&mut qb, ranks);
                    }
                    qb.push(" ELSE ");
                    fits(&mut qb, first);
                    qb.push(" END))");
                }
                qb.push(" ORDER BY p.name, p.id, a.id");
                let rows = qb.build()
                .fetch_all(&self.pool)
                .await
                .map_err(&g)?;
                rows.iter()
                    .map(|r| {
                        Ok((
                            assignment_from_row(r)?,
                            r.try_get("project_name").map_err(&g)?,
                            LiaisonYuan(r.try_get("total_investment").map_err(&g)?),
                        ))
                    })
                    .collect()
            }
        }
    };
}
