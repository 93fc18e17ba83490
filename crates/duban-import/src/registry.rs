//! Key-enterprise and key-project lists (重点企业、重点项目台账; issue 14 §1) from .xlsx/.xls/.csv
//! sheets in the usual 台账 layout: a title row or two, then a header row whose columns are found
//! by their many names (企业名称/单位名称, 统一社会信用代码/信用代码, 总投资（万元）/总投资（亿元）…),
//! then one enterprise or project per row.
//!
//! Reading goes through [`crate::read`] and so keeps to the same [`Limits`] (file size,
//! decompressed size, cells, time) as every other import, plus a bound on the rows of one list.
//! Nothing is validated here beyond the layout: each row becomes the unchecked
//! [`EnterpriseInput`]/[`ProjectInput`] that the domain parses, so a form, the API and a sheet
//! give the same Chinese errors. An amount is given the unit its header names ("5000" under
//! 总投资（万元） is "5000万"); a date cell (an Excel day number or 2026年3月1日) becomes YYYY-MM-DD.

use crate::ImportError;
use crate::limits::{Budget, Limits};
use crate::read::{self, Content};
use duban_domain::enterprise::{EnterpriseInput, ProjectInput};
use serde::Serialize;

/// The most rows one list may hold.
pub const MAX_ROWS: usize = 20_000;
/// How far down the header row may be.
const HEADER_WITHIN: usize = 10;

/// Why a sheet cannot be read as a list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    #[error(transparent)]
    Read(#[from] ImportError),
    /// No header row with the columns a list needs; says which.
    #[error("未找到表头：{0}")]
    NoHeader(String),
    #[error("表格超过 {0} 行，请拆分后导入")]
    TooManyRows(usize),
}

/// One enterprise row as the sheet wrote it.
#[derive(Debug, Clone, Serialize)]
pub struct EnterpriseRow {
    /// The row's number in the sheet (1-based).
    pub line: usize,
    pub input: EnterpriseInput,
    /// The unit column as written (所属单位/属地), resolved against the directory by the caller.
    pub unit: String,
}

/// One project row as the sheet wrote it.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectRow {
    pub line: usize,
    pub input: ProjectInput,
    /// 责任单位 as written.
    pub unit: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Name,
    Code,
    Industry,
    Scale,
    Address,
    Contact,
    Phone,
    Unit,
    Note,
    Investor,
    Investment,
    Stage,
    Signed,
    Location,
}

const ENTERPRISE_HEADERS: &[(Field, &[&str])] = &[
    (Field::Name, &["企业名称", "单位名称", "企业", "名称"]),
    (Field::Code, &["统一社会信用代码", "社会信用代码", "信用代码", "统一代码"]),
    (Field::Industry, &["所属行业", "行业", "行业类别", "行业分类"]),
    (Field::Scale, &["规上/限上", "规上限上", "企业类型", "企业规模", "规模", "类型"]),
    (Field::Address, &["地址", "注册地址", "企业地址", "经营地址"]),
    (Field::Contact, &["联系人", "企业联系人"]),
    (Field::Phone, &["联系电话", "电话", "联系方式", "手机"]),
    (Field::Unit, &["所属单位", "属地", "所属地区", "所属苏木镇", "所在苏木镇", "主管部门"]),
    (Field::Note, &["备注"]),
];

const PROJECT_HEADERS: &[(Field, &[&str])] = &[
    (Field::Name, &["项目名称", "项目"]),
    (Field::Investor, &["投资主体", "建设单位", "投资方", "投资企业", "项目业主"]),
    (Field::Investment, &["总投资", "计划总投资", "投资总额", "总投资额"]),
    (Field::Stage, &["项目阶段", "进度", "项目进度", "建设阶段", "阶段"]),
    (Field::Signed, &["签约时间", "签约日期"]),
    (Field::Location, &["建设地点", "项目地点", "地点"]),
    (Field::Industry, &["所属行业", "行业", "产业类别"]),
    (Field::Unit, &["责任单位", "牵头单位", "包联单位"]),
    (Field::Note, &["备注"]),
];

