//! The conventions of real task-assignment documents (issue 11), each on a small document
//! written for the test in the shape real ones take (the real ones are in the development set,
//! `tests/devset.rs`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use duban_import::{Names, Options, ParsedTask, Preview, WarningCode, import_text};

fn read(text: &str) -> Preview {
    import_text(text, &Options { fallback_year: 2026, ..Options::default() }, &Names::default())
}

/// A task's lead and cooperating units.
type Units<'a> = (Vec<&'a str>, Vec<&'a str>);

fn units(t: &ParsedTask) -> Units<'_> {
    (t.lead.iter().map(String::as_str).collect(), t.cooperating.iter().map(String::as_str).collect())
}

fn has(t: &ParsedTask, code: WarningCode) -> bool {
    t.warnings.iter().any(|w| w.code == code)
}

/// An opinion in the State Council's shape: goals and principles first, measures ending in the
/// units responsible, a paragraph with two measures, a closing paragraph and the signature.
const OPINION: &str = "某部门关于推进示范工作的意见
各省、自治区、直辖市人民政府：
为推进示范工作，现提出以下意见：
一、总体要求
（一）指导思想。以新思想为指导，推动工作高质量发展。
（二）基本原则。
坚持问题导向。从实际问题出发。
（三）发展目标。到2025年，示范工作总规模明显扩大。
二、主要任务
（四）发展示范赛事。着力发展各类赛事，建立联赛制度。（甲总局、乙部负责）
（五）引进重大活动。引进一批国际活动。（甲总局、冬奥组委负责）
（六）鼓励创新创业。推进商事制度改革。（市场监管总局负责）加强创新创业教育服务。（甲总局、教育部负责）
（七）完善投入机制。推动与资本市场对接。（甲总局牵头，人民银行、证监会按职责分工负责）
各地区、各有关部门要切实加强领导，确保落实到位。甲总局要会同有关方面做好跟踪评估。
某部门办公厅
2018年12月11日
（此件公开发布）
";

#[test]
fn an_opinion_yields_one_task_per_clause_and_none_for_its_principles() {
    let p = read(OPINION);
    let numbers: Vec<&str> = p.tasks.iter().map(|t| t.number.as_str()).collect();
    assert_eq!(numbers, ["（四）", "（五）", "（六）-1", "（六）-2", "（七）-1", "（七）-2"], "{:#?}", p.tasks);
    let t = &p.tasks[0];
    assert_eq!(units(t), (vec!["甲总局", "乙部"], vec![]));
    // Two units named with 负责 and no rule: both lead, flagged for the office to choose.
    assert!(has(t, WarningCode::LeadNotMarked));
    assert!(t.text.starts_with("发展示范赛事") && t.text.ends_with("建立联赛制度。"), "{}", t.text);
    assert_eq!(units(&p.tasks[2]), (vec!["市场监管总局"], vec![]));
    assert_eq!(p.tasks[3].text, "加强创新创业教育服务。");
    assert_eq!(units(&p.tasks[4]), (vec!["甲总局"], vec!["人民银行", "证监会"]));
    // The closing paragraph is not glued to the last measure, nor is the signature.
    assert!(!p.tasks[4].text.contains("各地区"));
    assert!(p.tasks.iter().all(|t| !t.text.contains("2018年12月11日") && !t.text.contains("此件")));
}

/// An efficiency plan: numbered measures with no units per item.
const PLAN: &str = "某旗提升行政效能十条措施
一、强化学习。班子成员每季度集体学习不少于1次。
二、提速办文。公文办理一般不超过3个工作日。
三、严格督办。政府督查室要牵头对重点工作每月通报一次。
四、保障措施
（一）加强组织领导。各部门要高度重视。
（二）强化考核问责。将落实情况纳入年度考核。
";

#[test]
fn a_plan_without_units_yields_its_measures_as_drafts_without_a_lead() {
    let p = read(PLAN);
    let numbers: Vec<&str> = p.tasks.iter().map(|t| t.number.as_str()).collect();
    assert_eq!(numbers, ["一、", "二、", "三、", "（一）", "（二）"], "{:#?}", p.tasks);
    for t in &p.tasks {
        assert_eq!(t.lead.is_empty(), has(t, WarningCode::NoLead));
    }
}

/// A county plan: label lines, 「——」 sub-items, a standing rule on leads stated only at the
/// end, an explicit pair of leads that overrides it, and a standing cooperating unit.
const COUNTY: &str = "某县营商环境提升工作方案
一、重点任务
（一）优化审批服务
1.推行网上办理。全面推行事项网上办理。
责任单位：县行政审批局牵头，县大数据中心等参与
完成时限：2023年6月底前
2.压缩办理时间。审批时间压缩一半。责任单位：县住建局、县自然资源局
3.开展联合验收。实行联合验收。（县住建局、县消防救援大队牵头负责）
（二）强化要素保障：
——保障用地。优先保障重点项目用地。（县自然资源局、县发改局）
——保障用电。以下均需各乡镇配合落实，不再列出。（县供电公司、县工信局）
（三）提升服务水平
4.建立包联制度。（县工信局、县商务局）
二、保障措施
各项任务排在第一位的为牵头单位。
";

