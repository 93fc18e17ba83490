//! The pages of liaison (包联走访, issue 14 §2) and project stewards (项目管家, §3), one set of
//! handlers for both (the kind is the route's):
//!
//! - `/liaison`: coverage (全覆盖), the enterprises without a liaison (a page of them, each with a
//!   「设置」 link that fills the form), this quarter's visits per liaison and per unit, a page of
//!   the assignments (50, searchable by name) with their quarter's task; the office's assign
//!   form and end buttons.
//! - `/stewards`: a page of the flags (no steward where one is required, a rank below the
//!   investment tier; a missing one links to the form), a page of the stewards with this month's
//!   task; the office's form with the rank (职级).
//!
//! The form names its enterprise (project) as text — a 统一社会信用代码 or a name, resolved by
//! [`Liaison::resolve_enterprise`](duban_app::liaison::Liaison::resolve_enterprise) — or, filled
//! from a link (`?target=enterprise:ID`, `project:ID`), by a hidden id: no list of every
//! enterprise is ever sent.
//! - `/liaison/{id}`, `/stewards/{id}`: one assignment, its visits (on-site records) with their
//!   problems and the demand each became, and the form that records one (the assigned person or
//!   the office), which completes the period's task.

use super::errors::render;
use super::paging::{Pager, page_size};
use super::{AppState, Fields, Nav, Viewer, WebError, see_other, urlencoded};
use crate::http::list::page_number;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use duban_app::actor::RunLedgers;
use duban_app::liaison::{AssignmentFilter, AssignmentRow, Coverage, FlagRow, GAP_PAGE, PageParams};
use duban_domain::Error;
use duban_domain::ids::{EnterpriseId, ProjectId};
use duban_domain::liaison::{AssignmentInput, Rank, ServiceKind, Target, Visit, VisitInput};
use serde::Deserialize;

type PageResult = Result<Response, WebError>;

fn shown(e: &Error) -> bool {
    matches!(e, Error::Invalid { .. } | Error::Conflict(_) | Error::Forbidden)
}

fn base(kind: ServiceKind) -> &'static str {
    match kind {
        ServiceKind::Liaison => "/liaison",
        ServiceKind::Steward => "/stewards",
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DoneParams {
    done: String,
    /// Where the page of enterprises without a liaison starts.
    gaps: i64,
    /// The page of assignments, its size and the text searched in names.
    page: String,
    per_page: String,
    q: String,
    /// The page of steward flags.
    flags: String,
    /// What the assign form is filled with: `enterprise:ID` or `project:ID`.
    target: String,
}

/// What the list page shows besides its flash: which pages, and the assign form's values.
#[derive(Debug, Default)]
struct View {
    gaps: i64,
    page: u32,
    per_page: u32,
    q: String,
    flags: u32,
    form: AssignForm,
}

impl View {
    fn of(p: &DoneParams) -> Self {
        View {
            gaps: p.gaps,
            page: page_number(&p.page).min(1_000_000),
            per_page: page_size(&p.per_page, GAP_PAGE as u32),
            q: p.q.trim().to_string(),
            flags: page_number(&p.flags).min(1_000_000),
            form: AssignForm::default(),
        }
    }
}

/// The target fields of the assign form: the text typed (or the name of the target a link
/// chose) and the hidden id a link carries.
#[derive(Debug, Default, Clone)]
struct AssignForm {
    enterprise: String,
    enterprise_id: Option<i64>,
    project: String,
    project_id: Option<i64>,
}

fn done_text(done: &str) -> Option<&'static str> {
    match done {
        "assigned" => Some("已设置。"),
        "ended" => Some("已取消。"),
        "recorded" => Some("已记录，本期任务已办结。"),
        "raised" => Some("已转为企业诉求并交牵头单位办理，按1/3/30个工作日时限督办。"),
        _ => None,
    }
}

