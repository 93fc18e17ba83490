//! [`Procedures`]: the pre-procedures of key projects (项目前期手续, 003 附件4; issue 14 §4) —
//! kinds, a project's procedures, starting one, the weekly dispatch (周调度) and the monthly
//! report (月报告) of 003 附件4 三(二), and the cross-project matrix of the battle map.
//!
//! **One engine.** Starting a procedure creates a task through the tasks area: source
//! [`Source::Procedure`], title "{项目}·{手续}", lead unit the responsible department,
//! deadline the committed date (the committed time limit in working days from the start, on
//! the calendar in force), received when it starts, in the ledger "项目前期手续台账". From then
//! on the supervision pass reminds, lights, 督办s and escalates it like any task, and it is
//! finished through the lifecycle (反馈办结 → 审核通过), which the trail records. A
//! procedure's status, light and finish date are read from its task, never kept twice.
//!
//! Procedures are not secret: anyone signed in may read them; the office (who runs ledgers)
//! adds kinds and procedures and starts them. Their tasks are ordinary (一般) tasks, seen by
//! the one visibility rule.

use crate::actor::{Actor, RunLedgers};
use crate::core::Core;
use crate::official_docx::{self, Align, BODY, HEADING_FONT, Run, TITLE_FONT, para};
use crate::tasks::Tasks;
use duban_domain::Error;
use duban_domain::facts::{ClockEvent, Source};
use duban_domain::ids::{ProjectId, UnitId};
use duban_domain::procedure::{
    self, DispatchLine, KindSpec, Procedure, ProcedureInput, ProcedureKind, ProcedureStatus, committed_date,
    dispatch_line, light_of, week_of,
};
use duban_domain::task::{Party, Status, TaskInput};
use duban_store::enterprises::ProjectQuery;
use duban_store::procedures::ProcedureRow;
use duban_store::{DirectoryStore, EnterpriseStore, LedgerStore, NewLedger, ProcedureStore};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// The ledger every procedure's task is in.
pub const LEDGER_NAME: &str = "项目前期手续台账";
/// Who reports monthly (“工作专班”每月向包联领导报告, 003 附件4 二(三)).
pub const ISSUER: &str = "项目前期手续代办帮办工作专班";
/// Projects on one page of the battle map across projects.
pub const MATRIX_PAGE: i64 = 50;

/// The pre-procedures area.
pub struct Procedures {
    pub(crate) core: Arc<Core>,
    pub(crate) tasks: Arc<Tasks>,
    pub(crate) ledgers: Arc<dyn LedgerStore>,
    pub(crate) store: Arc<dyn ProcedureStore>,
    pub(crate) projects: Arc<dyn EnterpriseStore>,
    pub(crate) directory: Arc<dyn DirectoryStore>,
    /// One start at a time finds or creates the ledger.
    pub(crate) ledger_lock: tokio::sync::Mutex<()>,
}

/// A procedure as lists and maps show it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProcedureView {
    pub id: i64,
    pub project_id: i64,
    pub project: String,
    pub kind_id: i64,
    pub kind: String,
    pub unit_id: i64,
    /// The responsible department (责任部门).
    pub unit: String,
    /// The committed time limit (承诺时限), in working days.
    pub days: u32,
    pub note: String,
    /// `not_started`, `in_progress`, `done` or `withdrawn`.
    pub status: ProcedureStatus,
    /// 未启动, 办理中, 已办结, 已撤销.
    pub status_label: String,
    /// The task's light (`green`, `yellow`, `red`) while it is open.
    pub light: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub started_on: Option<Date>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub committed_on: Option<Date>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub finished_on: Option<Date>,
    /// Open and past its committed date (逾期).
    pub overdue: bool,
    /// The task that carries it, once started.
    pub task_id: Option<i64>,
}

/// One project's procedures.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectProcedures {
    pub project_id: i64,
    pub project: String,
    pub procedures: Vec<ProcedureView>,
}

