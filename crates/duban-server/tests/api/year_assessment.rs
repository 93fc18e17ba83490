//! The assessment of the simulated year (issue 13, "done when"): the year of `year.rs` over the
//! 274 tasks of seed 003 is run again, and at one moment mid-year and at its end every unit's
//! score for every quarter the year touches (2022Q1 … 2023Q1) is checked under two scoring
//! profiles (`naiman-quarterly-2024`, `per-event`) against a computation of its own.
//!
//! That computation reads only the trail (`TaskStore::task_events`), the 督办 notices
//! (`SupervisionStore::list_notices`), the tasks' parties and deadlines and the calendar — never
//! the assessment's facts, scoring or store — and follows the definitions in the module docs of
//! `duban_domain::assessment`: who counts (lead units, groups expanded; cooperating units that do
//! not lead), which stages fall due (signing within 3 working days, completion by the deadline or
//! within 5 working days), how a stage stands when the quarter is read (on time, late — open past
//! its due time included —, or not yet due), the overdue working days up to completion or the
//! quarter's end, and the profile's lines (points × weight × amount, averages, rates, caps). The
//! due days it works out are also checked against the time-limit engine's schedule.

use crate::year::{LAST_DAY, RECEIVED, Year, at, wd};
use duban_domain::assessment::profile::LineKind;
use duban_domain::assessment::{Indicator, PartyRole, ScoringProfile, Span};
use duban_domain::calendar::Calendar;
use duban_domain::ids::{TaskId, UnitId};
use duban_domain::policy::ClockEvent;
use duban_domain::task::{Party, Status, Task};
use jiff::Timestamp;
use jiff::civil::{Date, date};
use std::collections::{BTreeMap, HashMap};

/// The moment mid-year the figures are read at (besides the year's end): a Tuesday in 2022Q3,
/// after the day's actions.
const MID: Date = date(2022, 8, 16);

/// The trail events that count as progress and so answer a 督办 notice (the engine's list,
/// restated).
const PROGRESS: [&str; 7] = ["sign", "deploy", "report", "feedback", "approve", "request_extension", "raise_dispute"];

const PROFILES: [&str; 2] = ["naiman-quarterly-2024", "per-event"];

fn tz() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get("Asia/Shanghai").unwrap()
}

fn day_of(t: Timestamp) -> Date {
    t.to_zoned(tz()).date()
}

