//! The desk (工作台, `/`), fitted to the roles of the person signed in (issue 12 §2). One page,
//! with a part for each of their roles:
//!
//! - **Office (督查室):** the queues that wait for it — 待审核 (feedback to review), 延期待批,
//!   争议待裁定, 督办待回复 (督办 notices with no progress since) — each with its count, the first
//!   ten and 查看全部 into the ledger filtered the same way; the notices of feedback that arrived
//!   and are not yet read (标为已读 marks them read).
//! - **Leader (驾驶舱):** the units in their charge with their lights, overdue counts and on-time
//!   rates ([`duban_domain::stats`]), the worst tasks (overdue longest), the 督办 notices not
//!   answered, and the extension requests waiting for their decision. Leaders do not sign.
//! - **Unit head:** the unit's feedback waiting for the head's approval after a 督办.
//! - **Officer (and head):** 待签收 with check boxes and one 批量签收 button, 本周到期 by the stage
//!   that falls due (its name and date), 已逾期 and 被退回.
//!
//! Lists are paged store queries (ten rows each); the leader's figures come from the tasks
//! area's snapshot (kept current incrementally), so no request loads the ledger.

use super::errors::render;
use super::rows::Row;
use super::{AppState, Fields, Nav, Viewer, WebError};
use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use duban_app::core::{TaskView, light_of};
use duban_app::reporting::PartyNames;
use duban_domain::Error;
use duban_domain::ids::{TaskId, UnitId};
use duban_domain::org::Role;
use duban_domain::stats::{Rate, Stats};
use duban_domain::supervision::MessageKind;
use duban_domain::task::{Light, Party, Status};
use duban_domain::visibility::units;
use duban_store::{TaskQuery, TaskSort};
use std::collections::{BTreeMap, HashSet};

type PageResult = Result<Response, WebError>;

/// How many rows a desk list shows.
const SHOWN: u32 = 10;

/// One list of the desk: its count, its first rows and where 查看全部 leads.
pub struct DeskList {
    pub key: &'static str,
    pub title: &'static str,
    pub total: u64,
    pub rows: Vec<DeskRow>,
    /// The ledger filtered to the same tasks; empty when there is no such filter.
    pub more: String,
}

/// A row of a desk list: the task, and for 本周到期 the stage that falls due and its date.
pub struct DeskRow {
    pub row: Row,
    /// "签收 2026-03-04": the stage due first and its due date (本周到期), else the deadline.
    pub due: String,
}

/// A unit in a leader's charge, as the 驾驶舱 shows it.
pub struct UnitLine {
    pub id: i64,
    pub name: String,
    pub tasks: usize,
    pub green: usize,
    pub yellow: usize,
    pub red: usize,
    /// 完成按时率, e.g. "80.0%（4/5）", or "—" when nothing is due yet.
    pub done_rate: String,
    pub sign_rate: String,
}

/// The leader's 驾驶舱.
pub struct Cockpit {
    pub units: Vec<UnitLine>,
    pub totals: UnitLine,
    pub worst: DeskList,
    pub unanswered: DeskList,
    pub extensions: DeskList,
}

pub struct InboxLine {
    pub id: i64,
    pub subject: String,
    pub task: Option<i64>,
    pub at: String,
}

#[derive(Template)]
#[template(path = "desk.html")]
struct DeskPage {
    nav: Nav,
    today: String,
    csrf: String,
    /// The office's queues (empty for anyone else).
    office: Vec<DeskList>,
    /// The notices of feedback that reached the office and are not yet read, newest first.
    arrived: Vec<InboxLine>,
    cockpit: Option<Cockpit>,
    /// The unit head's approvals.
    approvals: Option<DeskList>,
    /// 待签收, with check boxes (officers and heads).
    to_sign: Option<DeskList>,
    lists: Vec<DeskList>,
    inbox: Vec<InboxLine>,
}

fn has(v: &Viewer, r: Role) -> bool {
    v.person.fields.roles.contains(&r)
}

/// The viewer's base query: what they may see, and for a unit's people their unit's own work.
fn scoped(d: &AppState, v: &Viewer) -> TaskQuery {
    let unit_role = has(v, Role::Officer) || has(v, Role::UnitHead);
    let own_unit_only = unit_role && !v.actor.capabilities().all_units;
    TaskQuery {
        audience: Some(d.access().audience(&v.person)),
        unit_id: if own_unit_only { v.person.fields.unit_id } else { None },
        lead_only: own_unit_only,
        sort: TaskSort::Due,
        page: 1,
        per_page: SHOWN,
        now: d.core().now(),
        ..Default::default()
    }
}

