//! Reading files down to lines of text or rows of cells.
//!
//! - Text: UTF-8 (with or without BOM), UTF-16 with BOM, and otherwise GB18030, the superset of
//!   GBK and GB2312 that Chinese Windows writes.
//! - .docx: the paragraphs of `word/document.xml`, and its tables as rows of cells.
//! - .xlsx / .xls: every worksheet's rows (calamine); .csv: its rows.
//! - HTML, a whole page or a fragment of one (a site's `<tbody>`): the text, with block elements
//!   as line breaks and table cells separated by tabs; scripts, styles and comments dropped; a
//!   line break of the source inside Chinese text joins, elsewhere it is a space.
//! - A web page a crawler saved as text (a `标题:` … `==== 正文 ====` header, then the page's
//!   body on one line): its paragraphs, without the site's menus and buttons ([`crate::page`]).
//!
//! The format is decided by the file's signature first and its extension second, so a renamed
//! file still reads; text is HTML by its extension or when it starts with an HTML tag, and a
//! crawled page by its header.

use crate::ImportError;
use crate::limits::{Budget, Limits};
use crate::page;
use std::cell::Cell;
use std::io::{BufReader, Cursor, Read};
use std::rc::Rc;

/// What a file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    Lines(Vec<String>),
    /// Rows of cells (a spreadsheet or CSV ledger).
    Sheet(Vec<Vec<String>>),
    /// A word-processor document: its paragraphs and its tables.
    Mixed {
        lines: Vec<String>,
        tables: Vec<Vec<Vec<String>>>,
    },
}

const ZIP: &[u8] = b"PK\x03\x04";
const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Reads `bytes`, named `filename`, within the default [`Limits`].
pub fn read(bytes: &[u8], filename: &str) -> Result<Content, ImportError> {
    read_within(bytes, filename, &Budget::start(&Limits::default()))
}

/// Reads `bytes`, named `filename`, refusing a file beyond the budget's limits.
pub fn read_within(bytes: &[u8], filename: &str, budget: &Budget) -> Result<Content, ImportError> {
    let limits = &budget.limits;
    if bytes.len() > limits.max_file_bytes {
        return Err(Budget::too_large(format!("文件超过 {} MB", limits.max_file_bytes / (1024 * 1024))));
    }
    let ext = std::path::Path::new(filename)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if bytes.starts_with(ZIP) {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| ImportError::Corrupt(e.to_string()))?;
        if zip.by_name("word/document.xml").is_ok() {
            check_zip(&mut zip, budget, false)?;
            return guarded("Word 文档", || docx(&mut zip, budget));
        }
        if zip.by_name("xl/workbook.xml").is_ok() {
            check_zip(&mut zip, budget, true)?;
            return sheet(bytes, budget);
        }
        return Err(ImportError::UnknownFormat(format!("{filename}（压缩包中既不是 Word 也不是 Excel 文档）")));
    }
    if bytes.starts_with(OLE) {
        if ext == "doc" {
            return Err(ImportError::UnknownFormat("旧版 Word（.doc）文件，请另存为 .docx 后导入".into()));
        }
        return sheet(bytes, budget);
    }
    let text = decode(bytes);
    budget.chars(text.chars().count())?;
    if ext == "csv" {
        return csv_rows(&text, budget);
    }
    if matches!(ext.as_str(), "html" | "htm" | "xhtml") || looks_like_html(&text) {
        return Ok(Content::Lines(html_lines_within(&text, budget)?));
    }
    if page::is_page(&text) {
        return Ok(Content::Lines(page::lines_within(&text, budget)?));
    }
    let mut lines = Vec::new();
    for l in text.lines() {
        lines.push(l.to_string());
        budget.lines(lines.len())?;
    }
    Ok(Content::Lines(lines))
}

