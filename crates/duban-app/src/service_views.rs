//! [`ServiceViews`]: whole histories and enterprise-side statistics of the service to
//! enterprises (issue 14 §6), read across the areas (registry, liaison and stewards, procedures,
//! demands) through their existing ports.
//!
//! Every task shown here passes the one visibility rule (`duban_domain::visibility` through
//! [`Access`]): a task the viewer may not see is not listed, not counted and not named — its
//! demand or obligation is left out with it, so a 涉密 task never reaches anyone not named on it.
//! Visits, assignments and procedures are not secret (anyone signed in reads them), but a link
//! to a task is given only when the task is visible.

use crate::access::Access;
use crate::actor::Actor;
use crate::service::Services;
use duban_domain::Error;
use duban_domain::demand::{Channel, DemandKind, Satisfaction};
use duban_domain::enterprise::{Enterprise, Project};
use duban_domain::facts::{ClockEvent, Complexity};
use duban_domain::ids::{EnterpriseId, ProjectId, TaskId, UnitId};
use duban_domain::liaison::{ServiceKind, Target};
use duban_domain::procedure::ProcedureStatus;
use duban_domain::service_stats::{DemandFact, ServiceCounts, ServiceStats, service_stats};
use duban_domain::task::{Source, Status, Task};
use duban_domain::visibility::{Members, units};
use duban_store::demands::DemandQuery;
use duban_store::enterprises::{EnterpriseQuery, ProjectQuery};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

const PAGE: i64 = 1000;

/// One line of a whole history.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Entry {
    /// When it happened (or started).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    /// The local day of `at`, as shown.
    pub day: String,
    /// `liaison`, `steward`, `visit`, `onsite`, `project`, `procedure`, `demand`, `task`.
    pub area: &'static str,
    /// 包联, 项目管家, 走访, 现场办公, 项目, 前期手续, 企业诉求, 任务.
    pub area_label: &'static str,
    pub title: String,
    pub detail: String,
    /// The status in words, when it has one.
    pub status: String,
    /// `green`, `yellow`, `red` while open.
    pub light: Option<String>,
    /// The unit in charge, linked to its service history.
    pub unit_id: Option<i64>,
    pub unit: Option<String>,
    /// Where to read more.
    pub link: Option<String>,
}

/// A demand line with its stage clocks.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DemandLine {
    pub id: i64,
    pub title: String,
    pub kind: DemandKind,
    pub channel: Channel,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub task_id: Option<TaskId>,
    pub status: String,
    pub light: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub received_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub contacted_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub resolved_at: Option<Timestamp>,
    /// Contacted within 1 working day; none while it can still be.
    pub contact_on_time: Option<bool>,
    /// Solved within 3 (hard: 30) working days; none while it can still be.
    pub solve_on_time: Option<bool>,
    pub satisfaction: Option<Satisfaction>,
}

/// An enterprise's whole history.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnterpriseTimeline {
    pub enterprise: Enterprise,
    pub projects: Vec<Project>,
    pub demands: Vec<DemandLine>,
    pub procedures: Vec<crate::procedures::ProcedureView>,
    /// Visible tasks behind it all (obligations, demands, procedures).
    pub tasks: usize,
    /// Everything, newest first.
    pub entries: Vec<Entry>,
}

/// A task a unit leads, as its service history lists it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitTask {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: TaskId,
    pub title: String,
    pub source: String,
    pub status: String,
    pub light: Option<String>,
}

/// A unit's whole service history.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitService {
    pub unit_id: i64,
    pub unit: String,
    /// Tasks it leads of the four service sources, newest first.
    pub tasks: Vec<UnitTask>,
    /// Counts of those tasks by light: green, yellow, red.
    pub lights: [usize; 3],
    /// Visits and on-site records of its people, newest first.
    pub visits: Vec<Entry>,
    pub demands: Vec<DemandLine>,
    /// Demands contacted within 1 and late; solved within 3/30 and late.
    pub contact_on_time: usize,
    pub contact_late: usize,
    pub solve_on_time: usize,
    pub solve_late: usize,
    /// Procedures it is responsible for.
    pub procedures: Vec<crate::procedures::ProcedureView>,
    /// Commitments kept (finished by the committed date) and missed (finished late or overdue).
    pub kept: usize,
    pub missed: usize,
}

