//! The supervision office's and leaders' pages: 督办 (overdue work by unit, notices issued and
//! answered, naming candidates), 统计 (rates by unit and the weekly overdue trend) and 挂图作战
//! (a ledger on a time axis).

use super::charts::{self, MapTask};
use super::errors::render;
use super::paging::{self, Pager, page_size};
use super::{AppState, Nav, Viewer, WebError};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use duban_app::actor::Oversee;
use duban_app::core::light_of;
use duban_app::reporting::PartyNames as Names;
use duban_app::tasks::Snapshot;
use duban_domain::Error;
use duban_domain::event::EventKind;
use duban_domain::ids::{LedgerId, TaskId};
use duban_domain::schedule::Schedule;
use duban_domain::stats::{Rate, Stats as DomainStats};
use duban_domain::task::Task;
use duban_domain::task::{Light, Party, Status};
use jiff::civil::Date;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

type PageResult = Result<Response, WebError>;

/// A task in a whole-ledger view: the task, its schedule and its light now.
pub struct Item<'a> {
    pub task: &'a Task,
    pub schedule: &'a Schedule,
    pub light: Option<Light>,
}

/// Every task the viewer may see (optionally of one ledger), from the service's snapshot.
async fn visible<'a>(
    d: &AppState,
    v: &Viewer,
    snap: &'a Snapshot,
    ledger: Option<LedgerId>,
) -> Result<Vec<Item<'a>>, Error> {
    let audience = d.access().audience(&v.person);
    let members = d.access().group_members().await?;
    let now = d.core().now();
    Ok(snap
        .tasks
        .iter()
        .filter(|(t, _)| ledger.is_none_or(|l| t.fields.ledger_id == Some(l)) && t.status != Status::Cancelled)
        .filter(|(t, _)| audience.sees(t, &members))
        .map(|(task, schedule)| Item { task, schedule, light: light_of(task, schedule, now) })
        .collect())
}

/// The first lead party of a task, as a key and a name.
fn lead_of(t: &Task, names: &Names) -> (String, String) {
    match t.fields.lead.first() {
        Some(p @ Party::Unit(u)) => (format!("u{}", u.0), names.parties(std::slice::from_ref(p))),
        Some(p @ Party::Group(g)) => (format!("g{}", g.0), names.parties(std::slice::from_ref(p))),
        None => (String::new(), "（未定牵头单位）".into()),
    }
}

// ---- 督办 ----

struct UnitOverdue {
    name: String,
    count: usize,
    link: String,
}

struct NoticeLine {
    /// The notice's id, for its print view (督办通知单).
    id: i64,
    number: String,
    task_id: i64,
    title: String,
    stage: String,
    round: i64,
    issued: String,
    answer_by: String,
    answered: bool,
}

struct NamingLine {
    unit: String,
    person: String,
    task_id: i64,
    title: String,
    reason: String,
    at: String,
}

#[derive(Template)]
#[template(path = "supervision.html")]
struct SupervisionPage {
    nav: Nav,
    overdue: Vec<UnitOverdue>,
    overdue_total: usize,
    notices: Vec<NoticeLine>,
    /// The notices' pages, newest first.
    pager: Pager,
    naming: Vec<NamingLine>,
}

/// `?page=&per_page=` of the supervision page's notices.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoticeParams {
    page: String,
    per_page: String,
}

/// Notices per page unless the viewer chooses.
const NOTICES_PER_PAGE: u32 = 50;

