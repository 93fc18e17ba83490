//! Ledgers (台账): the SQL of `LedgerStore`.

/// Implements [`LedgerStore`](duban_store::LedgerStore) for `$store`; invoked by [`sql_store!`](crate::sql_store)
/// inside the block that [`sql_common!`](crate::sql_common) set up.
#[doc(hidden)]
#[macro_export]
macro_rules! sql_ledgers {
    ($store:ty) => {
        fn ledger_from_row(r: &DbRow) -> Result<Ledger> {
            let g = db_err("read ledger");
            Ok(Ledger {
                id: LedgerId(r.try_get("id").map_err(&g)?),
                fields: NewLedger {
                    name: r.try_get("name").map_err(&g)?,
                    doc_number: r.try_get("doc_number").map_err(&g)?,
                    issued: r
                        .try_get::<Option<String>, _>("issued")
                        .map_err(&g)?
                        .map(|s| code("ledger date", &s))
                        .transpose()?,
                    issuer: r.try_get("issuer").map_err(&g)?,
                    source: code("source", &r.try_get::<String, _>("source").map_err(&g)?)?,
                },
                created_at: ts(r.try_get("created_at").map_err(&g)?)?,
            })
        }

        /// Makes a ledger with a name no other ledger has.
        async fn insert_ledger(tx: &mut Tx<'_>, l: &NewLedger, at: Timestamp) -> Result<i64> {
            let name = l.name.trim();
            if name.is_empty() {
                return Err(Error::invalid("name", "台账名称不能为空"));
            }
            let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM ledgers WHERE name = $1")
                .bind(name)
                .fetch_optional(&mut **tx)
                .await
                .map_err(db_err("find ledger"))?;
            if taken.is_some() {
                return Err(Error::Conflict(format!("台账“{name}”已存在")));
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO ledgers (name, doc_number, issued, issuer, source, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(name)
            .bind(&l.doc_number)
            .bind(l.issued.map(|d| d.to_string()))
            .bind(&l.issuer)
            .bind(l.source.code())
            .bind(ms(at))
            .fetch_one(&mut **tx)
            .await
            .map_err(db_err("insert ledger"))?;
            Ok(id)
        }

        #[$crate::deps::async_trait::async_trait]
        impl LedgerStore for $store {
            async fn create_ledger(&self, l: &NewLedger, at: Timestamp) -> Result<Ledger> {
                let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                let id = insert_ledger(&mut tx, l, at).await?;
                tx.commit().await.map_err(db_err("commit"))?;
                self.get_ledger(LedgerId(id)).await
            }

            async fn get_ledger(&self, id: LedgerId) -> Result<Ledger> {
                let missing = || Error::not_found(format!("台账 {id}"));
                let row =
                    row_by_id(&self.pool, "SELECT * FROM ledgers WHERE id = $1", id.0, "get ledger", missing).await?;
                ledger_from_row(&row)
            }

            async fn list_ledgers(&self) -> Result<Vec<Ledger>> {
                all_rows(&self.pool, "SELECT * FROM ledgers ORDER BY id", "list ledgers", ledger_from_row).await
            }
        }
    };
}
