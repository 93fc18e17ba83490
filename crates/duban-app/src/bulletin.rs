//! [`Bulletins`]: the monthly bulletin (月度通报, issue 13 §5) — a draft generated from the
//! month's assessment figures, problems first (004 八), edited by the office, then issued:
//! numbered 督通〔YYYY〕N号 per year at issue, rendered as a GB/T 9704 Word file
//! ([`crate::bulletin_docx`]), kept immutable, and its public namings written as
//! `public_naming` assessment facts (two in a year keep a unit off the top list).
//!
//! The draft reads the daily sums of the assessment (this month's and last month's
//! [`Assessment::tallies`]), the naming candidates of the supervision engine whose day falls in
//! the month, and the lead completion stages due in the month by an index range of the facts —
//! never every task. A task's title appears only when the task may leave the system
//! ([`disclosure`] over [`Channel::External`]: 公开 and 内部); a 涉密 task is never named.

use crate::actor::{Actor, RunLedgers};
use crate::assessment::Assessment;
use crate::bulletin_docx::{self, Sheet};
use crate::core::Core;
use duban_domain::Error;
use duban_domain::assessment::span::SpanKind;
use duban_domain::assessment::{Fact, FactOrigin, Indicator, PartyRole, Span, Tally};
use duban_domain::bulletin::{self, Body, Named, Paragraph, Place, Section, SectionKind, Table};
use duban_domain::ids::{PersonId, TaskId, UnitId};
use duban_domain::task::Classification;
use duban_domain::visibility::{Channel, Disclosure, disclosure};
use duban_store::bulletins::{Bulletin, BulletinNaming, DueCount, DueTask, Issue, NewBulletin};
use duban_store::{AuditStore, BulletinStore, DirectoryStore, PeopleStore, SupervisionStore};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock};

/// The 主送 of a new draft.
pub const DEFAULT_RECIPIENTS: &str = "各苏木乡镇人民政府、街道办事处，旗直各部门、各单位";
/// The 抄送 of the 版记.
pub const COPIED_TO: &str = "旗委办公室，旗人大常委会办公室，旗政协办公室";
/// At most this many tasks are listed by title in a section.
const LISTED: u32 = 20;

/// The source and priority codes the draft's sections 三 and 四 are about.
const INSTRUCTION: &str = "instruction";
const KEY: &str = "key";

/// Monthly bulletins.
pub struct Bulletins {
    pub(crate) core: Arc<Core>,
    pub(crate) assessment: Arc<Assessment>,
    pub(crate) store: Arc<dyn BulletinStore>,
    pub(crate) records: Arc<dyn SupervisionStore>,
    pub(crate) directory: Arc<dyn DirectoryStore>,
    pub(crate) people: Arc<dyn PeopleStore>,
    pub(crate) audit: Arc<dyn AuditStore>,
    /// The issuing office's name (`office.name`), shared with the 督办通知单.
    pub(crate) issuer: Arc<RwLock<String>>,
}

/// A change to a draft: any of title, 主送, and paragraphs' text and public flag.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct DraftEdit {
    pub title: Option<String>,
    pub recipients: Option<String>,
    pub paragraphs: Vec<ParagraphEdit>,
}

/// A change to one paragraph (numbered from 0 within its section).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct ParagraphEdit {
    pub section: usize,
    pub paragraph: usize,
    pub text: Option<String>,
    pub public: Option<bool>,
}

/// An issued bulletin's public part (公开部分): what the public page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicBulletin {
    pub id: i64,
    pub month: String,
    pub number: String,
    pub title: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub issued_on: jiff::civil::Date,
    pub body: Body,
}

/// Whether a task's title may be written in a bulletin: never a 涉密 task's.
pub fn may_name(classification: &str) -> bool {
    classification.parse::<Classification>().is_ok_and(|c| disclosure(c, Channel::External) == Disclosure::Full)
}

/// Per unit, the annex's figures (lead and cooperating roles together).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct UnitFigures {
    assigned: i64,
    on_time: i64,
    late: i64,
    overdue_days: i64,
    notices: i64,
    second: i64,
}

