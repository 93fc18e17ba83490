//! The page handlers: sign-in, ledger (with .xlsx export), task page with its actions and
//! uploads. The desks are in [`super::desks`], the public pages in [`super::polish`].

use super::errors::render;
use super::paging::{Pager, page_size};
use super::rows::{Row, light};
use super::{AppState, CsrfParam, Fields, Nav, Viewer, WebError, see_other};
use crate::http::client::ClientAddr;
use crate::http::cookies::{LOGIN_COOKIE, SESSION_COOKIE, cookie, set_cookie};
use crate::http::list::ListParams;
use crate::http::percent_encode;
use crate::http::status::status_of;
use askama::Template;
use axum::extract::{Form, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use duban_app::actor::Oversee;
use duban_app::core::TaskView;
use duban_app::lifecycle::ActionInput;
use duban_app::queries::{WALK_PAGE, each_page};
use duban_app::sign_in::random_token;
use duban_domain::Error;
use duban_domain::event::EventKind;
use duban_domain::ids::{TaskId, UnitId};
use duban_domain::lifecycle::Action;
use duban_domain::org::Role;
use duban_domain::task::{Light, Party, Source, Status};
use duban_store::{TaskQuery, TaskSort};
use serde::Deserialize;
use std::collections::HashMap;
use std::ops::ControlFlow;

type PageResult = Result<Response, WebError>;

/// Only paths on this site are followed after sign-in: a single leading `/`, no `\\` (which
/// browsers read as `/`), no control characters or white space (browsers drop tabs and line
/// breaks from URLs, so `/\t/evil.example` would become `//evil.example`); anything else goes to
/// the desk.
pub fn safe_next(next: &str) -> &str {
    let same_site = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_control() || c.is_whitespace());
    if same_site { next } else { "/" }
}

// ---- Sign-in ----

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    nav: Nav,
    error: Option<String>,
    next: String,
    username: String,
    token: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NextParam {
    next: String,
}

fn login_page(d: &AppState, next: &str, username: &str, error: Option<String>, status: StatusCode) -> Response {
    let token = random_token();
    let page = LoginPage {
        nav: Nav::new(None, "/login"),
        error,
        next: safe_next(next).to_string(),
        username: username.to_string(),
        token: token.clone(),
    };
    let mut resp = render(&page, status);
    let secure = d.sign_in().web_settings().secure_cookies;
    resp.headers_mut().append(header::SET_COOKIE, set_cookie(LOGIN_COOKIE, &token, 3600, secure));
    resp
}

pub async fn login_form(State(d): State<AppState>, Query(p): Query<NextParam>) -> Response {
    login_page(&d, &p.next, "", None, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    csrf: String,
}

impl std::fmt::Debug for LoginForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginForm").field("username", &self.username).finish_non_exhaustive()
    }
}

pub async fn login(
    State(d): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    if f.csrf.is_empty() || cookie(&headers, LOGIN_COOKIE) != Some(f.csrf.as_str()) {
        return login_page(&d, &f.next, &f.username, Some("登录页面已过期，请重新输入".into()), StatusCode::FORBIDDEN);
    }
    let secure = d.sign_in().web_settings().secure_cookies;
    match d.sign_in().sign_in_from(&f.username, &f.password, client).await {
        Ok(s) => {
            let mut resp = see_other(safe_next(&f.next));
            let age = duban_app::sign_in::SESSION_HOURS * 3600;
            resp.headers_mut().append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, &s.token, age, secure));
            resp.headers_mut().append(header::SET_COOKIE, set_cookie(LOGIN_COOKIE, "", 0, secure));
            resp
        }
        Err(e) => {
            let status = status_of(e.code());
            let mut resp = login_page(&d, &f.next, &f.username, Some(e.to_string()), status);
            if let Error::TooManyAttempts { retry_after_secs } = e {
                resp.headers_mut().insert(header::RETRY_AFTER, retry_after_secs.into());
            }
            resp
        }
    }
}