/// One page of the battle map across projects: projects × kinds.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Matrix {
    pub kinds: Vec<ProcedureKind>,
    /// Each project of the page, with one cell per kind (in the order of `kinds`).
    pub rows: Vec<MatrixRow>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MatrixRow {
    pub project_id: i64,
    pub project: String,
    pub cells: Vec<Option<ProcedureView>>,
}

/// A week's dispatch (周调度) or a month's report: the lines, by project and department.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dispatch {
    /// 2026年3月9日—3月15日 or 2026年3月.
    pub caption: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub from: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub to: Date,
    pub lines: Vec<DispatchEntry>,
    /// Per department: due, overdue, finished.
    pub by_unit: Vec<DispatchSum>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DispatchEntry {
    pub line: DispatchLine,
    pub label: String,
    pub procedure: ProcedureView,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DispatchSum {
    pub unit: String,
    pub due: usize,
    pub overdue: usize,
    pub finished: usize,
}

/// A kind the office adds.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KindInput {
    pub name: String,
    pub default_days: Option<u32>,
    pub note: String,
}

impl Procedures {
    fn today(&self) -> Date {
        self.core.now().to_zoned(self.core.policy().timezone()).date()
    }

    /// Every kind, the built-in ones added on first use.
    pub async fn kinds(&self, actor: &Actor) -> Result<Vec<ProcedureKind>, Error> {
        actor.require_signed_in()?;
        self.all_kinds().await
    }

    async fn all_kinds(&self) -> Result<Vec<ProcedureKind>, Error> {
        let kinds = self.store.procedure_kinds().await?;
        if kinds.iter().any(|k| k.builtin) {
            return Ok(kinds);
        }
        self.store.ensure_procedure_kinds(&procedure::builtin_kinds()?, self.core.now()).await?;
        self.store.procedure_kinds().await
    }

    /// Adds a kind (the office).
    pub async fn add_kind(&self, actor: &Actor, input: KindInput) -> Result<ProcedureKind, Error> {
        actor.require::<RunLedgers>()?;
        procedure::check_kind(&input.name, input.default_days)?;
        if input.note.chars().count() > procedure::MAX_NOTE_CHARS {
            return Err(Error::invalid("note", "说明过长"));
        }
        self.all_kinds().await?;
        let spec = KindSpec { name: input.name.trim().to_string(), default_days: input.default_days, note: input.note };
        self.store.insert_procedure_kind(&spec, self.core.now()).await
    }

    /// Adds a procedure to a project, not started (the office).
    pub async fn add(&self, actor: &Actor, input: ProcedureInput) -> Result<Procedure, Error> {
        actor.require::<RunLedgers>()?;
        let kinds = self.all_kinds().await?;
        let kind = input
            .kind_id
            .map(|id| kinds.iter().find(|k| k.id == id).ok_or_else(|| Error::invalid("kind_id", "没有这一手续种类")))
            .transpose()?;
        let p = input.parse(kind.and_then(|k| k.default_days))?;
        if self.projects.project(p.project_id).await?.is_none() {
            return Err(Error::invalid("project_id", format!("项目 {} 不在重点项目名单中", p.project_id)));
        }
        let unit =
            self.directory.get_unit(p.unit_id).await.map_err(|_| Error::invalid("unit_id", "没有这一责任部门"))?;
        if !unit.active {
            return Err(Error::invalid("unit_id", format!("{}已停用", unit.name)));
        }
        self.store.insert_procedure(&p, actor.id(), self.core.now()).await
    }

