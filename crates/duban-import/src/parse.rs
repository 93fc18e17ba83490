//! From the lines of a document to its outline and tasks.
//!
//! Numbered items open blocks: 一、 （一） 1. （1） ①, in whatever nesting the document uses
//! (a style met before closes the blocks opened since; a new style nests). 「附件N」 opens an
//! annex, whose numbering starts afresh. A block whose text carries a responsibility clause is a
//! task; any other block is a section heading for the tasks under it.

use crate::ImportError;
use crate::clause::{self, Clause};
use crate::limits::{Budget, Limits};
use crate::meta::{date_line, document_year, meta, org};
use crate::model::{ParsedMilestone, ParsedTask, Preview, Warning, WarningCode};
use crate::names::Names;
use crate::{prose, time};
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
    /// 「——」 sub-items.
    Dash,
}

#[allow(clippy::expect_used)] // constant patterns, checked by the tests
static MARKERS: LazyLock<[(Style, Regex); 6]> = LazyLock::new(|| {
    let r = |p: &str| Regex::new(p).expect("marker pattern");
    [
        (Style::PCn, r(r"^[（(]\s*[一二三四五六七八九十百]{1,4}\s*[）)]\s*")),
        (Style::PNum, r(r"^[（(]\s*\d{1,4}\s*[）)]\s*")),
        (Style::Cn, r(r"^[一二三四五六七八九十百]{1,4}\s*[、．.]\s*")),
        (Style::Num, r(r"^\d{1,4}\s*[.．、]\s*")),
        (Style::Circle, r(r"^[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳]\s*")),
        (Style::Dash, r(r"^(?:——|－－|—)\s*")),
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
pub(crate) static FIRST_IS_LEAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?:排在|排名|列|位列|排)(?:第一|首)(?:位|个)?(?:的|者)?(?:单位|部门)?(?:为|是)牵头(?:单位|部门)",
        r"|排(?:位|序|名)靠前的(?:责任)?(?:单位|部门)为牵头(?:单位|部门)"
    ))
    .expect("first-is-lead pattern")
});
#[allow(clippy::expect_used)]
static STANDING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"以下(?:任务|事项|各项)?[^，。；]{0,4}?均?需?由?(?P<u>[^，。；、]{2,30}?)(?:配合|参与|协助)?(?:落实|完成|推进|实施)?[，,]?\s*不再(?:一一)?列出")
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
        r"([。；;：:）)」”！？])\s*(",
        r"[（(]\d{1,4}[）)]|[（(][一二三四五六七八九十]{1,3}[）)]|[一二三四五六七八九十]{1,3}、|\d{1,4}[.．、][^\d\s]|附件\s*\d{1,2}[^\d]|——[\p{Han}“])"
    ))
    .expect("break pattern")
});
#[allow(clippy::expect_used)]
static GLUED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"([局委办院室心司会部队站所行处府位道镇校厅署社组）)])\s*(\d{1,4}[.．、][\p{Han}]|[（(]\d{1,4}[）)][\p{Han}])",
    )
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

#[allow(clippy::expect_used)]
static HEADING_GLUED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^((?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[）)])\s*[\p{Han}]{1,12}?)\s*",
        r"((?:[（(][一二三四五六七八九十]{1,3}[）)]|[（(]\d{1,2}[）)]|\d{1,2}[.．、])[\p{Han}])"
    ))
    .expect("glued heading pattern")
});

/// A short heading glued to the first item under it (「五、职责分工（一）区卫健局…」,
/// 「（七）学校1.加强…」): the heading on its own line, then the item.
fn split_heading(line: String) -> Vec<String> {
    match HEADING_GLUED.captures(&line) {
        Some(c) => {
            let (Some(head), Some(item)) = (c.get(1), c.get(2)) else { return vec![line] };
            vec![head.as_str().to_string(), line[item.start()..].to_string()]
        }
        None => vec![line],
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
    /// How deep in the outline it sits (0: a top-level item of the body or an annex).
    depth: usize,
    /// In a section that states principles or goals rather than work (指导思想, 基本原则,
    /// 工作目标 …): not a task unless it names units itself.
    statement: bool,
    /// In a section of requirements (保障措施, 工作要求, 组织实施): a measure of an efficiency
    /// plan, but in a ledger not a task; it does not decide which the document is.
    requirement: bool,
    /// The unit a section on duties heads it with (「五、职责分工」 「（五）区社会事业局」 「1.…」): the
    /// lead of its tasks that name no units themselves.
    heading_unit: Option<String>,
    /// The units that standing rules read so far add to its tasks (以下均需…落实，不再列出).
    cooperate: Vec<String>,
}

#[allow(clippy::expect_used)]
static STATEMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:总体要求|指导思想|基本原则|工作原则|主要原则|指导原则|总体目标|工作目标|主要目标|发展目标|",
        r"目标任务|基本目标|目标要求|总体思路|基本思路|重要意义|适用范围|实施范围|试点范围|编制依据|工作依据|主要依据|",
        r"评估内容|考核内容|督导内容|检查内容|评价内容|指标体系|考核指标|评价指标|(?:充分|深刻)认识|",
        // A section of scope, a heading alone on its line: 集中采购范围及形式, 实施对象.
        r"[^。，；]{0,12}(?:范围|对象)(?:(?:及|和|与)[^。，；]{1,6})?$)"
    ))
    .expect("statement pattern")
});

