//! The importer's speed (issue 11: a typical document under 20 ms, a 1 MB document under
//! 200 ms), through the same entry the server uses (`import`, from the file's bytes):
//!
//! - seed 003 (117 KB of text, 274 tasks, resolved against the 87-unit directory);
//! - every document of the development set that `../shared/corpus/` holds (gov.cn `<tbody>`
//!   fragments, crawled pages), read with no directory; skipped with a note where it is absent;
//! - a 1 MB plan: seed 003's body repeated until it passes 1 MB, numbered on.
//!
//!     cargo bench -p duban-import --bench import

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark that fails should stop loudly

use criterion::{Criterion, criterion_group, criterion_main};
use duban_domain::org::UnitDirectory;
use duban_import::{Names, Options, import};
use std::hint::black_box;
use std::path::Path;

fn bench(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let seed = std::fs::read(root.join("fixtures/seeds/003_70bf524fbdd19580.txt")).unwrap();
    let dir = UnitDirectory::from_toml(include_str!("../../../data/units/naiman.toml")).unwrap();
    let names = Names::from_directory(&dir);
    let opts = Options { fallback_year: 2026, ..Options::default() };
    assert_eq!(import(&seed, "003.txt", &opts, &names).unwrap().tasks.len(), 274);
    c.bench_function("import seed 003", |b| {
        b.iter(|| black_box(import(black_box(&seed), "003.txt", &opts, &names).unwrap()))
    });

    let none = Names::default();
    let corpus = root.join("../shared/corpus");
    match std::fs::read_dir(&corpus) {
        Ok(entries) => {
            let mut files: Vec<_> =
                entries.map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e != "md")).collect();
            files.sort();
            for path in files {
                let bytes = std::fs::read(&path).unwrap();
                let name = path.file_name().unwrap().to_string_lossy().to_string();
                let short: String = name.chars().take(24).collect();
                c.bench_function(&format!("import {short} ({} KB)", bytes.len() / 1024), |b| {
                    b.iter(|| black_box(import(black_box(&bytes), &name, &opts, &none).unwrap()))
                });
            }
        }
        Err(_) => eprintln!("skipped: {} is absent; only seed 003 and the 1 MB plan are timed", corpus.display()),
    }

    // A 1 MB plan: the body of seed 003 again and again, its items numbered on.
    let text = String::from_utf8(seed).unwrap();
    let body = &text[text.find("二、重点任务").unwrap()..text.find("附件").unwrap_or(text.len())];
    let mut big = String::from("某县某某工作实施方案\n");
    let mut n = 0;
    while big.len() < 1024 * 1024 {
        for line in body.lines() {
            match line.strip_prefix('（').and_then(|l| l.split_once('）')) {
                Some((num, rest)) if num.chars().all(|c| c.is_ascii_digit()) => {
                    n += 1;
                    big.push_str(&format!("（{n}）{rest}\n"));
                }
                _ => {
                    big.push_str(line);
                    big.push('\n');
                }
            }
        }
    }
    let bytes = big.into_bytes();
    let tasks = import(&bytes, "big.txt", &opts, &names).unwrap().tasks.len();
    assert!(tasks > 2000, "{tasks}");
    c.bench_function(&format!("import a 1 MB plan ({tasks} tasks)"), |b| {
        b.iter(|| black_box(import(black_box(&bytes), "big.txt", &opts, &names).unwrap()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