#[test]
fn label_lines_dash_items_and_standing_rules_stated_at_the_end() {
    let p = read(COUNTY);
    let numbers: Vec<&str> = p.tasks.iter().map(|t| t.number.as_str()).collect();
    assert_eq!(numbers, ["1.", "2.", "3.", "——", "——", "4."], "{:#?}", p.tasks);
    // 「责任单位：A牵头，B等参与」 on a line of its own, and 完成时限 on the next.
    assert_eq!(units(&p.tasks[0]), (vec!["县行政审批局"], vec!["县大数据中心"]));
    assert_eq!(p.tasks[0].deadline.map(|d| d.to_string()).as_deref(), Some("2023-06-30"));
    // The rule at the end makes the first unit lead, in every task before it.
    assert_eq!(units(&p.tasks[1]), (vec!["县住建局"], vec!["县自然资源局"]));
    assert!(!has(&p.tasks[1], WarningCode::LeadProposed));
    // An explicit 「A、B牵头负责」 overrides the rule.
    assert_eq!(units(&p.tasks[2]), (vec!["县住建局", "县消防救援大队"], vec![]));
    assert_eq!(units(&p.tasks[3]), (vec!["县自然资源局"], vec!["县发改局"]));
    // 「以下均需…不再列出」 adds its unit to its own task and every one after it.
    assert_eq!(units(&p.tasks[4]), (vec!["县供电公司"], vec!["县工信局", "各乡镇"]));
    assert_eq!(units(&p.tasks[5]), (vec!["县工信局"], vec!["县商务局", "各乡镇"]));
}

/// A plan whose duties are headed by their units, with the numbering restarting under each.
const DUTIES: &str = "某区工作方案
一、工作措施
（一）开展筛查行动。各学校每学期开展两次筛查。
二、职责分工
（一）区卫健局1.建立健康档案。
2.开展健康教育，会同区教育局组织宣传。
（二）区市场监管局严格监管眼镜市场。
（三）学校
1.落实每日锻炼一小时。
2.减轻课业负担。
";

#[test]
fn units_heading_a_section_on_duties_lead_the_items_under_them() {
    let p = read(DUTIES);
    let got: Vec<(&str, Vec<&str>, Vec<&str>)> = p
        .tasks
        .iter()
        .map(|t| {
            let (l, c) = units(t);
            (t.number.as_str(), l, c)
        })
        .collect();
    assert_eq!(
        got,
        [
            ("（一）", vec![], vec![]),
            ("1.", vec!["区卫健局"], vec![]),
            ("2.", vec!["区卫健局"], vec!["区教育局"]),
            ("（二）", vec!["区市场监管局"], vec![]),
            ("1.", vec!["学校"], vec![]),
            ("2.", vec!["学校"], vec![]),
        ],
        "{:#?}",
        p.tasks
    );
}

/// A city plan whose tasks name their units and whose requirements, more numerous, do not.
const CITY: &str = "某市优化营商环境实施方案
一、重点任务
1.推行企业开办一日办结。（责任单位：市市场监管局、市税务局）
2.推进工程项目审批改革。（责任单位：市住建局）
3.实施不动产登记一窗受理。（责任单位：市自然资源局）
二、保障措施
（一）加强组织领导。各地各部门要高度重视。
（二）强化督促检查。定期通报工作进展。
（三）严格考核问责。纳入年度绩效考核。
（四）加强宣传引导。营造良好氛围。
";

#[test]
fn requirements_without_units_do_not_turn_a_ledger_into_a_list_of_measures() {
    let p = read(CITY);
    let numbers: Vec<&str> = p.tasks.iter().map(|t| t.number.as_str()).collect();
    assert_eq!(numbers, ["1.", "2.", "3."], "{:#?}", p.tasks);
    // In a plan that names no units at all, the same requirements are measures.
    let plan = read(
        &CITY
            .replace("（责任单位：市市场监管局、市税务局）", "")
            .replace("（责任单位：市住建局）", "")
            .replace("（责任单位：市自然资源局）", ""),
    );
    assert_eq!(plan.tasks.len(), 7, "{:#?}", plan.tasks);
}