#[derive(Template)]
#[template(path = "service.html")]
struct ServicePage {
    nav: Nav,
    tab: &'static str,
    csrf: String,
    steward: bool,
    base: &'static str,
    period: String,
    can_assign: bool,
    rows: Vec<AssignmentRow>,
    /// The pager of the assignments, and the text searched.
    pager: Pager,
    q: String,
    coverage: Option<Coverage>,
    flags: Vec<FlagRow>,
    /// How many flags in all, and which page of them this is (of [`GAP_PAGE`]).
    flags_total: u64,
    flags_page: u32,
    people: Vec<(i64, String)>,
    form: AssignForm,
    ranks: Vec<(&'static str, &'static str)>,
    error: Option<String>,
}

impl ServicePage {
    fn target_kind(&self, r: &AssignmentRow) -> &'static str {
        match r.assignment.fields.target {
            Target::Enterprise(_) => "企业",
            Target::Project(_) => "项目",
        }
    }

    fn rank(&self, r: &AssignmentRow) -> &'static str {
        r.assignment.fields.rank.map_or("—", Rank::label)
    }

    /// The start of the previous page of gaps, when there is one.
    fn gaps_prev(&self, c: &Coverage) -> Option<usize> {
        (c.gaps_offset > 0).then(|| c.gaps_offset.saturating_sub(GAP_PAGE as usize))
    }

    /// The start of the next page of gaps, when there is one.
    fn gaps_next(&self, c: &Coverage) -> Option<usize> {
        let next = c.gaps_offset + c.gaps.len();
        (next < c.gaps_total).then_some(next)
    }

    /// The first and last flag of this page, counted from 1.
    fn flags_span(&self) -> (u64, u64) {
        let first = u64::from(self.flags_page.saturating_sub(1)) * GAP_PAGE as u64;
        (first + 1, first + self.flags.len() as u64)
    }

    fn flags_prev(&self) -> Option<u32> {
        (self.flags_page > 1).then(|| self.flags_page - 1)
    }

    fn flags_next(&self) -> Option<u32> {
        (self.flags_span().1 < self.flags_total).then(|| self.flags_page + 1)
    }

    /// Where a flag's 「设置」 link goes: the form filled with its project or enterprise (only
    /// for a missing steward).
    fn flag_link(&self, f: &FlagRow) -> Option<String> {
        if !self.can_assign || !matches!(f.flag, duban_domain::liaison::StewardFlag::Missing) {
            return None;
        }
        Some(match f.target {
            Target::Enterprise(e) => format!("{}?target=enterprise:{}#assign", self.base, e.0),
            Target::Project(p) => format!("{}?target=project:{}#assign", self.base, p.0),
        })
    }
}

async fn list_page(
    d: &AppState,
    v: &Viewer,
    kind: ServiceKind,
    flash: Option<&str>,
    error: Option<String>,
    view: View,
) -> PageResult {
    let l = d.liaison();
    let filter = AssignmentFilter {
        q: Some(view.q.clone()).filter(|q| !q.is_empty()),
        page: Some(view.page),
        per_page: Some(view.per_page),
    };
    let mut rows = l.assignments(&v.actor, kind, &filter).await?;
    // A page past the end (the list shrank) shows the last one.
    let last = rows.pages();
    if rows.items.is_empty() && rows.page > last {
        rows = l.assignments(&v.actor, kind, &AssignmentFilter { page: Some(last), ..filter }).await?;
    }
    let query = if view.q.is_empty() { String::new() } else { format!("q={}", urlencoded(&view.q)) };
    let pager = Pager::new(base(kind), &query, rows.page, rows.per_page, rows.total);
    let (coverage, flags) = match kind {
        ServiceKind::Liaison => (Some(l.coverage_page(&v.actor, view.gaps).await?), None),
        ServiceKind::Steward => {
            let p = PageParams { page: Some(view.flags), per_page: None };
            (None, Some(l.steward_flags(&v.actor, &p).await?))
        }
    };
    let can_assign = v.may::<RunLedgers>();
    let people = if can_assign { l.people_choices(&v.actor).await? } else { Vec::new() };
    let mut nav = Nav::new(Some(v), base(kind));
    if let Some(f) = flash {
        nav = nav.flash("ok", f);
    }
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let (flags, flags_total, flags_page) = match flags {
        Some(f) => (f.items, f.total, f.page),
        None => (Vec::new(), 0, 1),
    };
    let page = ServicePage {
        nav,
        tab: if kind == ServiceKind::Liaison { "liaison" } else { "stewards" },
        csrf: v.csrf.clone(),
        steward: kind == ServiceKind::Steward,
        base: base(kind),
        period: l.current_period(kind).label(),
        can_assign,
        rows: rows.items,
        pager,
        q: view.q,
        coverage,
        flags,
        flags_total,
        flags_page,
        people,
        form: view.form,
        ranks: Rank::ALL.iter().map(|r| (r.code(), r.label())).collect(),
        error,
    };
    Ok(render(&page, status))
}

