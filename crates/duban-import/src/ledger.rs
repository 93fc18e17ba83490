//! Ledgers as tables: spreadsheets, CSV, Word tables, and tables flattened to text (cells
//! separated by tabs, or one cell per line). The columns 序号 / 任务 / 牵头单位 / 责任单位 /
//! 完成时限 are found by their headers, in any order and under their usual synonyms.
//!
//! A 完成时限 cell is read like a deadline in a task's text ([`crate::time`]): words
//! (「6月底前」「长期坚持」) or a date in figures (「2026-05-12」「2026/5/12」「2026年5月12日」);
//! a spreadsheet's date cell, which arrives as its Excel serial number (46154), is read as the
//! date it stands for.

use crate::ImportError;
use crate::clause::{Clause, split_units};
use crate::limits::{Budget, Limits};
use crate::model::Preview;
use crate::names::Names;
use crate::parse::{Context, Options, Standing, TaskParts, build_task};
use crate::time;

/// Where each column is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Columns {
    pub number: Option<usize>,
    pub task: usize,
    pub lead: Option<usize>,
    pub responsible: Option<usize>,
    pub cooperating: Option<usize>,
    pub deadline: Option<usize>,
}

const NUMBER: &[&str] = &["序号", "编号", "序"];
const TASK: &[&str] = &[
    "任务内容",
    "工作任务",
    "重点任务",
    "具体任务",
    "主要任务",
    "目标任务",
    "工作内容",
    "工作事项",
    "具体措施",
    "工作措施",
    "任务",
    "事项",
    "内容",
];
const LEAD: &[&str] = &["牵头单位", "牵头部门", "主办单位", "牵头"];
const RESPONSIBLE: &[&str] = &["责任单位", "责任部门", "责任主体"];
const COOPERATING: &[&str] = &["配合单位", "配合部门", "协办单位", "协同单位"];
const DEADLINE: &[&str] = &["完成时限", "完成时间", "完成期限", "时间节点", "时限要求", "时限"];

fn col(cells: &[String], keys: &[&str], taken: &[usize]) -> Option<usize> {
    // Prefer a cell that is exactly a key, then one that contains it.
    let norm = |s: &String| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let free = |i: &usize| !taken.contains(i);
    cells
        .iter()
        .enumerate()
        .filter(|(i, _)| free(i))
        .find(|(_, c)| keys.contains(&norm(c).as_str()))
        .or_else(|| {
            cells.iter().enumerate().filter(|(i, _)| free(i)).find(|(_, c)| {
                let n = norm(c);
                n.chars().count() <= 12 && keys.iter().any(|k| n.contains(k))
            })
        })
        .map(|(i, _)| i)
}

/// The header row of a table, and its columns, if it has one in its first rows.
pub fn header(rows: &[Vec<String>]) -> Option<(usize, Columns)> {
    rows.iter().take(12).enumerate().find_map(|(r, cells)| {
        let mut taken = Vec::new();
        let mut pick = |keys: &[&str]| {
            let c = col(cells, keys, &taken);
            if let Some(c) = c {
                taken.push(c);
            }
            c
        };
        let lead = pick(LEAD);
        let responsible = pick(RESPONSIBLE);
        let cooperating = pick(COOPERATING);
        let deadline = pick(DEADLINE);
        let number = pick(NUMBER);
        let task = pick(TASK)?;
        (lead.is_some() || responsible.is_some())
            .then_some((r, Columns { number, task, lead, responsible, cooperating, deadline }))
    })
}

/// A 完成时限 cell as a person reads it: an Excel date cell (its serial number, 46154) as the
/// date it stands for (2026-05-12), any other text as written.
fn deadline_cell(cell: String) -> String {
    match time::excel_date(&cell) {
        Some(d) => d.to_string(),
        None => cell,
    }
}

/// A table flattened to text: tab-separated rows, or one cell per line under a header of one
/// cell per line.
pub fn text_table(lines: &[String]) -> Option<Vec<Vec<String>>> {
    let tabbed: Vec<Vec<String>> = lines
        .iter()
        .filter(|l| l.contains('\t'))
        .map(|l| l.split('\t').map(|c| c.trim().to_string()).collect())
        .collect();
    if tabbed.len() >= 2 && header(&tabbed).is_some() {
        return Some(tabbed);
    }
    // One cell per line: a run of header words, then rows that each start with a number.
    let trimmed: Vec<String> = lines.iter().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect();
    let is_key = |s: &str| [NUMBER, TASK, LEAD, RESPONSIBLE, COOPERATING, DEADLINE].iter().any(|k| k.contains(&s));
    let start = trimmed.iter().position(|l| is_key(l))?;
    let width = trimmed[start..].iter().take_while(|l| is_key(l)).count();
    if width < 3 {
        return None;
    }
    let head: Vec<String> = trimmed[start..start + width].to_vec();
    header(std::slice::from_ref(&head))?;
    let number_col = head.iter().position(|h| NUMBER.contains(&h.as_str()))?;
    if number_col != 0 {
        return None;
    }
    let mut rows = vec![head];
    for l in &trimmed[start + width..] {
        let starts_row =
            l.chars().all(|c| c.is_ascii_digit() || "（）()、.．".contains(c)) && l.chars().any(|c| c.is_ascii_digit());
        match rows.last_mut() {
            Some(r) if !starts_row && r.len() < width => r.push(l.clone()),
            _ if starts_row => rows.push(vec![l.clone()]),
            _ => {}
        }
    }
    (rows.len() >= 2).then_some(rows)
}

