//! Responsibility clauses: who leads, who cooperates, and by when.
//!
//! Variants handled: 「（牵头单位：A；责任单位：B、C；完成时限：6月底前）」, ASCII punctuation,
//! 「，责任单位」 in place of 「；责任单位」, 「（A牵头，B、C配合）」, 「责任单位：A、B」 with no lead
//! marked (the first is proposed, or taken, when the document says 「排在第一位的为牵头单位」),
//! 「责任部门：」, a clause that is not in parentheses, and 「完成时间」 for 「完成时限」.

use crate::names::{Names, is_unnamed, strip_etc};
use regex::Regex;
use std::sync::LazyLock;

/// Keys that open a responsibility clause.
const KEYS: &[&str] = &[
    "牵头单位",
    "牵头部门",
    "责任单位",
    "责任部门",
    "负责部门",
    "负责单位",
    "适用范围",
    "配合单位",
    "配合部门",
    "协办单位",
    "主办单位",
    "责任主体",
    "完成时限",
    "完成时间",
];

/// What a clause says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Clause {
    /// Names marked as leading.
    pub lead: Vec<String>,
    /// Names marked as responsible without saying who leads.
    pub responsible: Vec<String>,
    /// Names marked as cooperating.
    pub cooperating: Vec<String>,
    pub deadline_text: Option<String>,
    /// The responsible units were named together with what they do (「（A、B负责）」), not as a
    /// list whose order may mean something (「责任单位：A、B」).
    pub joint: bool,
}

impl Clause {
    pub fn has_units(&self) -> bool {
        !(self.lead.is_empty() && self.responsible.is_empty() && self.cooperating.is_empty())
    }
}

/// Where the clause sits in the task text, and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub start: usize,
    pub end: usize,
    pub clause: Clause,
}

fn is_open(c: char) -> bool {
    c == '（' || c == '('
}

fn is_close(c: char) -> bool {
    c == '）' || c == ')'
}

/// The byte range of the parenthesis that closes the one opened at `open`, if it is closed.
fn matching_close(text: &str, open: usize) -> Option<(usize, usize)> {
    let mut depth = 0;
    for (i, c) in text[open..].char_indices() {
        if is_open(c) {
            depth += 1;
        } else if is_close(c) {
            depth -= 1;
            if depth == 0 {
                return Some((open + i, open + i + c.len_utf8()));
            }
        }
    }
    None
}

#[allow(clippy::expect_used)] // a constant pattern, checked by the tests
static ROLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^由?(?P<who>[^，。；,;：:]{2,200}?)\s*(?P<role>牵头负责|牵头|",
        r"会同(?P<with>[^，。；,;]{2,200}?)(?:共同|按职责分工|按职责)?(?:负责落实|负责|落实|推进|实施|办理)?|",
        r"指导|负责落实|按照?职责分工负责|按照?职责分工落实|按照?职责负责|分别负责|共同负责|负总责|负责|",
        r"参与|配合|协助|协同|落实)$"
    ))
    .expect("role pattern")
});

#[allow(clippy::expect_used)]
static STANDING_NOTE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"以下|下同|不再列出|不再一一列出|为牵头单位|为牵头部门").expect("note pattern"));

#[allow(clippy::expect_used)]
static DATE_WORDS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\d{1,4}\s*[年月]|年底|年内|季度|上半年|下半年|长期|持续").expect("date words"));

