//! Deadlines in words and in figures, milestones, and quantified targets.
//!
//! A task's date phrases, each read to a date (or to ongoing work):
//!
//! - a month: 「3月底前」「6月前」「12月份前」「争取6月完成」 → the month's end; 「4月上旬」 → the
//!   10th, 「中旬」 → the 20th; 「2019年6月底前」 with its year;
//! - a day: 「4月15日前」「于2023年4月6日前」「2023年6月2日」, and in figures 「2026-05-12」
//!   「2026/5/12」「2026.5.12」 (「2026-05」 → the month's end);
//! - a year: 「年底前」「年内」「2023年底前」 → 12-31, 「到2020年」「2020年前」 → 2020-12-31, and a
//!   goal's year at the start of a clause (「2021年初步建成…」 in a 2020 document; the document's
//!   own year only before a verb: 「2021年拟建…」); 「2019—2020年」 → its last year; 「上半年」 →
//!   06-30, 「第二季度」 → 06-30; 「“十四五”期间」「十三五时期」 → the plan's last year (2025, 2020);
//! - relative to the issue date: 「印发之日起30日内」「自印发之日起3个月内」 → issue date + 30 days /
//!   + 3 months, when the caller knows the issue date ([`phrases_with`]); no date otherwise;
//! - a range 「（2023年5月8日—6月2日）」 → its end; an open one 「2023年9月1日—」 → ongoing.
//!
//! Ongoing work: 「长期坚持」「持续推进」「常态化推进」 (a 完成时限 of just 「长期」「常态化」), a
//! start 「2021年起」「从2019年开始」「3月1日起」, and a recurring date 「每年1月31日前」
//! (「每年年底」 is a cadence and reads as nothing). Not dates: durations (「1年内」「2—3年内」
//! 「1个工作日内」), numbers (「2万亿元」「0—6岁」), years outside 1990–2100, invalid days
//! (「2月30日」), 「三月」 alone, dates in a cited title (「《…（2016-2020）》」), a bare month or day
//! already past when the document was issued (「2018年11月，省政府出台…」 in a 2019 document),
//! 「2019年度」「2018年以来」「2019年初」「年底考核」.
//!
//! A phrase without a year takes the document's year (「明年」 the next). Several dates in one
//! task are its milestones and the last is its deadline (the caller's rule, see `parse`).
//! A spreadsheet's date cell reaches the ledger as an Excel serial number: [`excel_date`].

use jiff::ToSpan;
use jiff::civil::Date;
use regex::{Captures, Regex};
use std::sync::LazyLock;

/// A date phrase found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phrase {
    /// Byte range in the text.
    pub start: usize,
    pub end: usize,
    /// As printed.
    pub text: String,
    /// The date, or `None` for ongoing work.
    pub date: Option<Date>,
}

const CN: &str = "一二三四五六七八九十";

fn cn_number(s: &str) -> Option<u32> {
    if let Ok(n) = s.parse() {
        return Some(n);
    }
    let digit = |c: char| if c == '两' { Some(2) } else { CN.chars().position(|d| d == c).map(|p| p as u32 + 1) };
    let c: Vec<char> = s.chars().collect();
    match c.as_slice() {
        [a] => digit(*a),
        ['十', b] => digit(*b).map(|b| 10 + b),
        [a, '十'] => digit(*a).map(|a| a * 10),
        [a, '十', b] => Some(digit(*a)? * 10 + digit(*b)?),
        _ => None,
    }
}

/// The years a deadline may fall in; other four-digit numbers are not years.
const YEARS: std::ops::RangeInclusive<i16> = 1990..=2100;

fn year_of(s: &str) -> Option<i16> {
    s.parse::<i16>().ok().filter(|y| YEARS.contains(y))
}

