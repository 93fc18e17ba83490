//! Writes the development set's labels (issue 11) from labels written by hand with quotes.
//!
//!     cargo run -p duban-import --example devset_labels -- RAW.json…
//!
//! A hand label quotes the start of each task (and the document's title) so that a person can
//! check it against the document; the repository must not hold the documents' text, so what is
//! written to `crates/duban-import/tests/devset/` keeps only the quotes' anchors (hashes, see
//! `tests/common/devset.rs`), the units, the dates and the numbers.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a tool for developers: a bad file stops it

#[path = "../tests/common/devset.rs"]
mod devset;

use devset::{DocLabels, TaskLabel, anchor, pieces};
use jiff::civil::Date;
use serde::Deserialize;

#[derive(Deserialize)]
struct RawDoc {
    file: String,
    title: Option<String>,
    doc_number: Option<String>,
    issuer: Option<String>,
    issued: Option<Date>,
    year: i16,
    tasks: Vec<RawTask>,
}

#[derive(Deserialize)]
struct RawTask {
    /// None for an unnumbered paragraph.
    number: Option<String>,
    quote: String,
    lead: Vec<String>,
    coop: Vec<String>,
    deadline: Option<Date>,
    #[serde(default)]
    milestones: Vec<Date>,
    #[serde(default)]
    ongoing: bool,
}

fn main() {
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/devset");
    std::fs::create_dir_all(&out).unwrap();
    for path in std::env::args().skip(1) {
        let raw: RawDoc =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap_or_else(|e| panic!("{path}: {e}"));
        let labels = DocLabels {
            title_pieces: {
                let mut p: Vec<String> = raw.title.as_deref().map(pieces).unwrap_or_default().into_iter().collect();
                p.sort();
                p
            },
            doc_number: raw.doc_number,
            issuer: raw.issuer,
            issued: raw.issued,
            year: raw.year,
            tasks: raw
                .tasks
                .into_iter()
                .map(|t| TaskLabel {
                    number: t.number.unwrap_or_default(),
                    anchor: anchor(&t.quote),
                    lead: t.lead,
                    coop: t.coop,
                    deadline: t.deadline,
                    milestones: t.milestones,
                    ongoing: t.ongoing,
                })
                .collect(),
            file: raw.file,
        };
        let target = out.join(format!("{}.json", labels.file));
        std::fs::write(&target, serde_json::to_string_pretty(&labels).unwrap() + "\n").unwrap();
        println!("{}: {} tasks", target.display(), labels.tasks.len());
    }
}
