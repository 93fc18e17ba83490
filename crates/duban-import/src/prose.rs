//! Units named in running text rather than in a clause: 「由X牵头，Y配合」, 「X会同Y…」,
//! 「X配合Y…」, 「X负责…」「X承担…」, 「请X在…前完成」, 「X要…」 for a named unit, and a dated
//! sentence with a named subject, 「2027年3月底前，X推行…」; a later clause named with a word of
//! responsibility (「…，经X会同Y审定」) or opening with a unit named with its level, 「X是…责任主体」,
//! an item named for a body (「监督组。负责…」), and, where no unit is named at all, a collective due
//! by a date (「各省份于11月底前完成…」). Without a unit directory a name is recognised by its
//! ending (部, 委, 局, 办公室, 人民政府 …) and refused for gatherings (学习会) and kinds of
//! department (教育行政部门要…); a list of names is split at 、.
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
    "联",
    "协",
];

/// Words that end a name: what follows a unit's name when a sentence says what it does.
const ROLE_WORDS: &[&str] = &["会同", "负责", "牵头", "配合", "参与", "承担", "要", "应", "将", "等"];

/// Words a unit's name does not contain: function words, roles (牵头部门, 有关单位), people
/// (班子成员) and generic levels (上级部门, 地方各级人民政府).
const NOT_IN_NAMES: &[&str] = &[
    "的",
    "要",
    "将",
    "把",
    "对",
    "在",
    "按",
    "并",
    "为",
    "是",
    "由",
    "从",
    "向",
    "请",
    "牵头",
    "责任",
    "有关",
    "相关",
    "成员",
    "协作",
    "职能",
    "主管",
    "上级",
    "下级",
    "同级",
    "本级",
    "政府部门",
    "部署",
    "会同",
    "跨部门",
    "安排",
    "下设",
];

/// Endings of gatherings and other words that end like a unit (in 会 or 社) but are not one.
const NOT_ENDINGS: &[&str] = &[
    "学习会",
    "座谈会",
    "推进会",
    "调度会",
    "协调会",
    "交流会",
    "培训会",
    "研讨会",
    "观摩会",
    "现场会",
    "大会",
    "例会",
    "社会",
    "机会",
    "晚会",
    "博览会",
    "运动会",
    "展会",
    "年会",
    "听证会",
    "发布会",
    "论证会",
    "评审会",
    "见面会",
    "茶话会",
    "洽谈会",
    "说明会",
    "通报会",
    "报告会",
    "动员会",
    "部署会",
    "全部",
    "内部",
    "外部",
    "局部",
    "干部",
];

/// Verbs a unit's name does not open with (组织参加…博览会 and 建立…中心 are work, not units);
/// 组织部 is a name.
const VERB_STARTS: &[&str] = &[
    "组织", "建立", "健全", "成立", "设立", "召开", "举办", "参加", "推动", "加强", "完善", "开展", "依托", "制定",
    "落实", "推进", "深化", "强化", "做好", "积极", "充分", "发挥", "支持", "鼓励", "引导", "配合", "协调", "指导",
    "培育", "打造", "争取", "筹建", "组建", "搭建", "创建", "引进", "提升", "加快", "推行", "推广", "实施", "出台",
    "印发", "研究",
];

/// Whether `name` looks like the name of a unit: Chinese, 2–25 characters, ending like one, not a
/// role or a level, and with 各 only at its start (各省级人民政府 is one name; 直属各部门 is not).
pub fn is_unit_name(name: &str) -> bool {
    ENDINGS.iter().any(|e| name.ends_with(e)) && name_like(name)
}

/// Whether an item's name is the name of a body (a unit, or a group such as 监督组 or 专家组,
/// which running text cannot tell from a word ending in 组 but an item's name can).
fn is_body_name(name: &str) -> bool {
    (ENDINGS.iter().any(|e| name.ends_with(e)) || name.ends_with('组')) && name_like(name)
}

/// What every name is: Chinese, 2–25 characters, not a role or a level, and with 各 only at its
/// start.
fn name_like(name: &str) -> bool {
    let n = name.chars().count();
    (2..=25).contains(&n)
        && !NOT_ENDINGS.iter().any(|e| name.ends_with(e))
        && name.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || "（）()".contains(c))
        && !NOT_IN_NAMES.iter().any(|w| name.contains(w))
        && !name.chars().skip(1).any(|c| c == '各')
        && !["省级", "市级", "县级", "地方", "区级"].iter().any(|l| name.starts_with(l))
        && (!VERB_STARTS.iter().any(|v| name.starts_with(v)) || name.starts_with("组织部"))
}

