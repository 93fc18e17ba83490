//! Prints what the importer reads from a document, for developing it:
//!
//!     cargo run -p duban-import --example preview -- FILE [--lines]
//!
//! One line per task (number, lead, cooperating, deadline, the start of its text), then the
//! document's title, 文号, date and issuer; `--lines` prints the lines the parser was given first.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a tool for developers

use duban_import::{Names, Options, import, read};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let file = args.first().expect("a file");
    let bytes = std::fs::read(file).unwrap();
    if args.iter().any(|a| a == "--lines")
        && let Ok(read::Content::Lines(lines)) = read::read(&bytes, file)
    {
        for l in lines {
            println!("| {l}");
        }
    }
    let opts = Options { fallback_year: 2026, ..Options::default() };
    let p = import(&bytes, file, &opts, &Names::default()).unwrap();
    for t in &p.tasks {
        let text: String = t.text.chars().take(40).collect();
        println!(
            "{:<12} L={:?} C={:?} D={} {}{}",
            format!(
                "{}{}",
                t.path.iter().map(|p| p.chars().take(4).collect::<String>()).collect::<Vec<_>>().join("/"),
                t.number
            ),
            t.lead,
            t.cooperating,
            t.deadline.map(|d| d.to_string()).unwrap_or_default(),
            text,
            if t.warnings.is_empty() {
                String::new()
            } else {
                format!("  {:?}", t.warnings.iter().map(|w| w.code).collect::<Vec<_>>())
            }
        );
    }
    println!("{} tasks; {:?}", p.tasks.len(), p.document);
}
