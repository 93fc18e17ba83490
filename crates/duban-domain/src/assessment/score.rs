//! Applies a scoring profile: [`rank`] over tallies (per unit, role and indicator) ranks units by
//! category; [`explain`] over one unit's facts gives its score line by line. Both compute each
//! line the same way — the value of one occurrence (points × weight), times the amount, capped —
//! so a unit's explained lines add up to its ranked total to the hundredth.

use super::indicator::{Indicator, PartyRole};
use super::points::Points;
use super::profile::{Line, LineKind, ScoringProfile};
use super::span::Span;
use crate::ids::{TaskId, UnitId};
use crate::org::UnitKind;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A unit as ranking sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitInfo {
    pub id: UnitId,
    pub name: String,
    pub kind: UnitKind,
}

/// What was counted for a unit in one role under one indicator in a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub unit: UnitId,
    pub role: PartyRole,
    pub indicator: Indicator,
    /// Occurrences.
    pub count: i64,
    /// Their amount in hundredths: 100 per occurrence, 100 per working day overdue, or the points
    /// of an evaluation.
    pub amount: i64,
    /// Of those, excused by the office (容错).
    pub excused_count: i64,
    pub excused_amount: i64,
}

/// One line's part of a unit's score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartScore {
    pub line: String,
    pub label: String,
    pub clause: String,
    /// Occurrences that counted (after tolerance).
    pub count: i64,
    /// What the line multiplies: the amount (hundredths) for `each`, the mean for `average`, the
    /// share in per cent (hundredths) for `rate`.
    pub basis: i64,
    pub points: Points,
    /// The cap cut it.
    pub capped: bool,
}

/// A unit's place in a ranking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitScore {
    pub unit: UnitId,
    pub name: String,
    pub category: String,
    pub total: Points,
    pub parts: Vec<PartScore>,
    /// Within its category: 1 is first; equal totals share a rank.
    pub rank: u32,
    /// Public namings in the year, and whether that leaves it eligible for the top list.
    pub namings: u32,
    pub eligible: bool,
    /// On the top list (先进 / 示范点).
    pub top: bool,
}

/// A ranking of every unit for a period under a profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ranking {
    pub profile: String,
    pub title: String,
    pub span: Span,
    /// In the profile's order.
    pub categories: Vec<String>,
    /// By category, then rank, then name.
    pub rows: Vec<UnitScore>,
}

impl Ranking {
    pub fn row(&self, unit: UnitId) -> Option<&UnitScore> {
        self.rows.iter().find(|r| r.unit == unit)
    }
}

fn matches(line: &Line, role: PartyRole) -> bool {
    line.role.is_none_or(|r| r == role)
}

/// The value of one whole occurrence under a line.
fn each_value(line: &Line) -> Points {
    line.points.percent(line.weight.0)
}

fn capped(line: &Line, raw: Points) -> (Points, bool) {
    match line.cap {
        Some(cap) if raw > cap => (cap, true),
        Some(cap) if raw < -cap => (-cap, true),
        _ => (raw, false),
    }
}

/// Sums of counts and amounts, after tolerance.
#[derive(Debug, Clone, Copy, Default)]
struct Sum {
    count: i64,
    amount: i64,
}

fn sum(profile: &ScoringProfile, tallies: &[&Tally], line: &Line, ind: Indicator) -> Sum {
    tallies.iter().filter(|t| t.indicator == ind && matches(line, t.role)).fold(Sum::default(), |s, t| {
        let (c, a) = if profile.tolerance {
            (t.count - t.excused_count, t.amount - t.excused_amount)
        } else {
            (t.count, t.amount)
        };
        Sum { count: s.count + c, amount: s.amount + a }
    })
}

/// One line over a unit's tallies.
fn part(profile: &ScoringProfile, line: &Line, tallies: &[&Tally]) -> PartScore {
    let s = sum(profile, tallies, line, line.indicator);
    let value = each_value(line);
    let (count, basis, raw) = match line.kind {
        LineKind::Each => (s.count, s.amount, value.ratio(s.amount, 100)),
        LineKind::Average => {
            let mean = Points(s.amount).ratio(1, s.count.max(1));
            (s.count, mean.0, if s.count == 0 { Points::ZERO } else { value.ratio(s.amount, s.count * 100) })
        }
        LineKind::Rate => {
            let den = s.count + line.against.iter().map(|a| sum(profile, tallies, line, *a).count).sum::<i64>();
            if den == 0 {
                (0, 10_000, value)
            } else {
                (den, Points(10_000).ratio(s.count, den).0, value.ratio(s.count, den))
            }
        }
    };
    let (points, was_capped) = capped(line, raw);
    PartScore {
        line: line.id.clone(),
        label: ScoringProfile::line_label(line),
        clause: line.clause.clone(),
        count,
        basis,
        points,
        capped: was_capped,
    }
}