/// Every quarter the year touches.
fn quarters() -> Vec<Span> {
    let mut out = Vec::new();
    let mut d = RECEIVED;
    while d <= LAST_DAY {
        let q = Span::quarter(d.year(), (d.month() - 1) / 3 + 1).unwrap();
        d = q.to.tomorrow().unwrap();
        out.push(q);
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Due {
    Sign,
    Done,
    Notice,
}

/// Something that falls due for a unit: a stage of a task, or the answer to a notice.
#[derive(Debug, Clone, Copy)]
struct Stage {
    unit: UnitId,
    role: PartyRole,
    what: Due,
    due_day: Date,
    due_at: Timestamp,
    stopped: Option<Timestamp>,
}

/// What happened to the units, read from the events.
#[derive(Default)]
struct Events {
    /// (unit, role, indicator, day): counted as they are.
    counted: Vec<(UnitId, PartyRole, Indicator, Date)>,
    stages: Vec<Stage>,
}

/// The units a list of parties names, groups expanded.
fn units_of(parties: &[Party], groups: &HashMap<i64, Vec<UnitId>>) -> Vec<UnitId> {
    let mut out: Vec<UnitId> = parties
        .iter()
        .flat_map(|p| match p {
            Party::Unit(u) => vec![*u],
            Party::Group(g) => groups.get(&g.0).cloned().unwrap_or_default(),
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Reads the trail, the notices, the parties and the calendar.
async fn read_events(y: &Year) -> Events {
    let store = &y.beneath;
    let cal = y.duban.core().calendar();
    let groups: HashMap<i64, Vec<UnitId>> =
        store.list_groups().await.unwrap().into_iter().map(|g| (g.id.0, g.members)).collect();
    let mut tasks: Vec<Task> = Vec::new();
    for p in &y.plans {
        tasks.push(store.get_task(p.task.id).await.unwrap());
    }
    let by_id: HashMap<TaskId, &Task> = tasks.iter().map(|t| (t.id, t)).collect();
    let mut notices: HashMap<TaskId, Vec<duban_store::Notice>> = HashMap::new();
    for n in store.list_notices().await.unwrap() {
        notices.entry(n.task_id).or_default().push(n);
    }
    let mut out = Events::default();
    for t in &tasks {
        if t.status == Status::Cancelled {
            continue;
        }
        let parent_leads = t
            .fields
            .parent_id
            .and_then(|p| by_id.get(&p))
            .map(|p| units_of(&p.fields.lead, &groups))
            .unwrap_or_default();
        let leads: Vec<UnitId> =
            units_of(&t.fields.lead, &groups).into_iter().filter(|u| !parent_leads.contains(u)).collect();
        let coops: Vec<UnitId> = units_of(&t.fields.cooperating, &groups)
            .into_iter()
            .filter(|u| !parent_leads.contains(u) && !leads.contains(u))
            .collect();
        let roles: Vec<(UnitId, PartyRole)> = leads
            .iter()
            .map(|u| (*u, PartyRole::Lead))
            .chain(coops.iter().map(|u| (*u, PartyRole::Cooperating)))
            .collect();
        let received = day_of(t.fields.received_at);
        for (u, r) in &roles {
            out.counted.push((*u, *r, Indicator::Assigned, received));
        }
        // The trail: when signing and completion stopped, and the returns and extensions.
        let mut signed: Option<Timestamp> = None;
        let mut done: Option<Timestamp> = None;
        let trail = store.task_events(t.id).await.unwrap();
        for e in &trail {
            let counted = match e.kind.as_str() {
                "sign" => {
                    signed = signed.or(Some(e.at));
                    None
                }
                "feedback" => {
                    done = done.or(Some(e.at));
                    None
                }
                "return" => {
                    done = None;
                    Some(Indicator::Returned)
                }
                "request_extension" => Some(Indicator::ExtensionRequested),
                "approve_extension" => Some(Indicator::ExtensionApproved),
                _ => None,
            };
            if let Some(ind) = counted {
                for u in &leads {
                    out.counted.push((*u, PartyRole::Lead, ind, day_of(e.at)));
                }
            }
        }
        // The stages that fall due, from the calendar: signing within 3 working days of
        // receipt, completion by the deadline (as it stands after any extension) or within 5
        // working days; due at the end of the working day (17:30).
        let sign_due = wd(&cal, received, 3);
        let done_due = t.fields.deadline.unwrap_or_else(|| wd(&cal, received, 5));
        // The time-limit engine agrees on the days.
        let schedule = y.duban.core().schedule_of(&t.fields, &t.events);
        let engine: Vec<(ClockEvent, Option<Date>)> = schedule
            .stages
            .iter()
            .filter(|s| matches!(s.stop, ClockEvent::Signed | ClockEvent::Done))
            .map(|s| (s.stop, s.due))
            .collect();
        assert_eq!(engine, [(ClockEvent::Signed, Some(sign_due)), (ClockEvent::Done, Some(done_due))], "task {}", t.id);
        for u in &leads {
            out.stages.push(Stage {
                unit: *u,
                role: PartyRole::Lead,
                what: Due::Sign,
                due_day: sign_due,
                due_at: at(sign_due, 17, 30),
                stopped: signed,
            });
        }
        for (u, r) in &roles {
            out.stages.push(Stage {
                unit: *u,
                role: *r,
                what: Due::Done,
                due_day: done_due,
                due_at: at(done_due, 17, 30),
                stopped: done,
            });
        }
        // 督办 notices: received on the day issued, a second round, and the answer due by the
        // end of its answer-by day — answered by the first progress on the task after the
        // notice (unless an answer is recorded on it).
        for n in notices.get(&t.id).map(Vec::as_slice).unwrap_or_default() {
            let to = if n.recipients.is_empty() { &leads } else { &n.recipients };
            for u in to {
                let role = if leads.contains(u) { PartyRole::Lead } else { PartyRole::Cooperating };
                let issued = day_of(n.issued_at);
                out.counted.push((*u, role, Indicator::NoticeReceived, issued));
                if n.round >= 2 {
                    out.counted.push((*u, role, Indicator::NoticeSecond, issued));
                }
                out.stages.push(Stage {
                    unit: *u,
                    role,
                    what: Due::Notice,
                    due_day: n.answer_by,
                    due_at: at(n.answer_by, 17, 30),
                    stopped: n.answered_at.or_else(|| {
                        trail.iter().find(|e| e.at > n.issued_at && PROGRESS.contains(&e.kind.as_str())).map(|e| e.at)
                    }),
                });
            }
        }
    }
    out
}

/// (count, amount in hundredths) per unit, role and indicator.
type Tallies = BTreeMap<(UnitId, PartyRole, Indicator), (i64, i64)>;

/// Working days after `a` up to and including `b`, counted day by day.
fn workdays_after(cal: &Calendar, a: Date, b: Date) -> i64 {
    let mut n = 0;
    let mut d = a;
    while d < b {
        d = d.tomorrow().unwrap();
        if cal.is_workday(d).unwrap().value {
            n += 1;
        }
    }
    n
}

/// The indicators of every unit in `span`, read at `as_of`.
fn tallies(ev: &Events, cal: &Calendar, span: &Span, as_of: Timestamp) -> Tallies {
    let as_of_day = day_of(as_of);
    let mut m = Tallies::new();
    let mut add = |u: UnitId, r: PartyRole, i: Indicator, amount: i64| {
        let e = m.entry((u, r, i)).or_default();
        e.0 += 1;
        e.1 += amount;
    };
    for (u, r, i, d) in &ev.counted {
        if span.contains(*d) {
            add(*u, *r, *i, 100);
        }
    }
    for s in &ev.stages {
        if !span.contains(s.due_day) {
            continue;
        }
        let on_time = s.stopped.is_some_and(|t| t <= s.due_at);
        let late = !on_time && s.due_at < as_of;
        let ind = match (s.what, on_time, late) {
            (_, false, false) => continue,
            (Due::Sign, true, _) => Indicator::SignOnTime,
            (Due::Sign, ..) => Indicator::SignLate,
            (Due::Done, true, _) => Indicator::DoneOnTime,
            (Due::Done, ..) => Indicator::DoneLate,
            (Due::Notice, true, _) => Indicator::NoticeAnsweredOnTime,
            (Due::Notice, ..) => Indicator::NoticeAnsweredLate,
        };
        add(s.unit, s.role, ind, 100);
        if ind == Indicator::DoneLate && s.due_day <= as_of_day {
            // Up to completion or the period's end (today, in the current one); at least one.
            let last = as_of_day.min(span.to);
            let end = s.stopped.map_or(last, |t| day_of(t).min(last));
            let days = workdays_after(cal, s.due_day, end).max(1);
            add(s.unit, s.role, Indicator::OverdueWorkdays, days * 100);
        }
    }
    m
}

/// `n / d` rounded half away from zero.
fn div_round(n: i64, d: i64) -> i64 {
    let q = n / d;
    let r = n % d;
    if 2 * r.abs() >= d.abs() { q + if (n < 0) == (d < 0) { 1 } else { -1 } } else { q }
}

/// A unit's total (hundredths) under a profile, from its tallies.
fn score(p: &ScoringProfile, unit: UnitId, t: &Tallies) -> i64 {
    let sum = |ind: Indicator, role: Option<PartyRole>| {
        t.iter()
            .filter(|((u, r, i), _)| *u == unit && *i == ind && role.is_none_or(|x| x == *r))
            .fold((0, 0), |(c, a), (_, (c2, a2))| (c + c2, a + a2))
    };
    let mut total = p.base.0;
    for l in &p.lines {
        // The value of one occurrence: points × weight (a weight of 1 is 100 hundredths).
        let one = div_round(l.points.0 * l.weight.0, 100);
        let (count, amount) = sum(l.indicator, l.role);
        let raw = match l.kind {
            LineKind::Each => div_round(one * amount, 100),
            LineKind::Average if count == 0 => 0,
            LineKind::Average => div_round(one * amount, count * 100),
            LineKind::Rate => {
                let den = count + l.against.iter().map(|a| sum(*a, l.role).0).sum::<i64>();
                if den == 0 { one } else { div_round(one * count, den) }
            }
        };
        total += match l.cap {
            Some(c) => raw.clamp(-c.0, c.0),
            None => raw,
        };
    }
    total
}

/// Checks every quarter under both profiles at the clock's instant.
async fn check(y: &Year, now: Timestamp) {
    y.clock.set(now);
    let ev = read_events(y).await;
    let cal = y.duban.core().calendar();
    let assessment = y.duban.assessment();
    let mut checked = (0, 0);
    for span in quarters() {
        // Read at the earlier of now and the quarter's end.
        let end = span.to.tomorrow().unwrap().to_zoned(tz()).unwrap().timestamp();
        let as_of = now.min(end);
        assert_eq!(assessment.as_of(&span), as_of);
        let want = tallies(&ev, &cal, &span, as_of);
        assessment.refresh().await.unwrap();
        let got: Tallies = assessment
            .tallies(&span, as_of)
            .await
            .unwrap()
            .into_iter()
            .filter(|t| t.count != 0 || t.amount != 0)
            .map(|t| ((t.unit, t.role, t.indicator), (t.count, t.amount)))
            .collect();
        for (k, v) in want.iter().chain(got.iter()) {
            assert_eq!(
                want.get(k),
                got.get(k),
                "{span} at {now}: unit {} {:?} {}: expected vs engine ({v:?})",
                k.0,
                k.1,
                k.2
            );
        }
        for name in PROFILES {
            let p = ScoringProfile::builtin(name).unwrap();
            let ranking = assessment.ranking(&p, span).await.unwrap();
            for (u, ..) in want.keys() {
                assert!(ranking.row(*u).is_some(), "{span}: unit {u} has figures but is not ranked");
            }
            for row in &ranking.rows {
                let mine = score(&p, row.unit, &want);
                assert_eq!(
                    row.total.0,
                    mine,
                    "{name} {span} at {now}: {} ({}) ranked {} but the events give {}",
                    row.name,
                    row.unit,
                    row.total,
                    duban_domain::assessment::Points(mine)
                );
                checked.0 += 1;
            }
        }
        checked.1 += want.len();
    }
    eprintln!("assessment at {now}: {} unit scores and {} tallies agree", checked.0, checked.1);
}

#[tokio::test]
async fn every_units_quarterly_scores_in_the_year_follow_from_the_events() {
    let started = std::time::Instant::now();
    let mut year = Year::begin().await;
    let mut day = RECEIVED;
    while day <= LAST_DAY {
        year.day(day).await;
        if day == MID {
            check(&year, at(day, 12, 0)).await;
        }
        day = day.tomorrow().unwrap();
    }
    check(&year, at(LAST_DAY, 12, 0)).await;
    // Something to score: late and on-time work in every role the scripts produce.
    let ev = read_events(&year).await;
    let cal = year.duban.core().calendar();
    let whole = Span::range(RECEIVED, LAST_DAY).unwrap();
    let t = tallies(&ev, &cal, &whole, at(LAST_DAY, 12, 0));
    for ind in [
        Indicator::SignOnTime,
        Indicator::SignLate,
        Indicator::DoneOnTime,
        Indicator::DoneLate,
        Indicator::OverdueWorkdays,
        Indicator::NoticeReceived,
        Indicator::NoticeSecond,
        Indicator::NoticeAnsweredOnTime,
        Indicator::NoticeAnsweredLate,
        Indicator::ExtensionRequested,
        Indicator::ExtensionApproved,
    ] {
        assert!(t.keys().any(|k| k.2 == ind), "the year has no {ind}");
    }
    eprintln!("year assessment test: {:.1} s", started.elapsed().as_secs_f64());
}
