//! Deadlines in words, and quantified targets.
//!
//! 「3月底前」 → 03-31, 「年底前」「2022年底前」「年内」 → 12-31, 「上半年」 → 06-30,
//! 「一季度」 → 03-31, 「X月X日前」, 「2022年3月底前」; several dates in one task are its
//! milestones and the last is its deadline; 「长期坚持」「持续推进」「2022年起」 mark ongoing
//! work. A phrase without a year takes the document's year.

use jiff::civil::Date;
use regex::Regex;
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
    let digit = |c: char| CN.chars().position(|d| d == c).map(|p| p as u32 + 1);
    let c: Vec<char> = s.chars().collect();
    match c.as_slice() {
        [a] => digit(*a),
        ['十', b] => digit(*b).map(|b| 10 + b),
        [a, '十'] => digit(*a).map(|a| a * 10),
        [a, '十', b] => Some(digit(*a)? * 10 + digit(*b)?),
        _ => None,
    }
}

#[allow(clippy::expect_used)] // the patterns are constants, checked by the tests
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?:(?P<y>(?:19|20)\d{2})\s*年\s*)?(?:",
        r"(?P<m>\d{1,2}|[一二三四五六七八九十]{1,3})\s*月\s*(?P<d>\d{1,2})\s*日(?:之?前|以前)",
        r"|(?P<me>\d{1,2}|[一二三四五六七八九十]{1,3})\s*月(?:份)?(?:底|末)(?:之?前|以前)?",
        r"|(?P<ye>年?\s*(?:底|末))(?:之?前|以前)?",
        r"|(?P<yin>年?内)",
        r"|(?P<half>上半年|下半年)(?:之?前|末|底)?",
        r"|第?(?P<q>[一二三四1-4])\s*季度(?:末|底)?(?:之?前|以前)?",
        r"|(?P<from>起|开始)",
        r")"
    ))
    .expect("date pattern")
});

#[allow(clippy::expect_used)]
static ONGOING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"长期坚持|持续推进|常态化推进|长期推进|长期开展").expect("ongoing pattern"));

fn month_end(year: i16, month: u32) -> Option<Date> {
    let m = i8::try_from(month).ok().filter(|m| (1..=12).contains(m))?;
    let first = Date::new(year, m, 1).ok()?;
    Date::new(year, m, first.days_in_month()).ok()
}

/// Every date phrase in `text`, in order; phrases without a year take `year`.
pub fn phrases(text: &str, year: i16) -> Vec<Phrase> {
    let mut out = Vec::new();
    for c in DATE.captures_iter(text) {
        let Some(whole) = c.get(0) else { continue };
        let explicit = c.name("y").and_then(|y| y.as_str().parse::<i16>().ok());
        let y = explicit.unwrap_or(year);
        let date = if let (Some(m), Some(d)) = (c.name("m"), c.name("d")) {
            let (Some(m), Ok(d)) = (cn_number(m.as_str()), d.as_str().parse::<i8>()) else { continue };
            match i8::try_from(m).ok().and_then(|m| Date::new(y, m, d).ok()) {
                Some(date) => Some(date),
                None => continue,
            }
        } else if let Some(m) = c.name("me") {
            match cn_number(m.as_str()).and_then(|m| month_end(y, m)) {
                Some(d) => Some(d),
                None => continue,
            }
        } else if let Some(ye) = c.name("ye") {
            // 「底」 alone is a year's end only after 「2022年」; 「每年年底」 is a cadence.
            let before = &text[..whole.start()];
            if (explicit.is_none() && !ye.as_str().starts_with('年'))
                || before.ends_with('每')
                || before.ends_with("每年")
            {
                continue;
            }
            month_end(y, 12)
        } else if let Some(yin) = c.name("yin") {
            // 「内」 alone is 「年内」 only after 「2022年」; 「一年内」「3年内」 are durations.
            let before = text[..whole.start()].chars().last();
            let duration = before.is_some_and(|b| b.is_ascii_digit() || CN.contains(b) || b == '每');
            if explicit.is_none() && (!yin.as_str().starts_with('年') || duration) {
                continue;
            }
            month_end(y, 12)
        } else if let Some(h) = c.name("half") {
            month_end(y, if h.as_str() == "上半年" { 6 } else { 12 })
        } else if let Some(q) = c.name("q") {
            match cn_number(q.as_str()) {
                Some(q @ 1..=4) => month_end(y, q * 3),
                _ => continue,
            }
        } else if c.name("from").is_some() {
            // Only 「2022年起」: a year, then 起 — ongoing from then on.
            if explicit.is_none() {
                continue;
            }
            None
        } else {
            continue;
        };
        out.push(Phrase { start: whole.start(), end: whole.end(), text: whole.as_str().trim().to_string(), date });
    }
    for m in ONGOING.find_iter(text) {
        out.push(Phrase { start: m.start(), end: m.end(), text: m.as_str().to_string(), date: None });
    }
    out.sort_by_key(|p| p.start);
    out
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

    #[test]
    fn quantified_targets_are_extracted() {
        assert_eq!(targets("3月底前开办时间全面压缩至0.5个工作日以内。"), vec!["压缩至0.5个工作日以内"]);
        assert_eq!(targets("12月底前群众满意度达到90%以上。"), vec!["达到90%以上"]);
        assert_eq!(targets("完成“蒙速办”APP新增注册用户6万人任务指标数量。"), vec!["新增注册用户6万人"]);
        assert!(targets("加强政策宣传辅导。").is_empty());
        assert!(targets("实现全流程线上审批。").is_empty());
    }
}
