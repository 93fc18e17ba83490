//! The pages of the pre-procedure battle map (项目前期手续作战图, 003 附件4 二(三); issue 14 §4):
//!
//! - `/procedures`: across projects — one page of projects × procedure kinds, each cell
//!   coloured by its status and its task's light (server SVG, printable), the kinds and, for
//!   the office, a form to add a kind.
//! - `/projects/{id}/procedures`: one project — each started procedure a bar from its start to
//!   its committed date on the task battle map's axis (◆ where it was finished, a red bar from
//!   the committed date to today while overdue), the list, and the office's forms to add and
//!   start procedures. Starting one creates its task.
//! - `/procedures/weekly?day=`: the week's dispatch (周调度) by project and department, with
//!   `/procedures/weekly.xlsx` and the month's report `/procedures/monthly.docx?month=`.

use super::charts::{self, MapSpan, MapTask, esc};
use super::errors::render;
use super::{AppState, Fields, Nav, Viewer, WebError, see_other};
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use duban_app::actor::RunLedgers;
use duban_app::procedures::{Dispatch, KindInput, Matrix, ProcedureView, ProjectProcedures};
use duban_domain::Error;
use duban_domain::ids::{ProjectId, UnitId};
use duban_domain::procedure::{ProcedureInput, ProcedureKind, ProcedureStatus};
use jiff::civil::Date;
use serde::Deserialize;
use std::fmt::Write;

type PageResult = Result<Response, WebError>;

fn shown(e: &Error) -> bool {
    matches!(e, Error::Invalid { .. } | Error::Conflict(_) | Error::NotFound { .. })
}

/// The fill of a cell or bar: grey when done, the light while open, pale when not started.
fn fill(p: &ProcedureView) -> &'static str {
    match (p.status, p.light.as_deref()) {
        (ProcedureStatus::Done, _) => "#8c959f",
        (ProcedureStatus::Withdrawn, _) => "#eef1f4",
        (ProcedureStatus::NotStarted, _) => "#ffffff",
        (_, Some("red")) => "#cf222e",
        (_, Some("yellow")) => "#d4a72c",
        _ => "#1a7f37",
    }
}

/// What a cell says: the committed date while open, the finish date when done.
fn cell_text(p: &ProcedureView) -> String {
    let md = |d: Option<Date>| d.map(|d| format!("{:02}-{:02}", d.month(), d.day())).unwrap_or_default();
    match p.status {
        ProcedureStatus::Done => format!("办结 {}", md(p.finished_on)),
        ProcedureStatus::InProgress if p.overdue => format!("逾期 {}", md(p.committed_on)),
        ProcedureStatus::InProgress => format!("限 {}", md(p.committed_on)),
        s => s.to_string(),
    }
}

