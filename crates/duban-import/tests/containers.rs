//! Documents in the containers offices really receive them in (issue 11), and what they say of
//! themselves: a web page a crawler saved as text (a header, then the whole page on one line with
//! the site's menus around the text), a `<tbody>` fragment of a government site with CRLF line
//! breaks, a cover notice printing a plan and citing another document's 文号, a date in Chinese
//! numerals. All inputs are made up, in the shapes of the real ones.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use duban_import::{DocumentMeta, ImportError, Names, Options, Preview, import, import_text, read};

fn opts() -> Options {
    Options { fallback_year: 2026, ..Options::default() }
}

fn import_as(text: &str, file: &str) -> Preview {
    import(text.as_bytes(), file, &opts(), &Names::default()).unwrap()
}

fn date(d: &str) -> Option<jiff::civil::Date> {
    Some(d.parse().unwrap())
}

/// A crawler's header, then `body` on one line.
fn crawled(title: &str, number: &str, published: &str, body: &str) -> String {
    format!(
        "标题: {title}\n发布时间: {published}\n文号: {number}\n发布机构: 某县门户网站\n栏目: 县政府办文件\n\
         原文链接: https://www.example.gov.cn/zwgk/2023/t20230412_1.htm\n本地目录: zwgk/2023/1_{title}\n\
         页面图片另存于同一目录\n==================== 正文 ====================\n{body}"
    )
}

const NOTICE_TITLE: &str = "某县人民政府办公室关于印发《某县城乡环境整治提升行动方案》的通知";

/// The body of the page: breadcrumb, page time and share buttons; the notice with its own 文号,
/// citing a provincial document's; the signature; the plan, its items glued to the sentences
/// before them as the crawler collapsed them (as in real pages, the items run on without a
/// space for well over 300 characters, the length from which the parser breaks a line before
/// its numbers), a space where the crawler kept a paragraph break; the site's buttons after it.
fn page_body() -> String {
    [
        "当前位置： 首页政务公开县政府办文件",
        NOTICE_TITLE,
        "时间：2023-04-12 16:20 微信 微博 QQ空间",
        "某政办〔2023〕12号",
        NOTICE_TITLE,
        "各乡镇人民政府，县直各单位：根据《某省人民政府办公厅关于开展城乡环境整治的通知》（某政办发〔2022〕88号）要求，\
         现将《某县城乡环境整治提升行动方案》印发给你们，请结合实际抓好落实。",
        "某县人民政府办公室",
        "2023年4月10日",
        "某县城乡环境整治提升行动方案",
        "为改善城乡人居环境，补齐基础设施短板，提升群众获得感和满意度，结合我县实际，特制定本行动方案。\
         一、工作目标以整治促提升，坚持问题导向、分类施策、全域推进，到2023年底城乡面貌明显改善。\
         二、重点任务",
        "（一）清理卫生死角。全面清理背街小巷、城乡结合部、集贸市场周边、河道沟渠两侧和农村房前屋后的积存垃圾及杂物，\
         建立日常保洁和定期巡查制度，落实门前三包责任，做到垃圾日产日清、不留死角，6月底前完成。（县住建局牵头，各乡镇配合）\
         （二）整治道路秩序。规范占道经营、流动摊点和车辆停放，在城区主次干道和学校医院周边施划停车泊位，\
         加强日常巡查和集中整治，9月底前完成。（县公安局牵头，县市场监管局配合）\
         （三）县自然资源局1.完成违法建筑摸底，逐户登记建立台账，明确处置方式和完成时限，5月底前完成。\
         （县自然资源局牵头）2.拆除存量违法建筑，对新增违法建筑做到发现一起、制止一起、拆除一起，\
         11月底前完成。（县自然资源局牵头，各乡镇配合）",
        "来源：某县人民政府办公室 打印本页 关闭窗口 扫一扫 附件下载",
    ]
    .join(" ")
}

