//! Ledgers as tables: spreadsheets, CSV, Word tables, and tables flattened to text. The columns
//! 序号 / 任务 / 牵头单位 / 责任单位 / 配合单位 / 完成时限 are found by their headers, in any order
//! and under their usual synonyms; 责任人, 联系电话, 备注 and the like are known too, so that what
//! they hold is not taken for a unit.
//!
//! A 完成时限 cell is read like a deadline in a task's text ([`crate::time`]): words
//! (「6月底前」「长期坚持」) or a date in figures (「2026-05-12」「2026/5/12」「2026年5月12日」);
//! a spreadsheet's date cell, which arrives as its Excel serial number (46154), is read as the
//! date it stands for.
//!
//! **Tables flattened to text** ([`find_text_table`]; [`read_lines_within`] reads lines of text as
//! a table when they hold one, and as a document otherwise) come as tab-separated rows (an HTML
//! table), one cell per line (a Word table pasted as text, an HTML table whose cells hold
//! paragraphs, a crawled page whose cells the crawler joined with spaces, [`crate::page`]), or one
//! row per line with spaces between the cells. The header is a run of header words opening with
//! 序号 (a word the page cut in two, 「序 号」, is joined again); each row opens with its bare number
//! (1, 2, 3 … up to 9999, and 1 again after a section row 「一、…」); the header repeated on each
//! page is skipped. An empty cell is simply missing, so a row's cells are placed by what they
//! hold, in the header's order (a row with one cell per column keeps them where they stand unless
//! one is plainly out of place): the task is the sentence, the deadline a date phrase, the units
//! lists of unit names (one per paragraph, or several); phone numbers (0591-1234567, 13912345678),
//! amounts (500万元) and people's names (beside a phone number, or under a 责任人 column) are not
//! units. A lead cell run into the empty cooperating cell (区经济发展局区行政审批局区直各有关单位)
//! is cut at the names' endings: the first name leads, the rest cooperate. The table ends at a
//! note (注：…), at a heading no row follows, or at a sentence after a row's units or deadline;
//! further tables after it are read too. The text before the table gives the document's title
//! (else the table's caption, 「…分工表」), 文号 and date; as with a Word document's ledger table,
//! the text's own numbered items are not read as tasks.
//!
//! **Reading the rows** ([`parse_table_within`]), whatever the file:
//! - a unit cell is split at 、 and ，; names glued together are cut at their endings when each one
//!   after the first opens with a level (区, 市, 县, 旗 …) or is known to the directory, a
//!   collective tail (区直各有关单位) kept whole as the last name; phone numbers, amounts, and
//!   people's names beside a phone number are dropped;
//! - glued names in a 责任单位 column, with no 牵头单位 column, are all responsible (the office
//!   chooses the lead) unless the document states that the first one leads;
//! - a task row with no units, under a task row that has some, takes that row's units: a merged
//!   cell exported once (with a warning to check);
//! - in a table without unit columns, the units named at the start of the task cell
//!   (「区住建局：负责…」) or in its words (「由X牵头」) are the task's; such a table is a task table
//!   only when most of its rows name units;
//! - a standing rule on leads (「排在第一位的为牵头单位」, 「排位靠前的责任单位为牵头单位」), in a
//!   header cell, a footnote after the table or the text around it, holds for every row.

use crate::ImportError;
use crate::clause::{Clause, split_units};
use crate::limits::{Budget, Limits};
use crate::model::{Preview, Warning, WarningCode};
use crate::names::Names;
use crate::parse::{Context, FIRST_IS_LEAD, Options, Standing, TaskParts, build_task};
use crate::prose::{is_unit_name, unit_at_start, units_at_start};
use crate::time;
use regex::Regex;
use std::collections::HashMap;
use std::sync::LazyLock;

/// Where each column is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Columns {
    pub number: Option<usize>,
    pub task: usize,
    pub lead: Option<usize>,
    pub responsible: Option<usize>,
    pub cooperating: Option<usize>,
    pub deadline: Option<usize>,
}

const NUMBER: &[&str] = &["序号", "编号", "序"];
const TASK: &[&str] = &[
    "任务内容",
    "项目名称",
    "工作任务",
    "重点任务",
    "具体任务",
    "主要任务",
    "目标任务",
    "工作内容",
    "工作事项",
    "具体措施",
    "工作措施",
    "任务",
    "事项",
    "内容",
];
const LEAD: &[&str] = &["牵头单位", "牵头部门", "主办单位", "牵头"];
const RESPONSIBLE: &[&str] = &["责任单位", "责任部门", "责任主体"];
const COOPERATING: &[&str] = &["配合单位", "配合部门", "协办单位", "协同单位"];
const DEADLINE: &[&str] = &["完成时限", "完成时间", "完成期限", "时间节点", "时限要求", "时限"];
/// Columns of people: their cells are names of people, not units.
const PERSON: &[&str] =
    &["责任人", "联系人", "负责人", "具体责任人", "责任领导", "分管领导", "牵头领导", "包保领导", "经办人"];
/// Columns of phone numbers.
const PHONE: &[&str] = &["联系电话", "电话", "联系方式", "手机", "手机号码", "办公电话"];
/// Other columns a task table may have.
const OTHER: &[&str] = &[
    "备注",
    "投资",
    "总投资",
    "投资额",
    "资金",
    "金额",
    "资金来源",
    "工作目标",
    "目标",
    "完成标准",
    "进度安排",
    "推进措施",
    "阶段目标",
    "考核指标",
    "类别",
];

/// A header cell as compared: without spaces, and without a note in parentheses
/// (「责任单位（排在第一位的为牵头单位）」 is 责任单位).
fn norm(s: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '（' | '(' => depth += 1,
            '）' | ')' => depth = depth.saturating_sub(1),
            c if depth == 0 && !c.is_whitespace() => out.push(c),
            _ => {}
        }
    }
    out
}

fn col(cells: &[String], keys: &[&str], taken: &[usize]) -> Option<usize> {
    // Prefer a cell that is exactly a key, then one that contains it (not a column of people or
    // phone numbers: 牵头领导 is not 牵头).
    let cells: Vec<(usize, String)> =
        cells.iter().enumerate().filter(|(i, _)| !taken.contains(i)).map(|(i, c)| (i, norm(c))).collect();
    cells.iter().find(|(_, c)| keys.contains(&c.as_str())).map(|(i, _)| *i).or_else(|| {
        cells
            .iter()
            .find(|(_, n)| {
                n.chars().count() <= 12
                    && keys.iter().any(|k| n.contains(k))
                    && !PERSON.contains(&n.as_str())
                    && !PHONE.contains(&n.as_str())
            })
            .map(|(i, _)| *i)
    })
}

