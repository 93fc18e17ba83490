//! [`Demands`], enterprise demands (企业诉求, "企业吹哨、部门报到", 001 §13; issue 14 §5) on the
//! one engine.
//!
//! A demand is a task with source 企业诉求 in the ledger "企业诉求台账", led by the unit the office
//! names, plus a demand record (`DemandStore`) keyed to the task: lights, the 1/3/30 working-day
//! rules (`whistle-*`, in every built-in profile), reminders, 督办, the trail, visibility and the
//! assessment all come from the task. The lead unit moves it with the lifecycle's 联系企业 and
//! 解决或确认, then the usual feedback and the office's review.
//!
//! Demands arrive three ways:
//! - the office records one from a hotline (12345, 4512345), a 项目服务日 (001 §14) or otherwise,
//!   naming the lead unit: the task is made at once ([`Demands::raise`]);
//! - a liaison raises one from a visit ([`Demands::raise`] with channel 包联走访 and the visit as
//!   its reference), in one step;
//! - an enterprise submits one on the public form without an account
//!   ([`Demands::submit_public`]): it waits in the office's queue until the office assigns the
//!   lead unit (分派, [`Demands::assign`]). **The 1-day clock runs from the assignment**: the task
//!   is received by the unit when the office hands it over (that is when the unit can be
//!   whistled); the time a demand waited in the queue is shown to the office beside it, and the
//!   public page dates both the submission and the assignment.
//!
//! Every demand gets a query code (160 random bits), shown once to whoever submitted or recorded
//! it; only its SHA-256 is kept and compared in constant time. With it, and only with it, the
//! enterprise reads the status and dated steps in plain words ([`PublicDemand`]; no people, no
//! notes) and rates the handling once it is solved or confirmed. A wrong code reads exactly as a
//! missing one. The public intake is limited per client address ([`INTAKE`]): submissions per
//! hour and look-ups per minute.

use crate::access::Access;
use crate::actor::{Actor, RunLedgers};
use crate::core::{Core, TaskView};
use crate::tasks::Tasks;
use duban_domain::Error;
use duban_domain::demand::{
    CODE_BYTES, Channel, DemandInput, DemandKind, INTAKE, NewDemand, PublicDemandInput, PublicFacts, PublicStep,
    QueryCode, RateCell, Satisfaction, check_comment, equal_in_constant_time,
};
use duban_domain::ids::{LedgerId, PersonId, TaskId, UnitId};
use duban_domain::task::{Light, Party, Source, Status, TaskInput};
use duban_store::demands::{Demand, DemandPageQuery, DemandQuery};
use duban_store::{DemandStore, EnterpriseStore, LedgerStore, NewLedger, Page, TaskQuery};
use jiff::SignedDuration;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

/// The ledger demands' tasks are kept in, so the main ledger can be filtered.
pub const DEMAND_LEDGER: &str = "企业诉求台账";

/// Addresses the limiter tracks before it forgets idle ones.
const TRACKED_MAX: usize = 10_000;

/// A demand recorded by the office or raised from a visit.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RaiseInput {
    pub demand: DemandInput,
    /// The lead unit it goes to at once.
    pub assign: AssignInput,
}

/// Whom a demand goes to (分派).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignInput {
    /// The lead unit(s).
    pub lead: Vec<Party>,
    /// A hard case (难度较大): at most 30 working days instead of 3.
    pub hard: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub responsible_person_id: Option<PersonId>,
}

/// A demand just recorded, with its query code — the only time the code is given out.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Recorded {
    pub demand: Demand,
    /// The query code, in groups of four.
    pub code: String,
}

/// The office's return visit.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReturnVisitInput {
    pub text: String,
    /// What the enterprise said (满意/基本满意/不满意), when it said.
    pub satisfaction: Option<String>,
}

/// The enterprise's rating.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RatingInput {
    pub satisfaction: String,
    pub comment: String,
}