pub async fn supervision(State(d): State<AppState>, v: Viewer, Query(p): Query<NoticeParams>) -> PageResult {
    v.require::<Oversee>()?;
    let names = d.reporting().party_names().await?;
    let tz = d.core().policy().timezone();
    let snap = d.tasks().snapshot().await?;
    let tasks = visible(&d, &v, &snap, None).await?;
    let by_id: HashMap<TaskId, &Item<'_>> = tasks.iter().map(|t| (t.task.id, t)).collect();
    let mut counts: BTreeMap<String, (String, usize, String)> = BTreeMap::new();
    let mut overdue_total = 0;
    for t in tasks.iter().filter(|t| t.light == Some(Light::Red)) {
        overdue_total += 1;
        let (key, name) = lead_of(t.task, &names);
        let link = match t.task.fields.lead.first() {
            Some(Party::Unit(u)) => format!("/tasks?unit={}&light=red", u.0),
            _ => "/tasks?light=red".into(),
        };
        counts.entry(key).or_insert((name, 0, link)).1 += 1;
    }
    let mut overdue: Vec<UnitOverdue> =
        counts.into_values().map(|(name, count, link)| UnitOverdue { name, count, link }).collect();
    overdue.sort_by(|a, b| b.count.cmp(&a.count).then(a.name.cmp(&b.name)));
    // Every notice on a task the viewer sees, newest first, one page of them at a time.
    let seen: Vec<_> =
        d.queries().notices().await?.into_iter().rev().filter(|n| by_id.contains_key(&n.task_id)).collect();
    let per_page = page_size(&p.per_page, NOTICES_PER_PAGE);
    let pager = Pager::new("/supervision", "", crate::http::list::page_number(&p.page), per_page, seen.len() as u64);
    let all_notices = paging::slice(seen, pager.page, per_page);
    let ids: Vec<TaskId> = all_notices.iter().map(|n| n.task_id).collect();
    let activity = d.queries().activity_of(&ids).await?;
    let mut notices = Vec::new();
    for n in all_notices {
        let Some(t) = by_id.get(&n.task_id) else { continue };
        let answered = activity
            .iter()
            .any(|e| e.task_id == n.task_id && e.at > n.issued_at && EventKind::code_is_progress(&e.kind));
        let stage =
            t.schedule.stages.iter().find(|s| s.stage == n.stage).map(|s| s.name.clone()).unwrap_or(n.stage.clone());
        notices.push(NoticeLine {
            id: n.id,
            number: n.number,
            task_id: n.task_id.0,
            title: t.task.fields.title.clone(),
            stage,
            round: n.round,
            issued: n.issued_at.to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M").to_string(),
            answer_by: n.answer_by.to_string(),
            answered,
        });
    }
    let people = d.queries().person_names().await?;
    let naming = d
        .queries()
        .naming()
        .await?
        .into_iter()
        .filter_map(|n| {
            let t = by_id.get(&n.naming.task_id)?;
            Some(NamingLine {
                unit: n.naming.unit_id.map(|u| names.parties(&[Party::Unit(u)])).unwrap_or_default(),
                person: n.naming.person_id.and_then(|p| people.get(&p).cloned()).unwrap_or_else(|| "—".into()),
                task_id: n.naming.task_id.0,
                title: t.task.fields.title.clone(),
                reason: n.naming.reason,
                at: n.naming.created_at.to_zoned(tz.clone()).date().to_string(),
            })
        })
        .collect();
    let page =
        SupervisionPage { nav: Nav::new(Some(&v), "/supervision"), overdue, overdue_total, notices, pager, naming };
    Ok(render(&page, StatusCode::OK))
}

// ---- 统计 ----

struct RateLine {
    rank: usize,
    unit: String,
    tasks: usize,
    sign: String,
    done: String,
}

#[derive(Template)]
#[template(path = "stats.html")]
struct StatsPage {
    nav: Nav,
    today: String,
    period_caption: String,
    periods: Vec<(&'static str, &'static str, bool)>,
    sorts: Vec<(&'static str, &'static str, bool)>,
    query: String,
    total: usize,
    sign_all: String,
    done_all: String,
    rates_svg: String,
    trend_svg: String,
    lines: Vec<RateLine>,
}

fn pct(r: Rate) -> String {
    r.percent().map(|p| format!("{p:.1}%（{}/{}）", r.on_time, r.total())).unwrap_or_else(|| "—".into())
}

/// The numbers behind the statistics page ([`duban_domain::stats::Stats`]): per lead unit (by
/// name; a task led by a group such as 旗直有关部门 counts for each of its member units, the group
/// itself is never ranked), tasks and the two rates, in the order asked; the weekly overdue
/// counts for the last twelve weeks.
pub struct Stats {
    pub by_unit: Vec<(String, usize, Rate, Rate)>,
    pub sign: Rate,
    pub done: Rate,
    pub weekly: Vec<(String, u32)>,
    /// The tasks with a stage due in the period (all tasks without one).
    pub tasks: usize,
}

