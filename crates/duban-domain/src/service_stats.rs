//! Enterprise-side statistics of a period (issue 14 §6): what the monthly bulletin and the
//! `/service/stats` page say about the service to enterprises — demands by kind and channel, the
//! time to contact and to solve in **working days on the calendar** (median and mean), the share
//! contacted within 1 and solved within 3 (30 for hard cases) working days ("企业吹哨、部门报到",
//! 001 §13), satisfaction (满意率 = 满意 + 基本满意 over those rated), visit coverage, steward flags
//! and overdue procedures.
//!
//! Pure: the caller hands in plain facts (dates already in local time) and the calendar; no IO.

use crate::bulletin::Paragraph;
use crate::calendar::Calendar;
use crate::demand::{Channel, DemandKind, Satisfaction};
use jiff::civil::Date;
use serde::Serialize;

/// One demand as the statistics need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemandFact {
    pub kind: DemandKind,
    pub channel: Channel,
    /// The day it was submitted or recorded: this decides the period it counts in.
    pub submitted_on: Date,
    /// The day its lead unit received it (分派); none while queued.
    pub received_on: Option<Date>,
    pub contacted_on: Option<Date>,
    pub resolved_on: Option<Date>,
    /// A hard case (30 working days instead of 3).
    pub hard: bool,
    /// The enterprise's rating, else what it said on the return visit.
    pub satisfaction: Option<Satisfaction>,
}

/// The other counts of the period, taken as they stand.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceCounts {
    /// Key enterprises in the list.
    pub enterprises: u32,
    /// Of them, with a liaison in force.
    pub with_liaison: u32,
    /// Of them, visited in the period.
    pub visited: u32,
    /// Visit records of the period (包联走访 and 现场办公).
    pub visits: u32,
    /// Projects or enterprises that must have a steward and have none, and stewards below the
    /// rank their tier asks for.
    pub steward_flags: u32,
    /// Procedures started and not finished.
    pub procedures_open: u32,
    /// Of them, past their committed date.
    pub procedures_overdue: u32,
}

/// A count of how many of how many.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Share {
    pub n: u32,
    pub of: u32,
}

impl Share {
    /// The share in per cent, one decimal; none when there is nothing to share.
    pub fn percent(self) -> Option<f64> {
        (self.of > 0).then(|| (f64::from(self.n) * 1000.0 / f64::from(self.of)).round() / 10.0)
    }

    /// "12/15（80.0%）" or "—".
    pub fn text(self) -> String {
        match self.percent() {
            Some(p) => format!("{}/{}（{p:.1}%）", self.n, self.of),
            None => "—".into(),
        }
    }
}

/// A count under a vocabulary code and its label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Count {
    pub code: &'static str,
    pub label: &'static str,
    pub n: u32,
}

/// Median and mean of a set of working-day durations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Durations {
    pub count: u32,
    pub median: Option<f64>,
    pub mean: Option<f64>,
}

impl Durations {
    fn of(mut v: Vec<i32>) -> Self {
        if v.is_empty() {
            return Self::default();
        }
        v.sort_unstable();
        let n = v.len();
        let median = if n % 2 == 1 { f64::from(v[n / 2]) } else { f64::from(v[n / 2 - 1] + v[n / 2]) / 2.0 };
        let sum: i64 = v.iter().map(|&x| i64::from(x)).sum();
        let mean = (sum as f64 / n as f64 * 10.0).round() / 10.0;
        Self { count: n as u32, median: Some(median), mean: Some(mean) }
    }
}

/// The statistics of a period.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceStats {
    /// Demands submitted or recorded in the period.
    pub demands: u32,
    /// Of them, still waiting in the office's queue.
    pub queued: u32,
    /// Counts by kind and by channel (only those present, in vocabulary order).
    pub by_kind: Vec<Count>,
    pub by_channel: Vec<Count>,
    /// Working days from received to contacted, of those contacted.
    pub to_contact: Durations,
    /// Working days from received to solved or confirmed, of those solved.
    pub to_solve: Durations,
    /// Of those received, contacted within 1 working day.
    pub contacted_in_1: Share,
    /// Of the ordinary ones received, solved within 3 working days.
    pub solved_in_3: Share,
    /// Of the hard ones received, solved within 30 working days.
    pub solved_in_30: Share,
    /// Of those solved, rated (or said on the return visit).
    pub rated: Share,
    pub satisfied: u32,
    pub basic: u32,
    pub unsatisfied: u32,
    /// 满意率: (满意 + 基本满意) over those rated.
    pub satisfaction_rate: Share,
    pub counts: ServiceCounts,
    /// Visit coverage: key enterprises visited in the period over all.
    pub coverage: Share,
    /// What went wrong, worst first, in sentences for the bulletin.
    pub problems: Vec<String>,
}

