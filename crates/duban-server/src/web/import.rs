//! 导入: upload a document, check the parsed tasks and their warnings, fix units and deadlines
//! in place, and commit. The preview travels in the form itself, so nothing is kept on the
//! server between the two steps and a failed commit shows the page again with every correction.

use super::errors::render;
use super::{AppState, Fields, Nav, Viewer, WebError};
use crate::http::status::status_of;
use askama::Template;
use axum::extract::{Form, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use duban_app::actor::RunLedgers;
use duban_app::document_import::ImportReport;
use duban_domain::Error;
use duban_import::Preview;

type PageResult = Result<Response, WebError>;

struct PreviewRow {
    i: usize,
    keep: bool,
    number: String,
    text: String,
    lead: String,
    cooperating: String,
    deadline: String,
    deadline_text: String,
    warnings: Vec<String>,
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    nav: Nav,
    csrf: String,
    error: Option<String>,
    report: Option<ImportReport>,
    title: String,
    doc_number: String,
    preview_json: String,
    rows: Vec<PreviewRow>,
}

fn page(v: &Viewer, preview: Option<&Preview>, keep: &[bool], error: Option<String>) -> ImportPage {
    let rows = preview
        .map(|p| {
            p.tasks
                .iter()
                .enumerate()
                .map(|(i, t)| PreviewRow {
                    i,
                    keep: keep.get(i).copied().unwrap_or(true),
                    number: t.number.clone(),
                    text: t.text.clone(),
                    lead: t.lead.join("；"),
                    cooperating: t.cooperating.join("；"),
                    deadline: t.deadline.map(|d| d.to_string()).unwrap_or_default(),
                    deadline_text: t.deadline_text.clone().unwrap_or_default(),
                    warnings: t.warnings.iter().map(|w| w.message.clone()).collect(),
                })
                .collect()
        })
        .unwrap_or_default();
    ImportPage {
        nav: Nav::new(Some(v), "/import"),
        csrf: v.csrf.clone(),
        error,
        report: None,
        title: preview.map(|p| p.document.title.clone()).unwrap_or_default(),
        doc_number: preview.and_then(|p| p.document.doc_number.clone()).unwrap_or_default(),
        preview_json: preview.and_then(|p| serde_json::to_string(p).ok()).unwrap_or_default(),
        rows,
    }
}

pub async fn form(v: Viewer) -> PageResult {
    v.require::<RunLedgers>()?;
    Ok(render(&page(&v, None, &[], None), StatusCode::OK))
}

pub async fn preview(State(d): State<AppState>, v: Viewer, req: Request) -> PageResult {
    v.require::<RunLedgers>()?;
    let result = match super::checked_upload(req, &d, &v, "请选择要导入的文件").await? {
        Ok(file) => d.document_import().preview(&file.bytes, &file.name, None).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(preview) if preview.tasks.is_empty() => Ok(render(
            &page(&v, None, &[], Some("文件中没有识别出任务（带编号且写明单位的条目）".into())),
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
        Ok(preview) => Ok(render(&page(&v, Some(&preview), &[], None), StatusCode::OK)),
        Err(e @ (Error::Invalid { .. } | Error::ImportTooLarge(_) | Error::ImportTimeout(_))) => {
            let status = status_of(e.code());
            Ok(render(&page(&v, None, &[], Some(e.to_string())), status))
        }
        Err(e) => Err(e.into()),
    }
}

/// Splits a list of unit names as the page shows them. Not on 、, which some names contain
/// (各苏木乡镇场、街道).
fn names(s: &str) -> Vec<String> {
    s.split(['，', ',', ';', '；', '\n']).map(str::trim).filter(|x| !x.is_empty()).map(String::from).collect()
}

pub async fn commit(State(d): State<AppState>, v: Viewer, Form(form): Form<Fields>) -> PageResult {
    v.require::<RunLedgers>()?;
    let get = |k: &str| form.get(k);
    v.check_csrf(get("csrf"))?;
    let mut preview: Preview =
        serde_json::from_str(get("preview")).map_err(|_| Error::invalid("preview", "预览数据无法读取，请重新上传"))?;
    let mut keep = Vec::new();
    let mut problems = Vec::new();
    for (i, t) in preview.tasks.iter_mut().enumerate() {
        keep.push(get(&format!("keep_{i}")) == "on");
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
    let mut chosen = preview.clone();
    chosen.tasks = preview.tasks.iter().zip(&keep).filter(|(_, k)| **k).map(|(t, _)| t.clone()).collect();
    if chosen.tasks.is_empty() {
        problems.push("没有勾选要导入的任务".into());
    }
    if !problems.is_empty() {
        return Ok(render(
            &page(&v, Some(&preview), &keep, Some(problems.join("；"))),
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    match d.document_import().commit(&chosen, &v.actor).await {
        Ok(report) => {
            let mut p = page(&v, None, &[], None);
            p.report = Some(report);
            Ok(render(&p, StatusCode::OK))
        }
        Err(e @ (Error::Invalid { .. } | Error::Conflict(_))) => {
            Ok(render(&page(&v, Some(&preview), &keep, Some(e.to_string())), StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(e) => Err(e.into()),
    }
}
