//! Applies a policy and the calendar to one task: the due date of each stage, and its light at
//! a given instant.
//!
//! Counting follows the civil-law rule that the day a period starts is not counted (民法典
//! 第二百零一条): a task received on a working day before the end of the working day (17:30 by
//! default) starts its clock that day, and "within 3 working days" means by the end of the third
//! working day after it. A task received later, or on a day off, starts from the next working
//! day, as if it had arrived that morning.

use crate::calendar::{Calendar, CalendarError, add_days, add_months};
use crate::facts::{ClockEvent, TaskFacts};
use crate::policy::{Limit, Policy, Rule};
use crate::task::Light;
use jiff::civil::Date;
use jiff::{Timestamp, tz::TimeZone};
use serde::Serialize;
use std::collections::BTreeMap;

/// Where a stage stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum StageState {
    /// The event that starts its clock has not happened.
    Waiting,
    Open,
    /// Stopped on or before its due time.
    Met,
    /// Stopped after its due time.
    Late,
}

/// One stage of one task, with its due date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Stage {
    pub stage: String,
    pub name: String,
    pub rule_id: String,
    pub start: ClockEvent,
    pub stop: ClockEvent,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub duration: Limit,
    pub clause: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub started_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub stopped_at: Option<Timestamp>,
    /// The working day from which the clock counts.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub counts_from: Option<Date>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub due: Option<Date>,
    /// The end of the working day on the due date.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub due_at: Option<Timestamp>,
    /// The first day the stage shows yellow.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub warn_from: Option<Date>,
    /// True when the due date relied on a year without holiday data.
    pub provisional: bool,
    /// Why no due date could be computed (a year without holiday data), in Chinese.
    pub problem: Option<String>,
}

impl Stage {
    /// The stage's state and, when open, its light at `now`.
    pub fn state_at(&self, now: Timestamp, tz: &TimeZone) -> (StageState, Option<Light>) {
        let Some(due_at) = self.due_at else {
            return (StageState::Waiting, None);
        };
        if let Some(stopped) = self.stopped_at {
            return if stopped <= due_at { (StageState::Met, None) } else { (StageState::Late, None) };
        }
        (StageState::Open, Some(light_at(now, due_at, self.warn_at(tz))))
    }

    /// The instant the stage turns yellow: the start of its first warning day.
    pub fn warn_at(&self, tz: &TimeZone) -> Option<Timestamp> {
        self.warn_from.and_then(|d| start_of_day(d, tz))
    }
}

/// The light at `now` of something due at `due_at` that warns from `warn_at`.
pub fn light_at(now: Timestamp, due_at: Timestamp, warn_at: Option<Timestamp>) -> Light {
    if now > due_at {
        Light::Red
    } else if warn_at.is_some_and(|w| now >= w) {
        Light::Yellow
    } else {
        Light::Green
    }
}

fn start_of_day(d: Date, tz: &TimeZone) -> Option<Timestamp> {
    d.to_zoned(tz.clone()).ok().map(|z| z.timestamp())
}

/// A task's stages, and the two instants that decide its overall light.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Schedule {
    pub stages: Vec<Stage>,
    /// The earliest due time among open stages: past it the task is red.
    pub due_at: Option<Timestamp>,
    /// The earliest warning time among open stages: past it the task is at least yellow.
    pub warn_at: Option<Timestamp>,
}

impl Schedule {
    /// The task's light at `now`: the worst light of its open stages; `None` when nothing is
    /// open.
    pub fn light_at(&self, now: Timestamp) -> Option<Light> {
        self.due_at.map(|due| light_at(now, due, self.warn_at))
    }

    /// The deadline in force: the task's own (`own`), or else the due date of the stage that
    /// stops when the task is done.
    pub fn deadline(&self, own: Option<Date>) -> Option<Date> {
        own.or_else(|| self.stages.iter().find(|s| s.stop == ClockEvent::Done).and_then(|s| s.due))
    }

