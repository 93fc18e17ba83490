//! [`Liaison`]: liaison (包联/包保, issue 14 §2) and project stewards (项目管家, §3), one service
//! for both (the [`ServiceKind`] is an argument; the differences are [`ServicePolicy`] data).
//!
//! - The office assigns people to enterprises (and stewards to projects) and ends assignments;
//!   who did it is kept on the assignment.
//! - What each assignment owes per period is a task on the one engine: [`ServiceObligations`], a
//!   job, creates for every assignment in force one task per period (source
//!   [`Source::Liaison`] or [`Source::Steward`], deadline the period's last day, lead the
//!   person's unit, responsible person the person, in the ledger "包联走访台账" / "项目管家台账"),
//!   signed already (the duty is standing, there is nothing to sign for). Lights, reminders in the
//!   warning window before the deadline, 督办, escalation and the assessment come from the
//!   existing rules and supervision pass.
//! - Recording a visit (or on-site work) completes its period's task: a 反馈办结 in the task's
//!   trail, closed at once (the record is the outcome; there is nothing for the office to review).
//!   The visit's evidence are attachments of that task (uploaded like any, with their limits).
//! - Coverage (全覆盖): the share of key enterprises with a liaison in force, the gaps, and per
//!   liaison and per unit who has visited this period; steward flags (none where one is required,
//!   a rank below the investment tier).
//!
//! Assignments and visits are not secret: anyone signed in reads them; the office writes
//! assignments, the assigned person (or the office) records visits.
//!
//! The lists cost a page, not the ledger (issue 14, "Speed"): [`Liaison::assignments`] reads
//! one page of assignments with their names in SQL (50 a page, a text search over the person's
//! and the target's name), [`Liaison::steward_flags`] one page of the flags (the missing ones are
//! paged anti-joins; only the stewards in force are read to check their rank), and the office's
//! form names its enterprise or project as text ([`Liaison::resolve_enterprise`],
//! [`Liaison::resolve_project`]: a 统一社会信用代码 or a name) instead of offering every one.

use crate::access::Access;
use crate::actor::{Actor, RunLedgers};
use crate::core::Core;
use crate::jobs::{Holder, Job};
use crate::service::Services;
use crate::tasks::{Edit, Tasks};
use async_trait::async_trait;
use duban_domain::Error;
use duban_domain::enterprise::{CreditCode, STEWARD_THRESHOLD, Yuan};
use duban_domain::event::EventKind;
use duban_domain::facts::Source;
use duban_domain::ids::{EnterpriseId, PersonId, ProjectId, TaskId};
use duban_domain::liaison::{
    Assignment, AssignmentInput, Period, Rank, ServiceKind, ServicePolicy, StewardFlag, Target, Visit, VisitInput,
    coverage_percent, project_flags,
};
use duban_domain::policy::ClockEvent;
use duban_domain::task::{Party, Status, TaskInput};
use duban_store::enterprises::{EnterpriseQuery, ProjectQuery};
use duban_store::liaison::{AssignmentListRow, AssignmentPageQuery, CoverageCount};
use duban_store::{
    AttachmentStore, EnterpriseStore, LedgerStore, LiaisonStore, NewLedger, Page, PageWindow, PeopleStore, TaskStore,
};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// An assignment with the names a list shows.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignmentRow {
    pub assignment: Assignment,
    pub person: String,
    pub unit: String,
    /// The enterprise's or the project's name.
    pub target: String,
    pub active: bool,
    /// Whether this period's visit (on-site work) is recorded.
    pub visited_this_period: bool,
    /// This period's obligation task, once the job has created it.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub task_id: Option<TaskId>,
}

/// The visits of one liaison or one unit this period.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CoverageLine {
    pub id: i64,
    pub name: String,
    /// Assignments in force.
    pub assigned: usize,
    /// Of them, visited this period.
    pub visited: usize,
    pub percent: f64,
}

/// A key enterprise without a liaison.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Gap {
    pub id: EnterpriseId,
    pub name: String,
}

/// The liaison coverage the office sees.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Coverage {
    /// The current period, e.g. "2026年第4季度".
    pub period: String,
    /// Key enterprises, and those with a liaison in force (全覆盖 when equal).
    pub enterprises: usize,
    pub covered: usize,
    pub percent: f64,
    /// Enterprises without a liaison: (id, name), one page of them by name.
    pub gaps: Vec<Gap>,
    /// How many enterprises are without a liaison in all, and where this page of them starts.
    pub gaps_total: usize,
    pub gaps_offset: usize,
    pub per_liaison: Vec<CoverageLine>,
    pub per_unit: Vec<CoverageLine>,
}

/// One flagged project or enterprise.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlagRow {
    pub target: Target,
    pub name: String,
    /// Total investment in 万元 (projects).
    pub investment: Option<String>,
    pub flag: StewardFlag,
    pub label: String,
}

/// Which page of the assignment list to read (`GET /api/v1/liaison`, `/api/v1/stewards`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct AssignmentFilter {
    /// Text in the person's name or the enterprise's (project's) name.
    pub q: Option<String>,
    /// 1-based, at most 1,000,000.
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 1_000_000))]
    pub page: Option<u32>,
    /// 1 to 200; 50 when absent.
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub per_page: Option<u32>,
}

