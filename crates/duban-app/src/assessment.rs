//! [`Assessment`]: indicators, rankings and explained scores (issue 13), over the assessment,
//! supervision, directory and meta ports.
//!
//! Facts are derived by the domain ([`duban_domain::assessment::fact::of_task`]) and kept by the
//! store with daily sums. [`Assessment::refresh`] brings them up to date: it reads the trail
//! after the last event it saw and derives again the facts of exactly the tasks whose trail
//! grew (a new notice, an answer, a sign, an edit — every change to a task is an event), so its
//! cost grows with what changed. When the rules, the calendar, the unit groups or the way facts
//! are derived change, it derives every task again once. Every ranking and explanation refreshes
//! first, so what is shown is never behind the trail.
//!
//! A period is read at `as_of`, the earlier of now and the period's end: a stage due in the
//! period and still open then is late; one due later is not counted yet. A closed period's
//! figures therefore change only when its facts change (a deadline moved, an objection upheld),
//! and rankings issued for it are frozen copies.

use crate::access::Access;
use crate::actor::{Actor, RunLedgers};
use crate::core::Core;
use duban_domain::Error;
use duban_domain::assessment::fact::{self, EventRecord, FACT_EVENTS, NoticeRecord, TaskRecord};
use duban_domain::assessment::indicator::Outcome;
use duban_domain::assessment::score::{self, Explained, FactLine, UnitInfo};
use duban_domain::assessment::{Fact, Indicator, PartyRole, Ranking, ScoringProfile, Span, Tally};
use duban_domain::event::EventKind;
use duban_domain::ids::{TaskId, UnitId};
use duban_domain::visibility::Members;
use duban_store::assessment::{Adjustment, AdjustmentRecord, Bucket, DailyTally, StoredFact};
use duban_store::{AssessmentStore, AuditStore, DirectoryStore, MetaStore, SupervisionStore};
use jiff::Timestamp;
use jiff::civil::Date;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Meta key: the last trail event whose task's facts are derived.
const WATERMARK_KEY: &str = "assessment_events_through";
/// Meta key: what the facts were derived under (rules, calendar, groups, derivation).
const BASIS_KEY: &str = "assessment_basis";
/// Raised whenever [`fact::of_task`] changes what it derives, so stored facts are derived again.
const DERIVATION: &str = "facts-3";
/// Tasks derived per batch.
const BATCH: usize = 500;
/// How long a refresh waits for one already running.
const REFRESH_WAIT: std::time::Duration = std::time::Duration::from_secs(20);

/// What a refresh did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Refreshed {
    pub tasks: usize,
    pub facts: usize,
    /// Every task was derived again (the rules, calendar or groups changed).
    pub rebuilt: bool,
}

/// Assessment.
pub struct Assessment {
    pub(crate) core: Arc<Core>,
    pub(crate) access: Access,
    pub(crate) store: Arc<dyn AssessmentStore>,
    pub(crate) records: Arc<dyn SupervisionStore>,
    pub(crate) directory: Arc<dyn DirectoryStore>,
    pub(crate) meta: Arc<dyn MetaStore>,
    pub(crate) audit: Arc<dyn AuditStore>,
    /// One refresh at a time in this process (others wait, then find nothing left to do).
    pub(crate) refreshing: tokio::sync::Mutex<()>,
}

impl Assessment {
    /// The fingerprint of everything facts are derived under.
    async fn basis(&self) -> Result<String, Error> {
        let schedules = self.meta.get_meta(crate::rules::FINGERPRINT_KEY).await?.unwrap_or_default();
        let members = self.access.group_members().await?;
        let mut groups: Vec<String> = members
            .iter()
            .map(|(g, us)| format!("{g}:{}", us.iter().map(|u| u.0.to_string()).collect::<Vec<_>>().join(",")))
            .collect();
        groups.sort();
        let tz = format!("{:?}", self.core.policy().timezone().iana_name());
        Ok(crate::rules::fnv(&[DERIVATION, &schedules, &groups.join(";"), &tz]))
    }

