//! Checks every date from 2015-01-01 to 2026-12-31 against the reference file
//! `data/cn-holidays.json` of this crate (the repository's copy of
//! `../shared/data/cn-holidays.json`, kept byte-identical by `tests/fixtures_match_shared.rs`),
//! with the working-day rule stated in `cn-holidays.md` applied independently of the calendar's
//! own index. The built-in calendar is that file itself (`calendar::BUILTIN_JSON` includes it), so
//! the check that it is the checked reference is `fixtures_match_shared`'s comparison with
//! `../shared`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use duban_domain::calendar::Calendar;
use jiff::civil::{Date, Weekday, date};
use std::collections::HashSet;

fn reference() -> serde_json::Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/cn-holidays.json");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("the reference {path} must be readable: {e}"));
    serde_json::from_str(&text).unwrap()
}

#[test]
fn every_date_from_2015_to_2026_matches_the_reference() {
    let r = reference();
    let mut off = HashSet::new();
    let mut work = HashSet::new();
    for (_, y) in r["years"].as_object().unwrap() {
        for d in y["off"].as_array().unwrap() {
            off.insert(d.as_str().unwrap().parse::<Date>().unwrap());
        }
        for d in y["work"].as_array().unwrap() {
            work.insert(d.as_str().unwrap().parse::<Date>().unwrap());
        }
    }
    let cal = Calendar::builtin().unwrap();
    let mut d = date(2015, 1, 1);
    let mut checked = 0;
    let mut workdays = 0;
    while d <= date(2026, 12, 31) {
        let weekday = !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday);
        let expected = work.contains(&d) || (weekday && !off.contains(&d));
        let got = cal.is_workday(d).unwrap();
        assert_eq!(got.value, expected, "{d}");
        assert!(!got.provisional);
        workdays += i32::from(expected);
        checked += 1;
        d = d.tomorrow().unwrap();
    }
    assert_eq!(checked, 4383);
    assert_eq!(
        cal.workdays_between(date(2015, 1, 1), date(2026, 12, 31)).unwrap().value
            + i32::from(cal.is_workday(date(2015, 1, 1)).unwrap().value),
        workdays
    );
}

#[test]
fn yearly_working_day_counts_match_the_reference_notes() {
    // cn-holidays.md: net working days lost per year (Mon–Fri off days minus make-up days).
    let lost = [
        (2015, 12),
        (2016, 11),
        (2017, 11),
        (2018, 11),
        (2019, 11),
        (2020, 13),
        (2021, 11),
        (2022, 11),
        (2023, 11),
        (2024, 11),
        (2025, 13),
        (2026, 13),
    ];
    let cal = Calendar::builtin().unwrap();
    for (year, lost) in lost {
        let start = date(year, 1, 1);
        let end = date(year, 12, 31);
        let mut weekdays = 0;
        let mut d = start;
        while d <= end {
            weekdays += i32::from(!matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday));
            d = d.tomorrow().unwrap();
        }
        let first = i32::from(cal.is_workday(start).unwrap().value);
        let counted = cal.workdays_between(start, end).unwrap().value + first;
        assert_eq!(weekdays - counted, lost, "{year}");
    }
}
