//! The parsers never panic on input: every reader of outside text (calendar files, policy
//! files, unit directories, durations, dates and instants, task input) is fed thousands of
//! mutations of valid inputs — truncations, byte flips, insertions of structural characters —
//! and must answer `Ok` or `Err`, never unwind. A deterministic generator keeps failures
//! reproducible.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use duban_domain::calendar::{BUILTIN_JSON, CalendarFile};
use duban_domain::org::{PersonInput, UnitDirectory, UnitInput};
use duban_domain::policy::{BUILTIN_PROFILES, Limit, Policy};
use duban_domain::task::{TaskInput, TaskPatch, parse_date, parse_instant};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const SPICE: &[&str] = &[
    "\"",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "=",
    "\n",
    "\\",
    "\u{0}",
    "年",
    "-",
    "9",
    "99999999999999999999",
    "null",
    "＂",
    "（",
];

/// A mutation of `s` that stays valid UTF-8 (the parsers take `&str`).
fn mutate(rng: &mut Rng, s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out: Vec<char> = chars.clone();
    for _ in 0..=rng.below(4) {
        if out.is_empty() {
            break;
        }
        let at = rng.below(out.len());
        match rng.below(5) {
            0 => out.truncate(at),
            1 => {
                out.remove(at);
            }
            2 => {
                let spice: Vec<char> = SPICE[rng.below(SPICE.len())].chars().collect();
                out.splice(at..at, spice);
            }
            3 => out[at] = char::from_u32((rng.next() % 0x3000) as u32).unwrap_or('x'),
            _ => {
                let from = rng.below(chars.len());
                let len = rng.below(40).min(chars.len() - from);
                out.splice(at..at, chars[from..from + len].iter().copied());
            }
        }
    }
    out.into_iter().collect()
}

fn hammer(seed: u64, rounds: usize, inputs: &[&str], f: impl Fn(&str)) {
    let mut rng = Rng(seed);
    for i in 0..rounds {
        let base = inputs[i % inputs.len()];
        let text = mutate(&mut rng, base);
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&text)));
        assert!(caught.is_ok(), "panicked on input {text:?}");
    }
}

#[test]
fn calendar_files_never_panic() {
    let small = r#"{"scope": "local", "years": {"2027": {"off": ["2027-01-01"], "work": ["2027-02-06"]}}}"#;
    hammer(1, 400, &[BUILTIN_JSON, small], |t| {
        let _ = CalendarFile::parse_json(t);
    });
    hammer(2, 3000, &[small], |t| {
        if let Ok(f) = CalendarFile::parse_json(t) {
            let _ = duban_domain::calendar::Calendar::build(&[f], Default::default());
        }
    });
}

#[test]
fn policy_files_never_panic() {
    let texts: Vec<&str> = BUILTIN_PROFILES.iter().map(|(_, t)| *t).collect();
    hammer(3, 3000, &texts, |t| {
        let _ = Policy::from_toml(t);
    });
    let over = "profile = \"x-district-2022\"\n[[rules]]\nid = \"sign\"\nduration = \"2wd\"\n";
    hammer(4, 2000, &[over], |t| {
        let _ = Policy::from_toml(t);
    });
}

#[test]
fn unit_directories_never_panic() {
    let dir = include_str!("../../../data/units/naiman.toml");
    hammer(5, 300, &[dir], |t| {
        let _ = UnitDirectory::from_toml(t);
    });
    let small = "[[unit]]\nname = \"甲\"\nkind = \"department\"\nparent = \"乙\"\n[[unit]]\nname = \"乙\"\nkind = \"government\"\n[[group]]\nname = \"组\"\nmembers = [\"甲\"]\n";
    hammer(6, 3000, &[small], |t| {
        let _ = UnitDirectory::from_toml(t);
    });
}

#[test]
fn small_values_never_panic() {
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    hammer(7, 5000, &["3wd", "15天", "1mo", "same-day", "deadline", "3个工作日"], |t| {
        let _ = t.parse::<Limit>();
    });
    hammer(8, 5000, &["2026-02-13", "2026-02-13T16:00", "2026-02-13 16:00", "2026-02-13T08:00:00Z"], |t| {
        let _ = parse_date("d", t);
        let _ = parse_instant("t", t, &tz);
    });
}

#[test]
fn api_bodies_never_panic() {
    let task = r#"{"title": "任务", "lead": [{"unit": 1}], "deadline": "2026-03-31", "complexity": "较复杂", "milestones": [{"due": "2026-02-01", "text": "x"}], "received_at": "2026-02-13T16:00"}"#;
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    let now = jiff::Timestamp::UNIX_EPOCH;
    hammer(9, 5000, &[task], |t| {
        if let Ok(input) = serde_json::from_str::<TaskInput>(t) {
            let _ = input.parse(now, &tz);
        }
        let _ = serde_json::from_str::<TaskPatch>(t);
    });
    let unit = r#"{"name": "旗财政局", "kind": "department", "aliases": ["财政局"]}"#;
    let person = r#"{"name": "张三", "username": "zs", "roles": ["经办人"], "email": "a@b"}"#;
    hammer(10, 5000, &[unit, person], |t| {
        if let Ok(u) = serde_json::from_str::<UnitInput>(t) {
            let _ = u.parse();
        }
        if let Ok(p) = serde_json::from_str::<PersonInput>(t) {
            let _ = p.parse();
        }
    });
}
