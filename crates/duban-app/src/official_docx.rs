//! The pieces of a Word file in the GB/T 9704 official-document layout (党政机关公文格式) that
//! the 督办通知单 ([`crate::notice_sheet`]) and the monthly bulletin ([`crate::bulletin_docx`])
//! share: the page (A4, the standard margins), the fonts and sizes, one paragraph of one run,
//! a table, the document wrapper and the zip package. Hand-written WordprocessingML: pure
//! functions, no template file, nothing read from disk.

use duban_domain::Error;
use std::io::Write;

/// Page size and margins in twips (1/1440 inch; 1 mm ≈ 56.7 twips): A4 210 × 297 mm, margins
/// 37 mm top, 35 mm bottom, 28 mm left, 26 mm right (GB/T 9704 §5.2.1).
pub const PAGE_WIDTH: u32 = 11906;
pub const PAGE_HEIGHT: u32 = 16838;
pub const MARGIN_TOP: u32 = 2098;
pub const MARGIN_BOTTOM: u32 = 1984;
pub const MARGIN_LEFT: u32 = 1587;
pub const MARGIN_RIGHT: u32 = 1474;

/// The fonts of an official document.
pub const TITLE_FONT: &str = "方正小标宋简体";
pub const BODY_FONT: &str = "仿宋_GB2312";
pub const HEADING_FONT: &str = "黑体";
/// Second-level headings (（一）…).
pub const KAI_FONT: &str = "楷体_GB2312";
/// 三号 (16 pt), in half-points; 二号 (22 pt) for the title and 小初 (36 pt) for the office's name.
pub const BODY_SIZE: u32 = 32;
pub const TITLE_SIZE: u32 = 44;
pub const MARK_SIZE: u32 = 60;
pub const RED: &str = "FF0000";

/// Text escaped for XML.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 does not allow.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// How a paragraph is laid out.
#[derive(Clone, Copy)]
pub enum Align {
    Left,
    Center,
    Right,
}

pub struct Run<'a> {
    pub font: &'a str,
    pub size: u32,
    pub color: Option<&'a str>,
}

pub const BODY: Run<'static> = Run { font: BODY_FONT, size: BODY_SIZE, color: None };

