//! Reading files down to lines of text or rows of cells.
//!
//! - Text: UTF-8 (with or without BOM), UTF-16 with BOM, and otherwise GB18030, the superset of
//!   GBK and GB2312 that Chinese Windows writes.
//! - .docx: the paragraphs of `word/document.xml`, and its tables as rows of cells.
//! - .xlsx / .xls: every worksheet's rows (calamine); .csv: its rows.
//! - HTML: the text, with block elements as line breaks and table cells separated by tabs;
//!   scripts, styles and comments dropped.
//!
//! The format is decided by the file's signature first and its extension second, so a renamed
//! file still reads.

use crate::ImportError;
use std::io::{Cursor, Read};

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

/// Reads `bytes`, named `filename`.
pub fn read(bytes: &[u8], filename: &str) -> Result<Content, ImportError> {
    let ext = std::path::Path::new(filename)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if bytes.starts_with(ZIP) {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| ImportError::Corrupt(e.to_string()))?;
        if zip.by_name("word/document.xml").is_ok() {
            return guarded("Word 文档", || docx(&mut zip));
        }
        if zip.by_name("xl/workbook.xml").is_ok() {
            return sheet(bytes);
        }
        return Err(ImportError::UnknownFormat(format!("{filename}（压缩包中既不是 Word 也不是 Excel 文档）")));
    }
    if bytes.starts_with(OLE) {
        if ext == "doc" {
            return Err(ImportError::UnknownFormat("旧版 Word（.doc）文件，请另存为 .docx 后导入".into()));
        }
        return sheet(bytes);
    }
    let text = decode(bytes);
    if ext == "csv" {
        return csv_rows(&text);
    }
    let head = text.trim_start().get(..text.trim_start().len().min(512)).unwrap_or("").to_ascii_lowercase();
    if matches!(ext.as_str(), "html" | "htm" | "xhtml")
        || head.starts_with("<!doctype html")
        || head.starts_with("<html")
    {
        return Ok(Content::Lines(html_lines(&text)));
    }
    Ok(Content::Lines(text.lines().map(str::to_string).collect()))
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

fn docx<R: Read + std::io::Seek>(zip: &mut zip::ZipArchive<R>) -> Result<Content, ImportError> {
    use quick_xml::events::Event;
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .map_err(|e| ImportError::Corrupt(e.to_string()))?
        .take(64 * 1024 * 1024)
        .read_to_string(&mut xml)
        .map_err(|e| ImportError::Corrupt(e.to_string()))?;
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
                    }
                }
                b"w:tc" if table_depth == 1 => row.push(std::mem::take(&mut cell).trim().to_string()),
                b"w:tr" if table_depth == 1 => {
                    if let Some(t) = tables.last_mut() {
                        t.push(std::mem::take(&mut row));
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

/// The most cells a ledger sheet may declare. calamine reserves memory for every cell a legacy
/// .xls sheet declares in its DIMENSIONS record, so a few bytes could ask for gigabytes.
const MAX_DECLARED_CELLS: u64 = 2_000_000;

/// Checks a legacy .xls (BIFF8 in a compound file) before calamine reads it: the compound file
/// must open, and no sheet may declare more than [`MAX_DECLARED_CELLS`] cells.
fn check_xls(bytes: &[u8]) -> Result<(), ImportError> {
    let corrupt = |e: std::io::Error| ImportError::Corrupt(format!("表格无法读取：{e}"));
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(corrupt)?;
    let name = ["/Workbook", "/Book"].into_iter().find(|n| file.is_stream(n));
    let Some(name) = name else {
        return Err(ImportError::Corrupt("表格中没有工作簿".into()));
    };
    let mut stream = Vec::new();
    file.open_stream(name).map_err(corrupt)?.take(bytes.len() as u64).read_to_end(&mut stream).map_err(corrupt)?;
    let mut at = 0usize;
    while at + 4 <= stream.len() {
        let kind = u16::from_le_bytes([stream[at], stream[at + 1]]);
        let len = usize::from(u16::from_le_bytes([stream[at + 2], stream[at + 3]]));
        let data = &stream[at + 4..(at + 4 + len).min(stream.len())];
        if kind == 0x0200 && data.len() >= 12 {
            let row = |i: usize| u64::from(u32::from_le_bytes([data[i], data[i + 1], data[i + 2], data[i + 3]]));
            let col = |i: usize| u64::from(u16::from_le_bytes([data[i], data[i + 1]]));
            let rows = row(4).saturating_sub(row(0)) + 1;
            let cols = col(10).saturating_sub(col(8)) + 1;
            if rows.saturating_mul(cols) > MAX_DECLARED_CELLS {
                return Err(ImportError::Corrupt(format!("表格声明了 {rows} 行 × {cols} 列，超出台账的合理范围")));
            }
        }
        at += 4 + len;
    }
    Ok(())
}

fn sheet(bytes: &[u8]) -> Result<Content, ImportError> {
    use calamine::Reader;
    if bytes.starts_with(OLE) {
        check_xls(bytes)?;
    }
    guarded("表格", || {
        let mut wb = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec()))
            .map_err(|e| ImportError::Corrupt(format!("表格无法读取：{e}")))?;
        let mut rows = Vec::new();
        for (_, range) in wb.worksheets() {
            for r in range.rows() {
                rows.push(r.iter().map(|c| c.to_string().trim().to_string()).collect());
            }
        }
        Ok(Content::Sheet(rows))
    })
}

fn csv_rows(text: &str) -> Result<Content, ImportError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for r in reader.records() {
        let r = r.map_err(|e| ImportError::Corrupt(format!("CSV 格式错误：{e}")))?;
        rows.push(r.iter().map(|c| c.trim().to_string()).collect());
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
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&decode_entities(&rest[..lt]));
        rest = &rest[lt..];
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
        }
    }
    out.push_str(&decode_entities(rest));
    out.lines()
        .map(|l| l.trim_matches(|c: char| c == ' ' || c == '\u{a0}' || c == '\t').to_string())
        .filter(|l| !l.trim().is_empty())
        .collect()
}

/// Decodes HTML character references.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.replace(['\r', '\n'], " ");
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
    out.replace(['\r', '\n'], " ")
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
        let got = check_xls(&bytes);
        assert!(matches!(got, Err(ImportError::Corrupt(ref m)) if m.contains("超出")), "{got:?}");
        // The real ledger passes the check.
        let ok = include_bytes!("../tests/fixtures/ledger.xls");
        assert!(check_xls(ok).is_ok());
    }

    #[test]
    fn an_unterminated_tag_before_chinese_text_is_not_a_crash() {
        // Found by the fuzzer: 「<script」 with no 「>」, then multi-byte text.
        assert_eq!(html_lines("<p>通知</p><script推进"), vec!["通知"]);
        assert_eq!(html_lines("文字<b"), vec!["文字"]);
        assert!(html_lines("<").is_empty());
    }

    #[test]
    fn unknown_zip_and_old_doc_files_are_refused_with_reasons() {
        assert!(matches!(read(b"PK\x03\x04garbage", "a.docx"), Err(ImportError::Corrupt(_))));
        let mut doc = OLE.to_vec();
        doc.extend_from_slice(&[0; 600]);
        assert!(matches!(read(&doc, "a.doc"), Err(ImportError::UnknownFormat(_))));
    }
}
