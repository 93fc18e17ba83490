//! The document's own title, 文号, issue date and issuer ([`DocumentMeta`]), and the year its
//! undated deadlines belong to.
//!
//! Read from the head of the document's body, where a document states them:
//! - **The masthead**: the lines above the addressees (`各…：`), the first sentence, numbered item
//!   or date line. The title is the run of short lines just above that point — a title broken
//!   over two or three lines (a web page's `<p>`s) is joined. The document's own 文号 stands on
//!   a line of its own there, above or under the title (`某政办发〔2023〕12号`); a 文号 cited in a
//!   sentence (`依据《…》（某教发〔2019〕7号）`) is another document's.
//! - **A cover notice**: `关于印发《X》的通知` (or `…印发X的通知`) carries the document X, which
//!   is the title; where the body repeats X on a line of its own, that line is. A document that
//!   is only a notice keeps the notice's title.
//! - **The signature**: the issue date is the first date line of the head (`2023年4月10日`, or
//!   in Chinese numerals `二〇二三年四月十日`), else the document's last date line under an
//!   issuer; the issuer is the organisation line(s) just above it (联合发文 may have several),
//!   else the organisation the title starts with (`国务院办公厅关于…`).
//! - **A crawler's header** ([`crate::page::header`]): only where the body does not say — its
//!   `标题:` is the page's title, its `文号:` is often empty, its `发布时间:` is when the page was
//!   published (a fallback for the date only) and its `发布机构:` may be the site's name. Its
//!   lines are never read as the title or the issuer themselves.

use crate::model::DocumentMeta;
use crate::page;
use crate::parse::Options;
use jiff::civil::Date;
use regex::Regex;
use std::sync::LazyLock;

#[allow(clippy::expect_used)]
static DOC_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[\p{Han}]{1,12}\s*[〔\[【［]\s*((?:19|20)\d{2})\s*[〕\]】］]\s*\d{1,4}\s*号")
        .expect("doc number pattern")
});
#[allow(clippy::expect_used)]
static DATE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[（(]?((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日[）)]?$").expect("date line pattern")
});
#[allow(clippy::expect_used)]
static CN_DATE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[（(]?([〇零○Ｏ一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日[）)]?$")
        .expect("chinese date line pattern")
});
/// A cover notice's title: who, 印发, the document carried, 的通知.
#[allow(clippy::expect_used)]
static COVER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(.*?)(?:关于)?印发[《〈]?(.+?)[》〉]?的通知$").expect("cover notice pattern"));
/// The cover notice's text naming the document it carries: 「现将《X》印发给你们」.
#[allow(clippy::expect_used)]
static PRINTED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"《([^《》]{2,80})》[^。《]{0,40}?印发给你们").expect("printed pattern"));
#[allow(clippy::expect_used)]
static NUMBERED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[（(]\s*[一二三四五六七八九十百\d]{1,4}\s*[）)]|[一二三四五六七八九十百]{1,4}\s*[、．.]|\d{1,4}\s*[.．、][^\d])")
        .expect("numbered pattern")
});
#[allow(clippy::expect_used)]
static YEAR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"((?:19|20)\d{2})\s*年").expect("year pattern"));

/// Lines of the body's head the title, 文号 and date are looked for in.
const HEAD: usize = 80;
/// Lines of a title broken over several, at the most.
const TITLE_LINES: usize = 4;

/// Spaces inside Chinese text are layout, not words: drops them, keeping one between two Latin
/// letters or digits (linear in the line, however long its runs of spaces).
fn squeeze(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && c.is_ascii_alphanumeric() && out.chars().next_back().is_some_and(|p| p.is_ascii_alphanumeric()) {
            out.push(' ');
        }
        space = false;
        out.push(c);
    }
    out
}

const ORG_ENDINGS: &[&str] =
    &["政府", "办公室", "委员会", "管委会", "工委", "局", "委", "办", "厅", "部", "院", "中心"];

