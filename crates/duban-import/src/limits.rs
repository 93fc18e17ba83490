//! What one import may cost: the bounds every reader and the parser keep to, so that a small
//! hostile file (a spreadsheet declaring a million rows, a zip bomb, a 20 MB page of numbered
//! lines) is refused with a clear Chinese error instead of exhausting the server's memory or
//! time.
//!
//! Third-party parsers (calamine) allocate from what a file declares, so the sheet XML and the
//! compound file are checked against these bounds before they are handed over; our own readers
//! count as they go. [`Limits::default`] holds the documented defaults.

use crate::ImportError;
use std::time::{Duration, Instant};

/// The most heap one import may take with the default limits: 512 MiB. The memory test
/// (`tests/memory.rs`) and the fuzz target (`fuzz/fuzz_targets/import.rs`) make any allocation
/// past it fail; CI's fuzzing run also passes `-rss_limit_mb=1024` as a process-wide backstop.
pub const MEMORY_CEILING: usize = 512 * 1024 * 1024;

/// The bounds of one import. The defaults fit the largest real ledgers (a few thousand tasks)
/// many times over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of the file itself: 20 MiB, the server's upload limit.
    pub max_file_bytes: usize,
    /// Bytes one entry of a .docx/.xlsx (a zip) may inflate to, declared or actual: 64 MiB.
    pub max_entry_bytes: u64,
    /// Bytes all entries of one zip may inflate to together: 256 MiB.
    pub max_unzipped_bytes: u64,
    /// Cells a spreadsheet may declare or place, counted as the rows × columns of each sheet's
    /// extent (its `<dimension>`, or the farthest cell it places), and cells it holds, over all
    /// its sheets: 2,000,000.
    pub max_cells: u64,
    /// Shared strings a spreadsheet may declare or hold: 1,000,000.
    pub max_strings: u64,
    /// Lines of text or rows of cells a reader may produce: 200,000.
    pub max_lines: usize,
    /// Characters of text a reader may produce: 20,000,000.
    pub max_chars: usize,
    /// Tasks one preview may hold: 5,000. A longer document is refused, never cut short (a
    /// re-import of a cut-short ledger would withdraw the tasks it lost).
    pub max_tasks: usize,
    /// Characters of one task's text in a preview: 2,000; a longer text is cut, with a warning.
    pub max_task_chars: usize,
    /// Characters of all tasks' texts in one preview together: 2,000,000.
    pub max_preview_chars: usize,
    /// Wall-clock time for reading and parsing one file: 20 s.
    pub time_budget: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_file_bytes: 20 * 1024 * 1024,
            max_entry_bytes: 64 * 1024 * 1024,
            max_unzipped_bytes: 256 * 1024 * 1024,
            max_cells: 2_000_000,
            max_strings: 1_000_000,
            max_lines: 200_000,
            max_chars: 20_000_000,
            max_tasks: 5_000,
            max_task_chars: 2_000,
            max_preview_chars: 2_000_000,
            time_budget: Duration::from_secs(20),
        }
    }
}

/// The limits of one import in progress, with its deadline.
#[derive(Debug, Clone)]
pub struct Budget {
    pub limits: Limits,
    /// None when the budget reaches past what the clock can tell (no deadline).
    deadline: Option<Instant>,
}

impl Budget {
    /// Starts the clock on `limits.time_budget`.
    pub fn start(limits: &Limits) -> Self {
        Self { limits: limits.clone(), deadline: Instant::now().checked_add(limits.time_budget) }
    }

    /// Fails once the time budget is spent.
    pub fn check_time(&self) -> Result<(), ImportError> {
        if self.deadline.is_some_and(|d| Instant::now() > d) {
            return Err(ImportError::Timeout(self.limits.time_budget.as_secs()));
        }
        Ok(())
    }

    /// A "too large" error naming what was exceeded.
    pub fn too_large(what: impl std::fmt::Display) -> ImportError {
        ImportError::TooLarge(what.to_string())
    }

    /// Checks a count of lines (or rows) produced so far, and the time every 1,024 of them.
    pub fn lines(&self, n: usize) -> Result<(), ImportError> {
        if n > self.limits.max_lines {
            return Err(Self::too_large(format!("文件超过 {} 行（或表格行）", self.limits.max_lines)));
        }
        if n.is_multiple_of(1024) { self.check_time() } else { Ok(()) }
    }

    /// Checks a count of characters produced so far.
    pub fn chars(&self, n: usize) -> Result<(), ImportError> {
        if n > self.limits.max_chars {
            return Err(Self::too_large(format!("文件文字超过 {} 字", self.limits.max_chars)));
        }
        Ok(())
    }

    /// Checks a count of cells.
    pub fn cells(&self, n: u64) -> Result<(), ImportError> {
        if n > self.limits.max_cells {
            return Err(Self::too_large(format!("表格超过 {} 个单元格", self.limits.max_cells)));
        }
        Ok(())
    }
}
