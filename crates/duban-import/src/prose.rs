//! Units named in running text rather than in a clause: 「由X牵头，Y配合」, 「X会同Y…」,
//! 「X配合Y…」, 「X负责…」「X承担…」, 「请X在…前完成」, 「X要…」 for a named unit, and a dated
//! sentence with a named subject, 「2019年3月底前，X推行…」. Without a unit directory a name is
//! recognised by its ending (部, 委, 局, 办公室, 人民政府 …); a list of names is split at 、.
//!
//! Not assignments: 「发挥牵头作用」, 「牵头抓总」, 「牵头部门要加强协调」, 「各项目牵头单位」, and
//! generic collectives as the subject of 要 or 应 (「各地区要…」, 「各部门要…」).

use crate::clause::Clause;
use crate::names::strip_etc;
use regex::Regex;
use std::sync::LazyLock;

/// Endings of the names of government bodies and other units.
const ENDINGS: &[&str] = &[
    "人民政府",
    "政府",
    "办公厅",
    "办公室",
    "委员会",
    "管委会",
    "领导小组",
    "工作组",
    "小组",
    "指挥部",
    "联合会",
    "协会",
    "总局",
    "总署",
    "总社",
    "组委",
    "中心",
    "部门",
    "集团",
    "公司",
    "银行",
    "法院",
    "检察院",
    "监委",
    "街道",
    "部",
    "委",
    "局",
    "办",
    "厅",
    "院",
    "署",
    "会",
    "社",
    "所",
    "站",
    "馆",
    "队",
    "室",
    "处",
];

/// Words that end a name: what follows a unit's name when a sentence says what it does.
const ROLE_WORDS: &[&str] = &["会同", "负责", "牵头", "配合", "参与", "承担", "要", "应", "将"];

/// Whether `name` looks like the name of a unit: Chinese, 2–25 characters, ending like one, and
/// not a role (牵头部门, 有关单位).
pub fn is_unit_name(name: &str) -> bool {
    let n = name.chars().count();
    (2..=25).contains(&n)
        && name.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || "（）()".contains(c))
        && ENDINGS.iter().any(|e| name.ends_with(e))
        && ![
            "的", "要", "将", "把", "对", "在", "按", "并", "为", "是", "由", "从", "向", "牵头", "责任", "有关",
            "相关",
        ]
        .iter()
        .any(|w| name.contains(w))
}

/// A unit name at the start of `s`, its length in bytes: the shortest run that ends like a unit
/// name, extended while a slightly longer run is one too (教育部 → 教育部门, 国务院 → 国务院办公厅)
/// unless what follows is a role word (甲部会同 is 甲部, not 甲部会).
pub fn unit_at_start(s: &str) -> Option<usize> {
    let ends: Vec<usize> = s.char_indices().map(|(i, c)| i + c.len_utf8()).take(25).collect();
    let first = ends.iter().position(|&e| is_unit_name(&s[..e]))?;
    let mut at = first;
    'extend: loop {
        if ROLE_WORDS.iter().any(|w| s[ends[at]..].starts_with(w)) {
            break;
        }
        for next in at + 1..(at + 4).min(ends.len()) {
            if is_unit_name(&s[..ends[next]]) {
                at = next;
                continue 'extend;
            }
        }
        break;
    }
    Some(ends[at])
}

/// A list of unit names, or `None` when any entry is not one (generic collectives starting with
/// 各 are refused unless `collectives`).
fn unit_list(list: &str, collectives: bool) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for raw in list.split('、') {
        let name = strip_etc(raw.trim());
        if name.is_empty() {
            continue;
        }
        if !is_unit_name(name) || (!collectives && name.starts_with('各')) {
            return None;
        }
        out.push(name.to_string());
    }
    (!out.is_empty()).then_some(out)
}

#[allow(clippy::expect_used)] // constant patterns, checked by the tests
static LED_BY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"由(?P<who>[^，。；：由]{2,80}?)牵头(?:负责|组织|抓总)?(?:[，、]\s*(?P<co>[^，。；：]{2,120}?)(?:配合|参与|协助|协同)(?:落实|实施)?)?")
        .expect("led-by pattern")
});
#[allow(clippy::expect_used)]
static SUBJECT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?P<who>[^，。；：]{2,80}?)(?P<modal>要|应当|应|将|继续|负责|承担|牵头|会同|配合|具体负责)",
        r"(?P<rest>[^。；]*)"
    ))
    .expect("subject pattern")
});
#[allow(clippy::expect_used)]
static WITH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:牵头|负责|要|应)?会同(?P<with>[^，。；、]{2,40}?(?:、[^，。；、]{2,40}?)*)(?:等|共同|，|负责|研究|制定|做好|开展|建立|出台|加强|推进|组织|$)").expect("with pattern")
});
#[allow(clippy::expect_used)]
static PLEASE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"请(?P<who>[^，。；：]{2,80}?)(?:在|于|按|抓紧|尽快|牵头|负责|会同|分别)").expect("please pattern")
});
#[allow(clippy::expect_used)]
static DATED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:(?:19|20)\d{2}年)?(?:\d{1,2}月)?(?:底|末|中旬|上旬|下旬)?(?:前|以前|之前)，")
        .expect("dated pattern")
});
#[allow(clippy::expect_used)]
static TRAP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"发挥牵头作用|牵头抓总|牵头部门|牵头单位|牵头作用").expect("trap pattern"));

/// Units a text names in words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roles {
    pub clause: Clause,
    /// Named with a word of responsibility (牵头, 负责, 会同, 配合, 承担, 请…), not only as the
    /// subject of 要 or of a dated sentence.
    pub explicit: bool,
}

