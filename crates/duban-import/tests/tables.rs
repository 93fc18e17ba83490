//! Task tables flattened to text (issue 11): a Word table pasted as text, an HTML table, a
//! crawled page whose cells the crawler joined with spaces. Each test reads a small document
//! written for it in one of the shapes real ones take: empty cells simply missing, merged cells
//! exported once, a lead cell run into the cooperating cell, units at the start of the task cell,
//! phone numbers and people beside units, a footnote stating who leads, a 完成时限 column.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use duban_import::ledger::{find_text_table, text_table};
use duban_import::{Names, Options, ParsedTask, Preview, WarningCode, import, import_text};

fn opts() -> Options {
    Options { fallback_year: 2026, ..Options::default() }
}

fn read(text: &str) -> Preview {
    import_text(text, &opts(), &Names::default())
}

fn by_number<'a>(p: &'a Preview, n: &str) -> &'a ParsedTask {
    p.tasks.iter().find(|t| t.number == n).unwrap_or_else(|| panic!("no task {n} in {:#?}", p.tasks))
}

fn units(t: &ParsedTask) -> (Vec<&str>, Vec<&str>) {
    (t.lead.iter().map(String::as_str).collect(), t.cooperating.iter().map(String::as_str).collect())
}

fn deadline(t: &ParsedTask) -> Option<String> {
    t.deadline.map(|d| d.to_string())
}

fn has(t: &ParsedTask, code: WarningCode) -> bool {
    t.warnings.iter().any(|w| w.code == code)
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_string).collect()
}

/// A notice and its table pasted from Word: one cell per line, empty cells missing, a section
/// row restarting the numbers, people and phone numbers beside the units.
const PASTED: &str = "关于印发某区2023年重点工作任务分解表的通知
某区政办〔2023〕5号
各乡镇人民政府，区直各单位：
现将《某区2023年重点工作任务分解表》印发给你们，请认真贯彻落实。
某区人民政府办公室
2023年2月20日
某区2023年重点工作任务分解表
序号
重点任务
牵头单位
配合单位
完成时限
责任人
联系电话
一、优化营商环境
1
推进工程建设项目审批制度改革，审批时限压缩至60个工作日以内。
区行政审批局
区住建局、区自然资源局
2023年6月底前
陈立
0591-2345678
2
开展涉企收费专项清理，建立收费目录清单。
区发展改革局
2023-09-30
3
建立政企沟通机制，每季度召开一次企业家座谈会。
区工商联
区经济发展局
长期坚持
13912345678
二、推进乡村振兴
1
实施高标准农田建设项目，新建高标准农田5000亩。
区农业农村局
区财政局
2023年底前
赵敏
";

#[test]
fn cells_one_per_line_are_placed_by_what_they_hold_when_some_are_missing() {
    let p = read(PASTED);
    assert_eq!(p.document.title, "某区2023年重点工作任务分解表");
    assert_eq!(p.document.doc_number.as_deref(), Some("某区政办〔2023〕5号"));
    assert_eq!(p.document.issued.map(|d| d.to_string()).as_deref(), Some("2023-02-20"));
    assert_eq!(p.tasks.len(), 4, "{:#?}", p.tasks);

    let t = &p.tasks[0];
    assert_eq!(t.number, "1");
    assert_eq!(t.path, ["一、优化营商环境"]);
    assert_eq!(t.text, "推进工程建设项目审批制度改革，审批时限压缩至60个工作日以内。");
    assert_eq!(units(t), (vec!["区行政审批局"], vec!["区住建局", "区自然资源局"]));
    assert_eq!(deadline(t).as_deref(), Some("2023-06-30"));

    // No cooperating cell and no people: the date is the deadline, not a unit.
    let t = &p.tasks[1];
    assert_eq!(units(t), (vec!["区发展改革局"], vec![]));
    assert_eq!((deadline(t).as_deref(), t.deadline_text.as_deref()), (Some("2023-09-30"), Some("2023-09-30")));

    // A phone number without a person: neither is a unit.
    let t = &p.tasks[2];
    assert_eq!(units(t), (vec!["区工商联"], vec!["区经济发展局"]));
    assert_eq!(t.deadline, None);
    assert!(has(t, WarningCode::Ongoing));

    // The numbers start again under the second section.
    let t = &p.tasks[3];
    assert_eq!((t.number.as_str(), t.path.clone()), ("1", vec!["二、推进乡村振兴".to_string()]));
    assert_eq!(units(t), (vec!["区农业农村局"], vec!["区财政局"]));
    assert_eq!(deadline(t).as_deref(), Some("2023-12-31"));
    for t in &p.tasks {
        for u in t.lead.iter().chain(&t.cooperating) {
            assert!(!u.chars().any(|c| c.is_ascii_digit()) && !["陈立", "赵敏"].contains(&u.as_str()), "{u}");
        }
    }
}