/// Working days after `a` up to `b` (0 the same day); none when the calendar cannot say.
fn workdays(calendar: &Calendar, a: Date, b: Date) -> Option<i32> {
    calendar.workdays_between(a, b).ok().map(|r| r.value.max(0))
}

/// The statistics of the demands submitted in `[first, last]` and the counts given. A demand not
/// yet contacted (solved) counts against its share only once its limit has passed by `today`;
/// before that it is still in time and is left out of the share.
pub fn service_stats(
    calendar: &Calendar,
    first: Date,
    last: Date,
    today: Date,
    demands: &[DemandFact],
    counts: ServiceCounts,
) -> ServiceStats {
    let mut s = ServiceStats { counts, ..Default::default() };
    let mut to_contact = Vec::new();
    let mut to_solve = Vec::new();
    let mut kinds: Vec<(DemandKind, u32)> = Vec::new();
    let mut channels: Vec<(Channel, u32)> = Vec::new();
    for d in demands.iter().filter(|d| d.submitted_on >= first && d.submitted_on <= last) {
        s.demands += 1;
        match kinds.iter_mut().find(|(k, _)| *k == d.kind) {
            Some((_, n)) => *n += 1,
            None => kinds.push((d.kind, 1)),
        }
        match channels.iter_mut().find(|(c, _)| *c == d.channel) {
            Some((_, n)) => *n += 1,
            None => channels.push((d.channel, 1)),
        }
        let Some(received) = d.received_on else {
            s.queued += 1;
            continue;
        };
        let elapsed = workdays(calendar, received, today);
        let past = |limit: i32| elapsed.is_some_and(|e| e > limit);
        if let Some(w) = d.contacted_on.and_then(|c| workdays(calendar, received, c)) {
            to_contact.push(w);
            s.contacted_in_1.of += 1;
            if w <= 1 {
                s.contacted_in_1.n += 1;
            }
        } else if past(1) {
            s.contacted_in_1.of += 1;
        }
        let (limit, share) = if d.hard { (30, &mut s.solved_in_30) } else { (3, &mut s.solved_in_3) };
        if let Some(w) = d.resolved_on.and_then(|r| workdays(calendar, received, r)) {
            to_solve.push(w);
            share.of += 1;
            if w <= limit {
                share.n += 1;
            }
            s.rated.of += 1;
            if let Some(sat) = d.satisfaction {
                s.rated.n += 1;
                match sat {
                    Satisfaction::Satisfied => s.satisfied += 1,
                    Satisfaction::Basic => s.basic += 1,
                    Satisfaction::Unsatisfied => s.unsatisfied += 1,
                }
            }
        } else if past(limit) {
            share.of += 1;
        }
    }
    kinds.sort_by_key(|(k, _)| DemandKind::ALL.iter().position(|x| x == k));
    channels.sort_by_key(|(c, _)| Channel::ALL.iter().position(|x| x == c));
    s.by_kind = kinds.into_iter().map(|(k, n)| Count { code: k.code(), label: k.label(), n }).collect();
    s.by_channel = channels.into_iter().map(|(c, n)| Count { code: c.code(), label: c.label(), n }).collect();
    s.to_contact = Durations::of(to_contact);
    s.to_solve = Durations::of(to_solve);
    s.satisfaction_rate = Share { n: s.satisfied + s.basic, of: s.rated.n };
    s.coverage = Share { n: counts.visited, of: counts.enterprises };
    s.problems = problems(&s);
    s
}

fn one(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |x| format!("{x:.1}"))
}

