//! The shipped unit directory (`data/units/naiman.toml`) names every unit and group that seed
//! 003 makes responsible for a task, under some spelling: every name in every
//! 「牵头单位：…；责任单位：…」 of the document resolves to exactly one unit or group.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use duban_domain::org::UnitDirectory;

const DIRECTORY: &str = include_str!("../../../data/units/naiman.toml");

fn seed_003() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/seeds/003_70bf524fbdd19580.txt");
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("seed 003 must be in the repository at {path}: {e}"))
}

/// Every responsible-unit name in seed 003, as written, with the list's 旗 prefix where the
/// first name has it («旗市场监管局、公安局» names 旗公安局).
fn names_in_seed() -> Vec<String> {
    let text = seed_003();
    let mut out = Vec::new();
    for (i, _) in text.match_indices("牵头单位") {
        // Only the parenthesised responsibility clauses, not the words in running text.
        if !(text[..i].ends_with('（') || text[..i].ends_with('(')) {
            continue;
        }
        let rest = &text[i..];
        let end = rest.find(['）', ')']).unwrap_or(rest.len());
        let body = &rest[..end];
        let body = body.split("完成时限").next().unwrap().split("完成时间").next().unwrap();
        let body = body.replace("，责任单位", "；责任单位").replace(",责任单位", "；责任单位");
        for part in body.split(['；', ';']) {
            let part = part.trim().trim_start_matches("牵头单位").trim_start_matches("责任单位");
            let part = part.trim_start_matches(['：', ':', ' ']);
            // 「各苏木乡镇场、街道」 is one group even though a 、 sits inside it.
            const TOWNS: &str = "各苏木乡镇场、街道";
            let part = part.replace("各苏木乡镇场、街道办事处", "\u{1}").replace(TOWNS, "\u{1}");
            let mut prefix = "";
            for (k, name) in part.split(['、', '，', ',']).enumerate() {
                let name = name.trim().trim_end_matches("等相关部门").trim().replace('\u{1}', TOWNS);
                let name = name.as_str();
                if name.is_empty() {
                    continue;
                }
                if k == 0 {
                    prefix = if name.starts_with('旗') { "旗" } else { "" };
                }
                let name = if name.starts_with('旗') || name.starts_with('各') {
                    name.to_string()
                } else {
                    format!("{prefix}{name}")
                };
                out.push(name);
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn every_unit_named_in_seed_003_is_in_the_directory() {
    let dir = UnitDirectory::from_toml(DIRECTORY).unwrap();
    let index = dir.index().unwrap();
    let names = names_in_seed();
    assert!(names.len() > 80, "found only {} names", names.len());
    let missing: Vec<&String> = names
        .iter()
        .filter(|n| !index.contains_key(n.as_str()) && !index.contains_key(n.trim_start_matches('旗')))
        .collect();
    assert!(missing.is_empty(), "not in data/units/naiman.toml: {missing:?}");
}

#[test]
fn the_directory_groups_the_documents_use_expand_to_members() {
    let dir = UnitDirectory::from_toml(DIRECTORY).unwrap();
    for g in &dir.groups {
        let members = dir.members_of(g);
        if g.name != "相关企业" {
            assert!(!members.is_empty(), "{} has no members", g.name);
        }
    }
    let towns = dir.groups.iter().find(|g| g.name == "各苏木乡镇场、街道").unwrap();
    assert!(dir.members_of(towns).contains(&"大沁他拉街道"));
}