    /// Starts a procedure on `started_on` (today when absent; never in the future): its
    /// committed date is computed on the working-day calendar and its task created.
    pub async fn start(&self, actor: &Actor, id: i64, started_on: Option<Date>) -> Result<ProcedureView, Error> {
        actor.require::<RunLedgers>()?;
        let p = self.store.procedure(id).await?.ok_or_else(|| Error::not_found(format!("手续 {id}")))?;
        if p.task_id.is_some() {
            return Err(Error::Conflict("该手续已启动".into()));
        }
        let today = self.today();
        let start = started_on.unwrap_or(today);
        if start > today {
            return Err(Error::invalid("started_on", "启动日期不能晚于今天"));
        }
        let committed = committed_date(&self.core.calendar(), start, p.fields.days)?;
        let project = self
            .projects
            .project(p.fields.project_id)
            .await?
            .ok_or_else(|| Error::not_found(format!("项目 {}", p.fields.project_id)))?;
        let kind = self.all_kinds().await?.into_iter().find(|k| k.id == p.fields.kind_id).ok_or(Error::Internal)?;
        let ledger = self.ledger().await?;
        let tz = self.core.policy().timezone();
        let input = TaskInput {
            ledger_id: Some(ledger),
            title: Some(format!("{}·{}", project.fields.name, kind.name)),
            text: Some(format!(
                "项目前期手续：{}。承诺时限 {} 个工作日，{} 启动，承诺 {} 前办结。{}",
                kind.name, p.fields.days, start, committed, p.fields.note
            )),
            source: Some(Source::Procedure.code().into()),
            lead: vec![Party::Unit(p.fields.unit_id)],
            deadline: Some(committed.to_string()),
            ..Default::default()
        };
        let mut fields = input.parse(self.core.now(), &tz)?;
        // Received when it started: today now, an earlier start at the beginning of its day.
        if start < today {
            fields.received_at = start.to_zoned(tz).map_err(|_| Error::Internal)?.timestamp();
        }
        let clock = BTreeMap::from([(ClockEvent::Received, fields.received_at)]);
        let data = serde_json::json!({ "title": fields.title, "procedure": id });
        let task = self.tasks.insert_task(fields, Status::Assigned, clock, data, actor.id()).await?;
        let started = match self.store.start_procedure(id, task.id, start, committed).await {
            Ok(s) => s,
            Err(e) => {
                // Another start won: withdraw this task so nothing is supervised twice.
                self.tasks.cancel_task(task.id, task.version, "同一手续已由他人启动", actor.id()).await?;
                return Err(e);
            }
        };
        let rows = self.store.procedures_of(&[started.fields.project_id]).await?;
        let names = self.unit_names().await?;
        let row = rows.into_iter().find(|r| r.procedure.id == id).ok_or(Error::Internal)?;
        Ok(self.view(row, &project.fields.name, &names))
    }

    async fn ledger(&self) -> Result<duban_domain::ids::LedgerId, Error> {
        let _one = self.ledger_lock.lock().await;
        if let Some(l) = self.ledgers.list_ledgers().await?.into_iter().find(|l| l.fields.name == LEDGER_NAME) {
            return Ok(l.id);
        }
        let l = NewLedger {
            name: LEDGER_NAME.into(),
            doc_number: None,
            issued: None,
            issuer: String::new(),
            source: Source::Procedure,
        };
        Ok(self.tasks.create_ledger(&l).await?.id)
    }

    async fn unit_names(&self) -> Result<HashMap<UnitId, String>, Error> {
        Ok(self.directory.list_units().await?.into_iter().map(|u| (u.id, u.name)).collect())
    }

    fn view(&self, r: ProcedureRow, project: &str, units: &HashMap<UnitId, String>) -> ProcedureView {
        let tz = self.core.policy().timezone();
        let status = ProcedureStatus::of(r.status);
        let light = light_of(r.status, r.due_at, r.warn_at, self.core.now());
        let p = r.procedure;
        ProcedureView {
            id: p.id,
            project_id: p.fields.project_id.0,
            project: project.to_string(),
            kind_id: p.fields.kind_id,
            kind: r.kind,
            unit_id: p.fields.unit_id.0,
            unit: units.get(&p.fields.unit_id).cloned().unwrap_or_else(|| format!("单位 {}", p.fields.unit_id)),
            days: p.fields.days,
            note: p.fields.note,
            status,
            status_label: status.to_string(),
            light: light.map(|l| l.code().to_string()),
            started_on: p.started_on,
            committed_on: p.committed_on,
            overdue: status == ProcedureStatus::InProgress
                && p.committed_on.is_some_and(|c| c < self.core.now().to_zoned(tz.clone()).date()),
            finished_on: (status == ProcedureStatus::Done).then(|| r.done_at.map(|t| t.to_zoned(tz).date())).flatten(),
            task_id: p.task_id.map(|t| t.0),
        }
    }