/// A unit name at the start of `s`, its length in bytes: the shortest run that ends like a unit
/// name, extended while a run up to three characters longer is one too (教育部 → 教育部门, 国务院 →
/// 国务院办公厅), or up to six when what follows does not open with a verb (甲省卫生健康委推行新办法
/// is not a unit ending in 办), unless what follows is a role word (甲部会同 is 甲部, not 甲部会).
pub fn unit_at_start(s: &str) -> Option<usize> {
    let ends: Vec<usize> = s.char_indices().map(|(i, c)| i + c.len_utf8()).take(25).collect();
    let first = ends.iter().position(|&e| is_unit_name(&s[..e]))?;
    let mut at = first;
    'extend: loop {
        if ROLE_WORDS.iter().any(|w| s[ends[at]..].starts_with(w)) {
            break;
        }
        let verb_next = {
            let rest = &s[ends[at]..];
            VERB_STARTS.iter().chain(DOING).any(|v| rest.starts_with(v))
        };
        for next in at + 1..(at + 7).min(ends.len()) {
            // Past three characters, only a run that is neither a verb's start nor a unit of its
            // own named with its level (区甲局区乙局 is two units glued; 区社会 + 事业中心 is one).
            let glued = |run: &str| is_unit_name(run) && PLACED.iter().any(|p| run.starts_with(p));
            if next > at + 3 && (verb_next || glued(&s[ends[at]..ends[next]])) {
                break;
            }
            if is_unit_name(&s[..ends[next]]) {
                at = next;
                continue 'extend;
            }
        }
        break;
    }
    Some(ends[at])
}

/// A list of unit names at the start of `s` (「甲局、乙委等部门，…」): the names and the length in
/// bytes of what they take, an unnamed tail (等部门) included.
pub fn units_at_start(s: &str) -> Option<(Vec<String>, usize)> {
    let mut names = Vec::new();
    let mut at = 0;
    loop {
        let end = at + unit_at_start(&s[at..])?;
        names.push(s[at..end].to_string());
        at = end;
        match s[at..].strip_prefix('、') {
            Some(rest) if unit_at_start(rest).is_some() => at += '、'.len_utf8(),
            _ => break,
        }
    }
    if let Some(m) = ETC_TAIL.find(&s[at..]) {
        at += m.end();
    }
    Some((names, at))
}

#[allow(clippy::expect_used)]
static ETC_TAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:等(?:有关|相关|其他)?(?:部门|单位|方面|机构)?(?:和单位)?|(?:和|及|以及)(?:相关|有关|其他)[^，。；、]{0,12}?(?:部门|单位|机构))")
            .expect("etc pattern")
});

/// How a sentence goes on after its subject when the subject is who does the work: a verb or
/// adverb of carrying work out.
const DOING: &[&str] = &[
    "对",
    "于",
    "在",
    "按",
    "依据",
    "根据",
    "负责",
    "牵头",
    "会同",
    "组织",
    "开展",
    "建立",
    "制定",
    "加强",
    "推进",
    "落实",
    "做好",
    "每",
    "定期",
    "结合",
    "围绕",
    "认真",
    "严格",
    "切实",
    "及时",
    "全面",
    "进一步",
    "积极",
    "统筹",
    "指导",
    "协调",
    "适时",
    "起草",
    "研究",
    "编制",
    "完善",
    "会商",
    "牵头组织",
    "抓好",
    "加快",
    "督促",
    "汇总",
    "承担",
    "将",
    "要",
    "应",
    "，",
];

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
    Regex::new(r"由(?P<who>[^，。；：由]{2,80}?)(?:牵头|负责|组织|起草|承担|统筹|按|统一)(?:负责|组织|抓总)?(?:[，、]\s*(?P<co>[^，。；：]{2,120}?)(?:配合|参与|协助|协同)(?:落实|实施)?)?")
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
static DATED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:(?:(?:19|20)\d{2}年)?(?:\d{1,2}月)?(?:底|末|中旬|上旬|下旬)?(?:前|以前|之前)",
        r"|(?:19|20)\d{2}年(?:上半年|下半年|年底|年内|内|底))，"
    ))
    .expect("dated pattern")
});
/// Whether the names are all kinds of department (「教育行政部门要…」, 「项目管理部门要…」), not
/// departments, which only a word of responsibility makes the ones who do the work.
fn kinds(names: &[String]) -> bool {
    names.iter().all(|n| n.ends_with("部门") && !PLACED.iter().chain(&["政府"]).any(|p| n.starts_with(p)))
}