/// Who a text says does the work, when it says so in words.
pub fn roles(text: &str) -> Option<Roles> {
    let mut c = Clause::default();
    let mut explicit = false;
    let push = |v: &mut Vec<String>, names: Vec<String>| {
        for n in names {
            if !v.contains(&n) {
                v.push(n);
            }
        }
    };
    for m in LED_BY.captures_iter(text) {
        // 「由X牵头的联席会议」 describes a body, not who does this task.
        if m.get(0).is_some_and(|w| text[w.end()..].starts_with('的')) {
            continue;
        }
        if let Some(who) = unit_list(&m["who"], true) {
            explicit = true;
            push(&mut c.lead, who);
            if let Some(co) = m.name("co").and_then(|co| unit_list(co.as_str(), true)) {
                push(&mut c.cooperating, co);
            }
        }
    }
    for sentence in text.split(['。', '；', ';']).map(str::trim) {
        let body = DATED.find(sentence).map_or(sentence, |d| &sentence[d.end()..]);
        let dated = body.len() < sentence.len();
        if let Some(m) = SUBJECT.captures(body) {
            let modal = &m["modal"];
            let rest = &m["rest"];
            let generic_ok = modal != "要" && modal != "应" && modal != "应当" && modal != "将";
            let trap = TRAP.is_match(&body[m.get(0).map_or(0, |x| x.start())..]) && !rest.starts_with("会同");
            if let Some(who) = unit_list(&m["who"], generic_ok)
                && !(trap && modal != "牵头" && rest.starts_with("发挥"))
                && !(modal == "牵头" && TRAP.is_match(&format!("牵头{rest}")))
            {
                explicit |= !matches!(modal, "要" | "应" | "应当" | "将" | "继续")
                    || rest.starts_with("会同")
                    || rest.starts_with("牵头");
                match modal {
                    "配合" => {
                        // 「X配合Y做…」: Y leads.
                        let led = unit_at_start(rest).map_or("", |end| &rest[..end]);
                        if let Some(lead) = unit_list(led, true) {
                            push(&mut c.lead, lead);
                            push(&mut c.cooperating, who);
                        }
                    }
                    _ => {
                        let whole = format!("{modal}{rest}");
                        if let Some(w) = WITH.captures(&whole) {
                            push(&mut c.cooperating, unit_list(&w["with"], true).unwrap_or_default());
                        }
                        push(&mut c.lead, who);
                    }
                }
                continue;
            }
        }
        // 「会同Y…」 with the subject left out: Y cooperates with whoever leads.
        if let Some(w) = WITH.captures(body) {
            push(&mut c.cooperating, unit_list(&w["with"], true).unwrap_or_default());
        }
        if let Some(m) = PLEASE.captures(sentence)
            && let Some(who) = unit_list(&m["who"], true)
        {
            explicit = true;
            push(&mut c.lead, who);
            continue;
        }
        if dated && let Some(end) = unit_at_start(body) {
            push(&mut c.lead, vec![body[..end].to_string()]);
        }
    }
    c.cooperating.retain(|u| !c.lead.contains(u));
    c.has_units().then_some(Roles { clause: c, explicit })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead_coop(t: &str) -> (Vec<String>, Vec<String>) {
        roles(t).map(|r| (r.clause.lead, r.clause.cooperating)).unwrap_or_default()
    }

    fn v(n: &[&str]) -> Vec<String> {
        n.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn unit_names_are_recognised_by_their_endings() {
        assert_eq!(unit_at_start("国家卫生健康委推行新办法"), Some("国家卫生健康委".len()));
        assert_eq!(unit_at_start("教育部门组织开展"), Some("教育部门".len()));
        assert_eq!(unit_at_start("国务院办公厅要适时督查"), Some("国务院办公厅".len()));
        assert_eq!(unit_at_start("完善制度"), None);
        assert!(is_unit_name("人力资源社会保障部"));
        assert!(!is_unit_name("加强组织领导"));
    }

    #[test]
    fn roles_in_running_text_are_read() {
        assert_eq!(lead_coop("此项工作由甲局牵头，乙委、丙办配合。"), (v(&["甲局"]), v(&["乙委", "丙办"])));
        assert_eq!(lead_coop("甲部负责制定实施细则。"), (v(&["甲部"]), v(&[])));
        assert_eq!(lead_coop("甲部要会同乙委做好指导工作。"), (v(&["甲部"]), v(&["乙委"])));
        assert_eq!(lead_coop("甲部要会同有关方面做好总结工作。"), (v(&["甲部"]), v(&[])));
        assert_eq!(lead_coop("请甲部、乙委在2月底前完成。"), (v(&["甲部", "乙委"]), v(&[])));
        assert_eq!(lead_coop("2019年3月底前，国家卫生健康委推行新办法。"), (v(&["国家卫生健康委"]), v(&[])));
        assert_eq!(lead_coop("甲局配合乙委开展调查。"), (v(&["乙委"]), v(&["甲局"])));
        assert_eq!(lead_coop("政府督查室要牵头每月通报一次。"), (v(&["政府督查室"]), v(&[])));
    }

    #[test]
    fn traps_are_not_assignments() {
        for t in [
            "甲总局要发挥牵头作用，加强统筹。",
            "各地区、各部门要加强组织领导。",
            "牵头部门要加强协调。",
            "组织部门牵头抓总。",
            "各项目牵头单位要落实责任。",
            "财政、发展改革等部门要加大支持。",
            "建立由甲部门牵头的联席会议制度。",
        ] {
            assert_eq!(lead_coop(t), (vec![], vec![]), "{t}");
        }
    }
}