/// The header row of a table, and its columns, if it has one in its first rows: a task column
/// and a column of lead or responsible units.
pub fn header(rows: &[Vec<String>]) -> Option<(usize, Columns)> {
    rows.iter().take(12).enumerate().find_map(|(r, cells)| {
        let mut taken = Vec::new();
        let mut pick = |keys: &[&str]| {
            let c = col(cells, keys, &taken);
            if let Some(c) = c {
                taken.push(c);
            }
            c
        };
        let lead = pick(LEAD);
        let responsible = pick(RESPONSIBLE);
        let cooperating = pick(COOPERATING);
        let deadline = pick(DEADLINE);
        let number = pick(NUMBER);
        let task = pick(TASK)?;
        (lead.is_some() || responsible.is_some())
            .then_some((r, Columns { number, task, lead, responsible, cooperating, deadline }))
    })
}

/// The header of a task table without a unit column: 序号, a task column and a 完成时限 column
/// (whose rows name their units in the task's text, if at all).
fn header_without_units(rows: &[Vec<String>]) -> Option<(usize, Columns)> {
    rows.iter().take(12).enumerate().find_map(|(r, cells)| {
        let number = col(cells, NUMBER, &[])?;
        let deadline = col(cells, DEADLINE, &[number])?;
        let task = col(cells, TASK, &[number, deadline])?;
        Some((r, Columns { number: Some(number), task, deadline: Some(deadline), ..Columns::default() }))
    })
}

fn any_header(rows: &[Vec<String>]) -> Option<(usize, Columns)> {
    header(rows).or_else(|| header_without_units(rows))
}

/// A 完成时限 cell as a person reads it: an Excel date cell (its serial number, 46154) as the
/// date it stands for (2026-05-12), any other text as written.
fn deadline_cell(cell: String) -> String {
    match time::excel_date(&cell) {
        Some(d) => d.to_string(),
        None => cell,
    }
}

#[allow(clippy::expect_used)] // constant patterns, checked by the tests
static PHONE_IN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\+?86[-－]?)?1[3-9]\d{9}|\d{3,4}[-－—]\d{7,8}(?:[-－—]\d{1,5})?|\d{7,8}").expect("phone pattern")
});
#[allow(clippy::expect_used)]
static PHONE_CELL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:(?:联系)?电话[:：]?)?(?:(?:\+?86[-－]?)?1[3-9]\d{9}|(?:\d{3,4}[-－—]?)?\d{7,8}(?:[-－—]\d{1,5})?)$",
    )
    .expect("phone cell pattern")
});
#[allow(clippy::expect_used)]
static AMOUNT_IN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\d+(?:\.\d+)?\s*(?:万元|亿元|千元|元)").expect("amount pattern"));
#[allow(clippy::expect_used)]
static AMOUNT_CELL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:约|计|共)?\d+(?:\.\d+)?\s*(?:万元|亿元|千元|元|万)$").expect("amount cell pattern")
});
#[allow(clippy::expect_used)]
static CONTACT_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:联系人|责任人|负责人|联系电话|联系方式|办公电话|手机|电话)\s*[:：]?")
        .expect("contact label pattern")
});
#[allow(clippy::expect_used)]
static PARENS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[（(]([^（）()]*)[）)]").expect("parens pattern"));
#[allow(clippy::expect_used)]
static SECTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[一二三四五六七八九十]{1,3}[、．.]|[（(][一二三四五六七八九十]{1,3}[）)]|第[一二三四五六七八九十]{1,3}[部分章节类])")
        .expect("section pattern")
});
#[allow(clippy::expect_used)]
static NOTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:(?:注|备注|说明|附注)\s*(?:[：:]|\d|[一二三四五六七八九十][、.．])|注$|附\s*件|[（(]此件)")
        .expect("note pattern")
});

fn han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// Whether a name opens with an administrative level: 区, 市, 县, 旗 … (a name glued after
/// another one is cut off only then).
fn at_level(s: &str) -> bool {
    s.starts_with(['区', '市', '县', '旗', '省', '州', '盟', '镇', '乡', '街']) || s.starts_with("中共")
}

/// Whether a text names a unit: by its ending ([`is_unit_name`]), or a people's organisation at
/// a level (区工商联, 县妇联, 市科协), whose endings [`is_unit_name`] does not know.
fn unit_name(s: &str) -> bool {
    is_unit_name(s)
        || (at_level(s)
            && s.chars().count() <= 10
            && s.chars().all(han)
            && ["工商联", "妇联", "残联", "侨联", "文联", "科协", "社科联"].iter().any(|e| s.ends_with(e)))
}

/// Words in parentheses that belong to a collective's name: 各乡镇（街道）, 各村（社区）.
const PLACES: &[&str] = &["街道", "社区", "村", "居", "场", "镇", "乡", "园区", "片区", "街道办事处"];

/// A collective that closes a list of units: 区直各有关单位, 各乡镇（街道）, 各成员单位.
fn collective(s: &str) -> bool {
    if s.len() > 64 || !s.contains(['各', '有', '相', '成', '所', '直']) {
        return false;
    }
    let t: String = s.chars().filter(|c| !"（）()".contains(*c)).collect();
    let n = t.chars().count();
    // The collective word comes first, or after a level: 各有关单位, 区直各单位, 区有关部门.
    let early = ["各", "有关", "相关", "成员", "所属"]
        .iter()
        .filter_map(|w| t.find(w))
        .min()
        .is_some_and(|at| t[..at].chars().count() <= 2);
    (3..=16).contains(&n)
        && t.chars().all(han)
        && (early || ["区直", "市直", "县直", "旗直"].iter().any(|w| t.starts_with(w)))
        && ["单位", "部门", "机构", "乡镇", "街道", "镇街", "社区", "村", "企业", "学校", "医院", "园区"]
            .iter()
            .any(|e| t.ends_with(e))
}

/// Whether a text has the shape of a person's name: 2–4 Chinese characters that name no unit.
fn person_shaped(s: &str) -> bool {
    (2..=4).contains(&s.chars().count())
        && s.chars().all(han)
        && !unit_name(s)
        && !collective(s)
        && !at_level(s)
        && !s.contains(['各', '等'])
}

/// The length in bytes of a person's name at the start of `s`, before the end or another unit.
fn person_at_start(s: &str) -> Option<usize> {
    let ends: Vec<usize> = s.char_indices().map(|(i, c)| i + c.len_utf8()).take(4).collect();
    ends.iter().skip(1).copied().find(|&e| person_shaped(&s[..e]) && (e == s.len() || unit_at_start(&s[e..]).is_some()))
}

/// Names glued together, cut at their endings (区经济发展局区行政审批局区直各有关单位 → 区经济
/// 发展局, 区行政审批局, 区直各有关单位): each name after the first opens with a level or is in
/// the directory; a collective tail stays whole; a person's name after a unit is dropped when the
/// cell gave a phone number. `None` when the text is not such a run.
fn cut_glued(name: &str, contact: bool, names: &Names) -> Option<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = name;
    while !rest.is_empty() {
        if let Some(end) = unit_at_start(rest) {
            let piece = &rest[..end];
            if out.is_empty() || at_level(piece) || names.resolve(piece).is_some() {
                out.push(piece.to_string());
                rest = &rest[end..];
                continue;
            }
        }
        if !out.is_empty() && collective(rest) && (at_level(rest) || rest.starts_with('各')) {
            out.push(rest.to_string());
            break;
        }
        match person_at_start(rest) {
            Some(end) if contact && !out.is_empty() => rest = &rest[end..],
            _ => return None,
        }
    }
    (out.len() >= 2 || out.first().is_some_and(|n| n != name)).then_some(out)
}