#[allow(clippy::expect_used)] // the patterns are constants, checked by the tests
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?:",
        // 「印发之日起30日内」「本方案印发后3个月内」
        r"(?:印发|下发|发布|出台|公布)(?:之日)?\s*(?:起|后)\s*",
        r"(?P<rn>\d{1,3}|[一二三四五六七八九十两]{1,3})\s*(?P<ru>个工作日|个月|日|天|周|年)\s*(?:以内|内)",
        // 「“十四五”期间」「十三五时期」
        r#"|(?P<pn>[一二三四五六七八九十]{1,3})五\s*[”"’」』]?\s*(?:规划)?\s*(?:期间|时期|期末|末期|期内|末)"#,
        // 「2019—2020年」
        r"|(?P<ya>\d{4})\s*年?\s*(?:[—–―－\-~～〜]+|至|到)\s*(?P<yb>\d{4})\s*(?P<yn>年)?",
        // 「2026-05-12」「2026/5/12」「2026.5.12」「2026-05」
        r"|(?P<ny>\d{4})\s*[-/.．]\s*(?P<nm>\d{1,2})(?:\s*[-/.．]\s*(?P<nd>\d{1,2})(?:\s*日)?)?",
        // words, with or without a year
        r"|(?:(?P<y>\d{4})\s*年\s*)?(?:",
        r"(?P<m>\d{1,2}|[一二三四五六七八九十]{1,3})\s*月\s*(?P<d>\d{1,2})\s*[日号]",
        r"|(?P<me>\d{1,2}|[一二三四五六七八九十]{1,3})\s*月\s*(?P<fen>份)?\s*(?P<part>底|末|上旬|中旬|下旬)?",
        r"|(?P<ye>年?\s*(?:底|末))",
        r"|(?P<yin>年?内)",
        r"|(?P<half>上半年|下半年)(?:末|底)?",
        r"|第?(?P<q>[一二三四1-4])\s*季度(?:末|底)?",
        r")",
        // a year alone: 「到2020年」「2020年前」
        r"|(?P<yo>\d{4})\s*年",
        r")",
        r"(?P<before>\s*(?:之前|以前|前))?",
    ))
    .expect("date pattern")
});

/// The end of a range after its start: 「—3月28日」「至2022年4月」「—28日」, or nothing after a dash.
#[allow(clippy::expect_used)]
static RANGE_END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^\s*(?:(?P<dash>[—–―－\-~～〜]+)|至|到)\s*",
        r"(?:(?P<y>\d{4})\s*年\s*)?(?:(?P<m>\d{1,2})\s*月\s*)?(?:(?P<d>\d{1,2})\s*[日号])?",
        r"(?P<part>底|末)?(?P<before>\s*(?:之前|以前|前))?"
    ))
    .expect("range pattern")
});

#[allow(clippy::expect_used)]
static ONGOING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"长期坚持|长期推进|长期开展|长期执行|持续推进|常态化(?:推进|开展|落实|实施)").expect("ongoing pattern")
});

/// A 完成时限 that is only a word for ongoing work.
const ONGOING_CELLS: &[&str] =
    &["长期", "持续", "常态", "常态化", "长期性", "长期任务", "持续性", "常年", "长期有效", "持续实施", "持续开展"];

/// Words after which a year alone is a deadline (「到2020年，」「力争2023年」).
const YEAR_LEAD_INS: &[&str] =
    &["到", "至", "截至", "截止", "于", "在", "力争", "争取", "确保", "计划", "预计", "直至", "直到", "并于", "要在"];

/// Verbs after the document's own year at a clause's start that make it a deadline.
const YEAR_VERBS: &[&str] =
    &["拟", "将", "要", "计划", "力争", "争取", "确保", "完成", "实现", "建成", "初步", "全面", "基本", "新建", "启动"];

/// What follows a year alone when it is not a deadline (「2019年度」「2018年以来」「2019年初」).
const NOT_AFTER_YEAR: &[&str] = &[
    "度", "以来", "初", "中", "春", "夏", "秋", "冬", "同期", "相比", "比", "的", "是", "为", "版", "第", "“", "\"",
    "《", "（", "(", "、", "和", "与", "及", "或",
];

/// What follows 「年底」 when it names a review rather than a deadline (「列入年底考核内容」).
const NOT_AFTER_YEAR_END: &[&str] =
    &["效能", "考核", "考评", "评估", "总结", "检查", "目标", "任务", "工作", "的", "述职", "前后"];

/// Before a date, words that make it recur (「每年1月31日前」).
const RECURRING: &[&str] = &["每", "每年", "每年的", "每年度", "每个", "每季度", "每半年", "逐年", "每一年"];

fn month_end(year: i16, month: u32) -> Option<Date> {
    let m = i8::try_from(month).ok().filter(|m| (1..=12).contains(m))?;
    let first = Date::new(year, m, 1).ok()?;
    Date::new(year, m, first.days_in_month()).ok()
}

