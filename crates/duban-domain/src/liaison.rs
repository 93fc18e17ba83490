//! Liaison (包联/包保, issue 14 §2) and project stewards (项目管家, §3): one set of rules for both.
//!
//! Both are "a person is assigned to an enterprise or a project and owes periodic on-site work":
//! an [`Assignment`] of a [`ServiceKind`], an obligation per [`Period`] (a task on the one engine,
//! due on the period's last day) and a [`Visit`] that discharges it. What differs is data, in
//! [`ServicePolicy`] (TOML; the built-in profile `service/seeds.toml` from the seeds):
//!
//! - liaison visits at least once a quarter (000 二(二)1, 002 三(三)2), stewards on site at least
//!   monthly (000 二(一)3) — [`Cadence`];
//! - the steward's rank follows the project's total investment (003 附件4 (四)):
//!   (1亿, 5亿] 正处级, (5000万, 1亿] 副处级, up to 5000万 科级 — [`ServicePolicy::required_rank`].
//!   Above 5亿 the seeds name no higher tier, so the highest (正处级) applies; a steward of a
//!   higher rank than required is accepted ([`Rank::fits`]), a lower one is 职级不符.
//!   Enterprise stewards (规上/限上, 003 (200)) have no tier: only their presence is checked.
//!
//! People have no rank field: the rank ([`Rank`]) is recorded on the assignment.

use crate::enterprise::Yuan;
use crate::ids::{EnterpriseId, PersonId, ProjectId, TaskId, UnitId};
use crate::{Error, vocabulary};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

vocabulary!(
    /// Which of the two services an assignment is.
    ServiceKind, "service kind" {
        Liaison = "liaison" / "包联" | "包保",
        Steward = "steward" / "项目管家",
    }
);

vocabulary!(
    /// A cadre's rank (职级), recorded on an assignment. In order from the highest.
    Rank, "rank" {
        /// 县级领导 (a 旗/县 leader): counted as 正处级.
        County = "county" / "县级",
        Division = "division" / "正处级",
        DeputyDivision = "deputy_division" / "副处级",
        Section = "section" / "正科级",
        DeputySection = "deputy_section" / "副科级" | "科级",
        Staff = "staff" / "科员",
    }
);

impl Rank {
    /// How high the rank is (larger is higher); 县级 counts as 正处级.
    pub fn level(self) -> u8 {
        match self {
            Rank::County | Rank::Division => 5,
            Rank::DeputyDivision => 4,
            Rank::Section => 3,
            Rank::DeputySection => 2,
            Rank::Staff => 1,
        }
    }

    /// Whether someone of this rank may serve where `required` is asked for: the same or higher.
    pub fn fits(self, required: Rank) -> bool {
        self.level() >= required.level()
    }
}

vocabulary!(
    /// How often the on-site work is owed.
    Cadence, "cadence" {
        Quarter = "quarter" / "每季度",
        Month = "month" / "每月",
    }
);

/// One quarter or one month: the span one obligation covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub cadence: Cadence,
    pub year: i16,
    /// The quarter (1–4) or the month (1–12).
    pub n: i8,
}

impl Period {
    /// The period of `cadence` that contains `day`.
    pub fn containing(cadence: Cadence, day: Date) -> Self {
        let n = match cadence {
            Cadence::Quarter => (day.month() - 1) / 3 + 1,
            Cadence::Month => day.month(),
        };
        Self { cadence, year: day.year(), n }
    }

    /// The first day of the period.
    pub fn first_day(self) -> Date {
        let month = match self.cadence {
            Cadence::Quarter => (self.n - 1) * 3 + 1,
            Cadence::Month => self.n,
        };
        Date::new(self.year, month, 1).unwrap_or(Date::MIN)
    }

    /// The last day of the period: the obligation's deadline.
    pub fn last_day(self) -> Date {
        let months = match self.cadence {
            Cadence::Quarter => 3,
            Cadence::Month => 1,
        };
        let first = self.first_day();
        first.checked_add(jiff::Span::new().months(months)).and_then(|d| d.yesterday()).unwrap_or(first)
    }

