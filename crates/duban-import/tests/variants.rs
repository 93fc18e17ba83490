//! Real documents vary: the same tasks arrive as GBK text, as a web page with menus and no line
//! breaks, as Word and Excel files, with other spellings of the responsibility clause. Each
//! variant here must read to the same tasks as the plain original, or to the tasks it names.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use duban_domain::org::UnitDirectory;
use duban_import::{Names, Options, ParsedTask, Preview, WarningCode, import, import_text};
use std::io::Write;

fn names() -> Names {
    Names::from_directory(&UnitDirectory::from_toml(include_str!("../../../data/units/naiman.toml")).unwrap())
}

fn opts() -> Options {
    Options { fallback_year: 2026, ..Options::default() }
}

fn seed_003() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/seeds/003_70bf524fbdd19580.txt"))
        .unwrap()
}

/// (annex, number, lead, cooperating, deadline) of a task.
type Essence = (Option<u32>, String, Vec<String>, Vec<String>, Option<String>);

/// What matters of a task for comparing two readings of one document.
fn essence(p: &Preview) -> Vec<Essence> {
    p.tasks
        .iter()
        .map(|t| (t.annex, t.number.clone(), t.lead.clone(), t.cooperating.clone(), t.deadline.map(|d| d.to_string())))
        .collect()
}

fn by_number<'a>(p: &'a Preview, n: &str) -> &'a ParsedTask {
    p.tasks.iter().find(|t| t.number == n).unwrap_or_else(|| panic!("no task {n} in {:?}", p.tasks))
}

#[test]
fn gb18030_text_reads_like_utf8() {
    let text = seed_003();
    let (gbk, _, unmappable) = encoding_rs::GB18030.encode(&text);
    assert!(!unmappable);
    let a = import(text.as_bytes(), "003.txt", &opts(), &names()).unwrap();
    let b = import(&gbk, "003.txt", &opts(), &names()).unwrap();
    assert_eq!(b.tasks.len(), 274);
    assert_eq!(essence(&a), essence(&b));
    assert_eq!(a.document, b.document);
}

#[test]
fn a_web_page_pasted_as_one_line_with_menus_reads_the_same() {
    let text = seed_003();
    let body_start = text.find("二、重点任务").unwrap();
    let body_end = text.find("附件：").unwrap();
    let head: String = text[..body_start].to_string();
    let flat: String = text[body_start..body_end].lines().map(str::trim).collect::<Vec<_>>().join("");
    let pasted =
        format!("首页 | 政务公开 | 政策文件 | 当前位置：首页 > 政策文件\n{head}{flat}\n打印本页 关闭窗口 网站地图");
    let a = import_text(&format!("{head}{}", &text[body_start..body_end]), &opts(), &names());
    let b = import_text(&pasted, &opts(), &names());
    assert_eq!(a.tasks.len(), 201);
    assert_eq!(essence(&a), essence(&b));
    assert_eq!(b.document.title, "奈曼旗落实通辽市优化营商环境攻坚年行动实施方案");
}

#[test]
fn an_html_page_reads_the_same() {
    let text = seed_003();
    let mut html = String::from(
        "<!DOCTYPE html><html><head><title>政策文件</title><script>var x = '（1）';</script></head><body><nav><a href=\"/\">首页</a></nav>",
    );
    for line in text.lines() {
        html.push_str(&format!("<p>{}</p>\n", line.replace('&', "&amp;").replace('<', "&lt;")));
    }
    html.push_str("</body></html>");
    let a = import(text.as_bytes(), "003.txt", &opts(), &names()).unwrap();
    let b = import(html.as_bytes(), "003.html", &opts(), &names()).unwrap();
    assert_eq!(essence(&a), essence(&b));
}

fn docx(paragraphs: &[&str], tables: &[Vec<Vec<&str>>]) -> Vec<u8> {
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let mut body = String::new();
    for p in paragraphs {
        body.push_str(&format!("<w:p><w:r><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>", esc(p)));
    }
    for t in tables {
        body.push_str("<w:tbl>");
        for row in t {
            body.push_str("<w:tr>");
            for cell in row {
                body.push_str(&format!("<w:tc><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:tc>", esc(cell)));
            }
            body.push_str("</w:tr>");
        }
        body.push_str("</w:tbl>");
    }
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
    );
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut buf);
    let o = zip::write::SimpleFileOptions::default();
    zip.start_file("[Content_Types].xml", o).unwrap();
    zip.write_all(
        b"<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>",
    )
    .unwrap();
    zip.start_file("word/document.xml", o).unwrap();
    zip.write_all(xml.as_bytes()).unwrap();
    zip.finish().unwrap();
    buf.into_inner()
}

#[test]
fn a_word_document_reads_the_same() {
    let text = seed_003();
    let lines: Vec<&str> = text.lines().collect();
    let a = import(text.as_bytes(), "003.txt", &opts(), &names()).unwrap();
    let b = import(&docx(&lines, &[]), "003.docx", &opts(), &names()).unwrap();
    assert_eq!(b.tasks.len(), 274);
    assert_eq!(essence(&a), essence(&b));
}

