//! Writes the fuzzer's seed corpus: one small input per format the importer reads, each
//! prefixed by the byte that selects its file name in `fuzz/fuzz_targets/import.rs`.
//!
//!     cargo run -p duban-import --example fuzz_corpus -- fuzz/corpus/import

#![allow(clippy::unwrap_used, clippy::expect_used)] // a developer's tool: fail loudly

#[path = "../tests/common/hostile.rs"]
mod hostile;

use std::io::Write;

const TEXT: &str = "关于印发某旗重点任务清单的通知\n奈政字〔2025〕43号\n2022年3月18日\n二、重点任务\n（一）打造市场主体全生命周期服务链\n\
1.优化企业开办服务。进一步优化审批流程。\n\
（1）推行电子营业执照“一照通办”，12月底前全面推广。（牵头单位：旗行政审批和政务服务局；责任单位：旗市场监管局、旗直有关部门）\n\
（3）3月底前开办时间全面压缩至0.5个工作日以内。（牵头单位：旗行政审批和政务服务局；责任单位：旗市场监管局、公安局、人社局）\n\
（13）将航空净空数据纳入“多规合一”平台。（牵头单位：旗自然资源局、气象局）\n\
（25）2022年起，实现小微企业用电报装“零投资”。（旗住建局牵头，国网奈曼供电公司配合）\n\
附件：\n1.某方案\n附件1\n某攻坚行动实施方案\n二、主要措施\n\
（一）推进事项认领。（牵头单位：旗行政审批和政务服务局；责任单位：旗直有关部门、各苏木乡镇场、街道；完成时限：6月底前）\n\
（二）梳理清单。(责任单位：旗行政审批和政务服务局；完成时限：3月底前）\n\
1.完成新增注册用户6万人。（牵头单位:旗行政审批和政务服务局；责任单位：旗直各部门；完成时限：4月底前完成任务指标70%，6月底前完成任务指标的100%）\n";

fn write(dir: &std::path::Path, name: &str, kind: u8, bytes: &[u8]) {
    let mut data = vec![kind];
    data.extend_from_slice(bytes);
    std::fs::write(dir.join(name), data).unwrap();
}

fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).expect("usage: fuzz_corpus DIR"));
    std::fs::create_dir_all(&dir).unwrap();
    // 0 txt, 1 docx, 2 xlsx, 3 xls, 4 csv, 5 html (see FILES in the fuzz target).
    write(&dir, "text-utf8", 0, TEXT.as_bytes());
    write(&dir, "text-gb18030", 0, &encoding_rs::GB18030.encode(TEXT).0);
    write(&dir, "text-oneline", 0, TEXT.replace('\n', "").as_bytes());
    write(&dir, "text-tabbed", 0, "序号\t任务\t牵头单位\t完成时限\n1\t推行一照通办\t旗财政局\t6月底前\n".as_bytes());

    let mut body = String::new();
    for line in TEXT.lines().take(8) {
        body.push_str(&format!("<w:p><w:r><w:t>{line}</w:t></w:r></w:p>"));
    }
    body.push_str("<w:tbl><w:tr><w:tc><w:p><w:r><w:t>序号</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>任务</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>牵头单位</w:t></w:r></w:p></w:tc></w:tr>\
<w:tr><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>清理文件</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>旗司法局</w:t></w:r></w:p></w:tc></w:tr></w:tbl>");
    let xml = format!("<?xml version=\"1.0\"?><w:document xmlns:w=\"w\"><w:body>{body}</w:body></w:document>");
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut buf);
    zip.start_file("word/document.xml", zip::write::SimpleFileOptions::default()).unwrap();
    zip.write_all(xml.as_bytes()).unwrap();
    zip.finish().unwrap();
    write(&dir, "docx", 1, &buf.into_inner());

    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in
        [["完成时限", "任务内容", "序号", "牵头单位"], ["3月底前", "压缩至0.5个工作日以内", "1", "旗财政局"]]
            .iter()
            .enumerate()
    {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    write(&dir, "xlsx", 2, &wb.save_to_buffer().unwrap());
    write(&dir, "xls", 3, &std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ledger.xls")).unwrap());
    write(
        &dir,
        "csv",
        4,
        "序号,任务,牵头单位,责任单位,完成时限\n1,\"推行一照通办\",旗财政局,\"旗审计局、发改委\",年底前\n".as_bytes(),
    );
    let html: String = TEXT.lines().map(|l| format!("<p>{l}</p>")).collect();
    write(&dir, "html", 5, format!("<html><body><script>x</script>{html}&nbsp;&#x4E00;</body></html>").as_bytes());

    // Hostile files (issue 9), each under the 16 KB that CI's fuzzing run reads of an input.
    write(&dir, "hostile-xlsx-dimension", 2, &hostile::xlsx_huge_dimension());
    write(&dir, "hostile-xlsx-far-cells", 2, &hostile::xlsx_far_cells());
    write(&dir, "hostile-xlsx-sst-count", 2, &hostile::xlsx_huge_sst());
    write(&dir, "hostile-xls-far-cells", 3, &hostile::xls_far_cells());
    write(&dir, "hostile-docx-bomb", 1, &hostile::docx_bomb(15 * 1024 * 1024, false));
    write(&dir, "hostile-docx-bomb-lying", 1, &hostile::docx_bomb(15 * 1024 * 1024, true));
    write(&dir, "hostile-html-items", 5, &hostile::html_items(16 * 1024 - 200));
    for entry in std::fs::read_dir(&dir).unwrap() {
        let len = entry.unwrap().metadata().unwrap().len();
        assert!(len <= 16 * 1024, "a seed over 16 KB is cut short by the fuzzer");
    }
}