fn date_of(d: &AppState, t: jiff::Timestamp) -> String {
    t.to_zoned(d.core().policy().timezone()).date().to_string()
}

/// The stage of a task that falls due first among its open stages, and its due date.
fn due_stage(d: &AppState, v: &TaskView) -> String {
    let s = d.core().schedule_of(&v.task.fields, &v.task.events);
    s.stages
        .iter()
        .filter(|st| st.started_at.is_some() && st.stopped_at.is_none() && st.due_at.is_some())
        .min_by_key(|st| st.due_at)
        .and_then(|st| st.due_at.map(|at| format!("{} {}", st.name, date_of(d, at))))
        .unwrap_or_else(|| v.deadline_in_force.map(|x| x.to_string()).unwrap_or_default())
}

async fn list(
    d: &AppState,
    names: &PartyNames,
    key: &'static str,
    title: &'static str,
    q: TaskQuery,
    more: String,
    by_stage: bool,
) -> Result<DeskList, Error> {
    let page = d.tasks().list_tasks(q).await?;
    let rows = page
        .items
        .iter()
        .map(|t| DeskRow {
            row: Row::of(t, names),
            due: if by_stage {
                due_stage(d, t)
            } else {
                t.deadline_in_force.map(|x| x.to_string()).unwrap_or_default()
            },
        })
        .collect();
    Ok(DeskList { key, title, total: page.total, rows, more })
}

fn pct(r: Rate) -> String {
    r.percent().map(|p| format!("{p:.1}%（{}/{}）", r.on_time, r.total())).unwrap_or_else(|| "—".into())
}

/// The leader's 驾驶舱, from the snapshot: the tasks they may see that a unit in their charge
/// leads (a task led by a group counts for each of its units in their charge).
async fn cockpit(d: &AppState, v: &Viewer, names: &PartyNames, base: &TaskQuery) -> Result<Cockpit, Error> {
    let snap = d.tasks().snapshot().await?;
    let members = d.access().group_members().await?;
    let audience = d.access().audience(&v.person);
    let now = d.core().now();
    let tz = d.core().policy().timezone();
    let charge: Vec<UnitId> = v.person.fields.charge_units.clone();
    let mut lights: BTreeMap<UnitId, (usize, usize, usize, usize)> =
        charge.iter().map(|u| (*u, (0, 0, 0, 0))).collect();
    let mut totals = (0, 0, 0, 0);
    let mut mine = Vec::new();
    let mut worst = Vec::new();
    let mut extensions = Vec::new();
    for (task, schedule) in &snap.tasks {
        if task.status == Status::Cancelled || !audience.sees(task, &members) {
            continue;
        }
        let led: Vec<UnitId> = units(&task.fields.lead, &members).filter(|u| charge.contains(u)).collect();
        let named = task.fields.leader_id == Some(v.person.id);
        if led.is_empty() && !named {
            continue;
        }
        let light = light_of(task, schedule, now);
        let tally = |t: &mut (usize, usize, usize, usize)| {
            t.0 += 1;
            match light {
                Some(Light::Green) => t.1 += 1,
                Some(Light::Yellow) => t.2 += 1,
                Some(Light::Red) => t.3 += 1,
                None => {}
            }
        };
        for u in &led {
            if let Some(t) = lights.get_mut(u) {
                tally(t);
            }
        }
        tally(&mut totals);
        if light == Some(Light::Red) {
            worst.push((schedule.due_at, task));
        }
        if task.status == Status::Extension {
            extensions.push((schedule.due_at, task));
        }
        mine.push((led, schedule));
    }
    let stats = Stats::of_each(mine.iter().map(|(led, s)| (led.clone(), *s)), now, &tz, None);
    let rates: BTreeMap<UnitId, (Rate, Rate)> = stats.groups.iter().map(|(u, g)| (*u, (g.sign, g.done))).collect();
    let line = |id: i64, name: String, t: (usize, usize, usize, usize), r: (Rate, Rate)| UnitLine {
        id,
        name,
        tasks: t.0,
        green: t.1,
        yellow: t.2,
        red: t.3,
        sign_rate: pct(r.0),
        done_rate: pct(r.1),
    };
    let mut unit_lines: Vec<UnitLine> = lights
        .iter()
        .map(|(u, t)| line(u.0, names.parties(&[Party::Unit(*u)]), *t, rates.get(u).copied().unwrap_or_default()))
        .collect();
    // The units with the most overdue first.
    unit_lines.sort_by(|a, b| b.red.cmp(&a.red).then(b.yellow.cmp(&a.yellow)).then(a.name.cmp(&b.name)));
    let totals = line(0, "合计".into(), totals, (stats.all.sign, stats.all.done));
    let rows_of = |mut items: Vec<(Option<jiff::Timestamp>, &duban_domain::task::Task)>| {
        items.sort_by_key(|(due, t)| (*due, t.id));
        let total = items.len() as u64;
        let rows: Vec<DeskRow> = items
            .into_iter()
            .take(SHOWN as usize)
            .map(|(_, t)| {
                let view = d.core().view(t.clone(), now, false);
                DeskRow { due: due_stage(d, &view), row: Row::of(&view, names) }
            })
            .collect();
        (total, rows)
    };
    let (worst_total, worst_rows) = rows_of(worst);
    let (ext_total, ext_rows) = rows_of(extensions);
    let unanswered = list(
        d,
        names,
        "unanswered",
        "督办待回复",
        TaskQuery { unanswered: true, ..base.clone() },
        "/tasks?unanswered=true".into(),
        false,
    )
    .await?;
    Ok(Cockpit {
        units: unit_lines,
        totals,
        worst: DeskList {
            key: "worst",
            title: "逾期最久的任务",
            total: worst_total,
            rows: worst_rows,
            more: "/tasks?light=red".into(),
        },
        unanswered,
        extensions: DeskList {
            key: "extensions",
            title: "待我审批的延期申请",
            total: ext_total,
            rows: ext_rows,
            more: "/tasks?status=extension".into(),
        },
    })
}