    /// Brings the facts up to date with the trail (see the module documentation).
    /// A refresh that has to wait more than [`REFRESH_WAIT`] for another (a full rebuild after
    /// the rules changed) says so rather than keep a page waiting.
    pub async fn refresh(&self) -> Result<Refreshed, Error> {
        let _one = tokio::time::timeout(REFRESH_WAIT, self.refreshing.lock())
            .await
            .map_err(|_| Error::Unavailable("考核数据正在按新的规则重新计算，请稍后再试".into()))?;
        let basis = self.basis().await?;
        let rebuilt = self.meta.get_meta(BASIS_KEY).await?.as_deref() != Some(basis.as_str());
        let after: i64 = if rebuilt {
            self.store.clear_task_facts().await?;
            0
        } else {
            self.meta.get_meta(WATERMARK_KEY).await?.and_then(|s| s.parse().ok()).unwrap_or(0)
        };
        // Every task whose trail grew up to the last event now, each once (a task with events
        // on many pages of the trail is derived one time).
        let through = self.store.last_event_id().await?;
        let mut ids: Vec<TaskId> = Vec::new();
        let mut read = after;
        while read < through {
            let (page, last) = self.store.tasks_with_events_after(read, 100_000).await?;
            if last == read {
                break;
            }
            ids.extend(page);
            read = last.min(through);
        }
        ids.sort();
        ids.dedup();
        let members = self.access.group_members().await?;
        let mut done = Refreshed { rebuilt, tasks: ids.len(), facts: 0 };
        for chunk in ids.chunks(BATCH) {
            done.facts += self.derive(chunk, &members).await?;
        }
        if read != after || rebuilt {
            self.meta.set_meta(WATERMARK_KEY, &read.to_string()).await?;
        }
        if rebuilt {
            self.meta.set_meta(BASIS_KEY, &basis).await?;
        }
        Ok(done)
    }

    /// Derives and stores the facts of these tasks; the number of facts.
    async fn derive(&self, ids: &[TaskId], members: &Members) -> Result<usize, Error> {
        let tasks = self.store.tasks_by_ids(ids).await?;
        let mut parent_ids: Vec<TaskId> = tasks.iter().filter_map(|t| t.fields.parent_id).collect();
        parent_ids.sort();
        parent_ids.dedup();
        let parents: HashMap<TaskId, Vec<UnitId>> = self
            .store
            .tasks_by_ids(&parent_ids)
            .await?
            .into_iter()
            .map(|p| (p.id, duban_domain::visibility::units(&p.fields.lead, members).collect()))
            .collect();
        // The events that are facts, and the progress that answers a 督办 notice.
        let mut kinds: Vec<EventKind> = FACT_EVENTS.iter().map(|(k, _)| *k).collect();
        kinds.extend(EventKind::PROGRESS.iter().filter(|k| !kinds.contains(k)).copied().collect::<Vec<_>>());
        let mut events: HashMap<TaskId, Vec<EventRecord>> = HashMap::new();
        for (t, e) in self.store.events_for_facts(ids, &kinds).await? {
            events.entry(t).or_default().push(e);
        }
        let policy = self.core.policy();
        let tz = policy.timezone();
        let end_of_day = policy.settings.end_of_day;
        let mut notices: HashMap<TaskId, Vec<NoticeRecord>> = HashMap::new();
        for n in self.records.supervision_records(ids, &[]).await?.notices {
            let answer_due = n
                .answer_by
                .to_datetime(end_of_day)
                .to_zoned(tz.clone())
                .map_err(|e| Error::invalid("notice", format!("督办回复期限无法换算：{e}")))?
                .timestamp();
            notices.entry(n.task_id).or_default().push(NoticeRecord {
                id: n.id,
                round: n.round,
                issued_at: n.issued_at,
                answer_due,
                answer_by: n.answer_by,
                answered_at: n.answered_at,
                recipients: n.recipients,
            });
        }
        let mut facts: Vec<Fact> = Vec::new();
        for t in &tasks {
            let schedule = self.core.schedule_of(&t.fields, &t.events);
            let none = Vec::new();
            let rec = TaskRecord {
                task: t,
                schedule: &schedule,
                parent_leads: t.fields.parent_id.and_then(|p| parents.get(&p)).map(Vec::as_slice).unwrap_or_default(),
                events: events.get(&t.id).map(Vec::as_slice).unwrap_or_default(),
                notices: notices.get(&t.id).unwrap_or(&none),
            };
            facts.extend(fact::of_task(&rec, members, &tz));
        }
        self.store.replace_task_facts(ids, &facts).await?;
        Ok(facts.len())
    }

