//! The 督办通知单 as a document (issue 12 §3): [`NoticeSheet`], everything a printed notice
//! says, and [`docx`], the same as a Word file in the layout of GB/T 9704 (党政机关公文格式):
//! A4, margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right; the issuing office's name in
//! red (发文机关标志) over its number (文号) and a red line; the title in 方正小标宋简体, the
//! body in 仿宋_GB2312 三号 (16 pt) with level-1 headings in 黑体; 主送, 正文, 落款 and the
//! date in Chinese. The print view of the web front renders the same [`NoticeSheet`]: what the
//! notice says is written once, in [`NoticeSheet::sections`].
//!
//! The Word file is hand-written WordprocessingML zipped with the `zip` crate: a pure function
//! of the sheet, with no template file and nothing read from disk.

use duban_domain::Error;
use jiff::civil::Date;
use serde::Serialize;

/// Everything a printed 督办通知单 says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoticeSheet {
    /// The notice's id.
    pub id: i64,
    /// The task's id.
    pub task_id: i64,
    /// The issuing office (发文机关标志 and 落款), e.g. "XX旗人民政府督查室".
    pub issuer: String,
    /// 文号: 督〔2026〕3号.
    pub number: String,
    /// 标题: 关于…的督办通知.
    pub title: String,
    /// 主送: the units' names.
    pub recipients: Vec<String>,
    /// The task's title and number (编号; empty when it has none).
    pub task_title: String,
    pub task_number: String,
    /// The lead and cooperating units' names, joined with 、.
    pub lead: String,
    pub cooperating: String,
    /// The deadline in force, in Chinese (empty when there is none).
    pub deadline: String,
    /// The task's state as the ledger names it (办理中, 待审核 …).
    pub state: String,
    /// The stage the notice is about and when it was due, e.g. "“签收”环节应于2026年3月5日前完成".
    pub stage: String,
    /// The office's instruction (督办要求).
    pub instruction: String,
    /// 答复时限, and the day of issue (成文日期).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub answer_by: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub issued_on: Date,
    /// Whether the task is 涉密 (the sheet is then marked so).
    pub secret: bool,
}

/// One part of the body: a level-1 heading (一、…) or a paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Section {
    Heading(String),
    Paragraph(String),
}

/// A date as official documents write it: 2026年12月7日.
pub fn chinese_date(d: Date) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

impl NoticeSheet {
    /// The title of the notice for a task: 关于“…”的督办通知.
    pub fn title_for(task_title: &str) -> String {
        format!("关于“{}”的督办通知", task_title.trim())
    }

    /// 主送 as written on the sheet: the units joined with 、, ending with a colon.
    pub fn addressees(&self) -> String {
        format!("{}：", self.recipients.join("、"))
    }

    /// 答复时限 in Chinese.
    pub fn answer_by_text(&self) -> String {
        chinese_date(self.answer_by)
    }

    /// 成文日期 in Chinese.
    pub fn date_text(&self) -> String {
        chinese_date(self.issued_on)
    }

    /// The body: the task, its deadline and state; the instruction; the reply date.
    pub fn sections(&self) -> Vec<Section> {
        let mut facts = format!("“{}”", self.task_title);
        if !self.task_number.is_empty() {
            facts.push_str(&format!("（编号 {}）", self.task_number));
        }
        facts.push_str(&format!("由{}牵头办理", self.lead));
        if !self.cooperating.is_empty() {
            facts.push_str(&format!("，{}配合", self.cooperating));
        }
        if !self.deadline.is_empty() {
            facts.push_str(&format!("，完成时限为{}", self.deadline));
        }
        facts.push_str(&format!("，目前状态为“{}”", self.state));
        if !self.stage.is_empty() {
            facts.push_str(&format!("，{}", self.stage));
        }
        facts.push('。');
        let instruction = if self.instruction.trim().is_empty() {
            "请抓紧办理，确保按时保质完成。".to_string()
        } else {
            let t = self.instruction.trim();
            if t.ends_with(['。', '！', '；']) { t.to_string() } else { format!("{t}。") }
        };
        vec![
            Section::Heading("一、基本情况".into()),
            Section::Paragraph(facts),
            Section::Heading("二、督办要求".into()),
            Section::Paragraph(instruction),
            Section::Heading("三、答复要求".into()),
            Section::Paragraph(format!(
                "请于{}前将办理情况书面报送{}，并由单位主要负责人签字。",
                self.answer_by_text(),
                self.issuer
            )),
            Section::Paragraph("特此通知。".into()),
        ]
    }
}