/// One paragraph of one run. `indent` is the first-line indent in characters (hundredths, as
/// Word counts them), `right` a right indent in twips; `rule` draws the red line beneath it.
pub fn para(text: &str, run: &Run<'_>, align: Align, indent: u32, right: u32, rule: bool) -> String {
    let jc = match align {
        Align::Left => "both",
        Align::Center => "center",
        Align::Right => "right",
    };
    let mut p = String::from("<w:p><w:pPr>");
    if rule {
        p.push_str(&format!(r#"<w:pBdr><w:bottom w:val="single" w:sz="12" w:space="8" w:color="{RED}"/></w:pBdr>"#));
    }
    // A fixed line of 28.95 pt: 22 lines on a page (GB/T 9704 §5.2.2), the title's own height.
    let line = if run.size > BODY_SIZE { run.size * 20 / 2 + 120 } else { 579 };
    p.push_str(&format!(r#"<w:spacing w:before="0" w:after="0" w:line="{line}" w:lineRule="exact"/>"#));
    if indent > 0 || right > 0 {
        p.push_str(&format!(
            r#"<w:ind w:firstLineChars="{indent}" w:firstLine="{}" w:right="{right}"/>"#,
            indent * 320 / 100
        ));
    }
    p.push_str(&format!(r#"<w:jc w:val="{jc}"/></w:pPr>"#));
    if !text.is_empty() {
        p.push_str("<w:r><w:rPr>");
        p.push_str(&format!(
            r#"<w:rFonts w:ascii="{f}" w:eastAsia="{f}" w:hAnsi="{f}" w:cs="{f}" w:hint="eastAsia"/>"#,
            f = run.font
        ));
        if let Some(c) = run.color {
            p.push_str(&format!(r#"<w:color w:val="{c}"/>"#));
        }
        p.push_str(&format!(r#"<w:sz w:val="{s}"/><w:szCs w:val="{s}"/>"#, s = run.size));
        p.push_str(&format!(r#"</w:rPr><w:t xml:space="preserve">{}</w:t></w:r>"#, esc(text)));
    }
    p.push_str("</w:p>");
    p
}

const CONTENT_TYPES: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#,
    r#"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#,
    r#"<Default Extension="xml" ContentType="application/xml"/>"#,
    r#"<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>"#,
    r#"<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>"#,
    r#"<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>"#,
    "</Types>"
);

const RELS: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>"#,
    r#"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>"#,
    "</Relationships>"
);

const DOCUMENT_RELS: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>"#,
    "</Relationships>"
);

/// The default run: 仿宋_GB2312 三号.
fn styles_xml() -> String {
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            r#"<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">"#,
            r#"<w:docDefaults><w:rPrDefault><w:rPr>"#,
            r#"<w:rFonts w:ascii="{f}" w:eastAsia="{f}" w:hAnsi="{f}" w:cs="{f}"/>"#,
            r#"<w:sz w:val="{s}"/><w:szCs w:val="{s}"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/>"#,
            r#"</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="0"/></w:pPr></w:pPrDefault></w:docDefaults>"#,
            r#"<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>"#,
            "</w:styles>"
        ),
        f = BODY_FONT,
        s = BODY_SIZE
    )
}

/// `word/document.xml` around the paragraphs (and tables) of `body`, on an A4 page with the
/// official margins.
pub fn document(body: &str) -> String {
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">"#,
            "<w:body>{body}",
            r#"<w:sectPr><w:pgSz w:w="{w}" w:h="{h}"/>"#,
            r#"<w:pgMar w:top="{t}" w:right="{r}" w:bottom="{b}" w:left="{l}" w:header="851" w:footer="992" w:gutter="0"/>"#,
            r#"<w:docGrid w:type="lines" w:linePitch="579"/></w:sectPr>"#,
            "</w:body></w:document>"
        ),
        body = body,
        w = PAGE_WIDTH,
        h = PAGE_HEIGHT,
        t = MARGIN_TOP,
        r = MARGIN_RIGHT,
        b = MARGIN_BOTTOM,
        l = MARGIN_LEFT,
    )
}

/// `docProps/core.xml`: the file's title and creator, and the day it was made.
pub fn core_xml(title: &str, creator: &str, date: jiff::civil::Date) -> String {
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            r#"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" "#,
            r#"xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" "#,
            r#"xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#,
            "<dc:title>{title}</dc:title><dc:creator>{creator}</dc:creator>",
            r#"<dcterms:created xsi:type="dcterms:W3CDTF">{date}T00:00:00Z</dcterms:created>"#,
            "</cp:coreProperties>"
        ),
        title = esc(title),
        creator = esc(creator),
        date = date,
    )
}

/// A table with borders: a header row in 黑体 and rows in the body font, in 四号 (14 pt), each
/// cell centred.
pub fn table(header: &[String], rows: &[Vec<String>]) -> String {
    let cols = header.len().max(1);
    let width = (PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT) as usize / cols;
    let cell = |text: &str, font: &str| {
        format!(
            concat!(
                r#"<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/></w:tcPr><w:p><w:pPr><w:jc w:val="center"/></w:pPr>"#,
                r#"<w:r><w:rPr><w:rFonts w:ascii="{f}" w:eastAsia="{f}" w:hAnsi="{f}" w:cs="{f}" w:hint="eastAsia"/>"#,
                r#"<w:sz w:val="28"/><w:szCs w:val="28"/></w:rPr><w:t xml:space="preserve">{t}</w:t></w:r></w:p></w:tc>"#
            ),
            w = width,
            f = font,
            t = esc(text)
        )
    };
    let mut t = String::from(concat!(
        r#"<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/><w:jc w:val="center"/><w:tblBorders>"#,
        r#"<w:top w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:left w:val="single" w:sz="4" w:space="0" w:color="000000"/>"#,
        r#"<w:bottom w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:right w:val="single" w:sz="4" w:space="0" w:color="000000"/>"#,
        r#"<w:insideH w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="000000"/>"#,
        r#"</w:tblBorders></w:tblPr><w:tblGrid>"#
    ));
    for _ in 0..cols {
        t.push_str(&format!(r#"<w:gridCol w:w="{width}"/>"#));
    }
    t.push_str("</w:tblGrid><w:tr>");
    for h in header {
        t.push_str(&cell(h, HEADING_FONT));
    }
    t.push_str("</w:tr>");
    for r in rows {
        t.push_str("<w:tr>");
        for c in r {
            t.push_str(&cell(c, BODY_FONT));
        }
        t.push_str("</w:tr>");
    }
    t.push_str("</w:tbl>");
    t
}

/// The Word package: the document and core properties, with the fixed parts around them.
pub fn package(document_xml: &str, core_xml: &str) -> Result<Vec<u8>, Error> {
    let fail = |e: &dyn std::fmt::Display| {
        tracing::error!(error = %e, "cannot write a .docx");
        Error::Internal
    };
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let parts: [(&str, String); 6] = [
        ("[Content_Types].xml", CONTENT_TYPES.to_string()),
        ("_rels/.rels", RELS.to_string()),
        ("docProps/core.xml", core_xml.to_string()),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS.to_string()),
        ("word/styles.xml", styles_xml()),
        ("word/document.xml", document_xml.to_string()),
    ];
    for (name, text) in parts {
        zip.start_file(name, opts).map_err(|e| fail(&e))?;
        zip.write_all(text.as_bytes()).map_err(|e| fail(&e))?;
    }
    Ok(zip.finish().map_err(|e| fail(&e))?.into_inner())
}
