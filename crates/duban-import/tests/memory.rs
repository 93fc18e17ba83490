//! The importer's memory ceiling (issue 9): reading any hostile file, or any seed of the
//! fuzzer's corpus, may not raise the heap more than [`MEMORY_CEILING`] above where it started.
//! The global allocator here (the `cap` crate) enforces it: an allocation past the ceiling
//! fails and aborts this test binary, as it fails the fuzz target (`fuzz/fuzz_targets/import.rs`).
//! One test only, so that no other test's allocations count.

#[path = "common/hostile.rs"]
mod hostile;

use cap::Cap;
use duban_import::limits::MEMORY_CEILING;
use duban_import::{Names, Options, import};
use std::alloc::System;

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

/// The file names the fuzz target reads its inputs as, picked by their first byte.
const FUZZ_FILES: &[&str] = &["doc.txt", "doc.docx", "ledger.xlsx", "ledger.xls", "ledger.csv", "page.html"];

#[test]
fn no_hostile_file_or_fuzz_seed_takes_the_heap_past_the_ceiling() {
    let mut inputs: Vec<(String, Vec<u8>, String)> = vec![
        ("xlsx A1:XFD1048576".into(), hostile::xlsx_huge_dimension(), "a.xlsx".into()),
        ("xlsx A1 + XFD1048576".into(), hostile::xlsx_far_cells(), "a.xlsx".into()),
        ("xlsx sst 2e9".into(), hostile::xlsx_huge_sst(), "a.xlsx".into()),
        ("xlsx 1 MB string × 100,000 cells".into(), hostile::xlsx_repeated_string(), "a.xlsx".into()),
        ("xls cell at 65535:255".into(), hostile::xls_far_cells(), "a.xls".into()),
        ("docx bomb 65 MiB".into(), hostile::docx_bomb(65 * 1024 * 1024 + 1, false), "a.docx".into()),
        ("docx bomb 60 MiB (within limits)".into(), hostile::docx_bomb(60 * 1024 * 1024, false), "a.docx".into()),
        ("html 20 MB".into(), hostile::html_items(20 * 1024 * 1024 - 1024), "a.html".into()),
        ("text 5,001 items".into(), hostile::numbered_items(5_001).into_bytes(), "a.txt".into()),
    ];
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/import");
    let mut seeds: Vec<_> = std::fs::read_dir(&corpus).unwrap().map(|e| e.unwrap().path()).collect();
    seeds.sort();
    assert!(seeds.len() >= 9, "the seed corpus is missing: {}", corpus.display());
    for path in seeds {
        let data = std::fs::read(&path).unwrap();
        let Some((&pick, bytes)) = data.split_first() else { continue };
        let name = format!("seed {}", path.file_name().unwrap().to_string_lossy());
        inputs.push((name, bytes.to_vec(), FUZZ_FILES[pick as usize % FUZZ_FILES.len()].into()));
    }
    let opts = Options { fallback_year: 2026, ..Options::default() };
    let names = Names::default();
    for (what, bytes, file) in &inputs {
        let before = ALLOCATOR.allocated();
        ALLOCATOR.set_limit(before + MEMORY_CEILING).unwrap();
        let got = import(bytes, file, &opts, &names);
        ALLOCATOR.set_limit(usize::MAX).unwrap();
        eprintln!("{what}: {:?}", got.as_ref().map(|p| p.tasks.len()).map_err(|e| e.to_string()));
    }
    eprintln!("heap high-water mark over the whole run: {} MiB", ALLOCATOR.max_allocated() / (1024 * 1024));
}