#[test]
fn a_word_table_ledger_is_read_by_its_headers() {
    let table = vec![
        vec!["序号", "牵头单位", "工作任务", "配合单位", "完成时间"],
        vec!["1", "旗行政审批和政务服务局", "推行电子营业执照“一照通办”", "旗市场监管局、公安局", "2022年12月底前"],
        vec!["2", "旗自然资源局", "不动产登记1个工作日内办结", "", "3月底前"],
    ];
    let bytes = docx(&["关于印发奈曼旗重点任务台账的通知", "2022年3月18日"], &[table]);
    let p = import(&bytes, "台账.docx", &opts(), &names()).unwrap();
    assert_eq!(p.tasks.len(), 2);
    assert_eq!(p.document.title, "奈曼旗重点任务台账");
    let t = by_number(&p, "1");
    assert_eq!(t.lead, vec!["旗行政审批和政务服务局"]);
    assert_eq!(t.cooperating, vec!["旗市场监管局", "旗公安局"]);
    assert_eq!(t.deadline.unwrap().to_string(), "2022-12-31");
    assert_eq!(by_number(&p, "2").deadline.unwrap().to_string(), "2022-03-31");
}

fn ledger_rows() -> Vec<Vec<&'static str>> {
    vec![
        vec!["奈曼旗优化营商环境任务台账"],
        vec!["完成时限", "任务内容", "序号", "责任单位", "牵头单位"],
        vec!["", "一、企业开办", "", "", ""],
        vec![
            "3月底前",
            "开办时间全面压缩至0.5个工作日以内",
            "1",
            "旗市场监管局、公安局、税务局",
            "旗行政审批和政务服务局",
        ],
        vec!["2022年底前", "全面清偿政府拖欠民营企业账款", "2", "旗直相关部门", "旗工信局、财政局"],
        vec!["长期坚持", "强化信用监管", "3", "", "旗市场监管局"],
    ]
}

fn check_ledger(p: &Preview) {
    assert_eq!(p.tasks.len(), 3, "{:?}", p.tasks);
    let t = by_number(p, "1");
    assert_eq!(t.lead, vec!["旗行政审批和政务服务局"]);
    assert_eq!(t.cooperating, vec!["旗市场监管局", "旗公安局", "旗税务局"]);
    assert_eq!(t.path, vec!["一、企业开办"]);
    assert_eq!(t.targets, vec!["压缩至0.5个工作日以内"]);
    let t = by_number(p, "2");
    assert_eq!(t.lead, vec!["旗工信局", "旗财政局"]);
    assert!(t.warnings.iter().any(|w| w.code == WarningCode::MultipleLeads));
    assert_eq!(t.deadline.map(|d| d.year()), Some(2022));
    assert!(by_number(p, "3").warnings.iter().any(|w| w.code == WarningCode::Ongoing));
}

#[test]
fn an_excel_ledger_is_read_by_its_headers_in_any_order() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in ledger_rows().iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    let bytes = wb.save_to_buffer().unwrap();
    let p = import(&bytes, "台账.xlsx", &Options { year: Some(2022), ..opts() }, &names()).unwrap();
    check_ledger(&p);
}

#[test]
fn a_legacy_xls_ledger_is_read() {
    let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ledger.xls")).unwrap();
    let p = import(&bytes, "ledger.xls", &Options { year: Some(2022), ..opts() }, &names()).unwrap();
    check_ledger(&p);
}

#[test]
fn a_csv_ledger_is_read() {
    let csv: String = ledger_rows()
        .iter()
        .map(|r| r.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(",") + "\n")
        .collect();
    let p = import(csv.as_bytes(), "台账.csv", &Options { year: Some(2022), ..opts() }, &names()).unwrap();
    check_ledger(&p);
    let (gbk, _, _) = encoding_rs::GBK.encode(&csv);
    check_ledger(&import(&gbk, "台账.csv", &Options { year: Some(2022), ..opts() }, &names()).unwrap());
}

#[test]
fn a_table_flattened_to_text_is_read() {
    let text: String = ledger_rows().iter().skip(1).map(|r| r.join("\t") + "\n").collect();
    let p = import_text(&text, &Options { year: Some(2022), ..opts() }, &names());
    check_ledger(&p);
}

const VARIANTS: &str = "\
关于印发某县重点工作推进方案的通知
2023年2月10日
一、重点任务
（一）优化营商环境
1.压缩企业开办时间至1个工作日以内，6月底前完成。（旗市场监管局牵头，旗公安局、旗税务局配合）
2.推进不动产登记一窗受理。责任单位：旗自然资源局、旗住建局（排在第一位的为牵头单位，下同）
3.清理涉企规范性文件，二季度完成。责任部门：旗司法局、旗市场监管局
（二）项目建设
以下任务均需各片区配合落实，不再列出。
4.建立重点项目台账，1月底前完成。（牵头单位：旗发改委；责任单位：旗统计局）
5.开展项目服务日活动，长期坚持。（牵头单位：旗工信局；责任单位：旗财政局、旗审计局）6.推行项目管家制度，上半年完成。（牵头单位：旗工业园区管委会）
";

