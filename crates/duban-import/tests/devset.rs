//! The importer on its development set (issue 11): real task-assignment documents labelled by
//! hand (`tests/devset/*.json`, see `tests/common/devset.rs` for the format), read with no unit
//! directory, as a supervision office receiving a document from another government would.
//!
//! Prints, per document and over all of them, the share of labelled tasks found, found with the
//! right lead and cooperating units, with the right lead, and with the right deadline (of those
//! the document dates), the number of tasks found against the number labelled, and whether the
//! title, 文号 and date were read. The assertions are floors at the figures reached so far, so a
//! change that reads fewer documents right fails; raise them as the importer improves.
//!
//! The seeds' texts are in `fixtures/seeds/`; the corpus's are only in `../shared/corpus/`
//! (never copied here): without `../shared` those documents are skipped with a note, and under
//! `CI=true` their absence fails the test.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

#[path = "common/devset.rs"]
mod devset;

use devset::{DocLabels, Found, Score, same_title, score};
use duban_import::{Names, Options, import};
use std::io::Write;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The text of a labelled document, or `None` (after saying so) when only `../shared` has it and
/// it is absent.
fn document(file: &str) -> Option<Vec<u8>> {
    let seed = root().join("fixtures/seeds").join(file);
    if seed.is_file() {
        return Some(std::fs::read(seed).unwrap());
    }
    let corpus = root().join("../shared/corpus").join(file);
    if corpus.is_file() {
        return Some(std::fs::read(corpus).unwrap());
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{} must be present under CI=true: the development set may not be skipped",
        corpus.display()
    );
    let _ = writeln!(std::io::stderr(), "skipped: {} is absent", corpus.display());
    None
}

fn pct(a: usize, b: usize) -> String {
    if b == 0 { "—".into() } else { format!("{:.0} %", 100.0 * a as f64 / b as f64) }
}

#[test]
fn development_set() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/devset");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "the development set has {} documents", files.len());
    let mut total = Score::default();
    let (mut docs, mut within, mut meta_ok, mut meta_all) = (0, 0, 0, 0);
    let mut out = String::from(
        "| document | labelled | found | tasks found | lead + cooperating | lead | deadline | title · 文号 · date |\n|---|---|---|---|---|---|---|---|\n",
    );
    for path in &files {
        let labels: DocLabels = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        let Some(bytes) = document(&labels.file) else { continue };
        let opts = Options { fallback_year: 2026, ..Options::default() };
        let preview = import(&bytes, &labels.file, &opts, &Names::default()).unwrap();
        let found: Vec<Found<'_>> = preview
            .tasks
            .iter()
            .map(|t| Found {
                text: format!("{}{}", t.number, t.text),
                lead: &t.lead,
                coop: &t.cooperating,
                deadline: t.deadline,
            })
            .collect();
        let s = score(&labels.tasks, &found);
        let d = &preview.document;
        let meta = [
            same_title(&labels.title_pieces, &d.title),
            labels.doc_number.is_none() || labels.doc_number == d.doc_number,
            labels.issued.is_none() || labels.issued == d.issued,
        ];
        meta_ok += meta.iter().filter(|m| **m).count();
        meta_all += meta.len();
        let mark = |b: bool| if b { "✓" } else { "✗" };
        out += &format!(
            "| {} | {} | {} | {} | {} | {} | {}/{} | {} {} {} |\n",
            labels.file.chars().take(40).collect::<String>(),
            s.labelled,
            s.found,
            pct(s.matched, s.labelled),
            pct(s.units, s.labelled),
            pct(s.lead, s.labelled),
            s.deadlines,
            s.dated,
            mark(meta[0]),
            mark(meta[1]),
            mark(meta[2]),
        );
        if std::env::var_os("DEVSET_SHOW").is_some() {
            for w in &s.wrong {
                let _ = writeln!(std::io::stderr(), "{}: {w}", labels.file);
            }
            for e in &s.extra {
                let _ = writeln!(std::io::stderr(), "{}: found, not labelled: {e}", labels.file);
            }
        }
        if !s.missed.is_empty() {
            let _ = writeln!(std::io::stderr(), "{}: not found {}", labels.file, s.missed.join(" "));
        }
        docs += 1;
        within += usize::from(s.found.abs_diff(s.labelled) * 10 <= s.labelled);
        total.add(&s);
    }
    out += &format!(
        "| **{docs} documents** | {} | {} | **{}** | **{}** | **{}** | {}/{} ({}) | {meta_ok}/{meta_all} |\n",
        total.labelled,
        total.found,
        pct(total.matched, total.labelled),
        pct(total.units, total.labelled),
        pct(total.lead, total.labelled),
        total.deadlines,
        total.dated,
        pct(total.deadlines, total.dated),
    );
    out += &format!(
        "\nOf {} labelled tasks, {} found, {} with the right lead and cooperating units, {} with the right lead. Task count within 10 % of the labels: {within} of {docs} documents. Of the {} labelled tasks with a lead unit, {} found with the right lead ({}).\n",
        total.labelled,
        total.matched,
        total.units,
        total.lead,
        total.with_lead,
        total.lead_of_with_lead,
        pct(total.lead_of_with_lead, total.with_lead)
    );
    let _ = writeln!(std::io::stderr(), "\n{out}");
    if docs < files.len() {
        return; // without ../shared the floors, set on every document, do not apply
    }
    // Floors: the goal of issue 11 (found 95 %, units and lead 90 %), found and deadlines where
    // they are above it.
    let at_least = |what: &str, got: usize, of: usize, floor: f64| {
        let share = got as f64 / of.max(1) as f64;
        assert!(share >= floor, "{what}: {got}/{of} = {share:.3}, below the floor {floor}");
    };
    at_least("tasks found", total.matched, total.labelled, FLOOR_FOUND);
    at_least("lead and cooperating units", total.units, total.labelled, FLOOR_UNITS);
    at_least("lead", total.lead, total.labelled, FLOOR_LEAD);
    at_least("deadlines", total.deadlines, total.dated, FLOOR_DEADLINES);
}

const FLOOR_FOUND: f64 = 0.98;
const FLOOR_UNITS: f64 = 0.90;
const FLOOR_LEAD: f64 = 0.90;
const FLOOR_DEADLINES: f64 = 0.95;
