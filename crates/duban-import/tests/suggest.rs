//! How well the lead-unit suggester does on seed 003, by 10-fold cross-validation: each task's
//! lead unit is predicted by a model trained on the other nine tenths. The figures are recorded
//! in BENCHMARKS.md; the test holds them above a floor.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use duban_domain::org::UnitDirectory;
use duban_import::suggest::{Suggester, cross_validate};
use duban_import::{Names, Options, import};

/// (text, canonical lead) for every task; with `headings`, the section headings lead the text.
fn examples_with(headings: bool) -> Vec<(String, String)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/seeds/003_70bf524fbdd19580.txt");
    let bytes = std::fs::read(path).unwrap();
    let names =
        Names::from_directory(&UnitDirectory::from_toml(include_str!("../../../data/units/naiman.toml")).unwrap());
    let p = import(&bytes, "003.txt", &Options { fallback_year: 2026, ..Options::default() }, &names).unwrap();
    // Canonical names, so 旗住建局 and 旗住房和城乡建设局 are one label.
    p.tasks
        .iter()
        .filter_map(|t| {
            let lead = t.lead.first()?;
            let canonical = names.resolve(lead).map_or(lead.clone(), |k| k.canonical.clone());
            let text = if headings { format!("{} {}", t.path.join(" "), t.text) } else { t.text.clone() };
            Some((text, canonical))
        })
        .collect()
}

fn examples() -> Vec<(String, String)> {
    examples_with(true)
}

#[test]
fn the_suggester_finds_the_lead_unit_of_seed_003_tasks_it_has_not_seen() {
    let ex = examples();
    assert_eq!(ex.len(), 274);
    let (top1, top3, n) = cross_validate(&ex, 10);
    eprintln!(
        "seed 003, 10-fold cross-validation over {n} tasks: top-1 {:.1}%, top-3 {:.1}%",
        top1 * 100.0,
        top3 * 100.0
    );
    // The most frequent lead alone (旗行政审批和政务服务局) would score this as top-1:
    let majority = ex.iter().filter(|(_, l)| l == "旗行政审批和政务服务局").count() as f64 / ex.len() as f64;
    assert!(top1 > majority + 0.1, "top-1 {top1:.3} should beat always guessing the most common lead ({majority:.3})");
    assert!(top3 >= 0.70, "top-3 {top3:.3}");
}

#[test]
fn the_task_text_alone_still_points_to_the_lead() {
    let (top1, top3, n) = cross_validate(&examples_with(false), 10);
    eprintln!(
        "seed 003, text only, 10-fold cross-validation over {n} tasks: top-1 {:.1}%, top-3 {:.1}%",
        top1 * 100.0,
        top3 * 100.0
    );
    assert!(top3 >= 0.65, "top-3 {top3:.3}");
}

#[test]
fn a_hand_typed_task_gets_three_plausible_leads() {
    let ex = examples();
    let model = Suggester::train(ex.iter().map(|(t, l)| (t.as_str(), l.as_str())));
    let got = model.suggest("加快增值税留抵退税办理，压缩出口退税时间", 3);
    assert_eq!(got.len(), 3);
    assert_eq!(got[0].0, "国家税务总局奈曼旗税务局");
    let got = model.suggest("推进不动产登记与水电气暖过户联动办理", 3);
    assert!(got.iter().any(|(l, _)| l == "旗自然资源局"), "{got:?}");
}