    /// The stable code: "2026Q4", "2026-12".
    pub fn code(self) -> String {
        match self.cadence {
            Cadence::Quarter => format!("{}Q{}", self.year, self.n),
            Cadence::Month => format!("{}-{:02}", self.year, self.n),
        }
    }

    /// As people write it: "2026年第4季度", "2026年12月".
    pub fn label(self) -> String {
        match self.cadence {
            Cadence::Quarter => format!("{}年第{}季度", self.year, self.n),
            Cadence::Month => format!("{}年{}月", self.year, self.n),
        }
    }

    /// Whether `day` falls in the period.
    pub fn contains(self, day: Date) -> bool {
        self.first_day() <= day && day <= self.last_day()
    }
}

/// One investment tier: projects above `above` (exclusive) need at least `rank`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tier {
    #[serde(serialize_with = "yuan_label")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub above: Yuan,
    pub rank: Rank,
}

fn yuan_label<S: serde::Serializer>(y: &Yuan, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&y.wan_label())
}

/// The policy of both services.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServicePolicy {
    pub liaison_cadence: Cadence,
    pub steward_cadence: Cadence,
    /// The ledger the obligation tasks of each service are kept in.
    pub liaison_ledger: String,
    pub steward_ledger: String,
    /// Ascending by `above`.
    pub steward_tiers: Vec<Tier>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    liaison_cadence: String,
    steward_cadence: String,
    liaison_ledger: String,
    steward_ledger: String,
    steward_tiers: Vec<TierFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TierFile {
    above: String,
    rank: String,
}

/// The built-in policy's TOML.
pub const SEEDS_TOML: &str = include_str!("../service/seeds.toml");

impl ServicePolicy {
    /// The built-in policy from the seeds.
    pub fn seeds() -> Self {
        // The built-in file is tested to parse; fall back to the same numbers written out.
        Self::from_toml(SEEDS_TOML).unwrap_or_else(|_| Self {
            liaison_cadence: Cadence::Quarter,
            steward_cadence: Cadence::Month,
            liaison_ledger: "包联走访台账".into(),
            steward_ledger: "项目管家台账".into(),
            steward_tiers: vec![
                Tier { above: Yuan(0), rank: Rank::DeputySection },
                Tier { above: Yuan::wan(5000), rank: Rank::DeputyDivision },
                Tier { above: Yuan::yi(1), rank: Rank::Division },
            ],
        })
    }

    /// Reads a policy file.
    pub fn from_toml(s: &str) -> Result<Self, Error> {
        let f: PolicyFile =
            toml::from_str(s).map_err(|e| Error::invalid("policy", format!("包联与项目管家规则文件有误：{e}")))?;
        let mut tiers = f
            .steward_tiers
            .into_iter()
            .map(|t| Ok(Tier { above: t.above.parse()?, rank: t.rank.parse()? }))
            .collect::<Result<Vec<_>, Error>>()?;
        if tiers.is_empty() {
            return Err(Error::invalid("steward_tiers", "请至少规定一档项目管家职级"));
        }
        tiers.sort_by_key(|t| t.above);
        let ledger = |field: &str, s: String| {
            let s = s.trim().to_string();
            if s.is_empty() || s.chars().count() > 100 {
                Err(Error::invalid(field, "台账名称应为1至100个字"))
            } else {
                Ok(s)
            }
        };
        Ok(Self {
            liaison_cadence: f.liaison_cadence.parse()?,
            steward_cadence: f.steward_cadence.parse()?,
            liaison_ledger: ledger("liaison_ledger", f.liaison_ledger)?,
            steward_ledger: ledger("steward_ledger", f.steward_ledger)?,
            steward_tiers: tiers,
        })
    }

    pub fn cadence(&self, kind: ServiceKind) -> Cadence {
        match kind {
            ServiceKind::Liaison => self.liaison_cadence,
            ServiceKind::Steward => self.steward_cadence,
        }
    }

