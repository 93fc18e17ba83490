//! Fuzzes the importer's readers: plain text (any encoding), .docx, .xlsx/.xls, .csv and HTML.
//! The first byte picks the file name the bytes are read as; the rest is the file. The
//! importer must return a preview or an error, never panic.

#![no_main]

use duban_domain::org::UnitDirectory;
use duban_import::{Names, Options, import};
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static NAMES: LazyLock<Names> = LazyLock::new(|| {
    UnitDirectory::from_toml(include_str!("../../data/units/naiman.toml"))
        .map(|d| Names::from_directory(&d))
        .unwrap_or_default()
});

const FILES: &[&str] = &["doc.txt", "doc.docx", "ledger.xlsx", "ledger.xls", "ledger.csv", "page.html"];

/// libfuzzer-sys aborts on any panic, even one the importer catches at its boundary with a
/// third-party parser. Restore the default hook: a panic that escapes `import` still unwinds
/// into libfuzzer-sys's own catch and aborts there, so real crashes are still found.
static DEFAULT_HOOK: std::sync::Once = std::sync::Once::new();

fuzz_target!(|data: &[u8]| {
    DEFAULT_HOOK.call_once(|| {
        let _ = std::panic::take_hook();
    });
    let Some((&pick, bytes)) = data.split_first() else { return };
    let file = FILES[pick as usize % FILES.len()];
    let opts = Options { fallback_year: 2026, ..Options::default() };
    let _ = import(bytes, file, &opts, &NAMES);
});