/// The assign form filled from a link's `target` (`enterprise:ID`, `project:ID`): the name
/// shown, the id carried; nothing when the target does not exist (or is not of this service).
async fn prefilled(d: &AppState, v: &Viewer, kind: ServiceKind, target: &str) -> Result<AssignForm, Error> {
    let mut form = AssignForm::default();
    let parsed = match target.trim().split_once(':') {
        Some(("enterprise", id)) => id.trim().parse().ok().map(|id| Target::Enterprise(EnterpriseId(id))),
        Some(("project", id)) if kind == ServiceKind::Steward => {
            id.trim().parse().ok().map(|id| Target::Project(ProjectId(id)))
        }
        _ => None,
    };
    let Some(t) = parsed else { return Ok(form) };
    if !v.may::<RunLedgers>() {
        return Ok(form);
    }
    if let Some(name) = d.liaison().target_name(&v.actor, t).await? {
        match t {
            Target::Enterprise(e) => (form.enterprise, form.enterprise_id) = (name, Some(e.0)),
            Target::Project(p) => (form.project, form.project_id) = (name, Some(p.0)),
        }
    }
    Ok(form)
}

async fn list(d: &AppState, v: &Viewer, kind: ServiceKind, p: &DoneParams) -> PageResult {
    let mut view = View::of(p);
    view.form = prefilled(d, v, kind, &p.target).await?;
    list_page(d, v, kind, done_text(&p.done), None, view).await
}

pub async fn liaison(State(d): State<AppState>, v: Viewer, Query(p): Query<DoneParams>) -> PageResult {
    list(&d, &v, ServiceKind::Liaison, &p).await
}

pub async fn stewards(State(d): State<AppState>, v: Viewer, Query(p): Query<DoneParams>) -> PageResult {
    list(&d, &v, ServiceKind::Steward, &p).await
}

fn id_field(form: &Fields, name: &str) -> Result<Option<i64>, Error> {
    match form.get(name).trim() {
        "" => Ok(None),
        s => s.parse().map(Some).map_err(|_| Error::invalid(name, format!("“{s}”不是有效的编号"))),
    }
}

/// The form's enterprise (project): the hidden id a link carried, while the text still shows
/// its name (or is empty); else the text, resolved (a credit code or a name); else none.
async fn form_target(
    d: &AppState,
    v: &Viewer,
    text: &str,
    id: Option<i64>,
    target: impl Fn(i64) -> Target,
) -> Result<Option<i64>, Error> {
    let l = d.liaison();
    let text = text.trim();
    if let Some(id) = id
        && (text.is_empty() || l.target_name(&v.actor, target(id)).await?.as_deref() == Some(text))
    {
        return Ok(Some(id));
    }
    if text.is_empty() {
        return Ok(None);
    }
    Ok(Some(match target(0) {
        Target::Enterprise(_) => l.resolve_enterprise(&v.actor, text).await?.0,
        Target::Project(_) => l.resolve_project(&v.actor, text).await?.0,
    }))
}