/// Which page of a list to read (the steward flags).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct PageParams {
    /// 1-based, at most 1,000,000.
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 1_000_000))]
    pub page: Option<u32>,
    /// 1 to 200; 50 when absent.
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub per_page: Option<u32>,
}

/// The page a request asks for: `page` 1 to 1,000,000, `per_page` 1 to 200 ([`GAP_PAGE`] when
/// absent); anything else is invalid.
pub fn page_window(page: Option<u32>, per_page: Option<u32>) -> Result<PageWindow, Error> {
    let per_page = per_page.unwrap_or(GAP_PAGE as u32);
    if !(1..=200).contains(&per_page) {
        return Err(Error::invalid("per_page", "每页条数应在 1 到 200 之间"));
    }
    match page {
        Some(0) => Err(Error::invalid("page", "页码从 1 开始")),
        Some(p) if p > 1_000_000 => Err(Error::invalid("page", "页码过大")),
        p => Ok(PageWindow::new(p.unwrap_or(1), per_page)),
    }
}

/// How many of a list of `total` rows a page of `limit` from `offset` holds.
fn rows_in(total: i64, offset: i64, limit: i64) -> i64 {
    (total.min(offset.saturating_add(limit)) - total.min(offset)).max(0)
}

/// The rows `[offset, offset + limit)` of the merge, by key, of two sorted lists: `chunk`, the
/// rows of a list `m` from `start` on (read from the store; [`missing_chunk`] says which), and
/// `w`, a whole sorted list held in memory. No key of `m` equals one of `w`. The chunk must hold
/// at least `offset + limit - start` rows or reach the end of `m`.
fn merge_window<K: Ord, T>(offset: i64, limit: i64, start: i64, chunk: Vec<(K, T)>, w: Vec<(K, T)>) -> Vec<T> {
    let mut w = w.into_iter().peekable();
    // Where the merge starts: from the top, or at the chunk's first row, which `start` rows of
    // `m` and the rows of `w` with a smaller key come before.
    let mut at = start;
    if start > 0 {
        let Some(first) = chunk.first() else { return Vec::new() };
        while w.peek().is_some_and(|x| x.0 < first.0) {
            w.next();
            at += 1;
        }
    }
    let mut chunk = chunk.into_iter().peekable();
    let mut out = Vec::new();
    let end = offset.saturating_add(limit);
    while at < end {
        let from_w = match (chunk.peek(), w.peek()) {
            (Some(c), Some(x)) => x.0 < c.0,
            (None, Some(_)) => true,
            (Some(_), None) => false,
            (None, None) => break,
        };
        let next = if from_w { w.next() } else { chunk.next() };
        let Some((_, row)) = next else { break };
        if at >= offset {
            out.push(row);
        }
        at += 1;
    }
    out
}

/// Which rows of `m` [`merge_window`] needs for the rows `[offset, offset + limit)` of the
/// merge with a list of `w_len` rows: (from, how many). At most `w_len` rows of `w` come before
/// the window, so it starts at row `offset - w_len` of `m` or later and ends before row
/// `offset + limit`.
fn missing_chunk(offset: i64, limit: i64, w_len: i64) -> (i64, i64) {
    let from = offset.saturating_sub(w_len).max(0);
    (from, offset.saturating_add(limit) - from)
}

impl FlagRow {
    /// A flag of a project, with its investment.
    fn project(id: ProjectId, name: &str, investment: Yuan, flag: StewardFlag) -> Self {
        FlagRow {
            target: Target::Project(id),
            name: name.to_string(),
            investment: Some(investment.wan_label()),
            label: flag.label(),
            flag,
        }
    }
}

/// The liaison and steward service.
pub struct Liaison {
    pub(crate) core: Arc<Core>,
    pub(crate) access: Access,
    pub(crate) tasks: Arc<Tasks>,
    pub(crate) task_store: Arc<dyn TaskStore>,
    pub(crate) ledgers: Arc<dyn LedgerStore>,
    pub(crate) attachments: Arc<dyn AttachmentStore>,
    pub(crate) people: Arc<dyn PeopleStore>,
    pub(crate) enterprises: Arc<dyn EnterpriseStore>,
    pub(crate) store: Arc<dyn LiaisonStore>,
    pub(crate) policy: ServicePolicy,
}

/// How many gaps (enterprises without a liaison), assignments or flags one page lists.
pub const GAP_PAGE: i64 = 50;

/// How many enterprises (projects) a name typed in the assign form may match before the office
/// is asked to be more precise; the refusal lists up to five of them.
const NAME_MATCHES: i64 = 6;

impl Liaison {
    /// The policy in force.
    pub fn policy(&self) -> &ServicePolicy {
        &self.policy
    }

    fn today(&self) -> Date {
        self.core.now().to_zoned(self.core.policy().timezone()).date()
    }

    /// The current period of a service.
    pub fn current_period(&self, kind: ServiceKind) -> Period {
        Period::containing(self.policy.cadence(kind), self.today())
    }