    /// One project's procedures, in the order of their kinds.
    pub async fn of_project(&self, actor: &Actor, project: ProjectId) -> Result<ProjectProcedures, Error> {
        actor.require_signed_in()?;
        let p = self.projects.project(project).await?.ok_or_else(|| Error::not_found(format!("项目 {project}")))?;
        let names = self.unit_names().await?;
        let rows = self.store.procedures_of(&[project]).await?;
        Ok(ProjectProcedures {
            project_id: project.0,
            project: p.fields.name.clone(),
            procedures: rows.into_iter().map(|r| self.view(r, &p.fields.name, &names)).collect(),
        })
    }

    /// One page of projects (by name) with their procedures by kind: reads only that page.
    pub async fn matrix(&self, actor: &Actor, page: i64, search: Option<String>) -> Result<Matrix, Error> {
        actor.require_signed_in()?;
        let page = page.max(1);
        let kinds = self.all_kinds().await?;
        let q = ProjectQuery {
            search: search.filter(|s| !s.trim().is_empty()),
            offset: (page - 1).saturating_mul(MATRIX_PAGE),
            limit: MATRIX_PAGE,
            ..Default::default()
        };
        let (projects, total) = self.projects.projects(&q).await?;
        let ids: Vec<ProjectId> = projects.iter().map(|p| p.id).collect();
        let names = self.unit_names().await?;
        let mut by_project: HashMap<ProjectId, Vec<ProcedureRow>> = HashMap::new();
        for r in self.store.procedures_of(&ids).await? {
            by_project.entry(r.procedure.fields.project_id).or_default().push(r);
        }
        let column: HashMap<i64, usize> = kinds.iter().enumerate().map(|(i, k)| (k.id, i)).collect();
        let rows = projects
            .into_iter()
            .map(|p| {
                let mut cells = vec![None; kinds.len()];
                for r in by_project.remove(&p.id).unwrap_or_default() {
                    if let Some(&i) = column.get(&r.procedure.fields.kind_id) {
                        cells[i] = Some(self.view(r, &p.fields.name, &names));
                    }
                }
                MatrixRow { project_id: p.id.0, project: p.fields.name, cells }
            })
            .collect();
        Ok(Matrix { kinds, rows, total, page, per_page: MATRIX_PAGE })
    }

    /// The dispatch of the week holding `day` (today when absent): due this week, overdue,
    /// finished this week, by project and department.
    pub async fn weekly(&self, actor: &Actor, day: Option<Date>) -> Result<Dispatch, Error> {
        actor.require_signed_in()?;
        let (from, to) = week_of(day.unwrap_or_else(|| self.today()))?;
        let caption = format!("{}年{}月{}日—{}月{}日", from.year(), from.month(), from.day(), to.month(), to.day());
        self.dispatch(from, to, caption, false).await
    }

    /// The month's report (`month` = its first day): due in the month, overdue, finished in it.
    pub async fn monthly(&self, actor: &Actor, month: Date) -> Result<Dispatch, Error> {
        actor.require_signed_in()?;
        let (from, to) = (month.first_of_month(), month.last_of_month());
        self.dispatch(from, to, format!("{}年{}月", from.year(), from.month()), true).await
    }

    /// The month's report as a Word file in the official layout: its file name and bytes.
    pub async fn monthly_report(&self, actor: &Actor, month: Date) -> Result<(String, Vec<u8>), Error> {
        let d = self.monthly(actor, month).await?;
        let bytes = monthly_docx(&d, ISSUER, self.today())?;
        Ok((format!("{}项目前期手续办理情况报告.docx", d.caption), bytes))
    }

