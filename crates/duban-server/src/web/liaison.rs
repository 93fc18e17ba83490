//! The pages of liaison (包联走访, issue 14 §2) and project stewards (项目管家, §3), one set of
//! handlers for both (the kind is the route's):
//!
//! - `/liaison`: coverage (全覆盖), the enterprises without a liaison, this quarter's visits per
//!   liaison and per unit, every assignment with its quarter's task; the office's assign form
//!   and end buttons.
//! - `/stewards`: the flags (no steward where one is required, a rank below the investment tier),
//!   every steward with this month's task; the office's form with the rank (职级).
//! - `/liaison/{id}`, `/stewards/{id}`: one assignment, its visits (on-site records) with their
//!   problems and the demand each became, and the form that records one (the assigned person or
//!   the office), which completes the period's task.

use super::errors::render;
use super::{AppState, Fields, Nav, Viewer, WebError, see_other};
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use duban_app::actor::RunLedgers;
use duban_app::liaison::{AssignmentRow, Coverage, FlagRow, GAP_PAGE};
use duban_domain::Error;
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
    coverage: Option<Coverage>,
    flags: Vec<FlagRow>,
    people: Vec<(i64, String)>,
    enterprises: Vec<(i64, String)>,
    projects: Vec<(i64, String)>,
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
}

async fn list_page(
    d: &AppState,
    v: &Viewer,
    kind: ServiceKind,
    flash: Option<&str>,
    error: Option<String>,
    gaps: i64,
) -> PageResult {
    let l = d.liaison();
    let rows = l.assignments(&v.actor, kind).await?;
    let (coverage, flags) = match kind {
        ServiceKind::Liaison => (Some(l.coverage_page(&v.actor, gaps).await?), Vec::new()),
        ServiceKind::Steward => (None, l.steward_flags(&v.actor).await?),
    };
    let can_assign = v.may::<RunLedgers>();
    let (people, enterprises, projects) = if can_assign {
        let (p, e, j) = l.choices(&v.actor).await?;
        (
            p,
            e.into_iter().map(|e| (e.id.0, e.fields.name)).collect(),
            j.into_iter()
                .map(|j| (j.id.0, format!("{}（{}）", j.fields.name, j.fields.total_investment.wan_label())))
                .collect(),
        )
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };
    let mut nav = Nav::new(Some(v), base(kind));
    if let Some(f) = flash {
        nav = nav.flash("ok", f);
    }
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = ServicePage {
        nav,
        tab: if kind == ServiceKind::Liaison { "liaison" } else { "stewards" },
        csrf: v.csrf.clone(),
        steward: kind == ServiceKind::Steward,
        base: base(kind),
        period: l.current_period(kind).label(),
        can_assign,
        rows,
        coverage,
        flags,
        people,
        enterprises,
        projects,
        ranks: Rank::ALL.iter().map(|r| (r.code(), r.label())).collect(),
        error,
    };
    Ok(render(&page, status))
}

pub async fn liaison(State(d): State<AppState>, v: Viewer, Query(p): Query<DoneParams>) -> PageResult {
    list_page(&d, &v, ServiceKind::Liaison, done_text(&p.done), None, p.gaps).await
}

pub async fn stewards(State(d): State<AppState>, v: Viewer, Query(p): Query<DoneParams>) -> PageResult {
    list_page(&d, &v, ServiceKind::Steward, done_text(&p.done), None, 0).await
}

fn id_field(form: &Fields, name: &str) -> Result<Option<i64>, Error> {
    match form.get(name).trim() {
        "" => Ok(None),
        s => s.parse().map(Some).map_err(|_| Error::invalid(name, format!("“{s}”不是有效的编号"))),
    }
}

async fn assign(d: &AppState, v: &Viewer, kind: ServiceKind, form: &Fields) -> PageResult {
    v.check_csrf(form.get("csrf"))?;
    let input = (|| {
        Ok::<_, Error>(AssignmentInput {
            person_id: id_field(form, "person_id")?,
            enterprise_id: id_field(form, "enterprise_id")?,
            project_id: id_field(form, "project_id")?,
            rank: Some(form.get("rank").to_string()),
            since: Some(form.get("since").to_string()),
            until: Some(form.get("until").to_string()),
        })
    })();
    let result = match input {
        Ok(i) => d.liaison().assign(&v.actor, kind, i).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(see_other(&format!("{}?done=assigned", base(kind)))),
        Err(Error::Forbidden) => Err(Error::Forbidden.into()),
        Err(e) if shown(&e) => list_page(d, v, kind, None, Some(e.to_string()), 0).await,
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
        Err(e) if shown(&e) => list_page(d, v, kind, None, Some(e.to_string()), 0).await,
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
    let row = l
        .assignments(&v.actor, kind)
        .await?
        .into_iter()
        .find(|r| r.assignment.id == id)
        .ok_or_else(|| Error::not_found(format!("{} {id}", kind.label())))?;
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
