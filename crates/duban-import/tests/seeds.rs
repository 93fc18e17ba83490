//! The importer on the seed documents in `fixtures/seeds/` (copies of `../shared/seeds/`).
//!
//! Seed 003 has 274 tasks: 201 numbered items in the body and 73 in its 10 annexes. Its units
//! are checked against an independent, deliberately plain reading of the document (one line per
//! item, the clause split on its keys), and its deadlines against a table checked by hand
//! against the text.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use duban_domain::org::UnitDirectory;
use duban_import::{Names, Options, ParsedTask, Preview, WarningCode, import};
use std::collections::HashMap;

fn seed(name: &str) -> (Vec<u8>, String) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/seeds/");
    let path = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("the seeds must be in the repository at {dir}: {e}"))
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(name))
        .unwrap();
    (std::fs::read(&path).unwrap(), path.file_name().unwrap().to_string_lossy().to_string())
}

fn names() -> Names {
    Names::from_directory(&UnitDirectory::from_toml(include_str!("../../../data/units/naiman.toml")).unwrap())
}

fn preview(name: &str) -> Preview {
    let (bytes, file) = seed(name);
    import(&bytes, &file, &Options { fallback_year: 2026, ..Options::default() }, &names()).unwrap()
}

fn find<'a>(p: &'a Preview, annex: Option<u32>, number: &str) -> &'a ParsedTask {
    p.tasks
        .iter()
        .find(|t| t.annex == annex && t.number == number)
        .unwrap_or_else(|| panic!("no task {annex:?} {number}"))
}

#[test]
fn seed_003_has_274_tasks_201_in_the_body_and_73_in_ten_annexes() {
    let p = preview("003");
    assert_eq!(p.tasks.len(), 274);
    let mut per_annex: HashMap<Option<u32>, usize> = HashMap::new();
    for t in &p.tasks {
        *per_annex.entry(t.annex).or_default() += 1;
    }
    let expected = [
        (None, 201),
        (Some(1), 4),
        (Some(2), 7),
        (Some(3), 5),
        (Some(4), 4),
        (Some(5), 6),
        (Some(6), 9),
        (Some(7), 7),
        (Some(8), 11),
        (Some(9), 7),
        (Some(10), 13),
    ];
    assert_eq!(per_annex, expected.into_iter().collect());
    let body: Vec<&str> = p.tasks.iter().filter(|t| t.annex.is_none()).map(|t| t.number.as_str()).collect();
    let numbered: Vec<String> = (1..=201).map(|n| format!("（{n}）")).collect();
    assert_eq!(body, numbered);
}

#[test]
fn seed_003_document_facts_are_read() {
    let p = preview("003");
    assert_eq!(p.document.title, "奈曼旗落实通辽市优化营商环境攻坚年行动实施方案");
    assert_eq!(p.document.issued.unwrap().to_string(), "2022-03-18");
    assert_eq!(p.document.doc_number, None);
    assert_eq!(p.document.issuer, "中共奈曼旗委员会办公室 奈曼旗人民政府办公室");
}

/// (annex, number as printed) → (lead units, cooperating units), names without the 旗 prefix.
type Reading = HashMap<(Option<u32>, String), (Vec<String>, Vec<String>)>;

/// A plain reading of the document: each item line with its clause, by annex and number.
fn plain_reading() -> Reading {
    let (bytes, _) = seed("003");
    let text = String::from_utf8(bytes).unwrap();
    let mut annex = None;
    let mut out = HashMap::new();
    let towns = "各苏木乡镇场、街道";
    for line in text.lines().map(str::trim) {
        if let Some(n) = line.strip_prefix("附件").and_then(|n| n.parse::<u32>().ok()) {
            annex = Some(n);
            continue;
        }
        let at = ["（牵头单位", "(牵头单位", "（责任单位", "(责任单位"].iter().filter_map(|k| line.rfind(k)).max();
        let Some(at) = at else { continue };
        let number: String = {
            let end = line.find(['）', '.']).unwrap() + if line.starts_with('（') { "）".len() } else { ".".len() };
            line[..end].to_string()
        };
        let clause = line[at..].trim_start_matches(['（', '(']).trim_end_matches(['）', ')']).replace(towns, "\u{1}");
        let clause = clause.replace("，责任单位", "；责任单位");
        let (mut lead, mut resp) = (Vec::new(), Vec::new());
        for field in clause.split(['；', ';']) {
            let (key, value) = field.split_once(['：', ':']).unwrap_or(("", ""));
            let list: Vec<String> = value
                .split(['、', '，', ','])
                .map(|n| n.trim().trim_end_matches("等相关部门").replace('\u{1}', towns))
                .filter(|n| !n.is_empty())
                .map(|n| n.trim_start_matches('旗').to_string())
                .collect();
            match key.trim() {
                "牵头单位" => lead = list,
                "责任单位" => resp = list,
                _ => {}
            }
        }
        if lead.is_empty() {
            lead = resp.drain(..1.min(resp.len())).collect();
        }
        out.insert((annex, number), (lead, resp));
    }
    out
}