    /// Assigns a person (设置包联/项目管家). The office only.
    pub async fn assign(&self, actor: &Actor, kind: ServiceKind, input: AssignmentInput) -> Result<Assignment, Error> {
        actor.require::<RunLedgers>()?;
        let person_id = PersonId(input.person_id.ok_or_else(|| Error::invalid("person_id", "请选择人员"))?);
        let person = self.people.get_person(person_id).await.map_err(|e| match e {
            Error::NotFound { .. } => Error::invalid("person_id", format!("人员 {person_id} 不存在")),
            e => e,
        })?;
        if !person.active {
            return Err(Error::invalid("person_id", format!("{}已停用", person.fields.name)));
        }
        let unit = person.fields.unit_id.ok_or_else(|| {
            Error::invalid("person_id", format!("{}未登记所在单位，无法确定牵头单位", person.fields.name))
        })?;
        let a = input.parse(kind, unit, self.today())?;
        match a.target {
            Target::Enterprise(e) => {
                self.enterprises
                    .enterprise(e)
                    .await?
                    .ok_or_else(|| Error::invalid("enterprise_id", format!("企业 {e} 不存在")))?;
            }
            Target::Project(p) => {
                self.enterprises
                    .project(p)
                    .await?
                    .ok_or_else(|| Error::invalid("project_id", format!("项目 {p} 不存在")))?;
            }
        }
        self.store.insert_assignment(&a, actor.id(), self.core.now()).await
    }