#[test]
fn the_rows_keep_their_cells_in_the_headers_columns() {
    let t = text_table(&lines(PASTED)).unwrap();
    assert_eq!(t[0], ["序号", "重点任务", "牵头单位", "配合单位", "完成时限", "责任人", "联系电话"]);
    assert_eq!(t[1], ["一、优化营商环境"]);
    assert_eq!(
        t[3],
        ["2", "开展涉企收费专项清理，建立收费目录清单。", "区发展改革局", "", "2023-09-30"],
        "the missing cooperating cell is left empty"
    );
    assert_eq!(t[4][6], "13912345678", "a phone number goes to its own column");
    assert_eq!(t[6][5], "赵敏", "a name under 责任人");
    let found = find_text_table(&lines(PASTED)).unwrap();
    assert_eq!(found.before.len(), 7);
    assert!(found.after.is_empty());
}

/// A ledger whose 牵头单位 cells were merged over several rows: exported once, on the first.
const MERGED: &str = "某县城市更新任务表
序号
工作任务
牵头单位
配合单位
完成时限
1
完成老旧小区改造12个，惠及居民3000户。
县住建局
县财政局
2024年10月底前
2
同步实施小区雨污分流和管网改造工程。
2024年11月底前
3
建立小区长效管理机制，推行物业服务全覆盖。
县城管局
长期坚持
4
开展背街小巷环境整治行动。
2024年9月底前
";

#[test]
fn a_row_without_units_under_a_merged_cell_takes_the_units_of_the_row_above() {
    let p = read(MERGED);
    assert_eq!(p.tasks.len(), 4, "{:#?}", p.tasks);
    assert_eq!(units(by_number(&p, "1")), (vec!["县住建局"], vec!["县财政局"]));
    let t = by_number(&p, "2");
    assert_eq!(units(t), (vec!["县住建局"], vec!["县财政局"]));
    assert_eq!(deadline(t).as_deref(), Some("2024-11-30"), "its own deadline");
    assert!(has(t, WarningCode::LeadProposed), "inherited units are to be checked: {:?}", t.warnings);
    assert!(!has(by_number(&p, "1"), WarningCode::LeadProposed));
    assert_eq!(units(by_number(&p, "4")), (vec!["县城管局"], vec![]));
}

#[test]
fn a_heading_row_stops_units_being_inherited() {
    let text = "序号\t工作任务\t牵头单位\t完成时限
一、项目建设\t\t\t
1\t加快推进产业园区标准厂房建设，新增厂房10万平方米。\t县工信局\t2024年底前
二、民生保障
2\t提高城乡居民基本医疗保险财政补助标准。\t\t2024年6月底前
";
    let p = read(text);
    assert_eq!(p.tasks.len(), 1, "{:#?}", p.tasks);
    assert_eq!(by_number(&p, "1").path, ["一、项目建设"]);
}

