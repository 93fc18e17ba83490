//! [`Reviews`]: objections (申诉) to a line of a unit's score, leaders' evaluations of units and
//! the office's document-error ledger (公文错情, 002 三(五)3) — issue 13 §1, §3.
//!
//! - **Objections.** A unit's officer or head objects to one of their unit's facts (by its key,
//!   from the breakdown of a score under a profile and period), with a reason and optional
//!   evidence (a file, at most [`MAX_EVIDENCE`] bytes, its name cleaned). One open objection
//!   per fact. The office decides: upheld, the fact is adjusted as
//!   [`Adjustment::Objection`] and counts nothing under any profile; rejected, nothing changes.
//!   The trail (`objection.decide`) holds the decision and its effect: the unit's total under
//!   the objection's profile and period before and after, computed by [`Assessment::ranking`].
//! - **Evaluations.** A leader scores a unit in their charge (the office any unit), on a task
//!   or for a period: 0–10 points with at most two decimals and a required comment. Each is a
//!   manual fact `ev{id}` (`leader_evaluation`, role unit, quantity = the score in
//!   hundredths); withdrawing it removes the fact.
//! - **Document errors.** The office records a document of a unit with errors in it (title,
//!   文号, kind, count, note); each is a manual fact `de{id}` (`document_error`, quantity = the
//!   count); withdrawing removes it. The month's ledger by unit feeds the 公文错情通报, on a
//!   page and as an .xlsx workbook ([`document_errors_xlsx`]).
//!
//! Every write is in the administrative trail (`objection.file`, `objection.decide`,
//! `evaluation`, `document_error`). A task's number and title are shown only to people who may
//! see the task (the one visibility rule).

use crate::access::Access;
use crate::actor::{Actor, RunLedgers};
use crate::admin_log::{record, snapshot};
use crate::assessment::Assessment;
use crate::core::Core;
use crate::rankings::profile_in_force;
use duban_domain::Error;
use duban_domain::assessment::indicator::{Outcome, STAGE_DONE, STAGE_NOTICE, STAGE_SIGN, STAGE_VISIT};
use duban_domain::assessment::profile::DEFAULT_SCORING;
use duban_domain::assessment::review::{self, DecisionEffect, ErrorKind, ObjectionStatus};
use duban_domain::assessment::{Fact, FactOrigin, Indicator, PartyRole, Points, ScoringProfile, Span};
use duban_domain::ids::{PersonId, TaskId, UnitId};
use duban_domain::org::Person;
use duban_domain::task::display_number;
use duban_store::admin_kind;
use duban_store::assessment::{Adjustment, AdjustmentRecord, StoredFact};
use duban_store::reviews::{
    DocumentError, Evaluation, Evidence, NewDocumentError, NewEvaluation, NewObjection, Objection,
};
use duban_store::{AuditStore, DirectoryStore, PeopleStore, RankingStore, ReviewStore};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// The largest evidence file an objection keeps.
pub const MAX_EVIDENCE: usize = 10 * 1024 * 1024;

/// Objections, evaluations and document errors.
pub struct Reviews {
    pub(crate) core: Arc<Core>,
    pub(crate) access: Access,
    pub(crate) assessment: Arc<Assessment>,
    pub(crate) store: Arc<dyn ReviewStore>,
    pub(crate) directory: Arc<dyn DirectoryStore>,
    pub(crate) people: Arc<dyn PeopleStore>,
    pub(crate) audit: Arc<dyn AuditStore>,
    /// Saved scoring profiles and issued rankings (to name the profile in force and whether the
    /// period is frozen).
    pub(crate) rankings: Arc<dyn RankingStore>,
}

/// A task as a line names it: only for people who may see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskRef {
    pub id: i64,
    pub number: String,
    pub title: String,
}

