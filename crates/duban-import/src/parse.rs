//! From the lines of a document to its outline and tasks.
//!
//! Numbered items open blocks: 一、 （一） 1. （1） ①, in whatever nesting the document uses
//! (a style met before closes the blocks opened since; a new style nests). 「附件N」 opens an
//! annex, whose numbering starts afresh. A block whose text carries a responsibility clause is a
//! task; any other block is a section heading for the tasks under it.

use crate::ImportError;
use crate::clause::{self, Clause};
use crate::limits::{Budget, Limits};
use crate::meta::{document_year, meta};
use crate::model::{ParsedMilestone, ParsedTask, Preview, Warning, WarningCode};
use crate::names::Names;
use crate::time;
use jiff::civil::Date;
use regex::Regex;
use std::sync::LazyLock;

/// How to read a document.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The year for deadlines written without one; by default the issue date's year.
    pub year: Option<i16>,
    /// The file name, for a title when the document states none.
    pub filename: String,
    /// The year to fall back on when the document gives none (the current year).
    pub fallback_year: i16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Cn,
    PCn,
    Num,
    PNum,
    Circle,
}

#[allow(clippy::expect_used)] // constant patterns, checked by the tests
static MARKERS: LazyLock<[(Style, Regex); 5]> = LazyLock::new(|| {
    let r = |p: &str| Regex::new(p).expect("marker pattern");
    [
        (Style::PCn, r(r"^[（(]\s*[一二三四五六七八九十百]{1,4}\s*[）)]\s*")),
        (Style::PNum, r(r"^[（(]\s*\d{1,4}\s*[）)]\s*")),
        (Style::Cn, r(r"^[一二三四五六七八九十百]{1,4}\s*[、．.]\s*")),
        (Style::Num, r(r"^\d{1,4}\s*[.．、]\s*")),
        (Style::Circle, r(r"^[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳]\s*")),
    ]
});

/// The numbering at the start of a line: its style, the marker as printed, and the rest.
fn marker(line: &str) -> Option<(Style, String, &str)> {
    for (style, re) in MARKERS.iter() {
        if let Some(m) = re.find(line) {
            let rest = &line[m.end()..];
            // 「1.5倍」「2022.3」 are numbers, not items; an item has text after its number.
            if *style == Style::Num && (rest.is_empty() || rest.starts_with(|c: char| c.is_ascii_digit())) {
                continue;
            }
            if rest.trim().is_empty() {
                continue;
            }
            let printed: String = m.as_str().chars().filter(|c| !c.is_whitespace()).collect();
            return Some((*style, printed, rest.trim_start()));
        }
    }
    None
}

#[allow(clippy::expect_used)]
static ANNEX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^附\s*件\s*(\d{1,2})\s*[:：]?\s*(.*)$").expect("annex pattern"));
#[allow(clippy::expect_used)]
static ANNEX_INDEX: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^附\s*件\s*[:：]").expect("annex index pattern"));
#[allow(clippy::expect_used)]
static FIRST_IS_LEAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:排在|排名|列)第一(?:位|个)?的?(?:单位)?(?:为|是)牵头(?:单位|部门)").expect("first-is-lead pattern")
});
#[allow(clippy::expect_used)]
static STANDING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"以下(?:任务|事项|各项)?[^，。；]{0,4}?均?需?由?(?P<u>[^，。；、]{2,30}?)配合(?:落实|完成|推进)?[，,]?\s*不再(?:一一)?列出")
        .expect("standing rule pattern")
});

/// Tidies a line: odd spaces, Word bookmarks, page numbers.
fn clean(line: &str) -> Option<String> {
    let mut s: String = line
        .chars()
        .map(|c| if c == '\u{3000}' || c == '\u{a0}' || c == '\t' { ' ' } else { c })
        .filter(|c| !c.is_control() || *c == '\n')
        .collect();
    while let Some(a) = s.find("[bookmark:") {
        match s[a..].find(']') {
            Some(b) => s.replace_range(a..a + b + 1, ""),
            None => break,
        }
    }
    let s = s.trim().to_string();
    let page_number = s.trim_matches(|c: char| "—-－– ".contains(c)).chars().all(|c| c.is_ascii_digit())
        && s.chars().any(|c| "—-－–".contains(c));
    (!s.is_empty() && !page_number).then_some(s)
}