/// The statistics page of one month.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthStats {
    /// `2026-11`.
    pub month: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub first: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub last: Date,
    pub stats: ServiceStats,
}

/// Reads across the service areas.
pub struct ServiceViews<'a> {
    pub(crate) s: &'a Services,
}

/// Which tasks the viewer may see: none of the person's business is checked twice.
struct Seen {
    tasks: HashMap<TaskId, Task>,
    members: Members,
}

fn lights_code(l: Option<duban_domain::task::Light>) -> Option<String> {
    l.map(|l| l.code().to_string())
}

/// Parses `2026-11` into the month's first and last day.
pub fn parse_month(m: &str) -> Result<(Date, Date), Error> {
    let bad = || Error::invalid("month", "月份格式应为 2026-11");
    let (y, mo) = m.trim().split_once('-').ok_or_else(bad)?;
    let y: i16 = y.parse().map_err(|_| bad())?;
    let mo: i8 = mo.parse().map_err(|_| bad())?;
    let first = Date::new(y, mo, 1).map_err(|_| bad())?;
    Ok((first, first.last_of_month()))
}

impl<'a> ServiceViews<'a> {
    fn access(&self) -> &Access {
        self.s.access()
    }

    fn today(&self) -> Date {
        self.s.core().now().to_zoned(self.s.core().policy().timezone()).date()
    }

    fn fill_days(&self, entries: &mut [Entry]) {
        for e in entries {
            e.day = if e.at == Timestamp::UNIX_EPOCH { "未启动".into() } else { self.day(e.at).to_string() };
        }
    }

    fn day(&self, t: Timestamp) -> Date {
        t.to_zoned(self.s.core().policy().timezone()).date()
    }

    /// The tasks the actor may see.
    async fn seen(&self, actor: &Actor) -> Result<Seen, Error> {
        let snapshot = self.s.tasks().snapshot().await?;
        let members = self.access().group_members().await?;
        let audience = actor.person().map(|p| self.access().audience(p));
        let tasks = snapshot
            .tasks
            .iter()
            .map(|(t, _)| t)
            .filter(|t| audience.as_ref().is_none_or(|a| a.sees(t, &members)))
            .map(|t| (t.id, t.clone()))
            .collect();
        Ok(Seen { tasks, members })
    }

    fn light(&self, t: &Task) -> Option<String> {
        let now = self.s.core().now();
        let view = self.s.core().view(t.clone(), now, false);
        lights_code(view.light)
    }

    async fn unit_names(&self) -> Result<HashMap<i64, String>, Error> {
        Ok(self.s.procedures().directory.list_units().await?.into_iter().map(|u| (u.id.0, u.name)).collect())
    }

    fn within(&self, from: Timestamp, to: Option<Timestamp>, limit: i32) -> Option<bool> {
        let cal = self.s.core().calendar();
        let from = self.day(from);
        match to {
            Some(t) => cal.workdays_between(from, self.day(t)).ok().map(|r| r.value <= limit),
            None => match cal.workdays_between(from, self.today()).ok() {
                Some(r) if r.value > limit => Some(false),
                _ => None,
            },
        }
    }

    fn demand_line(&self, d: &duban_store::demands::Demand, task: Option<&Task>) -> DemandLine {
        let ev = |e| task.and_then(|t| t.events.get(&e).copied());
        let received = ev(ClockEvent::Received);
        let contacted = ev(ClockEvent::Contacted);
        let resolved = ev(ClockEvent::Resolved);
        let hard = task.is_some_and(|t| t.fields.complexity != Complexity::General);
        DemandLine {
            id: d.id,
            title: d.title.clone(),
            kind: d.kind,
            channel: d.channel,
            task_id: task.map(|t| t.id),
            status: task.map_or_else(|| "待分派".to_string(), |t| t.status.to_string()),
            light: task.and_then(|t| self.light(t)),
            received_at: received,
            contacted_at: contacted,
            resolved_at: resolved,
            contact_on_time: received.and_then(|r| self.within(r, contacted, 1)),
            solve_on_time: received.and_then(|r| self.within(r, resolved, if hard { 30 } else { 3 })),
            satisfaction: d
                .rating
                .as_ref()
                .map(|r| r.satisfaction)
                .or(d.return_visit.as_ref().and_then(|v| v.satisfaction)),
        }
    }