/// Tags an HTML page or a fragment of one (a site's `<tbody>` or `<div>` of the text) starts with.
const HTML_STARTS: &[&str] = &[
    "!doctype html",
    "html",
    "head",
    "body",
    "meta",
    "table",
    "tbody",
    "tr",
    "td",
    "div",
    "p",
    "span",
    "section",
    "article",
    "h1",
    "h2",
    "h3",
    "font",
    "center",
];

/// Whether a text is HTML whatever its name: it starts with one of [`HTML_STARTS`]'s tags.
fn looks_like_html(text: &str) -> bool {
    let Some(rest) = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}').strip_prefix('<') else {
        return false;
    };
    let head = rest.get(..rest.len().min(16)).unwrap_or(rest).to_ascii_lowercase();
    HTML_STARTS.iter().any(|t| {
        head.strip_prefix(t).is_some_and(|after| after.starts_with(|c: char| c == '>' || c == '/' || c.is_whitespace()))
    })
}

/// Text in UTF-8 (BOM or not), UTF-16 (with BOM), or GB18030.
pub fn decode(bytes: &[u8]) -> String {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        return enc.decode_without_bom_handling(&bytes[bom..]).0.into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GB18030.decode_without_bom_handling(bytes).0.into_owned(),
    }
}

/// A reader that counts the bytes it inflates and fails past `cap`; the count stays readable
/// after the reader is gone, so a failure can be told apart from a corrupt entry.
struct Capped<R> {
    inner: R,
    count: Rc<Cell<u64>>,
    cap: u64,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let total = self.count.get().saturating_add(n as u64);
        self.count.set(total);
        if total > self.cap {
            return Err(std::io::Error::other("entry larger than its limit"));
        }
        Ok(n)
    }
}

fn entry_too_large(name: &str, limits: &Limits) -> ImportError {
    Budget::too_large(format!("压缩包中的“{name}”解压后超过 {} MB", limits.max_entry_bytes / (1024 * 1024)))
}

/// Checks every entry of a .docx/.xlsx before it is read: its declared and its actual inflated
/// size (a zip bomb declares little and inflates to gigabytes), the total, and for a workbook
/// (`sheets`) what its XML declares — each sheet's dimension and the cells it places, the
/// shared strings' counts, and the text the cells pointing to shared strings come to — since
/// calamine reserves memory from those and copies a shared string into every cell naming it.
fn check_zip<R: Read + std::io::Seek>(
    zip: &mut zip::ZipArchive<R>,
    budget: &Budget,
    sheets: bool,
) -> Result<(), ImportError> {
    let limits = &budget.limits;
    let mut total = 0u64;
    let mut cells = SheetScan::default();
    // The shared strings first: the sheets' cells are weighed by the strings they point to.
    let mut order: Vec<usize> = (0..zip.len()).collect();
    order.sort_by_key(|i| !zip.name_for_index(*i).is_some_and(|n| n.is_ok_and(|n| n.ends_with("sharedStrings.xml"))));
    for i in order {
        budget.check_time()?;
        let entry = zip.by_index(i).map_err(|e| ImportError::Corrupt(format!("压缩包无法读取：{e}")))?;
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_else(|_| format!("#{i}"));
        if entry.size() > limits.max_entry_bytes {
            return Err(entry_too_large(&name, limits));
        }
        let count = Rc::new(Cell::new(0u64));
        let capped = Capped { inner: entry, count: Rc::clone(&count), cap: limits.max_entry_bytes };
        let xml = name.ends_with(".xml") || name.ends_with(".rels");
        let scanned = if sheets && xml {
            cells.scan(BufReader::new(capped), budget)
        } else {
            let mut capped = capped;
            std::io::copy(&mut capped, &mut std::io::sink())
                .map(|_| ())
                .map_err(|e| ImportError::Corrupt(e.to_string()))
        };
        if count.get() > limits.max_entry_bytes {
            return Err(entry_too_large(&name, limits));
        }
        // A limit exceeded; a corrupt entry is left for the reader proper to report.
        if let Err(e @ (ImportError::TooLarge(_) | ImportError::Timeout(_))) = scanned {
            return Err(e);
        }
        total = total.saturating_add(count.get());
        if total > limits.max_unzipped_bytes {
            return Err(Budget::too_large(format!(
                "压缩包解压后超过 {} MB",
                limits.max_unzipped_bytes / (1024 * 1024)
            )));
        }
    }
    Ok(())
}

