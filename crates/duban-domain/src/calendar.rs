//! The Chinese working-day calendar (REQUIREMENTS §4).
//!
//! Weekends are off, official holidays are off, and 调休 make-up days (a Saturday or Sunday the
//! State Council declares a working day) are working days. The facts are data: the built-in
//! file is the checked `cn-holidays.json` for 2015–2026, and administrators add a year, a local
//! holiday or a local working day by importing a file of the same format.
//!
//! At start-up the calendar is compiled into a dense index over every day of the covered years:
//! a working-day flag, a prefix count of working days and the position of every working day.
//! Each operation is then a handful of array reads, O(1) whatever the distance.
//!
//! A date in a year without data is an error for working-day arithmetic, because a silent guess
//! would move real deadlines. A deployment may instead choose [`UnknownYears::WeekendsOnly`];
//! the answer then counts only weekends as days off and says it is provisional.

use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The checked holiday data for 2015–2026, built into the binary.
pub const BUILTIN_JSON: &str = include_str!("../data/cn-holidays.json");

/// How far a slow-path computation may walk before it gives up (about 1,000 years).
const MAX_STEPS: i64 = 366_000;

/// Errors of calendar arithmetic and of calendar files.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The computation needs a day of a year the calendar has no data for.
    #[error("{year} 年的节假日安排尚未导入（现有数据：{coverage}），无法按工作日计算")]
    UnknownYear { year: i16, coverage: String },
    /// The date or the result is outside the range of representable dates.
    #[error("日期超出可计算范围")]
    TooFar,
    /// A calendar file that cannot be used.
    #[error("节假日数据文件有误：{0}")]
    InvalidFile(String),
}

/// What to do with a date in a year that has no holiday data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UnknownYears {
    /// Refuse: the answer would be a guess.
    #[default]
    Error,
    /// Count weekends only, and mark the answer provisional.
    WeekendsOnly,
}

/// A calendar answer, with a flag saying whether it relied on a year without data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Reckoned<T> {
    pub value: T,
    /// True when a year without holiday data was involved and weekends alone were counted.
    pub provisional: bool,
}

/// Whether a file states the national calendar of its years or only local adjustments.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Scope {
    /// The State Council's arrangement: every year listed becomes a year with data.
    #[default]
    National,
    /// Local holidays or working days: they change single dates but do not make a year known.
    Local,
}

#[derive(Debug, Deserialize)]
struct RawFile {
    #[serde(default)]
    source_notes: Vec<String>,
    #[serde(default)]
    scope: Scope,
    years: BTreeMap<String, RawYear>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYear {
    #[serde(default)]
    off: Vec<String>,
    #[serde(default)]
    work: Vec<String>,
}

/// One year of a calendar file, parsed and checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct YearDays {
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub off: Vec<Date>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub work: Vec<Date>,
}

/// A parsed calendar file in the `cn-holidays.json` format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarFile {
    #[serde(default)]
    pub source_notes: Vec<String>,
    #[serde(default)]
    pub scope: Scope,
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, YearDays>))]
    pub years: BTreeMap<i16, YearDays>,
}

impl CalendarFile {
    /// Parses and checks a calendar file: every date valid and filed under its own year, and no
    /// date both off and working.
    pub fn parse_json(text: &str) -> Result<Self, CalendarError> {
        let raw: RawFile =
            serde_json::from_str(text).map_err(|e| CalendarError::InvalidFile(format!("JSON 格式错误：{e}")))?;
        let mut years = BTreeMap::new();
        for (key, raw_year) in raw.years {
            let year: i16 = key
                .parse()
                .ok()
                .filter(|y| (1900..=2200).contains(y))
                .ok_or_else(|| CalendarError::InvalidFile(format!("年份“{key}”无效")))?;
            let parse_list = |list: &[String], what: &str| -> Result<Vec<Date>, CalendarError> {
                let mut dates = Vec::with_capacity(list.len());
                for s in list {
                    let d: Date =
                        s.parse().map_err(|_| CalendarError::InvalidFile(format!("{key} 年{what}日期“{s}”无效")))?;
                    if d.year() != year {
                        return Err(CalendarError::InvalidFile(format!("日期 {s} 不属于 {key} 年")));
                    }
                    dates.push(d);
                }
                dates.sort();
                dates.dedup();
                Ok(dates)
            };
            let off = parse_list(&raw_year.off, "放假")?;
            let work = parse_list(&raw_year.work, "上班")?;
            if let Some(both) = off.iter().find(|d| work.binary_search(d).is_ok()) {
                return Err(CalendarError::InvalidFile(format!("日期 {both} 同时列为放假和上班")));
            }
            years.insert(year, YearDays { off, work });
        }
        if years.is_empty() {
            return Err(CalendarError::InvalidFile("没有任何年份的数据".into()));
        }
        Ok(Self { source_notes: raw.source_notes, scope: raw.scope, years })
    }