    async fn all_projects(&self, enterprise: Option<EnterpriseId>) -> Result<Vec<Project>, Error> {
        let store = &self.s.procedures().projects;
        let mut all = Vec::new();
        loop {
            let q =
                ProjectQuery { enterprise_id: enterprise, offset: all.len() as i64, limit: PAGE, ..Default::default() };
            let (page, total) = store.projects(&q).await?;
            let n = page.len();
            all.extend(page);
            if n == 0 || all.len() as i64 >= total {
                return Ok(all);
            }
        }
    }

    async fn enterprise_count(&self) -> Result<i64, Error> {
        let q = EnterpriseQuery { limit: 1, ..Default::default() };
        Ok(self.s.procedures().projects.enterprises(&q).await?.1)
    }

    /// The procedures of these projects as the battle map shows them, keeping a task link only
    /// when the task is visible.
    async fn procedures_of(
        &self,
        actor: &Actor,
        projects: &[Project],
        seen: &Seen,
    ) -> Result<Vec<crate::procedures::ProcedureView>, Error> {
        let mut out = Vec::new();
        for p in projects {
            let mut pp = self.s.procedures().of_project(actor, p.id).await?.procedures;
            for v in &mut pp {
                if v.task_id.is_some_and(|t| !seen.tasks.contains_key(&TaskId(t))) {
                    v.task_id = None;
                    v.light = None;
                }
            }
            out.extend(pp);
        }
        Ok(out)
    }