fn figures(tallies: &[Tally]) -> BTreeMap<UnitId, UnitFigures> {
    let mut m: BTreeMap<UnitId, UnitFigures> = BTreeMap::new();
    for t in tallies.iter().filter(|t| t.role != PartyRole::Unit) {
        let f = m.entry(t.unit).or_default();
        let n = t.count - t.excused_count;
        match t.indicator {
            Indicator::Assigned => f.assigned += t.count,
            Indicator::DoneOnTime => f.on_time += t.count,
            Indicator::DoneLate => f.late += n,
            Indicator::OverdueWorkdays => f.overdue_days += (t.amount - t.excused_amount) / 100,
            Indicator::NoticeReceived => f.notices += t.count,
            Indicator::NoticeSecond => f.second += t.count,
            _ => {}
        }
    }
    m
}

/// The lead role's totals: (assigned, done on time, late).
fn lead_totals(tallies: &[Tally]) -> (i64, i64, i64) {
    let sum = |ind: Indicator| -> i64 {
        tallies.iter().filter(|t| t.role == PartyRole::Lead && t.indicator == ind).map(|t| t.count).sum()
    };
    (sum(Indicator::Assigned), sum(Indicator::DoneOnTime), sum(Indicator::DoneLate))
}

fn para(text: impl Into<String>) -> Paragraph {
    Paragraph { text: text.into(), public: false, subheading: false, names: None }
}

fn sub(text: impl Into<String>) -> Paragraph {
    Paragraph { text: text.into(), public: false, subheading: true, names: None }
}

/// Counts of lead completion stages due in the month, for one source or priority.
#[derive(Debug, Default, Clone, Copy)]
struct Due {
    on_time: i64,
    late: i64,
    overdue: i64,
    open: i64,
}

impl Due {
    fn of(counts: &[DueCount], pick: impl Fn(&DueCount) -> bool) -> Due {
        let mut d = Due::default();
        for c in counts.iter().filter(|c| pick(c)) {
            match c.outcome.as_str() {
                "on_time" => d.on_time += c.count,
                "late" => d.late += c.count,
                "overdue" => d.overdue += c.count,
                _ => d.open += c.count,
            }
        }
        d
    }

    fn total(&self) -> i64 {
        self.on_time + self.late + self.overdue + self.open
    }
}

fn span_of(month: &str) -> Result<Span, Error> {
    let span = Span::parse(month.trim())?;
    if span.kind != SpanKind::Month {
        return Err(Error::invalid("month", "月度通报须按月生成，例如 2026-07"));
    }
    Ok(span)
}

impl Bulletins {
    fn issuer(&self) -> String {
        self.issuer.read().map(|n| n.clone()).unwrap_or_default()
    }

    /// Every bulletin, newest first (office only).
    pub async fn list(&self, by: &Actor) -> Result<Vec<Bulletin>, Error> {
        by.require::<RunLedgers>()?;
        self.store.list_bulletins(false).await
    }

    /// One bulletin (office only).
    pub async fn get(&self, by: &Actor, id: i64) -> Result<Bulletin, Error> {
        by.require::<RunLedgers>()?;
        self.store.bulletin(id).await?.ok_or_else(|| Error::not_found(format!("通报 {id}")))
    }

    /// The issued bulletin's Word file and its number (office only).
    pub async fn docx(&self, by: &Actor, id: i64) -> Result<(String, Vec<u8>), Error> {
        let b = self.get(by, id).await?;
        let (Some(number), Some(bytes)) = (b.number, self.store.bulletin_docx(id).await?) else {
            return Err(Error::not_found(format!("通报 {id} 的正式文件（草稿尚未印发）")));
        };
        Ok((bulletin_docx::file_name(&number), bytes))
    }

    /// The namings an issued bulletin published.
    pub async fn namings(&self, by: &Actor, id: i64) -> Result<Vec<BulletinNaming>, Error> {
        by.require::<RunLedgers>()?;
        self.store.bulletin_namings(id).await
    }

    /// The public parts of the issued bulletins, newest first: anyone may read them.
    pub async fn public(&self) -> Result<Vec<PublicBulletin>, Error> {
        Ok(self
            .store
            .list_bulletins(true)
            .await?
            .into_iter()
            .filter_map(|b| {
                Some(PublicBulletin {
                    id: b.id,
                    month: b.month,
                    number: b.number?,
                    title: b.title,
                    issued_on: b.issued_on?,
                    body: b.body.public_part(),
                })
            })
            .collect())
    }