    /// Ends an assignment (取消): `until` is its last day in force; without one it ends now
    /// (yesterday was its last day). The office only.
    pub async fn unassign(&self, actor: &Actor, id: i64, until: Option<&str>) -> Result<Assignment, Error> {
        actor.require::<RunLedgers>()?;
        let a = self.assignment(actor, id).await?;
        let until = match until.map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => s.parse().map_err(|_| Error::invalid("until", format!("日期“{s}”格式不对，应为 YYYY-MM-DD")))?,
            // Ended now: yesterday was its last day (an assignment made today was never in force).
            None => self
                .today()
                .yesterday()
                .unwrap_or(a.fields.since)
                .max(a.fields.since.yesterday().unwrap_or(a.fields.since)),
        };
        if until < a.fields.since.yesterday().unwrap_or(a.fields.since) {
            return Err(Error::invalid("until", "截止日期不能早于起始日期"));
        }
        self.store.end_assignment(id, until, actor.id(), self.core.now()).await
    }

    pub async fn assignment(&self, actor: &Actor, id: i64) -> Result<Assignment, Error> {
        actor.require_signed_in()?;
        self.store.assignment(id).await?.ok_or_else(|| Error::not_found(format!("包联 {id}")))
    }

    /// The names of targets: enterprises and projects by id.
    async fn target_names(&self, list: &[Assignment]) -> Result<HashMap<Target, String>, Error> {
        let mut es = Vec::new();
        let mut ps = Vec::new();
        for a in list {
            match a.fields.target {
                Target::Enterprise(e) => es.push(e),
                Target::Project(p) => ps.push(p),
            }
        }
        es.sort();
        es.dedup();
        ps.sort();
        ps.dedup();
        let mut names = HashMap::new();
        for e in self.enterprises.enterprises_by_ids(&es).await? {
            names.insert(Target::Enterprise(e.id), e.fields.name);
        }
        for p in self.enterprises.projects_by_ids(&ps).await? {
            names.insert(Target::Project(p.id), p.fields.name);
        }
        Ok(names)
    }

    fn row(&self, today: Date, r: AssignmentListRow) -> AssignmentRow {
        AssignmentRow {
            active: r.assignment.active_on(today),
            person: r.person,
            unit: r.unit,
            target: r.target,
            visited_this_period: r.visited,
            task_id: r.task_id,
            assignment: r.assignment,
        }
    }

    fn page_query(&self, kind: ServiceKind, search: Option<String>, id: Option<i64>) -> AssignmentPageQuery {
        let period = self.current_period(kind);
        AssignmentPageQuery {
            kind,
            on: self.today(),
            from: period.first_day(),
            to: period.last_day(),
            period: period.code(),
            search,
            id,
            offset: 0,
            limit: GAP_PAGE,
        }
    }

    /// One page of the assignments of a kind with their names, whether this period's visit is
    /// recorded and its obligation task; in force first, then by id; filtered by text in the
    /// person's or the target's name. Paged in SQL.
    pub async fn assignments(
        &self,
        actor: &Actor,
        kind: ServiceKind,
        f: &AssignmentFilter,
    ) -> Result<Page<AssignmentRow>, Error> {
        actor.require_signed_in()?;
        let w = page_window(f.page, f.per_page)?;
        let search = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        let q = AssignmentPageQuery {
            offset: w.offset(),
            limit: i64::from(w.per_page),
            ..self.page_query(kind, search, None)
        };
        let (rows, total) = self.store.assignment_page(&q).await?;
        let today = q.on;
        let items = rows.into_iter().map(|r| self.row(today, r)).collect();
        Ok(w.page(items, u64::try_from(total).unwrap_or(0)))
    }

    /// One assignment of a kind as the list shows it.
    pub async fn assignment_row(&self, actor: &Actor, kind: ServiceKind, id: i64) -> Result<AssignmentRow, Error> {
        actor.require_signed_in()?;
        let q = self.page_query(kind, None, Some(id));
        let (rows, _) = self.store.assignment_page(&q).await?;
        let today = q.on;
        rows.into_iter()
            .next()
            .map(|r| self.row(today, r))
            .ok_or_else(|| Error::not_found(format!("{} {id}", kind.label())))
    }

    /// Every assignment of a kind as the list shows it (in one query): for the monthly report
    /// and the views of one enterprise or unit, which need them all.
    pub async fn all_assignments(&self, actor: &Actor, kind: ServiceKind) -> Result<Vec<AssignmentRow>, Error> {
        actor.require_signed_in()?;
        let q = AssignmentPageQuery { limit: i64::MAX, ..self.page_query(kind, None, None) };
        let (rows, _) = self.store.assignment_page(&q).await?;
        let today = q.on;
        Ok(rows.into_iter().map(|r| self.row(today, r)).collect())
    }

    /// Liaison coverage with the gaps from `offset` ([`GAP_PAGE`] of them, by name).
    pub async fn coverage_page(&self, actor: &Actor, offset: i64) -> Result<Coverage, Error> {
        actor.require_signed_in()?;
        let today = self.today();
        let period = self.current_period(ServiceKind::Liaison);
        let (enterprises, covered) = self.store.coverage_counts(today).await?;
        let (gaps, gaps_total) = self.store.coverage_gaps(today, offset.max(0), GAP_PAGE).await?;
        let lines = |v: Vec<CoverageCount>| {
            let mut v: Vec<CoverageLine> = v
                .into_iter()
                .map(|c| {
                    let (assigned, visited) =
                        (usize::try_from(c.assigned).unwrap_or(0), usize::try_from(c.visited).unwrap_or(0));
                    CoverageLine {
                        id: c.id,
                        name: c.name,
                        assigned,
                        visited,
                        percent: coverage_percent(visited, assigned),
                    }
                })
                .collect();
            v.sort_by(|a, b| a.percent.total_cmp(&b.percent).then(a.id.cmp(&b.id)));
            v
        };
        let (from, to) = (period.first_day(), period.last_day());
        let per_liaison = lines(self.store.coverage_lines(today, from, to, false).await?);
        let per_unit = lines(self.store.coverage_lines(today, from, to, true).await?);
        let (enterprises, covered) = (usize::try_from(enterprises).unwrap_or(0), usize::try_from(covered).unwrap_or(0));
        Ok(Coverage {
            period: period.label(),
            enterprises,
            covered,
            percent: coverage_percent(covered, enterprises),
            gaps: gaps.into_iter().map(|(id, name)| Gap { id, name }).collect(),
            gaps_total: usize::try_from(gaps_total).unwrap_or(0),
            gaps_offset: usize::try_from(offset.max(0)).unwrap_or(0),
            per_liaison,
            per_unit,
        })
    }

    /// The steward flags (003 (200), 附件4 (四)), one page of them with how many there are:
    /// projects that must have a steward and have none and stewards below the rank the
    /// investment tier asks for, by project name; then the 规上/限上 enterprises without one, by
    /// name. The missing ones are anti-joins paged in SQL; the rank against the tier (policy
    /// data) is decided here over the stewards of projects in force whose rank SQL finds may be
    /// below their tier (at most the stewards in force), and merged into the page of missing
    /// projects by name.
    pub async fn steward_flags(&self, actor: &Actor, p: &PageParams) -> Result<Page<FlagRow>, Error> {
        actor.require_signed_in()?;
        let w = page_window(p.page, p.per_page)?;
        let (offset, limit) = (w.offset(), i64::from(w.per_page));
        let today = self.today();
        // (project name, project id, assignment id) orders the project rows; a missing project
        // has no steward, so its key (assignment 0) never equals a wrong rank's.
        let mut wrong: Vec<((String, i64, i64), FlagRow)> = Vec::new();
        // Only the stewards whose rank may be below their tier are read (a filter in SQL from
        // the policy's tiers); `project_flags` decides.
        let tiers: Vec<(Yuan, Vec<Rank>)> = self
            .policy
            .steward_tiers
            .iter()
            .map(|t| (t.above, Rank::ALL.iter().copied().filter(|r| r.fits(t.rank)).collect()))
            .collect();
        for (a, name, investment) in self.store.project_stewards(today, &tiers).await? {
            let Target::Project(id) = a.fields.target else { continue };
            for flag in project_flags(&self.policy, investment, true, &[&a]) {
                wrong.push(((name.clone(), id.0, a.id), FlagRow::project(id, &name, investment, flag)));
            }
        }
        wrong.sort_by(|a, b| a.0.cmp(&b.0));
        let wrong_len = i64::try_from(wrong.len()).unwrap_or(i64::MAX);
        let (from, take) = missing_chunk(offset, limit, wrong_len);
        let (missing, missing_total) =
            self.store.projects_without_steward(today, STEWARD_THRESHOLD, from, take).await?;
        let chunk = missing
            .into_iter()
            .map(|(id, name, investment)| {
                let row = FlagRow::project(id, &name, investment, StewardFlag::Missing);
                ((name, id.0, 0), row)
            })
            .collect();
        let projects = missing_total.saturating_add(wrong_len);
        let mut rows = merge_window(offset, limit, from, chunk, wrong);
        // The enterprises follow the projects.
        let rest = limit - rows_in(projects, offset, limit);
        let (enterprises, enterprises_total) =
            self.store.enterprises_without_steward(today, offset.saturating_sub(projects).max(0), rest.max(0)).await?;
        if rest > 0 {
            for (id, name) in enterprises {
                let flag = StewardFlag::Missing;
                rows.push(FlagRow {
                    target: Target::Enterprise(id),
                    name,
                    investment: None,
                    label: flag.label(),
                    flag,
                });
            }
        }
        let total = projects.saturating_add(enterprises_total);
        Ok(w.page(rows, u64::try_from(total).unwrap_or(0)))
    }

    /// The visits of a kind (of one assignment when given), newest first.
    pub async fn visits(&self, actor: &Actor, kind: ServiceKind, assignment: Option<i64>) -> Result<Vec<Visit>, Error> {
        actor.require_signed_in()?;
        self.store.visits(kind, assignment).await
    }

    pub async fn visit(&self, actor: &Actor, id: i64) -> Result<Visit, Error> {
        actor.require_signed_in()?;
        self.store.visit(id).await?.ok_or_else(|| Error::not_found(format!("走访记录 {id}")))
    }

    /// The ledger of a service's obligation tasks, created the first time.
    async fn ledger(&self, kind: ServiceKind) -> Result<duban_domain::ids::LedgerId, Error> {
        let name = self.policy.ledger(kind);
        if let Some(l) = self.ledgers.list_ledgers().await?.into_iter().find(|l| l.fields.name == name) {
            return Ok(l.id);
        }
        let source = match kind {
            ServiceKind::Liaison => Source::Liaison,
            ServiceKind::Steward => Source::Steward,
        };
        let l = NewLedger { name: name.to_string(), doc_number: None, issued: None, issuer: String::new(), source };
        Ok(self.tasks.create_ledger(&l).await?.id)
    }

    /// The obligation task of an assignment for a period: the one recorded, or a new one.
    async fn obligation(&self, a: &Assignment, period: Period, target: &str) -> Result<TaskId, Error> {
        let code = period.code();
        if let Some(t) = self.store.obligation(a.id, &code).await? {
            return Ok(t);
        }
        let kind = a.fields.kind;
        let (title, source, clause) = match kind {
            ServiceKind::Liaison => (
                format!("走访{target}（{}）", period.label()),
                Source::Liaison,
                "包联责任人每季度至少到包联企业开展1次以上服务（000 二(二)1，002 三(三)2）",
            ),
            ServiceKind::Steward => (
                format!("项目管家现场办公：{target}（{}）", period.label()),
                Source::Steward,
                "项目管家每月至少开展一次现场办公（000 二(一)3）",
            ),
        };
        let input = TaskInput {
            ledger_id: Some(self.ledger(kind).await?),
            number: Some(format!("{code}-{}", a.id)),
            title: Some(title),
            text: Some(clause.to_string()),
            source: Some(source.code().to_string()),
            lead: vec![Party::Unit(a.fields.unit_id)],
            responsible_person_id: Some(a.fields.person_id),
            deadline: Some(period.last_day().to_string()),
            ..Default::default()
        };
        let now = self.core.now();
        let mut fields = input.parse(now, &self.core.policy().timezone())?;
        fields.received_at = now;
        // The duty is standing: the task starts signed.
        let clock = BTreeMap::from([(ClockEvent::Received, now), (ClockEvent::Signed, now)]);
        let data = serde_json::json!({ "title": fields.title, "assignment": a.id, "period": code });
        let task = self.tasks.insert_task(fields, Status::Signed, clock, data, None).await?;
        if self.store.insert_obligation(a.id, &code, task.id).await? {
            return Ok(task.id);
        }
        // Another writer recorded the period's task first: withdraw this one, use theirs.
        self.tasks.cancel_task(task.id, task.version, "重复生成的包联任务", None).await?;
        self.store
            .obligation(a.id, &code)
            .await?
            .ok_or_else(|| Error::not_found(format!("包联 {} 的{}任务", a.id, period.label())))
    }

    /// Creates this period's obligation task of every assignment in force that has none yet;
    /// returns how many were created. Idempotent; the store reads only the assignments still
    /// without one, so a run when nothing changed costs one query per service.
    pub async fn create_obligations(&self) -> Result<usize, Error> {
        let today = self.today();
        let mut made = 0;
        for kind in ServiceKind::ALL.iter().copied() {
            let period = Period::containing(self.policy.cadence(kind), today);
            let due = self.store.assignments_due(kind, today, &period.code()).await?;
            if due.is_empty() {
                continue;
            }
            let names = self.target_names(&due).await?;
            for a in &due {
                let name = names.get(&a.fields.target).cloned().unwrap_or_default();
                self.obligation(a, period, &name).await?;
                made += 1;
            }
        }
        Ok(made)
    }

    /// Records a visit (or a steward's on-site work) and completes its period's obligation
    /// task through the trail. The assigned person, or the office.
    pub async fn record_visit(&self, actor: &Actor, assignment: i64, input: VisitInput) -> Result<Visit, Error> {
        let a = self.assignment(actor, assignment).await?;
        if actor.id() != Some(a.fields.person_id) && !actor.may::<RunLedgers>() {
            return Err(Error::Forbidden);
        }
        let kind = a.fields.kind;
        let v = input.parse(kind, &a, self.today())?;
        let period = Period::containing(self.policy.cadence(kind), v.visited_on);
        let names = self.target_names(std::slice::from_ref(&a)).await?;
        let target = names.get(&a.fields.target).cloned().unwrap_or_default();
        let task = self.obligation(&a, period, &target).await?;
        let evidence = self.evidence_names(task, &v.evidence).await?;
        let visit = self.store.insert_visit(&v, Some(task), actor.id(), self.core.now()).await?;
        self.complete(task, &visit, evidence, actor.id()).await?;
        Ok(visit)
    }

    async fn evidence_names(&self, task: TaskId, ids: &[i64]) -> Result<Vec<String>, Error> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let files = self.attachments.list_attachments(task).await?;
        ids.iter()
            .map(|id| {
                files
                    .iter()
                    .find(|f| f.id == *id)
                    .map(|f| f.name.clone())
                    .ok_or_else(|| Error::invalid("evidence", format!("附件 {id} 不是本期走访任务的附件，请先上传")))
            })
            .collect()
    }

    /// Completes an obligation task with a visit: 反馈办结 in its trail, closed (the record is the
    /// outcome). A task already done, withdrawn or suspended is left as it is.
    async fn complete(
        &self,
        id: TaskId,
        visit: &Visit,
        evidence: Vec<String>,
        actor: Option<PersonId>,
    ) -> Result<(), Error> {
        let task = self.task_store.get_task(id).await?;
        if matches!(task.status, Status::Feedback | Status::Closed | Status::Cancelled | Status::Suspended) {
            return Ok(());
        }
        let now = self.core.now();
        let mut clock = task.events.clone();
        for e in [ClockEvent::Signed, ClockEvent::Feedback, ClockEvent::Done, ClockEvent::OutcomeReported] {
            clock.entry(e).or_insert(now);
        }
        let mut text = format!("{} 已记录走访（现场办公）", visit.visited_on);
        if !visit.met.is_empty() {
            text.push_str(&format!("，走访对象：{}", visit.met));
        }
        if !visit.work.is_empty() {
            text.push_str(&format!("，工作内容：{}", visit.work));
        }
        if !visit.problems.is_empty() {
            text.push_str(&format!("，发现问题{}个", visit.problems.len()));
        }
        let data = serde_json::json!({
            "text": text,
            "evidence": evidence,
            "attachments": visit.evidence,
            "visit": visit.id,
        });
        let fields = task.fields.clone();
        let version = task.version;
        self.tasks
            .write_with_clock(
                task,
                version,
                fields,
                Status::Closed,
                clock,
                Edit { kind: EventKind::Feedback, data, actor },
            )
            .await?;
        Ok(())
    }

    /// Records that problem `index` (from 0) of a visit became the enterprise demand `task_id`
    /// (转为企业诉求): the 转为企业诉求 button creates the demand, then calls this. The visit's
    /// recorder or the office; the demand must be a task of source 企业诉求.
    pub async fn mark_problem_raised(
        &self,
        actor: &Actor,
        visit: i64,
        index: usize,
        task_id: TaskId,
    ) -> Result<Visit, Error> {
        let v = self.visit(actor, visit).await?;
        if actor.id().is_none_or(|me| v.recorded_by != Some(me)) && !actor.may::<RunLedgers>() {
            return Err(Error::Forbidden);
        }
        // A task the actor may not see answers exactly as a missing one.
        let demand = match actor.person() {
            Some(p) => self.access.visible_task(p, task_id).await?,
            None => self.task_store.get_task(task_id).await?,
        };
        if demand.fields.source != Source::Enterprise {
            return Err(Error::invalid("task_id", "只能关联来源为企业诉求的任务"));
        }
        self.store.mark_problem_raised(visit, index, task_id).await?;
        self.visit(actor, visit).await
    }

    /// 转为企业诉求 in one step: problem `index` (from 0) of a visit becomes an enterprise demand
    /// (channel 包联走访, its text the problem's, the enterprise the visit's — for a steward's
    /// project, its investor when listed) sent at once to `assign`'s lead unit, and the problem is
    /// linked to it. The visit's recorder or the office; once per problem.
    pub async fn raise_problem(
        &self,
        actor: &Actor,
        demands: &crate::demands::Demands,
        visit: i64,
        index: usize,
        kind: &str,
        assign: crate::demands::AssignInput,
    ) -> Result<(Visit, TaskId), Error> {
        let v = self.visit(actor, visit).await?;
        if actor.id().is_none_or(|me| v.recorded_by != Some(me)) && !actor.may::<RunLedgers>() {
            return Err(Error::Forbidden);
        }
        let problem =
            v.problems.get(index).ok_or_else(|| Error::not_found(format!("走访记录 {visit} 的问题 {}", index + 1)))?;
        if problem.demand_task_id.is_some() {
            return Err(Error::Conflict("该问题已转为企业诉求".into()));
        }
        let a = self.store.assignment(v.assignment_id).await?.ok_or_else(|| Error::not_found("包联关系"))?;
        let enterprise = match a.fields.target {
            duban_domain::liaison::Target::Enterprise(e) => Some(e),
            duban_domain::liaison::Target::Project(p) => {
                self.enterprises.project(p).await?.and_then(|p| p.fields.enterprise_id)
            }
        };
        let enterprise = match enterprise {
            Some(e) => self.enterprises.enterprise(e).await?,
            None => None,
        };
        let Some(enterprise) = enterprise else {
            return Err(Error::invalid("visit", "该项目的投资主体不在重点企业名单中，请在“企业诉求”中登记"));
        };
        // Whom the unit contacts: the enterprise's listed contact, else the people met on the
        // visit; the listed phone, else the liaison's (who knows the enterprise).
        let f = &enterprise.fields;
        let contact_name =
            [f.contact_name.trim(), v.met.trim()].into_iter().find(|s| !s.is_empty()).unwrap_or_default();
        let mut contact_phone = f.contact_phone.trim().to_string();
        if contact_phone.is_empty() {
            contact_phone = self.people.get_person(a.fields.person_id).await?.fields.phone.trim().to_string();
        }
        if contact_name.is_empty() || contact_phone.is_empty() {
            return Err(Error::invalid(
                "contact",
                format!("“{}”在重点企业名单中没有联系人或联系电话，请先补全后再转为企业诉求", f.name),
            ));
        }
        let demand = duban_domain::demand::DemandInput {
            enterprise_id: Some(enterprise.id),
            enterprise_name: f.name.clone(),
            credit_code: f.credit_code.to_string(),
            contact_name: contact_name.chars().take(50).collect(),
            contact_phone,
            channel: duban_domain::demand::Channel::Visit.code().to_string(),
            kind: kind.to_string(),
            title: String::new(),
            text: problem.text.clone(),
            reference: format!("visit:{visit}"),
        };
        let (_, task) = demands.raise(actor, crate::demands::RaiseInput { demand, assign }).await?;
        let v = self.mark_problem_raised(actor, visit, index, task.task.id).await?;
        Ok((v, task.task.id))
    }

    /// Whom the office's assignment forms offer: the active people with a unit, (id,
    /// "name（unit）"), in one query.
    pub async fn people_choices(&self, actor: &Actor) -> Result<Vec<(i64, String)>, Error> {
        actor.require_signed_in()?;
        Ok(self
            .store
            .assignable_people()
            .await?
            .into_iter()
            .map(|(id, name, unit)| (id.0, format!("{name}（{unit}）")))
            .collect())
    }

    /// The enterprise the office typed in the assign form: its 统一社会信用代码, or its name (the
    /// exact name, or text only one name contains). None found, or several, is invalid: the
    /// message names up to five of them.
    pub async fn resolve_enterprise(&self, actor: &Actor, text: &str) -> Result<EnterpriseId, Error> {
        actor.require_signed_in()?;
        let text = text.trim();
        if text.is_empty() {
            return Err(Error::invalid("enterprise", "请填写企业名称或统一社会信用代码"));
        }
        if let Ok(code) = text.parse::<CreditCode>()
            && let Some(e) = self.enterprises.enterprise_by_code(&code).await?
        {
            return Ok(e.id);
        }
        let q = EnterpriseQuery { search: Some(text.to_string()), limit: NAME_MATCHES, ..Default::default() };
        let (found, total) = self.enterprises.enterprises(&q).await?;
        let names: Vec<(EnterpriseId, String)> = found.into_iter().map(|e| (e.id, e.fields.name)).collect();
        pick_one("enterprise", "企业", text, names, total)
    }

    /// The project the office typed in the assign form: its name (the exact name, or text only
    /// one name contains); none found, or several, is invalid.
    pub async fn resolve_project(&self, actor: &Actor, text: &str) -> Result<ProjectId, Error> {
        actor.require_signed_in()?;
        let text = text.trim();
        if text.is_empty() {
            return Err(Error::invalid("project", "请填写项目名称"));
        }
        let q = ProjectQuery { search: Some(text.to_string()), limit: NAME_MATCHES, ..Default::default() };
        let (found, total) = self.enterprises.projects(&q).await?;
        let names: Vec<(ProjectId, String)> = found.into_iter().map(|p| (p.id, p.fields.name)).collect();
        pick_one("project", "项目", text, names, total)
    }

    /// The name of an enterprise or project, for a form filled from a link; `None` when it does
    /// not exist.
    pub async fn target_name(&self, actor: &Actor, target: Target) -> Result<Option<String>, Error> {
        actor.require_signed_in()?;
        Ok(match target {
            Target::Enterprise(e) => self.enterprises.enterprise(e).await?.map(|e| e.fields.name),
            Target::Project(p) => self.enterprises.project(p).await?.map(|p| p.fields.name),
        })
    }
}

