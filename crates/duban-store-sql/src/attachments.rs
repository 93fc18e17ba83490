//! Files attached to tasks: the SQL of `AttachmentStore`.

/// Implements [`AttachmentStore`](duban_store::AttachmentStore) for `$store`; invoked by [`sql_store!`](crate::sql_store)
/// inside the block that [`sql_common!`](crate::sql_common) set up.
#[doc(hidden)]
#[macro_export]
macro_rules! sql_attachments {
    ($store:ty) => {
        fn attachment_from_row(r: &DbRow) -> Result<Attachment> {
            let g = db_err("read attachment");
            Ok(Attachment {
                id: r.try_get("id").map_err(&g)?,
                task_id: TaskId(r.try_get("task_id").map_err(&g)?),
                name: r.try_get("name").map_err(&g)?,
                content_type: r.try_get("content_type").map_err(&g)?,
                size: r.try_get("size").map_err(&g)?,
                sha256: r.try_get("sha256").map_err(&g)?,
                uploaded_by: r.try_get::<Option<i64>, _>("uploaded_by").map_err(&g)?.map(PersonId),
                uploaded_at: ts(r.try_get("uploaded_at").map_err(&g)?)?,
            })
        }

        #[$crate::deps::async_trait::async_trait]
        impl AttachmentStore for $store {
            async fn add_attachment(&self, a: &NewAttachment) -> Result<Attachment> {
                let sha256 = sha256_hex(&a.data);
                let size = i64::try_from(a.data.len()).map_err(|_| Error::invalid("file", "文件过大"))?;
                let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO attachments (task_id, name, content_type, size, sha256, data, uploaded_by, uploaded_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                )
                .bind(a.task_id.0)
                .bind(&a.name)
                .bind(&a.content_type)
                .bind(size)
                .bind(&sha256)
                .bind(&a.data)
                .bind(a.uploaded_by.map(|p| p.0))
                .bind(ms(a.uploaded_at))
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err("add attachment"))?;
                let event = NewEvent {
                    at: a.uploaded_at,
                    actor_id: a.uploaded_by,
                    kind: EventKind::Attached.code().into(),
                    data: $crate::deps::serde_json::json!({"attachment": id, "name": a.name, "size": size, "sha256": sha256}),
                };
                insert_event(&mut tx, a.task_id.0, &event).await?;
                tx.commit().await.map_err(db_err("commit"))?;
                Ok(Attachment {
                    id,
                    task_id: a.task_id,
                    name: a.name.clone(),
                    content_type: a.content_type.clone(),
                    size,
                    sha256,
                    uploaded_by: a.uploaded_by,
                    uploaded_at: a.uploaded_at,
                })
            }

            async fn list_attachments(&self, task: TaskId) -> Result<Vec<Attachment>> {
                let rows = sqlx::query(
                    "SELECT id, task_id, name, content_type, size, sha256, uploaded_by, uploaded_at \
                     FROM attachments WHERE task_id = $1 ORDER BY id",
                )
                .bind(task.0)
                .fetch_all(&self.pool)
                .await
                .map_err(db_err("list attachments"))?;
                rows.iter().map(attachment_from_row).collect()
            }

            async fn get_attachment(&self, id: i64) -> Result<(Attachment, Vec<u8>)> {
                let row = sqlx::query("SELECT * FROM attachments WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_err("get attachment"))?
                    .ok_or_else(|| Error::not_found("附件"))?;
                let data: Vec<u8> = row.try_get("data").map_err(db_err("read attachment"))?;
                Ok((attachment_from_row(&row)?, data))
            }
        }
    };
}
