//! Report periods (REQUIREMENTS §6): the week, half-month, month or quarter a periodic progress
//! report counts in, with a stable key per period (`2026W10`, `2026-03a`, `2026-03`, `2026Q1`),
//! and whether a day is in the period's last two working days (when a unit that has not yet
//! reported is reminded). Also the one piece of week arithmetic (ISO weeks, Monday to Sunday)
//! the pages and the statistics use.

use crate::calendar::{Calendar, CalendarError};
use crate::policy::Period;
use jiff::Span;
use jiff::civil::Date;

/// The ISO week (Monday to Sunday) holding `d`: its Monday and its Sunday. `None` only at the
/// ends of the representable dates.
pub fn week_of(d: Date) -> Option<(Date, Date)> {
    let offset = i64::from(d.weekday().to_monday_one_offset());
    let monday = d.checked_sub(Span::new().days(offset - 1)).ok()?;
    let sunday = d.checked_add(Span::new().days(7 - offset)).ok()?;
    Some((monday, sunday))
}

/// The report period holding a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportPeriod {
    /// Stable and distinct per period: `2026W10`, `2026-03a` / `2026-03b`, `2026-03`, `2026Q1`.
    pub key: String,
    /// The period's last day.
    pub end: Date,
}

impl ReportPeriod {
    /// The period of kind `every` holding `day`; `None` for reports made per event (they have no
    /// period).
    pub fn of(every: Period, day: Date) -> Option<Self> {
        let (key, end) = match every {
            Period::PerEvent => return None,
            Period::Week => {
                let iso = day.iso_week_date();
                (format!("{}W{:02}", iso.year(), iso.week()), week_of(day)?.1)
            }
            Period::HalfMonth => {
                let first = day.day() <= 15;
                let end = if first { day.with().day(15).build().ok()? } else { day.last_of_month() };
                (format!("{}-{:02}{}", day.year(), day.month(), if first { "a" } else { "b" }), end)
            }
            Period::Month => (format!("{}-{:02}", day.year(), day.month()), day.last_of_month()),
            Period::Quarter => {
                let q = (day.month() - 1) / 3 + 1;
                (format!("{}Q{q}", day.year()), Date::new(day.year(), q * 3, 1).ok()?.last_of_month())
            }
        };
        Some(ReportPeriod { key, end })
    }

    /// Whether `day` (in this period) is one of its last two working days. An error when the
    /// calendar has no data for the days between (see [`crate::calendar`]).
    pub fn closing_on(&self, day: Date, cal: &Calendar) -> Result<bool, CalendarError> {
        Ok(cal.workdays_between(day, self.end)?.value <= 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::UnknownYears;
    use jiff::civil::date;

    #[test]
    fn weeks_run_monday_to_sunday() {
        assert_eq!(week_of(date(2026, 3, 4)), Some((date(2026, 3, 2), date(2026, 3, 8))));
        assert_eq!(week_of(date(2026, 3, 2)), Some((date(2026, 3, 2), date(2026, 3, 8))));
        assert_eq!(week_of(date(2026, 3, 8)), Some((date(2026, 3, 2), date(2026, 3, 8))));
    }

    #[test]
    fn periods_have_keys_and_ends() {
        let d = date(2026, 2, 16);
        let of = |p| ReportPeriod::of(p, d).map(|r| (r.key, r.end));
        assert_eq!(of(Period::Week), Some(("2026W08".into(), date(2026, 2, 22))));
        assert_eq!(of(Period::HalfMonth), Some(("2026-02b".into(), date(2026, 2, 28))));
        assert_eq!(of(Period::Month), Some(("2026-02".into(), date(2026, 2, 28))));
        assert_eq!(of(Period::Quarter), Some(("2026Q1".into(), date(2026, 3, 31))));
        assert_eq!(of(Period::PerEvent), None);
        assert_eq!(ReportPeriod::of(Period::HalfMonth, date(2026, 2, 15)).map(|r| r.key), Some("2026-02a".into()));
        // An ISO week belongs to the year of its Thursday.
        assert_eq!(ReportPeriod::of(Period::Week, date(2027, 1, 1)).map(|r| r.key), Some("2026W53".into()));
    }

    #[test]
    fn the_last_two_working_days_close_a_period() {
        let cal = Calendar::builtin().unwrap();
        // March 2026 ends on a Tuesday: Monday 30 and Tuesday 31 close the month.
        let march = ReportPeriod::of(Period::Month, date(2026, 3, 1)).unwrap();
        assert!(!march.closing_on(date(2026, 3, 27), &cal).unwrap());
        assert!(march.closing_on(date(2026, 3, 30), &cal).unwrap());
        assert!(march.closing_on(date(2026, 3, 31), &cal).unwrap());
        // A week closes on Thursday and Friday (the weekend is not a working day).
        let week = ReportPeriod::of(Period::Week, date(2026, 3, 2)).unwrap();
        assert!(!week.closing_on(date(2026, 3, 4), &cal).unwrap());
        assert!(week.closing_on(date(2026, 3, 5), &cal).unwrap());
        // A year without data is an error, not a guess.
        let far = ReportPeriod::of(Period::Month, date(2099, 3, 1)).unwrap();
        assert!(far.closing_on(date(2099, 3, 30), &cal).is_err());
        let weekends = cal.with_unknown_years(UnknownYears::WeekendsOnly);
        assert!(far.closing_on(date(2099, 3, 30), &weekends).unwrap());
    }
}
