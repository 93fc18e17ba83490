//! Parsing seed 003 (274 tasks) from text: the target is under 20 ms.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark that fails should stop loudly

use criterion::{Criterion, criterion_group, criterion_main};
use duban_domain::org::UnitDirectory;
use duban_import::{Names, Options, import_text};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/seeds/003_70bf524fbdd19580.txt");
    let text = std::fs::read_to_string(path).unwrap();
    let dir = UnitDirectory::from_toml(include_str!("../../../data/units/naiman.toml")).unwrap();
    let names = Names::from_directory(&dir);
    let opts = Options { fallback_year: 2026, ..Options::default() };
    assert_eq!(import_text(&text, &opts, &names).tasks.len(), 274);
    c.bench_function("import seed 003", |b| b.iter(|| black_box(import_text(black_box(&text), &opts, &names))));
}

criterion_group!(benches, bench);
criterion_main!(benches);