    /// 逾期天数: how many working days the open stage due first is past its due date at `now`
    /// (`None` when nothing open is overdue). Counted on the working-day calendar, as the time
    /// limits of 002 三(一) are: the working days after the due date up to and including today,
    /// and at least 1 once the due time (the end of the due date's working day) has passed. A
    /// stage due on a calendar-day rule is late by the same working days: once a period ends the
    /// days that count against a unit are those it could have worked. `None` too where the
    /// calendar cannot count (a year without holiday data and no weekends-only fallback).
    pub fn overdue_workdays(&self, now: Timestamp, tz: &TimeZone, calendar: &Calendar) -> Option<i32> {
        let stage = self.most_urgent_open()?;
        let (due_at, due) = (stage.due_at?, stage.due?);
        if now <= due_at {
            return None;
        }
        let today = now.to_zoned(tz.clone()).date();
        calendar.workdays_between(due, today).ok().map(|r| r.value.max(1))
    }

    /// The open stage due first, if any stage has a due time.
    pub fn most_urgent_open(&self) -> Option<&Stage> {
        self.stages.iter().filter(|s| s.stopped_at.is_none() && s.due_at.is_some()).min_by_key(|s| s.due_at)
    }
}

/// The working day from which a clock started at `at` counts.
pub fn counts_from(at: Timestamp, policy: &Policy, calendar: &Calendar) -> Result<(Date, bool), CalendarError> {
    let local = at.to_zoned(policy.timezone());
    let day = local.date();
    let workday = calendar.is_workday(day)?;
    if workday.value && local.time() <= policy.settings.end_of_day {
        Ok((day, workday.provisional))
    } else {
        let next = calendar.add_workdays(day, 1)?;
        Ok((next.value, workday.provisional || next.provisional))
    }
}

/// The due date of a rule whose clock counts from `from`.
pub fn due_date(
    rule: &Rule,
    from: Date,
    deadline: Option<Date>,
    policy: &Policy,
    calendar: &Calendar,
) -> Result<Option<(Date, bool)>, CalendarError> {
    let roll = |d: Date| -> Result<(Date, bool), CalendarError> {
        if policy.settings.roll_to_workday {
            let r = calendar.add_workdays(d, 0)?;
            Ok((r.value, r.provisional))
        } else {
            Ok((d, false))
        }
    };
    let n = |v: u32| i32::try_from(v).map_err(|_| CalendarError::TooFar);
    Ok(Some(match rule.duration {
        Limit::WorkingDays(k) => {
            let r = calendar.add_workdays(from, n(k)?)?;
            (r.value, r.provisional)
        }
        Limit::SameDay => (from, false),
        Limit::CalendarDays(k) => roll(add_days(from, n(k)?)?)?,
        Limit::Months(k) => roll(add_months(from, n(k)?)?)?,
        Limit::Deadline => match deadline {
            Some(d) => (d, false),
            None => return Ok(None),
        },
    }))
}

/// Computes a task's stages from the policy, the calendar, the task's facts and the instants
/// of the clock events that have happened. A stage whose due date cannot be computed (its days
/// fall in a year without holiday data) carries the reason in `problem` and no due date; the
/// other stages are unaffected.
pub fn schedule(
    policy: &Policy,
    calendar: &Calendar,
    facts: &TaskFacts,
    events: &BTreeMap<ClockEvent, Timestamp>,
) -> Schedule {
    let tz = policy.timezone();
    let mut stages = Vec::new();
    for rule in policy.applicable(facts) {
        let started_at = events.get(&rule.start).copied();
        let mut stage = Stage {
            stage: rule.stage.clone(),
            name: rule.name.clone(),
            rule_id: rule.id.clone(),
            start: rule.start,
            stop: rule.stop,
            duration: rule.duration,
            clause: rule.clause.clone(),
            started_at,
            stopped_at: events.get(&rule.stop).copied(),
            counts_from: None,
            due: None,
            due_at: None,
            warn_from: None,
            provisional: false,
            problem: None,
        };
        if let Some(at) = started_at
            && let Err(e) = time_stage(&mut stage, rule, at, facts, policy, calendar, &tz)
        {
            stage.problem = Some(e.to_string());
        }
        stages.push(stage);
    }
    let open = || stages.iter().filter(|s| s.stopped_at.is_none() && s.due_at.is_some());
    let due_at = open().filter_map(|s| s.due_at).min();
    let warn_at = open().filter_map(|s| s.warn_at(&tz)).min();
    Schedule { stages, due_at, warn_at }
}