/// Ranks `units` for `span` from their tallies; `namings` are each unit's public namings in the
/// year (for disqualification).
pub fn rank(
    profile: &ScoringProfile,
    span: Span,
    units: &[UnitInfo],
    tallies: &[Tally],
    namings: &HashMap<UnitId, u32>,
) -> Ranking {
    let mut by_unit: HashMap<UnitId, Vec<&Tally>> = HashMap::new();
    for t in tallies {
        by_unit.entry(t.unit).or_default().push(t);
    }
    let mut categories: Vec<String> = profile.categories.iter().map(|c| c.name.clone()).collect();
    if categories.is_empty() {
        categories.push("全部".into());
    }
    let mut rows: Vec<UnitScore> = units
        .iter()
        .map(|u| {
            let ts = by_unit.get(&u.id).map(Vec::as_slice).unwrap_or_default();
            let parts: Vec<PartScore> = profile.lines.iter().map(|l| part(profile, l, ts)).collect();
            let total = profile.base + parts.iter().map(|p| p.points).sum::<Points>();
            let n = namings.get(&u.id).copied().unwrap_or(0);
            UnitScore {
                unit: u.id,
                name: u.name.clone(),
                category: profile.category_of(u.kind).to_string(),
                total,
                parts,
                rank: 0,
                namings: n,
                eligible: profile.disqualify_namings == 0 || n < profile.disqualify_namings,
                top: false,
            }
        })
        .collect();
    let order = |c: &str| categories.iter().position(|x| x == c).unwrap_or(usize::MAX);
    rows.sort_by(|a, b| {
        order(&a.category).cmp(&order(&b.category)).then(b.total.cmp(&a.total)).then(a.name.cmp(&b.name))
    });
    let mut i = 0;
    while i < rows.len() {
        let cat = rows[i].category.clone();
        let mut pos = 0u32;
        let mut prev: Option<(Points, u32)> = None;
        while i < rows.len() && rows[i].category == cat {
            pos += 1;
            let r = match prev {
                Some((t, r)) if t == rows[i].total => r,
                _ => pos,
            };
            rows[i].rank = r;
            prev = Some((rows[i].total, r));
            i += 1;
        }
    }
    let mut chosen: Vec<usize> = Vec::new();
    if profile.top_per_category {
        for c in &categories {
            chosen.extend(
                rows.iter()
                    .enumerate()
                    .filter(|(_, r)| &r.category == c && r.eligible)
                    .take(profile.top as usize)
                    .map(|(k, _)| k),
            );
        }
    } else {
        let mut all: Vec<usize> = (0..rows.len()).filter(|&k| rows[k].eligible).collect();
        all.sort_by(|&a, &b| rows[b].total.cmp(&rows[a].total).then(rows[a].name.cmp(&rows[b].name)));
        chosen.extend(all.into_iter().take(profile.top as usize));
    }
    for k in chosen {
        rows[k].top = true;
    }
    Ranking { profile: profile.name.clone(), title: profile.title.clone(), span, categories, rows }
}

/// One of a unit's facts, resolved for explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactLine {
    pub key: String,
    pub task: Option<TaskId>,
    pub day: Date,
    pub indicator: Indicator,
    pub role: PartyRole,
    /// Hundredths: 100 per occurrence, 100 per overdue working day, an evaluation's points.
    pub amount: i64,
    pub excused: bool,
}

/// One line of an explained score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explained {
    /// The fact, for a per-occurrence line; `None` for an average or a rate.
    pub fact: Option<String>,
    pub task: Option<TaskId>,
    pub day: Option<Date>,
    pub indicator: Indicator,
    pub role: Option<PartyRole>,
    pub line: String,
    pub label: String,
    pub clause: String,
    pub points: Points,
    /// 容错, 已达上限, or the rate or mean a summary line stands for.
    pub note: String,
}