/// How the name of one government's own unit begins: with its level.
const PLACED: &[&str] = &["区", "县", "市", "旗", "省", "镇", "乡", "街道", "国家", "国务院", "自治区", "中央"];

/// A collective that opens a sentence: 各省份, 各地, 各市（州）, 各三级公立医院 (not 各单位 or
/// 各部门, who are the addressees of every notice).
const COLLECTIVE: &str = r"各(?:省份|省（区、市）|地|地区|省|市|县|区|乡镇|街道|市（州）|县（市、区）|[^，。；、\s]{0,10}?(?:医院|学校|机构|企业))";
/// A date by which something is due: 2027年6月底前, 11月底前.
const DUE: &str = r"(?:(?:19|20)\d{2}年)?\d{1,2}月[^，。]{0,4}(?:前|以前|之前)";
#[allow(clippy::expect_used)]
static COLLECTIVE_DATED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"^(?:{DUE}，?(?P<who>{COLLECTIVE})|(?P<who2>{COLLECTIVE})[^。；]{{0,20}}?(?:于|在){DUE})"))
        .expect("collective-dated pattern")
});

#[allow(clippy::expect_used)]
static PHASE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[^，。；（]{2,12}阶段(?:（[^）]{0,40}）)?").expect("phase pattern"));
#[allow(clippy::expect_used)]
static BEARS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?P<who>[^，。；：]{2,40}?)是[^，。；]{0,30}?(?:责任主体|第一责任人|责任单位)")
        .expect("bears pattern")
});
#[allow(clippy::expect_used)]
static TRAP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"发挥牵头作用|牵头抓总|牵头部门|牵头单位|牵头作用").expect("trap pattern"));