#[allow(clippy::expect_used)]
static BREAK_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"([。；;）)」”！？])\s*(",
        r"[（(]\d{1,4}[）)]|[（(][一二三四五六七八九十]{1,3}[）)]|[一二三四五六七八九十]{1,3}、|\d{1,4}[.．、][^\d\s]|附件\s*\d{1,2}[^\d])"
    ))
    .expect("break pattern")
});
#[allow(clippy::expect_used)]
static GLUED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([局委办院室心司会部队站所行处）)])\s*(\d{1,4}[.．、][\p{Han}]|[（(]\d{1,4}[）)][\p{Han}])")
        .expect("glued pattern")
});

/// A unit list glued to the next item's number inside one line (「责任单位：旗财政局2.加强…」):
/// break before the number when it follows a responsibility key.
fn split_glued(line: &str) -> Vec<String> {
    let key = ["牵头单位", "责任单位", "责任部门", "配合单位"].iter().filter_map(|k| line.find(k)).min();
    match key {
        Some(at) if GLUED.is_match(&line[at..]) => {
            let tail = GLUED.replace_all(&line[at..], "$1\n$2");
            let joined = format!("{}{}", &line[..at], tail);
            joined.split('\n').filter_map(clean).collect()
        }
        _ => clean(line).into_iter().collect(),
    }
}

/// Text pasted from a web page may come as one long line: break it before each numbered item,
/// including a number glued to the unit list before it (「…旗财政局2.加强…」).
fn resegment(line: &str) -> Vec<String> {
    let s = GLUED.replace_all(line, "$1\n$2");
    let s = BREAK_BEFORE.replace_all(&s, "$1\n$2");
    s.split('\n').filter_map(clean).collect()
}

fn squeeze(s: &str) -> String {
    // Spaces inside Chinese text are layout, not words.
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, c) in chars.iter().enumerate() {
        if c.is_whitespace() {
            let prev = chars[..i].iter().rev().find(|c| !c.is_whitespace());
            let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
            let ascii = |c: Option<&char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
            if ascii(prev) && ascii(next) && !out.ends_with(' ') {
                out.push(' ');
            }
            continue;
        }
        out.push(*c);
    }
    out
}

/// A numbered block being read.
struct Block {
    number: String,
    annex: Option<u32>,
    path: Vec<String>,
    text: String,
}

/// The heading of a section: its first sentence, as printed with its number.
fn heading(number: &str, text: &str) -> String {
    let first = text.split(['。', '：', ':']).next().unwrap_or(text);
    let first: String = first.chars().take(60).collect();
    format!("{number}{}", first.trim())
}

fn join(a: &mut String, b: &str) {
    let ascii_end = a.chars().last().is_some_and(|c| c.is_ascii_alphanumeric());
    let ascii_start = b.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if ascii_end && ascii_start {
        a.push(' ');
    }
    a.push_str(b);
}

/// Scope of document-level statements as they are read.
#[derive(Default)]
pub(crate) struct Standing {
    first_is_lead: bool,
    cooperate: Vec<String>,
}

impl Standing {
    fn read(&mut self, text: &str, names: &Names) {
        if FIRST_IS_LEAD.is_match(text) {
            self.first_is_lead = true;
        }
        if let Some(c) = STANDING.captures(text) {
            for u in clause::split_units(&c["u"], names) {
                if !self.cooperate.contains(&u) {
                    self.cooperate.push(u);
                }
            }
        }
    }
}

/// Reads a document given as lines (paragraphs).
pub fn parse_lines(raw: &[String], opts: &Options, names: &Names) -> Preview {
    // Without a deadline or an output bound that parsing checks, it cannot fail.
    let budget = Budget::start(&Limits { time_budget: std::time::Duration::MAX, ..Limits::default() });
    parse_lines_within(raw, opts, names, &budget).unwrap_or_default()
}