/// A parenthesis of roles, 「（A、B负责）」「（A牵头，B、C按职责分工负责）」「（A指导，B参与）」
/// 「（A会同有关部门负责）」: every part names units and what they do. Leading, guiding (指导)
/// and 会同 make units lead; 参与, 配合, 协助 make them cooperate; 负责 makes them responsible,
/// which is cooperating when another unit leads. A sentence of standing rules in it
/// (「以下均需…落实，不再列出」) is read by the parser, not here; a part that is a date phrase is
/// the deadline.
pub fn role_group(inner: &str, names: &Names) -> Option<Clause> {
    let mut c = Clause::default();
    let mut roles = 0;
    for sentence in inner.split(['。', '.']).map(str::trim).filter(|s| !s.is_empty()) {
        if STANDING_NOTE.is_match(sentence) {
            continue;
        }
        for part in sentence.split(['，', '；', ',', ';']).map(str::trim).filter(|s| !s.is_empty()) {
            let Some(m) = ROLE.captures(part) else {
                if DATE_WORDS.is_match(part) && c.deadline_text.is_none() {
                    c.deadline_text = Some(part.to_string());
                    continue;
                }
                return None;
            };
            let who = unit_list(&m["who"], names)?;
            roles += 1;
            let role = &m["role"];
            if let Some(with) = m.name("with") {
                c.lead.extend(who);
                // 「会同有关部门」: the others are not named.
                c.cooperating.extend(unit_list(with.as_str(), names).unwrap_or_default());
            } else if role.starts_with("牵头") || role == "指导" {
                c.lead.extend(who);
            } else if ["参与", "配合", "协助", "协同"].contains(&role) {
                c.cooperating.extend(who);
            } else {
                c.responsible.extend(who);
            }
        }
    }
    if roles == 0 || !c.has_units() {
        return None;
    }
    c.joint = c.lead.is_empty();
    if !c.lead.is_empty() {
        // Those responsible beside a leading unit carry out their parts: they cooperate.
        let responsible = std::mem::take(&mut c.responsible);
        let mut coop = responsible;
        coop.append(&mut c.cooperating);
        c.cooperating = coop;
    }
    Some(c)
}

/// A parenthesis that is only a list of unit names, 「（县自然资源局、县发改局）」: the units are
/// responsible, and who leads is the document's rule (排在第一位的为牵头单位) or the office's choice.
/// Every entry must look like a unit's name (or be known to the directory), so that an aside in
/// parentheses is not read as units.
fn bare_units(inner: &str, names: &Names) -> Option<Clause> {
    let inner = inner.trim().trim_end_matches(['。', '；', ';']);
    if inner.is_empty() || inner.contains(['：', ':', '。']) {
        return None;
    }
    let units = split_units(inner, names);
    let known = |u: &String| names.resolve(u).is_some() || crate::prose::is_unit_name(u) || is_collective(u);
    (!units.is_empty() && units.iter().all(known)).then(|| Clause {
        responsible: units,
        joint: true,
        ..Clause::default()
    })
}

/// A collective named in a list (各乡镇, 各片区, 区直各有关单位, 各省级人民政府): kept whole as one name.
fn is_collective(name: &str) -> bool {
    let n = name.chars().count();
    (3..=15).contains(&n) && name.contains('各') && name.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// The units of a list in a clause, or `None` when the list does not look like unit names (a
/// part of a sentence in parentheses). Unnamed tails (等有关部门) are dropped; a list of only
/// unnamed units is empty.
fn unit_list(list: &str, names: &Names) -> Option<Vec<String>> {
    let list = list.trim();
    if list.chars().any(|c| c.is_ascii_digit() || "的了是把将对在。：:".contains(c)) {
        return None;
    }
    let units = split_units(list, names);
    if units.iter().any(|u| u.chars().count() > 30) {
        return None;
    }
    Some(units)
}

/// Every responsibility clause of a task text, in order: parenthesised groups that open with a
/// responsibility key or are a [`role_group`]; when there is none, an unparenthesised
/// 「牵头单位：」「责任单位：」 to the end of the text.
pub fn find_all(text: &str, names: &Names) -> Vec<Found> {
    let mut out: Vec<Found> = Vec::new();
    let mut skip_to = 0;
    for (i, c) in text.char_indices() {
        if i < skip_to || !is_open(c) {
            continue;
        }
        let open_end = i + c.len_utf8();
        let after = text[open_end..].trim_start();
        // An unclosed clause runs to the end of the text.
        let (inner_end, end) = matching_close(text, i).unwrap_or((text.len(), text.len()));
        let inner = &text[open_end..inner_end];
        let clause = if KEYS.iter().any(|k| after.starts_with(k)) {
            Some(parse_fields(inner, names)).filter(|c| c.has_units() || c.deadline_text.is_some())
        } else {
            // Bare names only where a clause stands: after a sentence, or closing the item — not
            // an aside (「健康教室（教学场所）建设」, 「报送领导小组办公室（发改委）。」).
            let before = text[..i].trim_end();
            let after_close = text[end..].trim_start();
            let stands = before.is_empty() || before.ends_with(['。', '；', ';', '！']) || after_close.is_empty();
            role_group(inner, names).or_else(|| if stands { bare_units(inner, names) } else { None })
        };
        if let Some(clause) = clause {
            out.push(Found { start: i, end, clause });
            skip_to = end;
        }
    }
    if !out.is_empty() {
        return out;
    }
    // An unparenthesised clause: from the first key followed by a colon to the end.
    let at = KEYS
        .iter()
        .filter(|k| !k.starts_with("完成"))
        .filter_map(|k| {
            text.match_indices(k)
                .find(|(i, _)| text[i + k.len()..].trim_start().starts_with(['：', ':']))
                .map(|(i, _)| i)
        })
        .min();
    if let Some(at) = at {
        let clause = parse_fields(&text[at..], names);
        if clause.has_units() {
            out.push(Found { start: at, end: text.len(), clause });
        }
    }
    out
}

/// The responsibility clause of a task text: the last of [`find_all`].
pub fn find(text: &str, names: &Names) -> Option<Found> {
    find_all(text, names).pop()
}

#[allow(clippy::expect_used)] // built from the constant keys, checked by the tests
static KEY_AFTER_COMMA: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!("[，,、](?P<key>{})", KEYS.join("|"))).expect("key pattern"));
#[allow(clippy::expect_used)]
static KEY_WITH_COLON: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!("(?P<key>(?:{})[：:])", KEYS.join("|"))).expect("key pattern"));