/// The fact an objection is about, as a form or list shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FactSummary {
    pub key: String,
    pub unit_id: i64,
    pub unit: String,
    /// What it counts as (按时办结, 逾期签收 …), read now.
    pub indicator: String,
    /// 牵头, 配合 or 单位.
    pub role: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub day: Date,
    /// The task, when the reader may see it.
    pub task: Option<TaskRef>,
    /// `tolerance` or `objection` when the office adjusted it.
    pub adjusted: Option<String>,
}

/// An objection as filed through the API or a page.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ObjectionInput {
    /// The fact's key, as the score's breakdown gives it.
    pub fact: String,
    /// The scoring profile of the breakdown (a built-in profile's name).
    pub profile: String,
    /// The period of the breakdown: `2026-07`, `2026Q3`, `2026`.
    pub period: String,
    /// Why the line is wrong (required).
    pub reason: String,
}

/// An objection with names, for lists.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ObjectionView {
    pub id: i64,
    pub fact: FactSummary,
    pub profile: String,
    pub period: String,
    /// The period in words: 2026年第一季度.
    pub period_label: String,
    pub reason: String,
    pub evidence_name: Option<String>,
    pub evidence_size: Option<i64>,
    /// `filed`, `upheld` or `rejected`.
    pub status: String,
    /// 待处理, 申诉成立, 不予支持.
    pub status_label: String,
    pub filed_by: String,
    pub filed_at: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub decision: String,
}

/// A decision and its effect.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Decided {
    pub id: i64,
    pub status: String,
    /// `none`, `recount` or `revision` (upheld after the period's ranking was issued).
    pub effect: String,
    /// The unit's total under the objection's profile and period, before and after.
    pub total_before: String,
    pub total_after: String,
}

/// An evaluation as given.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EvaluationInput {
    pub unit: i64,
    /// The task evaluated, if any (else the unit's work in the period).
    pub task: Option<i64>,
    /// The day it counts on; today when absent; never in the future.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub day: Option<Date>,
    /// 0 to 10, at most two decimals ("8.5").
    pub score: String,
    /// Required.
    pub comment: String,
}

/// An evaluation with names, for lists.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EvaluationView {
    pub id: i64,
    pub unit_id: i64,
    pub unit: String,
    pub task: Option<TaskRef>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub day: Date,
    /// "8.5".
    pub score: String,
    pub comment: String,
    pub by: String,
    pub at: String,
    pub withdrawn: bool,
    /// Whether the reader may withdraw it.
    pub can_withdraw: bool,
}

/// A document error as recorded.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentErrorInput {
    pub unit: i64,
    /// The day the document was received or checked; today when absent.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub day: Option<Date>,
    /// The document's title (required).
    pub title: String,
    /// 文号.
    pub number: String,
    /// 文字差错, 格式错误, 要素错误, 数据事实差错, 行文程序错误, 政治性差错, 其他 (or their codes).
    pub kind: String,
    /// How many errors (1 when absent).
    pub count: Option<i64>,
    pub note: String,
}

/// A line of the document-error ledger.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentErrorView {
    pub id: i64,
    pub unit_id: i64,
    pub unit: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub day: Date,
    pub title: String,
    pub number: String,
    pub kind: String,
    pub kind_label: String,
    pub count: i64,
    pub note: String,
    pub by: String,
    pub withdrawn: bool,
}

/// One unit's document errors in a period.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitErrors {
    pub unit_id: i64,
    pub unit: String,
    pub documents: i64,
    pub errors: i64,
    /// "文字差错 3、格式错误 1".
    pub kinds: String,
}

/// The ledger of a period: its lines (withdrawn ones marked) and the sums by unit (most errors
/// first), withdrawn lines left out.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorLedger {
    pub period: String,
    pub lines: Vec<DocumentErrorView>,
    pub by_unit: Vec<UnitErrors>,
}

/// The profile an objection names as in force (saved over built-in), or the default one when it
/// is no longer known.
async fn profile_of(rankings: &dyn RankingStore, name: &str) -> Result<ScoringProfile, Error> {
    match profile_in_force(rankings, name).await {
        Err(Error::NotFound { .. }) => profile_in_force(rankings, DEFAULT_SCORING).await,
        other => other,
    }
}