#[test]
fn numbers_above_999_and_numbers_glued_to_the_unit_list_before_them() {
    let mut text = String::from("某县年度重点工作任务清单\n");
    for n in 998..=1001 {
        text.push_str(&format!("{n}.完成第{n}项工作。（县甲局负责）\n"));
    }
    let p = read(&text);
    let numbers: Vec<&str> = p.tasks.iter().map(|t| t.number.as_str()).collect();
    assert_eq!(numbers, ["998.", "999.", "1000.", "1001."]);
    // 「责任单位：县甲局2.推进…」: the next item's number glued to the units before it.
    let p = read("某县方案\n1.做好甲事。责任单位：县甲局2.做好乙事。责任单位：县乙局、县丙局\n");
    let got: Vec<(&str, Units<'_>)> = p.tasks.iter().map(|t| (t.number.as_str(), units(t))).collect();
    // A 责任单位 list without a lead: the first is proposed (and flagged), as in seed 003.
    assert_eq!(got, [("1.", (vec!["县甲局"], vec![])), ("2.", (vec!["县乙局"], vec!["县丙局"]))], "{:#?}", p.tasks);
    assert!(has(&p.tasks[1], WarningCode::LeadProposed));
}

#[test]
fn steps_of_a_dated_phase_are_due_when_the_phase_ends_unless_they_say_otherwise() {
    let p = read(
        "某区迎检工作方案\n岚某〔2027〕3号\n某区管委会办公室\n2027年3月1日\n三、工作步骤\n（一）准备阶段（2027年3月1日—3月28日）\n1.制定方案。由区甲局起草方案。\n2.部署动员。于3月10日前召开动员会。\n（二）自查阶段（2027年3月29日—2027年4月30日）\n1.开展自查。各单位全面自查。\n",
    );
    let due: Vec<(&str, Option<String>)> =
        p.tasks.iter().map(|t| (t.number.as_str(), t.deadline.map(|d| d.to_string()))).collect();
    assert_eq!(
        due,
        [("1.", Some("2027-03-28".into())), ("2.", Some("2027-03-10".into())), ("1.", Some("2027-04-30".into())),],
        "{:#?}",
        p.tasks
    );
}

/// A pilot plan: a section of scope whose items define rather than assign (only the one that
/// names who does it is a task), bodies named as items (评审组。负责…), a later clause that
/// names the lead (…，甲部会同乙委审定), a collective due by a date where no unit is named, and
/// kinds of department that are not units.
const PILOT: &str = "某部门试点工作方案
一、试点范围及形式
（一）参加单位。经批准的各类机构均可参加。
（二）入选标准。包括质量标准和服务标准。由甲联合办公室负责制定具体标准。
二、主要措施
（一）确定试点名单。名单由各地推荐，甲部会同乙委、丙局审定。
（二）开展年度考核。各省份于11月底前完成对辖区内试点的考核。
（三）加强监管。教育行政部门、发展改革部门要加强统筹。
三、组织形式
（一）评审组。负责审定名单，及时反馈意见。
";

#[test]
fn scopes_bodies_later_clauses_and_dated_collectives() {
    let p = read(PILOT);
    let numbers: Vec<&str> = p.tasks.iter().map(|t| t.number.as_str()).collect();
    assert_eq!(numbers, ["（二）", "（一）", "（二）", "（三）", "（一）"], "{:#?}", p.tasks);
    assert_eq!(units(&p.tasks[0]), (vec!["甲联合办公室"], vec![]));
    assert_eq!(units(&p.tasks[1]), (vec!["甲部"], vec!["乙委", "丙局"]));
    assert_eq!(units(&p.tasks[2]), (vec!["各省份"], vec![]));
    assert_eq!(p.tasks[2].deadline.map(|d| d.to_string()).as_deref(), Some("2026-11-30"));
    assert_eq!(units(&p.tasks[3]), (vec![], vec![]));
    assert!(has(&p.tasks[3], WarningCode::NoLead));
    assert_eq!(units(&p.tasks[4]), (vec!["评审组"], vec![]));
}

/// A provincial document read against a county's directory: its abbreviations (人社厅) and
/// collectives (各市、县（区）人民政府) are not in the directory; they are kept as written and
/// flagged; a name the directory knows under an alias is not flagged (the commit resolves it).
#[test]
fn units_of_another_government_are_kept_as_written_and_flagged() {
    let dir = Names::new([
        ("县人社局".to_string(), "县人社局".to_string(), false),
        ("县人力资源和社会保障局".to_string(), "县人社局".to_string(), false),
    ]);
    let text = "某省就业促进行动方案
一、主要任务
（一）扩大就业容量。落实援企稳岗政策。（人社厅、财政厅牵头，各市、县（区）人民政府负责）
（二）开展技能培训。每年培训10万人次。（县人力资源和社会保障局负责）
";
    let p = import_text(text, &Options { fallback_year: 2026, ..Options::default() }, &dir);
    let t = &p.tasks[0];
    assert_eq!(units(t), (vec!["人社厅", "财政厅"], vec!["各市、县（区）人民政府"]), "{:#?}", p.tasks);
    let unknown: Vec<&str> =
        t.warnings.iter().filter(|w| w.code == WarningCode::UnknownUnit).filter_map(|w| w.name.as_deref()).collect();
    assert_eq!(unknown, ["人社厅", "财政厅", "各市、县（区）人民政府"]);
    assert_eq!(units(&p.tasks[1]), (vec!["县人力资源和社会保障局"], vec![]));
    assert!(!has(&p.tasks[1], WarningCode::UnknownUnit));
}
