//! Fuzzes the importer's readers: plain text (any encoding), .docx, .xlsx/.xls, .csv and HTML.
//! The first byte picks the file name the bytes are read as; the rest is the file. The
//! importer must return a preview or an error, never panic, and never take more heap than
//! `duban_import::limits::MEMORY_CEILING` (512 MiB) above where it started: the global
//! allocator here (the `cap` crate) makes any allocation past that ceiling fail, which aborts
//! and so is reported as a crash with its input. CI's `-rss_limit_mb=1024` is the process-wide
//! backstop.

#![no_main]

use cap::Cap;
use duban_domain::org::UnitDirectory;
use duban_import::limits::MEMORY_CEILING;
use duban_import::{Names, Options, import};
use libfuzzer_sys::fuzz_target;
use std::alloc::System;
use std::sync::LazyLock;

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

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
    let names = &*NAMES;
    // The ceiling counts from here: the names and the input are already allocated.
    let _ = ALLOCATOR.set_limit(ALLOCATOR.allocated().saturating_add(MEMORY_CEILING));
    let _ = import(bytes, file, &opts, names);
    let _ = ALLOCATOR.set_limit(usize::MAX);
});
