//! The ledger as an .xlsx workbook that prints as a meeting 台账: a title with the ledger's name,
//! a line with the issuing office and the date, then 序号, 任务内容, 牵头单位, 责任单位, 责任人,
//! 分管领导, 完成时限, 进展情况, 状态, 逾期天数, 亮灯 — bold headers repeated on every printed page,
//! wrapped text in a Chinese font (宋体, the title in 黑体), A4 landscape fitted to the page's
//! width, numbers printed cleanly ([`duban_domain::task::display_number`]).

use crate::core::TaskView;
use crate::reporting::PartyNames;
use duban_domain::Error;
use duban_domain::ids::{PersonId, TaskId};
use duban_domain::task::{Light, display_number};
use jiff::civil::Date;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};
use std::collections::HashMap;

/// The columns and their widths (in characters).
pub const HEADERS: [(&str, f64); 11] = [
    ("序号", 9.0),
    ("任务内容", 48.0),
    ("牵头单位", 16.0),
    ("责任单位", 20.0),
    ("责任人", 9.0),
    ("分管领导", 9.0),
    ("完成时限", 12.0),
    ("进展情况", 34.0),
    ("状态", 9.0),
    ("逾期天数", 7.0),
    ("亮灯", 6.0),
];

/// The body font: 宋体 is on every Chinese Windows and WPS installation.
pub const FONT: &str = "宋体";
const TITLE_FONT: &str = "黑体";

/// What the sheet says above its table.
pub struct Heading {
    /// The ledger's name (or 任务台账 for several ledgers).
    pub ledger: String,
    /// The issuing office (制表单位).
    pub office: String,
    pub date: Date,
}

/// The title printed over the table: the ledger's name, ending in 台账 once.
pub fn title_of(ledger: &str) -> String {
    let l = ledger.trim();
    if l.is_empty() {
        "任务台账".into()
    } else if l.ends_with("台账") {
        l.to_string()
    } else {
        format!("{l}任务台账")
    }
}

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> Error {
    tracing::error!(error = %e, "xlsx export failed");
    Error::Internal
}

fn light_label(l: Option<Light>) -> &'static str {
    match l {
        Some(Light::Green) => "绿灯",
        Some(Light::Yellow) => "黄灯",
        Some(Light::Red) => "红灯",
        None => "",
    }
}

/// The workbook's bytes. `people` names the responsible person and the leader in charge.
pub fn ledger_xlsx(
    heading: &Heading,
    tasks: &[TaskView],
    names: &PartyNames,
    people: &HashMap<PersonId, String>,
    progress: &HashMap<TaskId, String>,
) -> Result<Vec<u8>, Error> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("任务台账").map_err(xlsx_err)?;
    let last_col = u16::try_from(HEADERS.len() - 1).unwrap_or(0);
    let title = Format::new()
        .set_bold()
        .set_font_name(TITLE_FONT)
        .set_font_size(18)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let sub = Format::new().set_font_name(FONT).set_font_size(11).set_align(FormatAlign::Right);
    let head = Format::new()
        .set_bold()
        .set_font_name(FONT)
        .set_font_size(11)
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap()
        .set_background_color("D9E1F2");
    let cell = Format::new()
        .set_font_name(FONT)
        .set_font_size(10.5)
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    let centred = cell.clone().set_align(FormatAlign::Center);
    let overdue = centred.clone().set_font_color("C00000").set_bold();
    ws.merge_range(0, 0, 0, last_col, &title_of(&heading.ledger), &title).map_err(xlsx_err)?;
    ws.set_row_height(0, 32).map_err(xlsx_err)?;
    let line = format!("制表单位：{}　　　日期：{}", heading.office, heading.date.strftime("%Y年%-m月%-d日"));
    ws.merge_range(1, 0, 1, last_col, &line, &sub).map_err(xlsx_err)?;
    for (col, (h, width)) in HEADERS.iter().enumerate() {
        let col = u16::try_from(col).unwrap_or(0);
        ws.write_string_with_format(2, col, *h, &head).map_err(xlsx_err)?;
        ws.set_column_width(col, *width).map_err(xlsx_err)?;
    }
    ws.set_freeze_panes(3, 0).map_err(xlsx_err)?;
    // Printing: A4 landscape, every column on the page's width, the header row on every page.
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(2, 2).map_err(xlsx_err)?;
    ws.set_margins(0.4, 0.4, 0.6, 0.6, 0.3, 0.3);
    ws.set_print_center_horizontally(true);
    ws.set_footer("&C第 &P 页，共 &N 页");
    let person = |p: Option<PersonId>| p.and_then(|p| people.get(&p).cloned()).unwrap_or_default();
    for (i, t) in tasks.iter().enumerate() {
        let row = u32::try_from(i + 3).map_err(|_| Error::invalid("tasks", "任务过多，无法导出"))?;
        let f = &t.task.fields;
        let number = match display_number(&f.number) {
            n if n.is_empty() => (i + 1).to_string(),
            n => n,
        };
        let content =
            if f.text.is_empty() || f.text == f.title { f.title.clone() } else { format!("{}\n{}", f.title, f.text) };
        let deadline = match (t.deadline_in_force, t.deadline_from_rules) {
            (Some(d), true) => format!("{d}\n（按规则）"),
            (Some(d), false) => d.to_string(),
            (None, _) => String::new(),
        };
        let values: [(String, &Format); 11] = [
            (number, &centred),
            (content, &cell),
            (names.parties(&f.lead), &cell),
            (names.parties(&f.cooperating), &cell),
            (person(f.responsible_person_id), &centred),
            (person(f.leader_id), &centred),
            (deadline, &centred),
            (progress.get(&t.task.id).cloned().unwrap_or_default(), &cell),
            (t.state.to_string(), &centred),
            (t.overdue_days.map(|n| n.to_string()).unwrap_or_default(), &overdue),
            (light_label(t.light).to_string(), &centred),
        ];
        for (col, (v, fmt)) in values.iter().enumerate() {
            ws.write_string_with_format(row, u16::try_from(col).unwrap_or(0), v, fmt).map_err(xlsx_err)?;
        }
    }
    wb.save_to_buffer().map_err(xlsx_err)
}