    /// An enterprise's whole history, newest first.
    pub async fn enterprise(&self, actor: &Actor, id: EnterpriseId) -> Result<EnterpriseTimeline, Error> {
        actor.require_signed_in()?;
        let enterprise = self.s.enterprises().enterprise(actor, id).await?;
        let seen = self.seen(actor).await?;
        let names = self.unit_names().await?;
        let unit_name = |u: i64| names.get(&u).cloned().unwrap_or_else(|| format!("单位 {u}"));
        let projects = self.all_projects(Some(id)).await?;
        let project_ids: HashSet<ProjectId> = projects.iter().map(|p| p.id).collect();
        let mut entries = Vec::new();
        let mut task_ids: HashSet<TaskId> = HashSet::new();
        let tz = self.s.core().policy().timezone();
        let start_of = |d: Date| d.to_zoned(tz.clone()).map(|z| z.timestamp()).unwrap_or(Timestamp::UNIX_EPOCH);

        // Liaisons and stewards, their obligations and their records.
        let liaison = self.s.liaison();
        for kind in [ServiceKind::Liaison, ServiceKind::Steward] {
            let rows = liaison.all_assignments(actor, kind).await?;
            let mine: HashMap<i64, &crate::liaison::AssignmentRow> = rows
                .iter()
                .filter(|r| match r.assignment.fields.target {
                    Target::Enterprise(e) => e == id,
                    Target::Project(p) => project_ids.contains(&p),
                })
                .map(|r| (r.assignment.id, r))
                .collect();
            let (area, label, rec, rec_label, path) = match kind {
                ServiceKind::Liaison => ("liaison", "包联", "visit", "走访", "liaison"),
                ServiceKind::Steward => ("steward", "项目管家", "onsite", "现场办公", "stewards"),
            };
            for r in mine.values() {
                let a = &r.assignment;
                entries.push(Entry {
                    at: start_of(a.fields.since),
                    day: String::new(),
                    area,
                    area_label: label,
                    title: format!("{}：{}（{}）", label, r.person, r.target),
                    detail: format!(
                        "自 {}{}",
                        a.fields.since,
                        a.fields.until.map(|u| format!(" 至 {u}")).unwrap_or_default()
                    ),
                    status: if r.active { "在任".into() } else { "已结束".into() },
                    light: None,
                    unit_id: Some(a.fields.unit_id.0),
                    unit: Some(r.unit.clone()),
                    link: Some(format!("/{path}/{}", a.id)),
                });
            }
            for (assignment, _period, task) in liaison.store.obligations(kind).await? {
                if mine.contains_key(&assignment) && seen.tasks.contains_key(&task) {
                    task_ids.insert(task);
                }
            }
            for v in liaison.visits(actor, kind, None).await? {
                let Some(r) = mine.get(&v.assignment_id) else { continue };
                let mut detail = v.work.clone();
                for p in &v.problems {
                    let raised = match p.demand_task_id {
                        Some(t) if seen.tasks.contains_key(&t) => format!("（已转为企业诉求，任务 {t}）"),
                        _ => String::new(),
                    };
                    detail.push_str(&format!("\n问题：{}{raised}", p.text));
                }
                if let Some(t) = v.task_id.filter(|t| seen.tasks.contains_key(t)) {
                    task_ids.insert(t);
                }
                entries.push(Entry {
                    at: start_of(v.visited_on),
                    day: String::new(),
                    area: rec,
                    area_label: rec_label,
                    title: format!("{}{}：{}", r.person, rec_label, r.target),
                    detail,
                    status: format!("{} 件问题", v.problems.len()),
                    light: None,
                    unit_id: Some(r.assignment.fields.unit_id.0),
                    unit: Some(r.unit.clone()),
                    link: Some(format!("/{path}/{}", r.assignment.id)),
                });
            }
        }

        // Projects and their procedures.
        for p in &projects {
            entries.push(Entry {
                at: p.created_at,
                day: String::new(),
                area: "project",
                area_label: "项目",
                title: p.fields.name.clone(),
                detail: format!("总投资 {}", p.fields.total_investment.wan_label()),
                status: p.fields.stage.to_string(),
                light: None,
                unit_id: p.fields.unit_id.map(|u| u.0),
                unit: p.fields.unit_id.map(|u| unit_name(u.0)),
                link: Some(format!("/projects/{}", p.id)),
            });
        }
        let procedures = self.procedures_of(actor, &projects, &seen).await?;
        for v in &procedures {
            if let Some(t) = v.task_id {
                task_ids.insert(TaskId(t));
            }
            entries.push(Entry {
                at: v.started_on.map_or(Timestamp::UNIX_EPOCH, start_of),
                day: String::new(),
                area: "procedure",
                area_label: "前期手续",
                title: format!("{}·{}", v.project, v.kind),
                detail: format!(
                    "承诺 {} 个工作日{}{}",
                    v.days,
                    v.committed_on.map(|c| format!("，承诺 {c}")).unwrap_or_default(),
                    v.finished_on.map(|c| format!("，办结 {c}")).unwrap_or_default()
                ),
                status: if v.overdue { format!("{}（逾期）", v.status_label) } else { v.status_label.clone() },
                light: v.light.clone(),
                unit_id: Some(v.unit_id),
                unit: Some(v.unit.clone()),
                link: Some(format!("/projects/{}/procedures", v.project_id)),
            });
        }

        // Demands: only those whose task the viewer sees (a queued one: the office).
        let all = self.s.demands().store.demands(&DemandQuery::default()).await?;
        let mut demands = Vec::new();
        for d in all.iter().filter(|d| d.enterprise_id == Some(id)) {
            let task = match d.task_id {
                Some(t) => match seen.tasks.get(&t) {
                    Some(task) => Some(task),
                    None => continue,
                },
                None if actor.may::<crate::actor::RunLedgers>() => None,
                None => continue,
            };
            if let Some(t) = task {
                task_ids.insert(t.id);
            }
            let line = self.demand_line(d, task);
            let unit = task.and_then(|t| units(&t.fields.lead, &seen.members).next()).map(|u| u.0);
            entries.push(Entry {
                at: d.submitted_at,
                day: String::new(),
                area: "demand",
                area_label: "企业诉求",
                title: d.title.clone(),
                detail: format!(
                    "{}·{}{}",
                    d.channel.label(),
                    d.kind.label(),
                    line.satisfaction.map(|s| format!("；评价：{}", s.label())).unwrap_or_default()
                ),
                status: line.status.clone(),
                light: line.light.clone(),
                unit_id: unit,
                unit: unit.map(unit_name),
                link: Some(format!("/demands/{}", d.id)),
            });
            demands.push(line);
        }

        // The tasks behind it all, each once.
        for t in task_ids.iter().filter_map(|t| seen.tasks.get(t)) {
            let unit = units(&t.fields.lead, &seen.members).next().map(|u| u.0);
            entries.push(Entry {
                at: t.fields.received_at,
                day: String::new(),
                area: "task",
                area_label: "任务",
                title: t.fields.title.clone(),
                detail: t.fields.source.label().to_string(),
                status: t.status.to_string(),
                light: self.light(t),
                unit_id: unit,
                unit: unit.map(unit_name),
                link: Some(format!("/tasks/{}", t.id)),
            });
        }
        entries.sort_by(|a, b| b.at.cmp(&a.at).then(a.area.cmp(b.area)));
        self.fill_days(&mut entries);
        Ok(EnterpriseTimeline { enterprise, projects, demands, procedures, tasks: task_ids.len(), entries })
    }