#[allow(clippy::expect_used)]
static REQUIREMENTS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:保障措施|工作要求|组织实施|组织保障|工作保障|保障机制|有关要求|工作措施和要求|实施保障)")
        .expect("requirements pattern")
});

#[allow(clippy::expect_used)]
static DUTIES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[^。，]{0,6})(?:职责分工|任务分工|责任分工|部门职责|工作职责|职责)").expect("duties pattern")
});

/// The unit a block under a section on duties opens with: a unit's name at the start of its text
/// (「区卫健局1.…」「区甲局严格管理…」), or its first phrase when that is a short
/// name alone (「学校」, 「家庭。家长是…」).
fn heading_unit(text: &str) -> Option<String> {
    if let Some(end) = prose::unit_at_start(text) {
        return Some(text[..end].to_string());
    }
    let bare = text.split(['。', '：', ':', '，', ' ']).next().unwrap_or(text);
    (bare.chars().count() <= 10 && bare.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)))
        .then(|| bare.to_string())
}

/// A line that signs the document off: its date, the signing body just above the date, or
/// 「（此件公开发布）」. Text after the last item stops there.
fn is_signature(lines: &[String], i: usize) -> bool {
    let line = squeeze(&lines[i]);
    if date_line(&line).is_some() || line.starts_with("（此件") || line.starts_with("(此件") {
        return true;
    }
    org(&line) && lines.iter().skip(i + 1).take(2).any(|l| date_line(&squeeze(l)).is_some())
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
    pub(crate) first_is_lead: bool,
    pub(crate) cooperate: Vec<String>,
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
            let parts = if part.chars().count() > 300 { resegment(part) } else { split_glued(part) };
            lines.extend(parts.into_iter().flat_map(split_heading));
        }
    }
    let document = meta(&lines, opts);
    let year = document_year(&document, &lines, opts);
    let blocks = outline(&lines, names, budget)?;
    let cx = Context { year, issued: document.issued, names };
    // A standing rule on leads holds for the whole document, wherever it is stated (in the first
    // task's parenthesis, at the end, in a footnote).
    let standing = Standing { first_is_lead: lines.iter().any(|l| FIRST_IS_LEAD.is_match(l)), cooperate: Vec::new() };
    Ok(Preview { document, tasks: tasks_of(&blocks, &standing, &cx) })
}

/// A piece of a block that is one task: its text and the clause naming its units, if any.
struct Piece {
    text: String,
    clause: Option<Clause>,
    /// The text after a block's last clause (a closing paragraph), not a whole block.
    trailing: bool,
}

/// A block's tasks: one per responsibility clause in it (a paragraph with several sentences each
/// ending in its own units is several tasks), or the whole block when it names none.
fn pieces(text: &str, names: &Names) -> Vec<Piece> {
    let found = clause::find_all(text, names);
    if found.is_empty() {
        return vec![Piece { text: text.trim().to_string(), clause: None, trailing: false }];
    }
    let mut out: Vec<Piece> = Vec::new();
    let mut from = 0;
    for f in &found {
        let before = text[from..f.start].trim();
        let mut t = before.to_string();
        if before.is_empty() && out.is_empty() {
            // A clause before the text it governs (「（牵头单位：…）推行…」) heads it.
            let next = found.iter().find(|g| g.start > f.start).map_or(text.len(), |g| g.start);
            t = text[f.end..next].trim().to_string();
            from = next;
            out.push(Piece { text: t, clause: Some(f.clause.clone()), trailing: false });
            continue;
        }
        from = f.end;
        if t.is_empty() {
            if let Some(last) = out.last_mut()
                && last.clause.as_ref().is_some_and(|c| !c.has_units())
            {
                last.clause = Some(f.clause.clone());
            }
            continue;
        }
        out.push(Piece { text: t, clause: Some(f.clause.clone()), trailing: false });
    }
    let rest = text.get(from..).unwrap_or("").trim();
    let sentence = rest.chars().filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c)).count() >= 15 && rest.contains('。');
    match out.last_mut() {
        Some(_) if sentence => out.push(Piece { text: rest.to_string(), clause: None, trailing: true }),
        Some(last) => join(&mut last.text, rest),
        None => {}
    }
    out
}

