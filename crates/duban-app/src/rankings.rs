//! [`Rankings`]: scoring profiles the office edits, rankings previewed, issued (frozen) and
//! revised, trends, 约谈 candidates and the .xlsx export (issue 13 §2–§4), over
//! [`Assessment`] and the ranking, task and audit ports.
//!
//! - A profile is a built-in ([`BUILTIN_SCORING`]) or one the office saved; a saved profile of a
//!   built-in's name overrides it until it is reset. Saving (weights or a whole TOML) and
//!   resetting are the office's (`RunLedgers`) and go into the admin trail with the TOML before
//!   and after.
//! - A preview ranks under edited weights without saving anything.
//! - Issuing freezes the ranking of a closed period (its last day before today) as it stands:
//!   the copy is kept as it was issued, whatever changes later. Issuing the same profile and
//!   period again is a revision: it must give a reason and names the one it supersedes.
//! - A unit's breakdown lists its score line by line; a task's number and title appear only to
//!   a viewer who may see the task ([`Access`]): otherwise "涉密事项" or "无权查看的事项".

use crate::access::Access;
use crate::actor::{Actor, Oversee, RunLedgers};
use crate::assessment::Assessment;
use crate::core::Core;
use duban_domain::Error;
use duban_domain::assessment::profile::DEFAULT_SCORING;
use duban_domain::assessment::score::Explained;
use duban_domain::assessment::{BUILTIN_SCORING, Points, Ranking, ScoringProfile, Span, UnitScore};
use duban_domain::ids::{TaskId, UnitId};
use duban_domain::org::Person;
use duban_domain::task::{Classification, display_number};
use duban_store::rankings::{IssuedRanking, NewIssuedRanking, SavedProfile};
use duban_store::{AuditStore, RankingStore, TaskStore};
use jiff::civil::Date;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

/// Periods a trend looks back by default.
pub const TREND_PERIODS: usize = 4;
/// How many of the last places in a category make a 约谈 candidate.
pub const BOTTOM: usize = 3;

/// A profile as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProfileEntry {
    pub name: String,
    pub title: String,
    /// month / quarter / year.
    pub period: String,
    /// A built-in profile of this name exists.
    pub builtin: bool,
    /// The office saved this profile (overriding the built-in of the same name, if any).
    pub saved: bool,
    /// The profile as TOML, as it is in force.
    pub toml: String,
}

/// A line of a unit's breakdown, with the task as the viewer may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BreakdownLine {
    #[serde(flatten)]
    pub line: Explained,
    /// The task's number and title, "涉密事项" or "无权查看的事项"; empty for a line of no task.
    pub task_label: String,
    /// The viewer may open the task.
    pub task_visible: bool,
}

/// A unit's score line by line, with its row in the ranking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Breakdown {
    pub profile: String,
    pub span: Span,
    pub base: Points,
    pub row: UnitScore,
    pub lines: Vec<BreakdownLine>,
}

/// Where a trend's figures for a period come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TrendSource {
    /// The latest issued revision.
    Issued,
    /// Computed now from the facts.
    Live,
}

/// One period of a trend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrendPeriod {
    pub key: String,
    pub label: String,
    pub source: TrendSource,
}

/// One unit's totals and ranks over the trend's periods (`None`: not ranked then).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrendRow {
    pub unit: UnitId,
    pub name: String,
    pub category: String,
    pub points: Vec<Option<(Points, u32)>>,
}

/// Each unit's totals and ranks in the periods before a period and in it (oldest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trend {
    pub periods: Vec<TrendPeriod>,
    pub rows: Vec<TrendRow>,
}

/// A unit in the bottom places of its category in each of the last two periods (约谈 candidate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    pub unit: UnitId,
    pub name: String,
    pub category: String,
    /// (period key, rank, units in the category), the earlier period first.
    pub places: Vec<(String, u32, usize)>,
}

/// Rankings.
pub struct Rankings {
    pub(crate) core: Arc<Core>,
    pub(crate) access: Access,
    pub(crate) assessment: Arc<Assessment>,
    pub(crate) store: Arc<dyn RankingStore>,
    pub(crate) tasks: Arc<dyn TaskStore>,
    pub(crate) audit: Arc<dyn AuditStore>,
}