    /// Renders the file back to the JSON format it was read from.
    pub fn to_json(&self) -> String {
        let years: BTreeMap<String, serde_json::Value> = self
            .years
            .iter()
            .map(|(y, d)| {
                let list = |v: &[Date]| v.iter().map(|d| d.to_string()).collect::<Vec<_>>();
                (y.to_string(), serde_json::json!({"off": list(&d.off), "work": list(&d.work)}))
            })
            .collect();
        serde_json::json!({
            "source_notes": self.source_notes,
            "scope": self.scope,
            "years": years,
        })
        .to_string()
    }
}

const WORK: u8 = 1;
const UNKNOWN: u8 = 2;

/// The compiled working-day calendar. Cheap to share behind an `Arc`; rebuilt when data changes.
#[derive(Debug, Clone)]
pub struct Calendar {
    /// Day number (days since 1970-01-01) of the first indexed day.
    base: i32,
    flags: Vec<u8>,
    dates: Vec<Date>,
    /// `cum[i]` = number of working days among indexed days `0..i`.
    cum: Vec<u32>,
    /// `unknown_cum[i]` = number of days without data among indexed days `0..i`.
    unknown_cum: Vec<u32>,
    /// Index of the k-th working day.
    nth: Vec<u32>,
    known_years: BTreeSet<i16>,
    unknown_years: UnknownYears,
}

impl Calendar {
    /// The built-in calendar for 2015–2026.
    pub fn builtin() -> Result<Self, CalendarError> {
        Self::build(&[CalendarFile::parse_json(BUILTIN_JSON)?], UnknownYears::Error)
    }

    /// Compiles calendar files, applied in order: a later file's statement about a date wins.
    pub fn build(files: &[CalendarFile], unknown_years: UnknownYears) -> Result<Self, CalendarError> {
        let all_years: BTreeSet<i16> = files.iter().flat_map(|f| f.years.keys().copied()).collect();
        let (Some(&first), Some(&last)) = (all_years.first(), all_years.last()) else {
            return Err(CalendarError::InvalidFile("没有任何年份的数据".into()));
        };
        let known_years: BTreeSet<i16> =
            files.iter().filter(|f| f.scope == Scope::National).flat_map(|f| f.years.keys().copied()).collect();
        let start = Date::new(first, 1, 1).map_err(|_| CalendarError::TooFar)?;
        let end = Date::new(last, 12, 31).map_err(|_| CalendarError::TooFar)?;
        let base = day_number(start);
        let len = usize::try_from(day_number(end) - base + 1).map_err(|_| CalendarError::TooFar)?;

        let mut flags = Vec::with_capacity(len);
        let mut dates = Vec::with_capacity(len);
        let mut d = start;
        for _ in 0..len {
            let mut f = if is_weekend(d) { 0 } else { WORK };
            if !known_years.contains(&d.year()) {
                f |= UNKNOWN;
            }
            flags.push(f);
            dates.push(d);
            d = d.tomorrow().map_err(|_| CalendarError::TooFar)?;
        }
        for file in files {
            for days in file.years.values() {
                for (list, work) in [(&days.off, false), (&days.work, true)] {
                    for day in list {
                        let i = (day_number(*day) - base) as usize;
                        flags[i] = if work { flags[i] | WORK } else { flags[i] & !WORK };
                    }
                }
            }
        }
        let mut cum = Vec::with_capacity(len + 1);
        let mut unknown_cum = Vec::with_capacity(len + 1);
        let mut nth = Vec::new();
        let (mut w, mut u) = (0u32, 0u32);
        for (i, f) in flags.iter().enumerate() {
            cum.push(w);
            unknown_cum.push(u);
            if f & WORK != 0 {
                nth.push(i as u32);
                w += 1;
            }
            if f & UNKNOWN != 0 {
                u += 1;
            }
        }
        cum.push(w);
        unknown_cum.push(u);
        Ok(Self { base, flags, dates, cum, unknown_cum, nth, known_years, unknown_years })
    }