/// A crawled page: the header, then the body on one line, cells separated by spaces; the lead
/// run into the cooperating cell, amounts and people beside units, a signature after the table.
const PAGE: &str = "标题: 某区2023年为民办实事项目责任分解表
发布时间: 2023-03-01 09:00
文号: 
发布机构: 某区人民政府办公室
栏目: 通知公告
原文链接: https://www.example.gov.cn/a/b.htm
本地目录: a/b
页面图片另存于同一目录
==================== 正文 ====================
当前位置： 首页 > 通知公告 时间：2023-03-01 09:00 微信 微博 某区2023年为民办实事项目责任分解表 序号 项目内容 牵头单位 配合单位 完成时限 1 新建城区公办幼儿园2所，新增学位600个。 区教育局 区财政局、区住建局 2023年8月底前 2 改造老旧小区12个，惠及居民3000户。 区经济发展局区行政审批局区直各有关单位 2023年11月底前 3 实施城乡供水一体化工程，总投资 500万元 区水利局 2023年底前 4 开展适龄妇女免费“两癌”筛查。 区卫健局 王芳 0591-7654321 长期坚持 某区人民政府办公室 2023年3月1日 来源：某区人民政府办公室 打印本页 关闭窗口";

#[test]
fn a_crawled_pages_table_is_read_row_by_row() {
    let p = read(PAGE);
    assert_eq!(p.document.title, "某区2023年为民办实事项目责任分解表");
    assert_eq!(p.document.issued.map(|d| d.to_string()).as_deref(), Some("2023-03-01"));
    assert_eq!(p.tasks.len(), 4, "{:#?}", p.tasks);
    let t = by_number(&p, "1");
    assert_eq!(units(t), (vec!["区教育局"], vec!["区财政局", "区住建局"]));
    assert_eq!(deadline(t).as_deref(), Some("2023-08-31"));
    // The lead cell ran into the cooperating one: cut at the names' endings, a collective tail whole.
    let t = by_number(&p, "2");
    assert_eq!(units(t), (vec!["区经济发展局"], vec!["区行政审批局", "区直各有关单位"]));
    assert_eq!(deadline(t).as_deref(), Some("2023-11-30"));
    // An amount split off the sentence stays with it; it is not a unit.
    let t = by_number(&p, "3");
    assert_eq!(t.text, "实施城乡供水一体化工程，总投资500万元");
    assert_eq!(units(t), (vec!["区水利局"], vec![]));
    // A person and a phone number beside the unit are neither units nor the deadline; the
    // signature after the last row is not part of it.
    let t = by_number(&p, "4");
    assert_eq!(units(t), (vec!["区卫健局"], vec![]));
    assert_eq!(t.deadline_text.as_deref(), Some("长期坚持"));
    assert!(has(t, WarningCode::Ongoing));
}

#[test]
fn header_cells_cut_in_two_by_a_crawlers_spaces_are_whole_again() {
    let page = PAGE.replace(" 序号 ", " 序 号 ").replace(" 完成时限 ", " 完成 时限 ");
    let p = read(&page);
    assert_eq!(p.tasks.len(), 4, "{:#?}", p.tasks);
    assert_eq!(deadline(by_number(&p, "1")).as_deref(), Some("2023-08-31"));
}

#[test]
fn a_file_and_a_text_read_the_same_table() {
    for text in [PASTED, MERGED, PAGE] {
        let a = read(text);
        let b = import(text.as_bytes(), "分解表.txt", &opts(), &Names::default()).unwrap();
        assert_eq!(a.tasks, b.tasks);
        assert!(!b.tasks.is_empty());
    }
}