fn scoring_err(msg: impl Into<String>) -> Error {
    Error::invalid("scoring", msg)
}

/// A scoring profile by name as in force: the one the office saved, else the built-in one.
pub(crate) async fn profile_in_force(store: &dyn RankingStore, name: &str) -> Result<ScoringProfile, Error> {
    match store.saved_profile(name).await? {
        Some(s) => ScoringProfile::parse(&s.toml),
        None if BUILTIN_SCORING.iter().any(|(n, _)| *n == name) => ScoringProfile::builtin(name),
        None => Err(Error::not_found("评分规则")),
    }
}

impl Rankings {
    /// The profile used when none is named.
    pub fn default_profile(&self) -> &'static str {
        DEFAULT_SCORING
    }

    /// Today, in the policy's time zone.
    pub fn today(&self) -> Date {
        self.core.now().to_zoned(self.core.policy().timezone()).date()
    }

    /// The last period of the profile's kind that has ended.
    pub fn last_closed(&self, profile: &ScoringProfile) -> Result<Span, Error> {
        Span::holding(profile.period.kind(), self.today())
            .and_then(|s| s.previous())
            .ok_or_else(|| Error::invalid("period", "无法确定考核期间"))
    }

    /// Every profile: the built-ins (or the office's saved version of one) and the other saved
    /// ones, by name.
    pub async fn profiles(&self) -> Result<Vec<ProfileEntry>, Error> {
        let saved = self.store.saved_profiles().await?;
        let mut out = Vec::new();
        for (name, text) in BUILTIN_SCORING {
            let s = saved.iter().find(|s| s.name == *name);
            let toml = s.map_or(*text, |s| s.toml.as_str());
            let p = ScoringProfile::parse(toml)?;
            out.push(entry(&p, toml, true, s.is_some()));
        }
        for s in saved.iter().filter(|s| !BUILTIN_SCORING.iter().any(|(n, _)| *n == s.name)) {
            let p = ScoringProfile::parse(&s.toml)?;
            out.push(entry(&p, &s.toml, false, true));
        }
        Ok(out)
    }

    /// A profile by name, as in force (saved over built-in).
    pub async fn profile(&self, name: &str) -> Result<ScoringProfile, Error> {
        profile_in_force(&*self.store, name).await
    }

    /// A profile's list entry.
    pub async fn profile_entry(&self, name: &str) -> Result<ProfileEntry, Error> {
        self.profiles().await?.into_iter().find(|e| e.name == name).ok_or_else(|| Error::not_found("评分规则"))
    }

    /// A profile with the weights named changed (line id → weight); nothing saved.
    pub async fn with_weights(&self, name: &str, weights: &[(String, Points)]) -> Result<ScoringProfile, Error> {
        self.profile(name).await?.with_weights(weights)
    }

    /// Saves new weights for a profile's lines.
    pub async fn save_weights(
        &self,
        by: &Actor,
        name: &str,
        weights: &[(String, Points)],
    ) -> Result<ScoringProfile, Error> {
        by.require::<RunLedgers>()?;
        let p = self.with_weights(name, weights).await?;
        self.save(by, name, &p).await?;
        Ok(p)
    }

    /// Saves a whole profile as TOML (parsed and checked; its name must be `name`).
    pub async fn save_toml(&self, by: &Actor, name: &str, text: &str) -> Result<ScoringProfile, Error> {
        by.require::<RunLedgers>()?;
        let p = ScoringProfile::parse(text)?;
        if p.name != name {
            return Err(scoring_err(format!("评分规则中的名称“{}”与地址中的“{name}”不一致", p.name)));
        }
        self.save(by, name, &p).await?;
        Ok(p)
    }

    async fn save(&self, by: &Actor, name: &str, p: &ScoringProfile) -> Result<(), Error> {
        let before = self.before_toml(name).await?;
        let toml = p.to_toml()?;
        self.store
            .save_profile(&SavedProfile {
                name: name.to_string(),
                toml: toml.clone(),
                saved_at: self.core.now(),
                saved_by: by.id(),
            })
            .await?;
        crate::admin_log::record(
            &*self.audit,
            &self.core,
            by,
            duban_store::admin_kind::SCORING_SAVE,
            format!("评分规则 {name}"),
            before.map(serde_json::Value::String),
            Some(serde_json::Value::String(toml)),
        )
        .await?;
        Ok(())
    }

    async fn before_toml(&self, name: &str) -> Result<Option<String>, Error> {
        Ok(match self.store.saved_profile(name).await? {
            Some(s) => Some(s.toml),
            None => BUILTIN_SCORING.iter().find(|(n, _)| *n == name).map(|(_, t)| (*t).to_string()),
        })
    }

    /// Resets a profile: the office's saved version is deleted (a built-in is in force again).
    pub async fn reset(&self, by: &Actor, name: &str) -> Result<(), Error> {
        by.require::<RunLedgers>()?;
        let Some(saved) = self.store.saved_profile(name).await? else {
            return Err(Error::not_found("保存的评分规则"));
        };
        self.store.delete_profile(name).await?;
        let after =
            BUILTIN_SCORING.iter().find(|(n, _)| *n == name).map(|(_, t)| serde_json::Value::String((*t).into()));
        crate::admin_log::record(
            &*self.audit,
            &self.core,
            by,
            duban_store::admin_kind::SCORING_SAVE,
            format!("评分规则 {name}（恢复默认）"),
            Some(serde_json::Value::String(saved.toml)),
            after,
        )
        .await?;
        Ok(())
    }

    /// The ranking of a period under a profile, computed now.
    pub async fn ranking(&self, profile: &ScoringProfile, span: Span) -> Result<Ranking, Error> {
        self.assessment.ranking(profile, span).await
    }

    /// The ranking under edited weights, without saving (the office's preview).
    pub async fn preview(
        &self,
        by: &Actor,
        name: &str,
        weights: &[(String, Points)],
        span: Span,
    ) -> Result<(ScoringProfile, Ranking), Error> {
        by.require::<RunLedgers>()?;
        let p = self.with_weights(name, weights).await?;
        let r = self.ranking(&p, span).await?;
        Ok((p, r))
    }

    /// Whether `who` may read `unit`'s breakdown: those who oversee, and the unit's own people.
    pub fn may_read_unit(who: &Actor, unit: UnitId) -> bool {
        who.may::<Oversee>() || who.person().is_some_and(|p| p.fields.unit_id == Some(unit))
    }

    /// A unit's score line by line, each task shown only as the viewer may see it.
    pub async fn breakdown(
        &self,
        who: &Actor,
        profile: &ScoringProfile,
        span: Span,
        unit: UnitId,
    ) -> Result<Breakdown, Error> {
        if !Self::may_read_unit(who, unit) {
            return Err(Error::Forbidden);
        }
        let (ranking, lines) = self.assessment.explain(profile, span, unit).await?;
        let row = ranking.row(unit).cloned().ok_or_else(|| Error::not_found("单位"))?;
        let members = self.access.group_members().await?;
        let mut labels: HashMap<TaskId, (String, bool)> = HashMap::new();
        let mut out = Vec::with_capacity(lines.len());
        for l in lines {
            let (task_label, task_visible) = match l.task {
                None => (String::new(), false),
                Some(id) => {
                    if let Some(v) = labels.get(&id) {
                        v.clone()
                    } else {
                        let v = self.task_label(who.person(), id, &members).await?;
                        labels.insert(id, v.clone());
                        v
                    }
                }
            };
            out.push(BreakdownLine { line: l, task_label, task_visible });
        }
        Ok(Breakdown { profile: profile.name.clone(), span, base: profile.base, row, lines: out })
    }

    async fn task_label(
        &self,
        who: Option<&Person>,
        id: TaskId,
        members: &duban_domain::visibility::Members,
    ) -> Result<(String, bool), Error> {
        let task = match self.tasks.get_task(id).await {
            Ok(t) => t,
            Err(Error::NotFound { .. }) => return Ok(("已删除的事项".into(), false)),
            Err(e) => return Err(e),
        };
        let sees = who.is_none_or(|p| duban_domain::visibility::Audience::of(p).sees(&task, members));
        if sees {
            let n = display_number(&task.fields.number);
            let label = if n.is_empty() { task.fields.title.clone() } else { format!("{n} {}", task.fields.title) };
            Ok((label, true))
        } else if task.fields.classification == Classification::Secret {
            Ok(("涉密事项".into(), false))
        } else {
            Ok(("无权查看的事项".into(), false))
        }
    }

    /// Issues (freezes) the ranking of a closed period under a profile; a second issue of the
    /// same profile and period is a revision, which must give a reason.
    pub async fn issue(&self, by: &Actor, name: &str, span: Span, reason: &str) -> Result<IssuedRanking, Error> {
        by.require::<RunLedgers>()?;
        if span.to >= self.today() {
            return Err(Error::invalid("period", format!("{span}尚未结束，结束后才能发布排名")));
        }
        let profile = self.profile(name).await?;
        let key = span.key();
        let earlier = self.store.issued_rankings(Some(name), Some(&key)).await?;
        let latest = earlier.iter().max_by_key(|r| r.fields.revision);
        let reason = reason.trim();
        if latest.is_some() && reason.is_empty() {
            return Err(Error::invalid("reason", "该期排名已发布，修订须写明理由"));
        }
        let ranking = self.ranking(&profile, span).await?;
        let new = NewIssuedRanking {
            profile: name.to_string(),
            profile_toml: profile.to_toml()?,
            period: key.clone(),
            revision: latest.map_or(1, |l| l.fields.revision + 1),
            supersedes: latest.map(|l| l.id),
            reason: reason.to_string(),
            ranking,
            issued_at: self.core.now(),
            issued_by: by.id(),
        };
        let issued = self.store.issue_ranking(&new).await?;
        let summary = |r: &IssuedRanking| {
            serde_json::json!({"id": r.id, "profile": r.fields.profile, "period": r.fields.period,
                "revision": r.fields.revision, "reason": r.fields.reason})
        };
        crate::admin_log::record(
            &*self.audit,
            &self.core,
            by,
            duban_store::admin_kind::RANKING_ISSUE,
            format!("考核排名 {name} {key} 第{}版", issued.fields.revision),
            latest.map(summary),
            Some(summary(&issued)),
        )
        .await?;
        Ok(issued)
    }

    /// Issued rankings, newest first, optionally of one profile and period.
    pub async fn issued(&self, profile: Option<&str>, period: Option<&str>) -> Result<Vec<IssuedRanking>, Error> {
        self.store.issued_rankings(profile, period).await
    }

    /// One issued ranking.
    pub async fn issued_one(&self, id: i64) -> Result<IssuedRanking, Error> {
        self.store.issued_ranking(id).await?.ok_or_else(|| Error::not_found("已发布的排名"))
    }

    /// The latest issued revision of a profile and period, if any.
    async fn latest_issued(&self, name: &str, key: &str) -> Result<Option<IssuedRanking>, Error> {
        Ok(self.store.issued_rankings(Some(name), Some(key)).await?.into_iter().max_by_key(|r| r.fields.revision))
    }

    /// The rankings of the `n` periods before `span` and of `span` itself (oldest first): each
    /// earlier period from its latest issued revision when there is one, else computed now;
    /// `span` itself always computed now (its issued copies are listed apart).
    pub async fn history(
        &self,
        profile: &ScoringProfile,
        span: Span,
        n: usize,
    ) -> Result<Vec<(TrendPeriod, Ranking)>, Error> {
        let mut spans = vec![span];
        let mut s = span;
        for _ in 0..n {
            match s.previous() {
                Some(p) => {
                    spans.push(p);
                    s = p;
                }
                None => break,
            }
        }
        spans.reverse();
        let mut out = Vec::with_capacity(spans.len());
        for s in spans {
            let key = s.key();
            let issued = if s == span { None } else { self.latest_issued(&profile.name, &key).await? };
            let (source, r) = match issued {
                Some(i) => (TrendSource::Issued, i.fields.ranking),
                None => (TrendSource::Live, self.ranking(profile, s).await?),
            };
            out.push((TrendPeriod { key, label: s.to_string(), source }, r));
        }
        Ok(out)
    }

    /// Each unit's total and rank over the periods of a history (rows in the last period's order).
    pub fn trend(history: &[(TrendPeriod, Ranking)]) -> Trend {
        let periods = history.iter().map(|(p, _)| p.clone()).collect();
        let rows = history
            .last()
            .map(|(_, last)| {
                last.rows
                    .iter()
                    .map(|r| TrendRow {
                        unit: r.unit,
                        name: r.name.clone(),
                        category: r.category.clone(),
                        points: history.iter().map(|(_, h)| h.row(r.unit).map(|x| (x.total, x.rank))).collect(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Trend { periods, rows }
    }

    /// 约谈 candidates: units among the last [`BOTTOM`] of their category (of more than
    /// [`BOTTOM`] units) in each of the last two periods of a history.
    pub fn candidates(history: &[(TrendPeriod, Ranking)]) -> Vec<Candidate> {
        let [.., (p1, r1), (p2, r2)] = history else { return Vec::new() };
        let place = |r: &Ranking, u: UnitId| -> Option<(u32, usize)> {
            let row = r.row(u)?;
            let same: Vec<&UnitScore> = r.rows.iter().filter(|x| x.category == row.category).collect();
            let worse = same.iter().filter(|x| x.total < row.total).count();
            (same.len() > BOTTOM && worse < BOTTOM).then_some((row.rank, same.len()))
        };
        r2.rows
            .iter()
            .filter_map(|row| {
                let a = place(r1, row.unit)?;
                let b = place(r2, row.unit)?;
                Some(Candidate {
                    unit: row.unit,
                    name: row.name.clone(),
                    category: row.category.clone(),
                    places: vec![(p1.key.clone(), a.0, a.1), (p2.key.clone(), b.0, b.1)],
                })
            })
            .collect()
    }
}

fn entry(p: &ScoringProfile, toml: &str, builtin: bool, saved: bool) -> ProfileEntry {
    let period = match p.period {
        duban_domain::assessment::profile::ProfilePeriod::Month => "month",
        duban_domain::assessment::profile::ProfilePeriod::Quarter => "quarter",
        duban_domain::assessment::profile::ProfilePeriod::Year => "year",
    };
    ProfileEntry {
        name: p.name.clone(),
        title: p.title.clone(),
        period: period.into(),
        builtin,
        saved,
        toml: toml.to_string(),
    }
}

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> Error {
    tracing::error!(error = %e, "ranking workbook");
    Error::Internal
}

/// A ranking as an .xlsx workbook in the 台账 layout: a title row, the period, then one row per
/// unit: 排名, 单位, 分类, 总分, each line's points, 是否入选先进, 通报次数.
pub fn xlsx(r: &Ranking, issued: Option<&str>) -> Result<Vec<u8>, Error> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("考核排名").map_err(xlsx_err)?;
    let font = crate::export::FONT;
    let big = Format::new().set_bold().set_font_name("黑体").set_font_size(16).set_align(FormatAlign::Center);
    let sub = Format::new().set_font_name(font).set_align(FormatAlign::Center);
    let head = Format::new()
        .set_bold()
        .set_font_name(font)
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_text_wrap()
        .set_background_color("D9E1F2");
    let cell = Format::new().set_font_name(font).set_border(FormatBorder::Thin);
    let num = Format::new().set_font_name(font).set_border(FormatBorder::Thin).set_num_format("0.00");
    let mut columns: Vec<(String, f64)> =
        vec![("排名".into(), 7.0), ("单位".into(), 28.0), ("分类".into(), 14.0), ("总分".into(), 9.0)];
    let parts: Vec<String> =
        r.rows.first().map(|x| x.parts.iter().map(|p| p.label.clone()).collect()).unwrap_or_default();
    columns.extend(parts.iter().map(|l| (l.clone(), 11.0)));
    columns.push(("是否入选先进".into(), 9.0));
    columns.push(("通报次数".into(), 9.0));
    let last = u16::try_from(columns.len().saturating_sub(1)).unwrap_or(0);
    let title = if r.title.is_empty() { "考核排名".to_string() } else { r.title.clone() };
    ws.merge_range(0, 0, 0, last, &title, &big).map_err(xlsx_err)?;
    let period = match issued {
        Some(note) => format!("考核期间：{}（{note}）", r.span),
        None => format!("考核期间：{}", r.span),
    };
    ws.merge_range(1, 0, 1, last, &period, &sub).map_err(xlsx_err)?;
    for (col, (h, w)) in columns.iter().enumerate() {
        let col = u16::try_from(col).unwrap_or(0);
        ws.write_string_with_format(2, col, h, &head).map_err(xlsx_err)?;
        ws.set_column_width(col, *w).map_err(xlsx_err)?;
    }
    ws.set_repeat_rows(2, 2).map_err(xlsx_err)?;
    ws.set_paper_size(9);
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    let points = |p: Points| p.0 as f64 / 100.0;
    for (i, row) in r.rows.iter().enumerate() {
        let y = u32::try_from(i + 3).map_err(|_| Error::invalid("rows", "行数过多，无法导出"))?;
        ws.write_number_with_format(y, 0, f64::from(row.rank), &cell).map_err(xlsx_err)?;
        ws.write_string_with_format(y, 1, &row.name, &cell).map_err(xlsx_err)?;
        ws.write_string_with_format(y, 2, &row.category, &cell).map_err(xlsx_err)?;
        ws.write_number_with_format(y, 3, points(row.total), &num).map_err(xlsx_err)?;
        let mut col: u16 = 4;
        for p in &row.parts {
            ws.write_number_with_format(y, col, points(p.points), &num).map_err(xlsx_err)?;
            col += 1;
        }
        let top = if row.top {
            "是"
        } else if !row.eligible {
            "否（通报次数超限）"
        } else {
            "否"
        };
        ws.write_string_with_format(y, col, top, &cell).map_err(xlsx_err)?;
        ws.write_number_with_format(y, col + 1, f64::from(row.namings), &cell).map_err(xlsx_err)?;
    }
    wb.save_to_buffer().map_err(xlsx_err)
}

/// The file name of a ranking's workbook.
pub fn file_name(r: &Ranking) -> String {
    format!("考核排名-{}-{}.xlsx", r.profile, r.span.key())
}

#[cfg(test)]
mod tests {
    use super::*;
    use duban_domain::assessment::UnitScore;

    fn ranking(key: &str, rows: &[(i64, &str, i64)]) -> (TrendPeriod, Ranking) {
        let span = Span::parse(key).unwrap();
        let rows = rows
            .iter()
            .map(|(u, cat, total)| UnitScore {
                unit: UnitId(*u),
                name: format!("单位{u}"),
                category: (*cat).into(),
                total: Points::whole(*total),
                parts: vec![],
                rank: 0,
                namings: 0,
                eligible: true,
                top: false,
            })
            .collect();
        let r = Ranking { profile: "p".into(), title: String::new(), span, categories: vec![], rows };
        (TrendPeriod { key: key.into(), label: span.to_string(), source: TrendSource::Live }, r)
    }

    #[test]
    fn candidates_are_in_the_last_three_of_a_large_enough_category_twice_running() {
        let big = |t: [i64; 5]| -> Vec<(i64, &'static str, i64)> {
            t.iter().enumerate().map(|(i, x)| (i as i64 + 1, "部门", *x)).collect()
        };
        // 部门: five units; units 4 and 5 are in the last three both times, unit 3 only once.
        // 镇: three units, too few to name any.
        let mut q1 = big([90, 80, 70, 60, 50]);
        q1.extend([(11, "镇", 10), (12, "镇", 20), (13, "镇", 30)]);
        let mut q2 = big([90, 80, 95, 60, 50]);
        q2.extend([(11, "镇", 10), (12, "镇", 20), (13, "镇", 30)]);
        let history = vec![ranking("2026Q1", &q1), ranking("2026Q2", &q2)];
        let c: Vec<i64> = Rankings::candidates(&history).iter().map(|c| c.unit.0).collect();
        assert_eq!(c, vec![4, 5]);
        assert_eq!(Rankings::candidates(&history[1..]), vec![]);
        let t = Rankings::trend(&history);
        assert_eq!(t.periods.len(), 2);
        let row = t.rows.iter().find(|r| r.unit == UnitId(3)).unwrap();
        assert_eq!(
            row.points.iter().map(|p| p.map(|(x, _)| x.to_string())).collect::<Vec<_>>(),
            vec![Some("70".to_string()), Some("95".to_string())]
        );
    }
}