/// The tasks of a document's blocks. A document that names units for most of its items is read
/// as a ledger of those items, and its items without units are headings or statements; one that
/// names units for few or none (an efficiency plan, an opinion) is a list of measures, each
/// lowest-level item a task, with units where it names them and a warning where it does not.
fn tasks_of(blocks: &[Block], standing: &Standing, cx: &Context) -> Vec<ParsedTask> {
    let mut candidates: Vec<(&Block, Piece)> = Vec::new();
    for (k, b) in blocks.iter().enumerate() {
        let leaf = blocks.get(k + 1).is_none_or(|n| n.annex != b.annex || n.depth <= b.depth);
        for piece in pieces(&b.text, cx.names) {
            // Under a statement (principles, a scope), only an item that names who does it in
            // a clause or with a word of responsibility is a task.
            let named = piece.clause.as_ref().is_some_and(Clause::has_units)
                || (b.statement && prose::roles(&piece.text).is_some_and(|r| r.explicit));
            // A leaf that only points elsewhere (「…详见附件2」) is not a task itself.
            // Nor is one that only states a standing rule (「各项任务排在第一位的为牵头单位。」).
            let pointer =
                (piece.text.contains("详见") || FIRST_IS_LEAD.is_match(&piece.text) || STANDING.is_match(&piece.text))
                    && piece.text.chars().count() <= 60;
            if named || (leaf && !b.statement && !pointer && !piece.text.is_empty()) {
                candidates.push((b, piece));
            }
        }
    }
    let named = |(b, p): &(&Block, Piece)| p.clause.as_ref().is_some_and(Clause::has_units) || !b.cooperate.is_empty();
    // Which the document is, decided by its items outside sections of requirements.
    let deciding = candidates.iter().filter(|(b, _)| !b.requirement);
    let (with_units, all) = deciding.fold((0, 0), |(n, a), c| (n + usize::from(named(c)), a + 1));
    let ledger = with_units * 2 >= all.max(1);
    // Units named in the text itself (「由X牵头」, 「X负责…」) where no clause names them; under a
    // section on duties, the unit heading the item leads. In a ledger, only a closing paragraph
    // after an item's clause is a task of its own, when it names units with a word of
    // responsibility.
    for (b, p) in candidates.iter_mut() {
        if p.clause.as_ref().is_some_and(Clause::has_units) {
            continue;
        }
        let deadline_text = p.clause.take().and_then(|c| c.deadline_text);
        let (mut c, explicit) = match prose::roles(&p.text) {
            // A ledger's numbered items without a clause are requirements (工作要求), not tasks.
            // Items a ledger keeps for its standing cooperating units take the units their text
            // names with a word of responsibility.
            Some(r) => (r.clause, !ledger || !b.cooperate.is_empty() || (r.explicit && p.trailing)),
            None => (Clause::default(), false),
        };
        if !explicit {
            c = Clause::default();
        }
        if let Some(u) = &b.heading_unit {
            c.cooperating.extend(std::mem::take(&mut c.lead).into_iter().filter(|l| l != u));
            c.lead = vec![u.clone()];
        }
        p.clause = if c.has_units() || deadline_text.is_some() { Some(Clause { deadline_text, ..c }) } else { None };
    }
    let kept: Vec<(&Block, Piece)> = candidates.into_iter().filter(|c| !ledger || named(c)).collect();
    // Several tasks of one block (they come in a run) are told apart by a suffix: （十）-1, （十）-2.
    let mut numbers: Vec<String> = Vec::with_capacity(kept.len());
    while let Some((b, _)) = kept.get(numbers.len()) {
        let run = kept[numbers.len()..].iter().take_while(|(o, _)| std::ptr::eq(*o, *b)).count();
        for k in 1..=run {
            numbers.push(if run > 1 { format!("{}-{k}", b.number) } else { b.number.clone() });
        }
    }
    kept.into_iter()
        .zip(numbers)
        .map(|((b, p), number)| {
            let here = Standing { first_is_lead: standing.first_is_lead, cooperate: b.cooperate.clone() };
            build_task(
                TaskParts { number, annex: b.annex, path: b.path.clone(), text: p.text },
                &p.clause.unwrap_or_default(),
                &here,
                cx,
            )
        })
        .collect()
}