/// A unit's score, line by line: every fact under each per-occurrence line (in day order, the
/// cap reached on the way), and one line for each average and rate. `base` plus the points of
/// the lines is the unit's total in [`rank`] over the same facts.
pub fn explain(profile: &ScoringProfile, facts: &[FactLine]) -> Vec<Explained> {
    let mut sorted: Vec<&FactLine> = facts.iter().collect();
    sorted.sort_by(|a, b| a.day.cmp(&b.day).then(a.key.cmp(&b.key)));
    let mut out = Vec::new();
    for line in &profile.lines {
        let label = ScoringProfile::line_label(line);
        match line.kind {
            LineKind::Each => {
                let value = each_value(line);
                let mut running = Points::ZERO;
                for f in sorted.iter().filter(|f| f.indicator == line.indicator && matches(line, f.role)) {
                    let (points, note) = if f.excused && profile.tolerance {
                        (Points::ZERO, "容错，不计分".to_string())
                    } else {
                        let raw = value.ratio(f.amount, 100);
                        let (after, cut) = capped(line, running + raw);
                        let p = Points(after.0 - running.0);
                        running = after;
                        (p, if cut { "已达该项上限".into() } else { String::new() })
                    };
                    out.push(Explained {
                        fact: Some(f.key.clone()),
                        task: f.task,
                        day: Some(f.day),
                        indicator: f.indicator,
                        role: Some(f.role),
                        line: line.id.clone(),
                        label: label.clone(),
                        clause: line.clause.clone(),
                        points,
                        note,
                    });
                }
            }
            LineKind::Average | LineKind::Rate => {
                let tallies = tallies_of(facts);
                let refs: Vec<&Tally> = tallies.iter().collect();
                let p = part(profile, line, &refs);
                let note = match line.kind {
                    LineKind::Rate if p.count == 0 => "无应计事项，按满分计".to_string(),
                    LineKind::Rate => format!("{}%（{} 项）", Points(p.basis), p.count),
                    _ if p.count == 0 => "无".to_string(),
                    _ => format!("平均 {}（{} 次）", Points(p.basis), p.count),
                };
                out.push(Explained {
                    fact: None,
                    task: None,
                    day: None,
                    indicator: line.indicator,
                    role: line.role,
                    line: line.id.clone(),
                    label,
                    clause: line.clause.clone(),
                    points: p.points,
                    note: if p.capped { format!("{note}，已达该项上限") } else { note },
                });
            }
        }
    }
    out
}

