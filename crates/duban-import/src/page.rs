//! Crawled web pages saved as text, down to the lines the parser reads.
//!
//! A crawler writes a page as a header of `key: value` lines (`标题:` `发布时间:` `文号:`
//! `发布机构:` `栏目:` `原文链接:` …), a line `==================== 正文 ====================`,
//! then the page's body on one line: its paragraphs and table cells collapsed into spaces (or
//! into nothing), with the site around the text — the breadcrumb and the page's time and share
//! buttons before it (`当前位置： 首页… 时间：2020-05-09 10:30 微信 微博 QQ空间`),
//! `来源：…` `附件下载` `打印本页` `关闭窗口` after it.
//!
//! [`lines`] keeps the header lines as they are (the metadata reader takes its fallbacks from
//! them: [`header`]), cuts the body into paragraphs at every space that is not inside Latin text
//! or a number (`2020-05-09 10:30`, `GB 12345` stay whole), and drops the site's text before and
//! after the document's. Numbered items glued to the sentence before them (`…本方案。一、基本原则…`)
//! are left to the parser, which breaks long lines before their numbers.

use crate::ImportError;
use crate::limits::{Budget, Limits};
use jiff::civil::Date;

/// Header lines looked at for the separator line at the most.
const HEADER_LINES: usize = 16;

/// The line between the header and the body: `==== 正文 ====`.
fn separator(line: &str) -> bool {
    let l = line.trim();
    l.starts_with("==") && l.ends_with("==") && l.contains("正文")
}

fn key_value(line: &str) -> Option<(&str, &str)> {
    let at = line.find([':', '：'])?;
    let colon = if line[at..].starts_with(':') { 1 } else { '：'.len_utf8() };
    Some((line[..at].trim(), line[at + colon..].trim()))
}

/// Whether a text is a crawled page: its first line is the header's `标题:`, and the separator
/// line follows within the header.
pub fn is_page(text: &str) -> bool {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let first = lines.next().map(|l| l.trim_start_matches('\u{feff}'));
    first.and_then(key_value).is_some_and(|(k, _)| k == "标题") && text.lines().take(HEADER_LINES).any(separator)
}

/// What a crawler's header says of a page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header {
    /// `标题:` the page's title (the document's title as the site lists it).
    pub title: Option<String>,
    /// `文号:` often left empty.
    pub doc_number: Option<String>,
    /// `发布时间:` when the page was published: not the document's date, a fallback for it.
    pub published: Option<Date>,
    /// `发布机构:` the site or office that published the page.
    pub publisher: Option<String>,
}

/// The date a header value starts with: `2020-05-09 10:30`, `2020/5/9`, `2020年5月9日`.
fn header_date(v: &str) -> Option<Date> {
    let mut parts = v.split(|c: char| !c.is_ascii_digit()).filter(|p| !p.is_empty());
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.len() != 4 {
        return None;
    }
    Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok()
}

/// A crawler's header at the start of `lines`, and the index of the body's first line; `None`
/// when the lines do not start with one.
pub fn header(lines: &[String]) -> Option<(Header, usize)> {
    let first = lines.iter().position(|l| !l.trim().is_empty())?;
    if key_value(lines[first].trim_start_matches('\u{feff}')).is_none_or(|(k, _)| k != "标题") {
        return None;
    }
    let sep = lines.iter().take(HEADER_LINES).position(|l| separator(l))?;
    let mut h = Header::default();
    let value = |v: &str| (!v.is_empty()).then(|| v.to_string());
    for (k, v) in lines[first..sep].iter().filter_map(|l| key_value(l)) {
        match k {
            "标题" => h.title = value(v),
            "文号" => h.doc_number = value(v),
            "发布时间" | "发布日期" | "成文日期" => h.published = header_date(v),
            "发布机构" | "发文机关" => h.publisher = value(v),
            _ => {}
        }
    }
    Some((h, sep + 1))
}

/// Breadcrumbs: `当前位置： 首页 > 政务公开 > …`.
const BREADCRUMB: &[&str] =
    &["当前位置", "您当前的位置", "您当前位置", "您现在的位置", "您的位置", "当前所在位置", "所在位置"];