/// Reads a document given as lines (paragraphs), checking the budget's deadline as it goes.
pub fn parse_lines_within(
    raw: &[String],
    opts: &Options,
    names: &Names,
    budget: &Budget,
) -> Result<Preview, ImportError> {
    let mut lines: Vec<String> = Vec::with_capacity(raw.len());
    for (i, l) in raw.iter().enumerate() {
        if i.is_multiple_of(1024) {
            budget.check_time()?;
        }
        for part in l.split('\n') {
            if part.chars().count() > 300 {
                lines.extend(resegment(part));
            } else {
                lines.extend(split_glued(part));
            }
        }
    }
    let document = meta(&lines, opts);
    let year = document_year(&document, &lines, opts);
    let mut tasks = Vec::new();
    let mut stack: Vec<(Style, String)> = Vec::new();
    let mut annex: Option<u32> = None;
    let mut annex_root: Vec<String> = Vec::new();
    let mut in_annex_index = false;
    let mut awaiting_title = false;
    let mut standing = Standing::default();
    let mut open: Option<Block> = None;

    // A finished block becomes a task when it carries units; otherwise it was a section heading,
    // already on the stack for the blocks under it.
    let finish = |b: Block, standing: &mut Standing, tasks: &mut Vec<ParsedTask>| {
        standing.read(&b.text, names);
        if let Some(found) = clause::find(&b.text, names) {
            let mut text = String::new();
            text.push_str(b.text[..found.start].trim());
            text.push_str(b.text[found.end..].trim());
            if FIRST_IS_LEAD.is_match(&b.text[found.start..found.end]) {
                standing.first_is_lead = true;
            }
            if found.clause.has_units() {
                tasks.push(build_task(
                    TaskParts { number: b.number.clone(), annex: b.annex, path: b.path.clone(), text },
                    &found.clause,
                    standing,
                    &Context { year, issued: document.issued, names },
                ));
            }
        }
    };

    for (i, line) in lines.iter().enumerate() {
        if i.is_multiple_of(1024) {
            budget.check_time()?;
        }
        if let Some(c) = ANNEX.captures(line) {
            // 「附件1」 on a line of its own (or with its title) opens an annex.
            let title = c.get(2).map_or("", |m| m.as_str()).trim();
            if title.chars().count() <= 60 && !title.ends_with('。') {
                if let Some(b) = open.take() {
                    finish(b, &mut standing, &mut tasks);
                }
                annex = c[1].parse().ok();
                annex_root = if title.is_empty() { Vec::new() } else { vec![squeeze(title)] };
                awaiting_title = title.is_empty();
                in_annex_index = false;
                stack.clear();
                standing.cooperate.clear();
                continue;
            }
        }
        if ANNEX_INDEX.is_match(line) {
            // The list of annexes after the body: their titles are not items.
            if let Some(b) = open.take() {
                finish(b, &mut standing, &mut tasks);
            }
            in_annex_index = true;
            continue;
        }
        if in_annex_index {
            continue;
        }
        match marker(line) {
            Some((style, number, rest)) => {
                awaiting_title = false;
                if let Some(b) = open.take() {
                    finish(b, &mut standing, &mut tasks);
                }
                if let Some(pos) = stack.iter().position(|(s, _)| *s == style) {
                    stack.truncate(pos);
                }
                let mut path = annex_root.clone();
                path.extend(stack.iter().map(|(_, h)| h.clone()));
                stack.push((style, heading(&number, rest)));
                open = Some(Block { number, annex, path, text: rest.to_string() });
            }
            None => {
                if awaiting_title && line.chars().count() <= 40 && !line.ends_with(['。', '：', ':']) {
                    match annex_root.last_mut() {
                        Some(t) => t.push_str(&squeeze(line)),
                        None => annex_root.push(squeeze(line)),
                    }
                    continue;
                }
                awaiting_title = false;
                match open.as_mut() {
                    Some(b) => join(&mut b.text, line),
                    None => standing.read(line, names),
                }
            }
        }
    }
    if let Some(b) = open.take() {
        finish(b, &mut standing, &mut tasks);
    }
    Ok(Preview { document, tasks })
}

/// A task's number, place and text, before its units and dates are read.
pub(crate) struct TaskParts {
    pub number: String,
    pub annex: Option<u32>,
    pub path: Vec<String>,
    pub text: String,
}

pub(crate) struct Context<'a> {
    pub year: i16,
    pub issued: Option<Date>,
    pub names: &'a Names,
}

