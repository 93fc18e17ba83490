//! The period an assessment covers: a month (`2026-07`), a quarter (`2026Q3`), a year (`2026`) or
//! any range of days (`2026-07-01..2026-09-15`). Facts count in the period holding their day.

use crate::Error;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What kind of period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpanKind {
    Month,
    Quarter,
    Year,
    Range,
}

/// A period of whole days, `from` to `to` inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub kind: SpanKind,
    pub from: Date,
    pub to: Date,
}

fn bad(s: &str) -> Error {
    Error::invalid("period", format!("“{s}”不是有效的考核期间，例如 2026-07、2026Q3、2026、2026-07-01..2026-09-15"))
}

impl Span {
    pub fn month(year: i16, month: i8) -> Option<Self> {
        let from = Date::new(year, month, 1).ok()?;
        Some(Span { kind: SpanKind::Month, from, to: from.last_of_month() })
    }

    pub fn quarter(year: i16, q: i8) -> Option<Self> {
        if !(1..=4).contains(&q) {
            return None;
        }
        let from = Date::new(year, (q - 1) * 3 + 1, 1).ok()?;
        let to = Date::new(year, q * 3, 1).ok()?.last_of_month();
        Some(Span { kind: SpanKind::Quarter, from, to })
    }

    pub fn year(year: i16) -> Option<Self> {
        Some(Span { kind: SpanKind::Year, from: Date::new(year, 1, 1).ok()?, to: Date::new(year, 12, 31).ok()? })
    }

    /// Any range of days; `from` not after `to`.
    pub fn range(from: Date, to: Date) -> Option<Self> {
        (from <= to).then_some(Span { kind: SpanKind::Range, from, to })
    }

    /// The period of `kind` holding `day`.
    pub fn holding(kind: SpanKind, day: Date) -> Option<Self> {
        match kind {
            SpanKind::Month => Self::month(day.year(), day.month()),
            SpanKind::Quarter => Self::quarter(day.year(), (day.month() - 1) / 3 + 1),
            SpanKind::Year | SpanKind::Range => Self::year(day.year()),
        }
    }

    /// The period of the same kind just before (for a range, the range of the same length).
    pub fn previous(&self) -> Option<Self> {
        let before = self.from.yesterday().ok()?;
        match self.kind {
            SpanKind::Range => {
                let days = self.from.until(self.to).ok()?.get_days();
                Self::range(before.checked_sub(jiff::Span::new().days(days)).ok()?, before)
            }
            k => Self::holding(k, before),
        }
    }

    /// Whether `day` is in the period.
    pub fn contains(&self, day: Date) -> bool {
        self.from <= day && day <= self.to
    }

    /// Parses `2026-07`, `2026Q3` (or `2026-Q3`), `2026`, `2026-07-01..2026-09-15`.
    pub fn parse(s: &str) -> Result<Self, Error> {
        let t = s.trim();
        if let Some((a, b)) = t.split_once("..") {
            let a: Date = a.trim().parse().map_err(|_| bad(s))?;
            let b: Date = b.trim().parse().map_err(|_| bad(s))?;
            return Self::range(a, b).ok_or_else(|| bad(s));
        }
        let upper = t.to_ascii_uppercase();
        if let Some((y, q)) = upper.split_once('Q') {
            let y: i16 = y.trim_end_matches('-').parse().map_err(|_| bad(s))?;
            let q: i8 = q.parse().map_err(|_| bad(s))?;
            return Self::quarter(y, q).filter(|_| (1900..=2200).contains(&y)).ok_or_else(|| bad(s));
        }
        if let Some((y, m)) = t.split_once('-') {
            let y: i16 = y.parse().map_err(|_| bad(s))?;
            let m: i8 = m.parse().map_err(|_| bad(s))?;
            return Self::month(y, m).filter(|_| (1900..=2200).contains(&y)).ok_or_else(|| bad(s));
        }
        let y: i16 = t.parse().map_err(|_| bad(s))?;
        Self::year(y).filter(|_| (1900..=2200).contains(&y)).ok_or_else(|| bad(s))
    }

    /// The stable key the parser reads back: `2026-07`, `2026Q3`, `2026`, `2026-07-01..2026-09-15`.
    pub fn key(&self) -> String {
        match self.kind {
            SpanKind::Month => format!("{}-{:02}", self.from.year(), self.from.month()),
            SpanKind::Quarter => format!("{}Q{}", self.from.year(), (self.from.month() - 1) / 3 + 1),
            SpanKind::Year => format!("{}", self.from.year()),
            SpanKind::Range => format!("{}..{}", self.from, self.to),
        }
    }
}

/// 2026年7月, 2026年第三季度, 2026年度, 2026-07-01至2026-09-15.
impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            SpanKind::Month => write!(f, "{}年{}月", self.from.year(), self.from.month()),
            SpanKind::Quarter => {
                let q = ["一", "二", "三", "四"];
                let i = usize::try_from((self.from.month() - 1) / 3).unwrap_or(0).min(3);
                write!(f, "{}年第{}季度", self.from.year(), q[i])
            }
            SpanKind::Year => write!(f, "{}年度", self.from.year()),
            SpanKind::Range => write!(f, "{}至{}", self.from, self.to),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn parses_every_kind_and_prints_the_key_back() {
        for (s, from, to, label) in [
            ("2026-07", date(2026, 7, 1), date(2026, 7, 31), "2026年7月"),
            ("2026Q3", date(2026, 7, 1), date(2026, 9, 30), "2026年第三季度"),
            ("2026", date(2026, 1, 1), date(2026, 12, 31), "2026年度"),
            ("2026-02-03..2026-03-04", date(2026, 2, 3), date(2026, 3, 4), "2026-02-03至2026-03-04"),
        ] {
            let p = Span::parse(s).unwrap();
            assert_eq!((p.from, p.to), (from, to), "{s}");
            assert_eq!(p.to_string(), label);
            assert_eq!(Span::parse(&p.key()).unwrap(), p);
        }
        assert_eq!(Span::parse("2026-q1").unwrap().to, date(2026, 3, 31));
        for bad in ["", "2026Q5", "2026-13", "x", "2026-03-04..2026-03-01", "99999"] {
            assert!(Span::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_period_before() {
        assert_eq!(Span::parse("2026Q1").unwrap().previous().unwrap().key(), "2025Q4");
        assert_eq!(Span::parse("2026-03").unwrap().previous().unwrap().key(), "2026-02");
        assert_eq!(Span::parse("2026").unwrap().previous().unwrap().key(), "2025");
        let r = Span::parse("2026-03-11..2026-03-20").unwrap().previous().unwrap();
        assert_eq!((r.from, r.to), (date(2026, 3, 1), date(2026, 3, 10)));
    }
}
