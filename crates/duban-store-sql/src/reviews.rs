//! Objections, evaluations and the document-error ledger: the SQL of `ReviewStore`.

/// Implements [`ReviewStore`](duban_store::ReviewStore) for `$store`; invoked by [`sql_store!`](crate::sql_store)
/// inside the block that [`sql_common!`](crate::sql_common) set up.
#[doc(hidden)]
#[macro_export]
macro_rules! sql_reviews {
    ($store:ty) => {
        use $crate::deps::duban_store::reviews::{
            DocumentError, Evaluation, Evidence, NewDocumentError, NewEvaluation, NewObjection, Objection,
            ReviewStore,
        };

        const OBJECTION_COLUMNS: &str = "id, fact_key, unit_id, profile, period, reason, evidence_name, \
            evidence_size, status, filed_by, filed_at, decided_by, decided_at, decision";
        const EVALUATION_COLUMNS: &str =
            "id, unit_id, task_id, day, score, comment, by_person, at, withdrawn_at, withdrawn_by";
        const DOCUMENT_ERROR_COLUMNS: &str = "id, unit_id, day, title, number, kind, count, note, recorded_by, \
            recorded_at, withdrawn_at, withdrawn_by";

        fn objection_from_row(r: &DbRow) -> Result<Objection> {
            let g = db_err("read objection");
            Ok(Objection {
                id: r.try_get("id").map_err(&g)?,
                fact_key: r.try_get("fact_key").map_err(&g)?,
                unit_id: UnitId(r.try_get("unit_id").map_err(&g)?),
                profile: r.try_get("profile").map_err(&g)?,
                period: r.try_get("period").map_err(&g)?,
                reason: r.try_get("reason").map_err(&g)?,
                evidence_name: r.try_get("evidence_name").map_err(&g)?,
                evidence_size: r.try_get("evidence_size").map_err(&g)?,
                status: r.try_get("status").map_err(&g)?,
                filed_by: PersonId(r.try_get("filed_by").map_err(&g)?),
                filed_at: ts(r.try_get("filed_at").map_err(&g)?)?,
                decided_by: r.try_get::<Option<i64>, _>("decided_by").map_err(&g)?.map(PersonId),
                decided_at: ts_opt(r.try_get("decided_at").map_err(&g)?)?,
                decision: r.try_get("decision").map_err(&g)?,
            })
        }

        fn evaluation_from_row(r: &DbRow) -> Result<Evaluation> {
            let g = db_err("read evaluation");
            let day: String = r.try_get("day").map_err(&g)?;
            Ok(Evaluation {
                id: r.try_get("id").map_err(&g)?,
                unit_id: UnitId(r.try_get("unit_id").map_err(&g)?),
                task_id: r.try_get::<Option<i64>, _>("task_id").map_err(&g)?.map(TaskId),
                day: code("evaluation day", &day)?,
                score: r.try_get("score").map_err(&g)?,
                comment: r.try_get("comment").map_err(&g)?,
                by: PersonId(r.try_get("by_person").map_err(&g)?),
                at: ts(r.try_get("at").map_err(&g)?)?,
                withdrawn_at: ts_opt(r.try_get("withdrawn_at").map_err(&g)?)?,
                withdrawn_by: r.try_get::<Option<i64>, _>("withdrawn_by").map_err(&g)?.map(PersonId),
            })
        }

        fn document_error_from_row(r: &DbRow) -> Result<DocumentError> {
            let g = db_err("read document error");
            let day: String = r.try_get("day").map_err(&g)?;
            Ok(DocumentError {
                id: r.try_get("id").map_err(&g)?,
                unit_id: UnitId(r.try_get("unit_id").map_err(&g)?),
                day: code("document error day", &day)?,
                title: r.try_get("title").map_err(&g)?,
                number: r.try_get("number").map_err(&g)?,
                kind: r.try_get("kind").map_err(&g)?,
                count: r.try_get("count").map_err(&g)?,
                note: r.try_get("note").map_err(&g)?,
                by: PersonId(r.try_get("recorded_by").map_err(&g)?),
                at: ts(r.try_get("recorded_at").map_err(&g)?)?,
                withdrawn_at: ts_opt(r.try_get("withdrawn_at").map_err(&g)?)?,
                withdrawn_by: r.try_get::<Option<i64>, _>("withdrawn_by").map_err(&g)?.map(PersonId),
            })
        }

        /// Runs an UPDATE … RETURNING that must change one row: none is a conflict when the row
        /// exists (already decided, already withdrawn), a not-found otherwise.
        async fn update_one<T>(
            pool: &sqlx::Pool<Db>,
            found: Option<DbRow>,
            exists_sql: &str,
            id: i64,
            what: &'static str,
            conflict: &'static str,
            read: impl Fn(&DbRow) -> Result<T>,
        ) -> Result<T> {
            match found {
                Some(r) => read(&r),
                None => {
                    let n: i64 =
                        sqlx::query_scalar(exists_sql).bind(id).fetch_one(pool).await.map_err(db_err("find review"))?;
                    if n > 0 { Err(Error::Conflict(conflict.into())) } else { Err(Error::not_found(what)) }
                }
            }
        }

        #[$crate::deps::async_trait::async_trait]
        impl ReviewStore for $store {
            async fn file_objection(&self, o: &NewObjection) -> Result<Objection> {
                let (name, ctype, data, size) = match &o.evidence {
                    Some(e) => (
                        Some(e.name.clone()),
                        Some(e.content_type.clone()),
                        Some(e.data.clone()),
                        Some(i64::try_from(e.data.len()).map_err(|_| Error::invalid("file", "文件过大"))?),
                    ),
                    None => (None, None, None, None),
                };
                let r = sqlx::query(&format!(
                    "INSERT INTO objections (fact_key, unit_id, profile, period, reason, evidence_name, evidence_type, \
                     evidence, evidence_size, filed_by, filed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                     RETURNING {OBJECTION_COLUMNS}"
                ))
                .bind(&o.fact_key)
                .bind(o.unit_id.0)
                .bind(&o.profile)
                .bind(&o.period)
                .bind(&o.reason)
                .bind(name)
                .bind(ctype)
                .bind(data)
                .bind(size)
                .bind(o.filed_by.0)
                .bind(ms(o.filed_at))
                .fetch_one(&self.pool)
                .await
                .map_err(|e| match db_err("file objection")(e) {
                    Error::Conflict(_) => Error::Conflict("该项已有待处理的申诉".into()),
                    other => other,
                })?;
                objection_from_row(&r)
            }

            async fn objection(&self, id: i64) -> Result<Option<Objection>> {
                let r = sqlx::query(&format!("SELECT {OBJECTION_COLUMNS} FROM objections WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_err("get objection"))?;
                r.as_ref().map(objection_from_row).transpose()
            }

            async fn objection_evidence(&self, id: i64) -> Result<Option<Evidence>> {
                let r = sqlx::query(
                    "SELECT evidence_name, evidence_type, evidence FROM objections WHERE id = $1 AND evidence IS NOT NULL",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err("get evidence"))?;
                let g = db_err("read evidence");
                r.map(|r| {
                    Ok(Evidence {
                        name: r.try_get::<Option<String>, _>("evidence_name").map_err(&g)?.unwrap_or_default(),
                        content_type: r.try_get::<Option<String>, _>("evidence_type").map_err(&g)?.unwrap_or_default(),
                        data: r.try_get::<Option<Vec<u8>>, _>("evidence").map_err(&g)?.unwrap_or_default(),
                    })
                })
                .transpose()
            }

            async fn objections(&self, unit: Option<UnitId>) -> Result<Vec<Objection>> {
                let rows = match unit {
                    Some(u) => sqlx::query(&format!(
                        "SELECT {OBJECTION_COLUMNS} FROM objections WHERE unit_id = $1 ORDER BY id DESC"
                    ))
                    .bind(u.0)
                    .fetch_all(&self.pool)
                    .await,
                    None => sqlx::query(&format!("SELECT {OBJECTION_COLUMNS} FROM objections ORDER BY id DESC"))
                        .fetch_all(&self.pool)
                        .await,
                }
                .map_err(db_err("list objections"))?;
                rows.iter().map(objection_from_row).collect()
            }

            async fn decide_objection(
                &self,
                id: i64,
                status: &str,
                decision: &str,
                by: PersonId,
                at: Timestamp,
            ) -> Result<Objection> {
                let sql = format!(
                    "UPDATE objections SET status = $1, decision = $2, decided_by = $3, decided_at = $4 \
                     WHERE id = $5 AND status = 'filed' RETURNING {OBJECTION_COLUMNS}"
                );
                let found = sqlx::query(&sql).bind(status).bind(decision).bind(by.0).bind(ms(at)).bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_err("update review"))?;
                update_one(
                    &self.pool,
                    found,
                    "SELECT COUNT(*) FROM objections WHERE id = $1",
                    id,
                    "申诉",
                    "该申诉已处理",
                    objection_from_row,
                )
                .await
            }

            async fn add_evaluation(&self, e: &NewEvaluation) -> Result<Evaluation> {
                let r = sqlx::query(&format!(
                    "INSERT INTO evaluations (unit_id, task_id, day, score, comment, by_person, at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {EVALUATION_COLUMNS}"
                ))
                .bind(e.unit_id.0)
                .bind(e.task_id.map(|t| t.0))
                .bind(e.day.to_string())
                .bind(e.score)
                .bind(&e.comment)
                .bind(e.by.0)
                .bind(ms(e.at))
                .fetch_one(&self.pool)
                .await
                .map_err(db_err("add evaluation"))?;
                evaluation_from_row(&r)
            }

            async fn evaluation(&self, id: i64) -> Result<Option<Evaluation>> {
                let r = sqlx::query(&format!("SELECT {EVALUATION_COLUMNS} FROM evaluations WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_err("get evaluation"))?;
                r.as_ref().map(evaluation_from_row).transpose()
            }

            async fn evaluations(&self) -> Result<Vec<Evaluation>> {
                all_rows(
                    &self.pool,
                    &format!("SELECT {EVALUATION_COLUMNS} FROM evaluations ORDER BY id DESC"),
                    "list evaluations",
                    evaluation_from_row,
                )
                .await
            }

            async fn withdraw_evaluation(&self, id: i64, by: PersonId, at: Timestamp) -> Result<Evaluation> {
                let sql = format!(
                    "UPDATE evaluations SET withdrawn_at = $1, withdrawn_by = $2 WHERE id = $3 AND withdrawn_at IS NULL \
                     RETURNING {EVALUATION_COLUMNS}"
                );
                let found = sqlx::query(&sql).bind(ms(at)).bind(by.0).bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_err("update review"))?;
                update_one(
                    &self.pool,
                    found,
                    "SELECT COUNT(*) FROM evaluations WHERE id = $1",
                    id,
                    "评价",
                    "该评价已撤回",
                    evaluation_from_row,
                )
                .await
            }

            async fn add_document_error(&self, e: &NewDocumentError) -> Result<DocumentError> {
                let r = sqlx::query(&format!(
                    "INSERT INTO document_errors (unit_id, day, title, number, kind, count, note, recorded_by, recorded_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {DOCUMENT_ERROR_COLUMNS}"
                ))
                .bind(e.unit_id.0)
                .bind(e.day.to_string())
                .bind(&e.title)
                .bind(&e.number)
                .bind(&e.kind)
                .bind(e.count)
                .bind(&e.note)
                .bind(e.by.0)
                .bind(ms(e.at))
                .fetch_one(&self.pool)
                .await
                .map_err(db_err("add document error"))?;
                document_error_from_row(&r)
            }

            async fn document_error(&self, id: i64) -> Result<Option<DocumentError>> {
                let r = sqlx::query(&format!("SELECT {DOCUMENT_ERROR_COLUMNS} FROM document_errors WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_err("get document error"))?;
                r.as_ref().map(document_error_from_row).transpose()
            }

            async fn document_errors(&self, from: Date, to: Date) -> Result<Vec<DocumentError>> {
                let rows = sqlx::query(&format!(
                    "SELECT {DOCUMENT_ERROR_COLUMNS} FROM document_errors WHERE day >= $1 AND day <= $2 ORDER BY day, id"
                ))
                .bind(from.to_string())
                .bind(to.to_string())
                .fetch_all(&self.pool)
                .await
                .map_err(db_err("list document errors"))?;
                rows.iter().map(document_error_from_row).collect()
            }

            async fn withdraw_document_error(&self, id: i64, by: PersonId, at: Timestamp) -> Result<DocumentError> {
                let sql = format!(
                    "UPDATE document_errors SET withdrawn_at = $1, withdrawn_by = $2 WHERE id = $3 \
                     AND withdrawn_at IS NULL RETURNING {DOCUMENT_ERROR_COLUMNS}"
                );
                let found = sqlx::query(&sql).bind(ms(at)).bind(by.0).bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_err("update review"))?;
                update_one(
                    &self.pool,
                    found,
                    "SELECT COUNT(*) FROM document_errors WHERE id = $1",
                    id,
                    "公文错情记录",
                    "该记录已撤销",
                    document_error_from_row,
                )
                .await
            }
        }
    };
}