    /// Generates a draft for `month` (`2026-07`) from the month's figures.
    pub async fn draft(&self, by: &Actor, month: &str) -> Result<Bulletin, Error> {
        self.draft_with(by, month, Vec::new()).await
    }

    /// [`Self::draft`], with paragraphs of another area (the enterprise service, issue 14 §6)
    /// added at the end of 四、重点项目推进情况.
    pub async fn draft_with(&self, by: &Actor, month: &str, key_projects: Vec<Paragraph>) -> Result<Bulletin, Error> {
        by.require::<RunLedgers>()?;
        let span = span_of(month)?;
        let mut body = self.compose(&span).await?;
        if let Some(s) = body.sections.iter_mut().find(|s| s.kind == SectionKind::KeyProjects) {
            s.paragraphs.extend(key_projects);
        }
        let b = self
            .store
            .create_bulletin(&NewBulletin {
                month: span.key(),
                title: format!("关于{span}督查督办工作情况的通报"),
                recipients: DEFAULT_RECIPIENTS.into(),
                body,
                at: self.core.now(),
                by: by.id(),
            })
            .await?;
        crate::admin_log::record(
            &*self.audit,
            &self.core,
            by,
            duban_store::admin_kind::BULLETIN_DRAFT,
            format!("月度通报 {}（{}）", b.id, b.month),
            None,
            Some(serde_json::json!({"month": b.month, "title": b.title})),
        )
        .await?;
        Ok(b)
    }