#[test]
fn other_spellings_of_responsibility_and_time_are_read() {
    let p = import_text(VARIANTS, &opts(), &names());
    assert_eq!(p.document.title, "某县重点工作推进方案");
    assert_eq!(p.tasks.len(), 6, "{:#?}", p.tasks);
    let t = by_number(&p, "1.");
    assert_eq!(
        (t.lead.clone(), t.cooperating.clone()),
        (vec!["旗市场监管局".to_string()], vec!["旗公安局".to_string(), "旗税务局".to_string()])
    );
    assert_eq!(t.deadline.unwrap().to_string(), "2023-06-30");
    assert_eq!(t.text, "压缩企业开办时间至1个工作日以内，6月底前完成。");
    // The document says the first is the lead: no proposal to confirm, here or below.
    let t = by_number(&p, "2.");
    assert_eq!(
        (t.lead.clone(), t.cooperating.clone()),
        (vec!["旗自然资源局".to_string()], vec!["旗住建局".to_string()])
    );
    assert!(t.warnings.iter().all(|w| w.code != WarningCode::LeadProposed), "{:?}", t.warnings);
    let t = by_number(&p, "3.");
    assert_eq!(t.lead, vec!["旗司法局"]);
    assert_eq!(t.deadline.unwrap().to_string(), "2023-06-30");
    assert!(t.warnings.iter().all(|w| w.code != WarningCode::LeadProposed));
    // 「以下均需各片区配合落实」 adds 各片区 to every task after it in its part of the document.
    let t = by_number(&p, "4.");
    assert_eq!(t.cooperating, vec!["旗统计局", "各片区"]);
    // An issue date of 2023-02-10 and 「1月底前」: flagged, not moved to next year.
    assert_eq!(t.deadline.unwrap().to_string(), "2023-01-31");
    assert!(t.warnings.iter().any(|w| w.code == WarningCode::DeadlineBeforeIssue));
    let unknown: Vec<&str> =
        t.warnings.iter().filter(|w| w.code == WarningCode::UnknownUnit).filter_map(|w| w.name.as_deref()).collect();
    assert_eq!(unknown, vec!["旗统计局", "各片区"]);
    assert!(t.warnings.iter().find(|w| w.name.as_deref() == Some("旗统计局")).unwrap().closest.len() <= 3);
    let t = by_number(&p, "5.");
    assert!(t.warnings.iter().any(|w| w.code == WarningCode::Ongoing));
    assert_eq!(t.cooperating, vec!["旗财政局", "旗审计局", "各片区"]);
    // A list glued to the next item's number.
    let t = by_number(&p, "6.");
    assert_eq!(t.lead, vec!["旗工业园区管委会"]);
    assert_eq!(t.deadline.unwrap().to_string(), "2023-06-30");
}

#[test]
fn the_year_can_be_given_and_a_document_without_a_date_takes_it_from_its_text() {
    let text = "2021年重点工作\n（1）完成事项认领，3月底前完成。（牵头单位：旗财政局）";
    let p = import_text(text, &opts(), &names());
    assert_eq!(p.tasks[0].deadline.unwrap().to_string(), "2021-03-31");
    let p = import_text(text, &Options { year: Some(2024), ..opts() }, &names());
    assert_eq!(p.tasks[0].deadline.unwrap().to_string(), "2024-03-31");
}

#[test]
fn unreadable_files_are_errors_and_empty_ones_too() {
    assert!(import(b"", "a.txt", &opts(), &names()).is_err());
    assert!(import(b"PK\x03\x04\x14\x00broken", "a.docx", &opts(), &names()).is_err());
    assert!(import(b"PK\x03\x04\x14\x00broken", "a.xlsx", &opts(), &names()).is_err());
    // A readable document without tasks is not an error.
    assert!(import("没有任务的通知。".as_bytes(), "a.txt", &opts(), &names()).unwrap().tasks.is_empty());
}

#[test]
fn circled_numbers_nest_under_their_item() {
    let text = "某县实施方案\n2024年1月5日\n一、任务\n1.项目审批提速\n①压缩审批时限，3月底前完成。（牵头单位：旗发改委）\n②推行并联审批。（牵头单位：旗行政审批和政务服务局；责任单位：旗住建局）\n2.要素保障\n①保障用地，上半年完成。（责任单位：旗自然资源局）\n";
    let p = import_text(text, &opts(), &names());
    let got: Vec<(String, Vec<String>)> = p.tasks.iter().map(|t| (t.number.clone(), t.path.clone())).collect();
    assert_eq!(
        got,
        vec![
            ("①".to_string(), vec!["一、任务".to_string(), "1.项目审批提速".to_string()]),
            ("②".to_string(), vec!["一、任务".to_string(), "1.项目审批提速".to_string()]),
            ("①".to_string(), vec!["一、任务".to_string(), "2.要素保障".to_string()]),
        ]
    );
    assert_eq!(p.tasks[2].deadline.unwrap().to_string(), "2024-06-30");
}