    pub fn ledger(&self, kind: ServiceKind) -> &str {
        match kind {
            ServiceKind::Liaison => &self.liaison_ledger,
            ServiceKind::Steward => &self.steward_ledger,
        }
    }

    /// The lowest rank a steward of a project with this total investment may have: the highest
    /// tier the amount is above (the lowest tier for amounts above none).
    pub fn required_rank(&self, investment: Yuan) -> Rank {
        self.steward_tiers
            .iter()
            .rev()
            .find(|t| investment > t.above)
            .or(self.steward_tiers.first())
            .map_or(Rank::DeputySection, |t| t.rank)
    }
}

/// What an assignment covers: an enterprise or a project.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    Enterprise(EnterpriseId),
    Project(ProjectId),
}

/// A person assigned to an enterprise or a project.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewAssignment {
    pub kind: ServiceKind,
    pub person_id: PersonId,
    /// The person's unit when assigned: the lead unit of their obligation tasks.
    pub unit_id: UnitId,
    pub target: Target,
    pub rank: Option<Rank>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub since: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub until: Option<Date>,
}

/// A stored assignment, with who made and ended it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assignment {
    pub id: i64,
    #[serde(flatten)]
    pub fields: NewAssignment,
    pub assigned_by: Option<PersonId>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub assigned_at: Timestamp,
    pub ended_by: Option<PersonId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub ended_at: Option<Timestamp>,
}

impl Assignment {
    /// Whether it is in force on `day`.
    pub fn active_on(&self, day: Date) -> bool {
        self.fields.since <= day && self.fields.until.is_none_or(|u| day <= u)
    }
}

/// The unchecked shape of an assignment from the API or a form.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignmentInput {
    pub person_id: Option<i64>,
    pub enterprise_id: Option<i64>,
    pub project_id: Option<i64>,
    pub rank: Option<String>,
    /// YYYY-MM-DD; today when empty.
    pub since: Option<String>,
    pub until: Option<String>,
}

fn date(field: &str, label: &str, s: &str) -> Result<Date, Error> {
    s.trim().parse().map_err(|_| Error::invalid(field, format!("{label}“{}”不是有效日期（例：2026-10-08）", s.trim())))
}

impl AssignmentInput {
    /// Checks the input; the person's unit is looked up by the caller.
    pub fn parse(self, kind: ServiceKind, unit_id: UnitId, today: Date) -> Result<NewAssignment, Error> {
        let person_id = PersonId(self.person_id.ok_or_else(|| Error::invalid("person_id", "请选择人员"))?);
        let target = match (self.enterprise_id, self.project_id) {
            (Some(e), None) => Target::Enterprise(EnterpriseId(e)),
            (None, Some(p)) if kind == ServiceKind::Steward => Target::Project(ProjectId(p)),
            (None, Some(_)) => return Err(Error::invalid("project_id", "包联的对象是企业")),
            (Some(_), Some(_)) => return Err(Error::invalid("project_id", "企业和项目只能选一个")),
            (None, None) => return Err(Error::invalid("enterprise_id", "请选择企业或项目")),
        };
        let rank = match self.rank.as_deref().map(str::trim) {
            None | Some("") if kind == ServiceKind::Steward => {
                return Err(Error::invalid("rank", "请填写项目管家的职级"));
            }
            None | Some("") => None,
            Some(r) => Some(r.parse()?),
        };
        let since = match self.since.as_deref().map(str::trim) {
            None | Some("") => today,
            Some(s) => date("since", "起始日期", s)?,
        };
        let until = match self.until.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => Some(date("until", "截止日期", s)?),
        };
        if until.is_some_and(|u| u < since) {
            return Err(Error::invalid("until", "截止日期不能早于起始日期"));
        }
        Ok(NewAssignment { kind, person_id, unit_id, target, rank, since, until })
    }
}

/// A problem found on a visit, and the enterprise demand it became, if any.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub text: String,
    /// The demand task it was raised as (转为企业诉求).
    pub demand_task_id: Option<TaskId>,
}

