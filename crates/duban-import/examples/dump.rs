//! Prints the preview of a document as JSON: `cargo run -p duban-import --example dump FILE`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a developer's tool: fail loudly

use duban_domain::org::UnitDirectory;
use duban_import::{Names, Options, import};

fn main() {
    let path = std::env::args().nth(1).expect("usage: dump FILE");
    let bytes = std::fs::read(&path).unwrap();
    let dir = UnitDirectory::from_toml(include_str!("../../../data/units/naiman.toml")).unwrap();
    let p = import(&bytes, &path, &Options { fallback_year: 2026, ..Options::default() }, &Names::from_directory(&dir))
        .unwrap();
    println!("{}", serde_json::to_string_pretty(&p).unwrap());
}