/// What the public page shows: plain words, dates, nothing internal.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicDemand {
    pub enterprise_name: String,
    pub kind: DemandKind,
    pub title: String,
    pub status: &'static str,
    pub steps: Vec<PublicStep>,
    pub may_rate: bool,
    pub rating: Option<Satisfaction>,
}

/// Filters of the office's list.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct DemandFilter {
    /// A task status code, or `queued` for those waiting for their lead unit.
    pub status: Option<String>,
    pub light: Option<String>,
    pub channel: Option<String>,
    pub kind: Option<String>,
    pub unit: Option<i64>,
    /// 1-based.
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// A demand with its task as the viewer may see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DemandView {
    pub demand: Demand,
    /// `None` while queued.
    pub task: Option<TaskView>,
}

/// Which limit a public request counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Bucket {
    Submit,
    Lookup,
}

/// The enterprise-demand area.
pub struct Demands {
    pub(crate) core: Arc<Core>,
    pub(crate) access: Access,
    pub(crate) tasks: Arc<Tasks>,
    pub(crate) store: Arc<dyn DemandStore>,
    pub(crate) enterprises: Arc<dyn EnterpriseStore>,
    pub(crate) ledgers: Arc<dyn LedgerStore>,
    limiter: Mutex<HashMap<(Bucket, IpAddr), RateCell>>,
}

fn code_hash(code: &QueryCode) -> String {
    duban_store::chain::sha256_hex(code.as_str().as_bytes())
}

fn missing() -> Error {
    Error::not_found("诉求")
}

impl Demands {
    pub fn new(
        core: Arc<Core>,
        access: Access,
        tasks: Arc<Tasks>,
        store: Arc<dyn DemandStore>,
        enterprises: Arc<dyn EnterpriseStore>,
        ledgers: Arc<dyn LedgerStore>,
    ) -> Self {
        Self { core, access, tasks, store, enterprises, ledgers, limiter: Mutex::new(HashMap::new()) }
    }

    fn admit(&self, bucket: Bucket, client: IpAddr) -> Result<(), Error> {
        let now = self.core.now();
        let (limit, window) = match bucket {
            Bucket::Submit => (INTAKE.submissions_per_hour, SignedDuration::from_hours(1)),
            Bucket::Lookup => (INTAKE.lookups_per_minute, SignedDuration::from_mins(1)),
        };
        let mut cells = self.limiter.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if cells.len() >= TRACKED_MAX {
            cells.retain(|_, c| !c.idle(now));
        }
        cells.entry((bucket, client)).or_default().admit(now, limit, window)
    }