    async fn dispatch(&self, from: Date, to: Date, caption: String, monthly: bool) -> Result<Dispatch, Error> {
        let tz = self.core.policy().timezone();
        let since = from.to_zoned(tz).map_err(|_| Error::invalid("week", "日期超出范围"))?.timestamp();
        let rows = self.store.procedures_for_dispatch(since, to).await?;
        let today = self.today();
        let mut ids: Vec<ProjectId> = rows.iter().map(|r| r.procedure.fields.project_id).collect();
        ids.sort();
        ids.dedup();
        let projects: HashMap<ProjectId, String> =
            self.projects.projects_by_ids(&ids).await?.into_iter().map(|p| (p.id, p.fields.name)).collect();
        let names = self.unit_names().await?;
        let mut lines = Vec::new();
        for r in rows {
            let project = projects.get(&r.procedure.fields.project_id).cloned().unwrap_or_default();
            let v = self.view(r, &project, &names);
            if let Some(line) = dispatch_line(v.status, v.committed_on, v.finished_on, (from, to), today) {
                let label = if monthly { month_label(line) } else { line.label() };
                lines.push(DispatchEntry { line, label: label.into(), procedure: v });
            }
        }
        lines.sort_by(|a, b| {
            (a.line, &a.procedure.project, &a.procedure.unit, a.procedure.kind_id).cmp(&(
                b.line,
                &b.procedure.project,
                &b.procedure.unit,
                b.procedure.kind_id,
            ))
        });
        let mut sums: BTreeMap<String, DispatchSum> = BTreeMap::new();
        for l in &lines {
            let s = sums.entry(l.procedure.unit.clone()).or_insert_with(|| DispatchSum {
                unit: l.procedure.unit.clone(),
                due: 0,
                overdue: 0,
                finished: 0,
            });
            match l.line {
                DispatchLine::DueThisWeek => s.due += 1,
                DispatchLine::Overdue => s.overdue += 1,
                DispatchLine::FinishedThisWeek => s.finished += 1,
            }
        }
        let mut by_unit: Vec<DispatchSum> = sums.into_values().collect();
        by_unit.sort_by(|a, b| b.overdue.cmp(&a.overdue).then_with(|| a.unit.cmp(&b.unit)));
        Ok(Dispatch { caption, from, to, lines, by_unit })
    }
}

/// A line's category in a month's report.
fn month_label(l: DispatchLine) -> &'static str {
    match l {
        DispatchLine::DueThisWeek => "本月到期",
        DispatchLine::Overdue => "逾期未办结",
        DispatchLine::FinishedThisWeek => "本月办结",
    }
}

fn entry_row(i: usize, l: &DispatchEntry) -> Vec<String> {
    let p = &l.procedure;
    let day = |d: Option<Date>| d.map(|d| d.to_string()).unwrap_or_default();
    vec![
        (i + 1).to_string(),
        l.label.clone(),
        p.project.clone(),
        p.kind.clone(),
        p.unit.clone(),
        format!("{} 个工作日", p.days),
        day(p.started_on),
        day(p.committed_on),
        day(p.finished_on),
        p.status_label.clone(),
    ]
}

const ENTRY_HEADER: [&str; 10] =
    ["序号", "类别", "项目", "手续", "责任部门", "承诺时限", "启动日期", "承诺日期", "办结日期", "状态"];

/// The week's dispatch as an .xlsx workbook: the lines, and the sums by department.
pub fn weekly_xlsx(d: &Dispatch) -> Result<Vec<u8>, Error> {
    let widths = [6.0, 12.0, 30.0, 12.0, 24.0, 12.0, 12.0, 12.0, 12.0, 10.0];
    let sheets: Vec<crate::export::TitledSheet> = vec![
        (
            "调度明细",
            format!("项目前期手续周调度（{}）", d.caption),
            ENTRY_HEADER.iter().copied().zip(widths).collect(),
            d.lines.iter().enumerate().map(|(i, l)| entry_row(i, l)).collect(),
        ),
        (
            "按部门",
            format!("项目前期手续周调度 按责任部门（{}）", d.caption),
            vec![("责任部门", 30.0), ("本周到期", 12.0), ("逾期未办结", 12.0), ("本周办结", 12.0)],
            d.by_unit
                .iter()
                .map(|s| vec![s.unit.clone(), s.due.to_string(), s.overdue.to_string(), s.finished.to_string()])
                .collect(),
        ),
    ];
    crate::export::titled_sheets_xlsx(sheets, true)
}