fn day(year: i16, month: u32, day: u32) -> Option<Date> {
    Date::new(year, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok()
}

fn is_clause_start(c: Option<char>) -> bool {
    c.is_none_or(|c| c.is_whitespace() || "，,。；;：:（()）".contains(c))
}

/// A spreadsheet's date cell as calamine prints it: an Excel serial number (days since
/// 1899-12-30, the fraction the time of day), in the years 1990–2100.
pub fn excel_date(cell: &str) -> Option<Date> {
    let s = cell.trim();
    if s.is_empty() || !s.chars().all(|c| c.is_ascii_digit() || c == '.') || s.parse::<f64>().is_err() {
        return None;
    }
    let whole: i64 = s.split('.').next()?.parse().ok()?;
    // 1990-01-01 is serial 32874, 2100-12-31 is 73415.
    if !(32874..=73415).contains(&whole) {
        return None;
    }
    Date::new(1899, 12, 30).ok()?.checked_add(whole.days()).ok()
}

/// How a phrase reads.
enum Reading {
    Date(Date),
    Ongoing,
}

/// What one match of [`DATE`] says, and where it ends (a range or a 「起」 may extend it).
struct Read {
    reading: Reading,
    end: usize,
}

/// Every date phrase in `text`, in order; phrases without a year take `year`. Phrases relative
/// to the issue date give no date: see [`phrases_with`].
pub fn phrases(text: &str, year: i16) -> Vec<Phrase> {
    phrases_with(text, year, None)
}

/// Every date phrase in `text`, in order; phrases without a year take `year`, and phrases
/// relative to the issue date (「印发之日起30日内」) count from `issued` (no date without it).
pub fn phrases_with(text: &str, year: i16, issued: Option<Date>) -> Vec<Phrase> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < text.len() {
        let Some(c) = DATE.captures_at(text, at) else { break };
        let Some(whole) = c.get(0) else { break };
        if whole.end() <= at {
            break; // no pattern matches empty text; never loop on one
        }
        at = whole.end();
        if let Some(r) = read(&c, text, year, issued) {
            at = at.max(r.end);
            let date = match r.reading {
                Reading::Date(d) => Some(d),
                Reading::Ongoing => None,
            };
            out.push(Phrase {
                start: whole.start(),
                end: r.end,
                text: text[whole.start()..r.end].trim().to_string(),
                date,
            });
        }
    }
    for m in ONGOING.find_iter(text) {
        out.push(Phrase { start: m.start(), end: m.end(), text: m.as_str().to_string(), date: None });
    }
    let cell = text.trim();
    if ONGOING_CELLS.contains(&cell) && out.is_empty() {
        let start = text.len() - text.trim_start().len();
        out.push(Phrase { start, end: start + cell.len(), text: cell.to_string(), date: None });
    }
    out.sort_by_key(|p| p.start);
    out
}

