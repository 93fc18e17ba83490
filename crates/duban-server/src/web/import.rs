//! 导入: upload a document, check the parsed tasks and their warnings, fix units and deadlines
//! in place, and commit. The preview travels in the form itself, so nothing is kept on the
//! server between the steps and a failed commit shows the page again with every correction.
//!
//! The preview page is one form with several buttons, each a server-side step that re-renders
//! it with the office's edits kept: a suggested lead unit taken with one click (`pick`); one unit
//! given to every ticked row as its lead or as a cooperating unit (`action=lead` / `coop`);
//! and the commit (`action=commit`, the default).

use super::errors::render;
use super::{AppState, Fields, Nav, Viewer, WebError};
use crate::http::status::status_of;
use askama::Template;
use axum::extract::{Form, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use duban_app::actor::RunLedgers;
use duban_app::document_import::ImportReport;
use duban_app::import_review::{AssignAs, Review, assign};
use duban_domain::Error;
use duban_import::Preview;

type PageResult = Result<Response, WebError>;

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
    bulk_unit: String,
}

/// What the office ticked on the page: the rows to import and the rows selected for a bulk
/// step.
#[derive(Default)]
struct Ticks {
    keep: Vec<bool>,
    selected: Vec<bool>,
}

fn page(v: &Viewer, review: Option<&Review>, ticks: &Ticks, units: Vec<String>) -> ImportPage {
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
        units,
        bulk_unit: String::new(),
    }
}

/// The upload form, with an error when there is one.
fn upload_page(v: &Viewer, error: Option<String>) -> ImportPage {
    let mut p = page(v, None, &Ticks::default(), Vec::new());
    p.error = error;
    p
}

/// The preview page for `preview` as edited: suggestions computed anew, the directory's names
/// offered.
async fn preview_page(d: &AppState, v: &Viewer, preview: Preview, ticks: &Ticks) -> Result<ImportPage, WebError> {
    let review = d.document_import().review(preview).await?;
    let units = d.document_import().names().await?.canonicals().to_vec();
    Ok(page(v, Some(&review), ticks, units))
}

pub async fn form(v: Viewer) -> PageResult {
    v.require::<RunLedgers>()?;
    Ok(render(&upload_page(&v, None), StatusCode::OK))
}

pub async fn preview(State(d): State<AppState>, v: Viewer, req: Request) -> PageResult {
    v.require::<RunLedgers>()?;
    let result = match super::checked_upload(req, &d, &v, "请选择要导入的文件").await? {
        Ok(file) => d.document_import().preview(&file.bytes, &file.name, None).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(preview) if preview.tasks.is_empty() => Ok(render(
            &upload_page(&v, Some("文件中没有识别出任务（带编号的条目）".into())),
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
        Ok(preview) => Ok(render(&preview_page(&d, &v, preview, &Ticks::default()).await?, StatusCode::OK)),
        Err(e @ (Error::Invalid { .. } | Error::ImportTooLarge(_) | Error::ImportTimeout(_))) => {
            let status = status_of(e.code());
            Ok(render(&upload_page(&v, Some(e.to_string())), status))
        }
        Err(e) => Err(e.into()),
    }
}

/// Splits a list of unit names as the page shows them. Not on 、, which some names contain
/// (各苏木乡镇场、街道).
fn names(s: &str) -> Vec<String> {
    s.split(['，', ',', ';', '；', '\n']).map(str::trim).filter(|x| !x.is_empty()).map(String::from).collect()
}

/// The preview as the office edited it on the page, what they ticked, and the problems found
/// in their edits.
fn edited(form: &Fields) -> Result<(Preview, Ticks, Vec<String>), Error> {
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
    Ok((preview, ticks, problems))
}

/// A one-click suggestion: `pick` is `ROW|UNIT`.
fn pick(preview: &mut Preview, value: &str) -> Result<String, Error> {
    let bad = || Error::invalid("pick", "所选建议无法识别，请重试");
    let (row, unit) = value.split_once('|').ok_or_else(bad)?;
    let row: usize = row.parse().map_err(|_| bad())?;
    assign(preview, &[row], unit, AssignAs::Lead)?;
    Ok(format!("已将第 {} 项的牵头单位设为“{}”", row + 1, unit.trim()))
}

pub async fn commit(State(d): State<AppState>, v: Viewer, Form(form): Form<Fields>) -> PageResult {
    v.require::<RunLedgers>()?;
    v.check_csrf(form.get("csrf"))?;
    let (mut preview, ticks, problems) = edited(&form)?;
    let rows: Vec<usize> = (0..ticks.selected.len()).filter(|&i| ticks.selected[i]).collect();
    let unit = form.get("bulk_unit").trim().to_string();
    // A step that edits the preview and shows it again.
    let step = if !form.get("pick").is_empty() {
        Some(pick(&mut preview, form.get("pick")))
    } else {
        match form.get("action") {
            "lead" => Some(
                assign(&mut preview, &rows, &unit, AssignAs::Lead)
                    .map(|n| format!("已将 {n} 项任务的牵头单位设为“{unit}”")),
            ),
            "refresh" => Some(Ok("已按修改更新预览".to_string())),
            "coop" => Some(
                assign(&mut preview, &rows, &unit, AssignAs::Cooperating)
                    .map(|n| format!("已为 {n} 项任务增加责任单位“{unit}”")),
            ),
            _ => None,
        }
    };
    if let Some(step) = step {
        let mut p = preview_page(&d, &v, preview, &ticks).await?;
        p.bulk_unit = unit;
        let status = match step {
            Ok(notice) => {
                // The rows were dealt with: untick them for the next step.
                if !rows.is_empty() {
                    p.rows.iter_mut().for_each(|r| r.selected = false);
                }
                p.notice = Some(notice);
                StatusCode::OK
            }
            Err(e) => {
                p.error = Some(e.to_string());
                StatusCode::UNPROCESSABLE_ENTITY
            }
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
        let mut p = preview_page(&d, &v, preview, &ticks).await?;
        p.error = Some(problems.join("；"));
        return Ok(render(&p, StatusCode::UNPROCESSABLE_ENTITY));
    }
    match d.document_import().commit(&chosen, &v.actor).await {
        Ok(report) => {
            let mut p = upload_page(&v, None);
            p.report = Some(report);
            Ok(render(&p, StatusCode::OK))
        }
        Err(e @ (Error::Invalid { .. } | Error::Conflict(_))) => {
            let mut p = preview_page(&d, &v, preview, &ticks).await?;
            p.error = Some(e.to_string());
            Ok(render(&p, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(e) => Err(e.into()),
    }
}