/// A column's letters (A, Z, AA … XFD) and a row's number, from a cell reference like `C12`.
fn cell_ref(r: &[u8]) -> Option<(u64, u64)> {
    let letters = r.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    if letters == 0 || letters > 4 {
        return None;
    }
    let col = r[..letters].iter().fold(0u64, |acc, b| acc * 26 + u64::from(b.to_ascii_uppercase() - b'A' + 1));
    let digits = r.get(letters..)?.iter().filter(|b| **b != b'$').map(|b| *b as char).collect::<String>();
    let row = digits.parse::<u64>().ok()?;
    Some((row.max(1), col))
}

/// What a workbook's XML declares and places, counted over all its sheets.
#[derive(Default)]
struct SheetScan {
    cells: u64,
    /// The length (in bytes, at least its characters) of every shared string.
    strings: Vec<u64>,
    /// The text of the shared strings all cells point to, together.
    cell_text: u64,
}

impl SheetScan {
    fn scan(&mut self, r: impl std::io::BufRead, budget: &Budget) -> Result<(), ImportError> {
        use quick_xml::events::Event;
        let limits = &budget.limits;
        let corrupt = |e: &dyn std::fmt::Display| ImportError::Corrupt(format!("表格内容无法解析：{e}"));
        let mut reader = quick_xml::Reader::from_reader(r);
        let mut buf = Vec::new();
        // The sheet's extent so far, and where the reader is (cells without a reference follow
        // the one before).
        let (mut row, mut col) = (0u64, 0u64);
        let mut extent: Option<(u64, u64, u64, u64)> = None;
        let area = |(r0, r1, c0, c1): (u64, u64, u64, u64)| (r1 - r0 + 1).saturating_mul(c1 - c0 + 1);
        let mut seen = 0u64;
        // Inside a shared string; inside a cell pointing to one; inside a cell's value.
        let (mut in_si, mut shared_cell, mut in_v) = (false, false, false);
        loop {
            buf.clear();
            let event = reader.read_event_into(&mut buf).map_err(|e| corrupt(&e))?;
            let e = match &event {
                Event::Start(e) | Event::Empty(e) => e,
                Event::Text(t) if in_si => {
                    if let Some(n) = self.strings.last_mut() {
                        *n += t.len() as u64;
                    }
                    continue;
                }
                Event::Text(t) if in_v && shared_cell => {
                    let index = String::from_utf8_lossy(t).trim().parse::<usize>().ok();
                    self.cell_text += index.and_then(|i| self.strings.get(i)).copied().unwrap_or(0);
                    if self.cell_text > limits.max_chars as u64 {
                        return Err(Budget::too_large(format!(
                            "表格各单元格引用的共享字符串合计超过 {} 字",
                            limits.max_chars
                        )));
                    }
                    continue;
                }
                Event::End(e) => {
                    match e.local_name().as_ref() {
                        b"si" => in_si = false,
                        b"v" => in_v = false,
                        b"c" => shared_cell = false,
                        _ => {}
                    }
                    continue;
                }
                Event::Eof => break,
                _ => continue,
            };
            let open = matches!(event, Event::Start(_));
            seen += 1;
            if seen.is_multiple_of(65_536) {
                budget.check_time()?;
            }
            let attr = |key: &[u8]| -> Option<Vec<u8>> {
                e.attributes().flatten().find(|a| a.key.local_name().as_ref() == key).map(|a| a.value.into_owned())
            };
            let number = |v: Vec<u8>| String::from_utf8_lossy(&v).trim().parse::<u64>().unwrap_or(0);
            match e.local_name().as_ref() {
                b"v" => in_v = open,
                b"dimension" => {
                    let Some(range) = attr(b"ref") else { continue };
                    let mut ends = range.split(|b| *b == b':').filter_map(cell_ref);
                    let first = ends.next();
                    if let (Some(a), Some(b)) = (first, ends.next().or(first)) {
                        let declared = area((a.0.min(b.0), a.0.max(b.0), a.1.min(b.1), a.1.max(b.1)));
                        if declared > limits.max_cells {
                            return Err(Budget::too_large(format!(
                                "表格声明的范围 {} 有 {declared} 个单元格，超过 {} 个",
                                String::from_utf8_lossy(&range),
                                limits.max_cells
                            )));
                        }
                    }
                }
                b"sst" => {
                    for key in [&b"count"[..], b"uniqueCount"] {
                        let n = attr(key).map_or(0, number);
                        if n > limits.max_strings {
                            return Err(Budget::too_large(format!(
                                "表格声明了 {n} 个共享字符串，超过 {} 个",
                                limits.max_strings
                            )));
                        }
                    }
                }
                b"si" => {
                    self.strings.push(0);
                    in_si = open;
                    if self.strings.len() as u64 > limits.max_strings {
                        return Err(Budget::too_large(format!("表格的共享字符串超过 {} 个", limits.max_strings)));
                    }
                }
                b"sheetData" => {
                    (row, col) = (0, 0);
                    extent = None;
                }
                b"row" => {
                    row = attr(b"r").map_or(row + 1, number).max(1);
                    col = 0;
                }
                b"c" => {
                    shared_cell = open && attr(b"t").is_some_and(|t| t == b"s");
                    (row, col) = match attr(b"r").and_then(|r| cell_ref(&r)) {
                        Some(at) => at,
                        None => (row.max(1), col + 1),
                    };
                    self.cells += 1;
                    budget.cells(self.cells)?;
                    let (r0, r1, c0, c1) = extent.unwrap_or((row, row, col, col));
                    let grown = (r0.min(row), r1.max(row), c0.min(col), c1.max(col));
                    extent = Some(grown);
                    if area(grown) > limits.max_cells {
                        return Err(Budget::too_large(format!(
                            "表格的单元格分布超过 {} 行 × {} 列，超过 {} 个单元格",
                            grown.1 - grown.0 + 1,
                            grown.3 - grown.2 + 1,
                            limits.max_cells
                        )));
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
}

fn docx<R: Read + std::io::Seek>(zip: &mut zip::ZipArchive<R>, budget: &Budget) -> Result<Content, ImportError> {
    use quick_xml::events::Event;
    let limits = &budget.limits;
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .map_err(|e| ImportError::Corrupt(e.to_string()))?
        .take(limits.max_entry_bytes.saturating_add(1))
        .read_to_string(&mut xml)
        .map_err(|e| ImportError::Corrupt(e.to_string()))?;
    if xml.len() as u64 > limits.max_entry_bytes {
        return Err(entry_too_large("word/document.xml", limits));
    }
    let mut chars = 0usize;
    let mut cells = 0u64;
    let mut rows = 0usize;
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut lines = Vec::new();
    let mut tables: Vec<Vec<Vec<String>>> = Vec::new();
    // Nested tables are read into the outermost one.
    let mut table_depth = 0usize;
    let mut row: Vec<String> = Vec::new();
    let mut cell = String::new();
    let mut para = String::new();
    let mut in_text = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => match e.name().as_ref() {
                b"w:t" => in_text = true,
                b"w:tbl" => {
                    if table_depth == 0 {
                        tables.push(Vec::new());
                    }
                    table_depth += 1;
                }
                b"w:tr" if table_depth == 1 => row.clear(),
                b"w:tc" if table_depth == 1 => cell.clear(),
                _ => {}
            },
            Ok(Event::Empty(e)) => match e.name().as_ref() {
                b"w:tab" => para.push('\t'),
                b"w:br" | b"w:cr" => para.push('\n'),
                _ => {}
            },
            Ok(Event::Text(t)) if in_text => {
                let s = t.unescape().map_err(|e| ImportError::Corrupt(e.to_string()))?;
                chars += s.chars().count();
                budget.chars(chars)?;
                para.push_str(&s);
            }
            Ok(Event::End(e)) => match e.name().as_ref() {
                b"w:t" => in_text = false,
                b"w:p" => {
                    let p = std::mem::take(&mut para);
                    if table_depth > 0 {
                        if !cell.is_empty() && !p.is_empty() {
                            cell.push('\n');
                        }
                        cell.push_str(&p);
                    } else {
                        lines.push(p);
                        budget.lines(lines.len())?;
                    }
                }
                b"w:tc" if table_depth == 1 => {
                    cells += 1;
                    budget.cells(cells)?;
                    row.push(std::mem::take(&mut cell).trim().to_string());
                }
                b"w:tr" if table_depth == 1 => {
                    if let Some(t) = tables.last_mut() {
                        t.push(std::mem::take(&mut row));
                        rows += 1;
                        budget.lines(rows)?;
                    }
                }
                b"w:tbl" => table_depth = table_depth.saturating_sub(1),
                _ => {}
            },
            Ok(Event::Eof) => break,
            Err(e) => return Err(ImportError::Corrupt(format!("Word 文档内容无法解析：{e}"))),
            _ => {}
        }
    }
    Ok(Content::Mixed { lines, tables })
}

/// Runs a third-party parser on untrusted bytes. Some (calamine's .xls reader, as fuzzing
/// showed) assert on malformed input; a panic there means a corrupt file, not a crash.
fn guarded<T>(what: &str, f: impl FnOnce() -> Result<T, ImportError>) -> Result<T, ImportError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err(ImportError::Corrupt(format!("{what}内容损坏，无法读取"))))
}

/// Checks a legacy .xls (BIFF8 in a compound file) before calamine reads it: the compound file
/// must open; no sheet may declare (DIMENSIONS) or place (its cell records' extent) more cells
/// than the limits allow — calamine reserves memory for every place in a sheet's extent.
fn check_xls(bytes: &[u8], limits: &Limits) -> Result<(), ImportError> {
    let corrupt = |e: std::io::Error| ImportError::Corrupt(format!("表格无法读取：{e}"));
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(corrupt)?;
    let name = ["/Workbook", "/Book"].into_iter().find(|n| file.is_stream(n));
    let Some(name) = name else {
        return Err(ImportError::Corrupt("表格中没有工作簿".into()));
    };
    let mut stream = Vec::new();
    file.open_stream(name).map_err(corrupt)?.take(bytes.len() as u64).read_to_end(&mut stream).map_err(corrupt)?;
    let too_many = |rows: u64, cols: u64| {
        Budget::too_large(format!(
            "表格声明了 {rows} 行 × {cols} 列，超过 {} 个单元格，超出台账的合理范围",
            limits.max_cells
        ))
    };
    // The extent of the cells the current sheet places: first row, last row, first and last column.
    let mut extent: Option<(u64, u64, u64, u64)> = None;
    let mut cells = 0u64;
    let mut at = 0usize;
    while at + 4 <= stream.len() {
        let kind = u16::from_le_bytes([stream[at], stream[at + 1]]);
        let len = usize::from(u16::from_le_bytes([stream[at + 2], stream[at + 3]]));
        let data = &stream[at + 4..(at + 4 + len).min(stream.len())];
        let u16_at = |i: usize| u64::from(u16::from_le_bytes([data[i], data[i + 1]]));
        let u32_at = |i: usize| u64::from(u32::from_le_bytes([data[i], data[i + 1], data[i + 2], data[i + 3]]));
        match kind {
            // BOF: a new sheet.
            0x0809 => extent = None,
            // DIMENSIONS
            0x0200 if data.len() >= 12 => {
                let rows = u32_at(4).saturating_sub(u32_at(0)) + 1;
                let cols = u16_at(10).saturating_sub(u16_at(8)) + 1;
                if rows.saturating_mul(cols) > limits.max_cells {
                    return Err(too_many(rows, cols));
                }
            }
            // Cell records: FORMULA, BLANK, NUMBER, LABEL, BOOLERR, RK, LABELSST, MULRK,
            // MULBLANK, RSTRING; each starts with its row and column.
            0x0006 | 0x0201 | 0x0203 | 0x0204 | 0x0205 | 0x027E | 0x00FD | 0x00BD | 0x00BE | 0x00D6
                if data.len() >= 6 =>
            {
                let (row, first) = (u16_at(0), u16_at(2));
                let last = if matches!(kind, 0x00BD | 0x00BE) { u16_at(data.len() - 2).max(first) } else { first };
                cells = cells.saturating_add(last - first + 1);
                if cells > limits.max_cells {
                    return Err(Budget::too_large(format!("表格超过 {} 个单元格", limits.max_cells)));
                }
                let (r0, r1, c0, c1) = extent.unwrap_or((row, row, first, last));
                let grown = (r0.min(row), r1.max(row), c0.min(first), c1.max(last));
                extent = Some(grown);
                let (rows, cols) = (grown.1 - grown.0 + 1, grown.3 - grown.2 + 1);
                if rows.saturating_mul(cols) > limits.max_cells {
                    return Err(too_many(rows, cols));
                }
            }
            _ => {}
        }
        at += 4 + len;
    }
    Ok(())
}

fn sheet(bytes: &[u8], budget: &Budget) -> Result<Content, ImportError> {
    use calamine::Reader;
    if bytes.starts_with(OLE) {
        check_xls(bytes, &budget.limits)?;
    }
    guarded("表格", || {
        let mut wb = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec()))
            .map_err(|e| ImportError::Corrupt(format!("表格无法读取：{e}")))?;
        let mut rows = Vec::new();
        let (mut cells, mut chars) = (0u64, 0usize);
        for (_, range) in wb.worksheets() {
            budget.check_time()?;
            for r in range.rows() {
                cells += r.len() as u64;
                budget.cells(cells)?;
                let row: Vec<String> = r.iter().map(|c| c.to_string().trim().to_string()).collect();
                chars += row.iter().map(|c| c.chars().count()).sum::<usize>();
                budget.chars(chars)?;
                rows.push(row);
                budget.lines(rows.len())?;
            }
        }
        Ok(Content::Sheet(rows))
    })
}