async fn assign(d: &AppState, v: &Viewer, kind: ServiceKind, form: &Fields) -> PageResult {
    v.check_csrf(form.get("csrf"))?;
    if !v.may::<RunLedgers>() {
        return Err(Error::Forbidden.into());
    }
    let typed = AssignForm {
        enterprise: form.get("enterprise").trim().to_string(),
        enterprise_id: id_field(form, "enterprise_id").ok().flatten(),
        project: form.get("project").trim().to_string(),
        project_id: id_field(form, "project_id").ok().flatten(),
    };
    let input = async {
        let enterprise = form_target(d, v, &typed.enterprise, id_field(form, "enterprise_id")?, |e| {
            Target::Enterprise(EnterpriseId(e))
        })
        .await?;
        let project = match kind {
            ServiceKind::Steward => {
                form_target(d, v, &typed.project, id_field(form, "project_id")?, |p| Target::Project(ProjectId(p)))
                    .await?
            }
            ServiceKind::Liaison => None,
        };
        Ok::<_, Error>(AssignmentInput {
            person_id: id_field(form, "person_id")?,
            enterprise_id: enterprise,
            project_id: project,
            rank: Some(form.get("rank").to_string()),
            since: Some(form.get("since").to_string()),
            until: Some(form.get("until").to_string()),
        })
    }
    .await;
    let result = match input {
        Ok(i) => d.liaison().assign(&v.actor, kind, i).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(see_other(&format!("{}?done=assigned", base(kind)))),
        Err(Error::Forbidden) => Err(Error::Forbidden.into()),
        Err(e) if shown(&e) => {
            let view = View { form: typed, ..View::of(&DoneParams::default()) };
            list_page(d, v, kind, None, Some(e.to_string()), view).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn assign_liaison(State(d): State<AppState>, v: Viewer, Form(form): Form<Fields>) -> PageResult {
    assign(&d, &v, ServiceKind::Liaison, &form).await
}

pub async fn assign_steward(State(d): State<AppState>, v: Viewer, Form(form): Form<Fields>) -> PageResult {
    assign(&d, &v, ServiceKind::Steward, &form).await
}

async fn end(d: &AppState, v: &Viewer, kind: ServiceKind, id: i64, form: &Fields) -> PageResult {
    v.check_csrf(form.get("csrf"))?;
    let a = d.liaison().assignment(&v.actor, id).await?;
    if a.fields.kind != kind {
        return Err(Error::not_found(format!("{} {id}", kind.label())).into());
    }
    match d.liaison().unassign(&v.actor, id, Some(form.get("until"))).await {
        Ok(_) => Ok(see_other(&format!("{}?done=ended", base(kind)))),
        Err(Error::Forbidden) => Err(Error::Forbidden.into()),
        Err(e) if shown(&e) => list_page(d, v, kind, None, Some(e.to_string()), View::of(&DoneParams::default())).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn end_liaison(
    State(d): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<Fields>,
) -> PageResult {
    end(&d, &v, ServiceKind::Liaison, id, &form).await
}

pub async fn end_steward(
    State(d): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<Fields>,
) -> PageResult {
    end(&d, &v, ServiceKind::Steward, id, &form).await
}

#[derive(Template)]
#[template(path = "service_detail.html")]
struct DetailPage {
    nav: Nav,
    tab: &'static str,
    csrf: String,
    steward: bool,
    base: &'static str,
    row: AssignmentRow,
    visits: Vec<Visit>,
    can_record: bool,
    /// Whether the viewer may turn a visit's problems into demands (its recorder or the office),
    /// by visit id.
    can_raise: std::collections::HashSet<i64>,
    /// The demand kinds and the units a problem's demand may go to (转为企业诉求).
    kinds: Vec<(&'static str, &'static str)>,
    units: Vec<(i64, String)>,
    today: String,
    error: Option<String>,
}

async fn detail_page(
    d: &AppState,
    v: &Viewer,
    kind: ServiceKind,
    id: i64,
    flash: Option<&str>,
    error: Option<String>,
) -> PageResult {
    let l = d.liaison();
    let row = l.assignment_row(&v.actor, kind, id).await?;
    let visits = l.visits(&v.actor, kind, Some(id)).await?;
    let can_record = row.active && (v.person.id == row.assignment.fields.person_id || v.may::<RunLedgers>());
    let can_raise: std::collections::HashSet<i64> = visits
        .iter()
        .filter(|x| x.problems.iter().any(|p| p.demand_task_id.is_none()))
        .filter(|x| x.recorded_by == Some(v.person.id) || v.may::<RunLedgers>())
        .map(|x| x.id)
        .collect();
    let units = if can_raise.is_empty() {
        Vec::new()
    } else {
        d.queries().units().await?.into_iter().map(|u| (u.id.0, u.name)).collect()
    };
    let kinds = duban_domain::demand::DemandKind::ALL.iter().map(|k| (k.code(), k.label())).collect();
    let mut nav = Nav::new(Some(v), base(kind));
    if let Some(f) = flash {
        nav = nav.flash("ok", f);
    }
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let today = d.core().now().to_zoned(d.core().policy().timezone()).date().to_string();
    let page = DetailPage {
        nav,
        tab: if kind == ServiceKind::Liaison { "liaison" } else { "stewards" },
        csrf: v.csrf.clone(),
        steward: kind == ServiceKind::Steward,
        base: base(kind),
        row,
        visits,
        can_record,
        can_raise,
        kinds,
        units,
        today,
        error,
    };
    Ok(render(&page, status))
}

pub async fn liaison_detail(
    State(d): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(p): Query<DoneParams>,
) -> PageResult {
    detail_page(&d, &v, ServiceKind::Liaison, id, done_text(&p.done), None).await
}

pub async fn steward_detail(
    State(d): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(p): Query<DoneParams>,
) -> PageResult {
    detail_page(&d, &v, ServiceKind::Steward, id, done_text(&p.done), None).await
}

async fn record(d: &AppState, v: &Viewer, kind: ServiceKind, id: i64, form: &Fields) -> PageResult {
    v.check_csrf(form.get("csrf"))?;
    let a = d.liaison().assignment(&v.actor, id).await?;
    if a.fields.kind != kind {
        return Err(Error::not_found(format!("{} {id}", kind.label())).into());
    }
    let input = VisitInput {
        visited_on: Some(form.get("visited_on").to_string()),
        met: Some(form.get("met").to_string()),
        policies: Some(form.get("policies").to_string()),
        work: Some(form.get("work").to_string()),
        // One problem a line.
        problems: form.get("problems").lines().map(str::to_string).collect(),
        evidence: Vec::new(),
    };
    match d.liaison().record_visit(&v.actor, id, input).await {
        Ok(_) => Ok(see_other(&format!("{}/{id}?done=recorded", base(kind)))),
        Err(Error::Forbidden) => Err(Error::Forbidden.into()),
        Err(e) if shown(&e) => detail_page(d, v, kind, id, None, Some(e.to_string())).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn record_visit(
    State(d): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<Fields>,
) -> PageResult {
    record(&d, &v, ServiceKind::Liaison, id, &form).await
}

pub async fn record_onsite(
    State(d): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<Fields>,
) -> PageResult {
    record(&d, &v, ServiceKind::Steward, id, &form).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RaiseForm {
    csrf: String,
    kind: String,
    unit: String,
    hard: String,
}

/// 转为企业诉求: a visit's problem becomes an enterprise demand sent to the chosen lead unit.
pub async fn raise_problem(
    State(d): State<AppState>,
    v: Viewer,
    Path((visit, index)): Path<(i64, usize)>,
    Form(form): Form<RaiseForm>,
) -> PageResult {
    v.check_csrf(&form.csrf)?;
    let l = d.liaison();
    let found = l.visit(&v.actor, visit).await?;
    let a = l.assignment(&v.actor, found.assignment_id).await?;
    let kind = a.fields.kind;
    let Ok(unit) = form.unit.trim().parse::<i64>() else {
        return detail_page(&d, &v, kind, a.id, None, Some("请选择牵头承办单位".into())).await;
    };
    let assign = duban_app::demands::AssignInput {
        lead: vec![duban_domain::task::Party::Unit(duban_domain::ids::UnitId(unit))],
        hard: !form.hard.is_empty(),
        responsible_person_id: None,
    };
    match l.raise_problem(&v.actor, d.demands(), visit, index, &form.kind, assign).await {
        Ok(_) => Ok(see_other(&format!("{}/{}?done=raised", base(kind), a.id))),
        Err(Error::Forbidden) => Err(Error::Forbidden.into()),
        Err(e) if shown(&e) => detail_page(&d, &v, kind, a.id, None, Some(e.to_string())).await,
        Err(e) => Err(e.into()),
    }
}