/// What a document's title ends with (before a parenthesis such as （试行）).
const KINDS: &[&str] = &[
    "方案", "措施", "办法", "意见", "规定", "计划", "通知", "清单", "台账", "要点", "细则", "决定", "通报", "报告",
    "批复", "规划", "纲要", "指引", "指南", "公告", "通告", "条例", "规则", "制度", "安排", "分工", "函",
];

/// An organisation's name: short, ending like one.
pub(crate) fn org(s: &str) -> bool {
    s.chars().count() <= 30 && ORG_ENDINGS.iter().any(|e| s.ends_with(e))
}

/// A date on a line of its own (a signature): `2023年4月10日`, `二〇二三年四月十日`.
pub(crate) fn date_line(line: &str) -> Option<Date> {
    if let Some(c) = DATE_LINE.captures(line) {
        return Date::new(c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?).ok();
    }
    let c = CN_DATE_LINE.captures(line)?;
    let digit = |ch: char| {
        "〇一二三四五六七八九".chars().position(|d| d == ch).or(matches!(ch, '零' | '○' | 'Ｏ').then_some(0))
    };
    let year = c[1].chars().try_fold(0i16, |y, ch| Some(y * 10 + i16::try_from(digit(ch)?).ok()?))?;
    Date::new(year, cn_number(&c[2])?, cn_number(&c[3])?).ok()
}

/// 一 … 九, 十, 十一 … 十九, 二十 … 三十一, in Chinese numerals.
fn cn_number(s: &str) -> Option<i8> {
    let digit = |ch: char| "一二三四五六七八九".chars().position(|d| d == ch).and_then(|i| i8::try_from(i + 1).ok());
    let chars: Vec<char> = s.chars().collect();
    match chars[..] {
        ['十'] => Some(10),
        [d] => digit(d),
        ['十', u] => Some(10 + digit(u)?),
        [t, '十'] => Some(10 * digit(t)?),
        [t, '十', u] => Some(10 * digit(t)? + digit(u)?),
        _ => None,
    }
}

/// The document's own 文号, when a line is one: alone (`某政办发〔2023〕12号`, `（…号）`,
/// `文号：…`) or first on a short line (`…〔2025〕43号 签发人：…`), never cited inside a sentence.
fn own_number(line: &str) -> Option<String> {
    let l = line.strip_prefix("文号").map_or(line, |r| r.trim_start_matches([':', '：']));
    let l = l.trim_matches(|c: char| c.is_whitespace() || matches!(c, '（' | '）' | '(' | ')'));
    let m = DOC_NUMBER.find(l)?;
    let alone = m.end() == l.len() || (l.chars().count() <= 40 && !l.contains(['。', '，', '《']));
    (m.start() == 0 && alone).then(|| squeeze(m.as_str()))
}

/// The addressees of a notice: `各乡镇人民政府，县直各单位：`, `县教育局、县卫健局：现将…`
/// (the notice's text may follow on the same line).
fn addressees(line: &str) -> bool {
    let Some(at) = line.find(['：', ':']) else { return false };
    let to = &line[..at];
    let n = to.chars().count();
    (2..=150).contains(&n)
        && !to.contains(['。', '《', '；'])
        && !NUMBERED.is_match(line)
        && (to.contains('各') || org(to) || to.ends_with("单位") || to.ends_with("部门"))
}

/// A line of a title: short, no sentence, no 文号, date, annex or numbered item.
fn title_line(line: &str) -> bool {
    let n = line.chars().count();
    (1..=80).contains(&n)
        && !line.contains(['。', '：', ':', '；'])
        && own_number(line).is_none()
        && date_line(line).is_none()
        && !NUMBERED.is_match(line)
        && !line.starts_with("附件")
        && !line.ends_with("文件")
}

