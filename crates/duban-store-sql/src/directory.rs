//! Units, groups and the names that point to them: the SQL of `DirectoryStore`.

/// Implements [`DirectoryStore`](duban_store::DirectoryStore) for `$store`; invoked by [`sql_store!`](crate::sql_store)
/// inside the block that [`sql_common!`](crate::sql_common) set up.
#[doc(hidden)]
#[macro_export]
macro_rules! sql_directory {
    ($store:ty) => {
        fn unit_from_row(r: &DbRow, aliases: Vec<String>) -> Result<Unit> {
            let g = db_err("read unit");
            Ok(Unit {
                id: UnitId(r.try_get("id").map_err(&g)?),
                name: r.try_get("name").map_err(&g)?,
                kind: code("unit kind", &r.try_get::<String, _>("kind").map_err(&g)?)?,
                level: code("unit level", &r.try_get::<String, _>("level").map_err(&g)?)?,
                parent_id: r.try_get::<Option<i64>, _>("parent_id").map_err(&g)?.map(UnitId),
                aliases,
                active: r.try_get("active").map_err(&g)?,
            })
        }

        /// Checks that every name is free, or already belongs to `owner`.
        async fn check_names(tx: &mut Tx<'_>, names: &[&str], owner: Option<PartyRef>) -> Result<()> {
            for name in names {
                let row = sqlx::query("SELECT unit_id, group_id FROM party_names WHERE name = $1")
                    .bind(*name)
                    .fetch_optional(&mut **tx)
                    .await
                    .map_err(db_err("check names"))?;
                if let Some(r) = row {
                    let g = db_err("read names");
                    let holder = match r.try_get::<Option<i64>, _>("unit_id").map_err(&g)? {
                        Some(u) => PartyRef::Unit(UnitId(u)),
                        None => PartyRef::Group(GroupId(r.try_get::<i64, _>("group_id").map_err(&g)?)),
                    };
                    if Some(holder) != owner {
                        return Err(Error::Conflict(format!("名称“{name}”已被其他单位或单位组使用")));
                    }
                }
            }
            Ok(())
        }

        async fn set_names(tx: &mut Tx<'_>, owner: PartyRef, name: &str, aliases: &[String]) -> Result<()> {
            let (u, g) = match owner {
                PartyRef::Unit(u) => (Some(u.0), None),
                PartyRef::Group(g) => (None, Some(g.0)),
            };
            sqlx::query("DELETE FROM party_names WHERE unit_id = $1 OR group_id = $2")
                .bind(u)
                .bind(g)
                .execute(&mut **tx)
                .await
                .map_err(db_err("clear names"))?;
            let mut all: Vec<&str> = vec![name];
            for a in aliases {
                if !all.contains(&a.as_str()) {
                    all.push(a);
                }
            }
            check_names(tx, &all, Some(owner)).await?;
            for (i, n) in all.iter().enumerate() {
                sqlx::query("INSERT INTO party_names (name, unit_id, group_id, is_alias) VALUES ($1, $2, $3, $4)")
                    .bind(*n)
                    .bind(u)
                    .bind(g)
                    .bind(i > 0)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err("insert names"))?;
            }
            Ok(())
        }

        async fn unit_in(tx: &mut Tx<'_>, id: UnitId) -> Result<Option<Unit>> {
            let row = sqlx::query("SELECT id, name, kind, level, parent_id, active FROM units WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&mut **tx)
                .await
                .map_err(db_err("get unit"))?;
            let Some(row) = row else { return Ok(None) };
            let aliases: Vec<String> =
                sqlx::query_scalar("SELECT name FROM party_names WHERE unit_id = $1 AND is_alias = $2 ORDER BY name")
                    .bind(id.0)
                    .bind(true)
                    .fetch_all(&mut **tx)
                    .await
                    .map_err(db_err("get aliases"))?;
            unit_from_row(&row, aliases).map(Some)
        }

        /// Refuses a parent that does not exist or would make a cycle.
        async fn check_parent(tx: &mut Tx<'_>, id: Option<UnitId>, parent: Option<UnitId>) -> Result<()> {
            let mut cur = parent;
            let mut depth = 0;
            while let Some(p) = cur {
                if Some(p) == id {
                    return Err(Error::invalid("parent_id", "上级单位不能是本单位或其下级单位"));
                }
                let row: Option<Option<i64>> = sqlx::query_scalar("SELECT parent_id FROM units WHERE id = $1")
                    .bind(p.0)
                    .fetch_optional(&mut **tx)
                    .await
                    .map_err(db_err("check parent"))?;
                match row {
                    None => return Err(Error::invalid("parent_id", format!("上级单位 {p} 不存在"))),
                    Some(next) => cur = next.map(UnitId),
                }
                depth += 1;
                if depth > 64 {
                    return Err(Error::invalid("parent_id", "单位层级过深"));
                }
            }
            Ok(())
        }

        async fn save_unit(tx: &mut Tx<'_>, id: Option<UnitId>, u: &NewUnit, at: Timestamp) -> Result<UnitId> {
            check_parent(tx, id, u.parent_id).await?;
            let id = match id {
                Some(id) => {
                    let done =
                        sqlx::query("UPDATE units SET name = $1, kind = $2, level = $3, parent_id = $4 WHERE id = $5")
                            .bind(&u.name)
                            .bind(u.kind.code())
                            .bind(u.level.code())
                            .bind(u.parent_id.map(|p| p.0))
                            .bind(id.0)
                            .execute(&mut **tx)
                            .await
                            .map_err(db_err("update unit"))?;
                    if done.rows_affected() == 0 {
                        return Err(Error::not_found(format!("单位 {id}")));
                    }
                    id
                }
                None => {
                    let mut names: Vec<&str> = vec![&u.name];
                    names.extend(u.aliases.iter().map(String::as_str));
                    check_names(tx, &names, None).await?;
                    UnitId(
                        sqlx::query_scalar(
                            "INSERT INTO units (name, kind, level, parent_id, active, created_at) \
                             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                        )
                        .bind(&u.name)
                        .bind(u.kind.code())
                        .bind(u.level.code())
                        .bind(u.parent_id.map(|p| p.0))
                        .bind(true)
                        .bind(ms(at))
                        .fetch_one(&mut **tx)
                        .await
                        .map_err(db_err("insert unit"))?,
                    )
                }
            };
            set_names(tx, PartyRef::Unit(id), &u.name, &u.aliases).await?;
            Ok(id)
        }

        async fn group_in(tx: &mut Tx<'_>, name: &str) -> Result<Option<UnitGroup>> {
            let row = sqlx::query("SELECT id FROM unit_groups WHERE name = $1")
                .bind(name)
                .fetch_optional(&mut **tx)
                .await
                .map_err(db_err("find group"))?;
            let Some(row) = row else { return Ok(None) };
            let id = GroupId(row.try_get("id").map_err(db_err("read group"))?);
            load_group(&mut **tx, id).await.map(Some)
        }

        async fn load_group(conn: &mut <Db as sqlx::Database>::Connection, id: GroupId) -> Result<UnitGroup> {
            let row = sqlx::query("SELECT id, name, note FROM unit_groups WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&mut *conn)
                .await
                .map_err(db_err("get group"))?
                .ok_or_else(|| Error::not_found(format!("单位组 {id}")))?;
            let g = db_err("read group");
            let aliases: Vec<String> =
                sqlx::query_scalar("SELECT name FROM party_names WHERE group_id = $1 AND is_alias = $2 ORDER BY name")
                    .bind(id.0)
                    .bind(true)
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(&g)?;
            let members: Vec<i64> =
                sqlx::query_scalar("SELECT unit_id FROM unit_group_members WHERE group_id = $1 ORDER BY unit_id")
                    .bind(id.0)
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(&g)?;
            Ok(UnitGroup {
                id,
                name: row.try_get("name").map_err(&g)?,
                note: row.try_get("note").map_err(&g)?,
                aliases,
                members: members.into_iter().map(UnitId).collect(),
            })
        }

        #[$crate::deps::async_trait::async_trait]
        impl DirectoryStore for $store {
            async fn create_unit(&self, u: &NewUnit, at: Timestamp) -> Result<Unit> {
                let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                let id = save_unit(&mut tx, None, u, at).await?;
                let unit = unit_in(&mut tx, id).await?.ok_or(Error::Internal)?;
                tx.commit().await.map_err(db_err("commit"))?;
                Ok(unit)
            }

            async fn update_unit(&self, id: UnitId, u: &NewUnit, at: Timestamp) -> Result<Unit> {
                let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                save_unit(&mut tx, Some(id), u, at).await?;
                let unit = unit_in(&mut tx, id).await?.ok_or(Error::Internal)?;
                tx.commit().await.map_err(db_err("commit"))?;
                Ok(unit)
            }

            async fn add_unit_alias(&self, id: UnitId, alias: &str) -> Result<Unit> {
                let alias = alias.trim();
                if alias.is_empty() {
                    return Err(Error::invalid("alias", "别名不能为空"));
                }
                let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                let unit = unit_in(&mut tx, id).await?.ok_or_else(|| Error::not_found(format!("单位 {id}")))?;
                check_names(&mut tx, &[alias], Some(PartyRef::Unit(id))).await?;
                if unit.name != alias && !unit.aliases.iter().any(|a| a == alias) {
                    sqlx::query("INSERT INTO party_names (name, unit_id, group_id, is_alias) VALUES ($1, $2, $3, $4)")
                        .bind(alias)
                        .bind(Some(id.0))
                        .bind(None::<i64>)
                        .bind(true)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err("insert alias"))?;
                }
                let unit = unit_in(&mut tx, id).await?.ok_or(Error::Internal)?;
                tx.commit().await.map_err(db_err("commit"))?;
                Ok(unit)
            }

            async fn get_unit(&self, id: UnitId) -> Result<Unit> {
                let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                let u = unit_in(&mut tx, id).await?;
                tx.commit().await.map_err(db_err("commit"))?;
                u.ok_or_else(|| Error::not_found(format!("单位 {id}")))
            }

            async fn list_units(&self) -> Result<Vec<Unit>> {
                let rows = sqlx::query("SELECT id, name, kind, level, parent_id, active FROM units ORDER BY id")
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_err("list units"))?;
                let alias_rows = sqlx::query(
                    "SELECT unit_id, name FROM party_names WHERE unit_id IS NOT NULL AND is_alias = $1 ORDER BY name",
                )
                .bind(true)
                .fetch_all(&self.pool)
                .await
                .map_err(db_err("list aliases"))?;
                let mut aliases: HashMap<i64, Vec<String>> = HashMap::new();
                let g = db_err("read aliases");
                for r in alias_rows {
                    aliases.entry(r.try_get("unit_id").map_err(&g)?).or_default().push(r.try_get("name").map_err(&g)?);
                }
                rows.iter()
                    .map(|r| {
                        let id: i64 = r.try_get("id").map_err(&g)?;
                        unit_from_row(r, aliases.remove(&id).unwrap_or_default())
                    })
                    .collect()
            }

            async fn delete_unit(&self, id: UnitId) -> Result<()> {
                let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                let unit = unit_in(&mut tx, id).await?.ok_or_else(|| Error::not_found(format!("单位 {id}")))?;
                let used: i64 = sqlx::query_scalar(
                    "SELECT (SELECT COUNT(*) FROM task_parties WHERE unit_id = $1) \
                     + (SELECT COUNT(*) FROM people WHERE unit_id = $1) \
                     + (SELECT COUNT(*) FROM units WHERE parent_id = $1)",
                )
                .bind(id.0)
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err("check unit use"))?;
                if used > 0 {
                    return Err(Error::Conflict(format!("单位“{}”仍有任务、人员或下级单位，不能删除", unit.name)));
                }
                for sql in [
                    "DELETE FROM unit_group_members WHERE unit_id = $1",
                    "DELETE FROM party_names WHERE unit_id = $1",
                    "DELETE FROM units WHERE id = $1",
                ] {
                    // Anything else that still names the unit (an enterprise's area, a liaison's
                    // unit, a procedure's department, a ranking's record …) refuses the delete.
                    sqlx::query(sql).bind(id.0).execute(&mut *tx).await.map_err(|e| {
                        match db_err("delete unit")(e) {
                            Error::Invalid { field, .. } if field == "reference" => Error::Conflict(format!(
                                "单位“{}”仍被企业、项目、包联、前期手续或考核记录引用，不能删除",
                                unit.name
                            )),
                            other => other,
                        }
                    })?;
                }
                tx.commit().await.map_err(db_err("commit"))?;
                Ok(())
            }

            async fn resolve_name(&self, name: &str) -> Result<Option<PartyRef>> {
                let row = sqlx::query("SELECT unit_id, group_id FROM party_names WHERE name = $1")
                    .bind(name.trim())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_err("resolve name"))?;
                let g = db_err("read name");
                Ok(match row {
                    None => None,
                    Some(r) => match r.try_get::<Option<i64>, _>("unit_id").map_err(&g)? {
                        Some(u) => Some(PartyRef::Unit(UnitId(u))),
                        None => Some(PartyRef::Group(GroupId(r.try_get("group_id").map_err(&g)?))),
                    },
                })
            }

            async fn list_groups(&self) -> Result<Vec<UnitGroup>> {
                let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM unit_groups ORDER BY id")
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_err("list groups"))?;
                let mut conn = self.pool.acquire().await.map_err(db_err("acquire"))?;
                let mut out = Vec::with_capacity(ids.len());
                for id in ids {
                    out.push(load_group(&mut conn, GroupId(id)).await?);
                }
                Ok(out)
            }

            async fn get_group(&self, id: GroupId) -> Result<UnitGroup> {
                let mut conn = self.pool.acquire().await.map_err(db_err("acquire"))?;
                load_group(&mut conn, id).await
            }

            async fn import_directory(&self, dir: &UnitDirectory, now: Timestamp) -> Result<DirectoryImport> {
                let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                let mut report = DirectoryImport::default();
                // Free the aliases of every unit and group the file restates, so an alias
                // may move between them.
                let mut existing: HashMap<String, Unit> = HashMap::new();
                for u in &dir.units {
                    let id: Option<i64> = sqlx::query_scalar("SELECT id FROM units WHERE name = $1")
                        .bind(&u.name)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(db_err("find unit"))?;
                    if let Some(id) = id {
                        if let Some(unit) = unit_in(&mut tx, UnitId(id)).await? {
                            existing.insert(u.name.clone(), unit);
                        }
                        sqlx::query("DELETE FROM party_names WHERE unit_id = $1 AND is_alias = $2")
                            .bind(id)
                            .bind(true)
                            .execute(&mut *tx)
                            .await
                            .map_err(db_err("free aliases"))?;
                    }
                }
                let mut old_groups: HashMap<String, UnitGroup> = HashMap::new();
                for g in &dir.groups {
                    if let Some(group) = group_in(&mut tx, &g.name).await? {
                        sqlx::query("DELETE FROM party_names WHERE group_id = $1 AND is_alias = $2")
                            .bind(group.id.0)
                            .bind(true)
                            .execute(&mut *tx)
                            .await
                            .map_err(db_err("free aliases"))?;
                        old_groups.insert(g.name.clone(), group);
                    }
                }
                let mut ids: HashMap<&str, UnitId> = HashMap::new();
                for u in &dir.units {
                    let parent_id = match &u.parent {
                        None => None,
                        Some(p) => {
                            let canonical = dir
                                .units
                                .iter()
                                .find(|q| &q.name == p || q.aliases.contains(p))
                                .map(|q| q.name.as_str())
                                .unwrap_or(p.as_str());
                            Some(*ids.get(canonical).ok_or_else(|| {
                                Error::invalid("parent", format!("单位“{}”的上级“{p}”不在名录中", u.name))
                            })?)
                        }
                    };
                    let new = NewUnit {
                        name: u.name.clone(),
                        kind: u.kind,
                        level: UnitDirectory::level_of(u),
                        parent_id,
                        aliases: u.aliases.clone(),
                    };
                    let old = existing.get(&u.name);
                    let id = save_unit(&mut tx, old.map(|o| o.id), &new, now).await?;
                    match old {
                        None => report.units_created += 1,
                        Some(o) => {
                            let mut a = o.aliases.clone();
                            let mut b = new.aliases.clone();
                            a.sort();
                            b.sort();
                            if (o.kind, o.level, o.parent_id, a) != (new.kind, new.level, new.parent_id, b) {
                                report.units_updated += 1;
                            }
                        }
                    }
                    report.names += 1 + new.aliases.len() as u32;
                    ids.insert(u.name.as_str(), id);
                }
                for g in &dir.groups {
                    let members: Vec<UnitId> =
                        dir.members_of(g).into_iter().filter_map(|n| ids.get(n).copied()).collect();
                    let old = old_groups.get(&g.name);
                    let id = match old {
                        Some(o) => {
                            sqlx::query("UPDATE unit_groups SET note = $1 WHERE id = $2")
                                .bind(&g.note)
                                .bind(o.id.0)
                                .execute(&mut *tx)
                                .await
                                .map_err(db_err("update group"))?;
                            o.id
                        }
                        None => {
                            check_names(&mut tx, &[g.name.as_str()], None).await?;
                            GroupId(
                                sqlx::query_scalar("INSERT INTO unit_groups (name, note) VALUES ($1, $2) RETURNING id")
                                    .bind(&g.name)
                                    .bind(&g.note)
                                    .fetch_one(&mut *tx)
                                    .await
                                    .map_err(db_err("insert group"))?,
                            )
                        }
                    };
                    set_names(&mut tx, PartyRef::Group(id), &g.name, &g.aliases).await?;
                    sqlx::query("DELETE FROM unit_group_members WHERE group_id = $1")
                        .bind(id.0)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err("clear members"))?;
                    for m in &members {
                        sqlx::query("INSERT INTO unit_group_members (group_id, unit_id) VALUES ($1, $2)")
                            .bind(id.0)
                            .bind(m.0)
                            .execute(&mut *tx)
                            .await
                            .map_err(db_err("insert member"))?;
                    }
                    match old {
                        None => report.groups_created += 1,
                        Some(o) => {
                            let mut a = o.aliases.clone();
                            let mut b = g.aliases.clone();
                            a.sort();
                            b.sort();
                            let mut m = members.clone();
                            m.sort();
                            if (a, &o.members, &o.note) != (b, &m, &g.note) {
                                report.groups_updated += 1;
                            }
                        }
                    }
                    report.names += 1 + g.aliases.len() as u32;
                }
                tx.commit().await.map_err(db_err("commit"))?;
                Ok(report)
            }
        }
    };
}
