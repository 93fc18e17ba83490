//! # duban-import
//!
//! Reads policy documents — implementation plans (实施方案), work lists and ledgers — into a
//! previewed task ledger: the document's title, 文号 and date, its section tree, and every
//! numbered item that names responsible units, with its lead and cooperating units, deadline,
//! milestones, quantified targets and the warnings a person should look at before committing.
//!
//! - [`read`]: plain text (UTF-8, or GB18030/GBK detected), .docx (paragraphs and tables),
//!   .xlsx / .xls / .csv ledgers and HTML pages, down to lines or table rows.
//! - [`parse`]: numbering (一、 （一） 1. （1） ①), annexes (附件N), blocks, tasks.
//! - [`clause`]: responsibility clauses in their many spellings, unit lists, shared prefixes.
//! - [`time`]: deadlines in words (3月底前, 年底前, 上半年, 一季度 …), milestones, targets.
//! - [`ledger`]: spreadsheet-style ledgers, whose columns are found by their headers.
//! - [`names`]: resolving unit names against the unit directory, with the closest known names
//!   for an unknown one.
//! - [`suggest`]: the three most likely lead units for a task's text.
//!
//! Nothing here writes: committing a preview is the server's job.

pub mod clause;
pub mod ledger;
pub mod model;
pub mod names;
pub mod parse;
pub mod read;
pub mod suggest;
pub mod time;

pub use model::*;
pub use names::Names;
pub use parse::Options;

/// A document that cannot be read at all (a readable document with no tasks is not an error).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("无法识别的文件格式：{0}")]
    UnknownFormat(String),
    #[error("文件已损坏或无法读取：{0}")]
    Corrupt(String),
    #[error("文件为空")]
    Empty,
}

/// Reads a document from its bytes; the file name's extension (and the bytes' signature) tell
/// the format.
pub fn import(bytes: &[u8], filename: &str, opts: &Options, names: &Names) -> Result<Preview, ImportError> {
    if bytes.is_empty() {
        return Err(ImportError::Empty);
    }
    let opts = Options { filename: filename.to_string(), ..opts.clone() };
    match read::read(bytes, filename)? {
        read::Content::Lines(lines) => Ok(parse::parse_lines(&lines, &opts, names)),
        read::Content::Sheet(rows) => Ok(ledger::parse_rows(&rows, &opts, names)),
        read::Content::Mixed { lines, tables } => {
            // A .docx: a table with ledger headers is a ledger; otherwise its rows are text.
            match tables.iter().find(|t| ledger::header(t).is_some()) {
                Some(t) => Ok(ledger::parse_table(&lines, t, &opts, names)),
                None => {
                    let mut all = lines;
                    for t in tables {
                        all.extend(t.into_iter().map(|row| row.join(" ")));
                    }
                    Ok(parse::parse_lines(&all, &opts, names))
                }
            }
        }
    }
}

/// Reads a document given as text.
pub fn import_text(text: &str, opts: &Options, names: &Names) -> Preview {
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    match ledger::text_table(&lines) {
        Some(rows) => ledger::parse_rows(&rows, opts, names),
        None => parse::parse_lines(&lines, opts, names),
    }
}