/// The statistics by unit as an .xlsx workbook: a title, the date, then 排名, 单位, 任务数,
/// 按时签收率, 按时办结率 in the order shown on the page; printed like the ledger.
pub fn stats_xlsx(title: &str, date: Date, lines: &[[String; 5]]) -> Result<Vec<u8>, Error> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("统计").map_err(xlsx_err)?;
    let big = Format::new().set_bold().set_font_name(TITLE_FONT).set_font_size(16).set_align(FormatAlign::Center);
    let sub = Format::new().set_font_name(FONT).set_align(FormatAlign::Right);
    let head = Format::new()
        .set_bold()
        .set_font_name(FONT)
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_background_color("D9E1F2");
    let cell = Format::new().set_font_name(FONT).set_border(FormatBorder::Thin);
    let columns = [("排名", 7.0), ("单位", 30.0), ("任务数", 9.0), ("按时签收率", 20.0), ("按时办结率", 20.0)];
    ws.merge_range(0, 0, 0, 4, title, &big).map_err(xlsx_err)?;
    ws.merge_range(1, 0, 1, 4, &format!("截至 {}", date.strftime("%Y年%-m月%-d日")), &sub).map_err(xlsx_err)?;
    for (col, (h, w)) in columns.iter().enumerate() {
        let col = u16::try_from(col).unwrap_or(0);
        ws.write_string_with_format(2, col, *h, &head).map_err(xlsx_err)?;
        ws.set_column_width(col, *w).map_err(xlsx_err)?;
    }
    ws.set_repeat_rows(2, 2).map_err(xlsx_err)?;
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    for (i, line) in lines.iter().enumerate() {
        let row = u32::try_from(i + 3).map_err(|_| Error::invalid("lines", "行数过多，无法导出"))?;
        for (col, v) in line.iter().enumerate() {
            ws.write_string_with_format(row, u16::try_from(col).unwrap_or(0), v, &cell).map_err(xlsx_err)?;
        }
    }
    wb.save_to_buffer().map_err(xlsx_err)
}

/// A worksheet of a titled workbook: its name, its title (merged over the columns), its columns
/// (heading, width) and its rows of text.
pub type TitledSheet = (&'static str, String, Vec<(&'static str, f64)>, Vec<Vec<String>>);

/// A workbook of titled sheets in the office's plain layout (黑体 title, 宋体 bordered cells, A4,
/// landscape when asked): the 公文错情 ledger, the procedures' weekly dispatch ….
pub fn titled_sheets_xlsx(sheets: Vec<TitledSheet>, landscape: bool) -> Result<Vec<u8>, Error> {
    let mut wb = Workbook::new();
    let big = Format::new().set_bold().set_font_name("黑体").set_font_size(16).set_align(FormatAlign::Center);
    let head = Format::new()
        .set_bold()
        .set_font_name("宋体")
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_background_color("D9E1F2");
    let cell = Format::new().set_font_name("宋体").set_border(FormatBorder::Thin);
    for (name, title, columns, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(name).map_err(xlsx_err)?;
        let last = u16::try_from(columns.len().saturating_sub(1)).unwrap_or(0);
        ws.merge_range(0, 0, 0, last, &title, &big).map_err(xlsx_err)?;
        for (col, (h, w)) in columns.iter().enumerate() {
            let col = u16::try_from(col).unwrap_or(0);
            ws.write_string_with_format(1, col, *h, &head).map_err(xlsx_err)?;
            ws.set_column_width(col, *w).map_err(xlsx_err)?;
        }
        ws.set_paper_size(9);
        if landscape {
            ws.set_landscape();
        }
        for (i, line) in rows.iter().enumerate() {
            let row = u32::try_from(i + 2).map_err(|_| Error::invalid("lines", "行数过多，无法导出"))?;
            for (col, v) in line.iter().enumerate() {
                ws.write_string_with_format(row, u16::try_from(col).unwrap_or(0), v, &cell).map_err(xlsx_err)?;
            }
        }
    }
    wb.save_to_buffer().map_err(xlsx_err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_title_names_the_ledger_once() {
        assert_eq!(title_of(""), "任务台账");
        assert_eq!(title_of("优化营商环境"), "优化营商环境任务台账");
        assert_eq!(title_of("重点项目台账"), "重点项目台账");
    }
}