use crate::official_docx::{Align, BODY, HEADING_FONT, RED, Run, TITLE_FONT, para};
pub use crate::official_docx::{
    BODY_FONT, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, PAGE_HEIGHT, PAGE_WIDTH,
};

/// The notice's `word/document.xml`.
pub fn document_xml(s: &NoticeSheet) -> String {
    let mut body = String::new();
    if s.secret {
        body.push_str(&para("涉密", &Run { font: HEADING_FONT, ..BODY }, Align::Left, 0, 0, false));
    }
    let mark = Run { font: TITLE_FONT, size: crate::official_docx::MARK_SIZE, color: Some(RED) };
    body.push_str(&para(&s.issuer, &mark, Align::Center, 0, 0, false));
    body.push_str(&para(&s.number, &BODY, Align::Center, 0, 0, true));
    body.push_str(&para("", &BODY, Align::Center, 0, 0, false));
    body.push_str(&para(
        &s.title,
        &Run { font: TITLE_FONT, size: crate::official_docx::TITLE_SIZE, color: None },
        Align::Center,
        0,
        0,
        false,
    ));
    body.push_str(&para("", &BODY, Align::Center, 0, 0, false));
    body.push_str(&para(&s.addressees(), &BODY, Align::Left, 0, 0, false));
    for sec in s.sections() {
        match sec {
            Section::Heading(t) => {
                body.push_str(&para(&t, &Run { font: HEADING_FONT, ..BODY }, Align::Left, 200, 0, false))
            }
            Section::Paragraph(t) => body.push_str(&para(&t, &BODY, Align::Left, 200, 0, false)),
        }
    }
    body.push_str(&para("", &BODY, Align::Left, 0, 0, false));
    // 落款 and 成文日期, four characters from the right (GB/T 9704 §7.3.5.1).
    body.push_str(&para(&s.issuer, &BODY, Align::Right, 0, 1280, false));
    body.push_str(&para(&s.date_text(), &BODY, Align::Right, 0, 1280, false));
    crate::official_docx::document(&body)
}

/// Title and creator of the file, with the day of issue.
fn core_xml(s: &NoticeSheet) -> String {
    crate::official_docx::core_xml(&format!("{} {}", s.number, s.title), &s.issuer, s.issued_on)
}

/// The notice as a Word (.docx) file.
pub fn docx(s: &NoticeSheet) -> Result<Vec<u8>, Error> {
    crate::official_docx::package(&document_xml(s), &core_xml(s))
}

