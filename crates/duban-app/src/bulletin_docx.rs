//! The monthly bulletin as a Word file in the GB/T 9704 layout (issue 13 §5): the 版头 (the
//! issuing office's name and 文件 in red), the 文号 centred over a red line, the title in
//! 小标宋 二号, 主送, the body in 仿宋_GB2312 三号 with first-level headings in 黑体 and
//! second-level ones in 楷体, 落款 and 成文日期, the annex's tables, and the 版记 (抄送,
//! 印发机关 and 印发日期 between lines). The shared pieces are [`crate::official_docx`]'s.

use crate::notice_sheet::chinese_date;
use crate::official_docx::{
    self, Align, BODY, BODY_FONT, HEADING_FONT, KAI_FONT, MARK_SIZE, RED, Run, TITLE_FONT, TITLE_SIZE, esc, para,
};
use duban_domain::Error;
use duban_domain::bulletin::Body;
use jiff::civil::Date;

/// What the printed bulletin says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet<'a> {
    /// The issuing office, e.g. 奈曼旗人民政府督查室.
    pub issuer: &'a str,
    /// 督通〔2026〕3号.
    pub number: &'a str,
    pub title: &'a str,
    /// 主送.
    pub recipients: &'a str,
    pub body: &'a Body,
    /// 成文日期 and 印发日期.
    pub issued_on: Date,
    /// 抄送 (empty for none).
    pub copied_to: &'a str,
}

/// The 版头: the office's name followed by 文件.
pub fn masthead(issuer: &str) -> String {
    format!("{issuer}文件")
}

