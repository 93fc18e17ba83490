//! The pages of enterprise demands (企业诉求, "企业吹哨、部门报到", 001 §13; issue 14 §5):
//!
//! - `/demands`: the list (filters: status or 待分派, light, channel, kind, unit; paging) with each
//!   demand's lead unit, light and the due time of its open stage; `/demands/queue`: the office's
//!   queue of online demands waiting for their lead unit, each with an assign (分派) form;
//!   `/demands/new`: the office records a demand from a hotline or a 项目服务日 with its lead unit
//!   (the query code is shown once on the answer).
//! - `/demands/{id}`: the demand, its task (the 联系企业 / 解决或确认 actions are on the task's
//!   page), the clock of each stage (1 / 3 / 30 working days from the rules in force), the
//!   return visit (the office's form) and the enterprise's rating.
//! - `/public/demands/new`, `/public/demands/{code}`: without an account, an enterprise submits a
//!   demand and gets its query code once, then follows its progress and rates the handling. The
//!   forms carry a token matched with a cookie, as the sign-in form does; the answers are
//!   limited per client address.

use super::errors::render;
use super::{AppState, Nav, Viewer, WebError, see_other};
use crate::http::client::ClientAddr;
use crate::http::cookies::{cookie, set_cookie};
use crate::http::session::csrf_equal;
use crate::http::status::status_of;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use duban_app::actor::RunLedgers;
use duban_app::demands::{
    AssignInput, DemandFilter, DemandView, PublicDemand, RaiseInput, RatingInput, ReturnVisitInput,
};
use duban_app::sign_in::random_token;
use duban_domain::Error;
use duban_domain::demand::{Channel, DemandInput, DemandKind, PublicDemandInput, Satisfaction};
use duban_domain::ids::UnitId;
use duban_domain::org::Unit;
use duban_domain::task::{Light, Party, Status};
use jiff::Timestamp;
use serde::Deserialize;
use std::collections::HashMap;

type PageResult = Result<Response, WebError>;

/// The cookie the public forms' token is matched with.
const PUBLIC_COOKIE: &str = "duban_public_form";

fn shown(e: &Error) -> bool {
    matches!(e, Error::Invalid { .. } | Error::Conflict(_) | Error::Forbidden | Error::NotFound { .. })
}

fn local(d: &AppState, t: Timestamp) -> String {
    t.to_zoned(d.core().policy().timezone()).strftime("%Y-%m-%d %H:%M").to_string()
}