/// Reads a ledger's rows. Rows before the header are the title; a row with only its first
/// cells filled and no units is a section heading.
pub fn parse_rows(rows: &[Vec<String>], opts: &Options, names: &Names) -> Preview {
    parse_table(&[], rows, opts, names)
}

/// Reads a ledger table that comes after some lines of text (a Word document's paragraphs),
/// which give the document's title and date.
pub fn parse_table(preamble: &[String], rows: &[Vec<String>], opts: &Options, names: &Names) -> Preview {
    let budget = Budget::start(&Limits { time_budget: std::time::Duration::MAX, ..Limits::default() });
    parse_table_within(preamble, rows, opts, names, &budget).unwrap_or_default()
}

/// [`parse_table`], checking the budget's deadline as it goes.
pub fn parse_table_within(
    preamble: &[String],
    rows: &[Vec<String>],
    opts: &Options,
    names: &Names,
    budget: &Budget,
) -> Result<Preview, ImportError> {
    let Some((at, cols)) = header(rows) else {
        // No ledger header: read the rows as lines of text.
        let mut lines = preamble.to_vec();
        lines.extend(rows.iter().map(|r| r.join(" ")));
        return crate::parse::parse_lines_within(&lines, opts, names, budget);
    };
    let mut before = preamble.to_vec();
    before.extend(rows[..at].iter().map(|r| r.join(" ")));
    let mut preview = crate::parse::parse_lines_within(&before, opts, names, budget)?;
    preview.tasks.clear();
    let year = opts.year.or(preview.document.issued.map(|d| d.year())).unwrap_or(opts.fallback_year);
    let cx = Context { year, issued: preview.document.issued, names };
    let standing = Standing::default();
    let mut path: Vec<String> = Vec::new();
    let get =
        |r: &Vec<String>, c: Option<usize>| c.and_then(|c| r.get(c)).map(|s| s.trim().to_string()).unwrap_or_default();
    for (i, r) in rows.iter().enumerate().skip(at + 1) {
        if i.is_multiple_of(1024) {
            budget.check_time()?;
        }
        let text = get(r, Some(cols.task));
        let lead = get(r, cols.lead);
        let responsible = get(r, cols.responsible);
        let cooperating = get(r, cols.cooperating);
        let number = get(r, cols.number);
        if text.is_empty() && lead.is_empty() && responsible.is_empty() {
            // A heading row: its only text names the section.
            let heading: String = r.iter().map(|c| c.trim()).filter(|c| !c.is_empty()).collect::<Vec<_>>().join(" ");
            if !heading.is_empty() {
                path = vec![heading];
            }
            continue;
        }
        let clause = Clause {
            lead: split_units(&lead, names),
            responsible: split_units(&responsible, names),
            cooperating: split_units(&cooperating, names),
            deadline_text: Some(deadline_cell(get(r, cols.deadline))).filter(|d| !d.is_empty()),
            joint: false,
        };
        if !clause.has_units() {
            path = vec![if number.is_empty() { text.clone() } else { format!("{number}{text}") }];
            continue;
        }
        let number = if number.is_empty() { (i - at).to_string() } else { number };
        preview.tasks.push(build_task(
            TaskParts { number, annex: None, path: path.clone(), text },
            &clause,
            &standing,
            &cx,
        ));
    }
    Ok(preview)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(v: &[&[&str]]) -> Vec<Vec<String>> {
        v.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
    }

    #[test]
    fn columns_are_found_by_their_headers_in_any_order() {
        let r = rows(&[&["优化营商环境任务台账"], &["完成时间", "责任单位", "序号", "牵头单位", "工作任务"]]);
        let (at, c) = header(&r).unwrap();
        assert_eq!(at, 1);
        assert_eq!(
            c,
            Columns {
                number: Some(2),
                task: 4,
                lead: Some(3),
                responsible: Some(1),
                cooperating: None,
                deadline: Some(0)
            }
        );
    }

    #[test]
    fn a_ledger_becomes_tasks() {
        let r = rows(&[
            &["序号", "任务", "牵头单位", "责任单位", "完成时限"],
            &["一、优化审批", "", "", "", ""],
            &["1", "推行电子营业执照", "旗行政审批和政务服务局", "旗市场监管局、公安局", "12月底前"],
            &["2", "开办时间压缩至0.5个工作日以内", "", "旗财政局、旗审计局", "2022年3月底前"],
        ]);
        let p = parse_rows(&r, &Options { year: Some(2022), ..Options::default() }, &Names::default());
        assert_eq!(p.tasks.len(), 2);
        let t = &p.tasks[0];
        assert_eq!(
            (t.number.as_str(), t.lead.clone(), t.cooperating.clone()),
            ("1", vec!["旗行政审批和政务服务局".to_string()], vec!["旗市场监管局".to_string(), "旗公安局".to_string()])
        );
        assert_eq!(t.path, vec!["一、优化审批"]);
        assert_eq!(t.deadline.map(|d| d.to_string()).as_deref(), Some("2022-12-31"));
        assert_eq!(p.tasks[1].lead, vec!["旗财政局"]);
        assert_eq!(p.tasks[1].warnings[0].code, crate::WarningCode::LeadProposed);
        assert_eq!(p.tasks[1].targets, vec!["压缩至0.5个工作日以内"]);
        assert_eq!(p.tasks[1].deadline.map(|d| d.to_string()).as_deref(), Some("2022-03-31"));
    }

    #[test]
    fn a_deadline_column_reads_excel_date_cells_and_dates_in_figures() {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        let head = ["序号", "工作任务", "牵头单位", "完成时限"];
        for (c, h) in head.iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        let rows: [(&str, &str, &str); 5] = [
            ("1", "建成政务服务一张网", "旗政务服务局"),
            ("2", "清理涉企收费目录", "旗发改委"),
            ("3", "推行工程建设项目审批告知承诺制", "旗住建局"),
            ("4", "开展营商环境评价", "旗营商局"),
            ("5", "落实首问负责制", "旗政府办"),
        ];
        for (r, (n, task, lead)) in rows.iter().enumerate() {
            let r = r as u32 + 1;
            ws.write_string(r, 0, *n).unwrap();
            ws.write_string(r, 1, *task).unwrap();
            ws.write_string(r, 2, *lead).unwrap();
        }
        // A date-typed cell, an ISO date as text, a bare serial number, Chinese words, ongoing.
        let date = ExcelDateTime::from_ymd(2026, 5, 12).unwrap();
        ws.write_datetime_with_format(1, 3, &date, &Format::new().set_num_format("yyyy-mm-dd")).unwrap();
        ws.write_string(2, 3, "2026-09-30").unwrap();
        ws.write_number(3, 3, 46203.0).unwrap();
        ws.write_string(4, 3, "2026年5月12日").unwrap();
        ws.write_string(5, 3, "长期坚持").unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let opts = Options { year: Some(2026), ..Options::default() };
        let p = crate::import(&bytes, "台账.xlsx", &opts, &Names::default()).unwrap();
        let got: Vec<(Option<String>, Option<String>)> =
            p.tasks.iter().map(|t| (t.deadline.map(|d| d.to_string()), t.deadline_text.clone())).collect();
        let s = |v: &str| Some(v.to_string());
        assert_eq!(
            got,
            vec![
                (s("2026-05-12"), s("2026-05-12")),
                (s("2026-09-30"), s("2026-09-30")),
                (s("2026-06-30"), s("2026-06-30")),
                (s("2026-05-12"), s("2026年5月12日")),
                (None, s("长期坚持")),
            ]
        );
        let flagged = |i: usize, code| p.tasks[i].warnings.iter().any(|w| w.code == code);
        assert!(!flagged(0, crate::WarningCode::NoDeadline));
        assert!(flagged(4, crate::WarningCode::Ongoing));
    }

    #[test]
    fn a_serial_number_is_a_date_only_in_the_years_of_deadlines() {
        assert_eq!(deadline_cell("46154".into()), "2026-05-12");
        assert_eq!(deadline_cell("46154.5".into()), "2026-05-12");
        assert_eq!(deadline_cell("30".into()), "30");
        assert_eq!(deadline_cell("2026".into()), "2026");
        assert_eq!(deadline_cell("6月底前".into()), "6月底前");
    }

    #[test]
    fn tables_flattened_to_text_are_recognised() {
        let tab: Vec<String> = ["序号\t任务\t牵头单位\t完成时限", "1\t推行一照通办\t旗财政局\t6月底前"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(text_table(&tab).unwrap().len(), 2);
        let cells: Vec<String> = [
            "序号",
            "任务",
            "牵头单位",
            "完成时限",
            "1",
            "推行一照通办",
            "旗财政局",
            "6月底前",
            "2",
            "清理文件",
            "旗司法局",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let t = text_table(&cells).unwrap();
        assert_eq!(t.len(), 3);
        assert_eq!(t[2], vec!["2", "清理文件", "旗司法局"]);
        let prose: Vec<String> = ["（1）推行一照通办（牵头单位：旗财政局）"].iter().map(|s| s.to_string()).collect();
        assert!(text_table(&prose).is_none());
    }
}