/// A header cell without spaces and with its bracketed part (the unit) cut off.
fn header_key(cell: &str) -> (String, String) {
    let t: String = cell
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => c,
        })
        .collect();
    match t.split_once('(') {
        Some((head, rest)) => (head.to_string(), rest.trim_end_matches(')').to_string()),
        None => (t, String::new()),
    }
}

/// The columns a header row names, with the unit of the investment column.
struct Header {
    row: usize,
    cols: Vec<(Field, usize)>,
    /// "万" or "亿" or "" (yuan) for the investment column.
    unit: &'static str,
}

impl Header {
    fn col(&self, f: Field) -> Option<usize> {
        self.cols.iter().find(|(g, _)| *g == f).map(|(_, i)| *i)
    }
}

fn find_header(rows: &[Vec<String>], table: &[(Field, &[&str])], needed: &[Field]) -> Option<Header> {
    for (i, row) in rows.iter().enumerate().take(HEADER_WITHIN) {
        let mut cols: Vec<(Field, usize)> = Vec::new();
        let mut unit = "万";
        for (j, cell) in row.iter().enumerate() {
            let (key, suffix) = header_key(cell);
            let key = key.replace("（万元）", "").replace("万元", "").replace("亿元", "");
            let found = table.iter().find(|(_, names)| names.iter().any(|n| *n == key)).map(|(f, _)| *f);
            if let Some(f) = found
                && !cols.iter().any(|(g, _)| *g == f)
            {
                if f == Field::Investment {
                    let whole = format!("{cell}{suffix}");
                    unit = if whole.contains('亿') {
                        "亿"
                    } else if whole.contains('万') {
                        "万"
                    } else if whole.contains('元') {
                        ""
                    } else {
                        "万"
                    };
                }
                cols.push((f, j));
            }
        }
        if needed.iter().all(|f| cols.iter().any(|(g, _)| g == f)) {
            return Some(Header { row: i, cols, unit });
        }
    }
    None
}

fn sheet_rows(bytes: &[u8], filename: &str, limits: &Limits) -> Result<Vec<Vec<String>>, RegistryError> {
    if bytes.is_empty() {
        return Err(ImportError::Empty.into());
    }
    let budget = Budget::start(limits);
    match read::read_within(bytes, filename, &budget)? {
        Content::Sheet(rows) => Ok(rows),
        Content::Mixed { tables, .. } => Ok(tables.into_iter().next().unwrap_or_default()),
        Content::Lines(_) => Err(ImportError::UnknownFormat("请上传 .xlsx、.xls 或 .csv 表格".into()).into()),
    }
}

/// Data rows after the header: not empty, not a 合计 line.
fn data_rows(rows: &[Vec<String>], h: &Header) -> Result<Vec<(usize, Vec<String>)>, RegistryError> {
    let name_col = h.col(Field::Name).unwrap_or(0);
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate().skip(h.row + 1) {
        let blank = row.iter().all(|c| c.trim().is_empty());
        let total = row.iter().take(name_col + 1).any(|c| matches!(c.trim(), "合计" | "总计" | "小计"));
        if blank || total {
            continue;
        }
        // A repeated header (a second sheet, or the header printed on every page).
        let name = row.get(name_col).map(|c| header_key(c).0).unwrap_or_default();
        if matches!(name.as_str(), "企业名称" | "单位名称" | "项目名称") {
            continue;
        }
        out.push((i + 1, row.clone()));
        if out.len() > MAX_ROWS {
            return Err(RegistryError::TooManyRows(MAX_ROWS));
        }
    }
    Ok(out)
}

fn cell(row: &[String], h: &Header, f: Field) -> Option<String> {
    h.col(f).and_then(|i| row.get(i)).map(|c| c.trim().to_string()).filter(|c| !c.is_empty())
}