/// Reads one match of [`DATE`]; `None` when it is not a date phrase after all.
fn read(c: &Captures, text: &str, year: i16, issued: Option<Date>) -> Option<Read> {
    let whole = c.get(0)?;
    let before = &text[..whole.start()];
    let prev = before.chars().next_back();
    // 「13月」 is not 「3月」, nor 「12022年」 「2022年」.
    if whole.as_str().starts_with(|c: char| c.is_ascii_digit()) && prev.is_some_and(|p| p.is_ascii_digit() || p == '.')
    {
        return None;
    }
    // A date in the title of a cited document (「《2019年…方案》」) is not this task's.
    let near = before.len().saturating_sub(120);
    let near = &before[(0..=near).rev().find(|i| before.is_char_boundary(*i)).unwrap_or(0)..];
    if near.rfind('《') > near.rfind('》') {
        return None;
    }
    let marked = c.name("before").is_some();
    let mut end = whole.end();
    let next = |end: usize| text[end..].chars().next();

    // Relative to the issue date.
    if let Some(n) = c.name("rn") {
        let n = i64::from(cn_number(n.as_str())?);
        let issued = issued?;
        let date = match c.name("ru").map(|u| u.as_str()) {
            Some("日" | "天") => issued.checked_add(n.days()).ok()?,
            Some("周") => issued.checked_add((7 * n).days()).ok()?,
            Some("个月") => issued.checked_add(n.months()).ok()?,
            Some("年") => issued.checked_add(n.years()).ok()?,
            _ => return None, // working days depend on the holidays
        };
        return Some(Read { reading: Reading::Date(date), end });
    }
    // A five-year plan: the 14th (十四五) ends in 2025.
    if let Some(n) = c.name("pn") {
        if prev.is_some_and(|p| CN.contains(p)) {
            return None;
        }
        let last = 1955 + 5 * i64::from(cn_number(n.as_str())?);
        let last = i16::try_from(last).ok().filter(|y| YEARS.contains(y))?;
        return Some(Read { reading: Reading::Date(month_end(last, 12)?), end });
    }
    if let (Some(a), Some(b)) = (c.name("ya"), c.name("yb")) {
        let (a, b) = (year_of(a.as_str())?, year_of(b.as_str())?);
        let yb_end = c.name("yb").map_or(end, |m| m.end());
        // 「2019-2020」 without 「年」 is a range only as the whole text (a 完成时限 cell), not in
        // 「规划（2016-2020）」.
        if b < a
            || next(yb_end).is_some_and(|n| n.is_ascii_digit())
            || (c.name("yn").is_none() && whole.as_str().trim() != text.trim())
        {
            return None;
        }
        return Some(Read { reading: Reading::Date(month_end(b, 12)?), end });
    }

    // The rest may recur (「每年」), start something (「起」) or open a range (「—」).
    let explicit = c.name("y").or(c.name("ny")).or(c.name("yo")).map(|y| year_of(y.as_str()));
    let explicit = match explicit {
        Some(None) => return None, // a four-digit number that is no year
        Some(Some(y)) => Some(y),
        None => None,
    };
    let shift = if explicit.is_none() { year_shift(before, c.name("ye").or(c.name("yin")).is_some()) } else { 0 };
    let y = explicit.unwrap_or(year).checked_add(shift)?;
    let recurring = explicit.is_none() && RECURRING.iter().any(|w| before.ends_with(w));
    // Bare dates (no 「前」「底」…) in prose may be background: one already past is not a deadline.
    let mut bare = !marked;
    let mut figures = false;
    let (mut date, month) = if c.name("ny").is_some() {
        figures = true;
        let m = c.name("nm").and_then(|m| m.as_str().parse::<u32>().ok())?;
        let after = next(end);
        match c.name("nd") {
            Some(d) => {
                if after.is_some_and(|n| n.is_ascii_digit() || n == '.') {
                    return None;
                }
                (day(y, m, d.as_str().parse().ok()?)?, Some(m))
            }
            None => {
                // 「2026-05」 but not 「2019.5亿元」.
                let ok = after.is_none_or(|n| {
                    n.is_whitespace()
                        || (n.is_ascii_punctuation() && n != '.')
                        || "，。；：、）前底末之以起开完".contains(n)
                });
                if !ok {
                    return None;
                }
                (month_end(y, m)?, Some(m))
            }
        }
    } else if let (Some(m), Some(d)) = (c.name("m"), c.name("d")) {
        let m = cn_number(m.as_str())?;
        (day(y, m, d.as_str().parse().ok()?)?, Some(m))
    } else if let Some(me) = c.name("me") {
        let m = cn_number(me.as_str())?;
        let part = c.name("part").map(|p| p.as_str());
        bare = bare && part.is_none() && c.name("fen").is_none();
        let chinese = !me.as_str().starts_with(|c: char| c.is_ascii_digit());
        let after = &text[end..];
        // 「三月」 alone is too often not a date; 「3月15」 lacks its 日; 「3月初」「3月中」 are vague.
        if bare
            && ((chinese && explicit.is_none())
                || after.starts_with(|c: char| c.is_ascii_digit())
                || (after.starts_with('初') && !after.starts_with("初步"))
                || after.starts_with('中'))
        {
            return None;
        }
        let date = match part {
            Some("上旬") => day(y, m, 10)?,
            Some("中旬") => day(y, m, 20)?,
            _ => month_end(y, m)?,
        };
        (date, Some(m))
    } else if let Some(ye) = c.name("ye") {
        // 「底」 alone is a year's end only after 「2022年」; 「每年年底」 is a cadence; 「年底考核」
        // names a review, not a deadline.
        if (explicit.is_none() && !ye.as_str().starts_with('年')) || before.ends_with('每') || before.ends_with("每年")
        {
            return None;
        }
        if explicit.is_none() && !marked && NOT_AFTER_YEAR_END.iter().any(|w| text[end..].starts_with(w)) {
            return None;
        }
        (month_end(y, 12)?, None)
    } else if let Some(yin) = c.name("yin") {
        // 「内」 alone is 「年内」 only after 「2022年」; 「一年内」「3年内」「两年内」 are durations.
        let duration = prev.is_some_and(|b| b.is_ascii_digit() || CN.contains(b) || "每两半几数多".contains(b));
        if explicit.is_none() && (!yin.as_str().starts_with('年') || duration) {
            return None;
        }
        (month_end(y, 12)?, None)
    } else if let Some(h) = c.name("half") {
        (month_end(y, if h.as_str() == "上半年" { 6 } else { 12 })?, None)
    } else if let Some(q) = c.name("q") {
        match cn_number(q.as_str()) {
            Some(q @ 1..=4) => (month_end(y, q * 3)?, None),
            _ => return None,
        }
    } else if c.name("yo").is_some() {
        // A year alone: 「到2020年」「2020年前」「2020年，」, not 「2019年度」「迎接2022年“…”」.
        let after = &text[end..];
        let numeral_after = after.trim_start().starts_with(|c: char| c.is_ascii_digit() || CN.contains(c));
        if marked {
            if numeral_after {
                return None; // 「2019年前三季度」
            }
        } else if !after.starts_with("初步") && NOT_AFTER_YEAR.iter().any(|w| after.starts_with(w)) {
            return None;
        } else if !after.starts_with('起') && !after.starts_with("开始") {
            let lead_in = YEAR_LEAD_INS.iter().any(|w| before.ends_with(w));
            // At a clause's start, a later year is a goal's; the document's own year only before
            // a verb (「2021年拟建…」, not 「2022年城镇用户年均停电时间…」).
            let goal = y > year || (y == year && YEAR_VERBS.iter().any(|w| after.starts_with(w)));
            let alone = text[whole.start()..end].trim() == text.trim(); // a 完成时限 cell 「2026年」
            if !(lead_in || alone || (is_clause_start(prev) && goal)) {
                return None;
            }
        }
        (month_end(y, 12)?, None)
    } else {
        return None;
    };

    // A range: its end is the date (an end that is no date leaves the start); a dash with
    // nothing after leaves it open.
    if (month.is_some() || figures)
        && let Some(r) = RANGE_END.captures(&text[end..])
    {
        let (ry, rm, rd) = (r.name("y"), r.name("m"), r.name("d"));
        let after = r.get(0).map_or(0, |m| m.end());
        if ry.is_some() || rm.is_some() || rd.is_some() {
            let range_end = || {
                let ey = match ry {
                    Some(ry) => year_of(ry.as_str())?,
                    None => date.year(),
                };
                let em = match rm {
                    Some(rm) => rm.as_str().parse().ok()?,
                    None if rd.is_some() => month.unwrap_or(12),
                    None => 12,
                };
                let e = match rd {
                    Some(rd) => day(ey, em, rd.as_str().parse().ok()?)?,
                    None => month_end(ey, em)?,
                };
                if e < date && ry.is_none() { e.checked_add(1.year()).ok() } else { Some(e) }
            };
            if let Some(e) = range_end() {
                date = e;
                bare = false;
                end += after;
            }
        } else if r.name("dash").is_some()
            && !text[end + after..].starts_with(|c: char| c.is_ascii_digit() || CN.contains(c))
        {
            return Some(Read { reading: Reading::Ongoing, end: end + after });
        }
    }
    if recurring {
        return Some(Read { reading: Reading::Ongoing, end });
    }
    // 「2022年起」「从2019年开始」「3月1日起」: ongoing from then on (not 「起草」「起到」).
    let after = &text[end..];
    let start = after.starts_with("开始")
        || (after.starts_with('起') && !["起草", "起到", "起来"].iter().any(|w| after.starts_with(w)));
    if !marked && start {
        let len = if after.starts_with("开始") { "开始".len() } else { '起'.len_utf8() };
        return Some(Read { reading: Reading::Ongoing, end: end + len });
    }
    if after.starts_with("以来") {
        return None;
    }
    if bare && !figures && month.is_some() && text[whole.start()..end].trim() != text.trim() {
        let from = issued.or_else(|| Date::new(year, 1, 1).ok())?;
        if date < from {
            return None;
        }
    }
    Some(Read { reading: Reading::Date(date), end })
}