/// The ranking order of the statistics: by the number of tasks, or by one of the rates (best
/// first, units with nothing due yet last).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatsSort {
    Tasks,
    Sign,
    Done,
}

impl StatsSort {
    pub fn parse(s: &str) -> Self {
        match s.trim() {
            "sign" => Self::Sign,
            "done" => Self::Done,
            _ => Self::Tasks,
        }
    }
}

/// The period's bounds as instants: from its first day to the day after its last, or now.
fn window_of(d: &duban_app::service::Services, period: charts::MapSpan) -> Option<(jiff::Timestamp, jiff::Timestamp)> {
    let tz = d.core().policy().timezone();
    let now = d.core().now();
    let (from, to) = period.around(now.to_zoned(tz.clone()).date())?;
    let from = from.to_zoned(tz.clone()).ok()?.timestamp();
    let to = to.tomorrow().ok()?.to_zoned(tz).ok()?.timestamp();
    Some((from, to))
}

pub fn compute(
    d: &duban_app::service::Services,
    tasks: &[Item<'_>],
    names: &Names,
    members: &duban_domain::visibility::Members,
    period: charts::MapSpan,
    sort: StatsSort,
) -> Stats {
    let keys = |t: &Task| -> Vec<(String, String)> {
        let mut units: Vec<_> = duban_domain::visibility::units(&t.fields.lead, members).collect();
        units.sort_by_key(|u| u.0);
        units.dedup();
        if units.is_empty() {
            return vec![lead_of(t, names)];
        }
        units.into_iter().map(|u| (format!("u{}", u.0), names.parties(&[Party::Unit(u)]))).collect()
    };
    let s = DomainStats::of_each(
        tasks.iter().map(|t| (keys(t.task), t.schedule)),
        d.core().now(),
        &d.core().policy().timezone(),
        window_of(d, period),
    );
    let mut by_unit: Vec<_> = s.groups.into_iter().map(|((_, name), g)| (name, g.tasks, g.sign, g.done)).collect();
    let rate = |r: Rate| r.percent().unwrap_or(-1.0);
    match sort {
        StatsSort::Tasks => by_unit.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0))),
        StatsSort::Sign => {
            by_unit.sort_by(|a, b| rate(b.2).total_cmp(&rate(a.2)).then(b.1.cmp(&a.1)).then(a.0.cmp(&b.0)))
        }
        StatsSort::Done => {
            by_unit.sort_by(|a, b| rate(b.3).total_cmp(&rate(a.3)).then(b.1.cmp(&a.1)).then(a.0.cmp(&b.0)))
        }
    }
    let weekly = s.weekly.into_iter().map(|(monday, n)| (format!("{}/{}", monday.month(), monday.day()), n)).collect();
    Stats { by_unit, sign: s.all.sign, done: s.all.done, weekly, tasks: s.all.tasks }
}

/// The statistics page's choices: the period (本月, 本季度, 本年, or everything) and the order.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StatsParams {
    period: String,
    sort: String,
}

async fn stats_of(d: &AppState, v: &Viewer, p: &StatsParams) -> Result<(Stats, charts::MapSpan, StatsSort), Error> {
    let names = d.reporting().party_names().await?;
    let members = d.access().group_members().await?;
    let snap = d.tasks().snapshot().await?;
    let tasks = visible(d, v, &snap, None).await?;
    let (period, sort) = (charts::MapSpan::parse(&p.period), StatsSort::parse(&p.sort));
    Ok((compute(d, &tasks, &names, &members, period, sort), period, sort))
}

fn period_caption(d: &AppState, period: charts::MapSpan) -> String {
    let today = d.core().now().to_zoned(d.core().policy().timezone()).date();
    match period.around(today) {
        Some((from, to)) => period.caption(from, to),
        None => "全部".into(),
    }
}