/// The numbered blocks of a document, in order, with the standing rules in force at each.
fn outline(lines: &[String], names: &Names, budget: &Budget) -> Result<Vec<Block>, ImportError> {
    let mut blocks: Vec<Block> = Vec::new();
    // Each open level: its style, heading, whether it states principles, whether it is a
    // section on duties, and the unit that heads it.
    let mut stack: Vec<(Style, String, bool, bool, Option<String>)> = Vec::new();
    let mut annex: Option<u32> = None;
    let mut annex_root: Vec<String> = Vec::new();
    let mut in_annex_index = false;
    let mut awaiting_title = false;
    let mut standing = Standing::default();
    let mut open: Option<Block> = None;
    let finish = |mut b: Block, standing: &mut Standing, blocks: &mut Vec<Block>| {
        standing.read(&b.text, names);
        b.cooperate = standing.cooperate.clone();
        blocks.push(b);
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
                    finish(b, &mut standing, &mut blocks);
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
                finish(b, &mut standing, &mut blocks);
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
                    finish(b, &mut standing, &mut blocks);
                }
                if let Some(pos) = stack.iter().position(|(s, ..)| *s == style) {
                    stack.truncate(pos);
                }
                let mut path = annex_root.clone();
                path.extend(stack.iter().map(|(_, h, ..)| h.clone()));
                let statement = stack.iter().any(|(_, _, s, ..)| *s) || STATEMENT.is_match(rest);
                let requirement = path.iter().chain(std::iter::once(&heading(&number, rest))).any(|h| {
                    let bare = marker(h).map_or(h.as_str(), |(_, _, r)| r);
                    REQUIREMENTS.is_match(bare)
                });
                let under_duties = stack.last().is_some_and(|(_, _, _, d, _)| *d);
                let unit = match stack.last() {
                    Some((.., Some(u))) => Some(u.clone()),
                    _ if under_duties => heading_unit(rest),
                    _ => None,
                };
                let depth = stack.len();
                stack.push((style, heading(&number, rest), statement, DUTIES.is_match(rest), unit.clone()));
                open = Some(Block {
                    number,
                    annex,
                    path,
                    text: rest.to_string(),
                    depth,
                    statement,
                    requirement,
                    heading_unit: unit,
                    cooperate: Vec::new(),
                });
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
                if open.is_some()
                    && is_signature(lines, i)
                    && let Some(b) = open.take()
                {
                    finish(b, &mut standing, &mut blocks);
                }
                match open.as_mut() {
                    Some(b) => join(&mut b.text, line),
                    None => standing.read(line, names),
                }
            }
        }
    }
    if let Some(b) = open.take() {
        finish(b, &mut standing, &mut blocks);
    }
    Ok(blocks)
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

#[allow(clippy::expect_used)]
static RANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:(?:19|20)\d{2}年)?\d{1,2}月\d{1,2}日?\s*[—–－\-~～至到]+\s*(?P<end>(?:(?:19|20)\d{2}年)?\d{1,2}月(?:\d{1,2}日|底|末)?)")
        .expect("range pattern")
});

/// The end of a date range in a heading, when it has one: the heading's range as printed and
/// the date it ends on.
fn phase_end(heading: &str, cx: &Context) -> Option<(String, Date)> {
    let m = RANGE.captures(heading)?;
    let end = m.name("end")?;
    let date =
        time::phrases_with(&format!("{}前", end.as_str()), cx.year, cx.issued).into_iter().find_map(|p| p.date)?;
    Some((m.get(0)?.as_str().to_string(), date))
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
    } else if c.joint && !standing.first_is_lead && !c.responsible.is_empty() {
        // 「（A、B负责）」 with no rule on leads: each is responsible; the office chooses a lead.
        if c.responsible.len() > 1 {
            warnings.push(Warning::new(
                WarningCode::LeadNotMarked,
                format!("文件未标明牵头单位，{}均为责任单位，请确定牵头单位", c.responsible.join("、")),
            ));
        }
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
    let found = time::phrases_with(source, cx.year, cx.issued);
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
    let mut deadline = last.and_then(|p| p.date);
    let mut deadline_text = match (from_clause, last, found.first()) {
        (true, _, _) => c.deadline_text.clone(),
        (false, Some(p), _) => Some(p.text.clone()),
        (false, None, Some(p)) => Some(p.text.clone()),
        (false, None, None) => None,
    };
    // A step of a phase dated by a range in its heading (「（一）准备阶段（2022年3月1日—3月28日）」)
    // is due when the phase ends, unless it gives a date of its own.
    if found.is_empty()
        && let Some((phase, end)) = parts.path.iter().rev().find_map(|h| phase_end(h, cx))
    {
        deadline = Some(end);
        deadline_text = Some(phase);
    }
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