impl Reviews {
    fn today(&self) -> Date {
        self.core.now().to_zoned(self.core.policy().timezone()).date()
    }

    fn when(&self, t: jiff::Timestamp) -> String {
        t.to_zoned(self.core.policy().timezone()).strftime("%Y-%m-%d %H:%M").to_string()
    }

    fn person<'a>(&self, actor: &'a Actor) -> Result<&'a Person, Error> {
        actor.person().ok_or_else(|| Error::invalid("actor", "请以本人身份登录后操作"))
    }

    async fn unit_names(&self) -> Result<HashMap<UnitId, String>, Error> {
        Ok(self.directory.list_units().await?.into_iter().map(|u| (u.id, u.name)).collect())
    }

    async fn person_names(&self) -> Result<HashMap<PersonId, String>, Error> {
        Ok(self.people.list_people().await?.into_iter().map(|p| (p.id, p.fields.name)).collect())
    }

    /// The task, numbered and titled, when `reader` may see it.
    async fn task_ref(&self, reader: Option<&Person>, task: Option<TaskId>) -> Result<Option<TaskRef>, Error> {
        let (Some(p), Some(t)) = (reader, task) else { return Ok(None) };
        match self.access.visible_task(p, t).await {
            Ok(t) => Ok(Some(TaskRef {
                id: t.id.0,
                number: display_number(&t.fields.number),
                title: t.fields.title.clone(),
            })),
            Err(Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn summary_of(&self, f: &StoredFact, unit: String, task: Option<TaskRef>) -> FactSummary {
        let ms = self.core.now().as_millisecond();
        let outcome =
            Outcome::of(f.fact.due_at.map(|t| t.as_millisecond()), f.fact.stopped_at.map(|t| t.as_millisecond()), ms);
        let indicator = match Indicator::of_outcome(&f.fact.indicator, outcome) {
            Some(i) => i.label().to_string(),
            None => match f.fact.indicator.as_str() {
                STAGE_SIGN => "签收（未到期）".to_string(),
                STAGE_DONE => "办结（未到期）".to_string(),
                STAGE_NOTICE => "督办回复（未到期）".to_string(),
                STAGE_VISIT => "包联走访（未到期）".to_string(),
                other => other.to_string(),
            },
        };
        FactSummary {
            key: f.fact.key.clone(),
            unit_id: f.fact.unit.0,
            unit,
            indicator,
            role: f.fact.role.label().to_string(),
            day: f.fact.day,
            task,
            adjusted: f.adjusted.map(|a| a.code().to_string()),
        }
    }

    /// Whether `actor` reaches a unit's facts: the office any unit, a unit's people their own.
    fn reaches(actor: &Actor, unit: UnitId) -> bool {
        actor.capabilities().all_units || actor.person().is_some_and(|p| p.fields.unit_id == Some(unit))
    }

    /// The fact an objection would be about, as `actor` may see it (the office any unit's, a
    /// unit's people their own unit's; anyone else is told it does not exist).
    pub async fn fact(&self, actor: &Actor, key: &str) -> Result<FactSummary, Error> {
        let missing = || Error::not_found("考核事项");
        let f = self.assessment.facts().fact(fact_key(key)).await?.ok_or_else(missing)?;
        if !Self::reaches(actor, f.fact.unit) {
            return Err(missing());
        }
        let unit = self.directory.get_unit(f.fact.unit).await.map(|u| u.name).unwrap_or_default();
        let task = self.task_ref(actor.person(), f.fact.task).await?;
        Ok(self.summary_of(&f, unit, task))
    }

    /// Files an objection (see the module documentation).
    pub async fn file_objection(
        &self,
        actor: &Actor,
        input: &ObjectionInput,
        evidence: Option<Evidence>,
    ) -> Result<Objection, Error> {
        let p = self.person(actor)?;
        let missing = || Error::not_found("考核事项");
        let key = fact_key(&input.fact);
        let f = self.assessment.facts().fact(key).await?.ok_or_else(missing)?;
        if !Self::reaches(actor, f.fact.unit) {
            return Err(missing());
        }
        if !review::may_object(&p.fields.roles, p.fields.unit_id, f.fact.unit) {
            return Err(Error::Forbidden);
        }
        if f.adjusted == Some(Adjustment::Objection) {
            return Err(Error::Conflict("该项已因申诉成立而不计分".into()));
        }
        let reason = review::reason(&input.reason)?;
        let profile = profile_in_force(&*self.rankings, input.profile.trim()).await?;
        let period = Span::parse(input.period.trim())?;
        let evidence = match evidence {
            Some(e) if e.data.len() > MAX_EVIDENCE => {
                return Err(Error::invalid("file", "证明材料不能超过 10 MB"));
            }
            Some(e) if e.data.is_empty() => None,
            Some(e) => Some(Evidence { name: crate::file_names::clean_file_name(&e.name), ..e }),
            None => None,
        };
        let o = self
            .store
            .file_objection(&NewObjection {
                fact_key: key.to_string(),
                unit_id: f.fact.unit,
                profile: profile.name.clone(),
                period: period.key(),
                reason,
                evidence,
                filed_by: p.id,
                filed_at: self.core.now(),
            })
            .await?;
        record(
            &*self.audit,
            &self.core,
            actor,
            admin_kind::OBJECTION_FILE,
            format!("申诉 #{}", o.id),
            None,
            Some(json!({
                "fact": o.fact_key, "unit": o.unit_id.0, "profile": o.profile, "period": o.period,
                "reason": o.reason, "evidence": o.evidence_name,
            })),
        )
        .await?;
        Ok(o)
    }

    /// The unit's total under a profile and period, as of now.
    async fn total(&self, profile: &ScoringProfile, period: &str, unit: UnitId) -> Result<Points, Error> {
        let span = Span::parse(period)?;
        let r = self.assessment.ranking(profile, span).await?;
        Ok(r.row(unit).map(|row| row.total).unwrap_or_default())
    }

    /// The office decides a filed objection: upheld (the fact counts nothing) or rejected.
    pub async fn decide(&self, actor: &Actor, id: i64, upheld: bool, text: &str) -> Result<Decided, Error> {
        actor.require::<RunLedgers>()?;
        let by = self.person(actor)?.id;
        let o = self.store.objection(id).await?.ok_or_else(|| Error::not_found("申诉"))?;
        if o.status != ObjectionStatus::Filed.code() {
            return Err(Error::Conflict("该申诉已处理".into()));
        }
        let decision = review::required_text("decision", "处理意见", text)?;
        let profile = profile_of(&*self.rankings, &o.profile).await?;
        let before = self.total(&profile, &o.period, o.unit_id).await?;
        let status = if upheld { ObjectionStatus::Upheld } else { ObjectionStatus::Rejected };
        // Upheld, the fact is voided first; should the decision then not be written (decided
        // meanwhile by someone else), the fact's earlier adjustment is put back.
        let facts = self.assessment.facts();
        let earlier = if upheld {
            let earlier = facts.adjustment(&o.fact_key).await?;
            let adj = AdjustmentRecord {
                fact_key: o.fact_key.clone(),
                kind: Adjustment::Objection,
                reason: format!("申诉 #{id} 成立：{decision}"),
                person_id: Some(by),
                at: self.core.now(),
            };
            facts.adjust_fact(&o.fact_key, Some(&adj)).await?;
            Some(earlier)
        } else {
            None
        };
        let decided = match self.store.decide_objection(id, status.code(), &decision, by, self.core.now()).await {
            Ok(d) => d,
            Err(e) => {
                if let Some(earlier) = earlier {
                    facts.adjust_fact(&o.fact_key, earlier.as_ref()).await?;
                }
                return Err(e);
            }
        };
        let after = if upheld { self.total(&profile, &o.period, o.unit_id).await? } else { before };
        // A period whose ranking under this profile was issued is frozen: an upheld objection
        // then calls for a revision (issued by the office with its reason), never a silent change.
        let frozen = !self.rankings.issued_rankings(Some(&profile.name), Some(&o.period)).await?.is_empty();
        let effect = DecisionEffect::of(upheld, frozen);
        record(
            &*self.audit,
            &self.core,
            actor,
            admin_kind::OBJECTION_DECIDE,
            format!("申诉 #{id}"),
            Some(json!({"status": o.status, "fact": o.fact_key, "total": before.to_string()})),
            Some(json!({
                "status": decided.status, "decision": decision, "fact": o.fact_key, "unit": o.unit_id.0,
                "profile": profile.name, "period": o.period, "effect": effect.code(),
                "total_before": before.to_string(), "total_after": after.to_string(),
            })),
        )
        .await?;
        Ok(Decided {
            id,
            status: decided.status,
            effect: effect.code().to_string(),
            total_before: before.to_string(),
            total_after: after.to_string(),
        })
    }

    /// The objections `actor` may read, newest first: the office every unit's, a unit's people
    /// their own unit's.
    pub async fn objections(&self, actor: &Actor) -> Result<Vec<ObjectionView>, Error> {
        let list = if actor.capabilities().all_units {
            self.store.objections(None).await?
        } else {
            match actor.person().and_then(|p| p.fields.unit_id) {
                Some(u) => self.store.objections(Some(u)).await?,
                None => Vec::new(),
            }
        };
        let units = self.unit_names().await?;
        let people = self.person_names().await?;
        let mut out = Vec::with_capacity(list.len());
        for o in list {
            out.push(self.view_of(actor, o, &units, &people).await?);
        }
        Ok(out)
    }

    /// One objection, if `actor` may read it.
    pub async fn objection(&self, actor: &Actor, id: i64) -> Result<ObjectionView, Error> {
        let missing = || Error::not_found("申诉");
        let o = self.store.objection(id).await?.ok_or_else(missing)?;
        if !Self::reaches(actor, o.unit_id) {
            return Err(missing());
        }
        let units = self.unit_names().await?;
        let people = self.person_names().await?;
        self.view_of(actor, o, &units, &people).await
    }

    /// The evidence of an objection, if `actor` may read the objection.
    pub async fn evidence(&self, actor: &Actor, id: i64) -> Result<Evidence, Error> {
        let missing = || Error::not_found("证明材料");
        let o = self.store.objection(id).await?.ok_or_else(missing)?;
        if !Self::reaches(actor, o.unit_id) {
            return Err(missing());
        }
        self.store.objection_evidence(id).await?.ok_or_else(missing)
    }

    async fn view_of(
        &self,
        actor: &Actor,
        o: Objection,
        units: &HashMap<UnitId, String>,
        people: &HashMap<PersonId, String>,
    ) -> Result<ObjectionView, Error> {
        let unit = units.get(&o.unit_id).cloned().unwrap_or_default();
        let fact = match self.assessment.facts().fact(&o.fact_key).await? {
            Some(f) => {
                let task = self.task_ref(actor.person(), f.fact.task).await?;
                self.summary_of(&f, unit, task)
            }
            None => FactSummary {
                key: o.fact_key.clone(),
                unit_id: o.unit_id.0,
                unit,
                indicator: "（该项已不存在）".into(),
                role: String::new(),
                day: o.filed_at.to_zoned(self.core.policy().timezone()).date(),
                task: None,
                adjusted: None,
            },
        };
        let status_label =
            o.status.parse::<ObjectionStatus>().map(|s| s.label().to_string()).unwrap_or_else(|_| o.status.clone());
        let period_label = Span::parse(&o.period).map(|s| s.to_string()).unwrap_or_else(|_| o.period.clone());
        Ok(ObjectionView {
            id: o.id,
            fact,
            profile: o.profile,
            period: o.period,
            period_label,
            reason: o.reason,
            evidence_name: o.evidence_name,
            evidence_size: o.evidence_size,
            status: o.status,
            status_label,
            filed_by: people.get(&o.filed_by).cloned().unwrap_or_default(),
            filed_at: self.when(o.filed_at),
            decided_by: o.decided_by.map(|p| people.get(&p).cloned().unwrap_or_default()),
            decided_at: o.decided_at.map(|t| self.when(t)),
            decision: o.decision,
        })
    }

    // ---- evaluations ----

    /// The units `actor` may evaluate: every active unit for the office, the units in a
    /// leader's charge otherwise.
    pub async fn evaluable_units(&self, actor: &Actor) -> Result<Vec<(UnitId, String)>, Error> {
        let units = self.directory.list_units().await?;
        Ok(units.into_iter().filter(|u| u.active && self.may_evaluate(actor, u.id)).map(|u| (u.id, u.name)).collect())
    }

    fn may_evaluate(&self, actor: &Actor, unit: UnitId) -> bool {
        let caps = actor.capabilities();
        match actor.person() {
            Some(p) => review::may_evaluate(caps.all_units, &p.fields.roles, &p.fields.charge_units, unit),
            None => caps.all_units,
        }
    }

    /// A leader (or the office) evaluates a unit.
    pub async fn evaluate(&self, actor: &Actor, input: &EvaluationInput) -> Result<Evaluation, Error> {
        let p = self.person(actor)?;
        let unit = UnitId(input.unit);
        if !self.may_evaluate(actor, unit) {
            return Err(Error::Forbidden);
        }
        self.directory.get_unit(unit).await?;
        let task = match input.task {
            Some(t) => Some(self.access.visible_task(p, TaskId(t)).await?.id),
            None => None,
        };
        let score = review::evaluation_score(&input.score)?;
        let comment = review::required_text("comment", "评价意见", &input.comment)?;
        let today = self.today();
        let day = input.day.unwrap_or(today);
        if day > today {
            return Err(Error::invalid("day", "评价日期不能晚于今天"));
        }
        let e = self
            .store
            .add_evaluation(&NewEvaluation {
                unit_id: unit,
                task_id: task,
                day,
                score: score.0,
                comment,
                by: p.id,
                at: self.core.now(),
            })
            .await?;
        self.assessment
            .facts()
            .put_manual_fact(&manual_fact(format!("ev{}", e.id), unit, Indicator::LeaderEvaluation, task, day, e.score))
            .await?;
        record(
            &*self.audit,
            &self.core,
            actor,
            admin_kind::EVALUATION,
            format!("评价 #{}", e.id),
            None,
            Some(json!({"unit": unit.0, "task": task.map(|t| t.0), "day": day.to_string(),
                        "score": score.to_string(), "comment": e.comment})),
        )
        .await?;
        Ok(e)
    }

    /// Withdraws an evaluation (its author, or the office); its fact is removed.
    pub async fn withdraw_evaluation(&self, actor: &Actor, id: i64) -> Result<Evaluation, Error> {
        let p = self.person(actor)?;
        let e = self.store.evaluation(id).await?.ok_or_else(|| Error::not_found("评价"))?;
        if e.by != p.id && !actor.may::<RunLedgers>() {
            return Err(Error::Forbidden);
        }
        let w = self.store.withdraw_evaluation(id, p.id, self.core.now()).await?;
        self.assessment.facts().remove_manual_fact(&format!("ev{id}")).await?;
        record(
            &*self.audit,
            &self.core,
            actor,
            admin_kind::EVALUATION,
            format!("评价 #{id}"),
            Some(json!({"unit": e.unit_id.0, "score": Points(e.score).to_string(), "comment": e.comment})),
            Some(json!({"withdrawn": true})),
        )
        .await?;
        Ok(w)
    }

    /// The evaluations `actor` may read, newest first: the office every one; anyone else those
    /// of the units they reach and those they gave.
    pub async fn evaluations(&self, actor: &Actor) -> Result<Vec<EvaluationView>, Error> {
        let p = actor.person();
        let audience = p.map(|p| self.access.audience(p));
        let all = actor.capabilities().all_units;
        let units = self.unit_names().await?;
        let people = self.person_names().await?;
        let mut out = Vec::new();
        for e in self.store.evaluations().await? {
            let mine = p.is_some_and(|p| p.id == e.by);
            if !(all || mine || audience.as_ref().is_some_and(|a| a.reaches_unit(e.unit_id))) {
                continue;
            }
            let withdrawn = e.withdrawn_at.is_some();
            out.push(EvaluationView {
                id: e.id,
                unit_id: e.unit_id.0,
                unit: units.get(&e.unit_id).cloned().unwrap_or_default(),
                task: self.task_ref(p, e.task_id).await?,
                day: e.day,
                score: Points(e.score).to_string(),
                comment: e.comment,
                by: people.get(&e.by).cloned().unwrap_or_default(),
                at: self.when(e.at),
                withdrawn,
                can_withdraw: !withdrawn && (mine || actor.may::<RunLedgers>()),
            });
        }
        Ok(out)
    }

    // ---- document errors ----

    /// The office records a document with errors.
    pub async fn record_document_error(
        &self,
        actor: &Actor,
        input: &DocumentErrorInput,
    ) -> Result<DocumentError, Error> {
        actor.require::<RunLedgers>()?;
        let p = self.person(actor)?;
        let unit = UnitId(input.unit);
        self.directory.get_unit(unit).await?;
        let title = review::required_text("title", "公文标题", &input.title)?;
        let kind: ErrorKind = input.kind.parse()?;
        let count = review::error_count(input.count.unwrap_or(1))?;
        let today = self.today();
        let day = input.day.unwrap_or(today);
        if day > today {
            return Err(Error::invalid("day", "日期不能晚于今天"));
        }
        let e = self
            .store
            .add_document_error(&NewDocumentError {
                unit_id: unit,
                day,
                title,
                number: input.number.trim().chars().take(100).collect(),
                kind: kind.code().to_string(),
                count,
                note: input.note.trim().chars().take(review::MAX_TEXT).collect(),
                by: p.id,
                at: self.core.now(),
            })
            .await?;
        self.assessment
            .facts()
            .put_manual_fact(&manual_fact(format!("de{}", e.id), unit, Indicator::DocumentError, None, day, count))
            .await?;
        record(
            &*self.audit,
            &self.core,
            actor,
            admin_kind::DOCUMENT_ERROR,
            format!("公文错情 #{}", e.id),
            None,
            Some(snapshot(&e)),
        )
        .await?;
        Ok(e)
    }

    /// The office withdraws a line of the ledger; its fact is removed.
    pub async fn withdraw_document_error(&self, actor: &Actor, id: i64) -> Result<DocumentError, Error> {
        actor.require::<RunLedgers>()?;
        let p = self.person(actor)?;
        let before = self.store.document_error(id).await?.ok_or_else(|| Error::not_found("公文错情记录"))?;
        let w = self.store.withdraw_document_error(id, p.id, self.core.now()).await?;
        self.assessment.facts().remove_manual_fact(&format!("de{id}")).await?;
        record(
            &*self.audit,
            &self.core,
            actor,
            admin_kind::DOCUMENT_ERROR,
            format!("公文错情 #{id}"),
            Some(snapshot(&before)),
            Some(json!({"withdrawn": true})),
        )
        .await?;
        Ok(w)
    }

    /// The ledger of a period (the office's).
    pub async fn document_errors(&self, actor: &Actor, span: &Span) -> Result<ErrorLedger, Error> {
        actor.require::<RunLedgers>()?;
        let units = self.unit_names().await?;
        let people = self.person_names().await?;
        let mut sums: BTreeMap<UnitId, (i64, i64, BTreeMap<ErrorKind, i64>)> = BTreeMap::new();
        let mut lines = Vec::new();
        for e in self.store.document_errors(span.from, span.to).await? {
            let kind = e.kind.parse::<ErrorKind>().ok();
            let withdrawn = e.withdrawn_at.is_some();
            if !withdrawn {
                let s = sums.entry(e.unit_id).or_default();
                s.0 += 1;
                s.1 += e.count;
                if let Some(k) = kind {
                    *s.2.entry(k).or_default() += e.count;
                }
            }
            lines.push(DocumentErrorView {
                id: e.id,
                unit_id: e.unit_id.0,
                unit: units.get(&e.unit_id).cloned().unwrap_or_default(),
                day: e.day,
                title: e.title,
                number: e.number,
                kind_label: kind.map(|k| k.label().to_string()).unwrap_or_else(|| e.kind.clone()),
                kind: e.kind,
                count: e.count,
                note: e.note,
                by: people.get(&e.by).cloned().unwrap_or_default(),
                withdrawn,
            });
        }
        let mut by_unit: Vec<UnitErrors> = sums
            .into_iter()
            .map(|(u, (documents, errors, kinds))| UnitErrors {
                unit_id: u.0,
                unit: units.get(&u).cloned().unwrap_or_default(),
                documents,
                errors,
                kinds: kinds.iter().map(|(k, n)| format!("{} {n}", k.label())).collect::<Vec<_>>().join("、"),
            })
            .collect();
        by_unit.sort_by(|a, b| b.errors.cmp(&a.errors).then(a.unit_id.cmp(&b.unit_id)));
        Ok(ErrorLedger { period: span.to_string(), lines, by_unit })
    }
}

/// The fact a breakdown line's key names: an overdue-days line (`{key}:d`) is its completion
/// stage's.
fn fact_key(line_key: &str) -> &str {
    let k = line_key.trim();
    k.strip_suffix(":d").unwrap_or(k)
}

/// A fact entered by hand for a unit as such.
fn manual_fact(key: String, unit: UnitId, ind: Indicator, task: Option<TaskId>, day: Date, quantity: i64) -> Fact {
    Fact {
        key,
        unit,
        role: PartyRole::Unit,
        indicator: ind.code().to_string(),
        task,
        day,
        due_at: None,
        stopped_at: None,
        stop_day: None,
        quantity,
        origin: FactOrigin::Manual,
        class: None,
    }
}

/// The month's 公文错情 by unit as an .xlsx workbook: a title, then 序号, 单位, 错情公文（件）,
/// 错情（处）, 类型, and a second sheet with every line.
pub fn document_errors_xlsx(ledger: &ErrorLedger) -> Result<Vec<u8>, Error> {
    let sheets: Vec<crate::export::TitledSheet> = vec![
        (
            "汇总",
            format!("公文错情通报（{}）", ledger.period),
            vec![("序号", 7.0), ("单位", 30.0), ("错情公文（件）", 14.0), ("错情（处）", 12.0), ("类型", 40.0)],
            ledger
                .by_unit
                .iter()
                .enumerate()
                .map(|(i, u)| {
                    vec![
                        (i + 1).to_string(),
                        u.unit.clone(),
                        u.documents.to_string(),
                        u.errors.to_string(),
                        u.kinds.clone(),
                    ]
                })
                .collect(),
        ),
        (
            "明细",
            format!("公文错情登记（{}）", ledger.period),
            vec![
                ("日期", 12.0),
                ("单位", 24.0),
                ("公文标题", 40.0),
                ("文号", 18.0),
                ("类型", 14.0),
                ("处数", 8.0),
                ("说明", 30.0),
            ],
            ledger
                .lines
                .iter()
                .filter(|l| !l.withdrawn)
                .map(|l| {
                    vec![
                        l.day.to_string(),
                        l.unit.clone(),
                        l.title.clone(),
                        l.number.clone(),
                        l.kind_label.clone(),
                        l.count.to_string(),
                        l.note.clone(),
                    ]
                })
                .collect(),
        ),
    ];
    crate::export::titled_sheets_xlsx(sheets, false)
}