pub async fn stats(State(d): State<AppState>, v: Viewer, Query(p): Query<StatsParams>) -> PageResult {
    v.require::<Oversee>()?;
    let (s, period, sort) = stats_of(&d, &v, &p).await?;
    let chart_rows: Vec<(String, Option<f64>, Option<f64>)> =
        s.by_unit.iter().take(25).map(|(n, _, a, b)| (n.clone(), a.percent(), b.percent())).collect();
    let query = format!(
        "period={}&sort={}",
        period.code(),
        match sort {
            StatsSort::Tasks => "tasks",
            StatsSort::Sign => "sign",
            StatsSort::Done => "done",
        }
    );
    let page = StatsPage {
        nav: Nav::new(Some(&v), "/stats"),
        today: d.core().now().to_zoned(d.core().policy().timezone()).date().to_string(),
        period_caption: period_caption(&d, period),
        periods: [
            (charts::MapSpan::Month, "本月"),
            (charts::MapSpan::Quarter, "本季度"),
            (charts::MapSpan::Year, "本年"),
            (charts::MapSpan::Whole, "全部"),
        ]
        .into_iter()
        .map(|(p, l)| (p.code(), l, p == period))
        .collect(),
        sorts: [
            (StatsSort::Tasks, "tasks", "按任务数"),
            (StatsSort::Sign, "sign", "按按时签收率"),
            (StatsSort::Done, "done", "按按时办结率"),
        ]
        .into_iter()
        .map(|(s, c, l)| (c, l, s == sort))
        .collect(),
        query,
        total: s.tasks,
        sign_all: pct(s.sign),
        done_all: pct(s.done),
        rates_svg: charts::rate_bars(&chart_rows, ["按时签收率", "按时办结率"]),
        trend_svg: charts::weekly_line(&s.weekly),
        lines: s
            .by_unit
            .iter()
            .enumerate()
            .map(|(i, (unit, n, a, b))| RateLine {
                rank: i + 1,
                unit: unit.clone(),
                tasks: *n,
                sign: pct(*a),
                done: pct(*b),
            })
            .collect(),
    };
    Ok(render(&page, StatusCode::OK))
}

/// The statistics as an .xlsx workbook, in the page's period and order.
pub async fn stats_export(State(d): State<AppState>, v: Viewer, Query(p): Query<StatsParams>) -> PageResult {
    v.require::<Oversee>()?;
    let (s, period, _) = stats_of(&d, &v, &p).await?;
    let today = d.core().now().to_zoned(d.core().policy().timezone()).date();
    let caption = period_caption(&d, period);
    let lines: Vec<[String; 5]> = s
        .by_unit
        .iter()
        .enumerate()
        .map(|(i, (unit, n, a, b))| [(i + 1).to_string(), unit.clone(), n.to_string(), pct(*a), pct(*b)])
        .collect();
    let bytes = duban_app::export::stats_xlsx(&format!("各单位落实情况统计（{caption}）"), today, &lines)?;
    let name = crate::http::percent_encode(&format!("统计-{caption}-{today}.xlsx"));
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename*=UTF-8''{name}")),
        ],
        bytes,
    )
        .into_response())
}

// ---- 挂图作战 ----

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MapParams {
    ledger: String,
    group: String,
    page: String,
    /// month / quarter / year around today, or the whole ledger (the default).
    span: String,
}

/// Bars on one map: more would not be readable on a screen or a sheet of paper.
const MAP_ROWS: usize = 300;

#[derive(Template)]
#[template(path = "map.html")]
struct MapPage {
    nav: Nav,
    ledgers: Vec<(i64, String)>,
    ledger: i64,
    by_section: bool,
    spans: Vec<(&'static str, &'static str, bool)>,
    span_caption: String,
    overdue: usize,
    total: usize,
    page: usize,
    pages: usize,
    query: String,
    svg: String,
}