/// Parentheses that hold no unit's name (「（张三）」, 「（联系人：李四）」, a note) are dropped;
/// 「各乡镇（街道）」 keeps its own. A parenthesis left open or closed alone loses its sign.
fn drop_asides(s: &str) -> String {
    let kept = PARENS.replace_all(s, |c: &regex::Captures| {
        let inner = c.get(1).map_or("", |m| m.as_str()).trim();
        let units =
            !inner.is_empty() && inner.split('、').all(|n| unit_name(n) || collective(n) || PLACES.contains(&n));
        if units { c[0].to_string() } else { " ".to_string() }
    });
    let opens = kept.matches(['（', '(']).count();
    let closes = kept.matches(['）', ')']).count();
    if opens == closes {
        return kept.into_owned();
    }
    // An aside cut off at its start or its end (a crawled page splits cells at spaces).
    let head = kept.find(['（', '(']).map_or(kept.as_ref(), |at| &kept[..at]);
    head.replace(['）', ')'], " ")
}

/// The unit names in a unit cell, and whether some were glued together without a separator.
fn unit_cell(cell: &str, names: &Names) -> (Vec<String>, bool) {
    if cell.trim().is_empty() {
        return (Vec::new(), false);
    }
    let contact = PHONE_IN.is_match(cell) || CONTACT_LABEL.is_match(cell);
    let s = PHONE_IN.replace_all(cell, " ");
    let s = AMOUNT_IN.replace_all(&s, " ");
    let s = CONTACT_LABEL.replace_all(&s, " ");
    let s = drop_asides(&s);
    // Where a phone number or a person stood is a separator now.
    let s = s.split_whitespace().collect::<Vec<_>>().join("、");
    let mut out: Vec<String> = Vec::new();
    let mut glued = false;
    for name in split_units(&s, names) {
        if names.resolve(&name).is_some() {
            out.push(name);
            continue;
        }
        // Only a name with another level or a collective inside may be several (区住建局区财政局).
        let inner = name.char_indices().skip(1).any(|(i, _)| at_level(&name[i..]) || name[i..].starts_with('各'));
        let cut = if inner || contact || !names.is_empty() { cut_glued(&name, contact, names) } else { None };
        match cut {
            Some(parts) => {
                glued |= parts.len() > 1;
                out.extend(parts);
            }
            None if contact && person_shaped(&name) => {}
            None => out.push(name),
        }
    }
    let mut seen = Vec::new();
    out.retain(|n| {
        let new = !seen.contains(n);
        seen.push(n.clone());
        new
    });
    (out, glued)
}

/// What a cell holds, as far as placing it in a column goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Number,
    Date,
    Phone,
    Amount,
    Units,
    Person,
    /// A sentence.
    Text,
    /// Anything else short.
    Short,
}

/// What a column holds, by its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Number,
    Task,
    Lead,
    Responsible,
    Cooperating,
    Deadline,
    Person,
    Phone,
    Other,
}

impl Kind {
    fn units(self) -> bool {
        matches!(self, Kind::Lead | Kind::Responsible | Kind::Cooperating)
    }

    /// A column that may take several pieces of text (a cell of several paragraphs).
    fn absorbs(self) -> bool {
        matches!(self, Kind::Task | Kind::Other)
    }
}

fn kinds(head: &[String], c: &Columns) -> Vec<Kind> {
    (0..head.len())
        .map(|i| {
            let n = norm(&head[i]);
            if c.number == Some(i) {
                Kind::Number
            } else if c.task == i {
                Kind::Task
            } else if c.lead == Some(i) {
                Kind::Lead
            } else if c.responsible == Some(i) {
                Kind::Responsible
            } else if c.cooperating == Some(i) {
                Kind::Cooperating
            } else if c.deadline == Some(i) {
                Kind::Deadline
            } else if PERSON.contains(&n.as_str()) {
                Kind::Person
            } else if PHONE.contains(&n.as_str()) {
                Kind::Phone
            } else {
                Kind::Other
            }
        })
        .collect()
}

/// A bare row number: 1, 12, 3., 4、, （5） (up to 9999).
fn row_number(s: &str) -> Option<u32> {
    let t = s.trim().trim_end_matches(['、', '.', '．']);
    let t = t.strip_prefix(['（', '(']).and_then(|t| t.strip_suffix(['）', ')'])).unwrap_or(t);
    ((1..=4).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit())).then(|| t.parse().ok()).flatten()
}

fn class_of(cell: &str) -> Class {
    let c = cell.trim();
    let n = c.chars().count();
    let sentence = c.contains(['，', '。', '；', ';', '：', ':']);
    let digits = c.contains(|ch: char| ch.is_ascii_digit());
    if row_number(c).is_some() {
        Class::Number
    } else if digits
        && (PHONE_CELL.is_match(c) || (n > 8 && c.split(['、', '/', '，']).all(|p| PHONE_CELL.is_match(p.trim()))))
    {
        Class::Phone
    } else if digits && AMOUNT_CELL.is_match(c) {
        Class::Amount
    } else if n <= 24
        && !sentence
        && (digits || c.contains(|ch: char| "年月季期续态底旬起内前".contains(ch)))
        && !time::phrases(c, 2000).is_empty()
    {
        Class::Date
    } else if n <= 60 && !sentence && units_only(c) {
        Class::Units
    } else if n >= 16 || sentence {
        Class::Text
    } else {
        Class::Short
    }
}

/// Whether a cell holds unit names and nothing else of note.
fn units_only(c: &str) -> bool {
    if c.chars().all(han) {
        // The common case, without the work of [`unit_cell`].
        return unit_name(c) || collective(c) || cut_glued(c, false, &Names::default()).is_some();
    }
    let (names, _) = unit_cell(c, &Names::default());
    !names.is_empty() && names.iter().all(|u| unit_name(u) || collective(u))
}

/// The classes of a row's cells: a short name beside a phone number, or in a table with a column
/// of people, is a person.
fn classes(cells: &[String], people: bool) -> Vec<Class> {
    people_in(cells, cells.iter().map(|c| class_of(c)).collect(), people)
}

/// [`classes`] from the cells' own classes ([`class_of`]).
fn people_in(cells: &[String], mut out: Vec<Class>, people: bool) -> Vec<Class> {
    for i in 0..out.len() {
        let beside_phone = (i > 0 && out[i - 1] == Class::Phone) || out.get(i + 1) == Some(&Class::Phone);
        if out[i] == Class::Short && (people || beside_phone) && person_shaped(cells[i].trim()) {
            out[i] = Class::Person;
        }
    }
    out
}