/// A visit (包联走访) or a steward's on-site work (现场办公) as entered.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewVisit {
    pub assignment_id: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub visited_on: Date,
    /// The people met (走访对象).
    pub met: String,
    /// The policies explained (宣传政策).
    pub policies: String,
    /// What was done (工作内容; a steward's on-site work).
    pub work: String,
    pub problems: Vec<String>,
    /// Attachments of the obligation task given as evidence.
    pub evidence: Vec<i64>,
}

/// A recorded visit.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Visit {
    pub id: i64,
    pub assignment_id: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub visited_on: Date,
    pub met: String,
    pub policies: String,
    pub work: String,
    pub problems: Vec<Problem>,
    pub evidence: Vec<i64>,
    /// The obligation task it completed.
    pub task_id: Option<TaskId>,
    pub recorded_by: Option<PersonId>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub recorded_at: Timestamp,
}

/// The most problems one visit lists.
pub const MAX_PROBLEMS: usize = 20;
/// The most evidence files one visit names.
pub const MAX_EVIDENCE: usize = 20;

/// The unchecked shape of a visit.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VisitInput {
    pub visited_on: Option<String>,
    pub met: Option<String>,
    pub policies: Option<String>,
    pub work: Option<String>,
    pub problems: Vec<String>,
    pub evidence: Vec<i64>,
}

fn text(field: &str, label: &str, s: Option<String>, max: usize) -> Result<String, Error> {
    let s = s.unwrap_or_default().trim().to_string();
    if s.chars().count() > max {
        return Err(Error::invalid(field, format!("{label}不能超过{max}个字")));
    }
    if s.chars().any(|c| c.is_control() && c != '\n' && c != '\r') {
        return Err(Error::invalid(field, format!("{label}含有控制字符")));
    }
    Ok(s)
}

impl VisitInput {
    /// Checks a visit of `assignment` on or before `today` within the assignment's span.
    pub fn parse(self, kind: ServiceKind, assignment: &Assignment, today: Date) -> Result<NewVisit, Error> {
        let visited_on = match self.visited_on.as_deref().map(str::trim) {
            None | Some("") => today,
            Some(s) => date("visited_on", "走访日期", s)?,
        };
        if visited_on > today {
            return Err(Error::invalid("visited_on", "走访日期不能晚于今天"));
        }
        if !assignment.active_on(visited_on) {
            return Err(Error::invalid("visited_on", "走访日期不在包联（管家）期间内"));
        }
        let met = text("met", "走访对象", self.met, 500)?;
        let policies = text("policies", "宣传政策", self.policies, 2000)?;
        let work = text("work", "工作内容", self.work, 2000)?;
        if kind == ServiceKind::Liaison && met.is_empty() {
            return Err(Error::invalid("met", "请填写走访对象"));
        }
        if kind == ServiceKind::Steward && work.is_empty() {
            return Err(Error::invalid("work", "请填写现场办公内容"));
        }
        if self.problems.len() > MAX_PROBLEMS {
            return Err(Error::invalid("problems", format!("问题最多{MAX_PROBLEMS}条")));
        }
        let problems = self
            .problems
            .into_iter()
            .map(|p| text("problems", "问题", Some(p), 500))
            .filter(|p| !matches!(p, Ok(s) if s.is_empty()))
            .collect::<Result<Vec<_>, _>>()?;
        if self.evidence.len() > MAX_EVIDENCE {
            return Err(Error::invalid("evidence", format!("佐证材料最多{MAX_EVIDENCE}个")));
        }
        Ok(NewVisit {
            assignment_id: assignment.id,
            visited_on,
            met,
            policies,
            work,
            problems,
            evidence: self.evidence,
        })
    }
}

/// What is wrong with a steward's coverage.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "flag", rename_all = "snake_case")]
pub enum StewardFlag {
    /// Must have a steward and has none (缺项目管家).
    Missing,
    /// The steward's rank is below the tier's (职级不符).
    WrongRank { assignment_id: i64, required: Rank, actual: Option<Rank> },
}