fn inbox_line(d: &AppState, m: duban_store::Message) -> InboxLine {
    let tz = d.core().policy().timezone();
    InboxLine {
        id: m.id,
        subject: m.message.subject,
        task: m.message.task_id.map(|t| t.0),
        at: m.delivered_at.map(|t| t.to_zoned(tz.clone()).strftime("%m-%d %H:%M").to_string()).unwrap_or_default(),
    }
}

async fn desk_page(d: &AppState, v: &Viewer, flash: Option<(&'static str, String)>) -> PageResult {
    let tz = d.core().policy().timezone();
    let now = d.core().now();
    let today = now.to_zoned(tz.clone()).date();
    let names = d.reporting().party_names().await?;
    let base = scoped(d, v);
    let office_role = has(v, Role::Office);
    let leader = has(v, Role::Leader);
    let unit_person = has(v, Role::Officer) || has(v, Role::UnitHead);
    let mut office = Vec::new();
    if office_role {
        for (key, title, status, more) in [
            ("review", "待审核", Status::Feedback, "/tasks?status=feedback"),
            ("extension", "延期待批", Status::Extension, "/tasks?status=extension"),
            ("dispute", "争议待裁定", Status::Disputed, "/tasks?status=disputed"),
        ] {
            let q = TaskQuery { statuses: vec![status], ..base.clone() };
            office.push(list(d, &names, key, title, q, more.into(), false).await?);
        }
        let q = TaskQuery { unanswered: true, ..base.clone() };
        office.push(list(d, &names, "unanswered", "督办待回复", q, "/tasks?unanswered=true".into(), false).await?);
    }
    let cockpit = if leader { Some(cockpit(d, v, &names, &base).await?) } else { None };
    let unit_filter = v.person.fields.unit_id.map(|u| format!("&unit={}", u.0)).unwrap_or_default();
    let approvals = if has(v, Role::UnitHead) {
        let q = TaskQuery { statuses: vec![Status::HeadApproval], ..base.clone() };
        let more = format!("/tasks?status=head_approval{unit_filter}");
        Some(list(d, &names, "approval", "待我审批的反馈", q, more, false).await?)
    } else {
        None
    };
    let to_sign = if unit_person {
        let q = TaskQuery { statuses: vec![Status::Assigned], ..base.clone() };
        Some(list(d, &names, "sign", "待签收", q, format!("/tasks?status=assigned{unit_filter}"), true).await?)
    } else {
        None
    };
    let mut lists = Vec::new();
    if unit_person || office_role || !leader {
        let (_, sunday) = duban_domain::period::week_of(today).ok_or(Error::Internal)?;
        let week_end = sunday.to_datetime(jiff::civil::Time::MAX).to_zoned(tz.clone()).map_err(|_| Error::Internal)?;
        let week = TaskQuery { due_before: Some(week_end.timestamp()), due_after: Some(now), ..base.clone() };
        lists.push(list(d, &names, "week", "本周到期", week, String::new(), true).await?);
        let red = TaskQuery { light: Some(Light::Red), ..base.clone() };
        lists.push(list(d, &names, "overdue", "已逾期", red, format!("/tasks?light=red{unit_filter}"), true).await?);
    }
    if unit_person {
        let q = TaskQuery { statuses: vec![Status::Returned], ..base.clone() };
        lists.push(
            list(d, &names, "returned", "被退回", q, format!("/tasks?status=returned{unit_filter}"), false).await?,
        );
    }
    // Only notices of tasks the viewer may still see (the service drops the others).
    let (arrived, inbox): (Vec<_>, Vec<_>) = d
        .queries()
        .inbox(&v.person, 20)
        .await?
        .into_iter()
        .partition(|m| office_role && m.message.kind == MessageKind::Feedback.code());
    let arrived: Vec<_> = arrived.into_iter().filter(|m| m.read_at.is_none()).collect();
    let arrived = arrived.into_iter().take(SHOWN as usize).map(|m| inbox_line(d, m)).collect();
    let inbox = inbox.into_iter().take(SHOWN as usize).map(|m| inbox_line(d, m)).collect();
    let mut nav = Nav::new(Some(v), "/");
    if let Some((kind, text)) = flash {
        nav = nav.flash(kind, text);
    }
    let page = DeskPage {
        nav,
        today: today.to_string(),
        csrf: v.csrf.clone(),
        office,
        arrived,
        cockpit,
        approvals,
        to_sign,
        lists,
        inbox,
    };
    Ok(render(&page, StatusCode::OK))
}

pub async fn desk(State(d): State<AppState>, v: Viewer) -> PageResult {
    desk_page(&d, &v, None).await
}

/// The inbox page: a page of a person's in-app messages.
#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    nav: Nav,
    lines: Vec<InboxLine>,
    /// The address of the next (older) page, when there may be one.
    older: Option<String>,
    /// Whether this is a later page (a link back to the newest).
    later: bool,
}