    /// A unit's whole service history.
    pub async fn unit(&self, actor: &Actor, unit: UnitId) -> Result<UnitService, Error> {
        actor.require_signed_in()?;
        let names = self.unit_names().await?;
        let name = names.get(&unit.0).cloned().ok_or_else(|| Error::not_found(format!("单位 {unit}")))?;
        let seen = self.seen(actor).await?;
        let leads = |t: &Task| units(&t.fields.lead, &seen.members).any(|u| u == unit);
        let service = |t: &Task| {
            matches!(t.fields.source, Source::Liaison | Source::Steward | Source::Procedure | Source::Enterprise)
        };
        let mut mine: Vec<&Task> = seen.tasks.values().filter(|t| service(t) && leads(t)).collect();
        mine.sort_by(|a, b| b.fields.received_at.cmp(&a.fields.received_at).then(b.id.cmp(&a.id)));
        let mut lights = [0; 3];
        let tasks: Vec<UnitTask> = mine
            .iter()
            .map(|t| {
                let light = self.light(t);
                match light.as_deref() {
                    Some("green") => lights[0] += 1,
                    Some("yellow") => lights[1] += 1,
                    Some("red") => lights[2] += 1,
                    _ => {}
                }
                UnitTask {
                    id: t.id,
                    title: t.fields.title.clone(),
                    source: t.fields.source.label().to_string(),
                    status: t.status.to_string(),
                    light,
                }
            })
            .collect();

        let liaison = self.s.liaison();
        let mut visits = Vec::new();
        for kind in [ServiceKind::Liaison, ServiceKind::Steward] {
            let rows = liaison.all_assignments(actor, kind).await?;
            let ours: HashMap<i64, &crate::liaison::AssignmentRow> =
                rows.iter().filter(|r| r.assignment.fields.unit_id == unit).map(|r| (r.assignment.id, r)).collect();
            let (area, label, path) = match kind {
                ServiceKind::Liaison => ("visit", "走访", "liaison"),
                ServiceKind::Steward => ("onsite", "现场办公", "stewards"),
            };
            let tz = self.s.core().policy().timezone();
            for v in liaison.visits(actor, kind, None).await? {
                let Some(r) = ours.get(&v.assignment_id) else { continue };
                visits.push(Entry {
                    at: v.visited_on.to_zoned(tz.clone()).map(|z| z.timestamp()).unwrap_or(v.recorded_at),
                    day: String::new(),
                    area,
                    area_label: label,
                    title: format!("{}{}：{}", r.person, label, r.target),
                    detail: v.work.clone(),
                    status: format!("{} 件问题", v.problems.len()),
                    light: None,
                    unit_id: Some(unit.0),
                    unit: Some(name.clone()),
                    link: Some(format!("/{path}/{}", r.assignment.id)),
                });
            }
        }
        visits.sort_by_key(|v| std::cmp::Reverse(v.at));
        self.fill_days(&mut visits);

        let all = self.s.demands().store.demands(&DemandQuery::default()).await?;
        let mut demands = Vec::new();
        let (mut c_ok, mut c_late, mut s_ok, mut s_late) = (0, 0, 0, 0);
        for d in &all {
            let Some(t) = d.task_id.and_then(|t| seen.tasks.get(&t)) else { continue };
            if !leads(t) {
                continue;
            }
            let line = self.demand_line(d, Some(t));
            match line.contact_on_time {
                Some(true) => c_ok += 1,
                Some(false) => c_late += 1,
                None => {}
            }
            match line.solve_on_time {
                Some(true) => s_ok += 1,
                Some(false) => s_late += 1,
                None => {}
            }
            demands.push(line);
        }

        let projects = self.all_projects(None).await?;
        let procedures: Vec<_> =
            self.procedures_of(actor, &projects, &seen).await?.into_iter().filter(|v| v.unit_id == unit.0).collect();
        let kept = procedures
            .iter()
            .filter(|v| {
                v.status == ProcedureStatus::Done && v.finished_on.zip(v.committed_on).is_some_and(|(f, c)| f <= c)
            })
            .count();
        let missed = procedures
            .iter()
            .filter(|v| {
                v.overdue
                    || v.status == ProcedureStatus::Done
                        && v.finished_on.zip(v.committed_on).is_some_and(|(f, c)| f > c)
            })
            .count();
        Ok(UnitService {
            unit_id: unit.0,
            unit: name,
            tasks,
            lights,
            visits,
            demands,
            contact_on_time: c_ok,
            contact_late: c_late,
            solve_on_time: s_ok,
            solve_late: s_late,
            procedures,
            kept,
            missed,
        })
    }