/// Parses 「牵头单位：A；责任单位：B、C；完成时限：6月底前」.
pub fn parse_fields(inner: &str, names: &Names) -> Clause {
    // A key after a comma, or glued to the value before it (「…等参与完成时限：6月底前」, two lines
    // joined), starts a field.
    let inner = KEY_AFTER_COMMA.replace_all(inner, "；$key");
    let inner = KEY_WITH_COLON.replace_all(&inner, "；$key");
    let mut c = Clause::default();
    for part in inner.split(['；', ';']) {
        let part = part.trim();
        let Some((key, value)) = KEYS.iter().find_map(|k| {
            let rest = part.strip_prefix(k)?.trim_start();
            rest.strip_prefix(['：', ':']).map(|v| (*k, v.trim()))
        }) else {
            continue;
        };
        match key {
            "牵头单位" | "牵头部门" | "主办单位" => c.lead.extend(split_units(value, names)),
            // A scope is not a unit.
            "适用范围" => {}
            "配合单位" | "配合部门" | "协办单位" => c.cooperating.extend(split_units(value, names)),
            "完成时限" | "完成时间" => {
                let v = value.trim_end_matches(['。', '）', ')']).trim();
                if !v.is_empty() {
                    c.deadline_text = Some(v.to_string());
                }
            }
            // 「责任单位：A牵头，B等参与」: the roles are in the value.
            _ => match role_group(value, names) {
                Some(r) if !r.lead.is_empty() => {
                    c.lead.extend(r.lead);
                    c.cooperating.extend(r.cooperating);
                    c.cooperating.extend(r.responsible);
                }
                _ => c.responsible.extend(split_units(value, names)),
            },
        }
    }
    c
}

#[allow(clippy::expect_used)]
static NOTE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[（(][^（）()]*(?:牵头|下同|排在|排名)[^（）()]*[）)]").expect("note pattern"));

/// Names that do not take a list's shared 旗 prefix: groups, enterprises, banks, upper levels.
fn takes_prefix(name: &str) -> bool {
    const NOT_STARTS: &[&str] = &[
        "各",
        "旗",
        "市",
        "通辽",
        "内蒙古",
        "自治区",
        "国网",
        "国家",
        "中国",
        "中共",
        "人民银行",
        "相关",
        "有关",
        "社会",
    ];
    const NOT_ENDS: &[&str] = &["公司", "企业", "机构", "支行", "分行", "单位", "成员单位", "服务部"];
    !NOT_STARTS.iter().any(|p| name.starts_with(p)) && !NOT_ENDS.iter().any(|s| name.ends_with(s))
}