#[test]
fn a_crawled_page_reads_as_its_paragraphs_without_the_site_around_them() {
    let text = crawled(NOTICE_TITLE, "", "2023-04-12 16:20", &page_body());
    let read::Content::Lines(lines) = read::read(text.as_bytes(), "page.txt").unwrap() else { panic!("lines") };
    let body = &lines[9..];
    assert_eq!(body[0], "某政办〔2023〕12号", "{body:#?}");
    assert_eq!(body[1], NOTICE_TITLE);
    assert_eq!(body[3..6], ["某县人民政府办公室", "2023年4月10日", "某县城乡环境整治提升行动方案"]);
    assert_eq!(body.len(), 8, "{body:#?}");
    assert!(body[6].starts_with("为改善城乡人居环境") && body[6].ends_with("二、重点任务"));
    assert!(body[7].starts_with("（一）清理卫生死角") && body[7].ends_with("（县自然资源局牵头，各乡镇配合）"));
    for chrome in
        ["当前位置", "微信", "微博", "QQ空间", "时间：", "来源：", "打印本页", "关闭窗口", "扫一扫", "附件下载"]
    {
        assert!(!body.iter().any(|l| l.contains(chrome)), "{chrome} left in {body:#?}");
    }
    // Spaces inside a time or Latin text are not breaks.
    assert!(lines.iter().any(|l| l == "发布时间: 2023-04-12 16:20"));
}

#[test]
fn a_crawled_page_gives_its_own_title_number_date_and_signer() {
    let text = crawled(NOTICE_TITLE, "", "2023-04-12 16:20", &page_body());
    let p = import_as(&text, "page.txt");
    assert_eq!(
        p.document,
        DocumentMeta {
            // The plan the notice prints, as the body repeats it under the notice.
            title: "某县城乡环境整治提升行动方案".into(),
            // Its own 文号, not the provincial one cited in the notice's sentence.
            doc_number: Some("某政办〔2023〕12号".into()),
            // The signing date, not the page's publication time.
            issued: date("2023-04-10"),
            // The signing body, not the header's 标题: or 发布机构: lines.
            issuer: "某县人民政府办公室".into(),
        }
    );
    // The same text given as text reads the same.
    assert_eq!(import_text(&text, &opts(), &Names::default()).document, p.document);
}

#[test]
fn items_glued_in_a_crawled_page_are_still_split_into_tasks() {
    let p = import_as(&crawled(NOTICE_TITLE, "", "2023-04-12 16:20", &page_body()), "page.txt");
    let got: Vec<(String, Vec<String>, Option<jiff::civil::Date>)> =
        p.tasks.iter().map(|t| (t.number.clone(), t.lead.clone(), t.deadline)).collect();
    let want = |n: &str, lead: &str, d: &str| (n.to_string(), vec![lead.to_string()], date(d));
    assert_eq!(
        got,
        [
            want("（一）", "县住建局", "2023-06-30"),
            want("（二）", "县公安局", "2023-09-30"),
            want("1.", "县自然资源局", "2023-05-31"),
            want("2.", "县自然资源局", "2023-11-30"),
        ],
        "{:#?}",
        p.tasks
    );
    assert_eq!(p.tasks[1].cooperating, ["县市场监管局"]);
}