/// Builds a task from its parts and its clause: lead and cooperating units, deadline,
/// milestones, targets and warnings.
pub(crate) fn build_task(parts: TaskParts, c: &Clause, standing: &Standing, cx: &Context) -> ParsedTask {
    let mut warnings = Vec::new();
    let (mut lead, mut cooperating) = if !c.lead.is_empty() {
        let mut coop = c.responsible.clone();
        coop.extend(c.cooperating.iter().cloned());
        (c.lead.clone(), coop)
    } else if !c.responsible.is_empty() && !c.cooperating.is_empty() {
        // 「责任单位：A；配合单位：B」: the responsible units lead.
        (c.responsible.clone(), c.cooperating.clone())
    } else if let Some((first, rest)) = c.responsible.split_first() {
        if !standing.first_is_lead {
            warnings.push(Warning::new(
                WarningCode::LeadProposed,
                format!("未标明牵头单位，建议以排在第一位的“{first}”为牵头单位，请确认"),
            ));
        }
        (vec![first.clone()], rest.to_vec())
    } else {
        (Vec::new(), c.cooperating.clone())
    };
    for u in &standing.cooperate {
        if !cooperating.contains(u) {
            cooperating.push(u.clone());
        }
    }
    lead.dedup();
    cooperating.retain(|u| !lead.contains(u));
    let mut seen = Vec::new();
    cooperating.retain(|u| {
        let new = !seen.contains(u);
        seen.push(u.clone());
        new
    });
    match lead.len() {
        0 => warnings.push(Warning::new(WarningCode::NoLead, "没有牵头单位")),
        1 => {}
        n => warnings
            .push(Warning::new(WarningCode::MultipleLeads, format!("牵头单位有 {n} 个（原则上只确定一个牵头单位）"))),
    }
    if !cx.names.is_empty() {
        for u in lead.iter().chain(&cooperating) {
            if cx.names.resolve(u).is_none() {
                let closest = cx.names.closest(u, 3);
                let hint =
                    if closest.is_empty() { String::new() } else { format!("，是否为：{}", closest.join("、")) };
                warnings.push(Warning {
                    code: WarningCode::UnknownUnit,
                    message: format!("单位“{u}”不在单位名录中{hint}"),
                    name: Some(u.clone()),
                    closest,
                });
            }
        }
    }

    // Dates: the clause's 完成时限 when it has one, else the phrases in the task's own text.
    let (source, from_clause) = match &c.deadline_text {
        Some(t) => (t.as_str(), true),
        None => (parts.text.as_str(), false),
    };
    let found = time::phrases(source, cx.year);
    let dated: Vec<&time::Phrase> = found.iter().filter(|p| p.date.is_some()).collect();
    let mut milestones: Vec<ParsedMilestone> = Vec::new();
    let mut distinct: Vec<Date> = dated.iter().filter_map(|p| p.date).collect();
    distinct.sort();
    distinct.dedup();
    if distinct.len() > 1 {
        for p in &dated {
            if let Some(due) = p.date {
                milestones.push(ParsedMilestone { due, text: time::clause_from(source, p.start) });
            }
        }
        milestones.sort_by_key(|m| m.due);
    }
    let last = dated.iter().max_by_key(|p| (p.date, p.start));
    let deadline = last.and_then(|p| p.date);
    let deadline_text = match (from_clause, last, found.first()) {
        (true, _, _) => c.deadline_text.clone(),
        (false, Some(p), _) => Some(p.text.clone()),
        (false, None, Some(p)) => Some(p.text.clone()),
        (false, None, None) => None,
    };
    if deadline.is_none() {
        if found.iter().any(|p| p.date.is_none()) {
            warnings.push(Warning::new(WarningCode::Ongoing, "长期性工作，按规则的报告频次跟踪"));
        } else {
            warnings.push(Warning::new(WarningCode::NoDeadline, "没有完成时限，按规则默认时限计算"));
        }
    }
    if let (Some(d), Some(issued)) = (deadline, cx.issued)
        && d < issued
    {
        warnings.push(Warning::new(
            WarningCode::DeadlineBeforeIssue,
            format!("完成时限 {d} 早于发文日期 {issued}，请核实"),
        ));
    }
    let targets = time::targets(&parts.text);
    ParsedTask {
        number: parts.number,
        annex: parts.annex,
        path: parts.path,
        text: parts.text,
        lead,
        cooperating,
        deadline,
        deadline_text,
        milestones,
        targets,
        warnings,
    }
}