/// The battle map across projects: a row per project, a column per kind, each cell coloured
/// by its procedure's status and light; empty where the project has no such procedure.
pub fn matrix_svg(m: &Matrix) -> String {
    let (label_w, col_w, row_h, head_h) = (260.0, 96.0, 26.0, 34.0);
    let width = label_w + col_w * m.kinds.len() as f64 + 10.0;
    let height = head_h + row_h * m.rows.len() as f64 + 6.0;
    let mut s = format!(
        r#"<svg class="chart procedure-matrix" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="项目前期手续作战图：项目 × 手续" xmlns="http://www.w3.org/2000/svg">"#
    );
    let _ = write!(s, r#"<text x="6" y="22" font-size="13" font-weight="600">项目</text>"#);
    for (i, k) in m.kinds.iter().enumerate() {
        let x = label_w + col_w * i as f64;
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="22" font-size="13" font-weight="600" text-anchor="middle">{}</text>"#,
            x + col_w / 2.0,
            esc(&k.name.chars().take(7).collect::<String>())
        );
    }
    for (r, row) in m.rows.iter().enumerate() {
        let y = head_h + row_h * r as f64;
        if r % 2 == 0 {
            let _ = write!(s, r##"<rect x="0" y="{y:.1}" width="{width}" height="{row_h}" fill="#f6f8fa"/>"##);
        }
        let name: String = row.project.chars().take(18).collect();
        let more = if row.project.chars().count() > 18 { "…" } else { "" };
        let _ = write!(
            s,
            r#"<a href="/projects/{}/procedures"><text x="6" y="{:.1}" font-size="12">{}{more}<title>{}</title></text></a>"#,
            row.project_id,
            y + 17.0,
            esc(&name),
            esc(&row.project)
        );
        for (i, cell) in row.cells.iter().enumerate() {
            let x = label_w + col_w * i as f64 + 3.0;
            let Some(p) = cell else {
                let _ = write!(
                    s,
                    r##"<text x="{:.1}" y="{:.1}" font-size="11" fill="#8c959f" text-anchor="middle">—</text>"##,
                    x + col_w / 2.0 - 3.0,
                    y + 17.0
                );
                continue;
            };
            let color = fill(p);
            let dark = matches!(color, "#cf222e" | "#1a7f37" | "#8c959f");
            let text_color = if dark { "#ffffff" } else { "#1f2328" };
            let light = p.light.as_deref().unwrap_or("");
            let _ = write!(
                s,
                r##"<rect class="cell {} {light}" x="{x:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="3" fill="{color}" stroke="#d1d9e0"><title>{}·{}：{}，{}，承诺 {} 个工作日{}</title></rect><text x="{:.1}" y="{:.1}" font-size="11" fill="{text_color}" text-anchor="middle">{}</text>"##,
                p.status.code(),
                y + 3.0,
                col_w - 6.0,
                row_h - 6.0,
                esc(&p.project),
                esc(&p.kind),
                esc(&p.unit),
                p.status_label,
                p.days,
                p.committed_on.map(|d| format!("，承诺 {d} 前办结")).unwrap_or_default(),
                x + col_w / 2.0 - 3.0,
                y + 17.0,
                esc(&cell_text(p))
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// One project's procedures on the task battle map's axis.
fn project_svg(p: &ProjectProcedures, today: Date, calendar: &duban_domain::calendar::Calendar) -> Option<String> {
    let started: Vec<&ProcedureView> = p.procedures.iter().filter(|x| x.started_on.is_some()).collect();
    let first = started.iter().filter_map(|x| x.started_on).min()?;
    let mut last = today;
    let mut bars = Vec::new();
    for x in started {
        let (Some(start), end) = (x.started_on, x.committed_on) else { continue };
        last = last.max(end.unwrap_or(start)).max(x.finished_on.unwrap_or(start));
        let late = x.status == ProcedureStatus::InProgress && x.light.as_deref() == Some("red");
        let overdue_days = match (late, end) {
            (true, Some(e)) if e < today => calendar.workdays_between(e, today).ok().map(|r| r.value.max(1)),
            _ => None,
        };
        bars.push(MapTask {
            title: format!("{}（{}）", x.kind, x.unit),
            start,
            end,
            light: match x.light.as_deref() {
                Some("red") => "red",
                Some("yellow") => "yellow",
                Some(_) => "green",
                None => "",
            },
            closed: x.status != ProcedureStatus::InProgress,
            milestones: x.finished_on.map(|f| vec![(f, "办结".to_string())]).unwrap_or_default(),
            overdue_days,
        });
    }
    let from = first.first_of_month();
    let to = last.last_of_month();
    Some(charts::battle_map(&[(p.project.clone(), bars)], from, to, today, MapSpan::Whole))
}

#[derive(Template)]
#[template(path = "procedures.html")]
struct MatrixPage {
    nav: Nav,
    csrf: String,
    tab: &'static str,
    can_edit: bool,
    matrix: Matrix,
    svg: String,
    pages: i64,
    search: String,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MatrixParams {
    page: String,
    search: String,
    done: String,
}

async fn matrix_page(d: &AppState, v: &Viewer, p: &MatrixParams, error: Option<String>) -> PageResult {
    let page = p.page.trim().parse::<i64>().unwrap_or(1).max(1);
    let matrix = d.procedures().matrix(&v.actor, page, Some(p.search.clone())).await?;
    let pages = ((matrix.total + matrix.per_page - 1) / matrix.per_page).max(1);
    let mut nav = Nav::new(Some(v), "/enterprises");
    if p.done == "kind" {
        nav = nav.flash("ok", "已添加手续种类。");
    }
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = MatrixPage {
        nav,
        csrf: v.csrf.clone(),
        tab: "procedures",
        can_edit: v.may::<RunLedgers>(),
        svg: matrix_svg(&matrix),
        matrix,
        pages,
        search: p.search.clone(),
        error,
    };
    Ok(render(&page, status))
}

/// The battle map across projects.
pub async fn index(State(d): State<AppState>, v: Viewer, Query(p): Query<MatrixParams>) -> PageResult {
    matrix_page(&d, &v, &p, None).await
}

/// The office adds a kind.
pub async fn add_kind(State(d): State<AppState>, v: Viewer, Form(form): Form<Fields>) -> PageResult {
    v.check_csrf(form.get("csrf"))?;
    v.require::<RunLedgers>()?;
    let days = form.get("default_days").trim();
    let input = match days.parse::<u32>() {
        _ if days.is_empty() => Ok(None),
        Ok(n) => Ok(Some(n)),
        Err(_) => Err(Error::invalid("default_days", "默认时限须为工作日数")),
    }
    .map(|default_days| KindInput {
        name: form.get("name").to_string(),
        default_days,
        note: form.get("note").to_string(),
    });
    let result = match input {
        Ok(i) => d.procedures().add_kind(&v.actor, i).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(see_other("/procedures?done=kind")),
        Err(e) if shown(&e) => matrix_page(&d, &v, &MatrixParams::default(), Some(e.to_string())).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "project_procedures.html")]
struct ProjectPage {
    nav: Nav,
    csrf: String,
    tab: &'static str,
    can_edit: bool,
    project: ProjectProcedures,
    svg: Option<String>,
    kinds: Vec<ProcedureKind>,
    units: Vec<(i64, String)>,
    today: String,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DoneParams {
    done: String,
}

async fn project_page(d: &AppState, v: &Viewer, id: i64, flash: &str, error: Option<String>) -> PageResult {
    let project = d.procedures().of_project(&v.actor, ProjectId(id)).await?;
    let tz = d.core().policy().timezone();
    let today = d.core().now().to_zoned(tz).date();
    let svg = project_svg(&project, today, &d.core().calendar());
    let kinds = d.procedures().kinds(&v.actor).await?;
    let units = d.queries().units().await?.into_iter().filter(|u| u.active).map(|u| (u.id.0, u.name)).collect();
    let mut nav = Nav::new(Some(v), "/enterprises");
    match flash {
        "added" => nav = nav.flash("ok", "已添加手续，启动后生成督办任务。"),
        "started" => nav = nav.flash("ok", "已启动：按工作日推算承诺日期，已生成督办任务。"),
        _ => {}
    }
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = ProjectPage {
        nav,
        csrf: v.csrf.clone(),
        tab: "procedures",
        can_edit: v.may::<RunLedgers>(),
        project,
        svg,
        kinds,
        units,
        today: today.to_string(),
        error,
    };
    Ok(render(&page, status))
}

/// One project's procedures.
pub async fn project(
    State(d): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(p): Query<DoneParams>,
) -> PageResult {
    project_page(&d, &v, id, &p.done, None).await
}

/// The office adds a procedure to the project.
pub async fn add(State(d): State<AppState>, v: Viewer, Path(id): Path<i64>, Form(form): Form<Fields>) -> PageResult {
    v.check_csrf(form.get("csrf"))?;
    v.require::<RunLedgers>()?;
    let num = |name: &str, what: &str| -> Result<Option<i64>, Error> {
        let s = form.get(name).trim();
        if s.is_empty() {
            return Ok(None);
        }
        s.parse().map(Some).map_err(|_| Error::invalid(name, format!("{what}无效")))
    };
    let input = (|| -> Result<ProcedureInput, Error> {
        Ok(ProcedureInput {
            project_id: Some(ProjectId(id)),
            kind_id: num("kind_id", "手续种类")?,
            unit_id: num("unit_id", "责任部门")?.map(UnitId),
            days: num("days", "承诺时限")?.map(|n| u32::try_from(n).unwrap_or(u32::MAX)),
            note: Some(form.get("note").to_string()),
        })
    })();
    let result = match input {
        Ok(i) => d.procedures().add(&v.actor, i).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/projects/{id}/procedures?done=added"))),
        Err(e) if shown(&e) => project_page(&d, &v, id, "", Some(e.to_string())).await,
        Err(e) => Err(e.into()),
    }
}

/// The office starts a procedure: its task is created.
pub async fn start(State(d): State<AppState>, v: Viewer, Path(id): Path<i64>, Form(form): Form<Fields>) -> PageResult {
    v.check_csrf(form.get("csrf"))?;
    v.require::<RunLedgers>()?;
    let project: i64 = form.get("project").trim().parse().map_err(|_| Error::invalid("project", "缺少项目"))?;
    let started = match form.get("started_on").trim() {
        "" => Ok(None),
        s => s.parse::<Date>().map(Some).map_err(|_| Error::invalid("started_on", format!("“{s}”不是有效日期"))),
    };
    let result = match started {
        Ok(s) => d.procedures().start(&v.actor, id, s).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/projects/{project}/procedures?done=started"))),
        Err(e) if shown(&e) => project_page(&d, &v, project, "", Some(e.to_string())).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "procedures_weekly.html")]
struct WeeklyPage {
    nav: Nav,
    tab: &'static str,
    week: Dispatch,
    day: String,
    prev: String,
    next: String,
    month: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WeekParams {
    day: String,
    month: String,
}

fn day_of(d: &AppState, s: &str) -> Result<Date, Error> {
    match s.trim() {
        "" => Ok(d.core().now().to_zoned(d.core().policy().timezone()).date()),
        s => s.parse().map_err(|_| Error::invalid("day", format!("“{s}”不是有效日期"))),
    }
}

/// The week's dispatch.
pub async fn weekly(State(d): State<AppState>, v: Viewer, Query(p): Query<WeekParams>) -> PageResult {
    let day = day_of(&d, &p.day)?;
    let week = d.procedures().weekly(&v.actor, Some(day)).await?;
    let shift = |n: i64| week.from.checked_add(jiff::Span::new().days(n)).map(|d| d.to_string()).unwrap_or_default();
    let page = WeeklyPage {
        nav: Nav::new(Some(&v), "/enterprises"),
        tab: "procedures",
        day: week.from.to_string(),
        prev: shift(-7),
        next: shift(7),
        month: format!("{:04}-{:02}", day.year(), day.month()),
        week,
    };
    Ok(render(&page, StatusCode::OK))
}

fn download(bytes: Vec<u8>, name: &str, content_type: &str) -> Response {
    let name = crate::http::percent_encode(name);
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename*=UTF-8''{name}")),
        ],
        bytes,
    )
        .into_response()
}

/// The week's dispatch as .xlsx.
pub async fn weekly_xlsx(State(d): State<AppState>, v: Viewer, Query(p): Query<WeekParams>) -> PageResult {
    let day = day_of(&d, &p.day)?;
    let week = d.procedures().weekly(&v.actor, Some(day)).await?;
    let bytes = duban_app::procedures::weekly_xlsx(&week)?;
    let name = format!("项目前期手续周调度{}.xlsx", week.from);
    Ok(download(bytes, &name, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
}

/// The month's report as .docx.
pub async fn monthly_docx(State(d): State<AppState>, v: Viewer, Query(p): Query<WeekParams>) -> PageResult {
    let month = match p.month.trim() {
        "" => day_of(&d, "")?.first_of_month(),
        m => format!("{m}-01").parse().map_err(|_| Error::invalid("month", format!("“{m}”不是有效月份")))?,
    };
    let (name, bytes) = d.procedures().monthly_report(&v.actor, month).await?;
    Ok(download(bytes, &name, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(status: ProcedureStatus, light: Option<&str>) -> ProcedureView {
        ProcedureView {
            id: 1,
            project_id: 7,
            project: "<风电>项目".into(),
            kind_id: 1,
            kind: "立项".into(),
            unit_id: 1,
            unit: "旗发改委".into(),
            days: 5,
            note: String::new(),
            status,
            status_label: status.to_string(),
            light: light.map(str::to_string),
            started_on: Some(jiff::civil::date(2026, 3, 2)),
            committed_on: Some(jiff::civil::date(2026, 3, 9)),
            finished_on: None,
            overdue: true,
            task_id: Some(1),
        }
    }

    #[test]
    fn the_matrix_colours_each_cell_by_status_and_light_and_escapes_names() {
        let kind = |id: i64, name: &str| ProcedureKind {
            id,
            name: name.into(),
            default_days: None,
            note: String::new(),
            builtin: true,
            position: id,
        };
        let m = Matrix {
            kinds: vec![kind(1, "立项"), kind(2, "选址"), kind(3, "环评")],
            rows: vec![duban_app::procedures::MatrixRow {
                project_id: 7,
                project: "<风电>项目".into(),
                cells: vec![
                    Some(view(ProcedureStatus::InProgress, Some("red"))),
                    None,
                    Some(view(ProcedureStatus::NotStarted, None)),
                ],
            }],
            total: 1,
            page: 1,
            per_page: 50,
        };
        let svg = matrix_svg(&m);
        assert!(svg.contains("&lt;风电&gt;项目") && !svg.contains("<风电"));
        assert!(
            svg.contains(r#"class="cell in_progress red""#) && svg.contains("#cf222e") && svg.contains("逾期 03-09")
        );
        assert!(svg.contains(r#"class="cell not_started "#) && svg.contains("未启动"));
        assert!(svg.contains("/projects/7/procedures"));
        assert_eq!(svg.matches("<rect class=\"cell").count(), 2);
    }
}