    /// What the draft says for a month.
    pub async fn compose(&self, span: &Span) -> Result<Body, Error> {
        let a = &self.assessment;
        a.refresh().await?;
        let as_of = a.as_of(span);
        let now = a.tallies(span, as_of).await?;
        let prev_span = span.previous().ok_or_else(|| Error::invalid("month", "月份超出范围"))?;
        let before = a.tallies(&prev_span, a.as_of(&prev_span)).await?;
        let units: HashMap<UnitId, String> =
            self.directory.list_units().await?.into_iter().map(|u| (u.id, u.name)).collect();
        let unit_name = |u: UnitId| units.get(&u).cloned().unwrap_or_else(|| format!("单位{}", u.0));
        let counts = self.store.due_counts(span.from, span.to, as_of).await?;

        // 一、基本情况.
        let (assigned, on_time, late) = lead_totals(&now);
        let (p_assigned, p_on_time, p_late) = lead_totals(&before);
        let rate = bulletin::tenths(on_time, on_time + late);
        let p_rate = bulletin::tenths(p_on_time, p_on_time + p_late);
        let all = Due::of(&counts, |_| true);
        let overview = vec![para(format!(
            "{span}，全旗共交办督办事项{assigned}件（上月{p_assigned}件）；本月到期{due}件，按时办结{on_time}件，\
             逾期办结或逾期未办结{late}件（其中逾期未办结{overdue}件），按时办结率{pct}，{chg}。",
            due = on_time + late,
            overdue = all.overdue,
            pct = bulletin::percent(on_time, on_time + late),
            chg = bulletin::change(rate, p_rate),
        ))];

        // 二、存在的问题.
        let per_unit = figures(&now);
        let mut lagging: Vec<(&UnitId, &UnitFigures)> = per_unit.iter().filter(|(_, f)| f.late > 0).collect();
        lagging
            .sort_by(|a, b| b.1.overdue_days.cmp(&a.1.overdue_days).then(b.1.late.cmp(&a.1.late)).then(a.0.cmp(b.0)));
        let mut problems = vec![sub("（一）逾期和进展滞后情况")];
        if lagging.is_empty() {
            problems.push(para("本月到期事项均按时办结，未发现逾期情况。"));
        } else {
            let list: Vec<String> = lagging
                .iter()
                .take(10)
                .map(|(u, f)| format!("{}（逾期{}件、累计逾期{}个工作日）", unit_name(**u), f.late, f.overdue_days))
                .collect();
            problems.push(para(format!(
                "本月逾期事项较多、逾期时间较长的单位有：{}。请上述单位分析原因，限期整改。",
                list.join("、")
            )));
        }
        problems.push(sub("（二）经两次督办仍无实质进展的单位和个人"));
        let named = self.naming_paragraphs(span, &unit_name).await?;
        if named.is_empty() {
            problems.push(para("本月无经两次督办仍无实质进展的事项。"));
        } else {
            problems.extend(named);
        }

        // 三、领导批示落实情况.
        let ins = Due::of(&counts, |c| c.source == INSTRUCTION);
        let mut instructions = vec![para(format!(
            "本月到期的领导批示事项{}件，按时办结{}件，逾期办结{}件，逾期未办结{}件，尚未到期{}件。",
            ins.total(),
            ins.on_time,
            ins.late,
            ins.overdue,
            ins.open
        ))];
        let late_ins: Vec<String> = self
            .store
            .due_tasks(span.from, span.to, INSTRUCTION, "-", LISTED)
            .await?
            .into_iter()
            .filter(|t| may_name(&t.classification) && is_late(t, as_of))
            .map(|t| format!("“{}”", t.title))
            .collect();
        if !late_ins.is_empty() {
            instructions.push(para(format!("未按时落实的领导批示事项：{}。", late_ins.join("、"))));
        }

        // 四、重点项目推进情况.
        let key = Due::of(&counts, |c| c.priority == KEY);
        let mut key_projects = vec![para(format!(
            "本月到期的重点事项{}件，按时办结{}件，逾期{}件。",
            key.total(),
            key.on_time,
            key.late + key.overdue
        ))];
        let listed: Vec<String> = self
            .store
            .due_tasks(span.from, span.to, "-", KEY, LISTED)
            .await?
            .into_iter()
            .filter(|t| may_name(&t.classification))
            .map(|t| format!("“{}”{}", t.title, if is_late(&t, as_of) { "（逾期）" } else { "" }))
            .collect();
        if !listed.is_empty() {
            key_projects.push(para(format!("重点事项：{}。", listed.join("、"))));
        }

        // 五、典型经验.
        let mut best: Vec<(&UnitId, &UnitFigures)> =
            per_unit.iter().filter(|(_, f)| f.on_time + f.late > 0 && f.on_time > 0).collect();
        best.sort_by(|a, b| {
            let r = |f: &UnitFigures| bulletin::tenths(f.on_time, f.on_time + f.late);
            r(b.1).cmp(&r(a.1)).then(b.1.on_time.cmp(&a.1.on_time)).then(a.0.cmp(b.0))
        });
        let good = if best.is_empty() {
            "（请办公室补充本月典型经验做法。）".to_string()
        } else {
            let list: Vec<String> = best
                .iter()
                .take(3)
                .map(|(u, f)| {
                    format!("{}（按时办结率{}）", unit_name(**u), bulletin::percent(f.on_time, f.on_time + f.late))
                })
                .collect();
            format!("{}等单位按时办结率较高，工作扎实。（请办公室补充其典型经验做法。）", list.join("、"))
        };

        // 六、下一步工作建议.
        let next = vec![
            para("一是压实责任。各承办单位要对照逾期事项逐项分析原因，明确整改时限和责任人。"),
            para("二是加强督办。对经两次督办仍无实质进展的事项，按规定予以通报并纳入年度考核。"),
            para("三是确保质效。各单位要按时报送办理进展，确保领导批示和重点事项按期落实。"),
        ];

        // 附件：统计表.
        let header: Vec<String> = ["单位", "交办", "按时办结", "逾期", "逾期工作日", "督办", "二次督办"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut rows: Vec<(String, Vec<String>)> = per_unit
            .iter()
            .map(|(u, f)| {
                let name = unit_name(*u);
                let row = vec![
                    name.clone(),
                    f.assigned.to_string(),
                    f.on_time.to_string(),
                    f.late.to_string(),
                    f.overdue_days.to_string(),
                    f.notices.to_string(),
                    f.second.to_string(),
                ];
                (name, row)
            })
            .collect();
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        let section = |kind, heading: &str, paragraphs| Section { kind, heading: heading.into(), paragraphs };
        Ok(Body {
            sections: vec![
                section(SectionKind::Overview, "一、基本情况", overview),
                section(SectionKind::Problems, "二、存在的问题", problems),
                section(SectionKind::Instructions, "三、领导批示落实情况", instructions),
                section(SectionKind::KeyProjects, "四、重点项目推进情况", key_projects),
                section(SectionKind::GoodPractice, "五、典型经验", vec![para(good)]),
                section(SectionKind::NextSteps, "六、下一步工作建议", next),
            ],
            tables: vec![Table {
                caption: format!("{span}各单位督办事项办理情况统计表"),
                header,
                rows: rows.into_iter().map(|(_, r)| r).collect(),
            }],
        })
    }

    /// One paragraph per naming candidate of the month (by the day it was recorded), on a task
    /// that may be named; a 涉密 task's candidates are left out.
    async fn naming_paragraphs(
        &self,
        span: &Span,
        unit_name: &(dyn Fn(UnitId) -> String + Sync),
    ) -> Result<Vec<Paragraph>, Error> {
        let tz = self.core.policy().timezone();
        let instant = |d: jiff::civil::Date| -> Result<jiff::Timestamp, Error> {
            d.to_zoned(tz.clone())
                .map(|z| z.timestamp())
                .map_err(|e| Error::invalid("month", format!("月份无法换算：{e}")))
        };
        let to = span.to.tomorrow().map_err(|_| Error::invalid("month", "月份超出范围"))?;
        let namings = self.records.naming_between(instant(span.from)?, instant(to)?).await?;
        if namings.is_empty() {
            return Ok(Vec::new());
        }
        let mut ids: Vec<TaskId> = namings.iter().map(|n| n.naming.task_id).collect();
        ids.sort();
        ids.dedup();
        let tasks: HashMap<TaskId, DueTask> =
            self.store.bulletin_tasks(&ids).await?.into_iter().map(|t| (t.id, t)).collect();
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for n in namings {
            let n = n.naming;
            let Some(task) = tasks.get(&n.task_id).filter(|t| may_name(&t.classification)) else { continue };
            let Some(unit) = n.unit_id else { continue };
            if !seen.insert((unit, n.person_id, n.task_id)) {
                continue;
            }
            let person = match n.person_id {
                Some(p) => self.person_name(p).await,
                None => String::new(),
            };
            let who = if person.is_empty() { unit_name(unit) } else { format!("{}{}", unit_name(unit), person) };
            out.push(Paragraph {
                text: format!("{who}承办的“{}”经两次督办仍无实质进展，予以点名通报。", task.title),
                public: false,
                subheading: false,
                names: Some(Named {
                    unit: unit.0,
                    person: n.person_id.map(|p| p.0),
                    task: Some(n.task_id.0),
                    reason: n.reason.clone(),
                }),
            });
        }
        Ok(out)
    }

    async fn person_name(&self, id: PersonId) -> String {
        self.people.get_person(id).await.map(|p| p.fields.name).unwrap_or_default()
    }

    /// A draft, for a write: office only, and not issued.
    async fn draft_of(&self, by: &Actor, id: i64) -> Result<Bulletin, Error> {
        let b = self.get(by, id).await?;
        if b.issued {
            return Err(Error::Conflict("通报已印发，不能再修改或删除".into()));
        }
        Ok(b)
    }

    /// Edits a draft's title, 主送 and paragraphs; recorded with before and after.
    pub async fn edit(&self, by: &Actor, id: i64, e: &DraftEdit) -> Result<Bulletin, Error> {
        let b = self.draft_of(by, id).await?;
        let mut title = b.title.clone();
        let mut recipients = b.recipients.clone();
        let mut body = b.body.clone();
        if let Some(t) = &e.title {
            let t = t.trim();
            if t.is_empty() || t.chars().count() > 200 {
                return Err(Error::invalid("title", "标题不能为空，且不超过 200 字"));
            }
            title = t.to_string();
        }
        if let Some(r) = &e.recipients {
            if r.chars().count() > 500 {
                return Err(Error::invalid("recipients", "主送不超过 500 字"));
            }
            recipients = r.trim().to_string();
        }
        for p in &e.paragraphs {
            let at = body.paragraph_mut(Place { section: p.section, paragraph: p.paragraph })?;
            if let Some(t) = &p.text {
                at.text = t.trim().to_string();
            }
            if let Some(v) = p.public {
                at.public = v;
            }
        }
        body.check()?;
        let after = self.store.update_draft(id, &title, &recipients, &body, self.core.now(), by.id()).await?;
        crate::admin_log::record(
            &*self.audit,
            &self.core,
            by,
            duban_store::admin_kind::BULLETIN_EDIT,
            format!("月度通报 {id}（{}）", b.month),
            Some(serde_json::json!({"title": b.title, "recipients": b.recipients, "body": b.body})),
            Some(serde_json::json!({"title": after.title, "recipients": after.recipients, "body": after.body})),
        )
        .await?;
        Ok(after)
    }

    /// Deletes a draft; recorded.
    pub async fn delete(&self, by: &Actor, id: i64) -> Result<(), Error> {
        let b = self.draft_of(by, id).await?;
        self.store.delete_draft(id).await?;
        crate::admin_log::record(
            &*self.audit,
            &self.core,
            by,
            duban_store::admin_kind::BULLETIN_EDIT,
            format!("月度通报 {id}（{}）", b.month),
            Some(serde_json::json!({"title": b.title, "deleted": false})),
            Some(serde_json::json!({"deleted": true})),
        )
        .await?;
        Ok(())
    }

    /// Issues a draft: numbers it 督通〔YYYY〕N号 in the year of issue, renders and keeps the Word
    /// file, and writes a `public_naming` fact for each unit a public paragraph names.
    pub async fn issue(&self, by: &Actor, id: i64) -> Result<Bulletin, Error> {
        let b = self.draft_of(by, id).await?;
        b.body.check()?;
        let now = self.core.now();
        let on = now.to_zoned(self.core.policy().timezone()).date();
        let issuer = self.issuer();
        let mut namings: Vec<BulletinNaming> = Vec::new();
        for p in b.body.sections.iter().flat_map(|s| &s.paragraphs).filter(|p| p.public) {
            if let Some(n) = &p.names {
                let naming = BulletinNaming {
                    unit_id: UnitId(n.unit),
                    person_id: n.person.map(PersonId),
                    task_id: n.task.map(TaskId),
                    reason: n.reason.clone(),
                };
                if !namings.contains(&naming) {
                    namings.push(naming);
                }
            }
        }
        let mut tries = 0;
        let issued = loop {
            tries += 1;
            let seq = self.store.next_bulletin_seq(i64::from(on.year())).await?;
            let number = bulletin::number(on.year(), seq);
            let sheet = Sheet {
                issuer: &issuer,
                number: &number,
                title: &b.title,
                recipients: &b.recipients,
                body: &b.body,
                issued_on: on,
                copied_to: COPIED_TO,
            };
            let issue = Issue {
                year: i64::from(on.year()),
                seq,
                number: number.clone(),
                title: b.title.clone(),
                recipients: b.recipients.clone(),
                body: b.body.clone(),
                at: now,
                by: by.id(),
                on,
                docx: bulletin_docx::docx(&sheet)?,
                namings: namings.clone(),
            };
            match self.store.issue_bulletin(id, &issue).await {
                // The number was taken by another issue meanwhile: take the next one.
                Err(Error::Conflict(_)) if tries < 5 && self.store.bulletin(id).await?.is_some_and(|x| !x.issued) => {
                    continue;
                }
                r => break r?,
            }
        };
        for n in &namings {
            let task = n.task_id.map_or(0, |t| t.0);
            self.assessment
                .facts()
                .put_manual_fact(&Fact {
                    key: format!("bn{id}:u{}:t{task}", n.unit_id.0),
                    unit: n.unit_id,
                    role: PartyRole::Unit,
                    indicator: Indicator::PublicNaming.code().to_string(),
                    task: n.task_id,
                    day: on,
                    due_at: None,
                    stopped_at: None,
                    stop_day: None,
                    quantity: 1,
                    origin: FactOrigin::Manual,
                    class: None,
                })
                .await?;
        }
        crate::admin_log::record(
            &*self.audit,
            &self.core,
            by,
            duban_store::admin_kind::BULLETIN_ISSUE,
            format!("月度通报 {id}（{}）", issued.month),
            None,
            Some(serde_json::json!({
                "number": issued.number,
                "title": issued.title,
                "namings": namings.iter().map(|n| n.unit_id.0).collect::<Vec<_>>(),
            })),
        )
        .await?;
        Ok(issued)
    }
}

/// Whether a task due in the month was late by `as_of`: stopped after its due time, or still
/// open past it.
fn is_late(t: &DueTask, as_of: jiff::Timestamp) -> bool {
    match (t.due_at, t.stopped_at) {
        (Some(d), Some(s)) => s > d,
        (Some(d), None) => d < as_of,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_and_internal_titles_may_be_named() {
        assert!(may_name("public"));
        assert!(may_name("internal"));
        assert!(!may_name("secret"));
        assert!(!may_name("whatever"));
    }
}