/// What the monthly bulletin says of the service to enterprises (in 四、重点项目推进情况): a
/// subheading, the problems first (004 八), then the figures. Not public: it names no unit, but
/// the office decides what to publish.
pub fn bulletin_paragraphs(s: &ServiceStats) -> Vec<Paragraph> {
    let p = |text: String, subheading| Paragraph { text, public: false, subheading, names: None };
    let mut v = vec![p("（企业服务情况）".into(), true)];
    if !s.problems.is_empty() {
        v.push(p(format!("存在问题：{}。", s.problems.join("；")), false));
    }
    let kinds: Vec<String> = s.by_kind.iter().map(|c| format!("{}{}件", c.label, c.n)).collect();
    let channels: Vec<String> = s.by_channel.iter().map(|c| format!("{}{}件", c.label, c.n)).collect();
    v.push(p(
        format!(
            "本月受理企业诉求{}件{}{}。1个工作日内联系企业{}，3个工作日内解决{}，疑难诉求30个工作日内解决{}；联系企业平均用时{}个工作日（中位数{}），解决平均用时{}个工作日（中位数{}）。",
            s.demands,
            if kinds.is_empty() { String::new() } else { format!("，其中{}", kinds.join("、")) },
            if channels.is_empty() { String::new() } else { format!("；来源：{}", channels.join("、")) },
            s.contacted_in_1.text(),
            s.solved_in_3.text(),
            s.solved_in_30.text(),
            one(s.to_contact.mean),
            one(s.to_contact.median),
            one(s.to_solve.mean),
            one(s.to_solve.median),
        ),
        false,
    ));
    v.push(p(
        format!(
            "已解决诉求中企业评价{}，满意率{}（满意{}件、基本满意{}件），不满意{}件。重点企业走访覆盖{}，走访和现场办公{}次；项目管家配备问题{}处；前期手续在办{}项，其中逾期{}项。",
            s.rated.text(),
            s.satisfaction_rate.text(),
            s.satisfied,
            s.basic,
            s.unsatisfied,
            s.coverage.text(),
            s.counts.visits,
            s.counts.steward_flags,
            s.counts.procedures_open,
            s.counts.procedures_overdue,
        ),
        false,
    ));
    v
}

