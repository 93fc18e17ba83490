//! The ledger as an .xlsx workbook in the familiar 台账 layout: 序号, 任务内容, 牵头单位,
//! 责任单位, 完成时限, 进展情况, 状态 — a title row, bold headers, wrapped text, frozen header.

use crate::core::TaskView;
use crate::reporting::PartyNames;
use duban_domain::Error;
use duban_domain::ids::TaskId;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};
use std::collections::HashMap;

const HEADERS: [(&str, f64); 7] = [
    ("序号", 8.0),
    ("任务内容", 60.0),
    ("牵头单位", 22.0),
    ("责任单位", 30.0),
    ("完成时限", 14.0),
    ("进展情况", 40.0),
    ("状态", 10.0),
];

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> Error {
    tracing::error!(error = %e, "xlsx export failed");
    Error::Internal
}

/// The workbook's bytes.
pub fn ledger_xlsx(
    tasks: &[TaskView],
    names: &PartyNames,
    progress: &HashMap<TaskId, String>,
) -> Result<Vec<u8>, Error> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("任务台账").map_err(xlsx_err)?;
    let title = Format::new().set_bold().set_font_size(16).set_align(FormatAlign::Center);
    let head = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_background_color("D9E1F2");
    let cell = Format::new().set_border(FormatBorder::Thin).set_text_wrap().set_align(FormatAlign::Top);
    ws.merge_range(0, 0, 0, 6, "任务台账", &title).map_err(xlsx_err)?;
    for (col, (h, width)) in HEADERS.iter().enumerate() {
        let col = u16::try_from(col).unwrap_or(0);
        ws.write_string_with_format(1, col, *h, &head).map_err(xlsx_err)?;
        ws.set_column_width(col, *width).map_err(xlsx_err)?;
    }
    ws.set_freeze_panes(2, 0).map_err(xlsx_err)?;
    for (i, t) in tasks.iter().enumerate() {
        let row = u32::try_from(i + 2).map_err(|_| Error::invalid("tasks", "任务过多，无法导出"))?;
        let f = &t.task.fields;
        let number = if f.number.is_empty() { (i + 1).to_string() } else { f.number.clone() };
        let content =
            if f.text.is_empty() || f.text == f.title { f.title.clone() } else { format!("{}\n{}", f.title, f.text) };
        let values = [
            number,
            content,
            names.parties(&f.lead),
            names.parties(&f.cooperating),
            f.deadline.map(|d| d.to_string()).unwrap_or_default(),
            progress.get(&t.task.id).cloned().unwrap_or_default(),
            t.task.status.label().to_string(),
        ];
        for (col, v) in values.iter().enumerate() {
            ws.write_string_with_format(row, u16::try_from(col).unwrap_or(0), v, &cell).map_err(xlsx_err)?;
        }
    }
    wb.save_to_buffer().map_err(xlsx_err)
}