fn opt(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// One option of a select: (code, label).
type Choice = (&'static str, &'static str);

fn channels(office: bool) -> Vec<Choice> {
    Channel::ALL.iter().filter(|c| !office || **c != Channel::Online).map(|c| (c.code(), c.label())).collect()
}

fn kinds() -> Vec<Choice> {
    DemandKind::ALL.iter().map(|k| (k.code(), k.label())).collect()
}

fn satisfactions() -> Vec<Choice> {
    Satisfaction::ALL.iter().map(|s| (s.code(), s.label())).collect()
}

/// A row of the list.
struct Row {
    id: i64,
    title: String,
    enterprise: String,
    channel: &'static str,
    kind: &'static str,
    submitted: String,
    lead: String,
    state: &'static str,
    light: &'static str,
    due: String,
}

fn lead_names(view: &DemandView, units: &HashMap<UnitId, String>) -> String {
    let Some(t) = &view.task else { return String::new() };
    t.task
        .fields
        .lead
        .iter()
        .map(|p| match p {
            Party::Unit(u) => units.get(u).cloned().unwrap_or_else(|| format!("单位 {u}")),
            Party::Group(g) => format!("单位组 {g}"),
        })
        .collect::<Vec<_>>()
        .join("、")
}

fn row(d: &AppState, v: &DemandView, units: &HashMap<UnitId, String>) -> Row {
    let dm = &v.demand;
    Row {
        id: dm.id,
        title: dm.title.clone(),
        enterprise: dm.enterprise_name.clone(),
        channel: dm.channel.label(),
        kind: dm.kind.label(),
        submitted: local(d, dm.submitted_at),
        lead: lead_names(v, units),
        state: v.task.as_ref().map_or("待分派", |t| t.state),
        light: v.task.as_ref().and_then(|t| t.light).map_or("", |l| l.code()),
        due: v.task.as_ref().and_then(|t| t.due_at).map(|t| local(d, t)).unwrap_or_default(),
    }
}

async fn unit_names(d: &AppState) -> Result<(Vec<Unit>, HashMap<UnitId, String>), WebError> {
    let units = d.queries().units().await?;
    let names = units.iter().map(|u| (u.id, u.name.clone())).collect();
    Ok((units, names))
}

#[derive(Template)]
#[template(path = "demands.html")]
struct ListPage {
    nav: Nav,
    tab: &'static str,
    office: bool,
    rows: Vec<Row>,
    total: u64,
    queued: usize,
    pager: super::paging::Pager,
    f: FilterEcho,
    statuses: Vec<Choice>,
    lights: Vec<Choice>,
    channels: Vec<Choice>,
    kinds: Vec<Choice>,
    units: Vec<Unit>,
}

/// The filters as the form shows them again.
#[derive(Default)]
struct FilterEcho {
    status: String,
    light: String,
    channel: String,
    kind: String,
    unit: i64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListParams {
    status: String,
    light: String,
    channel: String,
    kind: String,
    unit: String,
    page: String,
}

/// The list of demands.
pub async fn list(State(d): State<AppState>, v: Viewer, Query(p): Query<ListParams>) -> PageResult {
    let unit = p.unit.trim().parse::<i64>().ok();
    let page_no = crate::http::list::page_number(&p.page);
    let filter = DemandFilter {
        status: opt(&p.status),
        light: opt(&p.light),
        channel: opt(&p.channel),
        kind: opt(&p.kind),
        unit,
        page: Some(page_no),
        per_page: Some(20),
    };
    let page = d.demands().list(&v.actor, &filter).await?;
    let (units, names) = unit_names(&d).await?;
    let office = v.may::<RunLedgers>();
    let queued = if office { d.demands().queue(&v.actor).await?.len() } else { 0 };
    let query = format!(
        "status={}&light={}&channel={}&kind={}&unit={}",
        p.status.trim(),
        p.light.trim(),
        p.channel.trim(),
        p.kind.trim(),
        unit.map(|u| u.to_string()).unwrap_or_default()
    );
    let mut statuses: Vec<Choice> = vec![("queued", "待分派")];
    statuses.extend(
        [Status::Assigned, Status::Signed, Status::InProgress, Status::Feedback, Status::Closed]
            .iter()
            .map(|s| (s.code(), s.state_name())),
    );
    let page = ListPage {
        nav: Nav::new(Some(&v), "/enterprises"),
        tab: "demands",
        office,
        rows: page.items.iter().map(|r| row(&d, r, &names)).collect(),
        total: page.total,
        queued,
        pager: super::paging::Pager::new("/demands", &query, page.page, page.per_page, page.total),
        f: FilterEcho {
            status: p.status.trim().into(),
            light: p.light.trim().into(),
            channel: p.channel.trim().into(),
            kind: p.kind.trim().into(),
            unit: unit.unwrap_or(0),
        },
        statuses,
        lights: Light::ALL.iter().map(|l| (l.code(), l.label())).collect(),
        channels: channels(false),
        kinds: kinds(),
        units,
    };
    Ok(render(&page, StatusCode::OK))
}

#[derive(Template)]
#[template(path = "demand_queue.html")]
struct QueuePage {
    nav: Nav,
    tab: &'static str,
    csrf: String,
    rows: Vec<QueueRow>,
    units: Vec<Unit>,
    error: Option<String>,
}

struct QueueRow {
    id: i64,
    title: String,
    enterprise: String,
    credit_code: String,
    contact: String,
    kind: &'static str,
    text: String,
    submitted: String,
    /// How long it has waited, in hours.
    waited_hours: i64,
}

async fn queue_page(d: &AppState, v: &Viewer, flash: Option<&str>, error: Option<String>) -> PageResult {
    let now = d.core().now();
    let rows = d
        .demands()
        .queue(&v.actor)
        .await?
        .into_iter()
        .map(|q| QueueRow {
            id: q.id,
            title: q.title,
            enterprise: q.enterprise_name,
            credit_code: q.credit_code.map(|c| c.to_string()).unwrap_or_default(),
            contact: format!("{} {}", q.contact_name, q.contact_phone),
            kind: q.kind.label(),
            text: q.text,
            submitted: local(d, q.submitted_at),
            waited_hours: now.duration_since(q.submitted_at).as_hours(),
        })
        .collect();
    let mut nav = Nav::new(Some(v), "/enterprises");
    if let Some(f) = flash {
        nav = nav.flash("ok", f);
    }
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = QueuePage { nav, tab: "demands", csrf: v.csrf.clone(), rows, units: d.queries().units().await?, error };
    Ok(render(&page, status))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DoneParams {
    done: String,
}

/// The office's queue of online demands to assign.
pub async fn queue(State(d): State<AppState>, v: Viewer, Query(p): Query<DoneParams>) -> PageResult {
    v.require::<RunLedgers>()?;
    queue_page(&d, &v, (p.done == "assigned").then_some("已分派，承办单位须在1个工作日内联系企业。"), None).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AssignForm {
    csrf: String,
    unit: String,
    hard: String,
}

fn assign_input(unit: &str, hard: &str) -> Result<AssignInput, Error> {
    let unit = unit.trim().parse::<i64>().map_err(|_| Error::invalid("lead", "请选择牵头承办单位"))?;
    Ok(AssignInput { lead: vec![Party::Unit(UnitId(unit))], hard: !hard.is_empty(), responsible_person_id: None })
}

/// 分派: the office names a queued demand's lead unit.
pub async fn assign(
    State(d): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<AssignForm>,
) -> PageResult {
    v.check_csrf(&f.csrf)?;
    let done = match assign_input(&f.unit, &f.hard) {
        Ok(input) => d.demands().assign(&v.actor, id, input).await,
        Err(e) => Err(e),
    };
    match done {
        Ok(_) => Ok(see_other("/demands/queue?done=assigned")),
        Err(e) if shown(&e) => queue_page(&d, &v, None, Some(e.to_string())).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "demand_new.html")]
struct NewPage {
    nav: Nav,
    tab: &'static str,
    csrf: String,
    channels: Vec<Choice>,
    kinds: Vec<Choice>,
    units: Vec<Unit>,
    error: Option<String>,
    /// After recording: the demand's number and its code, shown once.
    recorded: Option<(i64, String)>,
}

async fn new_page(d: &AppState, v: &Viewer, error: Option<String>, recorded: Option<(i64, String)>) -> PageResult {
    v.require::<RunLedgers>()?;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = NewPage {
        nav: Nav::new(Some(v), "/enterprises"),
        tab: "demands",
        csrf: v.csrf.clone(),
        channels: channels(true),
        kinds: kinds(),
        units: d.queries().units().await?,
        error,
        recorded,
    };
    Ok(render(&page, status))
}

/// The office's intake form.
pub async fn new_form(State(d): State<AppState>, v: Viewer) -> PageResult {
    new_page(&d, &v, None, None).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RaiseForm {
    csrf: String,
    enterprise_name: String,
    credit_code: String,
    contact_name: String,
    contact_phone: String,
    channel: String,
    kind: String,
    title: String,
    text: String,
    reference: String,
    unit: String,
    hard: String,
}

/// The office records a demand with its lead unit; the answer shows its query code once.
pub async fn raise(State(d): State<AppState>, v: Viewer, Form(f): Form<RaiseForm>) -> PageResult {
    v.check_csrf(&f.csrf)?;
    let done = match assign_input(&f.unit, &f.hard) {
        Ok(assign) => {
            let demand = DemandInput {
                enterprise_id: None,
                enterprise_name: f.enterprise_name,
                credit_code: f.credit_code,
                contact_name: f.contact_name,
                contact_phone: f.contact_phone,
                channel: f.channel,
                kind: f.kind,
                title: f.title,
                text: f.text,
                reference: f.reference,
            };
            d.demands().raise(&v.actor, RaiseInput { demand, assign }).await
        }
        Err(e) => Err(e),
    };
    match done {
        Ok((r, _)) => new_page(&d, &v, None, Some((r.demand.id, r.code))).await,
        Err(e) if shown(&e) => new_page(&d, &v, Some(e.to_string()), None).await,
        Err(e) => Err(e.into()),
    }
}

/// A stage of the demand's clock as the detail page shows it.
struct StageRow {
    name: String,
    rule: String,
    clause: String,
    duration: String,
    due: String,
    stopped: String,
    state: &'static str,
    light: &'static str,
}

#[derive(Template)]
#[template(path = "demand.html")]
struct DetailPage {
    nav: Nav,
    tab: &'static str,
    csrf: String,
    office: bool,
    id: i64,
    title: String,
    enterprise: String,
    enterprise_id: Option<i64>,
    credit_code: String,
    contact: String,
    channel: &'static str,
    kind: &'static str,
    reference: String,
    text: String,
    submitted: String,
    assigned: String,
    task_id: Option<i64>,
    task_state: &'static str,
    lead: String,
    stages: Vec<StageRow>,
    resolved: bool,
    visit: Option<(String, String, String)>,
    rating: Option<(String, String, String)>,
    satisfactions: Vec<Choice>,
    error: Option<String>,
}

async fn detail_page(d: &AppState, v: &Viewer, id: i64, flash: Option<&str>, error: Option<String>) -> PageResult {
    let view = d.demands().detail(&v.actor, id).await?;
    let (_, names) = unit_names(d).await?;
    let dm = &view.demand;
    let stages = view
        .task
        .as_ref()
        .and_then(|t| t.stages.as_ref())
        .map(|stages| {
            stages
                .iter()
                .map(|s| StageRow {
                    name: s.stage.name.clone(),
                    rule: s.stage.rule_id.clone(),
                    clause: s.stage.clause.clone(),
                    duration: s.duration_text.clone(),
                    due: s.stage.due_at.map(|t| local(d, t)).unwrap_or_default(),
                    stopped: s.stage.stopped_at.map(|t| local(d, t)).unwrap_or_default(),
                    state: stage_state(s.state),
                    light: s.light.map_or("", |l| l.code()),
                })
                .collect()
        })
        .unwrap_or_default();
    let resolved = view.task.as_ref().is_some_and(|t| {
        t.task.events.contains_key(&duban_domain::facts::ClockEvent::Resolved) || t.task.status == Status::Closed
    });
    let mut nav = Nav::new(Some(v), "/enterprises");
    if let Some(f) = flash {
        nav = nav.flash("ok", f);
    }
    let page = DetailPage {
        nav,
        tab: "demands",
        csrf: v.csrf.clone(),
        office: v.may::<RunLedgers>(),
        id: dm.id,
        title: dm.title.clone(),
        enterprise: dm.enterprise_name.clone(),
        enterprise_id: dm.enterprise_id.map(|e| e.0),
        credit_code: dm.credit_code.as_ref().map(|c| c.to_string()).unwrap_or_default(),
        contact: format!("{} {}", dm.contact_name, dm.contact_phone),
        channel: dm.channel.label(),
        kind: dm.kind.label(),
        reference: dm.reference.clone(),
        text: dm.text.clone(),
        submitted: local(d, dm.submitted_at),
        assigned: dm.assigned_at.map(|t| local(d, t)).unwrap_or_default(),
        task_id: dm.task_id.map(|t| t.0),
        task_state: view.task.as_ref().map_or("待分派", |t| t.state),
        lead: lead_names(&view, &names),
        stages,
        resolved,
        visit: dm.return_visit.as_ref().map(|r| {
            (r.text.clone(), r.satisfaction.map(|s| s.label()).unwrap_or("未表态").to_string(), local(d, r.at))
        }),
        rating: dm.rating.as_ref().map(|r| (r.satisfaction.label().to_string(), r.comment.clone(), local(d, r.at))),
        satisfactions: satisfactions(),
        error,
    };
    let status = if page.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(render(&page, status))
}

fn stage_state(s: duban_domain::schedule::StageState) -> &'static str {
    use duban_domain::schedule::StageState as S;
    match s {
        S::Waiting => "未开始",
        S::Open => "计时中",
        S::Met => "按时完成",
        S::Late => "逾期完成",
    }
}

/// One demand with its clock.
pub async fn detail(
    State(d): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(p): Query<DoneParams>,
) -> PageResult {
    detail_page(&d, &v, id, (p.done == "visited").then_some("已记录回访。"), None).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VisitForm {
    csrf: String,
    text: String,
    satisfaction: String,
}

/// 回访: the office records its return visit.
pub async fn return_visit(
    State(d): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<VisitForm>,
) -> PageResult {
    v.check_csrf(&f.csrf)?;
    let input = ReturnVisitInput { text: f.text, satisfaction: opt(&f.satisfaction) };
    match d.demands().return_visit(&v.actor, id, input).await {
        Ok(_) => Ok(see_other(&format!("/demands/{id}?done=visited"))),
        Err(e) if shown(&e) => detail_page(&d, &v, id, None, Some(e.to_string())).await,
        Err(e) => Err(e.into()),
    }
}

// ---- public, without an account ----

/// A public page with a fresh form token, set as a cookie the form's post must match.
fn with_token(d: &AppState, html: Response, token: &str) -> Response {
    let mut resp = html;
    let secure = d.sign_in().web_settings().secure_cookies;
    resp.headers_mut().append(header::SET_COOKIE, set_cookie(PUBLIC_COOKIE, token, 3600, secure));
    resp
}

fn token_ok(headers: &HeaderMap, given: &str) -> bool {
    !given.is_empty() && cookie(headers, PUBLIC_COOKIE).is_some_and(|c| csrf_equal(given, c))
}

#[derive(Template)]
#[template(path = "public_demand_new.html")]
struct PublicNewPage {
    nav: Nav,
    token: String,
    kinds: Vec<Choice>,
    form: PublicForm,
    error: Option<String>,
    /// After submitting: the code, shown once.
    code: Option<String>,
    text_max: usize,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PublicForm {
    csrf: String,
    enterprise_name: String,
    credit_code: String,
    contact_name: String,
    contact_phone: String,
    kind: String,
    text: String,
}

fn public_new_page(
    d: &AppState,
    form: PublicForm,
    error: Option<String>,
    code: Option<String>,
    status: StatusCode,
) -> Response {
    let token = random_token();
    let page = PublicNewPage {
        nav: Nav::new(None, "/public"),
        token: token.clone(),
        kinds: kinds(),
        form,
        error,
        code,
        text_max: duban_domain::demand::INTAKE.text_chars,
    };
    let mut resp = with_token(d, render(&page, status), &token);
    resp.headers_mut().insert(header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    resp
}

/// The public form.
pub async fn public_new(State(d): State<AppState>) -> Response {
    public_new_page(&d, PublicForm::default(), None, None, StatusCode::OK)
}

/// An enterprise submits a demand; the answer shows its query code once.
pub async fn public_submit(
    State(d): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Form(f): Form<PublicForm>,
) -> Response {
    if !token_ok(&headers, &f.csrf) {
        return public_new_page(&d, f, Some("页面已过期，请重新提交".into()), None, StatusCode::FORBIDDEN);
    }
    let input = PublicDemandInput {
        enterprise_name: f.enterprise_name.clone(),
        credit_code: f.credit_code.clone(),
        contact_name: f.contact_name.clone(),
        contact_phone: f.contact_phone.clone(),
        kind: f.kind.clone(),
        title: String::new(),
        text: f.text.clone(),
    };
    match d.demands().submit_public(client, input).await {
        Ok(r) => public_new_page(&d, PublicForm::default(), None, Some(r.code), StatusCode::CREATED),
        Err(e) => {
            let status = status_of(e.code());
            let mut resp = public_new_page(&d, f, Some(e.to_string()), None, status);
            if let Error::TooManyRequests { retry_after_secs } = e {
                resp.headers_mut().insert(header::RETRY_AFTER, retry_after_secs.into());
            }
            resp
        }
    }
}

#[derive(Template)]
#[template(path = "public_demand.html")]
struct PublicPage {
    nav: Nav,
    token: String,
    code: String,
    demand: PublicDemand,
    steps: Vec<(String, &'static str)>,
    satisfactions: Vec<Choice>,
    error: Option<String>,
    rated: bool,
}

#[derive(Template)]
#[template(path = "public_demand_missing.html")]
struct MissingPage {
    nav: Nav,
    message: String,
}

fn public_error(e: Error) -> Response {
    let status = status_of(e.code());
    let message = match &e {
        Error::NotFound { .. } => "查询码有误或诉求不存在，请核对后重试。".to_string(),
        other => other.to_string(),
    };
    let mut resp = render(&MissingPage { nav: Nav::new(None, "/public"), message }, status);
    if let Error::TooManyRequests { retry_after_secs } = e {
        resp.headers_mut().insert(header::RETRY_AFTER, retry_after_secs.into());
    }
    resp
}

fn public_page(d: &AppState, code: &str, demand: PublicDemand, error: Option<String>, rated: bool) -> Response {
    let token = random_token();
    let steps = demand.steps.iter().map(|s| (local(d, s.at), s.text)).collect();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = PublicPage {
        nav: Nav::new(None, "/public"),
        token: token.clone(),
        code: code.to_string(),
        demand,
        steps,
        satisfactions: satisfactions(),
        error,
        rated,
    };
    let mut resp = with_token(d, render(&page, status), &token);
    resp.headers_mut().insert(header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    resp.headers_mut().insert("referrer-policy", axum::http::HeaderValue::from_static("no-referrer"));
    resp
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LookupParams {
    code: String,
}

/// The look-up form's answer: on to the demand's page.
pub async fn public_lookup(Query(p): Query<LookupParams>) -> Response {
    let code: String = p.code.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(64).collect();
    if code.is_empty() {
        return see_other("/public/demands/new");
    }
    see_other(&format!("/public/demands/{code}"))
}

/// The demand's progress, by its query code.
pub async fn public_show(
    State(d): State<AppState>,
    ClientAddr(client): ClientAddr,
    Path(code): Path<String>,
) -> Response {
    match d.demands().public_view(client, &code).await {
        Ok(demand) => public_page(&d, &code, demand, None, false),
        Err(e) => public_error(e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RateForm {
    csrf: String,
    satisfaction: String,
    comment: String,
}

/// The enterprise rates the handling.
pub async fn public_rate(
    State(d): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Path(code): Path<String>,
    Form(f): Form<RateForm>,
) -> Response {
    if !token_ok(&headers, &f.csrf) {
        return match d.demands().public_view(client, &code).await {
            Ok(demand) => {
                let mut r = public_page(&d, &code, demand, Some("页面已过期，请重新提交".into()), false);
                *r.status_mut() = StatusCode::FORBIDDEN;
                r
            }
            Err(e) => public_error(e),
        };
    }
    let input = RatingInput { satisfaction: f.satisfaction, comment: f.comment };
    match d.demands().rate(client, &code, input).await {
        Ok(demand) => public_page(&d, &code, demand, None, true),
        Err(e @ (Error::Invalid { .. } | Error::Conflict(_))) => match d.demands().public_view(client, &code).await {
            Ok(demand) => public_page(&d, &code, demand, Some(e.to_string()), false),
            Err(e) => public_error(e),
        },
        Err(e) => public_error(e),
    }
}