pub async fn map(State(d): State<AppState>, v: Viewer, Query(p): Query<MapParams>) -> PageResult {
    let ledgers: Vec<(i64, String)> =
        d.queries().ledgers().await?.into_iter().map(|l| (l.id.0, l.fields.name)).collect();
    let ledger = match p.ledger.trim() {
        "" => ledgers.first().map(|l| l.0).unwrap_or(0),
        s => s.parse().map_err(|_| Error::invalid("ledger", format!("“{s}”不是有效的台账编号")))?,
    };
    let by_section = p.group == "section";
    let span = charts::MapSpan::parse(&p.span);
    let names = d.reporting().party_names().await?;
    let tz = d.core().policy().timezone();
    let today = d.core().now().to_zoned(tz.clone()).date();
    let snap = d.tasks().snapshot().await?;
    let tasks = if ledger == 0 { Vec::new() } else { visible(&d, &v, &snap, Some(LedgerId(ledger))).await? };
    let mut rows: Vec<(String, MapTask)> = Vec::new();
    let (mut from, mut to) = (today, today);
    let window = span.around(today);
    let calendar = d.core().calendar();
    let now = d.core().now();
    let mut overdue = 0;
    for t in &tasks {
        let f = &t.task.fields;
        let start = f.received_at.to_zoned(tz.clone()).date();
        let end: Option<Date> = t.schedule.deadline(f.deadline);
        let open = t.task.status.is_open();
        let overdue_days =
            if open && t.light == Some(Light::Red) { t.schedule.overdue_workdays(now, &tz, &calendar) } else { None };
        // In a chosen span, a task shows when its bar (to today, while it is overdue) meets it.
        if let Some((a, b)) = window {
            let last = match (end, overdue_days) {
                (Some(e), Some(_)) => e.max(today),
                (Some(e), None) => e,
                (None, _) => b,
            };
            if start > b || last < a {
                continue;
            }
        }
        overdue += usize::from(overdue_days.is_some());
        from = from.min(start);
        to = to.max(end.unwrap_or(start));
        for m in &f.milestones {
            to = to.max(m.due);
        }
        let key = if by_section {
            if f.section.is_empty() { "（未分节）".to_string() } else { f.section.clone() }
        } else {
            lead_of(t.task, &names).1
        };
        rows.push((
            key,
            MapTask {
                title: format!("{} {}", duban_domain::task::display_number(&f.number), f.title).trim().to_string(),
                start,
                end,
                light: super::rows::light(t.light).0,
                closed: !open,
                milestones: f.milestones.iter().map(|m| (m.due, m.text.clone())).collect(),
                overdue_days,
            },
        ));
    }
    // Grouped, then paged: the axis spans the whole ledger on every page.
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let rows_total = rows.len();
    let pages = rows.len().div_ceil(MAP_ROWS).max(1);
    let page = p.page.trim().parse::<usize>().unwrap_or(1).clamp(1, pages);
    let mut groups: BTreeMap<String, Vec<MapTask>> = BTreeMap::new();
    for (key, t) in rows.into_iter().skip((page - 1) * MAP_ROWS).take(MAP_ROWS) {
        groups.entry(key).or_default().push(t);
    }
    let (from, to) = window.unwrap_or((from.first_of_month(), to.last_of_month()));
    let groups: Vec<(String, Vec<MapTask>)> = groups.into_iter().collect();
    let shown = rows_total;
    let page = MapPage {
        nav: Nav::new(Some(&v), "/map"),
        ledgers,
        ledger,
        by_section,
        spans: [charts::MapSpan::Month, charts::MapSpan::Quarter, charts::MapSpan::Year, charts::MapSpan::Whole]
            .into_iter()
            .map(|s| {
                let label = match s {
                    charts::MapSpan::Month => "本月",
                    charts::MapSpan::Quarter => "本季度",
                    charts::MapSpan::Year => "本年",
                    charts::MapSpan::Whole => "全部",
                };
                (s.code(), label, s == span)
            })
            .collect(),
        span_caption: span.caption(from, to),
        overdue,
        total: shown,
        page,
        pages,
        query: format!("ledger={ledger}&group={}&span={}", if by_section { "section" } else { "unit" }, span.code()),
        svg: charts::battle_map(&groups, from, to, today, span),
    };
    Ok(render(&page, StatusCode::OK))
}