/// A paragraph of the 版记 between black lines (above, and below with `last`), in 四号.
fn record_line(left: &str, right: &str, last: bool) -> String {
    let bottom = if last { r#"<w:bottom w:val="single" w:sz="8" w:space="1" w:color="000000"/>"# } else { "" };
    let run = |t: &str| {
        format!(
            concat!(
                r#"<w:r><w:rPr><w:rFonts w:ascii="{f}" w:eastAsia="{f}" w:hAnsi="{f}" w:cs="{f}" w:hint="eastAsia"/>"#,
                r#"<w:sz w:val="28"/><w:szCs w:val="28"/></w:rPr><w:t xml:space="preserve">{t}</w:t></w:r>"#
            ),
            f = BODY_FONT,
            t = esc(t)
        )
    };
    let mut p = format!(
        concat!(
            r#"<w:p><w:pPr><w:pBdr><w:top w:val="single" w:sz="8" w:space="1" w:color="000000"/>{bottom}</w:pBdr>"#,
            r#"<w:tabs><w:tab w:val="right" w:pos="8845"/></w:tabs><w:spacing w:before="0" w:after="0" w:line="460" w:lineRule="exact"/>"#,
            r#"<w:ind w:left="320" w:right="320"/></w:pPr>"#
        ),
        bottom = bottom
    );
    p.push_str(&run(left));
    if !right.is_empty() {
        p.push_str("<w:r><w:tab/></w:r>");
        p.push_str(&run(right));
    }
    p.push_str("</w:p>");
    p
}

/// The bulletin's `word/document.xml`.
pub fn document_xml(s: &Sheet<'_>) -> String {
    let mut b = String::new();
    let mark = Run { font: TITLE_FONT, size: MARK_SIZE, color: Some(RED) };
    b.push_str(&para("", &BODY, Align::Center, 0, 0, false));
    b.push_str(&para(&masthead(s.issuer), &mark, Align::Center, 0, 0, false));
    b.push_str(&para("", &BODY, Align::Center, 0, 0, false));
    b.push_str(&para(s.number, &BODY, Align::Center, 0, 0, true));
    b.push_str(&para("", &BODY, Align::Center, 0, 0, false));
    b.push_str(&para(s.title, &Run { font: TITLE_FONT, size: TITLE_SIZE, color: None }, Align::Center, 0, 0, false));
    b.push_str(&para("", &BODY, Align::Center, 0, 0, false));
    if !s.recipients.trim().is_empty() {
        b.push_str(&para(&format!("{}：", s.recipients.trim()), &BODY, Align::Left, 0, 0, false));
    }
    let heading = Run { font: HEADING_FONT, ..BODY };
    let kai = Run { font: KAI_FONT, ..BODY };
    for sec in &s.body.sections {
        b.push_str(&para(&sec.heading, &heading, Align::Left, 200, 0, false));
        for p in &sec.paragraphs {
            let run = if p.subheading { &kai } else { &BODY };
            b.push_str(&para(&p.text, run, Align::Left, 200, 0, false));
        }
    }
    if !s.body.tables.is_empty() {
        b.push_str(&para("", &BODY, Align::Left, 0, 0, false));
        b.push_str(&para("附件：统计表", &BODY, Align::Left, 200, 0, false));
    }
    b.push_str(&para("", &BODY, Align::Left, 0, 0, false));
    b.push_str(&para(s.issuer, &BODY, Align::Right, 0, 1280, false));
    b.push_str(&para(&chinese_date(s.issued_on), &BODY, Align::Right, 0, 1280, false));
    for (i, t) in s.body.tables.iter().enumerate() {
        // Each table on a page of its own, after the body (附件).
        b.push_str(r#"<w:p><w:r><w:br w:type="page"/></w:r></w:p>"#);
        b.push_str(&para(&format!("附件{}", i + 1), &heading, Align::Left, 0, 0, false));
        b.push_str(&para("", &BODY, Align::Center, 0, 0, false));
        b.push_str(&para(&t.caption, &Run { font: TITLE_FONT, ..BODY }, Align::Center, 0, 0, false));
        b.push_str(&official_docx::table(&t.header, &t.rows));
    }
    // 版记.
    b.push_str(&para("", &BODY, Align::Left, 0, 0, false));
    if !s.copied_to.trim().is_empty() {
        b.push_str(&record_line(&format!("抄送：{}。", s.copied_to.trim()), "", false));
    }
    b.push_str(&record_line(s.issuer, &format!("{}印发", chinese_date(s.issued_on)), true));
    official_docx::document(&b)
}

/// The bulletin as a Word (.docx) file.
pub fn docx(s: &Sheet<'_>) -> Result<Vec<u8>, Error> {
    official_docx::package(
        &document_xml(s),
        &official_docx::core_xml(&format!("{} {}", s.number, s.title), s.issuer, s.issued_on),
    )
}

/// The file name of a bulletin's .docx: 月度通报督通〔2026〕3号.docx.
pub fn file_name(number: &str) -> String {
    format!("月度通报{number}.docx")
}

#[cfg(test)]
mod tests {
    use super::*;
    use duban_domain::bulletin::{Paragraph, Section, SectionKind, Table};
    use jiff::civil::date;

    #[test]
    fn the_bulletin_has_a_red_masthead_its_number_headings_tables_and_record() {
        let body = Body {
            sections: vec![Section {
                kind: SectionKind::Overview,
                heading: "一、基本情况".into(),
                paragraphs: vec![
                    Paragraph { text: "（一）总体".into(), public: true, subheading: true, names: None },
                    Paragraph {
                        text: "本月交办 3 件 <全部>".into(), public: false, subheading: false, names: None
                    },
                ],
            }],
            tables: vec![Table {
                caption: "各单位办理情况统计表".into(),
                header: vec!["单位".into(), "交办".into()],
                rows: vec![vec!["旗财政局".into(), "3".into()]],
            }],
        };
        let s = Sheet {
            issuer: "奈曼旗人民政府督查室",
            number: "督通〔2026〕3号",
            title: "关于2026年7月督查工作情况的通报",
            recipients: "旗直各部门",
            body: &body,
            issued_on: date(2026, 7, 31),
            copied_to: "旗委办公室",
        };
        let doc = document_xml(&s);
        let mark = doc.find("奈曼旗人民政府督查室文件").unwrap();
        assert!(doc[..mark].rfind(r#"<w:color w:val="FF0000"/>"#).unwrap() > doc[..mark].rfind("<w:r>").unwrap());
        assert!(doc.contains("督通〔2026〕3号") && doc.contains("旗直各部门："));
        assert!(doc.contains(r#"w:eastAsia="楷体_GB2312""#) && doc.contains(r#"w:eastAsia="黑体""#));
        assert!(doc.contains("本月交办 3 件 &lt;全部&gt;"));
        assert!(doc.contains("<w:tbl>") && doc.contains("旗财政局"));
        assert!(doc.contains("2026年7月31日印发") && doc.contains("抄送：旗委办公室。"));
        assert_eq!(doc.matches("<w:p>").count(), doc.matches("</w:p>").count());
        assert_eq!(&docx(&s).unwrap()[..2], b"PK");
        assert_eq!(file_name("督通〔2026〕3号"), "月度通报督通〔2026〕3号.docx");
    }
}
