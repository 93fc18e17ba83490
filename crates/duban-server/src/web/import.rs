//! 导入: upload a document, check the parsed tasks and their warnings, fix units and deadlines
//! in place, and commit. The preview travels in the form itself, so nothing is kept on the
//! server between the steps and a failed commit shows the page again with every correction.
//!
//! The preview page is one form with several buttons, each a server-side step that re-renders
//! it with the office's edits kept: a suggested lead unit taken with one click (`pick`); one unit
//! given to every ticked row as its lead or as a cooperating unit (`action=lead` / `coop`); the
//! document read again with another year (`action=year`: the file travels in the form too, when
//! it is small enough); an unknown unit name mapped to a unit or created (`settle=map|K` /
//! `create|K`); and the commit (`action=commit`, the default), with the default deadline for
//! tasks without one and, when deadlines have already passed, the office's confirmation.

use super::errors::render;
use super::{AppState, Fields, Nav, Viewer, WebError};
use crate::http::status::status_of;
use askama::Template;
use axum::extract::{Form, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use duban_app::actor::RunLedgers;
use duban_app::document_import::{CommitOptions, ImportReport};
use duban_app::import_review::{AssignAs, Review, ReviewOptions, Settle, assign, carry_units, past_deadlines};
use duban_domain::Error;
use duban_domain::task::{FIRST_YEAR, LAST_YEAR, parse_task_date};
use duban_import::Preview;
use jiff::civil::Date;

type PageResult = Result<Response, WebError>;

/// The largest file that travels in the preview form (hex-encoded), so that the document can be
/// read again with another year; a larger one must be uploaded again.
const MAX_SOURCE: usize = 2 * 1024 * 1024;

struct PreviewRow {
    i: usize,
    keep: bool,
    selected: bool,
    number: String,
    text: String,
    lead: String,
    cooperating: String,
    deadline: String,
    deadline_text: String,
    warnings: Vec<String>,
    /// Suggested lead units, for a row without one.
    suggested: Vec<String>,
    /// Its deadline (own or default) has passed.
    past: bool,
}

/// A unit name the directory does not know, as a row of the page.
struct UnknownRow {
    k: usize,
    name: String,
    /// The rows naming it, e.g. 「第 1、4 项」.
    rows: String,
    closest: Vec<String>,
    /// What the office typed in its picker.
    map_to: String,
}

/// A unit the office may map a name to: its name and, for the picker, its aliases.
struct UnitChoice {
    name: String,
    aliases: String,
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    nav: Nav,
    csrf: String,
    error: Option<String>,
    notice: Option<String>,
    report: Option<ImportReport>,
    title: String,
    doc_number: String,
    preview_json: String,
    rows: Vec<PreviewRow>,
    without_lead: usize,
    /// The directory's unit and group names, for the unit fields' choices.
    units: Vec<String>,
    /// The directory's units with their aliases, for mapping an unknown name.
    unit_choices: Vec<UnitChoice>,
    bulk_unit: String,
    /// The file, hex-encoded, and its name (empty when too large to carry).
    source: String,
    source_name: String,
    year: i16,
    year_from: &'static str,
    /// The year the office set, if any (carried for the next step).
    year_given: String,
    without_deadline: usize,
    /// Whether tasks without a deadline take `default_deadline` (else the rules decide).
    use_default: bool,
    default_deadline: String,
    proposed_default: String,
    today: String,
    past: usize,
    past_by_default: usize,
    past_earliest: String,
    confirm_past: bool,
    unknown: Vec<UnknownRow>,
}

/// What the office ticked on the page: the rows to import and the rows selected for a bulk
/// step.
#[derive(Default)]
struct Ticks {
    keep: Vec<bool>,
    selected: Vec<bool>,
}

/// What the office chose for the whole document on the page.
#[derive(Default)]
struct Choices {
    /// The year they set (`None`: the document's).
    year: Option<i16>,
    /// `None` on the first showing: the proposed default (the year's 31 December) is chosen.
    use_default: Option<bool>,
    default_deadline: Option<Date>,
    confirm_past: bool,
    /// The file and its name, hex-encoded, when carried.
    source: String,
    source_name: String,
    /// What was typed in each unknown name's picker, by name.
    map_to: Vec<(String, String)>,
}

impl Choices {
    /// The default deadline in force: the one typed, or the proposed one, unless the office
    /// leaves tasks without a deadline to the rules.
    fn default_deadline(&self, r: &Review) -> Option<Date> {
        match self.use_default {
            Some(false) => None,
            _ => Some(self.default_deadline.unwrap_or(r.proposed_default_deadline)),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    s
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    let s = s.trim().as_bytes();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    s.chunks(2).map(|p| u8::from_str_radix(std::str::from_utf8(p).ok()?, 16).ok()).collect()
}

/// The rows of `tasks` as the page says them: 「第 1、4 项」, the first ten.
fn row_list(rows: &[usize]) -> String {
    let mut s: Vec<String> = rows.iter().take(10).map(|i| (i + 1).to_string()).collect();
    if rows.len() > 10 {
        s.push(format!("…共 {} 项", rows.len()));
    }
    format!("第 {} 项", s.join("、"))
}

fn page(v: &Viewer, review: Option<&Review>, ticks: &Ticks, choices: &Choices) -> ImportPage {
    let default_deadline = review.and_then(|r| choices.default_deadline(r));
    let past = review.map(|r| past_deadlines(&r.tasks, default_deadline, r.today)).unwrap_or_default();
    let rows = review
        .map(|r| {
            r.tasks
                .iter()
                .enumerate()
                .map(|(i, t)| PreviewRow {
                    i,
                    keep: ticks.keep.get(i).copied().unwrap_or(true),
                    selected: ticks.selected.get(i).copied().unwrap_or(false),
                    number: t.number.clone(),
                    text: t.text.clone(),
                    lead: t.lead.join("；"),
                    cooperating: t.cooperating.join("；"),
                    deadline: t.deadline.map(|d| d.to_string()).unwrap_or_default(),
                    deadline_text: t.deadline_text.clone().unwrap_or_default(),
                    warnings: t.warnings.iter().map(|w| w.message.clone()).collect(),
                    suggested: if t.lead.is_empty() {
                        r.suggested(i).iter().map(|s| s.name.clone()).collect()
                    } else {
                        Vec::new()
                    },
                    past: past.iter().any(|p| p.task == i),
                })
                .collect()
        })
        .unwrap_or_default();
    let unknown = review
        .map(|r| {
            r.unknown_units
                .iter()
                .enumerate()
                .map(|(k, u)| UnknownRow {
                    k,
                    name: u.name.clone(),
                    rows: row_list(&u.tasks),
                    closest: u.closest.clone(),
                    map_to: choices
                        .map_to
                        .iter()
                        .find(|(n, _)| n == &u.name)
                        .map(|(_, m)| m.clone())
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    ImportPage {
        nav: Nav::new(Some(v), "/import"),
        csrf: v.csrf.clone(),
        error: None,
        notice: None,
        report: None,
        title: review.map(|p| p.document.title.clone()).unwrap_or_default(),
        doc_number: review.and_then(|p| p.document.doc_number.clone()).unwrap_or_default(),
        preview_json: review.and_then(|r| serde_json::to_string(&r.preview()).ok()).unwrap_or_default(),
        rows,
        without_lead: review.map_or(0, |r| r.without_lead),
        units: Vec::new(),
        unit_choices: Vec::new(),
        bulk_unit: String::new(),
        source: choices.source.clone(),
        source_name: choices.source_name.clone(),
        year: review.map_or(0, |r| r.year),
        year_from: review.map_or("", |r| r.year_from.label()),
        year_given: choices.year.map(|y| y.to_string()).unwrap_or_default(),
        without_deadline: review.map_or(0, |r| r.without_deadline),
        use_default: default_deadline.is_some(),
        default_deadline: review
            .map(|r| choices.default_deadline.unwrap_or(r.proposed_default_deadline).to_string())
            .unwrap_or_default(),
        proposed_default: review.map(|r| r.proposed_default_deadline.to_string()).unwrap_or_default(),
        today: review.map(|r| r.today.to_string()).unwrap_or_default(),
        past: past.len(),
        past_by_default: past.iter().filter(|p| p.by_default).count(),
        past_earliest: past.iter().map(|p| p.deadline).min().map(|d| d.to_string()).unwrap_or_default(),
        confirm_past: choices.confirm_past,
        unknown,
    }
}

/// The upload form, with an error when there is one.
fn upload_page(v: &Viewer, error: Option<String>) -> ImportPage {
    let mut p = page(v, None, &Ticks::default(), &Choices::default());
    p.error = error;
    p
}

/// The preview page for `preview` as edited: suggestions, deadlines already past and unknown
/// units computed anew, the directory's names offered.
async fn preview_page(
    d: &AppState,
    v: &Viewer,
    preview: Preview,
    ticks: &Ticks,
    choices: &Choices,
) -> Result<ImportPage, WebError> {
    let review =
        d.document_import().review(preview, ReviewOptions { year: choices.year, default_deadline: None }).await?;
    let mut p = page(v, Some(&review), ticks, choices);
    p.units = d.document_import().names().await?.canonicals().to_vec();
    p.unit_choices = d
        .document_import()
        .unit_choices()
        .await?
        .into_iter()
        .map(|u| UnitChoice { aliases: u.aliases.join("、"), name: u.name })
        .collect();
    Ok(p)
}

pub async fn form(v: Viewer) -> PageResult {
    v.require::<RunLedgers>()?;
    Ok(render(&upload_page(&v, None), StatusCode::OK))
}

/// The year typed in a field: empty for none, else a year within the bounds of a task's dates.
fn year_field(s: &str) -> Result<Option<i16>, Error> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    match s.parse::<i16>() {
        Ok(y) if (FIRST_YEAR..=LAST_YEAR).contains(&y) => Ok(Some(y)),
        _ => Err(Error::invalid("year", format!("年份“{s}”无效，应为 {FIRST_YEAR}–{LAST_YEAR} 之间的四位数字"))),
    }
}

pub async fn preview(State(d): State<AppState>, v: Viewer, req: Request) -> PageResult {
    v.require::<RunLedgers>()?;
    let (file, fields) = super::checked_upload_fields(req, &d, &v, "请选择要导入的文件").await?;
    let read = match (file, year_field(fields.get("year"))) {
        (Ok(file), Ok(year)) => {
            d.document_import().preview(&file.bytes, &file.name, year).await.map(|p| (p, file, year))
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match read {
        Ok((preview, _, _)) if preview.tasks.is_empty() => Ok(render(
            &upload_page(&v, Some("文件中没有识别出任务（带编号的条目）".into())),
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
        Ok((preview, file, year)) => {
            let carried = file.bytes.len() <= MAX_SOURCE;
            let choices = Choices {
                year,
                source: if carried { hex(&file.bytes) } else { String::new() },
                source_name: file.name.clone(),
                ..Choices::default()
            };
            Ok(render(&preview_page(&d, &v, preview, &Ticks::default(), &choices).await?, StatusCode::OK))
        }
        Err(e @ (Error::Invalid { .. } | Error::ImportTooLarge(_) | Error::ImportTimeout(_))) => {
            let status = status_of(e.code());
            Ok(render(&upload_page(&v, Some(e.to_string())), status))
        }
        Err(e) => Err(e.into()),
    }
}

/// Unit names typed in a field, separated by 「；」, 「，」 or new lines.
fn names(s: &str) -> Vec<String> {
    s.split(['，', ',', ';', '；', '\n']).map(str::trim).filter(|x| !x.is_empty()).map(String::from).collect()
}

/// The preview as the office edited it on the page, what they ticked and chose, and the problems
/// found in their edits.
fn edited(form: &Fields) -> Result<(Preview, Ticks, Choices, Vec<String>), Error> {
    let get = |k: &str| form.get(k);
    let mut preview: Preview =
        serde_json::from_str(get("preview")).map_err(|_| Error::invalid("preview", "预览数据无法读取，请重新上传"))?;
    let mut ticks = Ticks::default();
    let mut problems = Vec::new();
    for (i, t) in preview.tasks.iter_mut().enumerate() {
        ticks.keep.push(get(&format!("keep_{i}")) == "on");
        ticks.selected.push(get(&format!("sel_{i}")) == "on");
        t.lead = names(get(&format!("lead_{i}")));
        t.cooperating = names(get(&format!("coop_{i}")));
        let deadline = get(&format!("deadline_{i}")).trim();
        t.deadline = if deadline.is_empty() {
            None
        } else {
            match deadline.parse() {
                Ok(d) => Some(d),
                Err(_) => {
                    problems.push(format!("第 {} 项（{}）的完成时限“{deadline}”不是有效日期", i + 1, t.number));
                    None
                }
            }
        };
    }
    let mut choices = Choices {
        year: year_field(get("year_given")).unwrap_or(None),
        use_default: match get("deadline_mode") {
            "rules" => Some(false),
            "date" => Some(true),
            _ => None,
        },
        confirm_past: get("confirm_past") == "on",
        source: get("source").to_string(),
        source_name: get("source_name").to_string(),
        ..Choices::default()
    };
    let typed = get("default_deadline").trim();
    if !typed.is_empty() {
        match parse_task_date("default_deadline", typed) {
            Ok(dd) => choices.default_deadline = Some(dd),
            Err(e) if choices.use_default != Some(false) => problems.push(format!("统一完成时限：{e}")),
            Err(_) => {}
        }
    }
    let mut k = 0;
    while let Some((_, name)) = form.0.iter().find(|(n, _)| n == &format!("unknown_{k}")) {
        choices.map_to.push((name.clone(), get(&format!("map_{k}")).trim().to_string()));
        k += 1;
    }
    Ok((preview, ticks, choices, problems))
}

/// A one-click suggestion: `pick` is `ROW|UNIT`.
fn pick(preview: &mut Preview, value: &str) -> Result<String, Error> {
    let bad = || Error::invalid("pick", "所选建议无法识别，请重试");
    let (row, unit) = value.split_once('|').ok_or_else(bad)?;
    let row: usize = row.parse().map_err(|_| bad())?;
    assign(preview, &[row], unit, AssignAs::Lead)?;
    Ok(format!("已将第 {} 项的牵头单位设为“{}”", row + 1, unit.trim()))
}

/// An unknown unit name settled: `settle` is `map|K` or `create|K`, K the name's place on the
/// page (its name in `unknown_K`, the unit picked for it in `map_K`).
async fn settle(d: &AppState, v: &Viewer, form: &Fields) -> Result<String, Error> {
    let bad = || Error::invalid("settle", "所选操作无法识别，请重试");
    let (how, k) = form.get("settle").split_once('|').ok_or_else(bad)?;
    let name = form.get(&format!("unknown_{k}")).trim();
    if name.is_empty() {
        return Err(bad());
    }
    match how {
        "map" => {
            let typed = form.get(&format!("map_{k}")).trim();
            if typed.is_empty() {
                return Err(Error::invalid("map", format!("请为“{name}”选择对应的已有单位")));
            }
            let Some(id) = d.document_import().unit_named(typed).await? else {
                return Err(Error::invalid(
                    "map",
                    format!("单位名录中没有“{typed}”这个单位（单位组不能作为对应单位）"),
                ));
            };
            let s = d.document_import().settle_name(&v.actor, name, Settle::MapTo(id)).await?;
            Ok(format!("已将“{name}”对应到单位“{}”，并记为其别名：以后导入的文件会自动识别", s.unit.name))
        }
        "create" => {
            let s = d.document_import().settle_name(&v.actor, name, Settle::Create).await?;
            Ok(format!("已在单位名录中新建单位“{}”", s.unit.name))
        }
        _ => Err(bad()),
    }
}

/// The document read again with the year typed on the page, keeping the office's units where the
/// tasks are the same.
async fn reread(
    d: &AppState,
    form: &Fields,
    preview: &mut Preview,
    ticks: &mut Ticks,
    choices: &mut Choices,
) -> Result<String, Error> {
    let Some(year) = year_field(form.get("year"))? else {
        return Err(Error::invalid("year", "请填写年份"));
    };
    let Some(bytes) = unhex(&choices.source).filter(|b| !b.is_empty()) else {
        return Err(Error::invalid("year", "文件较大，未随页面保留：请在上传时填写年份，重新上传"));
    };
    let mut again = d.document_import().preview(&bytes, &choices.source_name, Some(year)).await?;
    let kept = carry_units(preview, &mut again);
    if !kept {
        *ticks = Ticks::default();
    }
    *preview = again;
    choices.year = Some(year);
    // The proposed default follows the year.
    choices.default_deadline = None;
    Ok(if kept {
        format!("已按 {year} 年重新读取完成时限；已指定的单位保留，手工修改的完成时限已按新年份重新读取")
    } else {
        format!("已按 {year} 年重新读取文件")
    })
}

pub async fn commit(State(d): State<AppState>, v: Viewer, Form(form): Form<Fields>) -> PageResult {
    v.require::<RunLedgers>()?;
    v.check_csrf(form.get("csrf"))?;
    let (mut preview, mut ticks, mut choices, problems) = edited(&form)?;
    let rows: Vec<usize> = (0..ticks.selected.len()).filter(|&i| ticks.selected[i]).collect();
    let unit = form.get("bulk_unit").trim().to_string();
    // A step that edits the preview (or the directory) and shows it again.
    let step = if !form.get("pick").is_empty() {
        Some(pick(&mut preview, form.get("pick")))
    } else if !form.get("settle").is_empty() {
        Some(settle(&d, &v, &form).await)
    } else {
        match form.get("action") {
            "lead" => Some(
                assign(&mut preview, &rows, &unit, AssignAs::Lead)
                    .map(|n| format!("已将 {n} 项任务的牵头单位设为“{unit}”")),
            ),
            "coop" => Some(
                assign(&mut preview, &rows, &unit, AssignAs::Cooperating)
                    .map(|n| format!("已为 {n} 项任务增加责任单位“{unit}”")),
            ),
            "year" => Some(reread(&d, &form, &mut preview, &mut ticks, &mut choices).await),
            "refresh" => Some(Ok("已按修改更新预览".to_string())),
            _ => None,
        }
    };
    if let Some(step) = step {
        let dealt_with = form.get("action") == "lead" || form.get("action") == "coop";
        let mut p = preview_page(&d, &v, preview, &ticks, &choices).await?;
        p.bulk_unit = unit;
        let status = match step {
            Ok(notice) => {
                // The rows were dealt with: untick them for the next step.
                if dealt_with && !rows.is_empty() {
                    p.rows.iter_mut().for_each(|r| r.selected = false);
                }
                p.notice = Some(notice);
                StatusCode::OK
            }
            Err(e @ (Error::Invalid { .. } | Error::Conflict(_) | Error::NotFound { .. })) => {
                p.error = Some(e.to_string());
                status_of(e.code())
            }
            Err(e) => return Err(e.into()),
        };
        return Ok(render(&p, status));
    }
    let mut problems = problems;
    let mut chosen = preview.clone();
    chosen.tasks = preview.tasks.iter().zip(&ticks.keep).filter(|(_, k)| **k).map(|(t, _)| t.clone()).collect();
    if chosen.tasks.is_empty() {
        problems.push("没有勾选要导入的任务".into());
    }
    if !problems.is_empty() {
        let mut p = preview_page(&d, &v, preview, &ticks, &choices).await?;
        p.error = Some(problems.join("；"));
        return Ok(render(&p, StatusCode::UNPROCESSABLE_ENTITY));
    }
    let review_default = match choices.use_default {
        Some(false) => None,
        // The proposed default needs the year, which the review knows.
        _ => match choices.default_deadline {
            Some(dd) => Some(dd),
            None => {
                let opts = ReviewOptions { year: choices.year, default_deadline: None };
                Some(d.document_import().review(chosen.clone(), opts).await?.proposed_default_deadline)
            }
        },
    };
    let opts = CommitOptions { default_deadline: review_default, confirm_past_deadlines: choices.confirm_past };
    match d.document_import().commit(&chosen, &opts, &v.actor).await {
        Ok(report) => {
            let mut p = upload_page(&v, None);
            p.report = Some(report);
            Ok(render(&p, StatusCode::OK))
        }
        Err(e @ (Error::Invalid { .. } | Error::Conflict(_) | Error::ImportPastDeadlines(_))) => {
            let mut p = preview_page(&d, &v, preview, &ticks, &choices).await?;
            p.error = Some(e.to_string());
            Ok(render(&p, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_travels_in_hex_and_back() {
        let bytes = "关于印发《方案》的通知\n1.推进工作".as_bytes();
        assert_eq!(unhex(&hex(bytes)).as_deref(), Some(bytes));
        assert_eq!(unhex("abc"), None);
        assert_eq!(unhex("zz"), None);
        assert_eq!(row_list(&[0, 3]), "第 1、4 项");
    }
}