    /// The enterprise-side statistics of a month, over the demands whose tasks the viewer sees.
    pub async fn stats(&self, actor: &Actor, month: &str) -> Result<MonthStats, Error> {
        actor.require_signed_in()?;
        let (first, last) = parse_month(month)?;
        let seen = self.seen(actor).await?;
        let all = self.s.demands().store.demands(&DemandQuery::default()).await?;
        let office = actor.may::<crate::actor::RunLedgers>();
        let mut facts = Vec::new();
        for d in &all {
            let task = match d.task_id {
                Some(t) => match seen.tasks.get(&t) {
                    Some(task) => Some(task),
                    None => continue,
                },
                None if office => None,
                None => continue,
            };
            let ev = |e| task.and_then(|t| t.events.get(&e).map(|&x| self.day(x)));
            facts.push(DemandFact {
                kind: d.kind,
                channel: d.channel,
                submitted_on: self.day(d.submitted_at),
                received_on: ev(ClockEvent::Received),
                contacted_on: ev(ClockEvent::Contacted),
                resolved_on: ev(ClockEvent::Resolved),
                hard: task.is_some_and(|t| t.fields.complexity != Complexity::General),
                satisfaction: d
                    .rating
                    .as_ref()
                    .map(|r| r.satisfaction)
                    .or(d.return_visit.as_ref().and_then(|v| v.satisfaction)),
            });
        }
        let liaison = self.s.liaison();
        let rows = liaison.all_assignments(actor, ServiceKind::Liaison).await?;
        let by_id: HashMap<i64, Target> = rows.iter().map(|r| (r.assignment.id, r.assignment.fields.target)).collect();
        let with_liaison: HashSet<EnterpriseId> = rows
            .iter()
            .filter(|r| r.assignment.fields.since <= last && r.assignment.fields.until.is_none_or(|u| u >= first))
            .filter_map(|r| match r.assignment.fields.target {
                Target::Enterprise(e) => Some(e),
                Target::Project(_) => None,
            })
            .collect();
        let mut visited = HashSet::new();
        let mut visits = 0;
        for kind in [ServiceKind::Liaison, ServiceKind::Steward] {
            for v in liaison.visits(actor, kind, None).await? {
                if v.visited_on < first || v.visited_on > last {
                    continue;
                }
                visits += 1;
                if kind == ServiceKind::Liaison
                    && let Some(Target::Enterprise(e)) = by_id.get(&v.assignment_id)
                {
                    visited.insert(*e);
                }
            }
        }
        let flags = liaison.steward_flags(actor, &Default::default()).await?.total;
        // Procedures open and overdue at the month's end.
        let projects = self.all_projects(None).await?;
        let ids: Vec<ProjectId> = projects.iter().map(|p| p.id).collect();
        let mut open = 0;
        let mut overdue = 0;
        for r in self.s.procedures().store.procedures_of(&ids).await? {
            let (Some(started), Some(committed)) = (r.procedure.started_on, r.procedure.committed_on) else { continue };
            if started > last || r.status == Some(Status::Cancelled) {
                continue;
            }
            let done_by_then = r.done_at.is_some_and(|d| self.day(d) <= last);
            if !done_by_then {
                open += 1;
                if committed < last.min(self.today()) {
                    overdue += 1;
                }
            }
        }
        let counts = ServiceCounts {
            enterprises: u32::try_from(self.enterprise_count().await?).unwrap_or(u32::MAX),
            with_liaison: with_liaison.len() as u32,
            visited: visited.len() as u32,
            visits,
            steward_flags: flags as u32,
            procedures_open: open,
            procedures_overdue: overdue,
        };
        let stats = service_stats(&self.s.core().calendar(), first, last, self.today(), &facts, counts);
        Ok(MonthStats { month: format!("{:04}-{:02}", first.year(), first.month()), first, last, stats })
    }
}