/// A date cell as YYYY-MM-DD when it can be read as one (an Excel day number, 2026年3月1日,
/// 2026/3/1, 2026.3.1); otherwise as written, for the domain to refuse with its message.
pub fn date_cell(s: &str) -> String {
    let t = s.trim();
    if let Ok(n) = t.parse::<f64>()
        && (20_000.0..=80_000.0).contains(&n)
        && let Ok(d) = jiff::civil::date(1899, 12, 30).checked_add(jiff::Span::new().days(n.trunc() as i64))
    {
        return d.to_string();
    }
    let t = t.split([' ', 'T']).next().unwrap_or(t);
    let parts: Vec<&str> = t.split(['年', '月', '日', '/', '.', '-']).filter(|p| !p.is_empty()).collect();
    if let [y, m, d] = parts[..]
        && let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i16>(), m.parse::<i8>(), d.parse::<i8>())
        && let Ok(date) = jiff::civil::Date::new(y, m, d)
    {
        return date.to_string();
    }
    s.trim().to_string()
}

/// An amount cell with the header's unit added when the cell names none.
fn amount_cell(s: &str, unit: &str) -> String {
    let t = s.trim();
    if t.ends_with(['元', '万', '亿']) { t.to_string() } else { format!("{t}{unit}") }
}

/// Reads a list of key enterprises.
pub fn read_enterprises(bytes: &[u8], filename: &str, limits: &Limits) -> Result<Vec<EnterpriseRow>, RegistryError> {
    let rows = sheet_rows(bytes, filename, limits)?;
    let h = find_header(&rows, ENTERPRISE_HEADERS, &[Field::Name, Field::Code])
        .ok_or_else(|| RegistryError::NoHeader("前10行中应有“企业名称”和“统一社会信用代码”两列".into()))?;
    Ok(data_rows(&rows, &h)?
        .into_iter()
        .map(|(line, row)| EnterpriseRow {
            line,
            input: EnterpriseInput {
                name: cell(&row, &h, Field::Name),
                credit_code: cell(&row, &h, Field::Code),
                industry: cell(&row, &h, Field::Industry),
                scale: cell(&row, &h, Field::Scale),
                address: cell(&row, &h, Field::Address),
                contact_name: cell(&row, &h, Field::Contact),
                contact_phone: cell(&row, &h, Field::Phone),
                unit_id: None,
                note: cell(&row, &h, Field::Note),
            },
            unit: cell(&row, &h, Field::Unit).unwrap_or_default(),
        })
        .collect())
}