/// Whether a column takes a further piece right after the one before it: text in a task or other
/// column (a cell of several paragraphs), a name in a unit column (one name a paragraph).
fn absorbs(kind: Kind, class: Class) -> bool {
    kind.absorbs() || (kind.units() && class == Class::Units)
}

/// How well a cell fits a column.
fn fit(class: Class, kind: Kind) -> i32 {
    use Class as C;
    match kind {
        Kind::Number => {
            if class == C::Number {
                4
            } else {
                -8
            }
        }
        Kind::Task => match class {
            C::Text => 4,
            C::Short => 2,
            C::Person => 1,
            C::Units | C::Amount => 0,
            C::Date => -2,
            C::Number => -3,
            C::Phone => -8,
        },
        Kind::Lead | Kind::Responsible | Kind::Cooperating => match class {
            C::Units => 4,
            C::Short => -1,
            C::Person => -3,
            _ => -8,
        },
        Kind::Deadline => match class {
            C::Date => 4,
            C::Short => 0,
            C::Text => -2,
            C::Number => -3,
            _ => -6,
        },
        Kind::Person => match class {
            C::Person => 4,
            C::Short => 0,
            C::Units => -4,
            _ => -8,
        },
        Kind::Phone => {
            if class == C::Phone {
                4
            } else {
                -8
            }
        }
        Kind::Other => match class {
            C::Amount => 3,
            C::Text | C::Short => 2,
            _ => 0,
        },
    }
}

/// What leaving a cell out of every column costs: little for a phone number beside a unit, much
/// for a sentence.
fn skip_cost(class: Class) -> i32 {
    match class {
        Class::Phone | Class::Amount | Class::Person => -1,
        Class::Number | Class::Short => -2,
        Class::Date | Class::Units => -3,
        Class::Text => -4,
    }
}

/// Places a row's cells in the header's columns, in order, by what they hold: the best-scoring
/// assignment (each cell to a later column than the one before it, a task or other text column
/// taking several pieces in a row, a cell that fits nowhere left out); every row has its task.
/// Returns each cell's column, or `None` for a cell left out.
fn place(classes: &[Class], kinds: &[Kind]) -> Vec<Option<usize>> {
    const NONE: i32 = i32::MIN / 4;
    let w = kinds.len();
    // State: the last column used (0 for none yet, else column + 1), whether the cell before
    // went there, whether the task column has a cell.
    let states = (w + 1) * 4;
    let idx = |last: usize, here: bool, task: bool| (last * 2 + usize::from(here)) * 2 + usize::from(task);
    let mut score = vec![NONE; states];
    score[idx(0, false, false)] = 0;
    // For each cell, each state's predecessor and the column the cell went to.
    let mut back: Vec<Vec<(usize, Option<usize>)>> = Vec::with_capacity(classes.len());
    for &class in classes {
        let mut next = vec![NONE; states];
        let mut from = vec![(0usize, None); states];
        for last in 0..=w {
            for here in [false, true] {
                for task in [false, true] {
                    let s = idx(last, here, task);
                    if score[s] == NONE {
                        continue;
                    }
                    let mut offer = |n: usize, v: i32, col: Option<usize>| {
                        if v > next[n] {
                            next[n] = v;
                            from[n] = (s, col);
                        }
                    };
                    offer(idx(last, false, task), score[s] + skip_cost(class), None);
                    for (j, &kind) in kinds.iter().enumerate() {
                        let l = j + 1;
                        if l > last || (l == last && here && absorbs(kind, class)) {
                            // A second name in a unit column rather than the next one.
                            let again = i32::from(l == last && kind.units());
                            let v = score[s] + fit(class, kind) - again;
                            offer(idx(l, true, task || kind == Kind::Task), v, Some(j));
                        }
                    }
                }
            }
        }
        score = next;
        back.push(from);
    }
    let mut best = (NONE, 0usize);
    for (s, &v) in score.iter().enumerate() {
        if v == NONE {
            continue;
        }
        // A row without its task loses.
        let v = v - if s % 2 == 0 { 8 } else { 0 };
        if v > best.0 {
            best = (v, s);
        }
    }
    let mut out = vec![None; classes.len()];
    let mut s = best.1;
    for i in (0..classes.len()).rev() {
        let (prev, col) = back[i][s];
        out[i] = col;
        s = prev;
    }
    out
}

/// How many of the last row's cells belong to it: each must fit a column after the one before
/// (or be a phone number, amount or name beside one); the first that does not, and what follows,
/// is text after the table (a signature, a closing paragraph).
fn fitting(classes: &[Class], kinds: &[Kind]) -> usize {
    let mut last: Option<usize> = None;
    let mut here = false;
    for (i, &c) in classes.iter().enumerate() {
        let found = (0..kinds.len()).find(|&j| {
            let later = last.is_none_or(|l| j > l) || (Some(j) == last && here && absorbs(kinds[j], c));
            later && fit(c, kinds[j]) >= 2
        });
        match found {
            Some(j) => {
                last = Some(j);
                here = true;
            }
            None if matches!(c, Class::Phone | Class::Amount | Class::Person) => here = false,
            None => return i,
        }
    }
    classes.len()
}

/// Joins pieces of one cell: nothing between Chinese text, a space between Latin words.
fn join_cell(cell: &mut String, piece: &str) {
    if cell.is_empty() {
        cell.push_str(piece);
        return;
    }
    let latin = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if latin(cell.chars().last()) && latin(piece.chars().next()) {
        cell.push(' ');
    }
    cell.push_str(piece);
}

/// A row's cells in the header's columns: where they stand when the row has one per column and
/// none is plainly out of place (an amount split off the task's text standing in the lead's
/// column), else placed by what they hold ([`place`]). Trailing empty cells are left off.
fn align(cells: &[String], classes: &[Class], kinds: &[Kind]) -> Vec<String> {
    let mut row = vec![String::new(); kinds.len()];
    if cells.len() == kinds.len() && classes.iter().zip(kinds).all(|(&c, &k)| fit(c, k) > -6) {
        row = cells.iter().map(|c| c.trim().to_string()).collect();
    } else {
        for (cell, col) in cells.iter().zip(place(classes, kinds)) {
            match col {
                Some(j) if kinds[j].units() && !row[j].is_empty() => {
                    row[j].push('、');
                    row[j].push_str(cell.trim());
                }
                Some(j) => join_cell(&mut row[j], cell.trim()),
                None => {}
            }
        }
    }
    while row.last().is_some_and(|c| c.is_empty()) {
        row.pop();
    }
    row
}

