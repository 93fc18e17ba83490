//! The repository holds its own copies of the fixtures its tests read, so that a clone stands
//! alone: the seed documents in `fixtures/seeds/` (public government documents) and the holiday
//! reference in `crates/duban-domain/data/cn-holidays.json` (facts, also the built-in calendar).
//! Where the project's `../shared` folder is beside the repository, this test checks that every
//! copy is byte-identical to its original there, and that no text of `../shared/corpus/` (which
//! is never copied into the repository) stands in `fixtures/`.
//!
//! Without `../shared` the test says so and passes, except under `CI=true`, where CI always has
//! it beside the clone and its absence is a failure.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use std::io::Write;
use std::path::{Path, PathBuf};

/// The workspace root, found from this crate's manifest, not the working directory.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `../shared` beside the repository, or `None` (after saying so) where it is absent.
fn shared() -> Option<PathBuf> {
    let dir = root().join("../shared");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{} must be beside the repository under CI=true: the fixture copies may not go unchecked",
        dir.display()
    );
    // Straight to stderr, past the test harness's capture, so the skip shows in the output.
    let _ = writeln!(std::io::stderr(), "skipped: {} is absent; the fixture copies are not compared", dir.display());
    None
}

/// The files directly in `dir`, by name.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_fixture_copy_is_byte_identical_to_its_original_in_shared() {
    let Some(shared) = shared() else { return };
    let root = root();
    let seeds = files(&root.join("fixtures/seeds"));
    assert!(seeds.len() >= 5, "the five seed documents are in fixtures/seeds/: {seeds:?}");
    let mut pairs: Vec<(PathBuf, PathBuf)> =
        seeds.iter().map(|copy| (copy.clone(), shared.join("seeds").join(copy.file_name().unwrap()))).collect();
    pairs.push((root.join("crates/duban-domain/data/cn-holidays.json"), shared.join("data/cn-holidays.json")));
    for (copy, original) in &pairs {
        assert!(
            read(copy) == read(original),
            "{} differs from {}: copy the original again",
            copy.display(),
            original.display()
        );
    }

    // The corpus stays outside: no file of `fixtures/` holds the bytes of a corpus text.
    let corpus = shared.join("corpus");
    if corpus.is_dir() {
        let texts: Vec<(String, Vec<u8>)> =
            files(&corpus).iter().map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), read(p))).collect();
        let mut stack = vec![root.join("fixtures")];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let bytes = read(&path);
                for (text, content) in &texts {
                    assert!(
                        bytes != *content,
                        "{} is a copy of ../shared/corpus/{text}: corpus texts stay out of the repository",
                        path.display()
                    );
                }
            }
        }
    }
}
