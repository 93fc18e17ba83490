//! The task list's query parameters, shared by the API's `GET /api/v1/tasks` and the pages'
//! ledger and export (whose filter form fills the same parameters), and the paging arithmetic
//! every paged list uses.

use duban_domain::Error;
use duban_domain::ids::{LedgerId, TaskId, UnitId};
use duban_domain::task::{parse_date, parse_instant};
use duban_store::{TaskQuery, TaskSort};
use serde::Deserialize;

/// How many pages `total` items fill at `per_page` a page: at least one, so that an empty list
/// is "page 1 of 1".
pub fn page_count(total: u64, per_page: u32) -> u32 {
    u32::try_from(total.div_ceil(u64::from(per_page.max(1)))).unwrap_or(u32::MAX).max(1)
}

/// A page number as a form or query string writes it: empty or unreadable is the first page.
pub fn page_number(s: &str) -> u32 {
    s.trim().parse::<u32>().unwrap_or(1).max(1)
}

/// The query string of the task list, as written by clients.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ListParams {
    pub ledger: Option<i64>,
    pub parent: Option<i64>,
    pub unit: Option<i64>,
    pub lead_only: Option<bool>,
    pub leader: Option<i64>,
    /// Comma-separated statuses.
    pub status: Option<String>,
    pub source: Option<String>,
    pub classification: Option<String>,
    pub light: Option<String>,
    pub due_before: Option<String>,
    pub due_after: Option<String>,
    pub deadline_before: Option<String>,
    pub deadline_after: Option<String>,
    pub q: Option<String>,
    /// Only tasks with a 督办 notice not yet answered (督办待回复).
    pub unanswered: Option<bool>,
    pub sort: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

fn list_of<T: std::str::FromStr<Err = Error>>(v: Option<&str>) -> Result<Vec<T>, Error> {
    v.map(|s| s.split([',', '，']).map(str::trim).filter(|x| !x.is_empty()).map(str::parse).collect())
        .transpose()
        .map(Option::unwrap_or_default)
}

impl ListParams {
    /// Checks every parameter and gives a store query.
    pub fn parse(self, tz: &jiff::tz::TimeZone) -> Result<TaskQuery, Error> {
        let instant = |field: &str, v: Option<String>, end_of_day: bool| -> Result<Option<jiff::Timestamp>, Error> {
            let Some(v) = v.filter(|s| !s.trim().is_empty()) else { return Ok(None) };
            // A bare date means the whole day: up to its end for "before", from its start for "after".
            if end_of_day && let Ok(d) = v.trim().parse::<jiff::civil::Date>() {
                let next = d.tomorrow().map_err(|_| Error::invalid(field, "日期超出范围"))?;
                let start = parse_instant(field, &next.to_string(), tz)?;
                return Ok(Some(start - jiff::SignedDuration::from_millis(1)));
            }
            parse_instant(field, &v, tz).map(Some)
        };
        // A date filter given empty is a mistake, as the document's `format: date` says.
        let date = |field: &str, v: Option<String>| v.map(|s| parse_date(field, &s)).transpose();
        let sort = match self.sort.as_deref().map(str::trim) {
            None | Some("due") => TaskSort::Due,
            Some("deadline") => TaskSort::Deadline,
            Some("number") => TaskSort::Number,
            Some("updated") => TaskSort::Updated,
            Some(other) => {
                return Err(Error::invalid(
                    "sort",
                    format!("排序方式“{other}”无效，可选：due、deadline、number、updated"),
                ));
            }
        };
        if self.page == Some(0) {
            return Err(Error::invalid("page", "页码从 1 开始"));
        }
        let per_page = self.per_page.unwrap_or(50);
        if per_page == 0 || per_page > 500 {
            return Err(Error::invalid("per_page", "每页条数应在 1 到 500 之间"));
        }
        Ok(TaskQuery {
            ledger_id: self.ledger.map(LedgerId),
            parent_id: self.parent.map(TaskId),
            unit_id: self.unit.map(UnitId),
            lead_only: self.lead_only.unwrap_or(false),
            leader_id: self.leader.map(duban_domain::ids::PersonId),
            audience: None,
            statuses: list_of(self.status.as_deref())?,
            sources: list_of(self.source.as_deref())?,
            classifications: list_of(self.classification.as_deref())?,
            light: self.light.filter(|s| !s.trim().is_empty()).map(|s| s.parse()).transpose()?,
            now: jiff::Timestamp::UNIX_EPOCH,
            due_before: instant("due_before", self.due_before, true)?,
            due_after: instant("due_after", self.due_after, false)?,
            deadline_before: date("deadline_before", self.deadline_before)?,
            deadline_after: date("deadline_after", self.deadline_after)?,
            text: self.q.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
            unanswered: self.unanswered.unwrap_or(false),
            sort,
            page: self.page.unwrap_or(1).max(1),
            per_page,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_counted_from_one() {
        assert_eq!(page_count(0, 50), 1);
        assert_eq!(page_count(50, 50), 1);
        assert_eq!(page_count(51, 50), 2);
        assert_eq!(page_number(""), 1);
        assert_eq!(page_number("0"), 1);
        assert_eq!(page_number(" 3 "), 3);
        assert_eq!(page_number("x"), 1);
    }
}