    /// The years with national holiday data.
    pub fn known_years(&self) -> impl Iterator<Item = i16> + '_ {
        self.known_years.iter().copied()
    }

    /// The policy for years without data.
    pub fn unknown_years(&self) -> UnknownYears {
        self.unknown_years
    }

    /// The same calendar with another policy for years without data.
    pub fn with_unknown_years(mut self, policy: UnknownYears) -> Self {
        self.unknown_years = policy;
        self
    }

    /// A short description of the covered years, e.g. "2015–2026 年".
    pub fn coverage(&self) -> String {
        match (self.known_years.first(), self.known_years.last()) {
            (Some(a), Some(b)) if a == b => format!("{a} 年"),
            (Some(a), Some(b)) => {
                let gaps = (*a..=*b).any(|y| !self.known_years.contains(&y));
                if gaps {
                    let list: Vec<String> = self.known_years.iter().map(|y| y.to_string()).collect();
                    format!("{} 年", list.join("、"))
                } else {
                    format!("{a}–{b} 年")
                }
            }
            _ => "无".into(),
        }
    }

    fn index(&self, d: Date) -> Option<usize> {
        let i = day_number(d) - self.base;
        (i >= 0 && (i as usize) < self.flags.len()).then_some(i as usize)
    }

    /// Decides what an answer that touched days without data becomes: an error, or provisional.
    fn settle<T>(&self, value: T, unknown_year: Option<i16>) -> Result<Reckoned<T>, CalendarError> {
        match unknown_year {
            None => Ok(Reckoned { value, provisional: false }),
            Some(year) => match self.unknown_years {
                UnknownYears::Error => Err(CalendarError::UnknownYear { year, coverage: self.coverage() }),
                UnknownYears::WeekendsOnly => Ok(Reckoned { value, provisional: true }),
            },
        }
    }

    /// The first year without data among indexed days `lo..=hi`, if any.
    fn unknown_in(&self, lo: usize, hi: usize) -> Option<i16> {
        if self.unknown_cum[hi + 1] == self.unknown_cum[lo] {
            return None;
        }
        (lo..=hi).find(|&i| self.flags[i] & UNKNOWN != 0).map(|i| self.dates[i].year())
    }

    /// Status of any day: (working, known). Outside the index only weekends are off.
    fn status(&self, dn: i32) -> (bool, bool) {
        let i = dn - self.base;
        if i >= 0 && (i as usize) < self.flags.len() {
            let f = self.flags[i as usize];
            (f & WORK != 0, f & UNKNOWN == 0)
        } else {
            ((dn + 3).rem_euclid(7) < 5, false)
        }
    }

    /// Whether the date is a working day.
    pub fn is_workday(&self, d: Date) -> Result<Reckoned<bool>, CalendarError> {
        match self.index(d) {
            Some(i) => {
                let f = self.flags[i];
                self.settle(f & WORK != 0, (f & UNKNOWN != 0).then_some(d.year()))
            }
            None => self.settle(!is_weekend(d), Some(d.year())),
        }
    }

    /// The n-th working day after `d`. With `n = 0`: `d` itself if it is a working day, else the
    /// next working day. A negative `n` counts back: -1 is the last working day before `d`.
    pub fn add_workdays(&self, d: Date, n: i32) -> Result<Reckoned<Date>, CalendarError> {
        if let Some(i) = self.index(d) {
            let k = match n {
                0 => i64::from(self.cum[i]),
                n if n > 0 => i64::from(self.cum[i + 1]) + i64::from(n) - 1,
                n => i64::from(self.cum[i]) + i64::from(n),
            };
            if k >= 0 && (k as usize) < self.nth.len() {
                let j = self.nth[k as usize] as usize;
                let (lo, hi) = if j < i { (j, i) } else { (i, j) };
                return self.settle(self.dates[j], self.unknown_in(lo, hi));
            }
        }
        self.add_workdays_slow(d, n)
    }

    fn add_workdays_slow(&self, d: Date, n: i32) -> Result<Reckoned<Date>, CalendarError> {
        let mut dn = day_number(d);
        let (work, known) = self.status(dn);
        let mut first_unknown = (!known).then_some(dn);
        let step: i32 = if n < 0 { -1 } else { 1 };
        let mut remaining = i64::from(n).abs();
        if n == 0 && !work {
            remaining = 1;
        }
        let mut steps = 0;
        while remaining > 0 {
            if first_unknown.is_some() && self.unknown_years == UnknownYears::Error {
                break;
            }
            dn += step;
            steps += 1;
            if steps > MAX_STEPS {
                return Err(CalendarError::TooFar);
            }
            let (work, known) = self.status(dn);
            if !known && first_unknown.is_none() {
                first_unknown = Some(dn);
            }
            if work {
                remaining -= 1;
            }
        }
        let unknown_year = match first_unknown {
            Some(u) => Some(date_from_number(u)?.year()),
            None => None,
        };
        match self.settle((), unknown_year) {
            Ok(r) => Ok(Reckoned { value: date_from_number(dn)?, provisional: r.provisional }),
            Err(e) => Err(e),
        }
    }

    /// The number of working days after `a` up to and including `b`. Negative when `b < a`
    /// (minus the working days after `b` up to and including `a`).
    pub fn workdays_between(&self, a: Date, b: Date) -> Result<Reckoned<i32>, CalendarError> {
        if let (Some(ia), Some(ib)) = (self.index(a), self.index(b)) {
            let v = self.cum[ib + 1] as i32 - self.cum[ia + 1] as i32;
            let (lo, hi) = if ia < ib { (ia, ib) } else { (ib, ia) };
            return self.settle(v, self.unknown_in(lo, hi));
        }
        let (lo, hi, sign) = if a <= b { (a, b, 1) } else { (b, a, -1) };
        let (lo, hi) = (day_number(lo), day_number(hi));
        if i64::from(hi) - i64::from(lo) > MAX_STEPS {
            return Err(CalendarError::TooFar);
        }
        let mut count = 0;
        let mut first_unknown = None;
        for dn in lo..=hi {
            let (work, known) = self.status(dn);
            if !known && first_unknown.is_none() {
                first_unknown = Some(dn);
                if self.unknown_years == UnknownYears::Error {
                    break;
                }
            }
            if work && dn > lo {
                count += 1;
            }
        }
        let unknown_year = match first_unknown {
            Some(u) => Some(date_from_number(u)?.year()),
            None => None,
        };
        self.settle(sign * count, unknown_year)
    }

    /// The first day on which a deadline of `due` has `within` or fewer working days left, i.e.
    /// the first day of its yellow warning.
    pub fn warning_start(&self, due: Date, within: u32) -> Result<Reckoned<Date>, CalendarError> {
        // Days left on day T = working days after T up to and including `due`. The first T
        // with at most `within` left is the working day `within` steps back from the last
        // working day on or before `due`, or `due` itself when nothing is left before it.
        let last = if self.is_workday(due)?.value {
            Reckoned { value: due, provisional: false }
        } else {
            self.add_workdays(due, -1)?
        };
        let back = i32::try_from(within).map_err(|_| CalendarError::TooFar)?;
        let start = self.add_workdays(last.value, -back)?;
        let value = start.value.min(due);
        Ok(Reckoned { value, provisional: last.provisional || start.provisional })
    }
}