/// The problems of the period, worst first.
fn problems(s: &ServiceStats) -> Vec<String> {
    let mut p = Vec::new();
    let late_contact = s.contacted_in_1.of - s.contacted_in_1.n;
    if late_contact > 0 {
        p.push(format!("{late_contact}件企业诉求未在1个工作日内联系企业"));
    }
    let late_solve = (s.solved_in_3.of - s.solved_in_3.n) + (s.solved_in_30.of - s.solved_in_30.n);
    if late_solve > 0 {
        p.push(format!("{late_solve}件企业诉求未在承诺时限（3个工作日，疑难30个工作日）内解决"));
    }
    if s.unsatisfied > 0 {
        p.push(format!("{}件企业诉求企业评价不满意", s.unsatisfied));
    }
    if s.counts.procedures_overdue > 0 {
        p.push(format!("{}项项目前期手续超过承诺时限未办结", s.counts.procedures_overdue));
    }
    if s.counts.steward_flags > 0 {
        p.push(format!("{}处项目管家配备问题（应配未配或职级不符）", s.counts.steward_flags));
    }
    let unvisited = s.counts.enterprises.saturating_sub(s.counts.visited);
    if unvisited > 0 {
        p.push(format!("{unvisited}家重点企业本期未走访"));
    }
    if s.queued > 0 {
        p.push(format!("{}件网上诉求尚待分派", s.queued));
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn fact(received: Date, contacted: Option<Date>, resolved: Option<Date>) -> DemandFact {
        DemandFact {
            kind: DemandKind::Policy,
            channel: Channel::Hotline12345,
            submitted_on: received,
            received_on: Some(received),
            contacted_on: contacted,
            resolved_on: resolved,
            hard: false,
            satisfaction: None,
        }
    }

    #[test]
    fn working_days_skip_the_national_day_holiday() {
        let cal = Calendar::builtin().unwrap();
        // Received on Wednesday 30 September 2026; 1–7 October are off: contacted on the 8th is
        // one working day, solved on Saturday the 10th (a make-up working day) three.
        let mut a = fact(date(2026, 9, 30), Some(date(2026, 10, 8)), Some(date(2026, 10, 10)));
        a.satisfaction = Some(Satisfaction::Satisfied);
        // Received 29 September, contacted the 30th (1), solved 9 October (3: 30th, 8th, 9th).
        let mut b = fact(date(2026, 9, 29), Some(date(2026, 9, 30)), Some(date(2026, 10, 9)));
        b.kind = DemandKind::Finance;
        b.satisfaction = Some(Satisfaction::Unsatisfied);
        // Received the 28th, contacted the 30th (2: late), not solved.
        let mut c = fact(date(2026, 9, 28), Some(date(2026, 9, 30)), None);
        c.channel = Channel::Visit;
        // Queued online demand.
        let mut q = fact(date(2026, 9, 30), None, None);
        q.received_on = None;
        q.channel = Channel::Online;
        // Of another month: not counted.
        let other = fact(date(2026, 8, 3), Some(date(2026, 8, 3)), Some(date(2026, 8, 4)));
        let counts = ServiceCounts {
            enterprises: 10,
            visited: 7,
            procedures_overdue: 2,
            steward_flags: 1,
            ..Default::default()
        };
        let s =
            service_stats(&cal, date(2026, 9, 1), date(2026, 9, 30), date(2026, 10, 20), &[a, b, c, q, other], counts);
        assert_eq!(s.demands, 4);
        assert_eq!(s.queued, 1);
        let pairs = |v: &[Count]| v.iter().map(|c| (c.code, c.n)).collect::<Vec<_>>();
        assert_eq!(pairs(&s.by_kind), vec![("policy", 3), ("finance", 1)]);
        assert_eq!(pairs(&s.by_channel), vec![("visit", 1), ("hotline_12345", 2), ("online", 1)]);
        assert_eq!(s.to_contact, Durations { count: 3, median: Some(1.0), mean: Some(1.3) });
        assert_eq!(s.to_solve.median, Some(3.0));
        assert_eq!(s.contacted_in_1, Share { n: 2, of: 3 });
        assert_eq!(s.solved_in_3, Share { n: 2, of: 3 });
        assert_eq!(s.rated, Share { n: 2, of: 2 });
        assert_eq!((s.satisfied, s.basic, s.unsatisfied), (1, 0, 1));
        assert_eq!(s.satisfaction_rate.percent(), Some(50.0));
        assert_eq!(s.coverage.text(), "7/10（70.0%）");
        assert_eq!(s.problems[0], "1件企业诉求未在1个工作日内联系企业");
        assert!(s.problems.iter().any(|p| p == "2项项目前期手续超过承诺时限未办结"));
        assert!(s.problems.iter().any(|p| p == "3家重点企业本期未走访"));
        // The bulletin's paragraphs: the subheading, the problems first, then the figures.
        let b = bulletin_paragraphs(&s);
        assert!(b[0].subheading && !b[0].public);
        assert!(b[1].text.starts_with("存在问题：1件企业诉求未在1个工作日内联系企业；"), "{}", b[1].text);
        assert!(b[2].text.contains("本月受理企业诉求4件"), "{}", b[2].text);
        assert!(b[3].text.contains("满意率1/2（50.0%）"), "{}", b[3].text);
    }

    #[test]
    fn hard_cases_have_thirty_days_and_empty_periods_say_nothing() {
        let cal = Calendar::builtin().unwrap();
        let mut h = fact(date(2026, 11, 2), Some(date(2026, 11, 2)), Some(date(2026, 11, 20)));
        h.hard = true;
        // Received Monday 2 November, not yet contacted on the 2nd: still in time, left out; the
        // 3rd: one working day, still in time; the 4th: two, late.
        let mut fresh = fact(date(2026, 11, 2), None, None);
        fresh.kind = DemandKind::Other;
        let on = |today| {
            service_stats(
                &cal,
                date(2026, 11, 1),
                date(2026, 11, 30),
                today,
                &[fresh.clone()],
                ServiceCounts::default(),
            )
        };
        assert_eq!(on(date(2026, 11, 3)).contacted_in_1, Share { n: 0, of: 0 });
        assert_eq!(on(date(2026, 11, 4)).contacted_in_1, Share { n: 0, of: 1 });
        assert_eq!(on(date(2026, 11, 5)).solved_in_3, Share { n: 0, of: 0 });
        assert_eq!(on(date(2026, 11, 6)).solved_in_3, Share { n: 0, of: 1 });
        let s = service_stats(
            &cal,
            date(2026, 11, 1),
            date(2026, 11, 30),
            date(2026, 12, 7),
            &[h],
            ServiceCounts::default(),
        );
        assert_eq!(s.solved_in_30, Share { n: 1, of: 1 });
        assert_eq!(s.solved_in_3, Share { n: 0, of: 0 });
        assert_eq!(s.to_contact.median, Some(0.0));
        assert!(s.problems.is_empty());
        let e = service_stats(
            &cal,
            date(2026, 11, 1),
            date(2026, 11, 30),
            date(2026, 12, 7),
            &[],
            ServiceCounts::default(),
        );
        assert_eq!(e.satisfaction_rate.percent(), None);
        assert_eq!(e.to_solve.mean, None);
    }
}