    fn new_code() -> QueryCode {
        let mut bytes = [0u8; CODE_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        QueryCode::from_bytes(&bytes)
    }

    /// The enterprise in the key list a demand names, by id or by credit code; the name as given
    /// is kept either way.
    async fn resolve_enterprise(&self, d: &mut NewDemand) -> Result<(), Error> {
        if let Some(id) = d.enterprise_id {
            let e = self
                .enterprises
                .enterprise(id)
                .await?
                .ok_or_else(|| Error::invalid("enterprise_id", format!("重点企业 {id} 不存在")))?;
            if d.credit_code.is_none() {
                d.credit_code = Some(e.fields.credit_code);
            }
        } else if let Some(code) = &d.credit_code {
            d.enterprise_id = self.enterprises.enterprise_by_code(code).await?.map(|e| e.id);
        }
        Ok(())
    }

    async fn ledger(&self) -> Result<LedgerId, Error> {
        if let Some(l) = self.ledgers.list_ledgers().await?.into_iter().find(|l| l.fields.name == DEMAND_LEDGER) {
            return Ok(l.id);
        }
        let l = NewLedger {
            name: DEMAND_LEDGER.into(),
            doc_number: None,
            issued: None,
            issuer: String::new(),
            source: Source::Enterprise,
        };
        match self.tasks.create_ledger(&l).await {
            Ok(l) => Ok(l.id),
            // Made meanwhile by another request.
            Err(Error::Conflict(_)) => self
                .ledgers
                .list_ledgers()
                .await?
                .into_iter()
                .find(|l| l.fields.name == DEMAND_LEDGER)
                .map(|l| l.id)
                .ok_or(Error::Internal),
            Err(e) => Err(e),
        }
    }

    /// Makes the demand's task: source 企业诉求, received now by the lead unit.
    async fn make_task(&self, d: &NewDemand, assign: &AssignInput, by: Option<PersonId>) -> Result<TaskView, Error> {
        if assign.lead.is_empty() {
            return Err(Error::invalid("lead", "请指定牵头承办单位"));
        }
        let text = format!(
            "企业：{}{}\n联系人：{}，电话：{}\n渠道：{}；类别：{}{}\n\n{}",
            d.enterprise_name,
            d.credit_code.as_ref().map(|c| format!("（{c}）")).unwrap_or_default(),
            d.contact_name,
            d.contact_phone,
            d.channel.label(),
            d.kind.label(),
            if d.reference.is_empty() { String::new() } else { format!("；来源：{}", d.reference) },
            d.text
        );
        let input = TaskInput {
            ledger_id: Some(self.ledger().await?),
            title: Some(d.title.clone()),
            text: Some(text),
            source: Some(Source::Enterprise.code().into()),
            lead: assign.lead.clone(),
            responsible_person_id: assign.responsible_person_id,
            complexity: Some(if assign.hard { "较复杂" } else { "一般" }.into()),
            ..Default::default()
        };
        self.tasks.create_task(input, by).await
    }

    /// Records a demand with its lead unit at once: the office from a hotline, a 项目服务日 or
    /// otherwise; a liaison (anyone signed in) from a visit, with channel 包联走访 and the visit
    /// as its reference. Returns the record and its query code.
    pub async fn raise(&self, actor: &Actor, input: RaiseInput) -> Result<(Recorded, TaskView), Error> {
        let mut d = input.demand.parse(Channel::Other)?;
        let from_visit = d.channel == Channel::Visit && actor.person().is_some_and(|p| p.active);
        if !from_visit {
            actor.require::<RunLedgers>()?;
        }
        if d.channel == Channel::Online {
            return Err(Error::invalid("channel", "网上提交的诉求由企业在公开页面提交"));
        }
        self.resolve_enterprise(&mut d).await?;
        let task = self.make_task(&d, &input.assign, actor.id()).await?;
        let code = Self::new_code();
        let demand =
            self.store.insert_demand(&d, Some(task.task.id), &code_hash(&code), actor.id(), self.core.now()).await?;
        Ok((Recorded { demand, code: code.display() }, task))
    }

    /// An enterprise submits a demand without an account: it waits in the office's queue.
    pub async fn submit_public(&self, client: IpAddr, input: PublicDemandInput) -> Result<Recorded, Error> {
        self.admit(Bucket::Submit, client)?;
        let mut d = input.parse()?;
        self.resolve_enterprise(&mut d).await?;
        let code = Self::new_code();
        let demand = self.store.insert_demand(&d, None, &code_hash(&code), None, self.core.now()).await?;
        Ok(Recorded { demand, code: code.display() })
    }

    /// The office assigns a queued demand's lead unit (分派): its task is made now, and its
    /// 1-day clock runs from now.
    pub async fn assign(&self, actor: &Actor, id: i64, input: AssignInput) -> Result<DemandView, Error> {
        actor.require::<RunLedgers>()?;
        let by = actor.id().ok_or(Error::Forbidden)?;
        let d = self.store.demand(id).await?.ok_or_else(missing)?;
        if d.task_id.is_some() {
            return Err(Error::Conflict("该诉求已分派".into()));
        }
        let fields = NewDemand {
            enterprise_id: d.enterprise_id,
            enterprise_name: d.enterprise_name.clone(),
            credit_code: d.credit_code.clone(),
            contact_name: d.contact_name.clone(),
            contact_phone: d.contact_phone.clone(),
            channel: d.channel,
            kind: d.kind,
            title: d.title.clone(),
            text: d.text.clone(),
            reference: d.reference.clone(),
        };
        let task = self.make_task(&fields, &input, Some(by)).await?;
        let demand = self.store.assign_demand(id, task.task.id, by, self.core.now()).await?;
        Ok(DemandView { demand, task: Some(task) })
    }

    /// The office records its return visit (回访), once the demand is solved or confirmed.
    pub async fn return_visit(&self, actor: &Actor, id: i64, input: ReturnVisitInput) -> Result<Demand, Error> {
        actor.require::<RunLedgers>()?;
        let by = actor.id().ok_or(Error::Forbidden)?;
        let d = self.store.demand(id).await?.ok_or_else(missing)?;
        let facts = self.public_facts(&d).await?;
        if !facts.clock.contains_key(&duban_domain::facts::ClockEvent::Resolved)
            && facts.task_status != Some(Status::Closed)
        {
            return Err(Error::Conflict("诉求解决或确认后才能回访".into()));
        }
        let text = input.text.trim();
        if text.is_empty() {
            return Err(Error::invalid("text", "请填写回访情况"));
        }
        let text = check_comment(text).map_err(|_| Error::invalid("text", "回访情况过长"))?;
        let satisfaction = input
            .satisfaction
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::parse::<Satisfaction>)
            .transpose()?;
        self.store.record_return_visit(id, &text, satisfaction, by, self.core.now()).await
    }

