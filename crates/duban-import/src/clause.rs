//! Responsibility clauses: who leads, who cooperates, and by when.
//!
//! Variants handled: 「（牵头单位：A；责任单位：B、C；完成时限：6月底前）」, ASCII punctuation,
//! 「，责任单位」 in place of 「；责任单位」, 「（A牵头，B、C配合）」, 「责任单位：A、B」 with no lead
//! marked (the first is proposed, or taken, when the document says 「排在第一位的为牵头单位」),
//! 「责任部门：」, a clause that is not in parentheses, and 「完成时间」 for 「完成时限」.

use crate::names::{Names, strip_etc};
use regex::Regex;
use std::sync::LazyLock;

/// Keys that open a responsibility clause.
const KEYS: &[&str] = &[
    "牵头单位",
    "牵头部门",
    "责任单位",
    "责任部门",
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
static LEAD_COOP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"[（(]\s*([^（）()]{2,120}?)\s*牵头\s*(?:[，,、；;]\s*([^（）()]{2,300}?)\s*(?:配合|协同|参与|协助))?\s*[）)]",
    )
    .expect("lead pattern")
});

/// Finds the responsibility clause of a task text: the last parenthesised group that opens with
/// a responsibility key, a 「（A牵头，B配合）」 group, or an unparenthesised 「牵头单位：」 to the end.
pub fn find(text: &str, names: &Names) -> Option<Found> {
    let mut best: Option<Found> = None;
    for (i, c) in text.char_indices() {
        if !is_open(c) {
            continue;
        }
        let after = text[i + c.len_utf8()..].trim_start();
        if KEYS.iter().any(|k| after.starts_with(k)) {
            // An unclosed clause runs to the end of the text.
            let (inner_end, end) = matching_close(text, i).unwrap_or((text.len(), text.len()));
            let inner = &text[i + c.len_utf8()..inner_end];
            let clause = parse_fields(inner, names);
            if clause.has_units() || clause.deadline_text.is_some() {
                best = Some(Found { start: i, end, clause });
            }
        }
    }
    if best.is_some() {
        return best;
    }
    if let Some(m) = LEAD_COOP.captures_iter(text).last() {
        let whole = m.get(0)?;
        let lead = split_units(m.get(1).map_or("", |x| x.as_str()), names);
        let cooperating = m.get(2).map(|x| split_units(x.as_str(), names)).unwrap_or_default();
        if !lead.is_empty() {
            return Some(Found {
                start: whole.start(),
                end: whole.end(),
                clause: Clause { lead, cooperating, ..Clause::default() },
            });
        }
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
        .min()?;
    let clause = parse_fields(&text[at..], names);
    clause.has_units().then_some(Found { start: at, end: text.len(), clause })
}

/// Parses 「牵头单位：A；责任单位：B、C；完成时限：6月底前」.
pub fn parse_fields(inner: &str, names: &Names) -> Clause {
    let mut inner = inner.to_string();
    for k in KEYS {
        for sep in ["，", ",", "、"] {
            inner = inner.replace(&format!("{sep}{k}"), &format!("；{k}"));
        }
    }
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
            "配合单位" | "配合部门" | "协办单位" => c.cooperating.extend(split_units(value, names)),
            "完成时限" | "完成时间" => {
                let v = value.trim_end_matches(['。', '）', ')']).trim();
                if !v.is_empty() {
                    c.deadline_text = Some(v.to_string());
                }
            }
            _ => c.responsible.extend(split_units(value, names)),
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

/// Splits a list of unit names. Names that contain a separator (各苏木乡镇场、街道) are kept
/// whole; 「等相关部门」 is dropped; and when the list's first name carries the banner prefix
/// 旗, the names after it that lack it get it (旗市场监管局、公安局 → 旗公安局).
pub fn split_units(list: &str, names: &Names) -> Vec<String> {
    // Notes in a list, 「（排在第一位的为牵头单位，下同）」, are not names.
    let list = NOTE.replace_all(list, "");
    let mut work = list.trim().trim_end_matches(['。', '；', ';']).to_string();
    let mut protected: Vec<String> = Vec::new();
    let mut compounds: Vec<String> = names.compound_names().into_iter().map(str::to_string).collect();
    for extra in [
        "各苏木乡镇场、街道办事处",
        "各苏木乡镇场、街道",
        "各苏木乡镇（场）、街道",
        "各苏木乡镇场（街道）",
        "苏木乡镇场、街道",
    ] {
        if !compounds.iter().any(|c| c == extra) {
            compounds.push(extra.to_string());
        }
    }
    compounds.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    for c in &compounds {
        while let Some(at) = work.find(c.as_str()) {
            let token = format!("\u{1}{}\u{1}", protected.len());
            work.replace_range(at..at + c.len(), &token);
            protected.push(c.clone());
        }
    }
    let mut out: Vec<String> = Vec::new();
    let mut prefix = "";
    for (i, raw) in work.split(['、', '，', ',', '；', ';']).enumerate() {
        let mut name = raw.trim().to_string();
        for (k, p) in protected.iter().enumerate() {
            name = name.replace(&format!("\u{1}{k}\u{1}"), p);
        }
        let name = strip_etc(&name).trim_matches(['“', '”', '"', ' ']).to_string();
        if name.is_empty() || name.chars().count() > 40 {
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
}