    /// The instant a period is read at: the earlier of now and the period's end.
    pub fn as_of(&self, span: &Span) -> Timestamp {
        let now = self.core.now();
        let end =
            span.to.tomorrow().ok().and_then(|d| d.to_zoned(self.core.policy().timezone()).ok()).map(|z| z.timestamp());
        end.map_or(now, |e| e.min(now))
    }

    fn day_of(&self, t: Timestamp) -> Date {
        t.to_zoned(self.core.policy().timezone()).date()
    }

    /// Working days a completion stage due on `due` was late by, counted up to the day it stopped
    /// or `last` (the period's last day, or today in an open period), whichever is earlier; at
    /// least 1.
    fn overdue_days(&self, due: Date, stopped: Option<Date>, last: Date) -> i64 {
        let end = stopped.map_or(last, |s| s.min(last));
        let n = self.core.calendar().workdays_between(due, end).map(|r| r.value).unwrap_or(1);
        i64::from(n.max(1))
    }

    /// The tallies of every unit for a period, read at `as_of` (refresh first).
    pub async fn tallies(&self, span: &Span, as_of: Timestamp) -> Result<Vec<Tally>, Error> {
        let as_of_day = self.day_of(as_of);
        let mut rows: Vec<(DailyTally, Outcome)> = Vec::new();
        for d in self.store.span_tallies(span.from, span.to, as_of_day, None).await? {
            let outcome = match d.bucket {
                Bucket::Counted => Outcome::Counted,
                Bucket::OnTime => Outcome::OnTime,
                Bucket::Late | Bucket::Open => Outcome::Late,
            };
            rows.push((d, outcome));
        }
        if span.contains(as_of_day) {
            for d in self.store.open_due_before(as_of_day, as_of).await? {
                rows.push((d, Outcome::Late));
            }
        }
        let mut m: BTreeMap<(UnitId, PartyRole, Indicator), Tally> = BTreeMap::new();
        let mut add =
            |unit: UnitId, role: PartyRole, ind: Indicator, count: i64, amount: i64, adj: Option<Adjustment>| {
                if adj == Some(Adjustment::Objection) {
                    return;
                }
                let t = m.entry((unit, role, ind)).or_insert(Tally {
                    unit,
                    role,
                    indicator: ind,
                    count: 0,
                    amount: 0,
                    excused_count: 0,
                    excused_amount: 0,
                });
                t.count += count;
                t.amount += amount;
                if adj == Some(Adjustment::Tolerance) {
                    t.excused_count += count;
                    t.excused_amount += amount;
                }
            };
        for (d, outcome) in rows {
            let Some(ind) = Indicator::of_outcome(&d.indicator, outcome) else { continue };
            let Ok(role) = d.role.parse::<PartyRole>() else { continue };
            add(d.unit, role, ind, d.count, amount_of(ind, d.amount), d.adjusted);
        }
        for g in self.store.late_groups(span.from, span.to).await? {
            if g.due > as_of_day || (g.due == as_of_day && g.stopped.is_none()) {
                continue;
            }
            let Ok(role) = g.role.parse::<PartyRole>() else { continue };
            let days = self.overdue_days(g.due, g.stopped, as_of_day.min(span.to));
            add(g.unit, role, Indicator::OverdueWorkdays, g.count, g.count * days * 100, g.adjusted);
        }
        Ok(m.into_values().collect())
    }

    /// Each unit's public namings in the calendar year holding `day`.
    async fn namings_in_year(&self, day: Date) -> Result<HashMap<UnitId, u32>, Error> {
        let year = Span::year(day.year()).ok_or_else(|| Error::invalid("period", "年份超出范围"))?;
        let mut out: HashMap<UnitId, u32> = HashMap::new();
        for d in self.store.span_tallies(year.from, year.to, year.to, Some(Indicator::PublicNaming.code())).await? {
            if d.adjusted != Some(Adjustment::Objection) {
                *out.entry(d.unit).or_default() += u32::try_from(d.count.max(0)).unwrap_or(u32::MAX);
            }
        }
        Ok(out)
    }

    /// The units ranked: every active unit, and any other unit with facts in the period.
    async fn units(&self, tallies: &[Tally]) -> Result<Vec<UnitInfo>, Error> {
        let all = self.directory.list_units().await?;
        Ok(all
            .into_iter()
            .filter(|u| u.active || tallies.iter().any(|t| t.unit == u.id))
            .map(|u| UnitInfo { id: u.id, name: u.name, kind: u.kind })
            .collect())
    }