#[allow(clippy::expect_used)]
static LEVEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:县级市|县（市、区）|县（区）|县\(区\)|市（州）|县|区|市|州|盟|旗|自治区|自治州|直辖市|乡镇|乡|镇|街道|苏木)(?:（[^（）]{1,8}）)?(?:人民政府|政府|党委和人民政府|党委|有关部门|有关单位)?$")
        .expect("level pattern")
});

/// The entries of a list, with a collective of several levels kept whole: 「各区、县级市」,
/// 「各市、县（区）人民政府」, 「各省、自治区、直辖市人民政府」 are one name each.
fn collectives_whole(list: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut open = false;
    // Separators inside parentheses (各省（区、市）人民政府) do not split.
    let mut parts: Vec<&str> = Vec::new();
    let (mut depth, mut from) = (0usize, 0);
    for (i, c) in list.char_indices() {
        match c {
            '（' | '(' => depth += 1,
            '）' | ')' => depth = depth.saturating_sub(1),
            '、' | '，' | ',' | '；' | ';' if depth == 0 => {
                parts.push(&list[from..i]);
                from = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&list[from..]);
    for part in parts {
        let p = part.trim();
        match out.last_mut() {
            Some(last) if open && LEVEL.is_match(p) => {
                last.push('、');
                last.push_str(p);
                continue;
            }
            _ => {}
        }
        // 「各区」「各市」「各省」: a level on its own, which the next entries may continue.
        open = p.starts_with('各') && p.chars().count() <= 3;
        out.push(p.to_string());
    }
    out
}

/// Splits a list of unit names. Names that contain a separator (各苏木乡镇场、街道) are kept
/// whole; 「等相关部门」 is dropped; and when the list's first name carries the banner prefix
/// 旗, the names after it that lack it get it (旗市场监管局、公安局 → 旗公安局).
pub fn split_units(list: &str, names: &Names) -> Vec<String> {
    // Notes in a list, 「（排在第一位的为牵头单位，下同）」, are not names.
    let list = NOTE.replace_all(list, "");
    let mut work = list.trim().trim_end_matches(['。', '；', ';']).to_string();
    let mut protected: Vec<String> = Vec::new();
    for c in names.compound_names() {
        while let Some(at) = work.find(c.as_str()) {
            let token = format!("\u{1}{}\u{1}", protected.len());
            work.replace_range(at..at + c.len(), &token);
            protected.push(c.clone());
        }
    }
    let mut out: Vec<String> = Vec::new();
    let mut prefix = "";
    for (i, raw) in collectives_whole(&work).iter().enumerate() {
        let mut name = raw.trim().to_string();
        for (k, p) in protected.iter().enumerate() {
            name = name.replace(&format!("\u{1}{k}\u{1}"), p);
        }
        let name = strip_etc(&name).trim_matches(['“', '”', '"', ' ']).to_string();
        if name.is_empty() || name.chars().count() > 40 || is_unnamed(&name) {
            continue;
        }
        if i == 0 {
            prefix = if name.starts_with('旗') && !name.starts_with("旗内") { "旗" } else { "" };
        }
        let name = if !prefix.is_empty() && takes_prefix(&name) { format!("{prefix}{name}") } else { name };
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n() -> Names {
        Names::new([("各苏木乡镇场、街道".to_string(), "各苏木乡镇场、街道".to_string(), true)])
    }

    #[test]
    fn the_standard_clause_is_read() {
        let t = "推行电子营业执照。（牵头单位：旗行政审批和政务服务局；责任单位：旗市场监管局、旗直有关部门）";
        let f = find(t, &n()).unwrap();
        assert_eq!(f.clause.lead, vec!["旗行政审批和政务服务局"]);
        assert_eq!(f.clause.responsible, vec!["旗市场监管局", "旗直有关部门"]);
        assert_eq!(&t[..f.start], "推行电子营业执照。");
        assert_eq!(f.end, t.len());
    }

    #[test]
    fn a_shared_prefix_applies_to_every_name_in_a_list() {
        let got = split_units("旗市场监管局、公安局、人社局、住建局、税务局", &n());
        assert_eq!(got, vec!["旗市场监管局", "旗公安局", "旗人社局", "旗住建局", "旗税务局"]);
        let got = split_units("旗住建局、国网奈曼供电公司、自然资源局", &n());
        assert_eq!(got, vec!["旗住建局", "国网奈曼供电公司", "旗自然资源局"]);
        let got = split_units("旗住建局、行政审批和政务服务局、人民银行奈曼支行", &n());
        assert_eq!(got, vec!["旗住建局", "旗行政审批和政务服务局", "人民银行奈曼支行"]);
        assert_eq!(split_units("政法委、法院、司法局", &n()), vec!["政法委", "法院", "司法局"]);
    }

    #[test]
    fn collectives_of_several_levels_stay_whole() {
        let none = Names::default();
        assert_eq!(split_units("各区、县级市，市直有关单位", &none), vec!["各区、县级市", "市直有关单位"]);
        assert_eq!(
            split_units("各市、县（区）人民政府、省发展改革委", &none),
            vec!["各市、县（区）人民政府", "省发展改革委"]
        );
        assert_eq!(split_units("各省、自治区、直辖市人民政府", &none), vec!["各省、自治区、直辖市人民政府"]);
        assert_eq!(split_units("市发改委、县（区）人民政府", &none), vec!["市发改委", "县（区）人民政府"]);
        assert_eq!(
            split_units("各省（区、市）人民政府、国家发展改革委", &none),
            vec!["各省（区、市）人民政府", "国家发展改革委"]
        );
    }

    #[test]
    fn a_group_with_a_separator_in_its_name_stays_whole() {
        let got = split_units("旗直有关部门、各苏木乡镇场、街道", &n());
        assert_eq!(got, vec!["旗直有关部门", "各苏木乡镇场、街道"]);
        let got = split_units("旗财政局、旗直有关部门，各苏木乡镇场、街道办事处", &n());
        assert_eq!(got, vec!["旗财政局", "旗直有关部门", "各苏木乡镇场、街道办事处"]);
        assert_eq!(
            split_units("旗公安局、旗人民法院、检察院等相关部门", &n()),
            vec!["旗公安局", "旗人民法院", "旗检察院"]
        );
    }

    #[test]
    fn variants_of_the_clause_are_read() {
        let f = find("某项工作（旗财政局牵头，旗审计局、旗发改委配合）", &n()).unwrap();
        assert_eq!(
            (f.clause.lead, f.clause.cooperating),
            (vec!["旗财政局".to_string()], vec!["旗审计局".to_string(), "旗发改委".to_string()])
        );
        let f = find("某项工作(牵头单位:旗纪委监委;责任单位:旗直相关部门;完成时间:10月底前)", &n()).unwrap();
        assert_eq!(f.clause.lead, vec!["旗纪委监委"]);
        assert_eq!(f.clause.deadline_text.as_deref(), Some("10月底前"));
        let f = find(
            "（牵头单位：旗工业园区管委会、区域经济合作和金融服务局，责任单位：旗直相关部门；完成时限：2022年底前）",
            &n(),
        )
        .unwrap();
        assert_eq!(f.clause.lead, vec!["旗工业园区管委会", "旗区域经济合作和金融服务局"]);
        assert_eq!(f.clause.responsible, vec!["旗直相关部门"]);
        let f = find("清理文件。责任部门：旗司法局、旗市场监管局", &n()).unwrap();
        assert_eq!(f.clause.responsible, vec!["旗司法局", "旗市场监管局"]);
        let f = find("事项认领，苏木乡镇场（街道）6月底前完成。（牵头单位：旗行政审批和政务服务局；责任单位：各苏木乡镇（场）、街道）", &n()).unwrap();
        assert_eq!(f.clause.responsible, vec!["各苏木乡镇（场）、街道"]);
        assert!(find("没有单位的段落。", &n()).is_none());
        assert!(find("（此件公开发布）", &n()).is_none());
    }

    fn roles(t: &str) -> (Vec<String>, Vec<String>, Vec<String>) {
        let f = find(t, &Names::default()).unwrap_or_else(|| panic!("no clause in {t}"));
        (f.clause.lead, f.clause.responsible, f.clause.cooperating)
    }

    fn v(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn parentheses_of_roles_are_read_without_a_directory() {
        assert_eq!(roles("推进某项改革。（甲部、乙委负责）"), (v(&[]), v(&["甲部", "乙委"]), v(&[])));
        assert!(find("推进某项改革。（甲部、乙委负责）", &Names::default()).unwrap().clause.joint);
        assert_eq!(roles("推进。（甲部负责）"), (v(&[]), v(&["甲部"]), v(&[])));
        assert_eq!(roles("推进。（甲部牵头，乙委、丙局按职责分工负责）"), (v(&["甲部"]), v(&[]), v(&["乙委", "丙局"])));
        assert_eq!(roles("推进。（甲部牵头，乙委等参与）"), (v(&["甲部"]), v(&[]), v(&["乙委"])));
        assert_eq!(roles("推进。（甲部指导，乙总社参与）"), (v(&["甲部"]), v(&[]), v(&["乙总社"])));
        assert_eq!(roles("推进。（甲部会同有关部门负责）"), (v(&["甲部"]), v(&[]), v(&[])));
        assert_eq!(roles("推进。（甲部会同乙委负责）"), (v(&["甲部"]), v(&[]), v(&["乙委"])));
        assert_eq!(
            roles("推进。（负责部门：甲部、乙委；适用范围：全部试点城市）"),
            (v(&[]), v(&["甲部", "乙委"]), v(&[]))
        );
        assert_eq!(
            roles("推进。（牵头单位：甲部，配合单位：乙委、丙局）"),
            (v(&["甲部"]), v(&[]), v(&["乙委", "丙局"]))
        );
        assert_eq!(roles("推进。（各省级人民政府负责）"), (v(&[]), v(&["各省级人民政府"]), v(&[])));
        assert_eq!(roles("推进。（甲部、乙委等有关部门负责）"), (v(&[]), v(&["甲部", "乙委"]), v(&[])));
        assert_eq!(
            roles("推进。（甲部指导，乙市政府负责落实。以下均需乙市政府落实，不再列出）"),
            (v(&["甲部"]), v(&[]), v(&["乙市政府"]))
        );
        // A deadline inside the parenthesis is the clause's.
        let f = find("推进。（甲部负责，2019年底前完成）", &Names::default()).unwrap();
        assert_eq!(f.clause.deadline_text.as_deref(), Some("2019年底前完成"));
    }

    #[test]
    fn a_parenthesis_of_bare_names_after_a_sentence_is_a_clause_and_an_aside_is_not() {
        assert_eq!(roles("推进某项改革。（县甲局、县乙委）"), (v(&[]), v(&["县甲局", "县乙委"]), v(&[])));
        assert_eq!(roles("推进某项改革。（各乡镇、县甲局）下一项"), (v(&[]), v(&["各乡镇", "县甲局"]), v(&[])));
        for t in ["建设健康教室（教学场所），改善照明。", "报送领导小组办公室（发改委）。", "成立协会（联合会）等组织"]
        {
            assert!(find(t, &Names::default()).is_none(), "{t}");
        }
    }

    #[test]
    fn parentheses_that_are_not_roles_are_left_alone() {
        for t in [
            "推进。（2019年底前完成）",
            "（此件公开发布）",
            "制定方案（以下简称“方案”）",
            "加强协调（牵头部门要加强协调）",
            "（由各地根据实际情况确定的项目负责人负责）",
        ] {
            assert!(find(t, &Names::default()).is_none(), "{t}");
        }
    }

    #[test]
    fn several_clauses_in_one_paragraph_are_all_found() {
        let t = "做甲事。（甲部负责）做乙事。（乙委、丙局负责）";
        let all = find_all(t, &Names::default());
        assert_eq!(all.len(), 2);
        assert_eq!(&t[..all[0].start], "做甲事。");
        assert_eq!(all[1].clause.responsible, v(&["乙委", "丙局"]));
    }
}