/// The one match of a name search: the exact name when one matches, else the only row found;
/// none or several is invalid (the message names up to five).
fn pick_one<I: Copy>(field: &str, what: &str, text: &str, found: Vec<(I, String)>, total: i64) -> Result<I, Error> {
    let exact: Vec<I> = found.iter().filter(|(_, n)| n == text).map(|(id, _)| *id).collect();
    if let [id] = exact.as_slice() {
        return Ok(*id);
    }
    match found.as_slice() {
        [] => Err(Error::invalid(field, format!("未找到{what}“{text}”"))),
        [(id, _)] if total == 1 => Ok(*id),
        _ => {
            let names: Vec<&str> = found.iter().take(5).map(|(_, n)| n.as_str()).collect();
            let more = if total > 5 { format!("等{total}个") } else { String::new() };
            let hint = if what == "企业" {
                "请填写统一社会信用代码或完整名称"
            } else {
                "请填写完整名称"
            };
            Err(Error::invalid(field, format!("“{text}”对应多个{what}：{}{more}，{hint}", names.join("、"))))
        }
    }
}

/// The job that creates each period's obligation tasks ([`Liaison::create_obligations`]).
pub struct ServiceObligations;

#[async_trait]
impl Job for ServiceObligations {
    fn name(&self) -> &'static str {
        "service_obligations"
    }

    async fn run(&self, duban: &Services, _holder: &Holder, _now: Timestamp) -> Result<String, Error> {
        Ok(format!("obligation tasks created {}", duban.liaison().create_obligations().await?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every window of every merge of two small sorted lists, read the way the flags are, equals
    /// the same window of the merged list.
    #[test]
    fn a_window_of_a_merge_reads_only_its_chunk() {
        let mut seed = 7_u64;
        let mut next = |n: u64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % n
        };
        for _ in 0..300 {
            // Distinct keys, each in `m` (read in chunks) or `w` (in memory).
            let (mut m, mut w) = (Vec::new(), Vec::new());
            for k in 0..next(12) as i64 {
                if next(3) == 0 { w.push(k) } else { m.push(k) }
            }
            let all: Vec<i64> = (0..(m.len() + w.len()) as i64).collect();
            for offset in 0..all.len() as i64 + 2 {
                for limit in 1..4 {
                    let (from, take) = missing_chunk(offset, limit, w.len() as i64);
                    let chunk: Vec<(i64, i64)> =
                        m.iter().skip(from as usize).take(take as usize).map(|k| (*k, *k)).collect();
                    let wk: Vec<(i64, i64)> = w.iter().map(|k| (*k, *k)).collect();
                    let got = merge_window(offset, limit, from, chunk, wk);
                    let want: Vec<i64> = all.iter().skip(offset as usize).take(limit as usize).copied().collect();
                    assert_eq!(got, want, "m {m:?} w {w:?} offset {offset} limit {limit}");
                    let total = all.len() as i64;
                    assert_eq!(got.len() as i64, rows_in(total, offset, limit));
                }
            }
        }
    }

    #[test]
    fn pages_are_one_to_a_million_of_one_to_two_hundred() {
        assert_eq!(page_window(None, None).unwrap(), PageWindow { page: 1, per_page: 50 });
        assert_eq!(page_window(Some(3), Some(200)).unwrap().offset(), 400);
        for (page, per_page) in [(Some(0), None), (Some(1_000_001), None), (None, Some(0)), (None, Some(201))] {
            assert!(matches!(page_window(page, per_page), Err(Error::Invalid { .. })), "{page:?} {per_page:?}");
        }
        assert!(page_window(Some(1_000_000), Some(1)).is_ok());
    }

    #[test]
    fn a_name_picks_its_exact_match_or_the_only_one() {
        let found = |names: &[&str]| names.iter().enumerate().map(|(i, n)| (i, n.to_string())).collect::<Vec<_>>();
        assert_eq!(pick_one("enterprise", "企业", "甲公司", found(&["甲公司二厂", "甲公司"]), 2).unwrap(), 1);
        assert_eq!(pick_one("enterprise", "企业", "甲", found(&["甲公司"]), 1).unwrap(), 0);
        let none = pick_one("enterprise", "企业", "乙", found(&[]), 0).unwrap_err().to_string();
        assert!(none.contains("未找到企业“乙”"), "{none}");
        let many = pick_one("enterprise", "企业", "甲", found(&["甲1", "甲2", "甲3", "甲4", "甲5", "甲6"]), 9)
            .unwrap_err()
            .to_string();
        assert!(many.contains("甲1、甲2、甲3、甲4、甲5等9个") && !many.contains("甲6"), "{many}");
    }
}