    async fn by_code(&self, client: IpAddr, typed: &str) -> Result<Demand, Error> {
        self.admit(Bucket::Lookup, client)?;
        let code = QueryCode::parse(typed).ok_or_else(missing)?;
        let hash = code_hash(&code);
        let d = self.store.demand_by_code_hash(&hash).await?.ok_or_else(missing)?;
        if equal_in_constant_time(&d.code_hash, &hash) { Ok(d) } else { Err(missing()) }
    }

    async fn public_facts(&self, d: &Demand) -> Result<PublicFacts, Error> {
        let task = match d.task_id {
            Some(t) => Some(self.tasks.get_task(t).await?.task),
            None => None,
        };
        Ok(PublicFacts {
            submitted_at: Some(d.submitted_at),
            task_status: task.as_ref().map(|t| t.status),
            clock: task.map(|t| t.events).unwrap_or_default(),
            return_visit_at: d.return_visit.as_ref().map(|v| v.at),
            rated_at: d.rating.as_ref().map(|r| r.at),
        })
    }

    fn public(d: &Demand, f: &PublicFacts) -> PublicDemand {
        PublicDemand {
            enterprise_name: d.enterprise_name.clone(),
            kind: d.kind,
            title: d.title.clone(),
            status: f.status(),
            steps: f.steps(),
            may_rate: f.may_rate(),
            rating: d.rating.as_ref().map(|r| r.satisfaction),
        }
    }

    /// The progress of the demand with this query code, in plain words.
    pub async fn public_view(&self, client: IpAddr, code: &str) -> Result<PublicDemand, Error> {
        let d = self.by_code(client, code).await?;
        let f = self.public_facts(&d).await?;
        Ok(Self::public(&d, &f))
    }

    /// The enterprise rates the handling, once it is solved or confirmed, and only once.
    pub async fn rate(&self, client: IpAddr, code: &str, input: RatingInput) -> Result<PublicDemand, Error> {
        let d = self.by_code(client, code).await?;
        let f = self.public_facts(&d).await?;
        if d.rating.is_some() {
            return Err(Error::Conflict("已评价过，不能再次评价".into()));
        }
        if !f.may_rate() {
            return Err(Error::Conflict("诉求解决或确认后才能评价".into()));
        }
        let satisfaction: Satisfaction = match input.satisfaction.trim() {
            "" => return Err(Error::invalid("satisfaction", "请选择满意程度")),
            s => s.parse()?,
        };
        let comment = check_comment(&input.comment)?;
        let d = self.store.rate_demand(d.id, satisfaction, &comment, self.core.now()).await?;
        let f = self.public_facts(&d).await?;
        Ok(Self::public(&d, &f))
    }