fn days(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |x| format!("{x:.1}"))
}

impl MonthStats {
    /// The figures as (指标, 数值) lines, problems first — the page, the sheet and the bulletin
    /// read the same lines.
    pub fn lines(&self) -> Vec<(String, String)> {
        let s = &self.stats;
        let mut v: Vec<(String, String)> = s.problems.iter().map(|p| ("存在问题".to_string(), p.clone())).collect();
        v.push(("企业诉求（件）".into(), s.demands.to_string()));
        v.push(("其中待分派（件）".into(), s.queued.to_string()));
        for c in &s.by_kind {
            v.push((format!("类别：{}", c.label), c.n.to_string()));
        }
        for c in &s.by_channel {
            v.push((format!("渠道：{}", c.label), c.n.to_string()));
        }
        v.push((
            "联系企业用时（工作日，中位数/平均）".into(),
            format!("{} / {}", days(s.to_contact.median), days(s.to_contact.mean)),
        ));
        v.push((
            "解决用时（工作日，中位数/平均）".into(),
            format!("{} / {}", days(s.to_solve.median), days(s.to_solve.mean)),
        ));
        v.push(("1个工作日内联系企业".into(), s.contacted_in_1.text()));
        v.push(("3个工作日内解决".into(), s.solved_in_3.text()));
        v.push(("疑难30个工作日内解决".into(), s.solved_in_30.text()));
        v.push(("已评价".into(), s.rated.text()));
        v.push(("满意率（满意+基本满意）".into(), s.satisfaction_rate.text()));
        v.push(("不满意（件）".into(), s.unsatisfied.to_string()));
        v.push(("重点企业走访覆盖".into(), s.coverage.text()));
        v.push(("走访与现场办公记录（次）".into(), s.counts.visits.to_string()));
        v.push(("项目管家配备问题（处）".into(), s.counts.steward_flags.to_string()));
        v.push((
            "前期手续在办 / 逾期（项）".into(),
            format!("{} / {}", s.counts.procedures_open, s.counts.procedures_overdue),
        ));
        v
    }

    /// The statistics as an .xlsx: one sheet of figures.
    pub fn xlsx(&self) -> Result<Vec<u8>, Error> {
        use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};
        let err = |e: rust_xlsxwriter::XlsxError| {
            tracing::error!(error = %e, "xlsx failed");
            Error::Internal
        };
        let mut wb = Workbook::new();
        let big = Format::new().set_bold().set_font_name("黑体").set_font_size(16).set_align(FormatAlign::Center);
        let head = Format::new()
            .set_bold()
            .set_font_name("宋体")
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::Center)
            .set_background_color("D9E1F2");
        let cell = Format::new().set_font_name("宋体").set_border(FormatBorder::Thin);
        let ws = wb.add_worksheet();
        ws.set_name("企业服务统计").map_err(err)?;
        ws.merge_range(0, 0, 0, 1, &format!("企业服务情况统计（{}）", self.month), &big).map_err(err)?;
        ws.write_string_with_format(1, 0, "指标", &head).map_err(err)?;
        ws.write_string_with_format(1, 1, "数值", &head).map_err(err)?;
        ws.set_column_width(0, 36.0).map_err(err)?;
        ws.set_column_width(1, 48.0).map_err(err)?;
        for (i, (k, val)) in self.lines().iter().enumerate() {
            let row = u32::try_from(i + 2).map_err(|_| Error::Internal)?;
            ws.write_string_with_format(row, 0, k, &cell).map_err(err)?;
            ws.write_string_with_format(row, 1, val, &cell).map_err(err)?;
        }
        wb.save_to_buffer().map_err(err)
    }
}