    /// The ranking of every unit for a period under a profile, as of now.
    pub async fn ranking(&self, profile: &ScoringProfile, span: Span) -> Result<Ranking, Error> {
        self.refresh().await?;
        let as_of = self.as_of(&span);
        let tallies = self.tallies(&span, as_of).await?;
        let namings = self.namings_in_year(span.to).await?;
        let units = self.units(&tallies).await?;
        Ok(score::rank(profile, span, &units, &tallies, &namings))
    }

    /// One unit's facts in a period as explanation reads them, read at `as_of`.
    pub async fn fact_lines(&self, unit: UnitId, span: &Span, as_of: Timestamp) -> Result<Vec<FactLine>, Error> {
        let as_of_day = self.day_of(as_of);
        let ms = as_of.as_millisecond();
        let mut out = Vec::new();
        for StoredFact { fact: f, adjusted } in self.store.unit_facts(unit, span.from, span.to).await? {
            if adjusted == Some(Adjustment::Objection) {
                continue;
            }
            let outcome =
                Outcome::of(f.due_at.map(|t| t.as_millisecond()), f.stopped_at.map(|t| t.as_millisecond()), ms);
            let Some(ind) = Indicator::of_outcome(&f.indicator, outcome) else { continue };
            let excused = adjusted == Some(Adjustment::Tolerance);
            if ind == Indicator::DoneLate && f.day <= as_of_day {
                let days = self.overdue_days(f.day, f.stop_day, as_of_day.min(span.to));
                out.push(FactLine {
                    key: format!("{}:d", f.key),
                    task: f.task,
                    day: f.day,
                    indicator: Indicator::OverdueWorkdays,
                    role: f.role,
                    amount: days * 100,
                    excused,
                });
            }
            out.push(FactLine {
                key: f.key,
                task: f.task,
                day: f.day,
                indicator: ind,
                role: f.role,
                amount: amount_of(ind, f.quantity),
                excused,
            });
        }
        Ok(out)
    }

    /// A unit's score in a period, line by line, with its place in the ranking.
    pub async fn explain(
        &self,
        profile: &ScoringProfile,
        span: Span,
        unit: UnitId,
    ) -> Result<(Ranking, Vec<Explained>), Error> {
        let ranking = self.ranking(profile, span).await?;
        let lines = self.fact_lines(unit, &span, self.as_of(&span)).await?;
        Ok((ranking, score::explain(profile, &lines)))
    }

    /// Excuses a fact (容错) with a reason, or withdraws the excuse; recorded in the trail.
    pub async fn excuse(&self, by: &Actor, fact_key: &str, reason: Option<&str>) -> Result<(), Error> {
        by.require::<RunLedgers>()?;
        let before = self.store.adjustment(fact_key).await?;
        if before.as_ref().is_some_and(|a| a.kind == Adjustment::Objection) {
            return Err(Error::Conflict("该事实已因申诉成立而不计，无需容错".into()));
        }
        let record = match reason.map(str::trim) {
            Some("") => return Err(Error::invalid("reason", "容错须写明理由")),
            Some(r) => Some(AdjustmentRecord {
                fact_key: fact_key.to_string(),
                kind: Adjustment::Tolerance,
                reason: r.to_string(),
                person_id: by.id(),
                at: self.core.now(),
            }),
            None => None,
        };
        self.store.adjust_fact(fact_key, record.as_ref()).await?;
        crate::admin_log::record(
            &*self.audit,
            &self.core,
            by,
            duban_store::admin_kind::ASSESSMENT_TOLERANCE,
            format!("考核事实 {fact_key}"),
            before.map(|b| crate::admin_log::snapshot(&b)),
            record.map(|r| crate::admin_log::snapshot(&r)),
        )
        .await?;
        Ok(())
    }

    /// The store, for the other assessment areas of this crate (objections, evaluations,
    /// bulletins) that write facts by hand.
    pub fn facts(&self) -> &Arc<dyn AssessmentStore> {
        &self.store
    }
}

/// The amount of a tally in hundredths: an evaluation's points as given, 100 per occurrence
/// (per error for document errors) otherwise.
fn amount_of(ind: Indicator, quantity: i64) -> i64 {
    if ind == Indicator::LeaderEvaluation { quantity } else { quantity * 100 }
}