#[test]
fn a_crawled_page_without_a_masthead_falls_back_on_its_header_but_never_on_a_cited_number() {
    // The body starts at the addressees (no 文号, no title) and the header's 文号 is empty.
    let body = "县教育局、县卫健局、县体育局：现将《某县学生体质健康促进方案》印发给你们，请遵照执行。 \
                某县人民政府办公室 2021年8月26日 某县学生体质健康促进方案 \
                根据《某省教育厅等五部门关于印发〈某省学生体质健康促进计划〉的通知》（某教体〔2019〕7号）要求，制定本方案。\
                一、主要目标到2025年，学生体质健康达标率达到95%。";
    let title = "某县人民政府办公室关于印发《某县学生体质健康促进方案》的通知";
    let p = import_as(&crawled(title, "", "2021-10-01 09:45", body), "page.txt");
    assert_eq!(p.document.title, "某县学生体质健康促进方案");
    assert_eq!(p.document.doc_number, None);
    assert_eq!(p.document.issued, date("2021-08-26"));
    assert_eq!(p.document.issuer, "某县人民政府办公室");

    // With neither a signing date nor a 文号 in the body, the header's are taken: its 文号,
    // and its publication time as the date.
    let body = "各乡镇人民政府：现将《某县防汛工作要点》印发给你们。 某县防汛工作要点 一、总体要求 做好防汛准备。";
    let p = import_as(
        &crawled("某县人民政府关于印发某县防汛工作要点的通知", "某政〔2020〕3号", "2020-05-09 10:30", body),
        "p.txt",
    );
    assert_eq!(p.document.title, "某县防汛工作要点");
    assert_eq!(p.document.doc_number.as_deref(), Some("某政〔2020〕3号"));
    assert_eq!(p.document.issued, date("2020-05-09"));
    assert_eq!(p.document.issuer, "某县人民政府");
}

/// A `<tbody>` fragment as a government site stores it: CRLF line breaks, the title over two
/// `<p>`s, the 文号 under it, the signature at the end (spaced right with `&nbsp;`).
fn tbody(signed: &str) -> String {
    [
        "<tbody> ",
        " <tr> ",
        "  <td class=\"content\"><p style=\"text-align: center;\"><span style=\"font-weight: bold;\">某省人民政府办公厅关于促进</span></p> \
         <p style=\"text-align: center;\"><span style=\"font-weight: bold;\">冰雪运动产业高质量发展的实施意见</span></p> \
         <p style=\"text-align: center;\"><span>某政办发〔2018〕45号</span></p> <p><br> </p> \
         <p>各市人民政府，省政府各部门：</p> \
         <p>为促进冰雪运动产业发展，依据《某部门关于冰雪运动发展的规划》（某体字〔2016〕6号），结合本省实际，提出如下实施意见。</p> \
         <p><span>一、总体要求</span></p> <p><span>（一）发展目标。</span><span>到2025年，产业规模明显扩大。</span></p> \
         <p><span>二、主要任务</span></p> <p><span>（二）建设冰雪场地。</span><span>新建一批滑冰场，2019年底前完成。</span><span>（省体育局牵头，省发展改革委配合）</span></p>",
        &format!(
            "<p style=\"text-align: right;\">某省人民政府办公厅&nbsp;&nbsp;&nbsp;&nbsp;</p> <p style=\"text-align: right;\">{signed}&nbsp;&nbsp;</p> \
             <p>（此件主动公开）</p></td> "
        ),
        " </tr> ",
        " <tr> ",
        "  <td></td> ",
        " </tr> ",
        "</tbody>",
    ]
    .join("\r\n")
}

#[test]
fn a_tbody_fragment_with_crlf_and_a_title_over_two_paragraphs() {
    let html = tbody("2019年3月12日");
    for file in ["row.html", "row.txt"] {
        let p = import_as(&html, file);
        assert_eq!(
            p.document,
            DocumentMeta {
                title: "某省人民政府办公厅关于促进冰雪运动产业高质量发展的实施意见".into(),
                doc_number: Some("某政办发〔2018〕45号".into()),
                issued: date("2019-03-12"),
                issuer: "某省人民政府办公厅".into(),
            },
            "{file}"
        );
        assert_eq!(p.tasks.len(), 1, "{file}: {:#?}", p.tasks);
        assert_eq!(p.tasks[0].lead, ["省体育局"]);
        assert_eq!(p.tasks[0].deadline, date("2019-12-31"));
    }
}