/// The tallies of a list of facts (what the store's aggregate returns for the same facts).
pub fn tallies_of(facts: &[FactLine]) -> Vec<Tally> {
    let mut m: HashMap<(UnitId, PartyRole, Indicator), Tally> = HashMap::new();
    for f in facts {
        let t = m.entry((UnitId(0), f.role, f.indicator)).or_insert(Tally {
            unit: UnitId(0),
            role: f.role,
            indicator: f.indicator,
            count: 0,
            amount: 0,
            excused_count: 0,
            excused_amount: 0,
        });
        t.count += 1;
        t.amount += f.amount;
        if f.excused {
            t.excused_count += 1;
            t.excused_amount += f.amount;
        }
    }
    m.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn fact(k: &str, day: Date, ind: Indicator, role: PartyRole, amount: i64, excused: bool) -> FactLine {
        FactLine { key: k.into(), task: Some(TaskId(1)), day, indicator: ind, role, amount, excused }
    }

    #[test]
    fn explained_lines_add_up_to_the_ranked_total_under_every_builtin_profile() {
        use Indicator as I;
        use PartyRole as R;
        let mut facts = Vec::new();
        for k in 0..30 {
            let d = date(2026, 7, 1 + (k % 28) as i8);
            facts.push(fact(&format!("a{k}"), d, I::DoneOnTime, R::Lead, 100, false));
            if k % 3 == 0 {
                facts.push(fact(
                    &format!("b{k}"),
                    d,
                    I::DoneLate,
                    if k % 2 == 0 { R::Lead } else { R::Cooperating },
                    100,
                    k == 9,
                ));
                facts.push(fact(&format!("c{k}"), d, I::OverdueWorkdays, R::Lead, 100 * (k as i64 % 7 + 1), false));
            }
            if k % 4 == 0 {
                facts.push(fact(&format!("d{k}"), d, I::Returned, R::Lead, 100, false));
                facts.push(fact(&format!("e{k}"), d, I::LeaderEvaluation, R::Unit, 750 + k as i64, false));
                facts.push(fact(&format!("f{k}"), d, I::SignLate, R::Lead, 100, false));
            }
            if k % 5 == 0 {
                facts.push(fact(&format!("g{k}"), d, I::NoticeSecond, R::Lead, 100, false));
                facts.push(fact(&format!("h{k}"), d, I::NoticeAnsweredLate, R::Cooperating, 100, false));
                facts.push(fact(&format!("i{k}"), d, I::DocumentError, R::Unit, 100, false));
            }
        }
        let span = Span::parse("2026Q3").unwrap();
        for (name, _) in super::super::BUILTIN_SCORING {
            let p = ScoringProfile::builtin(name).unwrap();
            let tallies: Vec<Tally> = tallies_of(&facts).into_iter().map(|t| Tally { unit: UnitId(7), ..t }).collect();
            let units = [UnitInfo { id: UnitId(7), name: "甲局".into(), kind: UnitKind::Department }];
            let r = rank(&p, span, &units, &tallies, &HashMap::new());
            let lines = explain(&p, &facts);
            let sum = p.base + lines.iter().map(|l| l.points).sum::<Points>();
            assert_eq!(sum, r.rows[0].total, "{name}");
            let by_parts = p.base + r.rows[0].parts.iter().map(|x| x.points).sum::<Points>();
            assert_eq!(by_parts, r.rows[0].total);
        }
    }

    #[test]
    fn caps_tolerance_rates_and_disqualification() {
        let p = ScoringProfile::parse(
            r#"
name = "t"
period = "quarter"
base = 100
top = 1
tolerance = true
disqualify_namings = 2
[[categories]]
name = "部门"
kinds = ["department"]
[[categories]]
name = "乡镇"
kinds = ["township"]
[[lines]]
id = "late"
indicator = "done_late"
points = -5
cap = 12
[[lines]]
id = "rate"
indicator = "done_on_time"
against = ["done_late"]
kind = "rate"
points = 10
weight = 2
"#,
        )
        .unwrap();
        let t = |u: i64, ind: Indicator, count: i64, excused: i64| Tally {
            unit: UnitId(u),
            role: PartyRole::Lead,
            indicator: ind,
            count,
            amount: count * 100,
            excused_count: excused,
            excused_amount: excused * 100,
        };
        let tallies = vec![
            t(1, Indicator::DoneLate, 4, 1),
            t(1, Indicator::DoneOnTime, 6, 0),
            t(2, Indicator::DoneOnTime, 1, 0),
            t(3, Indicator::DoneLate, 1, 0),
        ];
        let units = [
            UnitInfo { id: UnitId(1), name: "甲局".into(), kind: UnitKind::Department },
            UnitInfo { id: UnitId(2), name: "乙局".into(), kind: UnitKind::Department },
            UnitInfo { id: UnitId(3), name: "丙镇".into(), kind: UnitKind::Township },
            UnitInfo { id: UnitId(4), name: "丁镇".into(), kind: UnitKind::Township },
        ];
        let namings = HashMap::from([(UnitId(2), 2)]);
        let r = rank(&p, Span::parse("2026Q3").unwrap(), &units, &tallies, &namings);
        let row = |u: i64| r.row(UnitId(u)).unwrap();
        // 3 late counted (one excused), −15 capped at −12; rate 6/9 of 20 = 13.33.
        assert_eq!(row(1).total, Points::whole(100 - 12) + Points(1333));
        assert!(row(1).parts[0].capped);
        // 乙局 is first of 部门 but named twice: not eligible; nobody else in 部门 is on top
        // (top = 1 over all categories): 丁镇 with nothing due scores 100 + 20.
        assert_eq!(row(2).total, Points::whole(120));
        assert!(!row(2).eligible && !row(2).top);
        assert_eq!(row(4).total, Points::whole(120));
        assert!(row(4).top);
        assert_eq!((row(2).rank, row(1).rank), (1, 2));
        assert_eq!((row(4).rank, row(3).rank), (1, 2));
        assert_eq!(row(3).total, Points::whole(100 - 5));
        assert_eq!(r.rows.iter().map(|x| x.category.as_str()).collect::<Vec<_>>(), ["部门", "部门", "乡镇", "乡镇"]);
    }

    #[test]
    fn a_missed_liaison_visit_moves_the_default_ranking() {
        let p = ScoringProfile::builtin(super::super::profile::DEFAULT_SCORING).unwrap();
        let line = p.lines.iter().find(|l| l.indicator == Indicator::VisitOnTime).expect("a visit line");
        assert_eq!(line.against, vec![Indicator::VisitLate]);
        let t = |u: i64, ind: Indicator, count: i64| Tally {
            unit: UnitId(u),
            role: PartyRole::Lead,
            indicator: ind,
            count,
            amount: count * 100,
            excused_count: 0,
            excused_amount: 0,
        };
        let units = [
            UnitInfo { id: UnitId(1), name: "甲镇".into(), kind: UnitKind::Township },
            UnitInfo { id: UnitId(2), name: "乙镇".into(), kind: UnitKind::Township },
        ];
        let span = Span::parse("2026Q4").unwrap();
        let all_visited = [t(1, Indicator::VisitOnTime, 2), t(2, Indicator::VisitOnTime, 2)];
        let r = rank(&p, span, &units, &all_visited, &HashMap::new());
        assert_eq!(r.row(UnitId(1)).unwrap().total, r.row(UnitId(2)).unwrap().total);
        // 乙镇 misses one of its two visits: half the line's 5 points, and it falls behind.
        let one_missed =
            [t(1, Indicator::VisitOnTime, 2), t(2, Indicator::VisitOnTime, 1), t(2, Indicator::VisitLate, 1)];
        let r2 = rank(&p, span, &units, &one_missed, &HashMap::new());
        let (a, b) = (r2.row(UnitId(1)).unwrap(), r2.row(UnitId(2)).unwrap());
        assert_eq!(a.total.0 - b.total.0, 250);
        assert!(a.rank < b.rank);
    }
}