/// A lead (or responsible) cell that ran straight into the empty cooperating cell after it
/// (「区经济发展局区行政审批局区直各有关单位」 under 牵头单位 and 配合单位): the first name leads,
/// the rest cooperate.
fn split_run_on(row: &mut Vec<String>, kinds: &[Kind], read: &mut HashMap<String, (Vec<String>, bool)>) {
    let units: Vec<usize> = (0..kinds.len()).filter(|&j| kinds[j].units()).collect();
    let filled: Vec<usize> = units.iter().copied().filter(|&j| row.get(j).is_some_and(|c| !c.is_empty())).collect();
    let (Some(&first), Some(&co)) = (filled.first(), units.iter().find(|&&j| kinds[j] == Kind::Cooperating)) else {
        return;
    };
    if filled.len() != 1 || co <= first || kinds[first] == Kind::Cooperating || row[first].contains(['、', '，', ','])
    {
        return;
    }
    let (names, glued) = read.entry(row[first].clone()).or_insert_with_key(|c| unit_cell(c, &Names::default())).clone();
    if let (true, Some((lead, rest))) = (glued, names.split_first()) {
        if row.len() <= co {
            row.resize(co + 1, String::new());
        }
        row[first] = lead.clone();
        row[co] = rest.join("、");
    }
}

/// The most columns a table flattened to text has (placing cells by content costs the square).
const MAX_COLUMNS: usize = 16;

/// A table flattened to text, with the text around it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextTable {
    /// The lines before the table: the document's title, notice and preamble.
    pub before: Vec<String>,
    /// The header row, then the rows: each row's cells in the header's columns (trailing empty
    /// cells left off); a section row 「一、…」 is one cell.
    pub rows: Vec<Vec<String>>,
    /// The lines after it: a footnote, the signature, more text.
    pub after: Vec<String>,
}

/// A table flattened to text: tab-separated rows, or a header of one cell per line (or of cells
/// separated by spaces on one line) and rows that open with their number.
pub fn text_table(lines: &[String]) -> Option<Vec<Vec<String>>> {
    find_text_table(lines).map(|t| t.rows)
}

/// The first table flattened to text in `lines`, with the text before and after it.
pub fn find_text_table(lines: &[String]) -> Option<TextTable> {
    let f = tabbed_table(lines).or_else(|| cell_table(lines))?;
    let after = match f.end {
        None => Vec::new(),
        Some((li, 0)) => lines[li..].to_vec(),
        Some((li, pi)) => {
            let mut a = vec![lines[li].split_whitespace().skip(pi).collect::<Vec<_>>().join(" ")];
            a.extend(lines[li + 1..].iter().cloned());
            a
        }
    };
    Some(TextTable { before: lines[..f.start].to_vec(), rows: f.rows, after })
}

/// A table found in lines of text: the line its header starts on, its rows, and where the text
/// after it starts (a line, and a piece of that line; `None` when the table runs to the end).
struct Found {
    start: usize,
    rows: Vec<Vec<String>>,
    end: Option<(usize, usize)>,
    /// Whether further tables may follow (tab-separated rows are one table).
    more: bool,
}

impl Found {
    /// The line to look for a further table from.
    fn resume(&self) -> Option<usize> {
        self.end.map(|(li, pi)| if pi == 0 { li } else { li + 1 })
    }
}

/// Tab-separated rows (an HTML table's cells): the header among the first of them, in any
/// column order; rows with fewer cells than the header (an empty cell the page left out, a
/// merged one) have them placed by what they hold.
fn tabbed_table(lines: &[String]) -> Option<Found> {
    let split = |l: &str| l.split('\t').map(|c| c.trim().to_string()).collect::<Vec<_>>();
    let tabbed: Vec<usize> = (0..lines.len()).filter(|&i| lines[i].contains('\t')).collect();
    if tabbed.len() < 2 {
        return None;
    }
    let first: Vec<Vec<String>> = tabbed.iter().take(12).map(|&i| split(&lines[i])).collect();
    let (at, cols) = any_header(&first)?;
    let head = first[at].clone();
    if head.len() > MAX_COLUMNS {
        return None;
    }
    let kinds = kinds(&head, &cols);
    let people = kinds.contains(&Kind::Person);
    let heads: Vec<String> = head.iter().map(|h| norm(h)).collect();
    let mut rows = vec![head];
    let mut last = tabbed[at];
    for &i in &tabbed[at + 1..] {
        // A section row spans the table: one cell, without a tab.
        for l in &lines[last + 1..i] {
            let l = l.trim();
            if SECTION.is_match(l) && l.chars().count() <= 40 {
                rows.push(vec![l.to_string()]);
            }
        }
        let cells = split(&lines[i]);
        last = i;
        if cells.iter().all(|c| c.is_empty()) || cells.iter().map(|c| norm(c)).eq(heads.iter().cloned()) {
            continue;
        }
        rows.push(if cells.len() < kinds.len() { align(&cells, &classes(&cells, people), &kinds) } else { cells });
    }
    (rows.len() >= 2).then(|| Found {
        start: tabbed[at],
        rows,
        end: (last + 1 < lines.len()).then_some((last + 1, 0)),
        more: false,
    })
}

/// Whether a piece of text is a column's header: 序号, 工作任务, 牵头单位, 完成时限, 责任人 …
fn is_header_word(s: &str) -> bool {
    let n = norm(s);
    let count = n.chars().count();
    if n.is_empty() || count > 10 {
        return false;
    }
    let all = [NUMBER, TASK, LEAD, RESPONSIBLE, COOPERATING, DEADLINE, PERSON, PHONE, OTHER];
    all.iter().any(|k| k.contains(&n.as_str()))
        || (n.chars().all(han)
            && [TASK, LEAD, RESPONSIBLE, COOPERATING, DEADLINE]
                .iter()
                .any(|keys| keys.iter().any(|k| k.chars().count() >= 2 && n.contains(k))))
}

/// The header cells a line holds: several separated by spaces, or one (「序 号」 is one).
fn header_line(line: &str) -> Option<Vec<String>> {
    let tokens: Vec<&str> = line.split_whitespace().collect();
    if tokens.len() >= 2 && tokens.iter().all(|t| is_header_word(t)) {
        return Some(tokens.iter().map(|t| t.to_string()).collect());
    }
    is_header_word(line).then(|| vec![tokens.concat()])
}

/// The header cells at line `i`, and how many lines they take: one line ([`header_line`]), or
/// two that make one header word together (a crawled page cut 「序 号」「完成 时限」 in two).
fn header_at(lines: &[String], i: usize) -> Option<(Vec<String>, usize)> {
    let all = [NUMBER, TASK, LEAD, RESPONSIBLE, COOPERATING, DEADLINE, PERSON, PHONE, OTHER];
    if let (Some(a), Some(b)) = (lines.get(i), lines.get(i + 1))
        && a.chars().count() <= 4
        && b.chars().count() <= 4
    {
        let joined = format!("{}{}", norm(a), norm(b));
        if all.iter().any(|k| k.contains(&joined.as_str())) {
            return Some((vec![joined], 2));
        }
    }
    lines.get(i).and_then(|l| header_line(l)).map(|h| (h, 1))
}