/// The month's report as a .docx in the official layout (GB/T 9704): title, a summary, the
/// overdue departments first (对推动不力、未按承诺时限完成进度的部门…通报, 003 附件4 二(三)),
/// the table by department and the lines.
pub fn monthly_docx(d: &Dispatch, issuer: &str, issued_on: Date) -> Result<Vec<u8>, Error> {
    let count = |l: DispatchLine| d.lines.iter().filter(|x| x.line == l).count();
    let (due, overdue, finished) =
        (count(DispatchLine::DueThisWeek), count(DispatchLine::Overdue), count(DispatchLine::FinishedThisWeek));
    let mut body = String::new();
    body.push_str(&para(
        &format!("关于{}项目前期手续办理情况的报告", d.caption),
        &Run { font: TITLE_FONT, size: official_docx::TITLE_SIZE, color: None },
        Align::Center,
        0,
        0,
        false,
    ));
    body.push_str(&para(
        &format!(
            "按照项目前期手续办理提速攻坚行动“周调度、月报告”的要求（003 附件4 三(二)），现将{}项目前期手续办理情况报告如下：本月承诺到期{due}项，逾期未办结{overdue}项，办结{finished}项。",
            d.caption
        ),
        &BODY,
        Align::Left,
        200,
        0,
        false,
    ));
    let heading = Run { font: HEADING_FONT, size: official_docx::BODY_SIZE, color: None };
    body.push_str(&para("一、未按承诺时限办结的部门", &heading, Align::Left, 200, 0, false));
    let late: Vec<&DispatchSum> = d.by_unit.iter().filter(|s| s.overdue > 0).collect();
    if late.is_empty() {
        body.push_str(&para("本月无逾期未办结的手续。", &BODY, Align::Left, 200, 0, false));
    } else {
        for s in late {
            body.push_str(&para(
                &format!("{}：逾期未办结{}项，已纳入督办。", s.unit, s.overdue),
                &BODY,
                Align::Left,
                200,
                0,
                false,
            ));
        }
    }
    body.push_str(&para("二、按责任部门统计", &heading, Align::Left, 200, 0, false));
    let header: Vec<String> = ["责任部门", "到期", "逾期未办结", "办结"].iter().map(|s| s.to_string()).collect();
    let rows: Vec<Vec<String>> = d
        .by_unit
        .iter()
        .map(|s| vec![s.unit.clone(), s.due.to_string(), s.overdue.to_string(), s.finished.to_string()])
        .collect();
    body.push_str(&official_docx::table(&header, &rows));
    body.push_str(&para("三、手续明细", &heading, Align::Left, 200, 0, false));
    let header: Vec<String> =
        ["类别", "项目", "手续", "责任部门", "承诺日期", "状态"].iter().map(|s| s.to_string()).collect();
    let rows: Vec<Vec<String>> = d
        .lines
        .iter()
        .map(|l| {
            let p = &l.procedure;
            vec![
                l.label.clone(),
                p.project.clone(),
                p.kind.clone(),
                p.unit.clone(),
                p.committed_on.map(|d| d.to_string()).unwrap_or_default(),
                p.status_label.clone(),
            ]
        })
        .collect();
    body.push_str(&official_docx::table(&header, &rows));
    body.push_str(&para(issuer, &BODY, Align::Right, 0, 1280, false));
    body.push_str(&para(
        &format!("{}年{}月{}日", issued_on.year(), issued_on.month(), issued_on.day()),
        &BODY,
        Align::Right,
        0,
        1280,
        false,
    ));
    let title = format!("{}项目前期手续办理情况报告", d.caption);
    official_docx::package(&official_docx::document(&body), &official_docx::core_xml(&title, issuer, issued_on))
}