fn time_stage(
    stage: &mut Stage,
    rule: &Rule,
    at: Timestamp,
    facts: &TaskFacts,
    policy: &Policy,
    calendar: &Calendar,
    tz: &TimeZone,
) -> Result<(), CalendarError> {
    let (from, p1) = counts_from(at, policy, calendar)?;
    stage.counts_from = Some(from);
    if let Some((due, p2)) = due_date(rule, from, facts.deadline, policy, calendar)? {
        stage.due = Some(due);
        stage.due_at = due.to_datetime(policy.settings.end_of_day).to_zoned(tz.clone()).ok().map(|z| z.timestamp());
        stage.provisional = p1 || p2;
        // A deadline set by people is known even when its year's holidays are not; only the
        // warning, counted in working days, then cannot be placed.
        let within = rule.yellow_within.unwrap_or(policy.settings.yellow_within);
        let warn = calendar.warning_start(due, within)?;
        stage.warn_from = Some(warn.value);
        stage.provisional |= warn.provisional;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::{Complexity, Priority, Source};
    use jiff::civil::date;

    fn facts(source: Source, complexity: Complexity, deadline: Option<Date>) -> TaskFacts {
        TaskFacts { source, priority: Priority::Routine, complexity, deadline }
    }

    fn at(s: &str) -> Timestamp {
        crate::task::parse_instant("t", s, &TimeZone::get("Asia/Shanghai").unwrap()).unwrap()
    }

    fn dues(profile: &str, f: TaskFacts, received: &str) -> Vec<(String, Date)> {
        let p = Policy::builtin(profile).unwrap();
        let c = Calendar::builtin().unwrap();
        let events = BTreeMap::from([(ClockEvent::Received, at(received))]);
        schedule(&p, &c, &f, &events).stages.into_iter().filter_map(|s| s.due.map(|d| (s.stage, d))).collect()
    }

    fn due(list: &[(String, Date)], stage: &str) -> Date {
        list.iter().find(|(s, _)| s == stage).map(|(_, d)| *d).unwrap_or_else(|| panic!("no {stage} in {list:?}"))
    }

    // Spring Festival 2026: 02-14 (Sat) make-up, 02-15..23 off, 02-28 (Sat) make-up.

    #[test]
    fn overdue_days_are_working_days_past_the_due_date() {
        let p = Policy::builtin("x-district-2022").unwrap();
        let c = Calendar::builtin().unwrap();
        let tz = p.timezone();
        let f = facts(Source::Instruction, Complexity::General, None);
        let events = BTreeMap::from([(ClockEvent::Received, at("2026-02-13T16:00"))]);
        let s = schedule(&p, &c, &f, &events);
        // sign is due 02-25 (the first open stage due): not overdue during that working day.
        assert_eq!(s.overdue_workdays(at("2026-02-25T17:00"), &tz, &c), None);
        // Its evening is the first day late; the next working day still the first.
        assert_eq!(s.overdue_workdays(at("2026-02-25T18:00"), &tz, &c), Some(1));
        assert_eq!(s.overdue_workdays(at("2026-02-26T10:00"), &tz, &c), Some(1));
        // 02-26, 02-27, 02-28 (a make-up Saturday), not Sunday 03-01, and 03-02: four.
        assert_eq!(s.overdue_workdays(at("2026-03-02T10:00"), &tz, &c), Some(4));
        assert_eq!(s.overdue_workdays(at("2026-03-01T10:00"), &tz, &c), Some(3));
        // Once signed and done, nothing open is overdue.
        let mut done = events.clone();
        done.insert(ClockEvent::Signed, at("2026-02-14T10:00"));
        done.insert(ClockEvent::Done, at("2026-02-20T10:00"));
        done.insert(ClockEvent::OutcomeReported, at("2026-02-20T10:00"));
        let s = schedule(&p, &c, &f, &done);
        assert_eq!(s.overdue_workdays(at("2026-03-02T10:00"), &tz, &c), None);
    }

    #[test]
    fn x_district_around_spring_festival_2026() {
        let f = facts(Source::Instruction, Complexity::General, None);
        // Friday 16:00, before 17:30: the clock counts from 02-13.
        let d = dues("x-district-2022", f, "2026-02-13T16:00");
        assert_eq!(due(&d, "sign"), date(2026, 2, 25)); // 02-14, 02-24, 02-25
        assert_eq!(due(&d, "done"), date(2026, 2, 27)); // + 02-26, 02-27
        // Friday 18:00, after 17:30: counts from the make-up Saturday 02-14.
        let d = dues("x-district-2022", f, "2026-02-13T18:00");
        assert_eq!(due(&d, "sign"), date(2026, 2, 26));
        assert_eq!(due(&d, "done"), date(2026, 2, 28)); // the second make-up day counts
        // Received on a holiday: counts from 02-24.
        let d = dues("x-district-2022", f, "2026-02-17T10:00");
        assert_eq!(due(&d, "sign"), date(2026, 2, 27));
        assert_eq!(due(&d, "done"), date(2026, 3, 2)); // 25, 26, 27, 28 (make-up), 03-02
    }

    #[test]
    fn x_district_done_by_complexity() {
        let r = "2026-02-13T09:00";
        let d = |c| due(&dues("x-district-2022", facts(Source::Document, c, None), r), "done");
        // Working days after 02-13: 02-14, 02-24, 25, 26, 27, 28, 03-02, 03, 04, 05, 06, 09 …
        assert_eq!(d(Complexity::General), date(2026, 2, 27));
        assert_eq!(d(Complexity::Complex), date(2026, 3, 5));
        assert_eq!(d(Complexity::VeryComplex), date(2026, 3, 19));
        // One month: 03-13 is a Friday, a working day.
        assert_eq!(d(Complexity::Exceptional), date(2026, 3, 13));
        let own = due(
            &dues("x-district-2022", facts(Source::Document, Complexity::Exceptional, Some(date(2026, 3, 31))), r),
            "done",
        );
        assert_eq!(own, date(2026, 3, 31));
    }

    #[test]
    fn x_district_outcome_counts_from_done() {
        let p = Policy::builtin("x-district-2022").unwrap();
        let c = Calendar::builtin().unwrap();
        let events = BTreeMap::from([
            (ClockEvent::Received, at("2025-09-22T09:00")),
            (ClockEvent::Signed, at("2025-09-23T09:00")),
            (ClockEvent::Done, at("2025-09-30T11:00")),
        ]);
        let s = schedule(&p, &c, &facts(Source::Document, Complexity::General, None), &events);
        let outcome = s.stages.iter().find(|s| s.stage == "outcome").unwrap();
        // National Day 2025: 10-01..08 off; 10-11 (Sat) make-up. After 09-30: 10-09, 10, 11, 13, 14.
        assert_eq!(outcome.due, Some(date(2025, 10, 14)));
        let done = s.stages.iter().find(|s| s.stage == "done").unwrap();
        // 5 WD after 09-22: 23, 24, 25, 26, 28 (Sun make-up).
        assert_eq!(done.due, Some(date(2025, 9, 28)));
        assert_eq!(done.state_at(at("2025-10-01T00:00"), &p.timezone()).0, StageState::Late);
        let sign = s.stages.iter().find(|s| s.stage == "sign").unwrap();
        assert_eq!(sign.state_at(at("2025-10-01T00:00"), &p.timezone()).0, StageState::Met);
        // Only the outcome stage is open, so it decides the task's light.
        assert_eq!(s.due_at, outcome.due_at);
    }

    #[test]
    fn ejinhoro_137_around_national_day_2025() {
        let f = facts(Source::Instruction, Complexity::General, Some(date(2025, 10, 31)));
        let d = dues("ejinhoro-2024", f, "2025-09-29T10:00");
        assert_eq!(due(&d, "deploy"), date(2025, 9, 29));
        // 3 calendar days: 10-02, a holiday, rolls to the first working day 10-09.
        assert_eq!(due(&d, "plan"), date(2025, 10, 9));
        // 7 calendar days: 10-06, rolls to 10-09.
        assert_eq!(due(&d, "feedback"), date(2025, 10, 9));
        assert_eq!(due(&d, "done"), date(2025, 10, 31));
        // Received on the make-up Sunday 09-28 after hours: counts from 09-29.
        let d = dues("ejinhoro-2024", f, "2025-09-28T18:00");
        assert_eq!(due(&d, "deploy"), date(2025, 9, 29));
        // Spring Festival 2026: received 02-13 morning; 3 days = 02-16, rolls to 02-24.
        let d = dues("ejinhoro-2024", f, "2026-02-13T09:00");
        assert_eq!(due(&d, "deploy"), date(2026, 2, 13));
        assert_eq!(due(&d, "plan"), date(2026, 2, 24));
        assert_eq!(due(&d, "feedback"), date(2026, 2, 24));
    }

    #[test]
    fn otog_front_deploy_dispatch_feedback_and_the_enterprise_whistle() {
        let d = dues("otog-front-2021", facts(Source::Instruction, Complexity::General, None), "2026-02-13T16:00");
        assert_eq!(due(&d, "deploy"), date(2026, 2, 24));
        assert_eq!(due(&d, "feedback"), date(2026, 2, 24));
        assert!(d.iter().all(|(s, _)| s != "dispatch" && s != "contact"));

        let d = dues("otog-front-2021", facts(Source::Research, Complexity::General, None), "2025-09-30T09:00");
        assert_eq!(due(&d, "dispatch"), date(2025, 10, 9));
        assert_eq!(due(&d, "feedback"), date(2025, 10, 10));

        let d = dues("otog-front-2021", facts(Source::Enterprise, Complexity::General, None), "2026-02-13T10:00");
        assert_eq!(due(&d, "contact"), date(2026, 2, 14));
        assert_eq!(due(&d, "resolve"), date(2026, 2, 25));
        let d = dues("otog-front-2021", facts(Source::Enterprise, Complexity::Complex, None), "2026-02-13T10:00");
        // 30 WD after 02-13: 02-14, 02-24..28 (5), then March's 22 working days to 03-31, 04-01, 04-02.
        assert_eq!(due(&d, "resolve"), date(2026, 4, 2));
    }

    #[test]
    fn the_enterprise_whistle_applies_the_same_1_3_30_days_under_every_built_in_profile() {
        for name in Policy::builtin_names() {
            // Friday 2026-03-06 15:00: the weekend is skipped — contact by Monday 03-09, solve by
            // Wednesday 03-11, a hard case by 04-20 (30 working days; 清明 04-04..06 is off).
            let d = dues(name, facts(Source::Enterprise, Complexity::General, None), "2026-03-06T15:00");
            assert_eq!(due(&d, "contact"), date(2026, 3, 9), "{name}");
            assert_eq!(due(&d, "resolve"), date(2026, 3, 11), "{name}");
            let d = dues(name, facts(Source::Enterprise, Complexity::Complex, None), "2026-03-06T15:00");
            assert_eq!(due(&d, "resolve"), date(2026, 4, 20), "{name}");
            // Before the Spring Festival: 02-13, then the make-up Saturday 02-14, then 02-24 on.
            let d = dues(name, facts(Source::Enterprise, Complexity::General, None), "2026-02-13T10:00");
            assert_eq!((due(&d, "contact"), due(&d, "resolve")), (date(2026, 2, 14), date(2026, 2, 25)), "{name}");
            // Other tasks have no such stages.
            let d = dues(name, facts(Source::Instruction, Complexity::General, None), "2026-03-06T15:00");
            assert!(d.iter().all(|(s, _)| s != "contact" && s != "resolve"), "{name}");
        }
    }

    #[test]
    fn naiman_measures_within_fifteen_days() {
        let d = dues("naiman-2025", facts(Source::Meeting, Complexity::General, None), "2026-02-13T09:00");
        // 15 days: 02-28, the make-up Saturday, is itself a working day.
        assert_eq!(due(&d, "measures"), date(2026, 2, 28));
        let d = dues("naiman-2025", facts(Source::Meeting, Complexity::General, None), "2025-09-16T09:00");
        // 10-01 is a holiday: rolls to 10-09.
        assert_eq!(due(&d, "measures"), date(2025, 10, 9));
    }

    #[test]
    fn lights_turn_yellow_then_red() {
        let p = Policy::builtin("x-district-2022").unwrap();
        let c = Calendar::builtin().unwrap();
        let events = BTreeMap::from([(ClockEvent::Received, at("2026-03-02T09:00"))]);
        let s = schedule(&p, &c, &facts(Source::Document, Complexity::Complex, None), &events);
        // done: 10 WD after 03-02 = 03-16 (Mon); sign: 3 WD = 03-05 with yellow 1 WD before.
        let sign = &s.stages[0];
        assert_eq!(sign.due, Some(date(2026, 3, 5)));
        assert_eq!(sign.warn_from, Some(date(2026, 3, 4)));
        let tz = p.timezone();
        assert_eq!(sign.state_at(at("2026-03-03T10:00"), &tz), (StageState::Open, Some(Light::Green)));
        assert_eq!(sign.state_at(at("2026-03-04T00:00"), &tz), (StageState::Open, Some(Light::Yellow)));
        assert_eq!(sign.state_at(at("2026-03-05T17:30"), &tz), (StageState::Open, Some(Light::Yellow)));
        assert_eq!(sign.state_at(at("2026-03-05T17:31"), &tz), (StageState::Open, Some(Light::Red)));
        assert_eq!(s.light_at(at("2026-03-05T18:00")), Some(Light::Red));
        assert_eq!(s.light_at(at("2026-03-03T18:00")), Some(Light::Green));
    }

    #[test]
    fn a_year_without_data_is_an_error_unless_allowed() {
        let p = Policy::builtin("x-district-2022").unwrap();
        let c = Calendar::builtin().unwrap();
        let events = BTreeMap::from([(ClockEvent::Received, at("2026-12-28T09:00"))]);
        let f = facts(Source::Document, Complexity::General, None);
        let s = schedule(&p, &c, &f, &events);
        // Signing (3 WD) ends 12-31, inside the data; done (5 WD) would reach 2027.
        let sign = &s.stages[0];
        assert_eq!((sign.due, sign.problem.as_deref()), (Some(date(2026, 12, 31)), None));
        let done = s.stages.iter().find(|st| st.stage == "done").unwrap();
        assert_eq!(done.due, None);
        assert!(done.problem.as_deref().unwrap().contains("2027 年的节假日安排尚未导入"));
        assert_eq!(s.due_at, sign.due_at);
        let c = c.with_unknown_years(crate::calendar::UnknownYears::WeekendsOnly);
        let s = schedule(&p, &c, &f, &events);
        let done = s.stages.iter().find(|st| st.stage == "done").unwrap();
        assert_eq!((done.due, done.provisional), (Some(date(2027, 1, 4)), true));
    }

    #[test]
    fn a_deadline_in_a_year_without_data_is_kept_but_its_warning_cannot_be_placed() {
        let p = Policy::builtin("x-district-2022").unwrap();
        let c = Calendar::builtin().unwrap();
        let events = BTreeMap::from([(ClockEvent::Received, at("2026-11-20T09:30"))]);
        let f = facts(Source::Document, Complexity::General, Some(date(2027, 1, 20)));
        let s = schedule(&p, &c, &f, &events);
        let done = s.stages.iter().find(|st| st.stage == "done").unwrap();
        assert_eq!((done.due, done.warn_from), (Some(date(2027, 1, 20)), None));
        assert!(done.problem.as_deref().unwrap().contains("2027"));
        // The task still turns red after its deadline.
        assert!(s.stages.iter().filter_map(|st| st.due_at).max() == done.due_at);
    }
}