/// A table whose cells come one per line or separated by spaces: a run of header words opening
/// with 序号, then rows that open with their number.
fn cell_table(lines: &[String]) -> Option<Found> {
    let numbered = |h: &Vec<String>| h.first().is_some_and(|c| NUMBER.contains(&norm(c).as_str()));
    let mut i = 0;
    while i < lines.len() {
        let Some((mut head, taken)) = header_at(lines, i).filter(|(h, _)| numbered(h)) else {
            i += 1;
            continue;
        };
        let mut j = i + taken;
        while let Some((more, taken)) = header_at(lines, j) {
            if numbered(&more) {
                break;
            }
            head.extend(more);
            j += taken;
        }
        // A row or a section row comes first after the header, or this is no table.
        let first = lines[j..].iter().flat_map(|l| l.split_whitespace()).next();
        if (3..=MAX_COLUMNS).contains(&head.len())
            && first.is_some_and(|p| row_number(p).is_some() || SECTION.is_match(p))
            && let Some((_, cols)) = any_header(std::slice::from_ref(&head))
            && cols.number == Some(0)
            && let Some(t) = cell_rows(lines, i, j, head, &cols)
        {
            return Some(t);
        }
        i = j;
    }
    None
}

/// One row as read from the text: its number (or a section's heading) and its cells, with where
/// each cell stands (line, piece of the line).
#[derive(Default)]
struct RawRow {
    number: String,
    section: bool,
    cells: Vec<String>,
    classes: Vec<Class>,
    at: Vec<(usize, usize)>,
    /// A cell of units, a date, a phone number or a person has come.
    past_task: bool,
}

/// The rows after a header found at lines `start..body`.
fn cell_rows(lines: &[String], start: usize, body: usize, head: Vec<String>, cols: &Columns) -> Option<Found> {
    let kinds = kinds(&head, cols);
    let people = kinds.contains(&Kind::Person);
    let heads: Vec<String> = head.iter().map(|h| norm(h)).collect();
    // Whether text may follow a row's units or deadline (a 备注 column after them).
    let text_after = kinds.iter().skip_while(|k| !k.units() && **k != Kind::Deadline).any(|k| k.absorbs());
    let mut pieces = lines
        .iter()
        .enumerate()
        .skip(body)
        .flat_map(|(li, l)| l.split_whitespace().enumerate().map(move |(pi, p)| (p, li, pi)))
        .peekable();
    let mut rows: Vec<RawRow> = Vec::new();
    let mut classed: HashMap<&str, Class> = HashMap::new();
    let mut expected: Option<u32> = None;
    let mut after_section = false;
    let mut end: Option<(usize, usize)> = None;
    while let Some((p, li, pi)) = pieces.next() {
        if let Some(n) = row_number(p)
            && expected.map_or(n <= 20, |e| n == e || (after_section && n == 1))
        {
            rows.push(RawRow { number: p.to_string(), ..RawRow::default() });
            expected = Some(n + 1);
            after_section = false;
            continue;
        }
        if NOTE.is_match(p) {
            end = Some((li, pi));
            break;
        }
        // A heading between rows (not the task cell right after a row's number).
        let opens_row = rows.last().is_some_and(|r| !r.section && r.cells.is_empty());
        if SECTION.is_match(p) && p.chars().count() <= 40 && !opens_row {
            let row_next =
                pieces.peek().and_then(|(q, ..)| row_number(q)).is_some_and(|n| n == 1 || Some(n) == expected);
            if row_next {
                rows.push(RawRow { number: p.to_string(), section: true, ..RawRow::default() });
                after_section = true;
                continue;
            }
            end = Some((li, pi));
            break;
        }
        if !rows.is_empty() && heads.contains(&norm(p)) {
            // The header again (on each page of a printed table).
            continue;
        }
        let Some(row) = rows.last_mut().filter(|r| !r.section) else {
            end = Some((li, pi));
            break;
        };
        // Rows repeat their unit cells and deadlines: each piece is classed once.
        let class = *classed.entry(p).or_insert_with(|| class_of(p));
        if (class == Class::Text && row.past_task && !text_after) || row.cells.len() > 2 * kinds.len() + 4 {
            end = Some((li, pi));
            break;
        }
        row.past_task |= matches!(class, Class::Units | Class::Date | Class::Phone | Class::Person);
        row.cells.push(p.to_string());
        row.classes.push(class);
        row.at.push((li, pi));
    }
    while rows.last().is_some_and(|r| r.section) {
        rows.pop();
    }
    // The last row ends where its cells stop fitting the columns.
    if let Some(last) = rows.last_mut() {
        let fits = fitting(&people_in(&last.cells, last.classes.clone(), people), &kinds[1..]);
        if fits < last.cells.len() {
            end = Some(last.at[fits]);
            last.cells.truncate(fits);
            last.classes.truncate(fits);
        }
    }
    rows.retain(|r| r.section || !r.cells.is_empty());
    if !rows.iter().any(|r| !r.section) {
        return None;
    }
    let mut out = vec![head];
    let mut read = HashMap::new();
    for r in rows {
        if r.section {
            out.push(vec![r.number]);
            continue;
        }
        let mut cells = vec![r.number];
        cells.extend(r.cells);
        let mut own = vec![Class::Number];
        own.extend(r.classes);
        let mut row = align(&cells, &people_in(&cells, own, people), &kinds);
        split_run_on(&mut row, &kinds, &mut read);
        out.push(row);
    }
    Some(Found { start, rows: out, end, more: true })
}

/// Reads lines of text (a text file, an HTML page, a crawled page): as a task table when they
/// hold one ([`find_text_table`]; the text before it gives the title, 文号 and date, and a
/// further table after it is read too), else as a document ([`crate::parse`]).
pub fn read_lines_within(
    lines: &[String],
    opts: &Options,
    names: &Names,
    budget: &Budget,
) -> Result<Preview, ImportError> {
    if let Some(first) = tabbed_table(lines).or_else(|| cell_table(lines)) {
        let rule = lines.iter().any(|l| FIRST_IS_LEAD.is_match(l));
        if let Some(mut preview) = read_table(&lines[..first.start], &first.rows, rule, opts, names, budget)? {
            let year = opts.year.or(preview.document.issued.map(|d| d.year())).unwrap_or(opts.fallback_year);
            let cx = Context { year, issued: preview.document.issued, names };
            // Each table's search starts where the one before ended: one pass over the text.
            let mut from = if first.more { first.resume() } else { None };
            while let Some(at) = from.filter(|&f| f < lines.len() && preview.tasks.len() <= budget.limits.max_tasks) {
                budget.check_time()?;
                let Some(next) = cell_table(&lines[at..]) else { break };
                if let Some((h, cols)) = any_header(&next.rows)
                    && let Some(tasks) = table_tasks(&next.rows, h, cols, rule, &cx, budget)?
                {
                    preview.tasks.extend(tasks);
                }
                from = next.resume().map(|r| at + r);
            }
            if !preview.tasks.is_empty() {
                return Ok(preview);
            }
        }
    }
    crate::parse::parse_lines_within(lines, opts, names, budget)
}