/// The units a text names after 「会同」 (「X会同Y、Z…」, 「请X会同Y…」, 「会同Y…」).
fn with(text: &str) -> Vec<String> {
    text.match_indices("会同")
        .filter_map(|(at, w)| units_at_start(&text[at + w.len()..]))
        .flat_map(|(names, _)| names)
        .collect()
}

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
    // 「监督组。负责…」: an item named for a body, whose next sentence says what it is
    // responsible for.
    if let Some((name, rest)) = text.split_once('。')
        && is_body_name(name)
        && rest.split('。').next().is_some_and(|next| next.contains("负责") || next.contains("承担"))
    {
        explicit = true;
        c.lead.push(name.to_string());
    }
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
        // A phase's heading before its first sentence (「整改提高阶段（3月—11月）甲局将…」).
        let sentence = PHASE.find(sentence).map_or(sentence, |p| &sentence[p.end()..]);
        let body = DATED.find(sentence).map_or(sentence, |d| &sentence[d.end()..]);
        let dated = body.len() < sentence.len();
        if let Some(m) = SUBJECT.captures(body) {
            let modal = &m["modal"];
            let rest = &m["rest"];
            let generic_ok = modal != "要" && modal != "应" && modal != "应当" && modal != "将";
            let trap = TRAP.is_match(&body[m.get(0).map_or(0, |x| x.start())..]) && !rest.starts_with("会同");
            if let Some(who) = unit_list(&m["who"], generic_ok)
                && !(!generic_ok && !rest.starts_with("会同") && !rest.starts_with("牵头") && kinds(&who))
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
                        push(&mut c.cooperating, with(&whole));
                        push(&mut c.lead, who);
                    }
                }
                continue;
            }
        }
        // A later clause of the sentence whose subject is named with a word of responsibility
        // (「…由省级部门推荐，甲部会同乙委筛选确定」), or that makes it the one responsible
        // (「甲市政府是试点责任主体」).
        let later = body.match_indices(['，', ',']).find_map(|(at, w)| {
            let clause = &body[at + w.len()..];
            let m = SUBJECT.captures(clause)?;
            let strong = matches!(&m["modal"], "负责" | "牵头" | "会同" | "承担" | "具体负责");
            // 「经甲部会同…」: after 甲部 has done so (经济…, 经信局 and 经开区 are names).
            let who = m["who"]
                .strip_prefix('经')
                .filter(|w| !w.starts_with(['济', '信', '贸', '开', '管']))
                .unwrap_or(&m["who"]);
            unit_list(who, false).filter(|_| strong).map(|who| (who, with(&format!("{}{}", &m["modal"], &m["rest"]))))
        });
        let accountable = BEARS.captures(body).and_then(|m| unit_list(&m["who"], false));
        if let Some((who, co)) = later.or(accountable.map(|who| (who, Vec::new()))) {
            explicit = true;
            push(&mut c.lead, who);
            push(&mut c.cooperating, co);
            continue;
        }
        // Or a later clause that opens with units named with their level doing something
        // (「各单位于12月前向区督查室报送，区督查室按要求组织评选」).
        if let Some(names) = body.match_indices(['，', ',']).find_map(|(at, w)| {
            let clause = &body[at + w.len()..];
            let (names, end) = units_at_start(clause)?;
            let doing = DOING.iter().any(|d| *d != "，" && clause[end..].starts_with(d));
            let placed = names.iter().all(|n| PLACED.iter().any(|p| n.starts_with(p)));
            (doing && placed && !TRAP.is_match(clause)).then_some(names)
        }) && c.lead.is_empty()
        {
            push(&mut c.lead, names);
            continue;
        }
        // 「会同Y…」 with the subject left out: Y cooperates with whoever leads.
        push(&mut c.cooperating, with(body));
        if let Some(who) = sentence
            .match_indices('请')
            .find_map(|(at, w)| units_at_start(&sentence[at + w.len()..]))
            .map(|(names, _)| names)
        {
            explicit = true;
            push(&mut c.lead, who);
            continue;
        }
        // A sentence that opens with named units doing something (「区效能办将对…」,
        // 「甲局、乙委等部门依据…」), or a dated one with a named subject.
        if let Some((names, end)) = units_at_start(body)
            && !names.iter().any(|n| n.starts_with('各'))
            && !kinds(&names)
            && !TRAP.is_match(body)
            && (dated || DOING.iter().any(|d| body[end..].trim_start().starts_with(d)))
        {
            push(&mut c.lead, names);
        }
    }
    // Where no unit is named, a collective that is to do something by a date (「各省份于11月底前
    // 完成…」, 「2027年6月底前，各地建立…」) is who does it.
    if c.lead.is_empty() {
        let dated = text.split(['。', '；', ';']).find_map(|sentence| {
            let m = COLLECTIVE_DATED.captures(sentence.trim())?;
            m.name("who").or_else(|| m.name("who2")).map(|w| w.as_str().to_string())
        });
        if let Some(who) = dated {
            c.lead.push(who);
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
        assert_eq!(unit_at_start("甲省卫生健康委推行新办法"), Some("甲省卫生健康委".len()));
        assert_eq!(unit_at_start("教育部门组织开展"), Some("教育部门".len()));
        assert_eq!(unit_at_start("国务院办公厅要适时督查"), Some("国务院办公厅".len()));
        assert_eq!(unit_at_start("完善制度"), None);
        // A name is not run on over a second name glued to it.
        assert_eq!(unit_at_start("区经济发展局区行政审批局"), Some("区经济发展局".len()));
        assert!(is_unit_name("人力资源社会保障部"));
        assert!(!is_unit_name("加强组织领导"));
        assert!(!is_unit_name("区政府理论学习会"));
        assert!(!is_unit_name("区社会"));
        assert!(!is_unit_name("全市医院全部"));
        assert!(!is_unit_name("领导小组下设办公室"));
        assert!(is_unit_name("区社会事业中心"));
    }

    #[test]
    fn roles_in_running_text_are_read() {
        assert_eq!(lead_coop("此项工作由甲局牵头，乙委、丙办配合。"), (v(&["甲局"]), v(&["乙委", "丙办"])));
        assert_eq!(lead_coop("甲部负责制定实施细则。"), (v(&["甲部"]), v(&[])));
        assert_eq!(lead_coop("甲部要会同乙委做好指导工作。"), (v(&["甲部"]), v(&["乙委"])));
        assert_eq!(lead_coop("甲部要会同有关方面做好总结工作。"), (v(&["甲部"]), v(&[])));
        assert_eq!(lead_coop("请甲部、乙委在2月底前完成。"), (v(&["甲部", "乙委"]), v(&[])));
        assert_eq!(lead_coop("2027年3月底前，甲省卫生健康委推行新办法。"), (v(&["甲省卫生健康委"]), v(&[])));
        assert_eq!(lead_coop("甲局配合乙委开展调查。"), (v(&["乙委"]), v(&["甲局"])));
        assert_eq!(lead_coop("政府督查室要牵头每月通报一次。"), (v(&["政府督查室"]), v(&[])));
        // A sentence that opens with named units doing something.
        assert_eq!(lead_coop("区效能办将对各部门开展调度。"), (v(&["区效能办"]), v(&[])));
        assert_eq!(lead_coop("甲局、乙委等部门依据法规清理事项。"), (v(&["甲局", "乙委"]), v(&[])));
        assert_eq!(lead_coop("请甲部会同乙局、丙委于3月底前完成。"), (v(&["甲部"]), v(&["乙局", "丙委"])));
        assert_eq!(lead_coop("工作方案由甲局、乙中心起草。"), (v(&["甲局", "乙中心"]), v(&[])));
        // 由X followed by how it does the work; clauses parted by half-width commas.
        assert_eq!(lead_coop("完善材料，统一由区迎检办按要求上传。"), (v(&["区迎检办"]), v(&[])));
        assert_eq!(lead_coop("各部门要在2日内落实;对调研中的事项,县政府办在1日内分解。"), (v(&["县政府办"]), v(&[])));
        // A government's own department of a kind is one.
        assert_eq!(lead_coop("政府行政审批部门要压缩审批时限。"), (v(&["政府行政审批部门"]), v(&[])));
        // Where no unit is named, a collective due to do something by a date.
        assert_eq!(lead_coop("各省份于11月底前完成考核，并报送甲部。"), (v(&["各省份"]), v(&[])));
        assert_eq!(lead_coop("要强化领导。2027年6月底前各省份要出台方案。"), (v(&["各省份"]), v(&[])));
        assert_eq!(lead_coop("各学校对照清单，在9月底前完成自查。"), (v(&["各学校"]), v(&[])));
        assert_eq!(lead_coop("各单位于4月前报送自查表。"), (v(&[]), v(&[])));
        // An item named for a body, then what it is responsible for.
        assert_eq!(lead_coop("评审组。负责审定名单，及时反馈。"), (v(&["评审组"]), v(&[])));
        assert_eq!(lead_coop("评审组。由各地推荐专家组成。"), (v(&[]), v(&[])));
        // A later clause's subject named with a word of responsibility, after 经 or not.
        assert_eq!(lead_coop("名单由各地推荐，甲部会同乙委、丙局审定。"), (v(&["甲部"]), v(&["乙委", "丙局"])));
        assert_eq!(lead_coop("方案报送后，经甲部会同有关部门审核通过后实施。"), (v(&["甲部"]), v(&[])));
        // The one made accountable, and a subject dated by a half year.
        assert_eq!(lead_coop("试点县政府是这项工作的责任主体，要抓好落实。"), (v(&["试点县政府"]), v(&[])));
        assert_eq!(lead_coop("2027年上半年，试点县政府印发细则。"), (v(&["试点县政府"]), v(&[])));
        // A later clause opening with a unit named with its level, doing something; a phase's
        // heading before the sentence.
        assert_eq!(lead_coop("各单位于5月前向区督查室报送，区督查室按要求组织评选。"), (v(&["区督查室"]), v(&[])));
        assert_eq!(lead_coop("整改阶段（3月—11月）县效能办将对各单位开展调度。"), (v(&["县效能办"]), v(&[])));
    }

    #[test]
    fn traps_are_not_assignments() {
        for t in [
            "甲局要发挥牵头作用，做好衔接。",
            "各地区、各部门要加强组织领导。",
            "牵头部门要加强协调。",
            "组织部门牵头抓总。",
            "各项目牵头单位要落实责任。",
            "财政、发展改革等部门要加大支持。",
            "建立由甲部门牵头的联席会议制度。",
            "组织参加第二届旅游博览会。",
            "健全行业协会组织。",
            "区政府常务会议集体讨论重大事项。",
            "地方各级人民政府要加强领导。",
            "直属各部门要严格执行。",
            "教育行政部门、发展改革部门要加强统筹。",
            "项目管理部门要加强事中事后监管。",
            "各单位在自查的基础上，找准问题所在，落实整改。",
            "各单位要及时报告，主办部门于次日反馈。",
        ] {
            assert_eq!(lead_coop(t), (vec![], vec![]), "{t}");
        }
    }
}