/// 「明年」「次年」 move a phrase without a year to the next year. `own_year` says the phrase's
/// own 「年」 ends the word (「明年底前」: 「明」 then 「年底前」).
fn year_shift(before: &str, own_year: bool) -> i16 {
    let next = if own_year {
        before.ends_with('明') || before.ends_with('次')
    } else {
        before.ends_with("明年") || before.ends_with("次年")
    };
    i16::from(next)
}

/// The clause a date phrase governs: from the phrase to the end of its clause.
pub fn clause_from(text: &str, start: usize) -> String {
    let rest = &text[start..];
    let end = rest.find(['，', '；', '。', ';', ',', '）', ')']).unwrap_or(rest.len());
    rest[..end].trim().to_string()
}

#[allow(clippy::expect_used)]
static QUANTITY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?:\d+(?:\.\d+)?|[一二三四五六七八九十两]+)\s*(?:%|％|‰)?\s*",
        r"(?:万|千|百|亿)?\s*(?:个工作日|个小时|个月|工作日|小时|分钟|万人|人次|人|个|家|件|项|户|次|天|日|G|兆|千瓦|元|平方米|公里|座|所|名|批|条|本|台|套|辆|年|周)?",
        r"(?:以内|以上|以下|左右)?"
    ))
    .expect("quantity pattern")
});

const TARGET_WORDS: &[&str] = &[
    "压缩至",
    "压减至",
    "压缩到",
    "缩短至",
    "缩短到",
    "控制在",
    "达到",
    "提升至",
    "提升到",
    "提高到",
    "提高至",
    "降低至",
    "降至",
    "新增",
    "增加",
    "增长",
    "不少于",
    "不低于",
    "不超过",
    "不高于",
    "超过",
    "实现",
];