impl StewardFlag {
    pub fn label(&self) -> String {
        match self {
            StewardFlag::Missing => "未落实项目管家".into(),
            StewardFlag::WrongRank { required, actual, .. } => {
                format!("职级不符：应为{}及以上，现为{}", required.label(), actual.map_or("未填写", |r| r.label()))
            }
        }
    }
}

/// The flags of one project: `stewards` are its active steward assignments.
pub fn project_flags(
    policy: &ServicePolicy,
    investment: Yuan,
    needs_steward: bool,
    stewards: &[&Assignment],
) -> Vec<StewardFlag> {
    if stewards.is_empty() {
        return if needs_steward { vec![StewardFlag::Missing] } else { vec![] };
    }
    let required = policy.required_rank(investment);
    stewards
        .iter()
        .filter(|a| !a.fields.rank.is_some_and(|r| r.fits(required)))
        .map(|a| StewardFlag::WrongRank { assignment_id: a.id, required, actual: a.fields.rank })
        .collect()
}

/// The share `covered / total` as a percentage with one decimal (100 when there is nothing to
/// cover).
pub fn coverage_percent(covered: usize, total: usize) -> f64 {
    if total == 0 { 100.0 } else { (covered as f64 * 1000.0 / total as f64).round() / 10.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn the_built_in_policy_is_the_seeds() {
        let p = ServicePolicy::from_toml(SEEDS_TOML).unwrap();
        assert_eq!(p, ServicePolicy::seeds());
        assert_eq!(p.cadence(ServiceKind::Liaison), Cadence::Quarter);
        assert_eq!(p.cadence(ServiceKind::Steward), Cadence::Month);
        assert_eq!(p.ledger(ServiceKind::Liaison), "包联走访台账");
        assert_eq!(p.ledger(ServiceKind::Steward), "项目管家台账");
    }

    #[test]
    fn the_rank_follows_the_investment_tier() {
        let p = ServicePolicy::seeds();
        // 003 附件4 (四): 5亿（含）以下、1亿以上 正处级; 1亿（含）以下、5000万以上 副处级; 5000万以下 科级.
        assert_eq!(p.required_rank(Yuan::yi(5)), Rank::Division);
        assert_eq!(p.required_rank(Yuan(Yuan::yi(1).0 + 1)), Rank::Division);
        assert_eq!(p.required_rank(Yuan::yi(1)), Rank::DeputyDivision);
        assert_eq!(p.required_rank(Yuan::wan(5001)), Rank::DeputyDivision);
        assert_eq!(p.required_rank(Yuan::wan(5000)), Rank::DeputySection);
        assert_eq!(p.required_rank(Yuan::wan(1200)), Rank::DeputySection);
        assert_eq!(p.required_rank(Yuan(0)), Rank::DeputySection);
        // Above 5亿: the highest tier.
        assert_eq!(p.required_rank(Yuan::yi(20)), Rank::Division);
    }

    #[test]
    fn a_higher_rank_fits_a_lower_does_not() {
        assert!(Rank::County.fits(Rank::Division));
        assert!(Rank::Division.fits(Rank::DeputyDivision));
        assert!(Rank::Section.fits(Rank::DeputySection));
        assert!(!Rank::DeputyDivision.fits(Rank::Division));
        assert!(!Rank::Staff.fits(Rank::DeputySection));
        assert_eq!("科级".parse::<Rank>().unwrap(), Rank::DeputySection);
        assert!("处长".parse::<Rank>().is_err());
    }

    #[test]
    fn periods_end_on_their_last_day() {
        let q = Period::containing(Cadence::Quarter, d("2026-11-15"));
        assert_eq!((q.code(), q.label()), ("2026Q4".into(), "2026年第4季度".into()));
        assert_eq!((q.first_day(), q.last_day()), (d("2026-10-01"), d("2026-12-31")));
        let q1 = Period::containing(Cadence::Quarter, d("2026-03-31"));
        assert_eq!(q1.last_day(), d("2026-03-31"));
        let m = Period::containing(Cadence::Month, d("2028-02-10"));
        assert_eq!((m.code(), m.label(), m.last_day()), ("2028-02".into(), "2028年2月".into(), d("2028-02-29")));
        assert!(m.contains(d("2028-02-01")) && !m.contains(d("2028-03-01")));
    }

    fn assignment(rank: Option<Rank>) -> Assignment {
        Assignment {
            id: 7,
            fields: NewAssignment {
                kind: ServiceKind::Steward,
                person_id: PersonId(1),
                unit_id: UnitId(1),
                target: Target::Project(ProjectId(1)),
                rank,
                since: d("2026-01-01"),
                until: Some(d("2026-12-31")),
            },
            assigned_by: None,
            assigned_at: Timestamp::UNIX_EPOCH,
            ended_by: None,
            ended_at: None,
        }
    }

    #[test]
    fn projects_are_flagged_without_a_steward_or_with_one_of_the_wrong_rank() {
        let p = ServicePolicy::seeds();
        assert_eq!(project_flags(&p, Yuan::yi(2), true, &[]), vec![StewardFlag::Missing]);
        assert!(project_flags(&p, Yuan::wan(800), false, &[]).is_empty());
        let low = assignment(Some(Rank::DeputyDivision));
        let flags = project_flags(&p, Yuan::yi(2), true, &[&low]);
        assert_eq!(
            flags,
            vec![StewardFlag::WrongRank {
                assignment_id: 7,
                required: Rank::Division,
                actual: Some(Rank::DeputyDivision)
            }]
        );
        assert!(flags[0].label().contains("职级不符"));
        let high = assignment(Some(Rank::County));
        assert!(project_flags(&p, Yuan::yi(2), true, &[&high]).is_empty());
        assert!(project_flags(&p, Yuan::wan(3000), true, &[&low]).is_empty(), "higher than required is fine");
    }

    #[test]
    fn assignments_and_visits_are_checked() {
        let today = d("2026-11-20");
        let ok = AssignmentInput { person_id: Some(3), enterprise_id: Some(5), ..Default::default() };
        let a = ok.clone().parse(ServiceKind::Liaison, UnitId(2), today).unwrap();
        assert_eq!((a.since, a.target, a.rank), (today, Target::Enterprise(EnterpriseId(5)), None));
        let project = AssignmentInput { enterprise_id: None, project_id: Some(1), ..ok.clone() };
        assert!(project.clone().parse(ServiceKind::Liaison, UnitId(2), today).is_err());
        assert!(
            project.clone().parse(ServiceKind::Steward, UnitId(2), today).unwrap_err().to_string().contains("职级")
        );
        let bad = AssignmentInput { since: Some("2026-12-01".into()), until: Some("2026-11-01".into()), ..ok };
        assert!(bad.parse(ServiceKind::Liaison, UnitId(2), today).is_err());

        let a = assignment(Some(Rank::Division));
        let v = VisitInput {
            visited_on: Some("2026-11-19".into()),
            work: Some("现场协调用地".into()),
            problems: vec!["用地指标不足".into(), "  ".into()],
            ..Default::default()
        }
        .parse(ServiceKind::Steward, &a, today)
        .unwrap();
        assert_eq!(v.problems, vec!["用地指标不足".to_string()]);
        let future = VisitInput { visited_on: Some("2026-11-21".into()), work: Some("x".into()), ..Default::default() };
        assert!(future.parse(ServiceKind::Steward, &a, today).is_err());
        let no_met = VisitInput::default();
        assert!(no_met.parse(ServiceKind::Liaison, &a, today).unwrap_err().to_string().contains("走访对象"));
        let many = VisitInput { met: Some("x".into()), problems: vec!["p".into(); 21], ..Default::default() };
        assert!(many.parse(ServiceKind::Liaison, &a, today).is_err());
        let hostile = VisitInput { met: Some("a\u{0}b".into()), ..Default::default() };
        assert!(hostile.parse(ServiceKind::Liaison, &a, today).is_err());
    }

    #[test]
    fn coverage_is_a_share() {
        assert_eq!(coverage_percent(2, 3), 66.7);
        assert_eq!(coverage_percent(0, 0), 100.0);
    }
}
