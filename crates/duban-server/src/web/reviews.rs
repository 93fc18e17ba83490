//! The pages of objections (申诉), leaders' evaluations and the document-error ledger
//! (公文错情), issue 13 §1, §3:
//!
//! - `/objections`: the office's queue with a decide form on each open objection; a unit's
//!   people see their own unit's. `/objections/new?fact={key}&profile={p}&period={k}` (the link
//!   of a line in a score's breakdown) shows the line objected to — its indicator, day, and the
//!   task's number and title only to those who may see the task — with the reason and an
//!   evidence file; `/objections/{id}/evidence` downloads the file.
//! - `/evaluations`: a leader's form (units limited to their charge; the office any unit),
//!   optional task, score 0–10 and comment, and the list with withdraw buttons.
//! - `/document-errors`: the office's ledger of a month, its record form, the sums by unit for
//!   the 公文错情通报 and `/document-errors.xlsx`.

use super::errors::render;
use super::{AppState, Fields, Nav, Viewer, WebError, see_other};
use crate::http::upload::{attachment_disposition, safe_content_type};
use askama::Template;
use axum::extract::{Form, Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use duban_app::actor::RunLedgers;
use duban_app::reviews::{
    DocumentErrorInput, ErrorLedger, EvaluationInput, EvaluationView, FactSummary, ObjectionInput, ObjectionView,
    document_errors_xlsx,
};
use duban_domain::Error;
use duban_domain::assessment::Span;
use duban_domain::assessment::review::ErrorKind;
use duban_store::reviews::Evidence;
use serde::Deserialize;

type PageResult = Result<Response, WebError>;

/// Refusals a form shows on its own page (the rest are error pages).
fn shown(e: &Error) -> bool {
    matches!(e, Error::Invalid { .. } | Error::Conflict(_) | Error::Forbidden | Error::NotFound { .. })
}

// ---- objections ----

#[derive(Template)]
#[template(path = "objections.html")]
struct ObjectionsPage {
    nav: Nav,
    csrf: String,
    can_decide: bool,
    objections: Vec<ObjectionView>,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DoneParams {
    done: String,
}

fn done_text(done: &str) -> Option<&'static str> {
    match done {
        "filed" => Some("申诉已提交，等待考核办处理。"),
        "decided" => Some("已处理该申诉。"),
        "evaluated" => Some("评价已保存，计入考核。"),
        "withdrawn" => Some("已撤回，不再计入考核。"),
        "recorded" => Some("已登记，计入考核。"),
        _ => None,
    }
}

async fn objections_page(d: &AppState, v: &Viewer, flash: Option<&str>, error: Option<String>) -> PageResult {
    let objections = d.reviews().objections(&v.actor).await?;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let mut nav = Nav::new(Some(v), "/objections");
    if let Some(f) = flash {
        nav = nav.flash("ok", f);
    }
    let page = ObjectionsPage { nav, csrf: v.csrf.clone(), can_decide: v.may::<RunLedgers>(), objections, error };
    Ok(render(&page, status))
}

/// The queue (office) or the unit's own objections.
pub async fn objections(State(d): State<AppState>, v: Viewer, Query(p): Query<DoneParams>) -> PageResult {
    objections_page(&d, &v, done_text(&p.done), None).await
}

#[derive(Template)]
#[template(path = "objection_new.html")]
struct NewObjectionPage {
    nav: Nav,
    csrf: String,
    fact: FactSummary,
    profile: String,
    period: String,
    reason: String,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewParams {
    fact: String,
    profile: String,
    period: String,
}

async fn new_page(d: &AppState, v: &Viewer, p: &NewParams, reason: String, error: Option<String>) -> PageResult {
    let fact = d.reviews().fact(&v.actor, &p.fact).await?;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = NewObjectionPage {
        nav: Nav::new(Some(v), "/objections"),
        csrf: v.csrf.clone(),
        fact,
        profile: p.profile.clone(),
        period: p.period.clone(),
        reason,
        error,
    };
    Ok(render(&page, status))
}

/// The form for an objection to one line.
pub async fn new_objection(State(d): State<AppState>, v: Viewer, Query(p): Query<NewParams>) -> PageResult {
    new_page(&d, &v, &p, String::new(), None).await
}

/// Files an objection (a multipart form: reason, the line's key, profile and period, and an
/// optional evidence file).
pub async fn file_objection(State(d): State<AppState>, v: Viewer, req: Request) -> PageResult {
    let (file, fields) = super::checked_upload_fields(req, &d, &v, "").await?;
    let evidence = match file {
        Ok(f) => Some(Evidence { name: f.name, content_type: f.content_type, data: f.bytes.to_vec() }),
        Err(e) if fields.get("fact").is_empty() => return Err(e.into()),
        Err(_) => None,
    };
    let input = ObjectionInput {
        fact: fields.get("fact").to_string(),
        profile: fields.get("profile").to_string(),
        period: fields.get("period").to_string(),
        reason: fields.get("reason").to_string(),
    };
    match d.reviews().file_objection(&v.actor, &input, evidence).await {
        Ok(_) => Ok(see_other("/objections?done=filed")),
        Err(e) if shown(&e) && !matches!(e, Error::NotFound { .. }) => {
            let p = NewParams { fact: input.fact, profile: input.profile, period: input.period };
            new_page(&d, &v, &p, input.reason, Some(e.to_string())).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The office decides: `upheld` = `yes` or `no`, and the decision text.
pub async fn decide(State(d): State<AppState>, v: Viewer, Path(id): Path<i64>, Form(form): Form<Fields>) -> PageResult {
    v.check_csrf(form.get("csrf"))?;
    v.require::<RunLedgers>()?;
    let upheld = match form.get("upheld") {
        "yes" => true,
        "no" => false,
        _ => return objections_page(&d, &v, None, Some("请选择申诉是否成立".into())).await,
    };
    match d.reviews().decide(&v.actor, id, upheld, form.get("decision")).await {
        Ok(_) => Ok(see_other("/objections?done=decided")),
        Err(e) if shown(&e) => objections_page(&d, &v, None, Some(e.to_string())).await,
        Err(e) => Err(e.into()),
    }
}

/// An objection's evidence, served as a download of a type browsers do not run.
pub async fn evidence(State(d): State<AppState>, v: Viewer, Path(id): Path<i64>) -> PageResult {
    let e = d.reviews().evidence(&v.actor, id).await?;
    let mut resp = e.data.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(safe_content_type(&e.content_type)));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if let Ok(val) = HeaderValue::from_str(&attachment_disposition(&e.name)) {
        h.insert(header::CONTENT_DISPOSITION, val);
    }
    Ok(resp)
}

// ---- evaluations ----

#[derive(Template)]
#[template(path = "evaluations.html")]
struct EvaluationsPage {
    nav: Nav,
    csrf: String,
    units: Vec<(i64, String)>,
    evaluations: Vec<EvaluationView>,
    today: String,
    error: Option<String>,
}

async fn evaluations_page(d: &AppState, v: &Viewer, flash: Option<&str>, error: Option<String>) -> PageResult {
    let units = d.reviews().evaluable_units(&v.actor).await?.into_iter().map(|(u, n)| (u.0, n)).collect();
    let evaluations = d.reviews().evaluations(&v.actor).await?;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let mut nav = Nav::new(Some(v), "/evaluations");
    if let Some(f) = flash {
        nav = nav.flash("ok", f);
    }
    let today = d.core().now().to_zoned(d.core().policy().timezone()).date().to_string();
    Ok(render(&EvaluationsPage { nav, csrf: v.csrf.clone(), units, evaluations, today, error }, status))
}

pub async fn evaluations(State(d): State<AppState>, v: Viewer, Query(p): Query<DoneParams>) -> PageResult {
    evaluations_page(&d, &v, done_text(&p.done), None).await
}

fn parse_id(s: &str) -> Result<Option<i64>, Error> {
    let s = s.trim().trim_start_matches('#');
    if s.is_empty() {
        return Ok(None);
    }
    s.parse().map(Some).map_err(|_| Error::invalid("task", "任务编号须为数字"))
}

fn parse_day(s: &str) -> Result<Option<jiff::civil::Date>, Error> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse().map(Some).map_err(|_| Error::invalid("day", "日期格式应为 YYYY-MM-DD"))
}

pub async fn evaluate(State(d): State<AppState>, v: Viewer, Form(form): Form<Fields>) -> PageResult {
    v.check_csrf(form.get("csrf"))?;
    let input = (|| -> Result<EvaluationInput, Error> {
        Ok(EvaluationInput {
            unit: form.get("unit").trim().parse().map_err(|_| Error::invalid("unit", "请选择单位"))?,
            task: parse_id(form.get("task"))?,
            day: parse_day(form.get("day"))?,
            score: form.get("score").to_string(),
            comment: form.get("comment").to_string(),
        })
    })();
    let result = match input {
        Ok(i) => d.reviews().evaluate(&v.actor, &i).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(see_other("/evaluations?done=evaluated")),
        Err(e) if shown(&e) => evaluations_page(&d, &v, None, Some(e.to_string())).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn withdraw_evaluation(
    State(d): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<Fields>,
) -> PageResult {
    v.check_csrf(form.get("csrf"))?;
    match d.reviews().withdraw_evaluation(&v.actor, id).await {
        Ok(_) => Ok(see_other("/evaluations?done=withdrawn")),
        Err(e) if shown(&e) => evaluations_page(&d, &v, None, Some(e.to_string())).await,
        Err(e) => Err(e.into()),
    }
}

// ---- document errors ----

#[derive(Template)]
#[template(path = "document_errors.html")]
struct DocumentErrorsPage {
    nav: Nav,
    csrf: String,
    month: String,
    ledger: ErrorLedger,
    units: Vec<(i64, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    today: String,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MonthParams {
    month: String,
    done: String,
}

/// The month asked for (`2026-04`), or this month.
fn month_of(d: &AppState, month: &str) -> Result<Span, Error> {
    let m = month.trim();
    if !m.is_empty() {
        let s = Span::parse(m)?;
        if s.key().len() == 7 {
            return Ok(s);
        }
        return Err(Error::invalid("month", "请按 YYYY-MM 选择月份"));
    }
    let today = d.core().now().to_zoned(d.core().policy().timezone()).date();
    Span::month(today.year(), today.month()).ok_or_else(|| Error::invalid("month", "月份无效"))
}

async fn errors_page(d: &AppState, v: &Viewer, month: &str, flash: Option<&str>, error: Option<String>) -> PageResult {
    v.require::<RunLedgers>()?;
    let span = month_of(d, month)?;
    let ledger = d.reviews().document_errors(&v.actor, &span).await?;
    let units = d.reviews().evaluable_units(&v.actor).await?.into_iter().map(|(u, n)| (u.0, n)).collect();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let mut nav = Nav::new(Some(v), "/document-errors");
    if let Some(f) = flash {
        nav = nav.flash("ok", f);
    }
    let today = d.core().now().to_zoned(d.core().policy().timezone()).date().to_string();
    let page = DocumentErrorsPage {
        nav,
        csrf: v.csrf.clone(),
        month: span.key(),
        ledger,
        units,
        kinds: ErrorKind::ALL.iter().map(|k| (k.code(), k.label())).collect(),
        today,
        error,
    };
    Ok(render(&page, status))
}

pub async fn document_errors(State(d): State<AppState>, v: Viewer, Query(p): Query<MonthParams>) -> PageResult {
    errors_page(&d, &v, &p.month, done_text(&p.done), None).await
}

pub async fn record_error(State(d): State<AppState>, v: Viewer, Form(form): Form<Fields>) -> PageResult {
    v.check_csrf(form.get("csrf"))?;
    v.require::<RunLedgers>()?;
    let input = (|| -> Result<DocumentErrorInput, Error> {
        let count = form.get("count").trim();
        Ok(DocumentErrorInput {
            unit: form.get("unit").trim().parse().map_err(|_| Error::invalid("unit", "请选择单位"))?,
            day: parse_day(form.get("day"))?,
            title: form.get("title").to_string(),
            number: form.get("number").to_string(),
            kind: form.get("kind").to_string(),
            count: if count.is_empty() {
                None
            } else {
                Some(count.parse().map_err(|_| Error::invalid("count", "处数须为整数"))?)
            },
            note: form.get("note").to_string(),
        })
    })();
    let result = match input {
        Ok(i) => d.reviews().record_document_error(&v.actor, &i).await.map(|e| e.day.to_string()),
        Err(e) => Err(e),
    };
    match result {
        Ok(day) => Ok(see_other(&format!("/document-errors?month={}&done=recorded", &day[..7.min(day.len())]))),
        Err(e) if shown(&e) => errors_page(&d, &v, form.get("month"), None, Some(e.to_string())).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn withdraw_error(
    State(d): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<Fields>,
) -> PageResult {
    v.check_csrf(form.get("csrf"))?;
    match d.reviews().withdraw_document_error(&v.actor, id).await {
        Ok(e) => {
            let day = e.day.to_string();
            Ok(see_other(&format!("/document-errors?month={}&done=withdrawn", &day[..7.min(day.len())])))
        }
        Err(e) if shown(&e) => errors_page(&d, &v, form.get("month"), None, Some(e.to_string())).await,
        Err(e) => Err(e.into()),
    }
}

/// The month's ledger as an .xlsx workbook.
pub async fn errors_export(State(d): State<AppState>, v: Viewer, Query(p): Query<MonthParams>) -> PageResult {
    v.require::<RunLedgers>()?;
    let span = month_of(&d, &p.month)?;
    let ledger = d.reviews().document_errors(&v.actor, &span).await?;
    let bytes = document_errors_xlsx(&ledger)?;
    let name = crate::http::percent_encode(&format!("公文错情-{}.xlsx", span.key()));
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename*=UTF-8''{name}")),
        ],
        bytes,
    )
        .into_response())
}