    /// Whether the actor may see this demand: a queued one, only those who run ledgers (the
    /// office); an assigned one, whoever may see its task (the one visibility rule).
    async fn visible(&self, actor: &Actor, d: Demand) -> Result<DemandView, Error> {
        match d.task_id {
            None if actor.may::<RunLedgers>() => Ok(DemandView { demand: d, task: None }),
            None => Err(missing()),
            Some(t) => {
                let task = match actor.person() {
                    Some(p) => self.access.visible_task(p, t).await.map_err(|_| missing())?,
                    None => self.tasks.get_task(t).await?.task,
                };
                Ok(DemandView { demand: d, task: Some(self.core.view(task, self.core.now(), true)) })
            }
        }
    }

    /// One demand, with its task and each stage's clock.
    pub async fn detail(&self, actor: &Actor, id: i64) -> Result<DemandView, Error> {
        if actor.person().is_some_and(|p| !p.active) {
            return Err(Error::Forbidden);
        }
        let d = self.store.demand(id).await?.ok_or_else(missing)?;
        self.visible(actor, d).await
    }

    /// The demand of a task, if the task is one.
    pub async fn of_task(&self, task: TaskId) -> Result<Option<Demand>, Error> {
        self.store.demand_by_task(task).await
    }

    /// The office's queue: online demands waiting for their lead unit, oldest first.
    pub async fn queue(&self, actor: &Actor) -> Result<Vec<Demand>, Error> {
        actor.require::<RunLedgers>()?;
        let mut q = self.store.demands(&DemandQuery { queued: Some(true), ..Default::default() }).await?;
        q.reverse();
        Ok(q)
    }

    /// The demands the actor may see, filtered and one page of them (newest first).
    pub async fn list(&self, actor: &Actor, f: &DemandFilter) -> Result<Page<DemandView>, Error> {
        let person = actor.person();
        if person.is_some_and(|p| !p.active) {
            return Err(Error::Forbidden);
        }
        let pick = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        let channel = pick(&f.channel).map(|c| c.parse::<Channel>()).transpose()?;
        let kind = pick(&f.kind).map(|c| c.parse::<DemandKind>()).transpose()?;
        let status = pick(&f.status);
        let queued_only = status.as_deref() == Some("queued");
        let status: Option<Status> = status.filter(|_| !queued_only).map(|s| s.parse()).transpose()?;
        let light: Option<Light> = pick(&f.light).map(|l| l.parse()).transpose()?;
        let queued = if queued_only {
            Some(true)
        } else if status.is_some() || light.is_some() || f.unit.is_some() {
            Some(false)
        } else {
            None
        };
        let now = self.core.now();
        let per_page = f.per_page.unwrap_or(20);
        if !(1..=200).contains(&per_page) {
            return Err(Error::invalid("per_page", "每页条数应在 1 到 200 之间"));
        }
        if f.page.is_some_and(|p| p > 1_000_000) {
            return Err(Error::invalid("page", "页码过大"));
        }
        let page = f.page.unwrap_or(1).max(1);
        // Filtered and paged in SQL: the task filters carry the viewer's audience (the one
        // visibility rule, the same value `Audience::sees` checks in memory).
        let q = DemandPageQuery {
            channel,
            kind,
            queued,
            show_queued: actor.may::<RunLedgers>(),
            task: TaskQuery {
                audience: person.map(|p| self.access.audience(p)),
                statuses: status.into_iter().collect(),
                light,
                unit_id: f.unit.map(UnitId),
                lead_only: true,
                now,
                ..Default::default()
            },
            page,
            per_page,
        };
        // The page's tasks come with it, read by key.
        let found = self.store.demand_page(&q).await?;
        let items = found
            .items
            .into_iter()
            .map(|d| DemandView { task: d.task.map(|t| self.core.view(t, now, false)), demand: d.demand })
            .collect();
        Ok(Page { items, total: found.total, page: found.page, per_page: found.per_page })
    }
}
