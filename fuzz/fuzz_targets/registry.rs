//! Fuzzes the key-enterprise and key-project list reader (`duban_import::registry`): any bytes,
//! read as .xlsx, .xls or .csv, as either list, must give rows or an error, never a panic, and
//! never take more heap than `duban_import::limits::MEMORY_CEILING` above where it started (the
//! `cap` allocator makes an allocation past it fail, which is reported as a crash).

#![no_main]

use cap::Cap;
use duban_import::limits::{Limits, MEMORY_CEILING};
use duban_import::registry::{read_enterprises, read_projects};
use libfuzzer_sys::fuzz_target;
use std::alloc::System;

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

const FILES: &[&str] = &["list.xlsx", "list.xls", "list.csv"];

static DEFAULT_HOOK: std::sync::Once = std::sync::Once::new();

fuzz_target!(|data: &[u8]| {
    DEFAULT_HOOK.call_once(|| {
        let _ = std::panic::take_hook();
    });
    let Some((&pick, bytes)) = data.split_first() else { return };
    let file = FILES[pick as usize % FILES.len()];
    let limits = Limits::default();
    let _ = ALLOCATOR.set_limit(ALLOCATOR.allocated().saturating_add(MEMORY_CEILING));
    if pick & 0x80 == 0 {
        let _ = read_enterprises(bytes, file, &limits);
    } else {
        let _ = read_projects(bytes, file, &limits);
    }
    let _ = ALLOCATOR.set_limit(usize::MAX);
});