#[test]
fn rows_on_one_line_each_with_spaces_between_the_cells_are_read() {
    let text = "某县2024年民生工作任务清单
序号 工作任务 牵头单位 配合单位 完成时限
1 推进县医院新院区建设，年内主体封顶。 县卫健局 县发改局、县财政局 2024年12月底前
2 新建农村公路50公里。 县交通运输局 2024年10月底前
3 完成城区雨污分流改造工程。 县住建局县水利局各乡镇（街道） 2024-09-30
";
    let p = read(text);
    assert_eq!(p.document.title, "某县2024年民生工作任务清单");
    assert_eq!(p.tasks.len(), 3, "{:#?}", p.tasks);
    assert_eq!(units(by_number(&p, "1")), (vec!["县卫健局"], vec!["县发改局", "县财政局"]));
    assert_eq!(units(by_number(&p, "2")), (vec!["县交通运输局"], vec![]));
    assert_eq!(deadline(by_number(&p, "2")).as_deref(), Some("2024-10-31"));
    assert_eq!(units(by_number(&p, "3")), (vec!["县住建局"], vec!["县水利局", "各乡镇（街道）"]));
    assert_eq!(deadline(by_number(&p, "3")).as_deref(), Some("2024-09-30"));
}

/// 责任单位 only, several names glued together in some rows.
fn responsible_table(note: &str) -> String {
    format!(
        "某镇人居环境整治任务表
序号
整治任务
责任单位
完成时限
1
清理农村生活垃圾和村内塘沟。
镇农业服务中心镇生态环境办各村（社区）
2024年3月底前
2
推进农村户厕改造。
镇卫生院、镇农业服务中心
2024年6月底前
{note}"
    )
}

#[test]
fn glued_responsible_units_are_all_responsible_unless_the_document_says_who_leads() {
    let p = read(&responsible_table(""));
    assert_eq!(p.tasks.len(), 2, "{:#?}", p.tasks);
    let t = by_number(&p, "1");
    assert_eq!(units(t), (vec!["镇农业服务中心", "镇生态环境办", "各村（社区）"], vec![]));
    assert!(has(t, WarningCode::LeadNotMarked), "{:?}", t.warnings);
    // A list with its separators: the first is proposed, as in any ledger.
    let t = by_number(&p, "2");
    assert_eq!(units(t), (vec!["镇卫生院"], vec!["镇农业服务中心"]));
    assert!(has(t, WarningCode::LeadProposed));
}

#[test]
fn a_footnote_after_the_table_applies_to_every_row_above_it() {
    let p = read(&responsible_table("注：排在第一位的为牵头单位。\n"));
    assert_eq!(p.tasks.len(), 2, "{:#?}", p.tasks);
    let t = by_number(&p, "1");
    assert_eq!(units(t), (vec!["镇农业服务中心"], vec!["镇生态环境办", "各村（社区）"]));
    assert!(t.warnings.iter().all(|w| w.code != WarningCode::LeadNotMarked && w.code != WarningCode::LeadProposed));
    let t = by_number(&p, "2");
    assert_eq!(units(t), (vec!["镇卫生院"], vec!["镇农业服务中心"]));
    assert!(!has(t, WarningCode::LeadProposed), "{:?}", t.warnings);
    // The other spelling of the rule, and in the header's own cell.
    let p = read(&responsible_table("注：各项任务中排位靠前的责任单位为牵头单位。\n"));
    assert!(!has(by_number(&p, "2"), WarningCode::LeadProposed));
    let in_header = responsible_table("").replace("责任单位\n", "责任单位（排在第一位的为牵头单位）\n");
    let p = read(&in_header);
    assert_eq!(p.tasks.len(), 2);
    assert!(!has(by_number(&p, "2"), WarningCode::LeadProposed));
}

#[test]
fn units_at_the_start_of_the_task_cell_lead_when_the_table_has_no_unit_column() {
    let text = "某区重点工作推进表
序号
工作任务
完成时限
1
区住建局：负责推进城市更新行动，完成3个片区改造。
2023年12月底前
2
区教育局：落实义务教育经费保障机制。
长期坚持
3
由区市场监管局牵头，开展食品安全专项整治。
2023年6月底前
";
    let p = read(text);
    assert_eq!(p.tasks.len(), 3, "{:#?}", p.tasks);
    assert_eq!(units(by_number(&p, "1")), (vec!["区住建局"], vec![]));
    assert_eq!(deadline(by_number(&p, "1")).as_deref(), Some("2023-12-31"));
    assert_eq!(units(by_number(&p, "2")), (vec!["区教育局"], vec![]));
    assert!(has(by_number(&p, "2"), WarningCode::Ongoing));
    assert_eq!(units(by_number(&p, "3")), (vec!["区市场监管局"], vec![]));
}

