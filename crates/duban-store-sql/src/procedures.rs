//! Pre-procedures of key projects: the SQL of `ProcedureStore` (migration 0020). Reads join
//! each procedure's task for its status, light instants and clock.

/// Implements [`ProcedureStore`](duban_store::ProcedureStore) for `$store`; invoked by
/// [`sql_store!`](crate::sql_store) inside the block that [`sql_common!`](crate::sql_common) set up.
#[doc(hidden)]
#[macro_export]
macro_rules! sql_procedures {
    ($store:ty) => {
        use $crate::deps::duban_domain::procedure::{KindSpec, NewProcedure, Procedure, ProcedureKind};
        use $crate::deps::duban_store::procedures::{ProcedureRow, ProcedureStore};

        const KIND_COLUMNS: &str = "id, name, default_days, note, builtin, position";
        const PROCEDURE_COLUMNS: &str =
            "id, project_id, kind_id, unit_id, days, note, task_id, started_on, committed_on, created_at";
        const PROCEDURE_ROW_COLUMNS: &str = "p.id, p.project_id, p.kind_id, p.unit_id, p.days, p.note, p.task_id, \
            p.started_on, p.committed_on, p.created_at, k.name AS kind_name, k.position AS kind_position, \
            t.status AS task_status, t.due_at AS task_due_at, t.warn_at AS task_warn_at, t.clock AS task_clock";
        const PROCEDURE_FROM: &str = "procedures p JOIN procedure_kinds k ON k.id = p.kind_id \
            LEFT JOIN tasks t ON t.id = p.task_id";

        fn kind_from_row(r: &DbRow) -> Result<ProcedureKind> {
            let g = db_err("read procedure kind");
            let days: Option<i64> = r.try_get("default_days").map_err(&g)?;
            Ok(ProcedureKind {
                id: r.try_get("id").map_err(&g)?,
                name: r.try_get("name").map_err(&g)?,
                default_days: days.and_then(|d| u32::try_from(d).ok()),
                note: r.try_get("note").map_err(&g)?,
                builtin: r.try_get("builtin").map_err(&g)?,
                position: r.try_get("position").map_err(&g)?,
            })
        }

        fn procedure_from_row(r: &DbRow) -> Result<Procedure> {
            let g = db_err("read procedure");
            let day = |col: &str| -> Result<Option<$crate::deps::jiff::civil::Date>> {
                let s: Option<String> = r.try_get(col).map_err(&g)?;
                s.as_deref().map(|d| code("date", d)).transpose()
            };
            let days: i64 = r.try_get("days").map_err(&g)?;
            Ok(Procedure {
                id: r.try_get("id").map_err(&g)?,
                fields: NewProcedure {
                    project_id: ProjectId(r.try_get("project_id").map_err(&g)?),
                    kind_id: r.try_get("kind_id").map_err(&g)?,
                    unit_id: UnitId(r.try_get("unit_id").map_err(&g)?),
                    days: u32::try_from(days).map_err(|e| corrupt("procedure days", e))?,
                    note: r.try_get("note").map_err(&g)?,
                },
                task_id: r.try_get::<Option<i64>, _>("task_id").map_err(&g)?.map(TaskId),
                started_on: day("started_on")?,
                committed_on: day("committed_on")?,
                created_at: ts(r.try_get("created_at").map_err(&g)?)?,
            })
        }

        fn procedure_row_from_row(r: &DbRow) -> Result<ProcedureRow> {
            let g = db_err("read procedure row");
            let status: Option<String> = r.try_get("task_status").map_err(&g)?;
            let clock: Option<String> = r.try_get("task_clock").map_err(&g)?;
            let done_at = match clock {
                Some(c) => {
                    let clock: BTreeMap<String, i64> = json("clock", &c)?;
                    clock.get("done").map(|v| ts(*v)).transpose()?
                }
                None => None,
            };
            Ok(ProcedureRow {
                procedure: procedure_from_row(r)?,
                kind: r.try_get("kind_name").map_err(&g)?,
                kind_position: r.try_get("kind_position").map_err(&g)?,
                status: status.as_deref().map(|s| code("status", s)).transpose()?,
                due_at: r.try_get::<Option<i64>, _>("task_due_at").map_err(&g)?.map(ts).transpose()?,
                warn_at: r.try_get::<Option<i64>, _>("task_warn_at").map_err(&g)?.map(ts).transpose()?,
                done_at,
            })
        }

        #[$crate::deps::async_trait::async_trait]
        impl ProcedureStore for $store {
            async fn procedure_kinds(&self) -> Result<Vec<ProcedureKind>> {
                let rows = sqlx::query(&format!("SELECT {KIND_COLUMNS} FROM procedure_kinds ORDER BY position, id"))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_err("procedure kinds"))?;
                rows.iter().map(kind_from_row).collect()
            }

            async fn ensure_procedure_kinds(&self, kinds: &[KindSpec], at: Timestamp) -> Result<()> {
                let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                for (i, k) in kinds.iter().enumerate() {
                    sqlx::query(
                        "INSERT INTO procedure_kinds (name, default_days, note, builtin, position, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name) DO NOTHING",
                    )
                    .bind(k.name.trim())
                    .bind(k.default_days.map(i64::from))
                    .bind(&k.note)
                    .bind(true)
                    .bind(i as i64 + 1)
                    .bind(ms(at))
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err("ensure procedure kinds"))?;
                }
                tx.commit().await.map_err(db_err("commit"))?;
                Ok(())
            }

            async fn insert_procedure_kind(&self, k: &KindSpec, at: Timestamp) -> Result<ProcedureKind> {
                let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                let r = sqlx::query(&format!(
                    "INSERT INTO procedure_kinds (name, default_days, note, builtin, position, created_at) \
                     VALUES ($1, $2, $3, $4, (SELECT COALESCE(MAX(position), 0) + 1 FROM procedure_kinds), $5) \
                     RETURNING {KIND_COLUMNS}"
                ))
                .bind(k.name.trim())
                .bind(k.default_days.map(i64::from))
                .bind(&k.note)
                .bind(false)
                .bind(ms(at))
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| match db_err("insert procedure kind")(e) {
                    Error::Conflict(_) => Error::Conflict(format!("已有名为“{}”的手续种类", k.name.trim())),
                    other => other,
                })?;
                let kind = kind_from_row(&r)?;
                tx.commit().await.map_err(db_err("commit"))?;
                Ok(kind)
            }

            async fn insert_procedure(
                &self,
                p: &NewProcedure,
                by: Option<PersonId>,
                at: Timestamp,
            ) -> Result<Procedure> {
                let r = sqlx::query(&format!(
                    "INSERT INTO procedures (project_id, kind_id, unit_id, days, note, created_by, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {PROCEDURE_COLUMNS}"
                ))
                .bind(p.project_id.0)
                .bind(p.kind_id)
                .bind(p.unit_id.0)
                .bind(i64::from(p.days))
                .bind(&p.note)
                .bind(by.map(|b| b.0))
                .bind(ms(at))
                .fetch_one(&self.pool)
                .await
                .map_err(|e| match db_err("insert procedure")(e) {
                    Error::Conflict(_) => Error::Conflict("该项目已有这一手续".into()),
                    other => other,
                })?;
                procedure_from_row(&r)
            }

            async fn procedure(&self, id: i64) -> Result<Option<Procedure>> {
                let r = sqlx::query(&format!("SELECT {PROCEDURE_COLUMNS} FROM procedures WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_err("get procedure"))?;
                r.as_ref().map(procedure_from_row).transpose()
            }

            async fn start_procedure(
                &self,
                id: i64,
                task: TaskId,
                started_on: $crate::deps::jiff::civil::Date,
                committed_on: $crate::deps::jiff::civil::Date,
            ) -> Result<Procedure> {
                let r = sqlx::query(&format!(
                    "UPDATE procedures SET task_id = $1, started_on = $2, committed_on = $3 \
                     WHERE id = $4 AND task_id IS NULL RETURNING {PROCEDURE_COLUMNS}"
                ))
                .bind(task.0)
                .bind(started_on.to_string())
                .bind(committed_on.to_string())
                .bind(id)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err("start procedure"))?;
                match r {
                    Some(r) => procedure_from_row(&r),
                    None => match self.procedure(id).await? {
                        Some(_) => Err(Error::Conflict("该手续已启动".into())),
                        None => Err(Error::not_found(format!("手续 {id}"))),
                    },
                }
            }

            async fn procedures_of(&self, projects: &[ProjectId]) -> Result<Vec<ProcedureRow>> {
                let mut out = Vec::new();
                for chunk in projects.chunks(BATCH_ROWS) {
                    let mut qb = QueryBuilder::<Db>::new(format!(
                        "SELECT {PROCEDURE_ROW_COLUMNS} FROM {PROCEDURE_FROM} WHERE p.project_id IN ("
                    ));
                    push_list(&mut qb, chunk.iter().map(|i| i.0));
                    qb.push(") ORDER BY p.project_id, k.position, p.id");
                    let rows = qb.build().fetch_all(&self.pool).await.map_err(db_err("procedures of projects"))?;
                    for r in &rows {
                        out.push(procedure_row_from_row(r)?);
                    }
                }
                Ok(out)
            }

            async fn procedures_for_dispatch(
                &self,
                since: Timestamp,
                until: $crate::deps::jiff::civil::Date,
            ) -> Result<Vec<ProcedureRow>> {
                let rows = sqlx::query(&format!(
                    "SELECT {PROCEDURE_ROW_COLUMNS} FROM {PROCEDURE_FROM} \
                     WHERE p.task_id IS NOT NULL \
                     AND ((p.committed_on <= $1 AND t.status NOT IN ('closed', 'cancelled')) OR t.updated_at >= $2) \
                     ORDER BY p.committed_on, p.id"
                ))
                .bind(until.to_string())
                .bind(ms(since))
                .fetch_all(&self.pool)
                .await
                .map_err(db_err("procedures for dispatch"))?;
                rows.iter().map(procedure_row_from_row).collect()
            }
        }
    };
}