pub async fn logout(State(d): State<AppState>, v: Viewer, headers: HeaderMap, Form(f): Form<CsrfParam>) -> PageResult {
    v.check_csrf(&f.csrf)?;
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        d.sign_in().sign_out(token).await?;
    }
    let mut resp = see_other("/login");
    resp.headers_mut()
        .append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", 0, d.sign_in().web_settings().secure_cookies));
    Ok(resp)
}

// ---- Desk ----

// ---- Ledger ----

/// The ledger's filter form, as the browser sends it (empty fields mean "any").
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct LedgerFilter {
    pub ledger: String,
    pub unit: String,
    pub leader: String,
    pub status: String,
    pub light: String,
    pub source: String,
    pub deadline_after: String,
    pub deadline_before: String,
    pub q: String,
    /// "true": only tasks whose 督办 notice is not yet answered (督办待回复).
    pub unanswered: String,
    pub sort: String,
    pub page: String,
    /// Lines per page, one of [`super::paging::PAGE_SIZES`].
    pub per_page: String,
}

fn opt_id(field: &str, v: &str) -> Result<Option<i64>, Error> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    v.parse().map(Some).map_err(|_| Error::invalid(field, format!("“{v}”不是有效的编号")))
}

fn non_empty(v: &str) -> Option<String> {
    Some(v.trim().to_string()).filter(|s| !s.is_empty())
}

impl LedgerFilter {
    /// The store query for this filter, scoped to the viewer.
    fn query(&self, d: &AppState, v: &Viewer, per_page: u32) -> Result<TaskQuery, Error> {
        let params = ListParams {
            ledger: opt_id("ledger", &self.ledger)?,
            unit: opt_id("unit", &self.unit)?,
            leader: opt_id("leader", &self.leader)?,
            status: non_empty(&self.status),
            light: non_empty(&self.light),
            source: non_empty(&self.source),
            deadline_after: non_empty(&self.deadline_after),
            deadline_before: non_empty(&self.deadline_before),
            q: non_empty(&self.q),
            unanswered: Some(self.unanswered.trim() == "true"),
            sort: non_empty(&self.sort),
            page: opt_id("page", &self.page)?.map(|p| u32::try_from(p.max(1)).unwrap_or(1)),
            per_page: Some(per_page),
            ..Default::default()
        };
        let mut q = params.parse(&d.core().policy().timezone())?;
        q.audience = Some(d.access().audience(&v.person));
        q.now = d.core().now();
        Ok(q)
    }

    /// The filter as a query string, without the page.
    fn query_string(&self) -> String {
        [
            ("ledger", &self.ledger),
            ("unit", &self.unit),
            ("leader", &self.leader),
            ("status", &self.status),
            ("light", &self.light),
            ("source", &self.source),
            ("deadline_after", &self.deadline_after),
            ("deadline_before", &self.deadline_before),
            ("q", &self.q),
            ("unanswered", &self.unanswered),
            ("sort", &self.sort),
        ]
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", percent_encode(v.trim())))
        .collect::<Vec<_>>()
        .join("&")
    }
}

#[derive(Template)]
#[template(path = "ledger.html")]
struct LedgerPage {
    nav: Nav,
    f: LedgerFilter,
    rows: Vec<Row>,
    total: u64,
    pager: Pager,
    query: String,
    ledgers: Vec<(i64, String)>,
    units: Vec<(i64, String)>,
    leaders: Vec<(i64, String)>,
    statuses: Vec<(&'static str, &'static str)>,
    lights: Vec<(&'static str, &'static str)>,
    sources: Vec<(&'static str, &'static str)>,
    sorts: Vec<(&'static str, &'static str)>,
    /// Whether the viewer may tick tasks to remind them (催办).
    select: bool,
    csrf: String,
}

const PER_PAGE: u32 = 50;

pub async fn ledger(State(d): State<AppState>, v: Viewer, Query(f): Query<LedgerFilter>) -> PageResult {
    ledger_page(&d, &v, f, None, StatusCode::OK).await
}