/// `d` plus `n` calendar days.
pub fn add_days(d: Date, n: i32) -> Result<Date, CalendarError> {
    date_from_number(day_number(d).checked_add(n).ok_or(CalendarError::TooFar)?)
}

/// `d` plus `n` months; a day past the end of the target month is clamped to its last day
/// (2024-01-31 plus one month is 2024-02-29).
pub fn add_months(d: Date, n: i32) -> Result<Date, CalendarError> {
    let total = i64::from(d.year()) * 12 + i64::from(d.month() - 1) + i64::from(n);
    let year = i16::try_from(total.div_euclid(12)).map_err(|_| CalendarError::TooFar)?;
    let month = (total.rem_euclid(12) + 1) as i8;
    let first = Date::new(year, month, 1).map_err(|_| CalendarError::TooFar)?;
    let day = d.day().min(first.days_in_month());
    Date::new(year, month, day).map_err(|_| CalendarError::TooFar)
}

fn is_weekend(d: Date) -> bool {
    matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`): a few integer operations, which
/// keeps the indexed operations at tens of millions per second.
pub fn day_number(d: Date) -> i32 {
    let (y, m, day) = (i32::from(d.year()), i32::from(d.month()), i32::from(d.day()));
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`day_number`].
pub fn date_from_number(z: i32) -> Result<Date, CalendarError> {
    let z = i64::from(z) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let y = i16::try_from(y).map_err(|_| CalendarError::TooFar)?;
    Date::new(y, m as i8, d as i8).map_err(|_| CalendarError::TooFar)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn cal() -> Calendar {
        Calendar::builtin().unwrap()
    }

    fn add(c: &Calendar, d: Date, n: i32) -> Date {
        c.add_workdays(d, n).unwrap().value
    }

    #[test]
    fn day_numbers_agree_with_jiff_over_centuries() {
        let epoch = date(1970, 1, 1);
        let mut d = date(1800, 1, 1);
        while d < date(2300, 1, 1) {
            let expected = (d - epoch).get_days();
            assert_eq!(day_number(d), expected, "{d}");
            assert_eq!(date_from_number(expected).unwrap(), d);
            d = d.tomorrow().unwrap();
        }
    }

    #[test]
    fn spring_festival_2026_make_up_days_are_working_days() {
        let c = cal();
        assert!(c.is_workday(date(2026, 2, 14)).unwrap().value);
        assert!(c.is_workday(date(2026, 2, 28)).unwrap().value);
        assert!(!c.is_workday(date(2026, 2, 15)).unwrap().value);
        assert!(!c.is_workday(date(2026, 2, 23)).unwrap().value);
        assert!(c.is_workday(date(2026, 2, 24)).unwrap().value);
    }

    #[test]
    fn add_zero_keeps_a_working_day_and_moves_a_day_off_forward() {
        let c = cal();
        assert_eq!(add(&c, date(2026, 2, 13), 0), date(2026, 2, 13));
        assert_eq!(add(&c, date(2026, 2, 15), 0), date(2026, 2, 24));
        assert_eq!(add(&c, date(2026, 2, 14), 0), date(2026, 2, 14));
    }

    #[test]
    fn add_counts_make_up_days_and_skips_the_holiday() {
        let c = cal();
        assert_eq!(add(&c, date(2026, 2, 13), 1), date(2026, 2, 14));
        assert_eq!(add(&c, date(2026, 2, 13), 2), date(2026, 2, 24));
        assert_eq!(add(&c, date(2026, 2, 13), 3), date(2026, 2, 25));
        // From a day off, the first working day after it is day 1.
        assert_eq!(add(&c, date(2026, 2, 20), 1), date(2026, 2, 24));
        // National Day 2025: 10-01..08 off, 09-28 and 10-11 make-up.
        assert_eq!(add(&c, date(2025, 9, 30), 1), date(2025, 10, 9));
        assert_eq!(add(&c, date(2025, 9, 26), 1), date(2025, 9, 28));
        assert_eq!(add(&c, date(2025, 10, 10), 1), date(2025, 10, 11));
    }

    #[test]
    fn add_negative_counts_back() {
        let c = cal();
        assert_eq!(add(&c, date(2026, 2, 24), -1), date(2026, 2, 14));
        assert_eq!(add(&c, date(2026, 2, 24), -2), date(2026, 2, 13));
        assert_eq!(add(&c, date(2026, 2, 20), -1), date(2026, 2, 14));
    }

    #[test]
    fn between_counts_working_days_after_a_up_to_b() {
        let c = cal();
        let b = |a, b| c.workdays_between(a, b).unwrap().value;
        assert_eq!(b(date(2026, 2, 13), date(2026, 2, 13)), 0);
        assert_eq!(b(date(2026, 2, 13), date(2026, 2, 14)), 1);
        assert_eq!(b(date(2026, 2, 13), date(2026, 2, 24)), 2);
        // 02-14, 02-24..27, 02-28, 03-02 = 7
        assert_eq!(b(date(2026, 2, 13), date(2026, 3, 2)), 7);
        assert_eq!(b(date(2026, 3, 2), date(2026, 2, 13)), -7);
    }

    #[test]
    fn between_and_add_agree_everywhere() {
        let c = cal();
        // From the first working day of 2015, so counting back stays inside the data.
        let mut d = date(2015, 1, 5);
        while d < date(2026, 11, 1) {
            for n in [0, 1, 2, 3, 5, 10, 20, 37] {
                let r = add(&c, d, n);
                if n > 0 {
                    assert_eq!(c.workdays_between(d, r).unwrap().value, n, "{d} + {n}");
                    assert!(c.is_workday(r).unwrap().value);
                    let last_on_or_before_d = if c.is_workday(d).unwrap().value { d } else { add(&c, d, -1) };
                    assert_eq!(add(&c, r, -n), last_on_or_before_d, "{d} + {n} - {n}");
                }
            }
            d = d.tomorrow().unwrap();
        }
    }

    #[test]
    fn dates_past_the_data_are_errors_by_default() {
        let c = cal();
        let err = c.add_workdays(date(2026, 12, 31), 1).unwrap_err();
        assert_eq!(err, CalendarError::UnknownYear { year: 2027, coverage: "2015–2026 年".into() });
        assert!(c.is_workday(date(2027, 1, 4)).is_err());
        assert!(c.workdays_between(date(2026, 12, 1), date(2027, 1, 10)).is_err());
        assert!(c.is_workday(date(2014, 12, 31)).is_err());
        assert!(c.add_workdays(date(2015, 1, 5), -3).is_err());
    }

    #[test]
    fn weekends_only_answers_are_marked_provisional() {
        let c = cal().with_unknown_years(UnknownYears::WeekendsOnly);
        let r = c.add_workdays(date(2026, 12, 31), 1).unwrap();
        assert_eq!(r, Reckoned { value: date(2027, 1, 1), provisional: true });
        let r = c.add_workdays(date(2026, 12, 30), 1).unwrap();
        assert_eq!(r, Reckoned { value: date(2026, 12, 31), provisional: false });
        let r = c.workdays_between(date(2026, 12, 31), date(2027, 1, 11)).unwrap();
        assert_eq!(r, Reckoned { value: 7, provisional: true });
        assert!(c.is_workday(date(2030, 1, 1)).unwrap().provisional);
    }

    #[test]
    fn an_imported_year_extends_the_calendar_and_a_local_file_does_not() {
        let base = CalendarFile::parse_json(BUILTIN_JSON).unwrap();
        let y2027 = CalendarFile::parse_json(r#"{"years": {"2027": {"off": ["2027-01-01"], "work": ["2027-02-06"]}}}"#)
            .unwrap();
        let local = CalendarFile::parse_json(
            r#"{"scope": "local", "years": {"2026": {"off": ["2026-03-03"]}, "2028": {"off": ["2028-03-03"]}}}"#,
        )
        .unwrap();
        let c = Calendar::build(&[base, y2027, local], UnknownYears::Error).unwrap();
        assert_eq!(add(&c, date(2026, 12, 31), 1), date(2027, 1, 4));
        assert!(c.is_workday(date(2027, 2, 6)).unwrap().value);
        assert!(!c.is_workday(date(2026, 3, 3)).unwrap().value);
        assert!(c.is_workday(date(2028, 3, 6)).is_err());
        assert_eq!(c.coverage(), "2015–2027 年");
    }

    #[test]
    fn bad_calendar_files_are_rejected_with_reasons() {
        for (text, needle) in [
            ("{", "JSON"),
            (r#"{"years": {}}"#, "没有任何"),
            (r#"{"years": {"abc": {}}}"#, "年份"),
            (r#"{"years": {"2027": {"off": ["2027-02-30"]}}}"#, "无效"),
            (r#"{"years": {"2027": {"off": ["2028-01-01"]}}}"#, "不属于"),
            (r#"{"years": {"2027": {"off": ["2027-01-02"], "work": ["2027-01-02"]}}}"#, "同时"),
        ] {
            let err = CalendarFile::parse_json(text).unwrap_err().to_string();
            assert!(err.contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn warning_starts_the_given_number_of_working_days_before_the_due_date() {
        let c = cal();
        let w = |d, n| c.warning_start(d, n).unwrap().value;
        // Due 02-25 (Wed). On 02-14 two working days are left (02-24, 02-25); on 02-13, three.
        assert_eq!(w(date(2026, 2, 25), 2), date(2026, 2, 14));
        assert_eq!(w(date(2026, 2, 25), 0), date(2026, 2, 25));
        // Due on a day off: on 02-13 one working day (02-14) is left.
        assert_eq!(w(date(2026, 2, 22), 1), date(2026, 2, 13));
        for (due, n) in [(date(2026, 3, 10), 3), (date(2025, 10, 9), 2), (date(2026, 2, 24), 1)] {
            let start = w(due, n);
            let left = |t: Date| c.workdays_between(t, due).unwrap().value;
            assert!(left(start) <= n as i32);
            assert!(left(start.yesterday().unwrap()) > n as i32);
        }
    }

    #[test]
    fn months_clamp_to_the_end_of_the_month() {
        assert_eq!(add_months(date(2024, 1, 31), 1).unwrap(), date(2024, 2, 29));
        assert_eq!(add_months(date(2023, 1, 31), 1).unwrap(), date(2023, 2, 28));
        assert_eq!(add_months(date(2026, 11, 30), 3).unwrap(), date(2027, 2, 28));
        assert_eq!(add_months(date(2026, 3, 15), -3).unwrap(), date(2025, 12, 15));
        assert_eq!(add_days(date(2026, 2, 13), 15).unwrap(), date(2026, 2, 28));
    }
}
