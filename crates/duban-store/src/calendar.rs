//! Calendar data (holidays and adjusted working days) imported by administrators.
//!
//! The port [`CalendarStore`]; the SQL that implements it is `duban-store-sql`'s module of the same name.

use crate::Result;
use async_trait::async_trait;
use duban_domain::calendar::CalendarFile;
use jiff::Timestamp;

/// Calendar data (holidays and adjusted working days) imported by administrators.
#[async_trait]
pub trait CalendarStore: Send + Sync {
    async fn add_calendar_file(&self, f: &CalendarFile, note: &str, at: Timestamp) -> Result<i64>;
    async fn calendar_files(&self) -> Result<Vec<CalendarFile>>;
}