/// The file name of a notice's .docx: 督办通知单 and its number, e.g. 督办通知单督〔2026〕3号.docx
/// (the task's title, which may hold anything, stays out of it).
pub fn file_name(s: &NoticeSheet) -> String {
    format!("督办通知单{}.docx", s.number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use std::io::Read;

    fn sheet() -> NoticeSheet {
        NoticeSheet {
            id: 7,
            task_id: 42,
            issuer: "奈曼旗人民政府督查室".into(),
            number: "督〔2026〕3号".into(),
            title: NoticeSheet::title_for("推行一照通办 <改革>"),
            recipients: vec!["旗行政审批和政务服务局".into(), "旗市场监管局".into()],
            task_title: "推行一照通办 <改革>".into(),
            task_number: "2026-014".into(),
            lead: "旗行政审批和政务服务局".into(),
            cooperating: "旗市场监管局".into(),
            deadline: "2026年12月31日".into(),
            state: "办理中".into(),
            stage: "“签收”环节应于2026年3月5日前完成".into(),
            instruction: "请于三日内完成签收 & 部署".into(),
            answer_by: date(2026, 12, 10),
            issued_on: date(2026, 12, 7),
            secret: false,
        }
    }

    fn part(bytes: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut out = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut out).unwrap();
        out
    }

    #[test]
    fn dates_are_written_in_chinese_without_leading_zeros() {
        assert_eq!(chinese_date(date(2026, 12, 7)), "2026年12月7日");
        assert_eq!(chinese_date(date(2027, 1, 5)), "2027年1月5日");
    }

    #[test]
    fn the_docx_unzips_into_a_word_package_with_the_notices_text() {
        let bytes = docx(&sheet()).unwrap();
        assert_eq!(&bytes[..2], b"PK");
        let names: Vec<String> = zip::ZipArchive::new(std::io::Cursor::new(&bytes[..]))
            .unwrap()
            .file_names()
            .map(|n| n.unwrap().to_string())
            .collect();
        for n in ["[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml"] {
            assert!(names.iter().any(|x| x == n), "{n} in {names:?}");
        }
        let doc = part(&bytes, "word/document.xml");
        for text in [
            "督〔2026〕3号",
            "关于“推行一照通办 &lt;改革&gt;”的督办通知",
            "旗行政审批和政务服务局、旗市场监管局：",
            "奈曼旗人民政府督查室",
            "2026年12月7日",
            "请于2026年12月10日前将办理情况书面报送",
            "请于三日内完成签收 &amp; 部署。",
            "一、基本情况",
            "完成时限为2026年12月31日",
            "目前状态为“办理中”",
        ] {
            assert!(doc.contains(text), "{text} in the document");
        }
        assert!(!doc.contains("<改革>"), "text is escaped");
        assert!(part(&bytes, "[Content_Types].xml").contains("wordprocessingml.document.main+xml"));
        assert!(part(&bytes, "word/styles.xml").contains(BODY_FONT));
    }

    #[test]
    fn the_page_is_a4_with_the_official_margins_fonts_and_red_mark() {
        let doc = document_xml(&sheet());
        assert!(doc.contains(r#"<w:pgSz w:w="11906" w:h="16838"/>"#));
        assert!(doc.contains(r#"w:top="2098" w:right="1474" w:bottom="1984" w:left="1587""#), "{doc}");
        // The office's name in red 方正小标宋简体, the title in 方正小标宋简体 二号, the body
        // in 仿宋_GB2312 三号, the headings in 黑体.
        let mark = doc.find("奈曼旗人民政府督查室").unwrap();
        let before = &doc[..mark];
        let run = &before[before.rfind("<w:r>").unwrap()..];
        assert!(run.contains(r#"w:eastAsia="方正小标宋简体""#) && run.contains(r#"<w:color w:val="FF0000"/>"#));
        let heading = doc.find("一、基本情况").unwrap();
        assert!(doc[..heading].rfind(r#"w:eastAsia="黑体""#).unwrap() > doc[..heading].rfind("<w:r>").unwrap());
        assert!(doc.contains(r#"w:eastAsia="仿宋_GB2312""#) && doc.contains(r#"<w:sz w:val="32"/>"#));
        assert!(doc.contains(r#"<w:sz w:val="44"/>"#));
        // The red line beneath the number.
        let number = doc.find("督〔2026〕3号").unwrap();
        assert!(doc[..number].rfind(r#"w:color="FF0000""#).unwrap() > doc[..number].rfind("<w:p>").unwrap());
        // Well-formed enough for a parser: every paragraph closed.
        assert_eq!(doc.matches("<w:p>").count(), doc.matches("</w:p>").count());
    }

    #[test]
    fn a_secret_tasks_sheet_is_marked_and_an_empty_instruction_gets_the_standard_words() {
        let s = NoticeSheet { secret: true, instruction: " ".into(), ..sheet() };
        let doc = document_xml(&s);
        assert!(doc.find("涉密").unwrap() < doc.find("奈曼旗人民政府督查室").unwrap());
        assert!(s.sections().contains(&Section::Paragraph("请抓紧办理，确保按时保质完成。".into())));
        assert_eq!(file_name(&s), "督办通知单督〔2026〕3号.docx");
    }
}