/// A line under a title that is not part of it: its 文号, or a note in parentheses saying when
/// or where it was adopted (`（2023年3月1日县政府常务会议通过）`) — unlike `（试行）` or
/// `（2021—2025年）`, which are the title's.
fn under_title(line: &str) -> bool {
    let note = (line.starts_with('（') && line.ends_with('）')) || (line.starts_with('(') && line.ends_with(')'));
    own_number(line).is_some() || (note && (line.contains('月') || line.contains("通过") || line.contains("会议")))
}

fn looks_like_title(t: &str) -> bool {
    let base = match t.strip_suffix(['）', ')']) {
        Some(rest) => rest.rfind(['（', '(']).map_or(t, |i| &rest[..i]),
        None => t,
    };
    t.chars().count() <= 120 && (t.contains("关于") || KINDS.iter().any(|k| base.ends_with(k)))
}

/// Letters and digits only, for comparing a title with a line that repeats it.
fn bare(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Title, 文号, issue date and issuer, from the head of the document.
pub(crate) fn meta(lines: &[String], opts: &Options) -> DocumentMeta {
    let (header, start) = page::header(lines).unwrap_or_default();
    let body = &lines[start..];
    let head: Vec<String> = body.iter().take(HEAD).map(|l| squeeze(l)).collect();

    // The masthead: the lines above the addressees, the first sentence, item or date.
    let end = head
        .iter()
        .position(|l| {
            addressees(l)
                || NUMBERED.is_match(l)
                || date_line(l).is_some()
                || l.contains('。')
                || l.chars().count() > 80
        })
        .unwrap_or(0);
    let doc_number = head[..end]
        .iter()
        .find_map(|l| own_number(l))
        .or_else(|| header.doc_number.as_deref().and_then(|n| DOC_NUMBER.find(n)).map(|m| squeeze(m.as_str())));
    // The title: the short lines just above, over its 文号 or a note of its adoption.
    let mut stop = end;
    while stop > 0 && under_title(&head[stop - 1]) {
        stop -= 1;
    }
    let first = (stop.saturating_sub(TITLE_LINES)..stop).rev().take_while(|i| title_line(&head[*i])).last();
    let masthead = first.map(|i| head[i..stop].concat()).filter(|t| looks_like_title(t));
    let notice = masthead.or_else(|| header.title.as_deref().map(squeeze)).or_else(|| {
        head.iter().take(15).find(|l| l.chars().count() <= 60 && title_line(l) && looks_like_title(l)).cloned()
    });

    // A cover notice carries the document it prints; the body may repeat its title on a line.
    let repeated = |x: &str| head[end..].iter().find(|l| !x.is_empty() && bare(l) == bare(x)).cloned();
    let mut issuer = String::new();
    let title = match notice {
        Some(t) => match COVER.captures(&t) {
            Some(c) => {
                let by = c[1].trim_end_matches("关于");
                if org(by) {
                    issuer = by.to_string();
                }
                repeated(&c[2]).unwrap_or_else(|| c[2].to_string())
            }
            None => {
                if let Some(by) = t.find("关于").map(|i| &t[..i]).filter(|by| org(by)) {
                    issuer = by.to_string();
                }
                t
            }
        },
        None => head[end..].iter().find_map(|l| PRINTED.captures(l)).and_then(|c| repeated(&c[1])).unwrap_or_default(),
    };
    let title = if title.is_empty() {
        std::path::Path::new(&opts.filename).file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default()
    } else {
        title
    };

    // The signature: the first date line of the head, else the last one of the document under
    // an issuer; the organisation lines just above it are the issuers.
    let signed = match head.iter().position(|l| date_line(l).is_some()) {
        Some(i) => Some((i, head[..i].to_vec())),
        None => body.iter().enumerate().rev().filter(|(_, l)| l.chars().count() <= 40).find_map(|(i, l)| {
            date_line(&squeeze(l))?;
            let short = |l: &String| if l.chars().count() <= 60 { squeeze(l) } else { String::new() };
            let above: Vec<String> = body[i.saturating_sub(3)..i].iter().map(short).collect();
            above.last().is_some_and(|a| org(a)).then_some((i, above))
        }),
    };
    let issued = signed.as_ref().and_then(|(i, _)| date_line(&squeeze(&body[*i]))).or(header.published);
    if let Some((_, above)) = &signed {
        let orgs: Vec<&String> = above.iter().rev().take_while(|l| org(l)).collect();
        if !orgs.is_empty() {
            issuer = orgs.into_iter().rev().map(String::as_str).collect::<Vec<_>>().join(" ");
        }
    }
    if issuer.is_empty() {
        issuer = header.publisher.filter(|p| org(p)).unwrap_or_default();
    }
    DocumentMeta { title, doc_number, issued, issuer }
}

/// The year deadlines without one belong to.
pub(crate) fn document_year(meta: &DocumentMeta, lines: &[String], opts: &Options) -> i16 {
    if let Some(y) = opts.year {
        return y;
    }
    if let Some(d) = meta.issued {
        return d.year();
    }
    let from = |s: &str| YEAR.captures(s).and_then(|c| c[1].parse::<i16>().ok());
    if let Some(y) = meta
        .doc_number
        .as_deref()
        .and_then(|n| n.chars().filter(char::is_ascii_digit).take(4).collect::<String>().parse::<i16>().ok())
    {
        return y;
    }
    if let Some(y) = from(&meta.title) {
        return y;
    }
    let mut counts: std::collections::BTreeMap<i16, usize> = std::collections::BTreeMap::new();
    for l in lines {
        for c in YEAR.captures_iter(l) {
            if let Ok(y) = c[1].parse::<i16>() {
                *counts.entry(y).or_default() += 1;
            }
        }
    }
    counts.into_iter().max_by_key(|(y, n)| (*n, *y)).map_or(opts.fallback_year, |(y, _)| y)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> DocumentMeta {
        let lines: Vec<String> = text.lines().map(str::to_string).collect();
        meta(&lines, &Options { filename: "文件名.txt".into(), ..Options::default() })
    }

    #[test]
    fn dates_on_a_line_of_their_own_in_figures_or_chinese_numerals() {
        let d = |s: &str| Some(s.parse::<Date>().unwrap());
        assert_eq!(date_line("2023年4月10日"), d("2023-04-10"));
        assert_eq!(date_line("（2019年1月9日）"), d("2019-01-09"));
        assert_eq!(date_line("二〇二三年四月十日"), d("2023-04-10"));
        assert_eq!(date_line("二零二零年二月二十九日"), d("2020-02-29"));
        assert_eq!(date_line("二〇二一年十月十日"), d("2021-10-10"));
        assert_eq!(date_line("二〇二一年九月三十一日"), None);
        assert_eq!(date_line("二〇二一年九月四十日"), None);
        assert_eq!(date_line("2023年4月10日前完成"), None);
        assert_eq!(cn_number("十九"), Some(19));
        assert_eq!(cn_number("三十一"), Some(31));
        assert_eq!(cn_number("十十"), None);
    }

    #[test]
    fn the_documents_own_number_stands_alone_a_cited_one_does_not() {
        assert_eq!(own_number("某政办发〔2023〕12号").as_deref(), Some("某政办发〔2023〕12号"));
        assert_eq!(own_number("（某政办发〔2024〕6号）").as_deref(), Some("某政办发〔2024〕6号"));
        assert_eq!(own_number("文号：某政〔2020〕3号").as_deref(), Some("某政〔2020〕3号"));
        assert_eq!(own_number("某政字〔2025〕43号签发人张某").as_deref(), Some("某政字〔2025〕43号"));
        assert_eq!(own_number("根据《某某方案》（某教〔2018〕3号）要求，制定本方案。"), None);
        assert_eq!(own_number("按照某政发〔2019〕7号文件要求，抓好落实。"), None);
    }

    #[test]
    fn addressees_end_the_masthead_even_with_the_notice_on_their_line() {
        assert!(addressees("各市人民政府，省政府各部门，各有关单位："));
        assert!(addressees("县教育局、县卫健局、县体育局：现将《某方案》印发给你们。"));
        assert!(!addressees("一、县教育局：负责组织实施。"));
        assert!(!addressees("具体如下："));
        assert!(!addressees("为推进工作，现通知如下。各单位："));
    }

    #[test]
    fn a_title_over_several_lines_under_a_masthead_and_above_its_number() {
        let m = read(
            "某县人民政府文件\n某县人民政府关于\n进一步加强安全生产\n工作的意见\n某政发〔2023〕9号\n各乡镇：\n一、总体要求\n",
        );
        assert_eq!(m.title, "某县人民政府关于进一步加强安全生产工作的意见");
        assert_eq!(m.doc_number.as_deref(), Some("某政发〔2023〕9号"));
        assert_eq!(m.issuer, "某县人民政府");
    }

    #[test]
    fn a_note_of_adoption_under_a_title_is_not_part_of_it_a_trial_mark_is() {
        let m = read("某县村级公益事业管理办法\n（2023年3月1日县政府常务会议通过）\n第一条为规范管理，制定本办法。\n");
        assert_eq!(m.title, "某县村级公益事业管理办法");
        let m = read("某县村级公益事业管理办法\n（试行）\n第一条为规范管理，制定本办法。\n");
        assert_eq!(m.title, "某县村级公益事业管理办法（试行）");
    }

    #[test]
    fn a_cover_notice_without_guan_yu_and_a_printed_plan_found_only_in_the_body() {
        let m =
            read("某区管委会印发某区年度招商引资工作要点的通知\n各单位：\n某区年度招商引资工作要点\n一、推进规划\n");
        assert_eq!(m.title, "某区年度招商引资工作要点");
        assert_eq!(m.issuer, "某区管委会");
        // No masthead and no header: the plan the notice prints, where the body repeats it.
        let m = read("各单位：\n现将《某区防汛工作方案》印发给你们，请遵照执行。\n某区防汛工作方案\n一、总体要求\n");
        assert_eq!(m.title, "某区防汛工作方案");
        // Nothing to go on: the file's name.
        assert_eq!(read("各单位：\n请做好防汛工作。\n").title, "文件名");
    }

    #[test]
    fn a_sentence_citing_a_notice_is_not_a_title() {
        let m = read("根据《关于做好防汛工作的通知》，现通知如下。\n一、落实责任\n");
        assert_eq!(m.title, "文件名");
    }

    #[test]
    fn a_signature_at_the_end_of_a_long_document() {
        let mut text = String::from("某县人民政府关于加强某项工作的意见\n各乡镇：\n");
        for i in 1..=120 {
            text.push_str(&format!("{i}.推进第{i}项工作，在2023年5月1日完成。\n"));
        }
        text.push_str("某县人民政府\n2023年3月1日\n附件：工作台账\n");
        let m = read(&text);
        assert_eq!(m.issued, Some("2023-03-01".parse().unwrap()));
        assert_eq!(m.issuer, "某县人民政府");
    }

    #[test]
    fn a_crawler_header_is_a_fallback_never_the_title_or_issuer_itself() {
        let page = "标题: 某县工作要点\n发布时间: 2019-07-03 15:10\n文号: \n发布机构: 某县门户网站\n\
                    ==== 正文 ====\n为做好工作，制定本要点。\n一、加强统筹\n";
        let m = read(page);
        assert_eq!(m.title, "某县工作要点");
        assert_eq!(m.doc_number, None);
        assert_eq!(m.issued, Some("2019-07-03".parse().unwrap()));
        assert_eq!(m.issuer, "", "a site's name is not an issuer");
    }
}
