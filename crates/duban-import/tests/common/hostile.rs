//! Hostile files, built in code: small inputs that declare or inflate to far more than they
//! hold (issue 9). Shared by the regression tests, the memory-ceiling test and the fuzzer's
//! seed corpus (`examples/fuzz_corpus.rs`).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;

/// A zip of `(name, bytes)` entries, deflated.
pub fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut buf);
    for (name, bytes) in entries {
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(bytes.len() > u32::MAX as usize);
        zip.start_file(*name, opts).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
    buf.into_inner()
}

/// A real one-sheet workbook (A1 holds 旗财政局, B2 the number 1), with its entries rewritten
/// by `edit(name, xml)`.
pub fn xlsx(edit: impl Fn(&str, String) -> String) -> Vec<u8> {
    use std::io::Read;
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "旗财政局").unwrap();
    ws.write_number(1, 1, 1.0).unwrap();
    let real = wb.save_to_buffer().unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(real)).unwrap();
    let mut entries = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut text = String::new();
        f.read_to_string(&mut text).unwrap();
        entries.push((name.clone(), edit(&name, text).into_bytes()));
    }
    let refs: Vec<(&str, &[u8])> = entries.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    self::zip(&refs)
}

/// Replaces the first match of `pattern` in `text`.
fn replace(text: &str, pattern: &str, with: &str) -> String {
    let re = regex::Regex::new(pattern).unwrap();
    assert!(re.is_match(text), "{pattern} not in {text}");
    re.replace(text, with).into_owned()
}

/// A tiny .xlsx that declares cells A1 to XFD1048576 (17 billion cells).
pub fn xlsx_huge_dimension() -> Vec<u8> {
    xlsx(|name, xml| match name {
        "xl/worksheets/sheet1.xml" => {
            replace(&xml, r#"<dimension ref="[^"]*"/>"#, r#"<dimension ref="A1:XFD1048576"/>"#)
        }
        _ => xml,
    })
}

/// A tiny .xlsx with one cell in A1 and one in XFD1048576, and no dimension.
pub fn xlsx_far_cells() -> Vec<u8> {
    xlsx(|name, xml| match name {
        "xl/worksheets/sheet1.xml" => {
            let xml = replace(&xml, r#"<dimension ref="[^"]*"/>"#, "");
            let xml = replace(&xml, r#"<row r="2"[^>]*>"#, r#"<row r="1048576">"#);
            replace(&xml, r#"<c r="B2""#, r#"<c r="XFD1048576""#)
        }
        _ => xml,
    })
}

/// A tiny .xlsx whose shared strings declare two billion entries.
pub fn xlsx_huge_sst() -> Vec<u8> {
    xlsx(|name, xml| match name {
        "xl/sharedStrings.xml" => {
            replace(&xml, r#"count="1" uniqueCount="1""#, r#"count="2000000000" uniqueCount="2000000000""#)
        }
        _ => xml,
    })
}

/// A small .xlsx whose one shared string of 1 MB is named by 100,000 cells: calamine copies
/// the string into every cell, 100 GB.
pub fn xlsx_repeated_string() -> Vec<u8> {
    xlsx(|name, xml| match name {
        "xl/sharedStrings.xml" => replace(&xml, "<t>旗财政局</t>", &format!("<t>{}</t>", "财".repeat(350_000))),
        "xl/worksheets/sheet1.xml" => {
            let xml = replace(&xml, r#"<dimension ref="[^"]*"/>"#, r#"<dimension ref="A1:A100000"/>"#);
            let rows: String =
                (1..=100_000).map(|r| format!(r#"<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>"#)).collect();
            replace(&xml, r"<sheetData>.*</sheetData>", &format!("<sheetData>{rows}</sheetData>"))
        }
        _ => xml,
    })
}

/// A .docx whose `word/document.xml` inflates to `inflated` bytes (spaces inside a paragraph):
/// a zip bomb. With `lie`, the zip's headers declare it 1 KB, so only counting while inflating
/// finds it.
pub fn docx_bomb(inflated: usize, lie: bool) -> Vec<u8> {
    let head = b"<?xml version=\"1.0\"?><w:document xmlns:w=\"w\"><w:body><w:p><w:r><w:t>";
    let tail = b"</w:t></w:r></w:p></w:body></w:document>";
    let mut xml = Vec::with_capacity(inflated);
    xml.extend_from_slice(head);
    xml.resize(inflated.saturating_sub(tail.len()).max(head.len()), b' ');
    xml.extend_from_slice(tail);
    let mut bytes = zip(&[("word/document.xml", &xml)]);
    drop(xml);
    if lie {
        // The uncompressed size, in the local header (offset 22) and the central directory
        // entry (offset 24).
        let size = 1024u32.to_le_bytes();
        for (sig, at) in [(b"PK\x03\x04", 22), (b"PK\x01\x02", 24)] {
            let pos = bytes.windows(4).position(|w| w == sig).unwrap();
            bytes[pos + at..pos + at + 4].copy_from_slice(&size);
        }
    }
    bytes
}

/// An HTML page of about `bytes` bytes (at most 100 more), every paragraph a numbered task.
pub fn html_items(bytes: usize) -> Vec<u8> {
    let mut s = String::from("<html><body><p>关于印发某旗重点任务清单的通知</p>");
    let mut i = 1;
    while s.len() < bytes {
        s.push_str(&format!("<p>{i}.推进第{i}项重点工作。（牵头单位：旗财政局）</p>"));
        i += 1;
    }
    s.push_str("</body></html>");
    s.into_bytes()
}

/// A text document with `n` numbered items, each with its lead unit.
pub fn numbered_items(n: usize) -> String {
    let mut s = String::from("关于印发某旗重点任务清单的通知\n2026年3月1日\n一、重点任务\n");
    for i in 1..=n {
        s.push_str(&format!("{i}.推进第{i}项重点工作，年底前完成。（牵头单位：旗财政局）\n"));
    }
    s
}

/// The real ledger (`tests/fixtures/ledger.xls`) with its first sheet's first cell record moved
/// to the last row and column (65535, 255): a few kilobytes whose cells span 16 million places.
pub fn xls_far_cells() -> Vec<u8> {
    use std::io::{Read, Seek};
    let real = include_bytes!("../fixtures/ledger.xls").to_vec();
    let mut cf = cfb::CompoundFile::open(std::io::Cursor::new(real)).unwrap();
    let mut stream = Vec::new();
    cf.open_stream("/Workbook").unwrap().read_to_end(&mut stream).unwrap();
    let (mut at, mut bofs) = (0usize, 0);
    while at + 4 <= stream.len() {
        let kind = u16::from_le_bytes([stream[at], stream[at + 1]]);
        let len = usize::from(u16::from_le_bytes([stream[at + 2], stream[at + 3]]));
        if kind == 0x0809 {
            bofs += 1;
        }
        // LABELSST, NUMBER, RK in the first sheet (after the workbook's own BOF).
        if bofs >= 2 && matches!(kind, 0x00FD | 0x0203 | 0x027E) {
            stream[at + 4..at + 6].copy_from_slice(&65535u16.to_le_bytes());
            stream[at + 6..at + 8].copy_from_slice(&255u16.to_le_bytes());
            break;
        }
        at += 4 + len;
    }
    assert!(at + 4 <= stream.len(), "no cell record found");
    let mut w = cf.open_stream("/Workbook").unwrap();
    w.seek(std::io::SeekFrom::Start(0)).unwrap();
    w.write_all(&stream).unwrap();
    drop(w);
    cf.flush().unwrap();
    cf.into_inner().into_inner()
}