/// Reads a ledger's rows. Rows before the header are the title; a row with only its first
/// cells filled and no units is a section heading.
pub fn parse_rows(rows: &[Vec<String>], opts: &Options, names: &Names) -> Preview {
    parse_table(&[], rows, opts, names)
}

/// Reads a ledger table that comes after some lines of text (a Word document's paragraphs),
/// which give the document's title and date.
pub fn parse_table(preamble: &[String], rows: &[Vec<String>], opts: &Options, names: &Names) -> Preview {
    let budget = Budget::start(&Limits { time_budget: std::time::Duration::MAX, ..Limits::default() });
    parse_table_within(preamble, rows, opts, names, &budget).unwrap_or_default()
}

/// [`parse_table`], checking the budget's deadline as it goes.
pub fn parse_table_within(
    preamble: &[String],
    rows: &[Vec<String>],
    opts: &Options,
    names: &Names,
    budget: &Budget,
) -> Result<Preview, ImportError> {
    let rule = preamble.iter().chain(rows.iter().flatten()).any(|l| FIRST_IS_LEAD.is_match(l));
    if let Some(preview) = read_table(preamble, rows, rule, opts, names, budget)? {
        return Ok(preview);
    }
    // No ledger header: read the rows as lines of text.
    let mut lines = preamble.to_vec();
    lines.extend(rows.iter().map(|r| r.join(" ")));
    crate::parse::parse_lines_within(&lines, opts, names, budget)
}

/// A table with a header: the document from the lines before it, the tasks from its rows.
/// `None` when it has no header, or is not a task table ([`table_tasks`]).
fn read_table(
    preamble: &[String],
    rows: &[Vec<String>],
    first_is_lead: bool,
    opts: &Options,
    names: &Names,
    budget: &Budget,
) -> Result<Option<Preview>, ImportError> {
    let Some((at, cols)) = any_header(rows) else {
        return Ok(None);
    };
    let mut before = preamble.to_vec();
    before.extend(rows[..at].iter().map(|r| r.join(" ")));
    let mut preview = crate::parse::parse_lines_within(&before, opts, names, budget)?;
    let stem = std::path::Path::new(&opts.filename).file_stem().map(|s| s.to_string_lossy().to_string());
    if preview.document.title == stem.unwrap_or_default()
        && let Some(c) = caption(&before)
    {
        preview.document.title = c;
    }
    let year = opts.year.or(preview.document.issued.map(|d| d.year())).unwrap_or(opts.fallback_year);
    let cx = Context { year, issued: preview.document.issued, names };
    Ok(table_tasks(rows, at, cols, first_is_lead, &cx, budget)?.map(|tasks| {
        preview.tasks = tasks;
        preview
    }))
}

/// A table's caption, the line just above its header (「某区重点任务分工表」): the document's title
/// when its text gives none.
fn caption(before: &[String]) -> Option<String> {
    let line: String = before.iter().rev().find(|l| !l.trim().is_empty())?.split_whitespace().collect();
    let n = line.chars().count();
    ((4..=60).contains(&n)
        && !line.contains(['。', '，', '：', ':', '；'])
        && !SECTION.is_match(&line)
        && ["表", "清单", "台账", "一览"].iter().any(|e| line.ends_with(e)))
    .then_some(line)
}

/// The units a task cell names itself, in a table without unit columns: at its start
/// (「区住建局：负责…」; several there are all responsible), or in its words (「由X牵头」).
fn units_in_text(text: &str) -> Option<Clause> {
    if let Some((names, end)) = units_at_start(text)
        && text[end..].trim_start().starts_with(['：', ':'])
    {
        return Some(Clause { responsible: names, joint: true, ..Clause::default() });
    }
    crate::prose::roles(text).map(|r| r.clause)
}

/// Whether a row's text reads as a task rather than a heading: a sentence, not a numbered title.
fn task_like(text: &str) -> bool {
    !SECTION.is_match(text) && (text.chars().count() >= 12 || text.contains(['，', '。', '；']))
}

