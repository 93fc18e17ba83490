//! Key enterprises and key projects, with their append-only history: the SQL of
//! `EnterpriseStore`.

/// Implements [`EnterpriseStore`](duban_store::EnterpriseStore) for `$store`; invoked by
/// [`sql_store!`](crate::sql_store) inside the block that [`sql_common!`](crate::sql_common) set up.
#[doc(hidden)]
#[macro_export]
macro_rules! sql_enterprises {
    ($store:ty) => {
        use $crate::deps::duban_domain::enterprise::{
            CreditCode, Enterprise, NewEnterprise, NewProject, Project, Yuan,
        };
        use $crate::deps::duban_domain::ids::{EnterpriseId, ProjectId};
        use $crate::deps::duban_store::enterprises::{
            EnterpriseQuery, EnterpriseStore, ImportCounts, ProjectQuery, RecordKind, RegistryChange,
        };

        const ENTERPRISE_COLUMNS: &str = "id, name, credit_code, industry, scale, address, contact_name, \
            contact_phone, unit_id, note, created_at, updated_at, version";
        const PROJECT_COLUMNS: &str = "id, name, investor, enterprise_id, total_investment, stage, signed_on, \
            location, industry, unit_id, note, created_at, updated_at, version";
        /// The most rows one page returns.
        const MAX_PAGE: i64 = 1000;

        fn enterprise_from_row(r: &DbRow) -> Result<Enterprise> {
            let g = db_err("read enterprise");
            let credit: String = r.try_get("credit_code").map_err(&g)?;
            let scale: String = r.try_get("scale").map_err(&g)?;
            Ok(Enterprise {
                id: EnterpriseId(r.try_get("id").map_err(&g)?),
                fields: NewEnterprise {
                    name: r.try_get("name").map_err(&g)?,
                    credit_code: code::<CreditCode>("credit code", &credit)?,
                    industry: r.try_get("industry").map_err(&g)?,
                    scale: code("scale", &scale)?,
                    address: r.try_get("address").map_err(&g)?,
                    contact_name: r.try_get("contact_name").map_err(&g)?,
                    contact_phone: r.try_get("contact_phone").map_err(&g)?,
                    unit_id: r.try_get::<Option<i64>, _>("unit_id").map_err(&g)?.map(UnitId),
                    note: r.try_get("note").map_err(&g)?,
                },
                created_at: ts(r.try_get("created_at").map_err(&g)?)?,
                updated_at: ts(r.try_get("updated_at").map_err(&g)?)?,
                version: r.try_get("version").map_err(&g)?,
            })
        }

        fn project_from_row(r: &DbRow) -> Result<Project> {
            let g = db_err("read project");
            let stage: String = r.try_get("stage").map_err(&g)?;
            let signed: Option<String> = r.try_get("signed_on").map_err(&g)?;
            Ok(Project {
                id: ProjectId(r.try_get("id").map_err(&g)?),
                fields: NewProject {
                    name: r.try_get("name").map_err(&g)?,
                    investor: r.try_get("investor").map_err(&g)?,
                    enterprise_id: r.try_get::<Option<i64>, _>("enterprise_id").map_err(&g)?.map(EnterpriseId),
                    total_investment: Yuan(r.try_get("total_investment").map_err(&g)?),
                    stage: code("stage", &stage)?,
                    signed_on: signed.as_deref().map(|d| code("signed on", d)).transpose()?,
                    location: r.try_get("location").map_err(&g)?,
                    industry: r.try_get("industry").map_err(&g)?,
                    unit_id: r.try_get::<Option<i64>, _>("unit_id").map_err(&g)?.map(UnitId),
                    note: r.try_get("note").map_err(&g)?,
                },
                created_at: ts(r.try_get("created_at").map_err(&g)?)?,
                updated_at: ts(r.try_get("updated_at").map_err(&g)?)?,
                version: r.try_get("version").map_err(&g)?,
            })
        }

        /// Appends a record's new state to its history, in the write's transaction.
        async fn record_version(
            tx: &mut Tx<'static>,
            kind: RecordKind,
            record_id: i64,
            version: i64,
            by: Option<PersonId>,
            at: Timestamp,
            snapshot: String,
        ) -> Result<()> {
            sqlx::query(
                "INSERT INTO registry_history (kind, record_id, version, by_person, at, snapshot) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(kind.code())
            .bind(record_id)
            .bind(version)
            .bind(by.map(|p| p.0))
            .bind(ms(at))
            .bind(snapshot)
            .execute(&mut **tx)
            .await
            .map_err(db_err("record history"))?;
            Ok(())
        }

        fn duplicate_code(e: Error) -> Error {
            match e {
                Error::Conflict(_) => Error::Conflict("已有相同统一社会信用代码的企业".into()),
                other => other,
            }
        }

        fn page_limit(limit: i64) -> i64 {
            if limit <= 0 { 50 } else { limit.min(MAX_PAGE) }
        }

        /// Adds an enterprise inside `tx`, with its first version.
        async fn insert_enterprise_tx(
            tx: &mut Tx<'static>,
            e: &NewEnterprise,
            by: Option<PersonId>,
            at: Timestamp,
        ) -> Result<Enterprise> {
            let r = sqlx::query(&format!(
                "INSERT INTO enterprises (name, credit_code, industry, scale, address, contact_name, contact_phone, \
                 unit_id, note, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) \
                 RETURNING {ENTERPRISE_COLUMNS}"
            ))
            .bind(&e.name)
            .bind(e.credit_code.as_str())
            .bind(&e.industry)
            .bind(e.scale.code())
            .bind(&e.address)
            .bind(&e.contact_name)
            .bind(&e.contact_phone)
            .bind(e.unit_id.map(|u| u.0))
            .bind(&e.note)
            .bind(ms(at))
            .fetch_one(&mut **tx)
            .await
            .map_err(|x| duplicate_code(db_err("insert enterprise")(x)))?;
            let saved = enterprise_from_row(&r)?;
            record_version(tx, RecordKind::Enterprise, saved.id.0, saved.version, by, at, to_json(&saved)).await?;
            Ok(saved)
        }

        /// Replaces an enterprise's fields inside `tx` when its version is still `version`
        /// (None otherwise), with its new version.
        async fn update_enterprise_tx(
            tx: &mut Tx<'static>,
            id: EnterpriseId,
            version: i64,
            e: &NewEnterprise,
            by: Option<PersonId>,
            at: Timestamp,
        ) -> Result<Option<Enterprise>> {
            let r = sqlx::query(&format!(
                "UPDATE enterprises SET name = $1, credit_code = $2, industry = $3, scale = $4, address = $5, \
                 contact_name = $6, contact_phone = $7, unit_id = $8, note = $9, updated_at = $10, \
                 version = version + 1 WHERE id = $11 AND version = $12 RETURNING {ENTERPRISE_COLUMNS}"
            ))
            .bind(&e.name)
            .bind(e.credit_code.as_str())
            .bind(&e.industry)
            .bind(e.scale.code())
            .bind(&e.address)
            .bind(&e.contact_name)
            .bind(&e.contact_phone)
            .bind(e.unit_id.map(|u| u.0))
            .bind(&e.note)
            .bind(ms(at))
            .bind(id.0)
            .bind(version)
            .fetch_optional(&mut **tx)
            .await
            .map_err(|x| duplicate_code(db_err("update enterprise")(x)))?;
            let Some(r) = r else { return Ok(None) };
            let saved = enterprise_from_row(&r)?;
            record_version(tx, RecordKind::Enterprise, saved.id.0, saved.version, by, at, to_json(&saved)).await?;
            Ok(Some(saved))
        }

        /// Adds a project inside `tx`, with its first version.
        async fn insert_project_tx(
            tx: &mut Tx<'static>,
            p: &NewProject,
            by: Option<PersonId>,
            at: Timestamp,
        ) -> Result<Project> {
            let r = sqlx::query(&format!(
                "INSERT INTO projects (name, investor, enterprise_id, total_investment, stage, signed_on, location, \
                 industry, unit_id, note, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING {PROJECT_COLUMNS}"
            ))
            .bind(&p.name)
            .bind(&p.investor)
            .bind(p.enterprise_id.map(|e| e.0))
            .bind(p.total_investment.fen())
            .bind(p.stage.code())
            .bind(p.signed_on.map(|d| d.to_string()))
            .bind(&p.location)
            .bind(&p.industry)
            .bind(p.unit_id.map(|u| u.0))
            .bind(&p.note)
            .bind(ms(at))
            .fetch_one(&mut **tx)
            .await
            .map_err(db_err("insert project"))?;
            let saved = project_from_row(&r)?;
            record_version(tx, RecordKind::Project, saved.id.0, saved.version, by, at, to_json(&saved)).await?;
            Ok(saved)
        }

        /// Replaces a project's fields inside `tx` when its version is still `version`.
        async fn update_project_tx(
            tx: &mut Tx<'static>,
            id: ProjectId,
            version: i64,
            p: &NewProject,
            by: Option<PersonId>,
            at: Timestamp,
        ) -> Result<Option<Project>> {
            let r = sqlx::query(&format!(
                "UPDATE projects SET name = $1, investor = $2, enterprise_id = $3, total_investment = $4, \
                 stage = $5, signed_on = $6, location = $7, industry = $8, unit_id = $9, note = $10, \
                 updated_at = $11, version = version + 1 WHERE id = $12 AND version = $13 \
                 RETURNING {PROJECT_COLUMNS}"
            ))
            .bind(&p.name)
            .bind(&p.investor)
            .bind(p.enterprise_id.map(|e| e.0))
            .bind(p.total_investment.fen())
            .bind(p.stage.code())
            .bind(p.signed_on.map(|d| d.to_string()))
            .bind(&p.location)
            .bind(&p.industry)
            .bind(p.unit_id.map(|u| u.0))
            .bind(&p.note)
            .bind(ms(at))
            .bind(id.0)
            .bind(version)
            .fetch_optional(&mut **tx)
            .await
            .map_err(db_err("update project"))?;
            let Some(r) = r else { return Ok(None) };
            let saved = project_from_row(&r)?;
            record_version(tx, RecordKind::Project, saved.id.0, saved.version, by, at, to_json(&saved)).await?;
            Ok(Some(saved))
        }

        #[$crate::deps::async_trait::async_trait]
        impl EnterpriseStore for $store {
            async fn insert_enterprise(
                &self,
                e: &NewEnterprise,
                by: Option<PersonId>,
                at: Timestamp,
            ) -> Result<Enterprise> {
                let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                let saved = insert_enterprise_tx(&mut tx, e, by, at).await?;
                tx.commit().await.map_err(db_err("commit"))?;
                Ok(saved)
            }

            async fn update_enterprise(
                &self,
                id: EnterpriseId,
                version: i64,
                e: &NewEnterprise,
                by: Option<PersonId>,
                at: Timestamp,
            ) -> Result<Enterprise> {
                let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                let Some(saved) = update_enterprise_tx(&mut tx, id, version, e, by, at).await? else {
                    drop(tx);
                    return match self.enterprise(id).await? {
                        Some(_) => Err(Error::Conflict("企业信息已被他人修改，请刷新后重试".into())),
                        None => Err(Error::not_found(format!("企业 {id}"))),
                    };
                };
                tx.commit().await.map_err(db_err("commit"))?;
                Ok(saved)
            }

            async fn enterprise(&self, id: EnterpriseId) -> Result<Option<Enterprise>> {
                let r = sqlx::query(&format!("SELECT {ENTERPRISE_COLUMNS} FROM enterprises WHERE id = $1"))
                    .bind(id.0)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_err("get enterprise"))?;
                r.as_ref().map(enterprise_from_row).transpose()
            }

            async fn enterprise_by_code(&self, c: &CreditCode) -> Result<Option<Enterprise>> {
                let r = sqlx::query(&format!("SELECT {ENTERPRISE_COLUMNS} FROM enterprises WHERE credit_code = $1"))
                    .bind(c.as_str())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_err("get enterprise"))?;
                r.as_ref().map(enterprise_from_row).transpose()
            }

            async fn enterprises(&self, q: &EnterpriseQuery) -> Result<(Vec<Enterprise>, i64)> {
                fn filter<'a>(qb: &mut QueryBuilder<'a, Db>, q: &'a EnterpriseQuery) {
                    qb.push(" WHERE 1 = 1");
                    if let Some(s) = q.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                        let pat = like_pattern(s);
                        qb.push(" AND (name LIKE ")
                            .push_bind(pat.clone())
                            .push(" ESCAPE '\\' OR credit_code LIKE ")
                            .push_bind(pat.to_uppercase())
                            .push(" ESCAPE '\\')");
                    }
                    if let Some(s) = q.scale {
                        qb.push(" AND scale = ").push_bind(s.code());
                    }
                    if let Some(u) = q.unit_id {
                        qb.push(" AND unit_id = ").push_bind(u.0);
                    }
                }
                let mut count = QueryBuilder::<Db>::new("SELECT COUNT(*) FROM enterprises");
                filter(&mut count, q);
                let total: i64 =
                    count.build_query_scalar().fetch_one(&self.pool).await.map_err(db_err("count enterprises"))?;
                let mut qb = QueryBuilder::<Db>::new(format!("SELECT {ENTERPRISE_COLUMNS} FROM enterprises"));
                filter(&mut qb, q);
                qb.push(" ORDER BY name, id LIMIT ")
                    .push_bind(page_limit(q.limit))
                    .push(" OFFSET ")
                    .push_bind(q.offset.max(0));
                let rows = qb.build().fetch_all(&self.pool).await.map_err(db_err("list enterprises"))?;
                Ok((rows.iter().map(enterprise_from_row).collect::<Result<_>>()?, total))
            }

            async fn enterprises_by_ids(&self, ids: &[EnterpriseId]) -> Result<Vec<Enterprise>> {
                let mut out = Vec::with_capacity(ids.len());
                for chunk in ids.chunks(BATCH_ROWS) {
                    let mut qb =
                        QueryBuilder::<Db>::new(format!("SELECT {ENTERPRISE_COLUMNS} FROM enterprises WHERE id IN ("));
                    push_list(&mut qb, chunk.iter().map(|i| i.0));
                    qb.push(") ORDER BY name, id");
                    let rows = qb.build().fetch_all(&self.pool).await.map_err(db_err("enterprises by id"))?;
                    for r in &rows {
                        out.push(enterprise_from_row(r)?);
                    }
                }
                Ok(out)
            }

            async fn insert_project(&self, p: &NewProject, by: Option<PersonId>, at: Timestamp) -> Result<Project> {
                let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                let saved = insert_project_tx(&mut tx, p, by, at).await?;
                tx.commit().await.map_err(db_err("commit"))?;
                Ok(saved)
            }

            async fn update_project(
                &self,
                id: ProjectId,
                version: i64,
                p: &NewProject,
                by: Option<PersonId>,
                at: Timestamp,
            ) -> Result<Project> {
                let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                let Some(saved) = update_project_tx(&mut tx, id, version, p, by, at).await? else {
                    drop(tx);
                    return match self.project(id).await? {
                        Some(_) => Err(Error::Conflict("项目信息已被他人修改，请刷新后重试".into())),
                        None => Err(Error::not_found(format!("项目 {id}"))),
                    };
                };
                tx.commit().await.map_err(db_err("commit"))?;
                Ok(saved)
            }

            async fn project(&self, id: ProjectId) -> Result<Option<Project>> {
                let r = sqlx::query(&format!("SELECT {PROJECT_COLUMNS} FROM projects WHERE id = $1"))
                    .bind(id.0)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_err("get project"))?;
                r.as_ref().map(project_from_row).transpose()
            }

            async fn projects(&self, q: &ProjectQuery) -> Result<(Vec<Project>, i64)> {
                fn filter<'a>(qb: &mut QueryBuilder<'a, Db>, q: &'a ProjectQuery) {
                    qb.push(" WHERE 1 = 1");
                    if let Some(s) = q.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                        let pat = like_pattern(s);
                        qb.push(" AND (name LIKE ")
                            .push_bind(pat.clone())
                            .push(" ESCAPE '\\' OR investor LIKE ")
                            .push_bind(pat)
                            .push(" ESCAPE '\\')");
                    }
                    if let Some(e) = q.enterprise_id {
                        qb.push(" AND enterprise_id = ").push_bind(e.0);
                    }
                    if let Some(u) = q.unit_id {
                        qb.push(" AND unit_id = ").push_bind(u.0);
                    }
                }
                let mut count = QueryBuilder::<Db>::new("SELECT COUNT(*) FROM projects");
                filter(&mut count, q);
                let total: i64 =
                    count.build_query_scalar().fetch_one(&self.pool).await.map_err(db_err("count projects"))?;
                let mut qb = QueryBuilder::<Db>::new(format!("SELECT {PROJECT_COLUMNS} FROM projects"));
                filter(&mut qb, q);
                qb.push(" ORDER BY name, id LIMIT ")
                    .push_bind(page_limit(q.limit))
                    .push(" OFFSET ")
                    .push_bind(q.offset.max(0));
                let rows = qb.build().fetch_all(&self.pool).await.map_err(db_err("list projects"))?;
                Ok((rows.iter().map(project_from_row).collect::<Result<_>>()?, total))
            }

            async fn projects_by_ids(&self, ids: &[ProjectId]) -> Result<Vec<Project>> {
                let mut out = Vec::with_capacity(ids.len());
                for chunk in ids.chunks(BATCH_ROWS) {
                    let mut qb =
                        QueryBuilder::<Db>::new(format!("SELECT {PROJECT_COLUMNS} FROM projects WHERE id IN ("));
                    push_list(&mut qb, chunk.iter().map(|i| i.0));
                    qb.push(") ORDER BY name, id");
                    let rows = qb.build().fetch_all(&self.pool).await.map_err(db_err("projects by id"))?;
                    for r in &rows {
                        out.push(project_from_row(r)?);
                    }
                }
                Ok(out)
            }

            async fn import_enterprises(
                &self,
                rows: &[NewEnterprise],
                by: Option<PersonId>,
                at: Timestamp,
            ) -> Result<ImportCounts> {
                let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                let mut counts = ImportCounts::default();
                for e in rows {
                    let r =
                        sqlx::query(&format!("SELECT {ENTERPRISE_COLUMNS} FROM enterprises WHERE credit_code = $1"))
                            .bind(e.credit_code.as_str())
                            .fetch_optional(&mut *tx)
                            .await
                            .map_err(db_err("get enterprise"))?;
                    match r.as_ref().map(enterprise_from_row).transpose()? {
                        Some(old) if old.fields == *e => counts.unchanged += 1,
                        Some(old) => {
                            update_enterprise_tx(&mut tx, old.id, old.version, e, by, at)
                                .await?
                                .ok_or_else(|| Error::Conflict("企业信息已被他人修改，请重试".into()))?;
                            counts.updated += 1;
                        }
                        None => {
                            insert_enterprise_tx(&mut tx, e, by, at).await?;
                            counts.added += 1;
                        }
                    }
                }
                tx.commit().await.map_err(db_err("commit"))?;
                Ok(counts)
            }

            async fn import_projects(
                &self,
                rows: &[NewProject],
                by: Option<PersonId>,
                at: Timestamp,
            ) -> Result<ImportCounts> {
                let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                let mut counts = ImportCounts::default();
                for p in rows {
                    let r = sqlx::query(&format!(
                        "SELECT {PROJECT_COLUMNS} FROM projects WHERE name = $1 ORDER BY id LIMIT 1"
                    ))
                    .bind(&p.name)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_err("get project"))?;
                    match r.as_ref().map(project_from_row).transpose()? {
                        Some(old) if old.fields == *p => counts.unchanged += 1,
                        Some(old) => {
                            update_project_tx(&mut tx, old.id, old.version, p, by, at)
                                .await?
                                .ok_or_else(|| Error::Conflict("项目信息已被他人修改，请重试".into()))?;
                            counts.updated += 1;
                        }
                        None => {
                            insert_project_tx(&mut tx, p, by, at).await?;
                            counts.added += 1;
                        }
                    }
                }
                tx.commit().await.map_err(db_err("commit"))?;
                Ok(counts)
            }

            async fn registry_history(&self, kind: RecordKind, record_id: i64) -> Result<Vec<RegistryChange>> {
                let rows = sqlx::query(
                    "SELECT id, record_id, version, by_person, at, snapshot FROM registry_history \
                     WHERE kind = $1 AND record_id = $2 ORDER BY version DESC",
                )
                .bind(kind.code())
                .bind(record_id)
                .fetch_all(&self.pool)
                .await
                .map_err(db_err("registry history"))?;
                let g = db_err("read history");
                rows.iter()
                    .map(|r| {
                        let snapshot: String = r.try_get("snapshot").map_err(&g)?;
                        Ok(RegistryChange {
                            id: r.try_get("id").map_err(&g)?,
                            kind,
                            record_id: r.try_get("record_id").map_err(&g)?,
                            version: r.try_get("version").map_err(&g)?,
                            by: r.try_get::<Option<i64>, _>("by_person").map_err(&g)?.map(PersonId),
                            at: ts(r.try_get("at").map_err(&g)?)?,
                            snapshot: json("history", &snapshot)?,
                        })
                    })
                    .collect()
            }
        }
    };
}
