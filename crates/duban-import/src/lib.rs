//! # duban-import
//!
//! Reads policy documents — implementation plans (实施方案), work lists and ledgers — into a
//! previewed task ledger: the document's title, 文号 and date, its section tree, and every
//! numbered item that names responsible units, with its lead and cooperating units, deadline,
//! milestones, quantified targets and the warnings a person should look at before committing.
//!
//! - [`read`]: plain text (UTF-8, or GB18030/GBK detected), .docx (paragraphs and tables),
//!   .xlsx / .xls / .csv ledgers and HTML pages, down to lines or table rows.
//! - [`page`]: web pages a crawler saved as text (a header, then the body on one line), cut
//!   into paragraphs without the site's menus and buttons.
//! - [`parse`]: numbering (一、 （一） 1. （1） ①), annexes (附件N), blocks, tasks.
//! - `meta`: the document's own title, 文号, issue date and issuer.
//! - [`clause`]: responsibility clauses in their many spellings, unit lists, shared prefixes.
//! - [`time`]: deadlines in words (3月底前, 年底前, 上半年, 一季度 …), milestones, targets.
//! - [`ledger`]: spreadsheet-style ledgers, whose columns are found by their headers, and task
//!   tables flattened to text (a web page's, a pasted Word table's): any text is read as a table
//!   first when it holds one.
//! - [`names`]: resolving unit names against the unit directory, with the closest known names
//!   for an unknown one.
//! - [`suggest`]: the three most likely lead units for a task's text.
//!
//! Nothing here writes: committing a preview is the server's job.

pub mod clause;
pub mod ledger;
pub mod limits;
mod meta;
pub mod model;
pub mod names;
pub mod page;
pub mod parse;
pub mod prose;
pub mod read;
pub mod registry;
pub mod suggest;
pub mod time;

pub use limits::{Budget, Limits};
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
    /// Beyond one of the [`Limits`]: says which, in Chinese.
    #[error("文件过大或过于复杂，已拒绝导入：{0}")]
    TooLarge(String),
    /// Reading and parsing took longer than the time budget (in seconds).
    #[error("文件解析超过 {0} 秒，已停止；请拆分文件后再导入")]
    Timeout(u64),
}

/// Reads a document from its bytes, within the default [`Limits`]; the file name's extension
/// (and the bytes' signature) tell the format.
pub fn import(bytes: &[u8], filename: &str, opts: &Options, names: &Names) -> Result<Preview, ImportError> {
    import_within(bytes, filename, opts, names, &Limits::default())
}

/// Reads a document from its bytes, refusing one beyond `limits` (its size, what it declares,
/// what it produces, the time it takes).
pub fn import_within(
    bytes: &[u8],
    filename: &str,
    opts: &Options,
    names: &Names,
    limits: &Limits,
) -> Result<Preview, ImportError> {
    if bytes.is_empty() {
        return Err(ImportError::Empty);
    }
    let budget = Budget::start(limits);
    let opts = Options { filename: filename.to_string(), ..opts.clone() };
    let preview = match read::read_within(bytes, filename, &budget)? {
        read::Content::Lines(lines) => ledger::read_lines_within(&lines, &opts, names, &budget)?,
        read::Content::Sheet(rows) => ledger::parse_table_within(&[], &rows, &opts, names, &budget)?,
        read::Content::Mixed { lines, tables } => {
            // A .docx: a table with ledger headers is a ledger; otherwise its rows are text.
            match tables.iter().find(|t| ledger::header(t).is_some()) {
                Some(t) => ledger::parse_table_within(&lines, t, &opts, names, &budget)?,
                None => {
                    let mut all = lines;
                    for t in tables {
                        all.extend(t.into_iter().map(|row| row.join(" ")));
                    }
                    parse::parse_lines_within(&all, &opts, names, &budget)?
                }
            }
        }
    };
    bound(preview, &budget)
}

/// Keeps a preview within the output limits: refuses too many tasks or too much text, and cuts
/// an overlong task text, with a warning saying so.
pub fn bound(mut preview: Preview, budget: &Budget) -> Result<Preview, ImportError> {
    let limits = &budget.limits;
    budget.check_time()?;
    if preview.tasks.len() > limits.max_tasks {
        return Err(Budget::too_large(format!(
            "识别出 {} 项任务，超过一次导入的上限 {} 项，请拆分文件",
            preview.tasks.len(),
            limits.max_tasks
        )));
    }
    let mut total = 0usize;
    for t in &mut preview.tasks {
        let n = t.text.chars().count();
        if n > limits.max_task_chars {
            t.text = t.text.chars().take(limits.max_task_chars).collect();
            t.warnings.push(Warning::new(
                WarningCode::Truncated,
                format!("任务原文 {n} 字，过长，预览只保留前 {} 字", limits.max_task_chars),
            ));
        }
        total += t.text.chars().count();
        if total > limits.max_preview_chars {
            return Err(Budget::too_large(format!("任务文字合计超过 {} 字，请拆分文件", limits.max_preview_chars)));
        }
    }
    Ok(preview)
}

/// Reads a document given as text, like [`import`] reads a text file: a task table in it (cells
/// one per line, separated by tabs or spaces) is read as a table, anything else as a document.
pub fn import_text(text: &str, opts: &Options, names: &Names) -> Preview {
    let lines: Vec<String> =
        if page::is_page(text) { page::lines(text) } else { text.lines().map(str::to_string).collect() };
    // Without a deadline or an output bound that reading checks, it cannot fail.
    let budget = Budget::start(&Limits { time_budget: std::time::Duration::MAX, ..Limits::default() });
    ledger::read_lines_within(&lines, opts, names, &budget).unwrap_or_default()
}