/// `?before=` of the inbox page: the id the page starts below.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct InboxParams {
    before: String,
}

/// Messages per inbox page.
const INBOX_PAGE: usize = 50;

/// `GET /inbox`: every reminder, notice and message the person received in the system (收到的
/// 提醒), newest first, a page of fifty at a time, only those of tasks they may still see.
pub async fn inbox(State(d): State<AppState>, v: Viewer, Query(p): Query<InboxParams>) -> PageResult {
    let before: Option<i64> = p.before.trim().parse().ok();
    let (messages, next) = d.queries().inbox_page(&v.person, before, INBOX_PAGE).await?;
    let lines = messages.into_iter().map(|m| inbox_line(&d, m)).collect();
    let older = next.map(|id| format!("/inbox?before={id}"));
    let page = InboxPage { nav: Nav::new(Some(&v), "/"), lines, older, later: before.is_some() };
    Ok(render(&page, StatusCode::OK))
}

/// 标为已读: the feedback notices shown on the office's desk are marked read (only the viewer's
/// own; others' ids change nothing), and the desk shows the next ones.
pub async fn mark_read(State(d): State<AppState>, v: Viewer, Form(form): Form<Fields>) -> PageResult {
    v.check_csrf(form.get("csrf"))?;
    let ids: Vec<i64> = form.all("id").filter_map(|i| i.parse().ok()).collect();
    match d.outbox().mark_read(&v.actor, &ids, d.core().now()).await {
        Ok(n) => desk_page(&d, &v, Some(("ok", format!("已将 {n} 条提醒标为已读。")))).await,
        Err(e @ (Error::Invalid { .. } | Error::Forbidden)) => desk_page(&d, &v, Some(("error", e.to_string()))).await,
        Err(e) => Err(e.into()),
    }
}

/// 批量签收 from the desk: the tasks ticked are each signed as an ordinary action; the desk
/// again, saying how many were signed and why any were not.
pub async fn sign_many(State(d): State<AppState>, v: Viewer, Form(form): Form<Fields>) -> PageResult {
    v.check_csrf(form.get("csrf"))?;
    let mut seen = HashSet::new();
    let ids: Vec<TaskId> =
        form.all("id").filter_map(|i| i.parse().ok()).filter(|i| seen.insert(*i)).map(TaskId).collect();
    match d.lifecycle().sign_many(&v.actor, &ids).await {
        Ok(r) => {
            let mut text = format!("已签收 {} 项任务。", r.signed.len());
            if !r.refused.is_empty() {
                let why: Vec<String> = r.refused.iter().map(|t| format!("#{}：{}", t.task_id.0, t.message)).collect();
                text.push_str(&format!("{} 项未签收（{}）。", r.refused.len(), why.join("；")));
            }
            let kind = if r.signed.is_empty() { "error" } else { "ok" };
            desk_page(&d, &v, Some((kind, text))).await
        }
        Err(e @ (Error::Invalid { .. } | Error::Forbidden)) => desk_page(&d, &v, Some(("error", e.to_string()))).await,
        Err(e) => Err(e.into()),
    }
}