#[test]
fn seed_003_every_lead_and_cooperating_unit_is_right() {
    let p = preview("003");
    let plain = plain_reading();
    let missing: Vec<_> = p
        .tasks
        .iter()
        .filter(|t| !plain.contains_key(&(t.annex, t.number.clone())))
        .map(|t| (t.annex, &t.number))
        .collect();
    assert_eq!(plain.len(), 274, "the plain reading should see every item too; it misses {missing:?}");
    let bare = |v: &[String]| v.iter().map(|n| n.trim_start_matches('旗').to_string()).collect::<Vec<_>>();
    for t in &p.tasks {
        let (lead, coop) =
            plain.get(&(t.annex, t.number.clone())).unwrap_or_else(|| panic!("{:?} {}", t.annex, t.number));
        assert_eq!(&bare(&t.lead), lead, "lead of {:?} {}", t.annex, t.number);
        assert_eq!(&bare(&t.cooperating), coop, "cooperating of {:?} {}", t.annex, t.number);
        assert!(
            t.warnings.iter().all(|w| w.code != WarningCode::UnknownUnit),
            "{:?} {}: {:?}",
            t.annex,
            t.number,
            t.warnings
        );
    }
}

#[test]
fn seed_003_shared_prefixes_groups_and_flags_are_right() {
    let p = preview("003");
    let t = find(&p, None, "（3）");
    assert_eq!(t.cooperating, vec!["旗市场监管局", "旗公安局", "旗人社局", "旗住建局", "旗税务局"]);
    assert_eq!(t.targets, vec!["压缩至0.5个工作日以内"]);
    let t = find(&p, None, "（21）");
    assert_eq!(t.cooperating[..3], ["旗住建局", "国网奈曼供电公司", "旗自然资源局"]);
    let t = find(&p, None, "（13）");
    assert_eq!(t.lead, vec!["旗自然资源局", "旗气象局"]);
    assert!(t.warnings.iter().any(|w| w.code == WarningCode::MultipleLeads));
    let t = find(&p, None, "（169）");
    assert!(
        t.cooperating.contains(&"各苏木乡镇场、街道".to_string()) && t.cooperating.contains(&"旗检察院".to_string())
    );
    let t = find(&p, Some(2), "（五）");
    assert_eq!(t.lead, vec!["各苏木乡镇场、街道"]);
    assert!(t.warnings.iter().any(|w| w.code == WarningCode::LeadProposed));
    let t = find(&p, Some(9), "4.");
    assert_eq!(t.lead, vec!["旗委政法委", "旗区域经济合作和金融服务局", "人民银行奈曼支行"]);
    assert_eq!(t.cooperating, vec!["旗公安局", "旗人民法院", "旗检察院", "各银行业金融机构"]);
    let t = find(&p, Some(4), "（四）");
    assert_eq!(t.path, vec!["奈曼旗落实通辽市项目前期手续办理提速攻坚行动实施方案", "二、主要措施"]);
    let t = find(&p, None, "（1）");
    assert_eq!(t.path, vec!["二、重点任务", "（一）打造市场主体全生命周期服务链", "1.优化企业开办服务"]);
    assert!(t.text.starts_with("推行电子营业执照“一照通办”") && t.text.ends_with("电子签名。"));
}