fn csv_rows(text: &str, budget: &Budget) -> Result<Content, ImportError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut cells = 0u64;
    for r in reader.records() {
        let r = r.map_err(|e| ImportError::Corrupt(format!("CSV 格式错误：{e}")))?;
        cells += r.len() as u64;
        budget.cells(cells)?;
        rows.push(r.iter().map(|c| c.trim().to_string()).collect());
        budget.lines(rows.len())?;
    }
    Ok(Content::Sheet(rows))
}

const BLOCKS: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "section",
    "article",
    "ul",
    "ol",
    "header",
    "footer",
    "nav",
    "dd",
    "dt",
    "blockquote",
    "pre",
    "hr",
    "title",
];

/// The text of an HTML page, one line per block element.
pub fn html_lines(html: &str) -> Vec<String> {
    let unbounded =
        Budget::start(&Limits { max_lines: usize::MAX, time_budget: std::time::Duration::MAX, ..Limits::default() });
    html_lines_within(html, &unbounded).unwrap_or_default()
}

/// The text of an HTML page, one line per block element, refused as soon as it has more lines
/// than the budget allows (or runs out of time).
pub fn html_lines_within(html: &str, budget: &Budget) -> Result<Vec<String>, ImportError> {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    // Lines with text so far, and whether the current one has any.
    let (mut lines, mut has_text) = (0usize, false);
    let mut steps = 0usize;
    while let Some(lt) = rest.find('<') {
        let text = decode_entities(&rest[..lt]);
        has_text |= text.chars().any(|c| !c.is_whitespace());
        out.push_str(&text);
        rest = &rest[lt..];
        steps += 1;
        if steps.is_multiple_of(4096) {
            budget.check_time()?;
        }
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |i| &after[i + 3..]);
            continue;
        }
        // An unterminated tag runs to the end of the text.
        let (inside, after) = match rest.find('>') {
            Some(i) => (&rest[1..i], &rest[i + 1..]),
            None => (&rest[1..], ""),
        };
        let closing = inside.starts_with('/');
        let tag = inside.trim_start_matches('/').to_ascii_lowercase();
        let name: String = tag.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        rest = after;
        if (name == "script" || name == "style") && !tag.ends_with('/') {
            let close = format!("</{name}");
            rest = rest.to_ascii_lowercase().find(&close).map_or("", |i| &rest[i..]);
            rest = rest.find('>').map_or("", |i| &rest[i + 1..]);
            continue;
        }
        if name == "td" || name == "th" {
            if !closing {
                out.push('\t');
            }
        } else if BLOCKS.contains(&name.as_str()) {
            out.push('\n');
            if std::mem::take(&mut has_text) {
                lines += 1;
                budget.lines(lines)?;
            }
        }
    }
    out.push_str(&decode_entities(rest));
    let lines: Vec<String> = out
        .lines()
        .map(|l| l.trim_matches(|c: char| c == ' ' || c == '\u{a0}' || c == '\t').to_string())
        .filter(|l| !l.trim().is_empty())
        .collect();
    budget.lines(lines.len())?;
    Ok(lines)
}

