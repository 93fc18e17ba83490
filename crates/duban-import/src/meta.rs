//! The document's own title, 文号, issue date and issuer, and the year its deadlines belong to.

use crate::model::DocumentMeta;
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
    Regex::new(r"^((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$").expect("date line pattern")
});
#[allow(clippy::expect_used)]
static PRINTED_IN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"关于印发\s*[《〈]?(.+?)[》〉]?\s*的\s*通\s*知").expect("title pattern"));
#[allow(clippy::expect_used)]
static YEAR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"((?:19|20)\d{2})\s*年").expect("year pattern"));

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

fn date_of(y: &str, m: &str, d: &str) -> Option<Date> {
    Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok()
}

const ORG_ENDINGS: &[&str] = &["政府", "办公室", "委员会", "局", "委", "办", "厅", "部", "院", "中心"];

/// Title, 文号, issue date and issuer, from the head of the document.
pub(crate) fn meta(lines: &[String], opts: &Options) -> DocumentMeta {
    let head: Vec<&String> = lines.iter().take(80).collect();
    let doc_number = head.iter().find_map(|l| DOC_NUMBER.find(l)).map(|m| squeeze(m.as_str()));
    let date_at = head.iter().position(|l| DATE_LINE.is_match(&squeeze(l)));
    let issued = date_at.and_then(|i| {
        let l = squeeze(head[i]);
        let c = DATE_LINE.captures(&l)?;
        date_of(&c[1], &c[2], &c[3])
    });
    // 「关于印发《X》的通知」 names the document X; its lines may be broken anywhere.
    let joined: String = head.iter().take(20).map(|l| squeeze(l)).collect();
    let mut issuer = String::new();
    let title = if let Some(c) = PRINTED_IN.captures(&joined) {
        let before = &joined[..c.get(0).map_or(0, |m| m.start())];
        let before = before.trim_end_matches("关于");
        if let Some(org) =
            ORG_ENDINGS.iter().filter_map(|e| before.rfind(e).map(|i| i + e.len())).max().map(|end| &before[..end])
        {
            // The issuer is the last organisation name before 「关于」, after any 文号.
            let org = DOC_NUMBER.split(org).last().unwrap_or(org);
            let start = org.char_indices().rev().take(30).last().map_or(0, |(i, _)| i);
            issuer = org[start..].to_string();
        }
        squeeze(&c[1])
    } else {
        const KINDS: &[&str] =
            &["方案", "措施", "办法", "意见", "规定", "计划", "通知", "清单", "台账", "要点", "细则"];
        head.iter()
            .take(15)
            .map(|l| squeeze(l))
            .find(|l| l.chars().count() <= 60 && KINDS.iter().any(|k| l.ends_with(k)))
            .unwrap_or_else(|| {
                std::path::Path::new(&opts.filename)
                    .file_stem()
                    .map(|s| s.to_string_lossy().to_string())
                    .unwrap_or_default()
            })
    };
    // Organisation lines just above the issue date are the issuers (联合发文 may have several).
    if let Some(i) = date_at {
        let orgs: Vec<String> = head[..i]
            .iter()
            .rev()
            .map(|l| squeeze(l))
            .take_while(|l| l.chars().count() <= 30 && ORG_ENDINGS.iter().any(|e| l.ends_with(e)))
            .collect();
        if !orgs.is_empty() {
            issuer = orgs.into_iter().rev().collect::<Vec<_>>().join(" ");
        }
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