/// Whole pieces of text that are the page's buttons and links, not the document's.
const BUTTONS: &[&str] = &[
    "微信",
    "微博",
    "QQ空间",
    "QQ",
    "QQ好友",
    "分享",
    "分享到",
    "分享到：",
    "打印",
    "打印本页",
    "打印此页",
    "【打印】",
    "【打印本页】",
    "[打印]",
    "关闭",
    "关闭窗口",
    "关闭本页",
    "【关闭】",
    "【关闭窗口】",
    "[关闭]",
    "附件下载",
    "附件下载：",
    "扫一扫",
    "扫一扫在手机打开当前页",
    "用手机扫一扫",
    "收藏",
    "【收藏】",
    "返回顶部",
    "【返回顶部】",
    "字号",
    "字号：",
    "大",
    "中",
    "小",
    "【大",
    "中】",
    "小】",
    "【字体：大",
];

/// Keys of the page's own short lines: its time, source, author, hit count.
const PAGE_KEYS: &[&str] = &[
    "时间",
    "发布时间",
    "发布日期",
    "日期",
    "来源",
    "信息来源",
    "作者",
    "浏览次数",
    "点击数",
    "阅读次数",
    "访问量",
    "字号",
    "上一篇",
    "下一篇",
];

/// A piece of the page's own text: a button, `时间：…` `来源：…`, a clock time `08:00`.
fn chrome(piece: &str) -> bool {
    if BUTTONS.contains(&piece) {
        return true;
    }
    if let Some((k, v)) = key_value(piece) {
        return v.chars().count() <= 40 && PAGE_KEYS.contains(&k);
    }
    // A clock time left alone: 08:00, 08:00:00.
    let clock = piece.split(':').collect::<Vec<_>>();
    (2..=3).contains(&clock.len())
        && clock.iter().all(|p| (1..=2).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Pieces of a breadcrumb's path: `首页`, `>`, `政务公开 >`.
fn crumb(piece: &str) -> bool {
    piece.starts_with("首页") || piece.contains(['>', '＞', '»', '›', '/'])
}

/// Cuts one collapsed line into its paragraphs, handing each to `push`: at every run of spaces,
/// except between two Latin letters, digits or ASCII signs (`2020-05-09 10:30`, `GB 12345`).
fn paragraphs(line: &str, mut push: impl FnMut(String) -> Result<(), ImportError>) -> Result<(), ImportError> {
    let mut cur = String::new();
    let mut space = false;
    for c in line.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space {
            let latin = |c: char| c.is_ascii_graphic();
            if latin(c) && cur.chars().next_back().is_some_and(latin) {
                cur.push(' ');
            } else if !cur.is_empty() {
                push(std::mem::take(&mut cur))?;
            }
            space = false;
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        push(cur)?;
    }
    Ok(())
}

/// Drops the site's text around the document's: the breadcrumb with the page's time, the share
/// buttons before the text; `来源：…` and the buttons after it.
fn strip_chrome(pieces: &mut Vec<String>) {
    let mut start = 0;
    if let Some(at) = pieces.iter().take(3).position(|p| BREADCRUMB.iter().any(|b| p.starts_with(b))) {
        // The breadcrumb runs to the page's time when one follows closely (the page's title
        // stands in between); else over the path's pieces.
        let time = pieces.iter().skip(at + 1).take(8).position(|p| chrome(p) && key_value(p).is_some());
        start = match time {
            Some(t) => at + 1 + t + 1,
            None => at + 1 + pieces.iter().skip(at + 1).take_while(|p| crumb(p)).count(),
        };
    }
    while start < pieces.len() && chrome(&pieces[start]) {
        start += 1;
    }
    let mut end = pieces.len();
    while end > start && chrome(&pieces[end - 1]) {
        end -= 1;
    }
    pieces.truncate(end);
    pieces.drain(..start);
}

/// The lines of a crawled page ([`is_page`]): the header's lines as they are, then the body's
/// paragraphs without the site's text around them. (A text without the separator line comes
/// back as its lines.)
pub fn lines(text: &str) -> Vec<String> {
    let unbounded =
        Budget::start(&Limits { max_lines: usize::MAX, time_budget: std::time::Duration::MAX, ..Limits::default() });
    lines_within(text, &unbounded).unwrap_or_default()
}

/// [`lines`], refused as soon as it has more lines than the budget allows.
pub fn lines_within(text: &str, budget: &Budget) -> Result<Vec<String>, ImportError> {
    let mut out = Vec::new();
    let mut rest = text.lines();
    for l in rest.by_ref() {
        out.push(l.to_string());
        if separator(l) {
            break;
        }
    }
    let mut body = Vec::new();
    for l in rest {
        // Counted as they come: one line of a page may hold millions of pieces.
        paragraphs(l, |p| {
            body.push(p);
            budget.lines(out.len() + body.len())
        })?;
    }
    strip_chrome(&mut body);
    out.extend(body);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "标题: 某县人民政府办公室关于印发《某县示范工作方案》的通知\n\
        发布时间: 2020-05-09 10:30\n文号: \n发布机构: 某县人民政府办公室\n栏目: 通知公告\n\
        原文链接: https://www.example.gov.cn/a/b.htm\n本地目录: a/b\n页面图片另存于同一目录\n\
        ==================== 正文 ====================\n\
        当前位置： 首页政务公开通知公告 某县人民政府办公室关于印发《某县示范工作方案》的通知 \
        时间：2020-05-09 10:30 微信 微博 QQ空间 某政办〔2020〕8号 某县人民政府办公室关于印发《某县示范工作方案》的通知 \
        各乡镇人民政府，县直各单位：现将《某县示范工作方案》印发给你们，请遵照执行。 某县人民政府办公室 2020年5月8日 \
        某县示范工作方案 为推进示范工作，执行GB 12345标准，特制定本示范方案。一、工作目标 二、主要任务 \
        来源：某县人民政府办公室 打印本页 关闭窗口 附件下载";

    #[test]
    fn a_crawled_page_becomes_its_header_and_the_paragraphs_of_its_body() {
        assert!(is_page(PAGE));
        let lines = lines(PAGE);
        assert_eq!(lines.len(), 9 + 8, "{lines:#?}");
        assert_eq!(lines[0], "标题: 某县人民政府办公室关于印发《某县示范工作方案》的通知");
        assert_eq!(lines[8], "==================== 正文 ====================");
        assert_eq!(
            lines[9..],
            [
                "某政办〔2020〕8号",
                "某县人民政府办公室关于印发《某县示范工作方案》的通知",
                "各乡镇人民政府，县直各单位：现将《某县示范工作方案》印发给你们，请遵照执行。",
                "某县人民政府办公室",
                "2020年5月8日",
                "某县示范工作方案",
                "为推进示范工作，执行GB 12345标准，特制定本示范方案。一、工作目标",
                "二、主要任务",
            ]
        );
        let (h, body) = header(&lines).unwrap();
        assert_eq!(body, 9);
        assert_eq!(h.title.as_deref(), Some("某县人民政府办公室关于印发《某县示范工作方案》的通知"));
        assert_eq!(h.doc_number, None);
        assert_eq!(h.published.map(|d| d.to_string()).as_deref(), Some("2020-05-09"));
        assert_eq!(h.publisher.as_deref(), Some("某县人民政府办公室"));
    }

    #[test]
    fn spaces_inside_latin_text_and_numbers_are_not_breaks() {
        let mut out = Vec::new();
        let line = "时间：2020-05-09 10:30 微博 QQ空间 管委会 2020年5月8日 Windows 10 系统";
        paragraphs(line, |p| {
            out.push(p);
            Ok(())
        })
        .unwrap();
        assert_eq!(out, ["时间：2020-05-09 10:30", "微博", "QQ空间", "管委会", "2020年5月8日", "Windows 10", "系统"]);
    }

    #[test]
    fn a_breadcrumb_without_a_time_loses_only_its_path() {
        let mut p: Vec<String> = ["当前位置：", "首页", ">", "政务公开 >", "某县工作要点", "一、总体要求", "扫一扫"]
            .map(String::from)
            .to_vec();
        strip_chrome(&mut p);
        assert_eq!(p, ["某县工作要点", "一、总体要求"]);
    }

    #[test]
    fn text_without_a_header_and_separator_is_not_a_page() {
        assert!(!is_page("标题: 某县工作要点\n一、总体要求"));
        assert!(!is_page("某县工作要点\n==== 正文 ====\n一、总体要求"));
        assert!(header(&["某县工作要点".to_string()]).is_none());
        assert!(!is_page(""));
    }
}
