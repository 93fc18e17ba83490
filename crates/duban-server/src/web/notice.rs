//! The 督办通知单 on the pages (issue 12 §3): the task page's 督办 form (instruction, 答复时限,
//! the cooperating units added to 主送) and list of the task's notices ([`NoticePanel`], in
//! `partials/task_notice.html`); the print view `/notices/{id}` in the official-document layout
//! of GB/T 9704 (`notice.html`, with print CSS for A4 and its margins); and its Word file
//! `/notices/{id}.docx`, written by [`duban_app::notice_sheet`]. Both are shown to those who
//! may see the task only (for a 涉密 task, the people named on it); anyone else is told the
//! notice does not exist.

use super::errors::render;
use super::{AppState, Nav, Viewer, WebError, see_other};
use crate::http::percent_encode;
use crate::http::upload::attachment_disposition;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use duban_app::notice_sheet::{NoticeSheet, Section};
use duban_domain::Error;
use duban_domain::ids::{TaskId, UnitId};
use duban_domain::supervision::Order;
use duban_domain::task::{Party, Task};

/// A notice of the task, as the task page lists it.
pub struct IssuedLine {
    pub id: i64,
    pub number: String,
    pub issued_on: String,
    pub answer_by: String,
}

/// A cooperating unit the office may add to 主送.
pub struct UnitChoice {
    pub id: i64,
    pub name: String,
    pub checked: bool,
}

/// The task page's 督办 part: the form (for those who may issue one on an open task) and the
/// notices issued so far, each with its print view and Word file.
pub struct NoticePanel {
    pub can_issue: bool,
    /// The instruction of a refused form, shown again.
    pub text: String,
    pub answer_by: String,
    pub earliest: String,
    pub cooperating: Vec<UnitChoice>,
    pub issued: Vec<IssuedLine>,
}

/// What the office chose in a refused 督办 form, shown again.
#[derive(Debug, Default, Clone)]
pub struct NoticeDraft {
    pub text: String,
    pub answer_by: String,
    pub recipients: Vec<i64>,
}

/// The panel of a task the viewer sees; `can_issue` when they may oversee and it is open.
pub async fn panel(
    d: &AppState,
    v: &Viewer,
    task: &Task,
    can_issue: bool,
    draft: Option<&NoticeDraft>,
) -> Result<NoticePanel, WebError> {
    let tz = d.core().policy().timezone();
    let issued = d
        .supervision()
        .notices_of(&v.actor, task.id)
        .await?
        .into_iter()
        .map(|n| IssuedLine {
            id: n.id,
            number: n.number,
            issued_on: n.issued_at.to_zoned(tz.clone()).date().to_string(),
            answer_by: n.answer_by.to_string(),
        })
        .collect();
    let mut out = NoticePanel {
        can_issue,
        text: draft.map(|dr| dr.text.clone()).unwrap_or_default(),
        answer_by: String::new(),
        earliest: String::new(),
        cooperating: Vec::new(),
        issued,
    };
    if !can_issue {
        return Ok(out);
    }
    // A calendar without data for today leaves the date for the office to choose.
    out.answer_by = match draft {
        Some(dr) => dr.answer_by.clone(),
        None => d.supervision().default_answer_by().map(|x| x.to_string()).unwrap_or_default(),
    };
    out.earliest = d.core().now().to_zoned(tz).date().to_string();
    let names = d.reporting().party_names().await?;
    out.cooperating = task
        .fields
        .cooperating
        .iter()
        .filter_map(|p| match p {
            Party::Unit(u) => Some(UnitChoice {
                id: u.0,
                name: names.parties(&[Party::Unit(*u)]),
                checked: draft.is_some_and(|dr| dr.recipients.contains(&u.0)),
            }),
            Party::Group(_) => None,
        })
        .collect();
    Ok(out)
}

/// The 督办 form: instruction, 答复时限 and added 主送 units (`recipient`, repeated).
pub async fn supervise(
    State(d): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    axum::extract::Form(form): axum::extract::Form<super::Fields>,
) -> Result<Response, WebError> {
    v.check_csrf(form.get("csrf"))?;
    d.access().visible_task(&v.person, TaskId(id)).await?;
    let text = form.get("text").to_string();
    let draft = NoticeDraft {
        text: text.clone(),
        answer_by: form.get("answer_by").trim().to_string(),
        recipients: form.all("recipient").filter_map(|s| s.parse().ok()).collect(),
    };
    let result = match parse_date(&draft.answer_by) {
        Ok(answer_by) => {
            let order = Order {
                text: text.clone(),
                answer_by,
                recipients: draft.recipients.iter().map(|u| UnitId(*u)).collect(),
            };
            d.supervision().order(&v.actor, TaskId(id), &order).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(n) => Ok(see_other(&format!("/tasks/{id}?done=supervised&number={}", percent_encode(&n.number)))),
        Err(e @ (Error::Invalid { .. } | Error::Conflict(_) | Error::Forbidden | Error::Calendar(_))) => {
            super::pages::task_page_drafted(&d, &v, TaskId(id), Some(e.to_string()), Some(draft)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A date from the form: none when empty (the rules' date then).
fn parse_date(s: &str) -> Result<Option<jiff::civil::Date>, Error> {
    if s.is_empty() {
        return Ok(None);
    }
    s.parse().map(Some).map_err(|_| Error::invalid("answer_by", format!("答复时限“{s}”不是有效日期")))
}

#[derive(Template)]
#[template(path = "notice.html")]
struct NoticePage {
    nav: Nav,
    s: NoticeSheet,
    sections: Vec<(bool, String)>,
    addressees: String,
    date: String,
}

/// `/notices/{id}` (the print view) and `/notices/{id}.docx` (the Word file).
pub async fn notice(State(d): State<AppState>, v: Viewer, Path(file): Path<String>) -> Result<Response, WebError> {
    let (id, docx) = match file.strip_suffix(".docx") {
        Some(id) => (id, true),
        None => (file.as_str(), false),
    };
    let id: i64 = id.parse().map_err(|_| Error::not_found(format!("督办通知单 {id}")))?;
    let s = d.supervision().sheet(&v.actor, id).await?;
    if docx {
        let bytes = duban_app::notice_sheet::docx(&s)?;
        return Ok((
            [
                (
                    header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document".to_string(),
                ),
                (header::CONTENT_DISPOSITION, attachment_disposition(&duban_app::notice_sheet::file_name(&s))),
                (header::CACHE_CONTROL, "private, no-store".to_string()),
            ],
            bytes,
        )
            .into_response());
    }
    let sections = s
        .sections()
        .into_iter()
        .map(|x| match x {
            Section::Heading(t) => (true, t),
            Section::Paragraph(t) => (false, t),
        })
        .collect();
    let page =
        NoticePage { nav: Nav::new(Some(&v), "/tasks"), addressees: s.addressees(), date: s.date_text(), sections, s };
    Ok(render(&page, StatusCode::OK))
}