/// The tasks of a table's rows after its header at `at`. `None` for a table without unit
/// columns whose rows mostly name no units either: not a task table.
fn table_tasks(
    rows: &[Vec<String>],
    at: usize,
    cols: Columns,
    first_is_lead: bool,
    cx: &Context,
    budget: &Budget,
) -> Result<Option<Vec<crate::model::ParsedTask>>, ImportError> {
    let names = cx.names;
    let unit_columns = cols.lead.is_some() || cols.responsible.is_some() || cols.cooperating.is_some();
    let standing = Standing { first_is_lead, cooperate: Vec::new() };
    let mut path: Vec<String> = Vec::new();
    // The units of the task row above, which a row under a merged cell shares.
    let mut above: Option<Clause> = None;
    let mut tasks = Vec::new();
    let mut named = 0usize;
    // Unit cells as read, by their text: rows repeat them.
    let mut read: HashMap<String, (Vec<String>, bool)> = HashMap::new();
    let get =
        |r: &Vec<String>, c: Option<usize>| c.and_then(|c| r.get(c)).map(|s| s.trim().to_string()).unwrap_or_default();
    for (i, r) in rows.iter().enumerate().skip(at + 1) {
        if i.is_multiple_of(1024) {
            budget.check_time()?;
        }
        let text = get(r, Some(cols.task));
        let lead = get(r, cols.lead);
        let responsible = get(r, cols.responsible);
        let cooperating = get(r, cols.cooperating);
        let number = get(r, cols.number);
        if text.is_empty() && lead.is_empty() && responsible.is_empty() {
            // A heading row: its only text names the section.
            let heading: String = r.iter().map(|c| c.trim()).filter(|c| !c.is_empty()).collect::<Vec<_>>().join(" ");
            if !heading.is_empty() {
                path = vec![heading];
            }
            above = None;
            continue;
        }
        let mut cell = |c: String| read.entry(c).or_insert_with_key(|c| unit_cell(c, names)).clone();
        let (lead, _) = cell(lead);
        let (responsible, glued) = cell(responsible);
        let (cooperating, _) = cell(cooperating);
        let mut clause = Clause {
            joint: glued && lead.is_empty() && cols.lead.is_none(),
            lead,
            responsible,
            cooperating,
            deadline_text: Some(deadline_cell(get(r, cols.deadline))).filter(|d| !d.is_empty()),
        };
        let mut inherited = None;
        if !unit_columns {
            if let Some(c) = units_in_text(&text) {
                clause = Clause { deadline_text: clause.deadline_text, ..c };
            }
        } else if !clause.has_units()
            && task_like(&text)
            && let Some(a) = &above
        {
            clause = Clause { deadline_text: clause.deadline_text, ..a.clone() };
            inherited = a.lead.first().or(a.responsible.first()).or(a.cooperating.first()).cloned();
        }
        if !clause.has_units() {
            if unit_columns {
                path = vec![if number.is_empty() { text.clone() } else { format!("{number}{text}") }];
                above = None;
                continue;
            }
        } else {
            named += 1;
        }
        let number = if number.is_empty() { (i - at).to_string() } else { number };
        let mut task = build_task(TaskParts { number, annex: None, path: path.clone(), text }, &clause, &standing, cx);
        if let Some(u) = inherited {
            task.warnings.push(Warning::new(
                WarningCode::LeadProposed,
                format!("本行未写责任单位（合并单元格），沿用上一行的“{u}”等单位，请确认"),
            ));
        }
        if unit_columns {
            above = Some(Clause { deadline_text: None, ..clause });
        }
        tasks.push(task);
        if tasks.len() > budget.limits.max_tasks {
            // Refused whole by [`crate::bound`]: no need to read on.
            break;
        }
    }
    if !unit_columns && named * 2 < tasks.len().max(1) {
        return Ok(None);
    }
    Ok(Some(tasks))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(v: &[&[&str]]) -> Vec<Vec<String>> {
        v.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
    }

    #[test]
    fn columns_are_found_by_their_headers_in_any_order() {
        let r = rows(&[&["优化营商环境任务台账"], &["完成时间", "责任单位", "序号", "牵头单位", "工作任务"]]);
        let (at, c) = header(&r).unwrap();
        assert_eq!(at, 1);
        assert_eq!(
            c,
            Columns {
                number: Some(2),
                task: 4,
                lead: Some(3),
                responsible: Some(1),
                cooperating: None,
                deadline: Some(0)
            }
        );
    }

    #[test]
    fn a_ledger_becomes_tasks() {
        let r = rows(&[
            &["序号", "任务", "牵头单位", "责任单位", "完成时限"],
            &["一、优化审批", "", "", "", ""],
            &["1", "推行电子营业执照", "旗行政审批和政务服务局", "旗市场监管局、公安局", "12月底前"],
            &["2", "开办时间压缩至0.5个工作日以内", "", "旗财政局、旗审计局", "2022年3月底前"],
        ]);
        let p = parse_rows(&r, &Options { year: Some(2022), ..Options::default() }, &Names::default());
        assert_eq!(p.tasks.len(), 2);
        let t = &p.tasks[0];
        assert_eq!(
            (t.number.as_str(), t.lead.clone(), t.cooperating.clone()),
            ("1", vec!["旗行政审批和政务服务局".to_string()], vec!["旗市场监管局".to_string(), "旗公安局".to_string()])
        );
        assert_eq!(t.path, vec!["一、优化审批"]);
        assert_eq!(t.deadline.map(|d| d.to_string()).as_deref(), Some("2022-12-31"));
        assert_eq!(p.tasks[1].lead, vec!["旗财政局"]);
        assert_eq!(p.tasks[1].warnings[0].code, crate::WarningCode::LeadProposed);
        assert_eq!(p.tasks[1].targets, vec!["压缩至0.5个工作日以内"]);
        assert_eq!(p.tasks[1].deadline.map(|d| d.to_string()).as_deref(), Some("2022-03-31"));
    }

    #[test]
    fn a_deadline_column_reads_excel_date_cells_and_dates_in_figures() {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        let head = ["序号", "工作任务", "牵头单位", "完成时限"];
        for (c, h) in head.iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        let rows: [(&str, &str, &str); 5] = [
            ("1", "建成政务服务一张网", "旗政务服务局"),
            ("2", "清理涉企收费目录", "旗发改委"),
            ("3", "推行工程建设项目审批告知承诺制", "旗住建局"),
            ("4", "开展营商环境评价", "旗营商局"),
            ("5", "落实首问负责制", "旗政府办"),
        ];
        for (r, (n, task, lead)) in rows.iter().enumerate() {
            let r = r as u32 + 1;
            ws.write_string(r, 0, *n).unwrap();
            ws.write_string(r, 1, *task).unwrap();
            ws.write_string(r, 2, *lead).unwrap();
        }
        // A date-typed cell, an ISO date as text, a bare serial number, Chinese words, ongoing.
        let date = ExcelDateTime::from_ymd(2026, 5, 12).unwrap();
        ws.write_datetime_with_format(1, 3, &date, &Format::new().set_num_format("yyyy-mm-dd")).unwrap();
        ws.write_string(2, 3, "2026-09-30").unwrap();
        ws.write_number(3, 3, 46203.0).unwrap();
        ws.write_string(4, 3, "2026年5月12日").unwrap();
        ws.write_string(5, 3, "长期坚持").unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let opts = Options { year: Some(2026), ..Options::default() };
        let p = crate::import(&bytes, "台账.xlsx", &opts, &Names::default()).unwrap();
        let got: Vec<(Option<String>, Option<String>)> =
            p.tasks.iter().map(|t| (t.deadline.map(|d| d.to_string()), t.deadline_text.clone())).collect();
        let s = |v: &str| Some(v.to_string());
        assert_eq!(
            got,
            vec![
                (s("2026-05-12"), s("2026-05-12")),
                (s("2026-09-30"), s("2026-09-30")),
                (s("2026-06-30"), s("2026-06-30")),
                (s("2026-05-12"), s("2026年5月12日")),
                (None, s("长期坚持")),
            ]
        );
        let flagged = |i: usize, code| p.tasks[i].warnings.iter().any(|w| w.code == code);
        assert!(!flagged(0, crate::WarningCode::NoDeadline));
        assert!(flagged(4, crate::WarningCode::Ongoing));
    }

    #[test]
    fn a_serial_number_is_a_date_only_in_the_years_of_deadlines() {
        assert_eq!(deadline_cell("46154".into()), "2026-05-12");
        assert_eq!(deadline_cell("46154.5".into()), "2026-05-12");
        assert_eq!(deadline_cell("30".into()), "30");
        assert_eq!(deadline_cell("2026".into()), "2026");
        assert_eq!(deadline_cell("6月底前".into()), "6月底前");
    }

    #[test]
    fn tables_flattened_to_text_are_recognised() {
        let tab: Vec<String> = ["序号\t任务\t牵头单位\t完成时限", "1\t推行一照通办\t旗财政局\t6月底前"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(text_table(&tab).unwrap().len(), 2);
        let cells: Vec<String> = [
            "序号",
            "任务",
            "牵头单位",
            "完成时限",
            "1",
            "推行一照通办",
            "旗财政局",
            "6月底前",
            "2",
            "清理文件",
            "旗司法局",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let t = text_table(&cells).unwrap();
        assert_eq!(t.len(), 3);
        assert_eq!(t[2], vec!["2", "清理文件", "旗司法局"]);
        let prose: Vec<String> = ["（1）推行一照通办（牵头单位：旗财政局）"].iter().map(|s| s.to_string()).collect();
        assert!(text_table(&prose).is_none());
    }
}