/// Quantified targets: 「压缩至0.5个工作日以内」「达到90%以上」「新增注册用户6万人」.
pub fn targets(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for clause in text.split(['，', '；', '。', ';', ',', '：', ':', '（', '）', '(', ')']) {
        let Some((kw_at, kw)) =
            TARGET_WORDS.iter().filter_map(|w| clause.find(w).map(|i| (i, *w))).min_by_key(|(i, _)| *i)
        else {
            continue;
        };
        let from = &clause[kw_at..];
        // The last quantity after the keyword ends the target; without one it is not a target.
        let Some(last) = QUANTITY
            .find_iter(from)
            .filter(|m| m.as_str().chars().any(|c| c.is_ascii_digit()) || m.as_str().contains('%'))
            .last()
        else {
            continue;
        };
        let mut t = from[..last.end()].trim().to_string();
        if kw == "实现" && !t.contains('%') {
            continue;
        }
        if t.chars().count() > 60 {
            t = t.chars().take(60).collect();
        }
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn dates(text: &str) -> Vec<Option<Date>> {
        phrases(text, 2022).into_iter().map(|p| p.date).collect()
    }

    #[test]
    fn deadline_phrases_resolve_to_dates_in_the_document_year() {
        assert_eq!(dates("3月底前完成"), vec![Some(date(2022, 3, 31))]);
        assert_eq!(dates("年底前"), vec![Some(date(2022, 12, 31))]);
        assert_eq!(dates("2022年底前"), vec![Some(date(2022, 12, 31))]);
        assert_eq!(dates("2023年底前"), vec![Some(date(2023, 12, 31))]);
        assert_eq!(dates("第二幼儿园年内投入使用"), vec![Some(date(2022, 12, 31))]);
        assert_eq!(dates("上半年"), vec![Some(date(2022, 6, 30))]);
        assert_eq!(dates("一季度"), vec![Some(date(2022, 3, 31))]);
        assert_eq!(dates("第三季度末前"), vec![Some(date(2022, 9, 30))]);
        assert_eq!(dates("5月20日前"), vec![Some(date(2022, 5, 20))]);
        assert_eq!(dates("2022年3月底前"), vec![Some(date(2022, 3, 31))]);
        assert_eq!(dates("二月底前"), vec![Some(date(2022, 2, 28))]);
        assert_eq!(dates("十二月底前"), vec![Some(date(2022, 12, 31))]);
        assert_eq!(dates("4月底前完成70%，6月底前完成100%"), vec![Some(date(2022, 4, 30)), Some(date(2022, 6, 30))]);
        assert_eq!(dates("2022年起，实现全旗"), vec![None]);
        assert_eq!(dates("长期坚持"), vec![None]);
        assert_eq!(dates("持续推进纳税缴费便利化改革"), vec![None]);
    }

    #[test]
    fn durations_and_cadences_are_not_deadlines() {
        assert!(dates("原则上一年只能开展一次").is_empty());
        assert!(dates("3年内完成").is_empty());
        assert!(dates("每年年底报送").is_empty());
        assert!(dates("1个工作日内获得").is_empty());
        assert!(dates("13月底前").is_empty());
        assert!(dates("2月30日前").is_empty());
        assert!(dates("按季度调度").is_empty());
    }

    fn in_year(text: &str, year: i16) -> Vec<Option<String>> {
        phrases(text, year).into_iter().map(|p| p.date.map(|d| d.to_string())).collect()
    }

    fn on(text: &str, year: i16, issued: Date) -> Vec<Option<String>> {
        phrases_with(text, year, Some(issued)).into_iter().map(|p| p.date.map(|d| d.to_string())).collect()
    }

    fn one(d: &str) -> Vec<Option<String>> {
        vec![Some(d.to_string())]
    }

    #[test]
    fn full_dates_in_figures_and_in_words() {
        assert_eq!(in_year("2026-05-12", 2026), one("2026-05-12"));
        assert_eq!(in_year("2026/5/12", 2026), one("2026-05-12"));
        assert_eq!(in_year("2026.5.12", 2026), one("2026-05-12"));
        assert_eq!(in_year("2026-05-12 00:00:00", 2026), one("2026-05-12"));
        assert_eq!(in_year("2026-05", 2026), one("2026-05-31"));
        assert_eq!(in_year("2026年5月12日", 2026), one("2026-05-12"));
        assert_eq!(in_year("2026年5月12号前完成", 2026), one("2026-05-12"));
        assert_eq!(in_year("于2023年4月6日前报送", 2023), one("2023-04-06"));
        assert_eq!(in_year("各单位于4月15日前提交总结", 2022), one("2022-04-15"));
        assert_eq!(in_year("此项清理于2020年5月底前完成", 2020), one("2020-05-31"));
        assert_eq!(in_year("2020年7月底前，各盟市报送台账", 2020), one("2020-07-31"));
        let p = phrases("于2023年4月6日前报送", 2023);
        assert_eq!(p[0].text, "2023年4月6日前");
        assert_eq!(&"于2023年4月6日前报送"[p[0].start..p[0].end], "2023年4月6日前");
    }

    #[test]
    fn months_quarters_and_years_in_words() {
        assert_eq!(in_year("6月前完成", 2016), one("2016-06-30"));
        assert_eq!(in_year("争取6月完成", 2016), one("2016-06-30"));
        assert_eq!(in_year("6月份完成", 2016), one("2016-06-30"));
        assert_eq!(in_year("12月份前", 2016), one("2016-12-31"));
        assert_eq!(in_year("2月底前", 2024), one("2024-02-29"));
        assert_eq!(in_year("4月上旬", 2022), one("2022-04-10"));
        assert_eq!(in_year("4月中旬前", 2022), one("2022-04-20"));
        assert_eq!(in_year("4月下旬", 2022), one("2022-04-30"));
        assert_eq!(in_year("争取4月初步完成选址", 2016), one("2016-04-30"));
        assert_eq!(in_year("力争第二季度启动招标", 2016), one("2016-06-30"));
        assert_eq!(in_year("上半年完成验收", 2016), one("2016-06-30"));
        assert_eq!(in_year("年内完成", 2016), one("2016-12-31"));
        assert_eq!(in_year("2023年底前", 2021), one("2023-12-31"));
        assert_eq!(in_year("力争2024年底覆盖率达到95%", 2021), one("2024-12-31"));
        assert_eq!(in_year("明年6月底前", 2025), one("2026-06-30"));
        assert_eq!(in_year("明年底前", 2025), one("2026-12-31"));
        assert_eq!(in_year("到2020年，全面建立台账管理制度", 2018), one("2020-12-31"));
        assert_eq!(in_year("2020年前完成", 2018), one("2020-12-31"));
        assert_eq!(in_year("2020年以前", 2018), one("2020-12-31"));
        assert_eq!(in_year("2019—2020年", 2019), one("2020-12-31"));
        assert_eq!(in_year("2026-2027", 2026), one("2027-12-31"));
        assert_eq!(in_year("2026年", 2026), one("2026-12-31"));
    }

    #[test]
    fn a_year_alone_in_a_goal_is_a_date_for_its_measure() {
        // 「到2035年」 in a measure is its date; a later year starting a clause is a goal's.
        assert_eq!(in_year("推进改革。到2035年，基本实现治理现代化", 2019), one("2035-12-31"));
        assert_eq!(in_year("完善制度。2021年初步建成20个示范基地", 2020), one("2021-12-31"));
        // The document's own year only before a verb.
        assert_eq!(in_year("分批推进。2023年拟建示范点3个", 2023), one("2023-12-31"));
        assert!(in_year("2022年城镇用户年均停电时间压减至2个小时以内", 2022).is_empty());
        assert!(in_year("与2015年相比下降10%", 2019).is_empty());
        assert!(in_year("2018年以来", 2019).is_empty());
        assert!(in_year("2016年度工作要点", 2016).is_empty());
        assert!(in_year("于2020年初开始试行", 2020).is_empty());
        assert!(in_year("召开迎接2023年“省级考核”动员会", 2023).is_empty());
        assert!(in_year("总结2020年、2021年整改情况", 2022).is_empty());
        // Background already past at the issue date, and dates in cited titles, are not deadlines.
        assert!(on("2018年11月，省政府出台《实施意见》", 2019, date(2019, 1, 9)).is_empty());
        assert!(in_year("编制《全区交通发展规划（2021-2025）》", 2021).is_empty());
        assert!(in_year("落实《关于2018年底前完成清理的通知》", 2019).is_empty());
    }

    #[test]
    fn five_year_plans_end_in_their_last_year() {
        assert_eq!(in_year("\"十四五\"期间", 2021), one("2025-12-31"));
        assert_eq!(in_year("“十四五”时期", 2021), one("2025-12-31"));
        assert_eq!(in_year("十三五时期", 2016), one("2020-12-31"));
        assert_eq!(in_year("“十五五”末", 2026), one("2030-12-31"));
        assert!(in_year("纳入“十四五”规划", 2021).is_empty());
        assert!(in_year("“五五”普法", 2021).is_empty());
    }

    #[test]
    fn days_after_the_issue_date_count_from_it() {
        let issued = date(2026, 3, 1);
        assert_eq!(on("自印发之日起30日内完成", 2026, issued), one("2026-03-31"));
        assert_eq!(on("印发之日起30日内", 2026, issued), one("2026-03-31"));
        assert_eq!(on("自印发之日起3个月内", 2026, issued), one("2026-06-01"));
        assert_eq!(on("本通知印发后两周内报送", 2026, issued), one("2026-03-15"));
        assert_eq!(on("本方案发布之日起一年内", 2026, issued), one("2027-03-01"));
        // Without the issue date no date; working days depend on the holidays.
        assert!(in_year("自印发之日起30日内", 2026).is_empty());
        assert!(on("印发之日起10个工作日内", 2026, issued).is_empty());
        assert!(on("收到通知后30日内", 2026, issued).is_empty());
    }

    #[test]
    fn a_range_is_due_at_its_end() {
        assert_eq!(in_year("（一）动员部署阶段（2023年5月8日—6月2日）", 2023), one("2023-06-02"));
        assert_eq!(in_year("（2022年2月10日—2022年2月28日）", 2022), one("2022-02-28"));
        assert_eq!(in_year("3月1日至3月28日", 2022), one("2022-03-28"));
        assert_eq!(in_year("3月1日-28日", 2022), one("2022-03-28"));
        assert_eq!(in_year("2022年1月—6月", 2022), one("2022-06-30"));
        assert_eq!(in_year("2021年12月1日—1月15日", 2021), one("2022-01-15"));
        // An open range is ongoing; 「到位」 is no range.
        assert_eq!(in_year("（四）巩固提升阶段（2023年9月1日—）", 2023), vec![None]);
        assert_eq!(in_year("3月底到位", 2022), one("2022-03-31"));
        let p = phrases("阶段（2023年5月8日—6月2日）", 2023);
        assert_eq!(p[0].text, "2023年5月8日—6月2日");
    }

    #[test]
    fn starts_recurring_dates_and_standing_work_are_ongoing() {
        assert_eq!(in_year("2021年起，每年开展一次", 2021), vec![None]);
        assert_eq!(in_year("从2019年起", 2019), vec![None]);
        assert_eq!(in_year("自2019年开始", 2019), vec![None]);
        assert_eq!(in_year("3月1日起施行", 2019), vec![None]);
        assert_eq!(in_year("各旗县应当于每年1月20日前报送上年度数据", 2018), vec![None]);
        assert_eq!(in_year("2021年起，每年2月底前报送评估结果", 2020), vec![None, None]);
        assert_eq!(in_year("长期坚持", 2019), vec![None]);
        assert_eq!(in_year("持续推进", 2019), vec![None]);
        assert_eq!(in_year("常态化推进", 2019), vec![None]);
        assert_eq!(in_year("常态化", 2019), vec![None]);
        assert_eq!(in_year(" 长期 ", 2019), vec![None]);
        // A yearly date with a real deadline beside it: the deadline stays.
        assert_eq!(
            in_year("2020年10月底前完成首次评估；2021年起每年2月底前更新", 2020),
            vec![Some("2020-10-31".into()), None, None]
        );
        // 「起草」 is no start.
        assert_eq!(in_year("6月起草方案", 2019), one("2019-06-30"));
    }

    #[test]
    fn numbers_that_are_not_dates() {
        for text in [
            "投资达到2万亿元",
            "清理100项",
            "0—6岁儿童",
            "确保1年内完成采购任务",
            "在2—3年内完成改造",
            "两年内完成",
            "半年内",
            "1985年3月底前",
            "2150年",
            "12022年3月底前",
            "增加2019.5亿元",
            "3月15完成",
            "列入年底考核内容",
            "联系电话：0591-2345678",
            "三月",
            "每年年底报送",
        ] {
            assert!(in_year(text, 2022).is_empty(), "{text}: {:?}", in_year(text, 2022));
        }
    }

    #[test]
    fn excel_serial_numbers_are_dates_within_the_years_of_deadlines() {
        assert_eq!(excel_date("46154"), Some(date(2026, 5, 12)));
        assert_eq!(excel_date(" 46154.75 "), Some(date(2026, 5, 12)));
        assert_eq!(excel_date("32874"), Some(date(1990, 1, 1)));
        assert_eq!(excel_date("73415"), Some(date(2100, 12, 31)));
        for cell in ["32873", "73416", "30", "2026", "-46154", "4.6e4", "", "6月底前", "46154..5"] {
            assert_eq!(excel_date(cell), None, "{cell}");
        }
    }

    #[test]
    fn odd_text_does_not_panic_and_long_text_reads_in_one_pass() {
        for text in ["—", "2022年3月1日—", "年", "月", "印发之日起", "十四五", "2022-", "《2022年", "\u{0}年底前"]
        {
            let _ = phrases_with(text, 2022, Some(date(2022, 1, 1)));
        }
        let text = "2023年5月8日—6月2日完成，每年2月底前报送；到2035年，".repeat(20_000);
        let found = phrases(&text, 2022);
        assert_eq!(found.len(), 60_000);
    }

    #[test]
    fn quantified_targets_are_extracted() {
        assert_eq!(targets("3月底前开办时间全面压缩至0.5个工作日以内。"), vec!["压缩至0.5个工作日以内"]);
        assert_eq!(targets("12月底前群众满意度达到90%以上。"), vec!["达到90%以上"]);
        assert_eq!(targets("完成“蒙速办”APP新增注册用户6万人任务指标数量。"), vec!["新增注册用户6万人"]);
        assert!(targets("加强政策宣传辅导。").is_empty());
        assert!(targets("实现全流程线上审批。").is_empty());
    }
}