/// Reads a list of key projects.
pub fn read_projects(bytes: &[u8], filename: &str, limits: &Limits) -> Result<Vec<ProjectRow>, RegistryError> {
    let rows = sheet_rows(bytes, filename, limits)?;
    let h = find_header(&rows, PROJECT_HEADERS, &[Field::Name, Field::Investment])
        .ok_or_else(|| RegistryError::NoHeader("前10行中应有“项目名称”和“总投资”两列".into()))?;
    Ok(data_rows(&rows, &h)?
        .into_iter()
        .map(|(line, row)| ProjectRow {
            line,
            input: ProjectInput {
                name: cell(&row, &h, Field::Name),
                investor: cell(&row, &h, Field::Investor),
                enterprise_id: None,
                total_investment: cell(&row, &h, Field::Investment).map(|a| amount_cell(&a, h.unit)),
                stage: cell(&row, &h, Field::Stage),
                signed_on: cell(&row, &h, Field::Signed).map(|d| date_cell(&d)),
                location: cell(&row, &h, Field::Location),
                industry: cell(&row, &h, Field::Industry),
                unit_id: None,
                note: cell(&row, &h, Field::Note),
            },
            unit: cell(&row, &h, Field::Unit).unwrap_or_default(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use duban_domain::enterprise::Yuan;

    fn xlsx(rows: &[&[&str]]) -> Vec<u8> {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (i, r) in rows.iter().enumerate() {
            for (j, c) in r.iter().enumerate() {
                ws.write_string(i as u32, j as u16, *c).unwrap();
            }
        }
        wb.save_to_buffer().unwrap()
    }

    #[test]
    fn enterprises_are_found_under_a_title_by_their_headers() {
        let bytes = xlsx(&[
            &["奈曼旗重点企业名单"],
            &["填报单位：发改委", "", "2026年11月"],
            &["序号", "单位名称", "信用代码", "行业", "企业类型", "注册地址", "联系人", "联系电话", "属地"],
            &["1", "甲公司", "91350100M000100Y43", "制造业", "规上", "大沁他拉镇", "张三", "13800000000", "大沁他拉镇"],
            &["", "", "", "", "", "", "", "", ""],
            &["合计", "1家", "", "", "", "", "", "", ""],
        ]);
        let rows = read_enterprises(&bytes, "名单.xlsx", &Limits::default()).unwrap();
        assert_eq!(rows.len(), 1);
        let r = &rows[0];
        assert_eq!(r.line, 4);
        assert_eq!(r.unit, "大沁他拉镇");
        let e = r.input.clone().parse().unwrap();
        assert_eq!((e.name.as_str(), e.credit_code.as_str()), ("甲公司", "91350100M000100Y43"));
        assert_eq!(e.contact_phone, "13800000000");
    }

    #[test]
    fn the_investment_takes_the_unit_its_header_names() {
        let sheet = |header: &str, amount: &str| {
            let bytes = xlsx(&[
                &["项目名称", "建设单位", header, "进度", "签约日期"],
                &["风电项目", "甲公司", amount, "在建", "2026年3月1日"],
            ]);
            read_projects(&bytes, "p.xlsx", &Limits::default()).unwrap().remove(0).input.parse().unwrap()
        };
        assert_eq!(sheet("总投资（亿元）", "1.5").total_investment, Yuan::wan(15000));
        assert_eq!(sheet("总投资(万元)", "5000").total_investment, Yuan::wan(5000));
        assert_eq!(sheet("总投资", "5000").total_investment, Yuan::wan(5000));
        assert_eq!(sheet("总投资（万元）", "2亿").total_investment, Yuan::wan(20000));
        let p = sheet("总投资（元）", "12345.67");
        assert_eq!(p.total_investment, Yuan(1_234_567));
        assert_eq!(p.signed_on.unwrap().to_string(), "2026-03-01");
        assert_eq!(p.investor, "甲公司");
    }

    #[test]
    fn dates_are_read_in_their_spellings() {
        assert_eq!(date_cell("46082"), "2026-03-01");
        assert_eq!(date_cell("2026/3/1"), "2026-03-01");
        assert_eq!(date_cell("2026.03.01"), "2026-03-01");
        assert_eq!(date_cell("2026-03-01 00:00:00"), "2026-03-01");
        assert_eq!(date_cell("三月"), "三月");
    }

    #[test]
    fn a_sheet_without_the_headers_or_not_a_sheet_is_refused() {
        let bytes = xlsx(&[&["名称", "地址"], &["甲", "乙"]]);
        let e = read_enterprises(&bytes, "x.xlsx", &Limits::default()).unwrap_err();
        assert!(e.to_string().contains("统一社会信用代码"), "{e}");
        assert!(read_projects(b"", "x.xlsx", &Limits::default()).is_err());
        assert!(read_projects(b"PK\x03\x04garbage", "x.xlsx", &Limits::default()).is_err());
        let e = read_projects("项目名称\n一段文字".as_bytes(), "x.txt", &Limits::default()).unwrap_err();
        assert!(matches!(e, RegistryError::Read(_)), "{e}");
    }

    #[test]
    fn a_list_beyond_the_limits_is_refused() {
        let mut csv = String::from("项目名称,总投资\n");
        for i in 0..50 {
            csv.push_str(&format!("项目{i},100\n"));
        }
        let small = Limits { max_cells: 20, ..Limits::default() };
        assert!(read_projects(csv.as_bytes(), "x.csv", &small).is_err());
        assert_eq!(read_projects(csv.as_bytes(), "x.csv", &Limits::default()).unwrap().len(), 50);
    }
}
