//! Calendar files imported by administrators: the SQL of `CalendarStore`.

/// Implements [`CalendarStore`](duban_store::CalendarStore) for `$store`; invoked by [`sql_store!`](crate::sql_store)
/// inside the block that [`sql_common!`](crate::sql_common) set up.
#[doc(hidden)]
#[macro_export]
macro_rules! sql_calendar {
    ($store:ty) => {
        #[$crate::deps::async_trait::async_trait]
        impl CalendarStore for $store {
            async fn add_calendar_file(&self, f: &CalendarFile, note: &str, at: Timestamp) -> Result<i64> {
                sqlx::query_scalar(
                    "INSERT INTO calendar_files (imported_at, note, content) VALUES ($1, $2, $3) RETURNING id",
                )
                .bind(ms(at))
                .bind(note)
                .bind(f.to_json())
                .fetch_one(&self.pool)
                .await
                .map_err(db_err("add calendar file"))
            }

            async fn calendar_files(&self) -> Result<Vec<CalendarFile>> {
                let rows: Vec<String> = sqlx::query_scalar("SELECT content FROM calendar_files ORDER BY id")
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_err("calendar files"))?;
                rows.iter().map(|c| CalendarFile::parse_json(c).map_err(|e| corrupt("calendar file", e))).collect()
            }
        }
    };
}