#[test]
fn seed_003_every_deadline_is_right() {
    let p = preview("003");
    // Body items with a date in their text, checked by hand; every other body item has none.
    let body: HashMap<u32, &str> = [
        (1, "12-31"),
        (2, "12-31"),
        (3, "03-31"),
        (4, "06-30"),
        (5, "03-31"),
        (6, "06-30"),
        (7, "03-31"),
        (9, "09-30"),
        (18, "06-30"),
        (19, "06-30"),
        (20, "06-30"),
        (24, "12-31"),
        (29, "07-31"),
        (34, "12-31"),
        (36, "12-31"),
        (39, "07-31"),
        (40, "05-31"),
        (42, "12-31"),
        (43, "12-31"),
        (44, "12-31"),
        (46, "03-31"),
        (57, "08-31"),
        (87, "12-31"),
        (88, "12-31"),
        (105, "03-31"),
        (107, "04-30"),
        (112, "10-31"),
        (113, "06-30"),
        (119, "10-31"),
        (150, "10-31"),
        (154, "08-31"),
        (158, "12-31"),
        (173, "12-31"),
        (174, "03-31"),
        (180, "08-31"),
        (182, "10-31"),
    ]
    .into_iter()
    .collect();
    let ongoing = [25, 51, 97];
    // Annex items, in order: the 完成时限 of each (附件5 has none, but its item 4 says 年底前).
    let annex: [(u32, &str); 10] = [
        (1, "06-30 06-30 09-30 09-30"),
        (2, "03-31 03-31 03-31 06-30 03-31 03-31 06-30"),
        (3, "06-30 03-31 03-31 08-31 08-31"),
        (4, "03-31 12-31 12-31 12-31"),
        (5, "- - - 12-31 - -"),
        (6, "04-30 12-31 12-31 09-30 12-31 05-31 12-31 12-31 12-31"),
        (7, "12-31 12-31 12-31 12-31 12-31 12-31 12-31"),
        (8, "12-31 12-31 12-31 04-30 05-31 05-31 05-31 04-30 05-31 12-31 04-30"),
        (9, "12-31 12-31 12-31 12-31 12-31 12-31 12-31"),
        (10, "04-30 04-30 10-31 10-31 10-31 10-31 10-31 08-31 10-31 10-31 12-31 12-31 10-31"),
    ];
    let short = |t: &ParsedTask| t.deadline.map_or("-".to_string(), |d| format!("{:02}-{:02}", d.month(), d.day()));
    for t in p.tasks.iter().filter(|t| t.annex.is_none()) {
        let n: u32 = t.number.trim_matches(['（', '）']).parse().unwrap();
        assert_eq!(short(t), body.get(&n).copied().unwrap_or("-"), "deadline of （{n}）: {:?}", t.deadline_text);
        if let Some(d) = t.deadline {
            assert_eq!(d.year(), 2022);
        }
        let flagged = |c| t.warnings.iter().any(|w| w.code == c);
        assert_eq!(flagged(WarningCode::Ongoing), ongoing.contains(&n), "（{n}）");
        assert_eq!(flagged(WarningCode::NoDeadline), t.deadline.is_none() && !ongoing.contains(&n), "（{n}）");
    }
    for (a, expected) in annex {
        let got: Vec<String> = p.tasks.iter().filter(|t| t.annex == Some(a)).map(short).collect();
        assert_eq!(got.join(" "), expected, "附件{a}");
    }
    let t = find(&p, Some(3), "1.");
    assert_eq!(t.deadline_text.as_deref(), Some("4月底前完成任务指标70%，6月底前完成任务指标的100%"));
    let ms: Vec<(String, &str)> = t.milestones.iter().map(|m| (m.due.to_string(), m.text.as_str())).collect();
    assert_eq!(
        ms,
        vec![
            ("2022-04-30".to_string(), "4月底前完成任务指标70%"),
            ("2022-06-30".to_string(), "6月底前完成任务指标的100%")
        ]
    );
    assert_eq!(t.targets, vec!["新增注册用户6万人"]);
    let t = find(&p, None, "（6）");
    assert_eq!(t.milestones.iter().map(|m| m.due.to_string()).collect::<Vec<_>>(), vec!["2022-03-31", "2022-06-30"]);
    assert_eq!(find(&p, None, "（25）").deadline_text.as_deref(), Some("2022年起"));
    assert_eq!(find(&p, None, "（88）").targets, vec!["达到90%以上"]);
    assert!(p.tasks.iter().all(|t| t.warnings.iter().all(|w| w.code != WarningCode::DeadlineBeforeIssue)));
}

#[test]
fn every_seed_imports_without_an_error() {
    let n000 = preview("000");
    assert_eq!(n000.document.doc_number.as_deref(), Some("奈政字〔2025〕43号"));
    assert_eq!(n000.document.title, "奈曼旗政府效能提升行动方案");
    assert_eq!(n000.document.issuer, "奈曼旗人民政府");
    let n001 = preview("001");
    assert_eq!(n001.document.doc_number.as_deref(), Some("鄂前政发〔2021〕1号"));
    assert_eq!(n001.document.title, "进一步提升政务工作创造力执行力公信力十五条措施");
    assert_eq!(n001.document.issued.map(|d| d.to_string()).as_deref(), Some("2021-01-01"));
    let n002 = preview("002");
    assert_eq!(n002.document.issued, None);
    let n004 = preview("004");
    assert_eq!(n004.document.doc_number.as_deref(), Some("伊政办发〔2024〕14号"));
    assert_eq!(n004.document.title, "提升政府系统执行力和行政效能九条措施");
    assert_eq!(n004.document.issued.map(|d| d.to_string()).as_deref(), Some("2024-03-06"));
    assert_eq!(n004.document.issuer, "伊金霍洛旗人民政府办公室");
    // These documents set out measures without naming units item by item: each lowest-level
    // measure is a draft task, flagged where it names no lead unit (issue 11).
    assert_eq!(n001.tasks.len(), 15);
    assert_eq!(
        n001.tasks.iter().map(|t| t.number.as_str()).collect::<Vec<_>>(),
        (1..=15).map(|n| format!("{n}.")).collect::<Vec<_>>()
    );
    assert_eq!(n004.tasks.len(), 9);
    assert_eq!(n004.tasks[8].number, "九、");
    for p in [&n000, &n001, &n002, &n004] {
        assert!(!p.tasks.is_empty(), "{}", p.document.title);
        for t in &p.tasks {
            assert_eq!(t.lead.is_empty(), t.warnings.iter().any(|w| w.code == WarningCode::NoLead), "{t:?}");
        }
    }
}