/// Decodes HTML character references. A line break in the source is a space, except between
/// two Chinese characters or signs, where it is nothing (a sentence broken over two source lines,
/// as CRLF-broken pages are, reads whole).
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return breaks(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest[1..].find(';').map(|j| j + 1).filter(|j| *j <= 10);
        let Some(end) = end else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..end];
        let ch = match name {
            "nbsp" => Some(' '),
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "ldquo" => Some('“'),
            "rdquo" => Some('”'),
            "lsquo" => Some('‘'),
            "rsquo" => Some('’'),
            "mdash" => Some('—'),
            "ndash" => Some('–'),
            "middot" => Some('·'),
            "hellip" => Some('…'),
            n if n.starts_with("#x") || n.starts_with("#X") => {
                u32::from_str_radix(&n[2..], 16).ok().and_then(char::from_u32)
            }
            n if n.starts_with('#') => n[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    breaks(&out)
}

/// A run of white space holding a line break: nothing between two Chinese characters or signs,
/// else one space.
fn breaks(s: &str) -> String {
    if !s.contains(['\r', '\n']) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut run = String::new();
    for c in s.chars() {
        if c.is_whitespace() {
            run.push(c);
            continue;
        }
        if !run.is_empty() {
            let wide = |c: char| !c.is_ascii() && !c.is_whitespace();
            if !run.contains(['\r', '\n']) {
                out.push_str(&run);
            } else if !(wide(c) && out.chars().next_back().is_some_and(wide)) {
                out.push(' ');
            }
            run.clear();
        }
        out.push(c);
    }
    if !run.is_empty() {
        out.push_str(&if run.contains(['\r', '\n']) { " ".to_string() } else { run });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_and_utf8_text_are_both_read() {
        let text = "（1）推行电子营业执照。（牵头单位：旗行政审批和政务服务局）";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        assert_eq!(decode(&gbk), text);
        assert_eq!(decode(text.as_bytes()), text);
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(decode(&bom), text);
    }

    #[test]
    fn html_becomes_lines_without_scripts_and_with_entities_decoded() {
        let html = "<html><head><style>p{}</style><script>var a='<p>';</script></head><body><nav>首页 | 政策</nav>\
                    <p>（1）推行&ldquo;一照通办&rdquo;&nbsp;（牵头单位：旗财政局）</p><!-- x --><table><tr><td>序号</td><td>任务</td></tr></table></body></html>";
        let lines = html_lines(html);
        assert_eq!(lines, vec!["首页 | 政策", "（1）推行“一照通办” （牵头单位：旗财政局）", "序号\t任务"]);
    }

    #[test]
    fn a_malformed_xls_that_makes_calamine_assert_is_a_corrupt_file() {
        // Found by the fuzzer (its first byte picked the .xls reader): calamine asserts on
        // this sector layout instead of returning an error.
        let found = include_bytes!("../tests/fixtures/calamine-cfb-assert.bin");
        let got = read(&found[1..], "ledger.xls");
        assert!(matches!(got, Err(ImportError::Corrupt(_))), "{got:?}");
    }

    #[test]
    fn an_xls_that_declares_billions_of_cells_is_refused_before_it_is_read() {
        // Found by the fuzzer: 5 KB asking calamine for gigabytes.
        let found = include_bytes!("../tests/fixtures/calamine-dimensions-oom.bin");
        let got = read(&found[1..], "ledger.xls");
        assert!(matches!(got, Err(ImportError::Corrupt(_))), "{got:?}");
        // A well-formed compound file whose sheet declares 2^32 rows is refused by the check.
        let mut cf = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
        {
            use std::io::Write;
            let mut w = cf.create_stream("/Workbook").unwrap();
            let mut dims = vec![0x00, 0x02, 14, 0];
            dims.extend_from_slice(&0u32.to_le_bytes());
            dims.extend_from_slice(&u32::MAX.to_le_bytes());
            dims.extend_from_slice(&[0, 0, 0xFF, 0, 0, 0]);
            w.write_all(&dims).unwrap();
        }
        let bytes = cf.into_inner().into_inner();
        let got = check_xls(&bytes, &Limits::default());
        assert!(matches!(got, Err(ImportError::TooLarge(ref m)) if m.contains("超出")), "{got:?}");
        // The real ledger passes the check.
        let ok = include_bytes!("../tests/fixtures/ledger.xls");
        assert!(check_xls(ok, &Limits::default()).is_ok());
    }

    #[test]
    fn an_unterminated_tag_before_chinese_text_is_not_a_crash() {
        // Found by the fuzzer: 「<script」 with no 「>」, then multi-byte text.
        assert_eq!(html_lines("<p>通知</p><script推进"), vec!["通知"]);
        assert_eq!(html_lines("文字<b"), vec!["文字"]);
        assert!(html_lines("<").is_empty());
    }

    #[test]
    fn an_html_fragment_is_html_whatever_its_name() {
        let fragment =
            "<tbody>\r\n <tr>\r\n  <td><p>某县人民政府关于</p><p>加强某项工作的意见</p></td>\r\n </tr>\r\n</tbody>";
        assert_eq!(
            read(fragment.as_bytes(), "row.txt"),
            Ok(Content::Lines(vec!["某县人民政府关于".into(), "加强某项工作的意见".into()]))
        );
        assert!(looks_like_html("\u{feff}  <DIV class=\"text\">一、总体要求</DIV>"));
        assert!(!looks_like_html("<1>推进某项工作"));
        assert!(!looks_like_html("<pre-amble>"));
        assert!(!looks_like_html("某县工作要点"));
    }

    #[test]
    fn a_line_break_inside_chinese_html_text_is_nothing_and_elsewhere_a_space() {
        let html = "<p>推进某项\r\n  工作，执行GB\r\n12345标准，\r\nsee\r\nalso 附件&nbsp;1\r\n</p>";
        assert_eq!(html_lines(html), vec!["推进某项工作，执行GB 12345标准， see also 附件 1"]);
        assert_eq!(decode_entities("甲 乙\n丙"), "甲 乙丙");
    }

    #[test]
    fn unknown_zip_and_old_doc_files_are_refused_with_reasons() {
        assert!(matches!(read(b"PK\x03\x04garbage", "a.docx"), Err(ImportError::Corrupt(_))));
        let mut doc = OLE.to_vec();
        doc.extend_from_slice(&[0; 600]);
        assert!(matches!(read(&doc, "a.doc"), Err(ImportError::UnknownFormat(_))));
    }
}