/// The ledger, with a line saying what an action on it did.
async fn ledger_page(
    d: &AppState,
    v: &Viewer,
    f: LedgerFilter,
    flash: Option<(&'static str, String)>,
    status: StatusCode,
) -> PageResult {
    let names = d.reporting().party_names().await?;
    let mut nav = Nav::new(Some(v), "/tasks");
    if let Some((kind, text)) = flash {
        nav = nav.flash(kind, text);
    }
    let people = d.queries().all_people().await?;
    let per_page = page_size(&f.per_page, PER_PAGE);
    let (rows, total, page) = match f.query(d, v, per_page) {
        Ok(q) => {
            let page = d.tasks().list_tasks(q).await?;
            let leaders: HashMap<_, _> = people.iter().map(|p| (p.id, p.fields.name.clone())).collect();
            let rows = rows_with_progress(d, &page.items, &names, Some(&leaders)).await?;
            (rows, page.total, page.page)
        }
        Err(e) => {
            nav = nav.flash("error", e.to_string());
            (Vec::new(), 0, 1)
        }
    };
    let query = f.query_string();
    let page = LedgerPage {
        nav,
        pager: Pager::new("/tasks", &query, page, per_page, total),
        query,
        rows,
        total,
        ledgers: d.queries().ledgers().await?.into_iter().map(|l| (l.id.0, l.fields.name)).collect(),
        units: d.queries().units().await?.into_iter().map(|u| (u.id.0, u.name)).collect(),
        leaders: people
            .into_iter()
            .filter(|p| p.fields.roles.contains(&Role::Leader))
            .map(|p| (p.id.0, p.fields.name))
            .collect(),
        statuses: Status::ALL.iter().map(|s| (s.code(), s.state_name())).collect(),
        lights: Light::ALL.iter().map(|l| (l.code(), l.label())).collect(),
        sources: Source::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        sorts: vec![("due", "最紧迫"), ("deadline", "完成时限"), ("number", "序号"), ("updated", "最近更新")],
        select: v.may::<Oversee>(),
        csrf: v.csrf.clone(),
        f,
    };
    Ok(render(&page, status))
}

/// The channels a 催办 form chose (`channel` checkboxes).
fn chosen_channels(form: &Fields) -> Result<Vec<duban_domain::supervision::MessageChannel>, Error> {
    let codes: Vec<String> = form.all("channel").map(str::to_string).collect();
    duban_app::supervision::channels(&codes)
}

/// A 催办 from the ledger on the tasks ticked: the ledger again, saying how many were reminded
/// and why any were not.
pub async fn remind_many(
    State(d): State<AppState>,
    v: Viewer,
    Query(f): Query<LedgerFilter>,
    Form(form): Form<Fields>,
) -> PageResult {
    v.check_csrf(form.get("csrf"))?;
    let ids: Vec<TaskId> = form.all("id").filter_map(|i| i.parse().ok()).map(TaskId).collect();
    let result = match chosen_channels(&form) {
        Ok(channels) => d.supervision().remind(&v.actor, &ids, &channels, form.get("text")).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(r) => {
            let mut text = format!(
                "已催办 {} 项任务，发出消息 {} 条。",
                r.reminded.len(),
                r.reminded.iter().map(|t| t.messages).sum::<u32>()
            );
            if !r.refused.is_empty() {
                let why: Vec<String> = r.refused.iter().map(|t| format!("#{}：{}", t.task_id.0, t.message)).collect();
                text.push_str(&format!("{} 项未催办（{}）。", r.refused.len(), why.join("；")));
            }
            let kind = if r.reminded.is_empty() { "error" } else { "ok" };
            ledger_page(&d, &v, f, Some((kind, text)), StatusCode::OK).await
        }
        Err(e @ (Error::Invalid { .. } | Error::Forbidden)) => {
            ledger_page(&d, &v, f, Some(("error", e.to_string())), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A 催办 by hand on one task, from its page.
pub async fn remind(State(d): State<AppState>, v: Viewer, Path(id): Path<i64>, Form(form): Form<Fields>) -> PageResult {
    v.check_csrf(form.get("csrf"))?;
    d.access().visible_task(&v.person, TaskId(id)).await?;
    let result = match chosen_channels(&form) {
        Ok(channels) => d.supervision().remind(&v.actor, &[TaskId(id)], &channels, form.get("text")).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(r) => match (r.reminded.first(), r.refused.first()) {
            (Some(t), _) => Ok(see_other(&format!("/tasks/{id}?done=reminded&n={}", t.messages))),
            (None, Some(refused)) => {
                task_page(&d, &v, TaskId(id), Some(refused.message.clone()), form.get("text").to_string()).await
            }
            (None, None) => Err(Error::Internal.into()),
        },
        Err(e @ (Error::Invalid { .. } | Error::Conflict(_) | Error::Forbidden)) => {
            task_page(&d, &v, TaskId(id), Some(e.to_string()), form.get("text").to_string()).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The rows of a task list with each task's latest progress report (one query for the page)
/// and, when given the people's names, its 分管领导.
pub(super) async fn rows_with_progress(
    d: &AppState,
    tasks: &[TaskView],
    names: &duban_app::reporting::PartyNames,
    leaders: Option<&HashMap<duban_domain::ids::PersonId, String>>,
) -> Result<Vec<Row>, Error> {
    let progress = progress_of(d, tasks).await?;
    Ok(tasks
        .iter()
        .map(|t| {
            let mut r = Row::of(t, names);
            r.progress = progress.get(&t.task.id).cloned().unwrap_or_default();
            if let Some(leaders) = leaders {
                r.leader = t.task.fields.leader_id.and_then(|l| leaders.get(&l).cloned()).unwrap_or_default();
            }
            r
        })
        .collect())
}

/// The latest progress report of each task, by task.
async fn progress_of(d: &AppState, tasks: &[TaskView]) -> Result<HashMap<TaskId, String>, Error> {
    let ids: Vec<TaskId> = tasks.iter().map(|t| t.task.id).collect();
    d.reporting().latest_progress(&ids).await
}

/// The ledger as an .xlsx workbook in the familiar 台账 layout.
pub async fn export(State(d): State<AppState>, v: Viewer, Query(f): Query<LedgerFilter>) -> PageResult {
    let names = d.reporting().party_names().await?;
    let mut q = f.query(&d, &v, WALK_PAGE)?;
    q.sort = TaskSort::Number;
    let mut all = Vec::new();
    each_page(
        q,
        |q| d.tasks().list_tasks(q),
        |items| {
            all.extend(items);
            ControlFlow::Continue(())
        },
    )
    .await?;
    let progress = progress_of(&d, &all).await?;
    let people = d.queries().person_names().await?;
    let today = d.core().now().to_zoned(d.core().policy().timezone()).date();
    let ledger = match opt_id("ledger", &f.ledger)? {
        Some(id) => d.queries().ledgers().await?.into_iter().find(|l| l.id.0 == id).map(|l| l.fields.name),
        None => None,
    }
    .unwrap_or_default();
    let office = v
        .person
        .fields
        .unit_id
        .map(|u| names.parties(&[duban_domain::task::Party::Unit(u)]))
        .unwrap_or_else(|| "督查室".into());
    let heading = duban_app::export::Heading { ledger, office, date: today };
    let bytes = duban_app::export::ledger_xlsx(&heading, &all, &names, &people, &progress)?;
    let title = duban_app::export::title_of(&heading.ledger);
    let name = percent_encode(&format!("{title}-{today}.xlsx"));
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename*=UTF-8''{name}")),
        ],
        bytes,
    )
        .into_response())
}

// ---- Task ----

struct StageLine {
    name: String,
    duration: String,
    due: String,
    state: &'static str,
    light: &'static str,
    light_label: &'static str,
    clause: String,
}

struct ActionForm {
    code: &'static str,
    label: &'static str,
    text: bool,
    text_label: &'static str,
    deadline: bool,
    evidence: bool,
}

struct TimelineLine {
    what: String,
    at: String,
    who: String,
    detail: String,
}

struct TaskFacts {
    id: i64,
    version: i64,
    number: String,
    title: String,
    text: String,
    status: &'static str,
    light: &'static str,
    light_label: &'static str,
    lead: String,
    cooperating: String,
    deadline: String,
    classification: &'static str,
    source: &'static str,
}

#[derive(Template)]
#[template(path = "task.html")]
struct TaskPage {
    nav: Nav,
    t: TaskFacts,
    error: Option<String>,
    draft: String,
    csrf: String,
    stages: Vec<StageLine>,
    milestones: Vec<String>,
    attachments: Vec<duban_store::Attachment>,
    can_upload: bool,
    can_supervise: bool,
    actions: Vec<ActionForm>,
    timeline: Vec<TimelineLine>,
    edit: Option<super::entry::EditBox>,
    /// The office's box for publishing the feedback (partials/task_publication.html).
    publication: Option<super::polish::PublicationBox>,
    notice: super::notice::NoticePanel,
    decomp: super::decompose::Panel,
}

fn action_form(a: Action) -> ActionForm {
    let (text, text_label) = match a {
        Action::Deploy => (true, "工作方案或部署情况"),
        Action::Report => (true, "进展情况"),
        Action::Feedback => (true, "办理结果"),
        Action::Return => (true, "退回原因"),
        Action::HeadReturn => (true, "退回经办人的原因"),
        Action::RequestExtension => (true, "延期理由"),
        Action::RefuseExtension => (true, "不同意的理由"),
        Action::RaiseDispute => (true, "提请裁定的理由及依据（本单位意见，另一方可陈述意见）"),
        Action::Rule => (true, "裁定意见"),
        Action::Suspend => (true, "中止决定"),
        Action::ReportPart => (true, "本单位承担部分的办理情况"),
        Action::StatePosition => (true, "本单位意见及依据"),
        Action::Contact => (true, "联系情况（何时、以何种方式与企业哪位联系人取得联系）"),
        Action::Resolve => (true, "解决或服务确认情况"),
        _ => (false, ""),
    };
    ActionForm {
        code: a.code(),
        label: a.label(),
        text,
        text_label,
        deadline: matches!(a, Action::RequestExtension | Action::ApproveExtension),
        evidence: a == Action::Feedback,
    }
}

/// The Chinese name of a trail event's kind (the code itself for a kind this version does not know).
fn event_label(kind: &str) -> String {
    kind.parse::<EventKind>().map(|k| k.label().to_string()).unwrap_or_else(|_| kind.to_string())
}

/// The task page, for a viewer who may see the task; 404 otherwise, so that its existence does
/// not leak.
async fn task_page(d: &AppState, v: &Viewer, id: TaskId, error: Option<String>, draft: String) -> PageResult {
    task_page_with(d, v, id, error, draft, None, Default::default()).await
}

/// The task page after a refused decomposition form, with what was typed.
pub(super) async fn task_page_keeping(
    d: &AppState,
    v: &Viewer,
    id: TaskId,
    error: String,
    kept: super::decompose::Kept,
) -> PageResult {
    task_page_with(d, v, id, Some(error), String::new(), None, kept).await
}

async fn task_page_with(
    d: &AppState,
    v: &Viewer,
    id: TaskId,
    error: Option<String>,
    draft: String,
    done: Option<String>,
    kept: super::decompose::Kept,
) -> PageResult {
    task_page_full(d, v, id, Carried { error, draft, done, decomp: kept, ..Carried::default() }).await
}

/// The task page after a refused 督办 form, with what the office chose in it.
pub(super) async fn task_page_drafted(
    d: &AppState,
    v: &Viewer,
    id: TaskId,
    error: Option<String>,
    notice: Option<super::notice::NoticeDraft>,
) -> PageResult {
    task_page_full(d, v, id, Carried { error, notice, ..Carried::default() }).await
}

/// What a task page shown again carries: a refusal or a success message, and what was typed in
/// the form it answers (an action's text, the 督办 form's choices, the split and ruling forms).
#[derive(Default)]
struct Carried {
    error: Option<String>,
    draft: String,
    done: Option<String>,
    notice: Option<super::notice::NoticeDraft>,
    decomp: super::decompose::Kept,
}

async fn task_page_full(d: &AppState, v: &Viewer, id: TaskId, carried: Carried) -> PageResult {
    let Carried { error, draft, done, notice: notice_draft, decomp: kept } = carried;
    let task = d.access().visible_task(&v.person, id).await?;
    let tz = d.core().policy().timezone();
    let names = d.reporting().party_names().await?;
    let view = d.core().view(task, d.core().now(), true);
    let f = &view.task.fields;
    let (l, ll) = light(view.light);
    let t = TaskFacts {
        id: view.task.id.0,
        version: view.task.version,
        number: f.number.clone(),
        title: f.title.clone(),
        text: f.text.clone(),
        status: view.state,
        light: l,
        light_label: ll,
        lead: names.parties(&f.lead),
        cooperating: names.parties(&f.cooperating),
        deadline: match (view.deadline_in_force, view.deadline_from_rules) {
            (Some(d), false) => d.to_string(),
            (Some(d), true) => format!("{d}（未定完成时限，按规则计算）"),
            (None, _) => "未定".into(),
        },
        classification: f.classification.label(),
        source: f.source.label(),
    };
    let stages = view
        .stages
        .iter()
        .flatten()
        .map(|s| {
            let (light, light_label) = light(s.light);
            StageLine {
                name: s.stage.name.clone(),
                duration: s.duration_text.clone(),
                due: s.stage.due.map(|d| d.to_string()).unwrap_or_else(|| s.stage.problem.clone().unwrap_or_default()),
                state: match s.state {
                    duban_domain::schedule::StageState::Waiting => "未开始",
                    duban_domain::schedule::StageState::Open => "进行中",
                    duban_domain::schedule::StageState::Met => "按时完成",
                    duban_domain::schedule::StageState::Late => "逾期完成",
                },
                light,
                light_label,
                clause: duban_domain::citation::cite(&s.stage.clause),
            }
        })
        .collect();
    let milestones = f.milestones.iter().map(|m| format!("{} {}", m.due, m.text)).collect();
    // The ruling has its own form, with unit pickers (the decomposition panel).
    let actions = d
        .lifecycle()
        .available_actions(id, v.person.id)
        .await?
        .into_iter()
        .filter(|a| a.action != Action::Rule)
        .map(|a| action_form(a.action))
        .collect();
    let decomp = super::decompose::panel(d, v, &view.task, t.deadline.clone(), kept).await?;
    let people = d.queries().person_names().await?;
    let timeline = d
        .queries()
        .task_events(id)
        .await?
        .into_iter()
        .map(|e| TimelineLine {
            what: event_label(&e.kind),
            at: e.at.to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M").to_string(),
            who: e.actor_id.and_then(|p| people.get(&p).cloned()).unwrap_or_else(|| "系统".into()),
            detail: super::entry::with_changes(
                ["text", "number", "name", "new_deadline"]
                    .iter()
                    .filter_map(|k| e.data.get(*k).and_then(|v| v.as_str()).filter(|s| !s.is_empty()))
                    .collect::<Vec<_>>()
                    .join(" "),
                &e.kind,
                &e.data,
                &names,
                &people,
            ),
        })
        .collect();
    let attachments = d.queries().attachments(id).await?;
    let edit = super::entry::edit_box(d, v, &view.task).await?;
    let publication = super::polish::publication_box(d, v, &view).await?;
    let can_upload = view.task.status.is_open();
    let can_supervise = can_upload && v.may::<Oversee>();
    let notice = super::notice::panel(d, v, &view.task, can_supervise, notice_draft.as_ref()).await?;
    let mut nav = Nav::new(Some(v), "/tasks");
    if let Some(text) = done {
        nav = nav.flash("ok", text);
    }
    let page = TaskPage {
        nav,
        t,
        error: error.clone(),
        draft,
        csrf: v.csrf.clone(),
        stages,
        milestones,
        attachments,
        can_upload,
        can_supervise,
        actions,
        timeline,
        edit,
        publication,
        notice,
        decomp,
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(render(&page, status))
}

/// What the task page says after an action succeeded (`?done=`): fixed texts only, never
/// anything from the address but a count.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Done {
    done: String,
    n: String,
    number: String,
}

impl Done {
    fn text(&self) -> Option<String> {
        let n: u32 = self.n.parse().unwrap_or(0);
        match self.done.as_str() {
            "reminded" => Some(format!("已催办：已向牵头单位发出 {n} 条消息，并记入全过程记录。")),
            "split" => Some(format!("已分解为 {n} 项子任务并交办，已记入全过程记录。")),
            "ruled" => Some("已裁定：任务已交由裁定的牵头单位重新签收办理，并记入全过程记录。".into()),
            "supervised" => {
                let number =
                    self.number.chars().filter(|c| c.is_ascii_digit() || "督〔〕号".contains(*c)).collect::<String>();
                Some(format!("已发出督办单 {number}，并记入全过程记录。"))
            }
            "feedback_published" => Some("已同意公开办理结果，公开清单中可见，并记入全过程记录。".into()),
            "feedback_withheld" => Some("已撤回公开的办理结果，并记入全过程记录。".into()),
            "created" => Some("已新建任务，已交办牵头单位。".into()),
            "edit" => Some("已保存修改，原因已记入全过程记录。".into()),
            "reassign" => Some("已改派牵头单位，原因已记入全过程记录。".into()),
            "withdraw" => Some("已撤销任务，原因已记入全过程记录。".into()),
            // An action of the lifecycle, by its code (签收, 报告进展, 反馈办结 …).
            other => {
                let action: duban_domain::lifecycle::Action = other.parse().ok()?;
                Some(format!("已完成“{}”，并记入全过程记录。", action.label()))
            }
        }
    }
}

pub async fn task(State(d): State<AppState>, v: Viewer, Path(id): Path<i64>, Query(done): Query<Done>) -> PageResult {
    task_page_with(&d, &v, TaskId(id), None, String::new(), done.text(), Default::default()).await
}

pub async fn act(State(d): State<AppState>, v: Viewer, Path(id): Path<i64>, Form(form): Form<Fields>) -> PageResult {
    let get = |k: &str| form.get(k).to_string();
    v.check_csrf(form.get("csrf"))?;
    d.access().visible_task(&v.person, TaskId(id)).await?;
    let evidence = form.all("evidence").filter_map(|v| v.parse().ok()).collect();
    let lead: Vec<Party> = form.all("lead").filter_map(|v| v.parse().ok()).map(|u| Party::Unit(UnitId(u))).collect();
    let input = ActionInput {
        action: get("action"),
        actor: Some(v.person.id.0),
        version: get("version").parse().ok(),
        text: get("text"),
        evidence,
        new_deadline: non_empty(&get("new_deadline")),
        lead: (!lead.is_empty()).then_some(lead),
        cooperating: None,
    };
    match d.lifecycle().act(TaskId(id), input).await {
        Ok(_) => Ok(see_other(&format!("/tasks/{id}?done={}", percent_encode(&get("action"))))),
        Err(e @ (Error::Invalid { .. } | Error::Conflict(_) | Error::VersionConflict { .. } | Error::Forbidden)) => {
            task_page(&d, &v, TaskId(id), Some(e.to_string()), get("text")).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn upload(State(d): State<AppState>, v: Viewer, Path(id): Path<i64>, req: Request) -> PageResult {
    // The token travels in the form's body (never the URL); a form without it does nothing.
    let file = super::checked_upload(req, &d, &v, "请选择要上传的文件").await?;
    d.access().visible_task(&v.person, TaskId(id)).await?;
    let result = match file {
        Ok(file) => {
            d.lifecycle()
                .attach(TaskId(id), &file.name, &file.content_type, file.bytes.to_vec(), Some(v.person.id))
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/tasks/{id}"))),
        Err(e @ Error::Invalid { .. }) => task_page(&d, &v, TaskId(id), Some(e.to_string()), String::new()).await,
        Err(e) => Err(e.into()),
    }
}