#[test]
fn a_schedule_without_units_is_not_a_task_table() {
    // Numbered steps with dates and no units: the document is read as text, its clause kept.
    let text = "某县项目推进方案
一、工作任务
（一）完成项目可研报告编制。（牵头单位：县发改局；完成时限：3月底前）
二、进度安排
序号
工作内容
完成时间
1
动员部署
2024年3月底前
2
组织实施
2024年10月底前
";
    let p = read(text);
    let t = p.tasks.iter().find(|t| t.lead == ["县发改局"]).unwrap_or_else(|| panic!("{:#?}", p.tasks));
    assert_eq!(t.number, "（一）");
}

#[test]
fn the_completion_column_reads_words_dates_in_figures_and_ongoing_work() {
    let text = "序号\t工作任务\t牵头单位\t完成时限
1\t推进数字政府建设。\t区大数据中心\t2023年6月底前
2\t完成政务云平台迁移。\t区大数据中心\t2023-06-30
3\t常态化开展网络安全检查。\t区委网信办\t长期坚持
";
    let p = import_text(text, &Options { year: Some(2023), ..opts() }, &Names::default());
    let got: Vec<(Option<String>, Option<&str>)> =
        p.tasks.iter().map(|t| (deadline(t), t.deadline_text.as_deref())).collect();
    assert_eq!(
        got,
        [
            (Some("2023-06-30".into()), Some("2023年6月底前")),
            (Some("2023-06-30".into()), Some("2023-06-30")),
            (None, Some("长期坚持")),
        ]
    );
    assert!(has(&p.tasks[2], WarningCode::Ongoing));
}

#[test]
fn an_html_table_with_a_merged_cell_reads_its_short_row_by_content() {
    let html = "<html><body><p>某区任务分解表</p><table>
<tr><td>序号</td><td>工作任务</td><td>牵头单位</td><td>配合单位</td><td>完成时限</td></tr>
<tr><td>1</td><td>推进政务服务一网通办，实现高频事项全程网办。</td><td>区行政审批局</td><td>区大数据中心</td><td>2023年6月底前</td></tr>
<tr><td>2</td><td>建设智慧停车平台，新增停车泊位800个。</td><td>区城管局</td><td></td><td>2023年10月底前</td></tr>
<tr><td>3</td><td>推进垃圾分类示范小区建设。</td><td>2023年12月底前</td></tr>
</table></body></html>";
    let p = import(html.as_bytes(), "表.html", &opts(), &Names::default()).unwrap();
    assert_eq!(p.tasks.len(), 3, "{:#?}", p.tasks);
    assert_eq!(units(by_number(&p, "1")), (vec!["区行政审批局"], vec!["区大数据中心"]));
    assert_eq!(units(by_number(&p, "2")), (vec!["区城管局"], vec![]));
    // Its unit cells are the merged ones above: the row's date is its deadline, not a unit.
    let t = by_number(&p, "3");
    assert_eq!(units(t), (vec!["区城管局"], vec![]));
    assert_eq!(deadline(t).as_deref(), Some("2023-12-31"));
}