#[test]
fn a_signing_date_in_chinese_numerals() {
    let p = import_as(&tbody("二〇一九年三月十二日"), "row.html");
    assert_eq!(p.document.issued, date("2019-03-12"));
    assert_eq!(p.document.issuer, "某省人民政府办公厅");
    for (line, want) in [
        ("二〇二一年八月三十日", "2021-08-30"),
        ("二〇二二年六月十七日", "2022-06-17"),
        ("二〇一九年一月一日", "2019-01-01"),
        ("二○二四年十月二十一日", "2024-10-21"),
    ] {
        let p = import_text(&format!("某县工作要点\n某县人民政府\n{line}\n一、总体要求"), &opts(), &Names::default());
        assert_eq!(p.document.issued, date(want), "{line}");
    }
    // Not a date: no such day.
    let p = import_text("某县工作要点\n二〇二三年二月三十日\n一、总体要求", &opts(), &Names::default());
    assert_eq!(p.document.issued, None);
}

#[test]
fn a_cover_notice_gives_the_plan_it_prints_and_its_own_number_not_a_cited_one() {
    let text = "某县人民政府办公室文件\n\
                关于印发《某县农村供水\n保障工作方案》的通知\n\
                某政办发〔2024〕6号\n\
                各乡镇人民政府，县直各单位：\n\
                根据《某市人民政府关于加强农村供水工作的意见》（某政发〔2023〕21号）精神，现将《某县农村供水保障工作方案》印发给你们，请遵照执行。\n\
                某县人民政府办公室\n\
                2024年3月6日\n\
                某县农村供水保障工作方案\n\
                一、主要任务\n\
                （一）改造老旧管网，10月底前完成。（县水利局牵头）\n";
    let p = import_text(text, &opts(), &Names::default());
    assert_eq!(
        p.document,
        DocumentMeta {
            title: "某县农村供水保障工作方案".into(),
            doc_number: Some("某政办发〔2024〕6号".into()),
            issued: date("2024-03-06"),
            issuer: "某县人民政府办公室".into(),
        }
    );
    // A notice that prints nothing keeps its own title; its issuer is the one it starts with.
    let text = "某县人民政府关于做好\n2024年春季森林防火工作的通知\n某政发〔2024〕2号\n各乡镇人民政府：\n\
                一、落实防火责任。各乡镇要落实包片责任。\n";
    let p = import_text(text, &opts(), &Names::default());
    assert_eq!(p.document.title, "某县人民政府关于做好2024年春季森林防火工作的通知");
    assert_eq!(p.document.doc_number.as_deref(), Some("某政发〔2024〕2号"));
    assert_eq!(p.document.issuer, "某县人民政府");
    // A 文号 only cited inside a sentence is not the document's.
    let text =
        "某县水利工作要点\n根据《某市水利局关于水利工作的通知》（某水发〔2024〕3号），制定本要点。\n一、主要任务\n";
    assert_eq!(import_text(text, &opts(), &Names::default()).document.doc_number, None);
}

#[test]
fn a_megabyte_page_on_one_line_reads_in_linear_time() {
    // One line of a megabyte: runs of spaces, short pieces, a long unbroken paragraph.
    let mut body = String::from("当前位置： 首页 ");
    while body.len() < 1 << 20 {
        body.push_str("某项工作 ");
        body.push_str(&" ".repeat(2000));
        body.push_str("一、推进某项工作，年底前完成。（县财政局牵头）二、加强某项保障。");
    }
    let text = crawled("某县工作要点", "", "2023-01-01 08:00", &body);
    let started = std::time::Instant::now();
    let p = import(text.as_bytes(), "page.txt", &opts(), &Names::default());
    let took = started.elapsed();
    assert!(p.is_ok(), "{p:?}");
    // Generous for a debug build on a shared machine; a quadratic pass takes minutes.
    assert!(took < std::time::Duration::from_secs(10), "{took:?}");
}

#[test]
fn a_page_cut_into_more_pieces_than_a_document_has_lines_is_refused_as_it_is_cut() {
    // 19 MB on one line, a character between every two spaces: millions of pieces.
    let text = crawled("某县工作要点", "", "2023-01-01 08:00", &"字 ".repeat(19 * 1024 * 1024 / 4));
    match import(text.as_bytes(), "page.txt", &opts(), &Names::default()) {
        Err(e @ ImportError::TooLarge(_)) => assert!(e.to_string().contains("行"), "{e}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
}
