//! Hostile files (issue 9): tiny spreadsheets that declare billions of cells or strings, zip
//! bombs, pages of hundreds of thousands of items. Each must be refused quickly with a clear
//! Chinese "too large" error, never read into gigabytes; and a long real document (1,005
//! numbered items) must still import in full.

#[path = "common/hostile.rs"]
mod hostile;

use duban_import::{ImportError, Limits, Names, Options, Preview, WarningCode, import, import_within};

fn opts() -> Options {
    Options { fallback_year: 2026, ..Options::default() }
}

fn read(bytes: &[u8], file: &str) -> Result<Preview, ImportError> {
    import(bytes, file, &opts(), &Names::default())
}

/// The error must say the file is too large or too complex, in Chinese.
#[track_caller]
fn refused(got: Result<Preview, ImportError>, says: &str) {
    match got {
        Err(e @ ImportError::TooLarge(_)) => {
            let m = e.to_string();
            assert!(m.contains("文件过大或过于复杂") && m.contains(says), "{m}");
        }
        other => panic!("expected a too-large refusal mentioning {says:?}, got {other:?}"),
    }
}

#[test]
fn a_tiny_xlsx_declaring_a1_to_xfd1048576_is_refused() {
    let bytes = hostile::xlsx_huge_dimension();
    assert!(bytes.len() < 8 * 1024, "{} bytes", bytes.len());
    refused(read(&bytes, "台账.xlsx"), "A1:XFD1048576");
}

#[test]
fn a_tiny_xlsx_placing_cells_at_a1_and_xfd1048576_is_refused() {
    let bytes = hostile::xlsx_far_cells();
    assert!(bytes.len() < 8 * 1024, "{} bytes", bytes.len());
    refused(read(&bytes, "台账.xlsx"), "1048576 行 × 16384 列");
}

#[test]
fn a_tiny_xlsx_declaring_two_billion_shared_strings_is_refused() {
    refused(read(&hostile::xlsx_huge_sst(), "台账.xlsx"), "2000000000 个共享字符串");
}

#[test]
fn a_small_xlsx_naming_one_long_shared_string_in_every_cell_is_refused() {
    let bytes = hostile::xlsx_repeated_string();
    assert!(bytes.len() < 600 * 1024, "{} bytes", bytes.len());
    refused(read(&bytes, "台账.xlsx"), "共享字符串合计超过");
}

#[test]
fn an_xls_placing_a_cell_at_its_last_row_and_column_is_refused() {
    refused(read(&hostile::xls_far_cells(), "台账.xls"), "256 列");
}

#[test]
fn a_docx_zip_bomb_is_refused_whether_its_size_is_declared_or_hidden() {
    // 65 MiB of spaces deflate to about 64 KB.
    let honest = hostile::docx_bomb(65 * 1024 * 1024 + 1, false);
    assert!(honest.len() < 200 * 1024, "{} bytes", honest.len());
    refused(read(&honest, "方案.docx"), "解压后超过 64 MB");
    // The same bomb declaring 1 KB: found while inflating (the zip reader refuses an entry
    // that inflates past its declared size), a corrupt file.
    let lying = hostile::docx_bomb(65 * 1024 * 1024 + 1, true);
    let got = read(&lying, "方案.docx");
    assert!(matches!(got, Err(ImportError::Corrupt(ref m)) if m.contains("declared")), "{got:?}");
}

#[test]
fn a_page_of_hundreds_of_thousands_of_items_is_refused() {
    let page = hostile::html_items(20 * 1024 * 1024 - 1024);
    refused(read(&page, "page.html"), "行");
}

#[test]
fn a_document_of_more_tasks_than_a_preview_holds_is_refused_not_cut_short() {
    refused(read(hostile::numbered_items(5_001).as_bytes(), "清单.txt"), "5001 项任务");
}

#[test]
fn items_numbered_1000_and_above_are_tasks_of_their_own() {
    let p = read(hostile::numbered_items(1_005).as_bytes(), "清单.txt").unwrap();
    assert_eq!(p.tasks.len(), 1_005);
    let last: Vec<&str> = p.tasks[997..].iter().map(|t| t.number.as_str()).collect();
    assert_eq!(last, ["998.", "999.", "1000.", "1001.", "1002.", "1003.", "1004.", "1005."]);
    assert_eq!(p.tasks[999].text, "推进第1000项重点工作，年底前完成。");
    assert_eq!(p.tasks[1004].lead, ["旗财政局"]);
}

#[test]
fn an_overlong_task_text_is_cut_in_the_preview_with_a_warning() {
    let long = "推进重点工作".repeat(500);
    let doc = format!("某旗重点任务清单\n1.{long}。（牵头单位：旗财政局）\n2.短任务。（牵头单位：旗财政局）\n");
    let p = read(doc.as_bytes(), "清单.txt").unwrap();
    assert_eq!(p.tasks[0].text.chars().count(), 2_000);
    let cut: Vec<&str> =
        p.tasks[0].warnings.iter().filter(|w| w.code == WarningCode::Truncated).map(|w| w.message.as_str()).collect();
    assert_eq!(cut, ["任务原文 3001 字，过长，预览只保留前 2000 字"]);
    assert!(p.tasks[1].warnings.iter().all(|w| w.code != WarningCode::Truncated));
}

#[test]
fn reading_past_the_time_budget_stops_with_a_timeout() {
    let limits = Limits { time_budget: std::time::Duration::ZERO, ..Limits::default() };
    let doc = hostile::numbered_items(3_000);
    let got = import_within(doc.as_bytes(), "清单.txt", &opts(), &Names::default(), &limits);
    match got {
        Err(e @ ImportError::Timeout(0)) => assert!(e.to_string().contains("解析超过 0 秒"), "{e}"),
        other => panic!("{other:?}"),
    }
    // The same document within the default budget reads in full.
    assert_eq!(read(doc.as_bytes(), "清单.txt").unwrap().tasks.len(), 3_000);
}