#[test]
fn an_html_table_with_a_paragraph_per_cell_reads_one_cell_per_line() {
    // A site's table whose cells hold <p>s: every cell is a line; a cell of two names is two.
    let html = "<tbody><tr><td><p>某市营商环境改革任务分工表</p>
<table><tr><td><p>序号</p></td><td><p>改革任务</p></td><td><p>责任单位</p></td><td><p>完成时限</p></td></tr>
<tr><td><p>1</p></td><td><p>压缩企业开办时间至1个工作日以内。</p></td><td><p>市市场监管局、市税务局</p></td><td><p>2019年6月底前</p></td></tr>
<tr><td><p>2</p></td><td><p>推行不动产登记“一窗受理”。</p></td><td><p>市自然资源局</p></td><td><p></p></td></tr>
<tr><td><p>3</p></td><td><p>清理规范涉企行政事业性收费。</p></td><td><p>市发展改革委</p><p>市财政局</p></td><td><p>2019年底前</p></td></tr>
</table><p>注：排在第一位的为牵头单位。</p></td></tr></tbody>";
    let p = import(html.as_bytes(), "表.html", &opts(), &Names::default()).unwrap();
    assert_eq!(p.document.title, "某市营商环境改革任务分工表", "the table's caption");
    assert_eq!(p.tasks.len(), 3, "{:#?}", p.tasks);
    assert_eq!(units(by_number(&p, "1")), (vec!["市市场监管局"], vec!["市税务局"]));
    assert_eq!(deadline(by_number(&p, "2")), None);
    let t = by_number(&p, "3");
    assert_eq!(units(t), (vec!["市发展改革委"], vec!["市财政局"]));
    assert_eq!(deadline(t).as_deref(), Some("2019-12-31"));
    assert!(p.tasks.iter().all(|t| !has(t, WarningCode::LeadProposed)), "the footnote says who leads");
}

#[test]
fn a_header_repeated_on_each_page_and_text_after_the_table_are_not_rows() {
    let text = "序号
工作任务
牵头单位
完成时限
1
修订完善招商引资优惠政策。
区商务局
2023年5月底前
序号
工作任务
牵头单位
完成时限
2
举办重点产业链招商推介会。
区投资促进中心
2023年9月底前
各单位要高度重视，按时报送进展情况，确保各项任务按期完成。
";
    let t = find_text_table(&lines(text)).unwrap();
    assert_eq!(t.rows.len(), 3, "{:#?}", t.rows);
    assert_eq!(t.rows[2], ["2", "举办重点产业链招商推介会。", "区投资促进中心", "2023年9月底前"]);
    assert_eq!(t.after, ["各单位要高度重视，按时报送进展情况，确保各项任务按期完成。"]);
    let p = read(text);
    assert_eq!(p.tasks.len(), 2);
}

#[test]
fn a_second_table_after_the_first_is_read_too() {
    let text = "序号
重点任务
牵头单位
完成时限
1
推进全域旅游示范区创建。
区文旅局
2023年底前
附件2
序号
项目名称
责任单位
责任人
完成时间
1
建设滨海步道二期工程，总长12公里。
区住建局
林涛
2023年9月底前
";
    let p = read(text);
    assert_eq!(p.tasks.len(), 2, "{:#?}", p.tasks);
    assert_eq!(units(&p.tasks[0]), (vec!["区文旅局"], vec![]));
    assert_eq!(units(&p.tasks[1]), (vec!["区住建局"], vec![]));
    assert_eq!(deadline(&p.tasks[1]).as_deref(), Some("2023-09-30"));
}

#[test]
fn documents_without_a_table_are_read_as_before() {
    // Bare numbers and header words inside prose do not make a table.
    let text = "某县工作方案
一、重点任务
1.完善牵头单位和配合单位的协调机制。（牵头单位：县政府办；完成时限：6月底前）
序号
2
二、工作要求
各责任单位要明确完成时限。
";
    assert!(find_text_table(&lines(text)).is_none());
    let p = read(text);
    assert_eq!(p.tasks.len(), 1, "{:#?}", p.tasks);
    assert_eq!(p.tasks[0].lead, ["县政府办"]);
}

#[test]
fn any_cut_of_a_table_reads_without_panicking() {
    for text in [PASTED, PAGE, MERGED] {
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        for (i, _) in chars.iter().step_by(7) {
            let _ = read(&text[..*i]);
            let _ = read(&text[*i..]);
        }
    }
}

#[test]
fn shuffled_pieces_of_tables_read_without_panicking() {
    // Table-shaped pieces in random order and random separators: a preview, never a panic.
    const PIECES: &[&str] = &[
        "序号",
        "序 号",
        "工作任务",
        "牵头单位",
        "配合单位",
        "责任单位（排在第一位的为牵头单位）",
        "完成时限",
        "责任人",
        "联系电话",
        "备注",
        "1",
        "2",
        "3",
        "（4）",
        "9999",
        "一、重点任务",
        "（二）民生",
        "注：",
        "推进某项工作，年底前完成。",
        "区住建局",
        "区住建局区财政局区直各有关单位",
        "各村（社区）",
        "（张三",
        "13912345678）",
        "0591-1234567",
        "500万元",
        "2023年6月底前",
        "2023-06-30",
        "长期坚持",
        "区工商联",
        "由区商务局牵头，",
        "区教育局：负责",
        "附件2",
        "（",
        "）",
        "、",
        "张三",
        "區",
        "\u{3000}",
        "",
    ];
    const SEPARATORS: &[&str] = &["\n", " ", "\t", "", "\r\n"];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |n: usize| {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize % n
    };
    for _ in 0..400 {
        let mut text = String::new();
        for _ in 0..next(60) {
            text.push_str(PIECES[next(PIECES.len())]);
            text.push_str(SEPARATORS[next(SEPARATORS.len())]);
        }
        let p = read(&text);
        assert!(p.tasks.len() <= text.len());
        let _ = import(text.as_bytes(), "表.txt", &opts(), &Names::default());
        let _ = import(
            format!("<table><tr><td>{}</td></tr></table>", text.replace('\n', "</td><td>")).as_bytes(),
            "表.html",
            &opts(),
            &Names::default(),
        );
    }
}

#[test]
fn a_megabyte_of_table_reads_in_linear_time() {
    let mut rows = String::from("序号\n工作任务\n牵头单位\n配合单位\n完成时限\n责任人\n联系电话\n");
    let mut n = 0;
    while rows.len() < 1 << 20 {
        n += 1;
        rows.push_str(&format!("{n}\n推进第{n}项重点工作，确保按期完成。\n区住建局区财政局区直各有关单位\n"));
        if n % 3 == 0 {
            rows.push_str("张三\n0591-1234567\n");
        } else {
            rows.push_str("2023年6月底前\n");
        }
    }
    let started = std::time::Instant::now();
    let p = import(rows.as_bytes(), "表.txt", &opts(), &Names::default());
    let took = started.elapsed();
    assert!(matches!(p, Err(duban_import::ImportError::TooLarge(_))) || p.is_ok());
    // Generous for a debug build on a shared machine; a quadratic pass takes minutes.
    assert!(took < std::time::Duration::from_secs(10), "{took:?}");

    // Pathological shapes: header words over and over, headers of two kinds alternating, one
    // row that never ends, a header of very many columns.
    let shapes = [
        "序号\n工作任务\n牵头单位\n".repeat(40_000),
        "序号\n任务\n牵头单位\n1\n推进\n区住建局\n序号\n事项\n责任单位\n1\n落实\n区财政局\n".repeat(15_000),
        format!("序号\n工作任务\n牵头单位\n1\n{}", "推进某项工作，\n区住建局\n".repeat(50_000)),
        format!("序号\n工作任务\n牵头单位\n{}1\n推进\n", "备注\n".repeat(200_000)),
        format!("序号 工作任务 牵头单位 完成时限\n1 {}", "区住建局 ".repeat(100_000)),
    ];
    for text in shapes {
        let started = std::time::Instant::now();
        let _ = import(text.as_bytes(), "表.txt", &opts(), &Names::default());
        let took = started.elapsed();
        assert!(took < std::time::Duration::from_secs(10), "{took:?} for {}", &text[..60]);
    }
}
