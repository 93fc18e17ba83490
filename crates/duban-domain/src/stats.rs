//! Delivery statistics (issue 5 §2 统计; REQUIREMENTS §8): on-time rates and the overdue count
//! at a moment. A stage counts once its due time has passed or it has stopped: stopped by its due
//! time is on time; stopped later, or still open past its due time, is late — so a unit cannot
//! improve its rate by leaving overdue work unfinished.
//!
//! [`Stats::of`] gathers, for tasks grouped by a key the caller chooses (their lead unit), the
//! on-time rates of signing and of completion, and the twelve-week trend of overdue tasks.

use crate::facts::ClockEvent;
use crate::period::week_of;
use crate::schedule::{Schedule, Stage};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};
use std::collections::BTreeMap;

/// On time and late among the stages that count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rate {
    pub on_time: u32,
    pub late: u32,
}

impl Rate {
    pub fn total(self) -> u32 {
        self.on_time + self.late
    }

    /// The share on time, in per cent; `None` when nothing counts yet.
    pub fn percent(self) -> Option<f64> {
        (self.total() > 0).then(|| f64::from(self.on_time) * 100.0 / f64::from(self.total()))
    }

    /// Adds one stage's outcome at `now`, if it counts.
    pub fn add(&mut self, stage: &Stage, now: Timestamp) {
        let Some(due) = stage.due_at else { return };
        match stage.stopped_at {
            Some(stopped) if stopped <= due => self.on_time += 1,
            Some(_) => self.late += 1,
            None if now > due => self.late += 1,
            None => {}
        }
    }
}

/// Whether a stage was overdue at `at`: due before it and not stopped by then.
pub fn overdue_at(stage: &Stage, at: Timestamp) -> bool {
    let started = stage.started_at.is_some_and(|s| s <= at);
    started && stage.due_at.is_some_and(|due| due < at) && stage.stopped_at.is_none_or(|s| s > at)
}

/// How many weeks the overdue trend shows.
pub const TREND_WEEKS: usize = 12;

/// The ends of the last `weeks` weeks, oldest first, each with its Monday: Sunday 24:00 in `tz`,
/// the current week's end being `now`.
pub fn week_ends(now: Timestamp, tz: &TimeZone, weeks: usize) -> Vec<(Date, Timestamp)> {
    let today = now.to_zoned(tz.clone()).date();
    let Some((this_monday, _)) = week_of(today) else { return Vec::new() };
    (0..i64::try_from(weeks).unwrap_or(0))
        .rev()
        .filter_map(|k| {
            let monday = this_monday.checked_sub(Span::new().weeks(k)).ok()?;
            let end = if k == 0 {
                now
            } else {
                monday.checked_add(Span::new().weeks(1)).ok()?.to_zoned(tz.clone()).ok()?.timestamp()
            };
            Some((monday, end))
        })
        .collect()
}

/// The tasks of one group and their two rates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GroupRates {
    pub tasks: usize,
    /// Signing on time (stages stopped by signing).
    pub sign: Rate,
    /// Completion on time (stages stopped by completion).
    pub done: Rate,
}

/// A period statistics are taken over: the stages due within `[from, to)`.
pub type Window = (Timestamp, Timestamp);

fn in_window(stage: &Stage, window: Option<Window>) -> bool {
    window.is_none_or(|(from, to)| stage.due_at.is_some_and(|d| d >= from && d < to))
}

impl GroupRates {
    fn add(&mut self, schedule: &Schedule, now: Timestamp, window: Option<Window>) {
        self.tasks += 1;
        for s in schedule.stages.iter().filter(|s| in_window(s, window)) {
            if s.stop == ClockEvent::Signed {
                self.sign.add(s, now);
            }
            if s.stop == ClockEvent::Done {
                self.done.add(s, now);
            }
        }
    }
}

/// The statistics of a set of tasks at a moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stats<K> {
    /// By group, in key order.
    pub groups: Vec<(K, GroupRates)>,
    /// All tasks together.
    pub all: GroupRates,
    /// For each of the last [`TREND_WEEKS`] weeks (by its Monday, oldest first), how many tasks
    /// had an overdue stage at its end.
    pub weekly: Vec<(Date, u32)>,
}

impl<K: Ord> Stats<K> {
    /// The statistics at `now` of tasks given with their group's key and their schedule.
    pub fn of<'a>(tasks: impl IntoIterator<Item = (K, &'a Schedule)>, now: Timestamp, tz: &TimeZone) -> Self {
        Self::of_each(tasks.into_iter().map(|(k, s)| (vec![k], s)), now, tz, None)
    }

    /// The statistics at `now` of tasks that each count for every key given with them (a task
    /// led by a group of units counts for each of its units, never for the group as if it were
    /// one), and once in the totals; with a `window`, the rates count only the stages due in it
    /// (a task counts in a group's number of tasks when it has any).
    pub fn of_each<'a>(
        tasks: impl IntoIterator<Item = (Vec<K>, &'a Schedule)>,
        now: Timestamp,
        tz: &TimeZone,
        window: Option<Window>,
    ) -> Self {
        let weeks = week_ends(now, tz, TREND_WEEKS);
        let mut groups: BTreeMap<K, GroupRates> = BTreeMap::new();
        let mut all = GroupRates::default();
        let mut weekly = vec![0u32; weeks.len()];
        for (keys, schedule) in tasks {
            if window.is_some() && !schedule.stages.iter().any(|s| in_window(s, window)) {
                continue;
            }
            for key in keys {
                groups.entry(key).or_default().add(schedule, now, window);
            }
            all.add(schedule, now, window);
            for (count, (_, end)) in weekly.iter_mut().zip(&weeks) {
                if schedule.stages.iter().any(|s| overdue_at(s, *end)) {
                    *count += 1;
                }
            }
        }
        Stats {
            groups: groups.into_iter().collect(),
            all,
            weekly: weeks.into_iter().map(|w| w.0).zip(weekly).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Limit;

    fn stage(due: &str, stopped: Option<&str>) -> Stage {
        Stage {
            stage: "sign".into(),
            name: "签收".into(),
            rule_id: "sign".into(),
            start: ClockEvent::Received,
            stop: ClockEvent::Signed,
            duration: Limit::WorkingDays(3),
            clause: String::new(),
            started_at: Some("2026-03-01T00:00:00Z".parse().unwrap()),
            stopped_at: stopped.map(|s| s.parse().unwrap()),
            counts_from: None,
            due: None,
            due_at: Some(due.parse().unwrap()),
            warn_from: None,
            provisional: false,
            problem: None,
        }
    }

    #[test]
    fn open_overdue_work_counts_as_late_and_work_not_yet_due_does_not_count() {
        let now: Timestamp = "2026-03-10T00:00:00Z".parse().unwrap();
        let mut r = Rate::default();
        r.add(&stage("2026-03-05T09:30:00Z", Some("2026-03-04T00:00:00Z")), now); // on time
        r.add(&stage("2026-03-05T09:30:00Z", Some("2026-03-06T00:00:00Z")), now); // late
        r.add(&stage("2026-03-05T09:30:00Z", None), now); // open, overdue: late
        r.add(&stage("2026-03-20T09:30:00Z", None), now); // not due yet: not counted
        assert_eq!(r, Rate { on_time: 1, late: 2 });
        assert_eq!(r.percent().map(|p| (p * 10.0).round() / 10.0), Some(33.3));
        assert_eq!(Rate::default().percent(), None);
    }

    #[test]
    fn a_task_of_several_units_counts_for_each_and_a_window_keeps_its_stages() {
        let now: Timestamp = "2026-06-30T00:00:00Z".parse().unwrap();
        let march = Schedule { stages: vec![stage("2026-03-05T09:30:00Z", None)], due_at: None, warn_at: None };
        let may = Schedule {
            stages: vec![stage("2026-05-05T09:30:00Z", Some("2026-05-01T00:00:00Z"))],
            due_at: None,
            warn_at: None,
        };
        let tasks = || vec![(vec!["甲", "乙"], &march), (vec!["乙"], &may)];
        let s = Stats::of_each(tasks(), now, &TimeZone::UTC, None);
        let by: BTreeMap<_, _> = s.groups.into_iter().collect();
        assert_eq!(by["甲"].tasks, 1);
        assert_eq!(by["乙"].tasks, 2);
        assert_eq!(by["乙"].sign, Rate { on_time: 1, late: 1 });
        assert_eq!(s.all.tasks, 2, "a task of two units counts once in the totals");
        // Only May: the March task has nothing due in it and is left out.
        let may_window = ("2026-05-01T00:00:00Z".parse().unwrap(), "2026-06-01T00:00:00Z".parse().unwrap());
        let s = Stats::of_each(tasks(), now, &TimeZone::UTC, Some(may_window));
        let by: BTreeMap<_, _> = s.groups.into_iter().collect();
        assert!(!by.contains_key("甲"));
        assert_eq!(by["乙"].sign, Rate { on_time: 1, late: 0 });
        assert_eq!(s.all.tasks, 1);
    }

    #[test]
    fn a_stage_is_overdue_between_its_due_time_and_its_stop() {
        let s = stage("2026-03-05T09:30:00Z", Some("2026-03-08T00:00:00Z"));
        let at = |t: &str| overdue_at(&s, t.parse().unwrap());
        assert!(!at("2026-03-05T09:00:00Z"));
        assert!(at("2026-03-06T00:00:00Z"));
        assert!(!at("2026-03-08T00:00:01Z"));
        assert!(!overdue_at(&Stage { started_at: None, ..s.clone() }, "2026-03-06T00:00:00Z".parse().unwrap()));
    }

    fn signed(due: &str, stopped: Option<&str>) -> Stage {
        stage(due, stopped)
    }

    fn done(due: &str, stopped: Option<&str>) -> Stage {
        Stage { stage: "done".into(), stop: ClockEvent::Done, ..stage(due, stopped) }
    }

    fn tasks(stages: Vec<Stage>) -> Schedule {
        Schedule { stages, due_at: None, warn_at: None }
    }

    #[test]
    fn the_trend_ends_each_week_on_sunday_midnight_and_this_week_now() {
        let tz = TimeZone::get("Asia/Shanghai").unwrap();
        let now: Timestamp = "2026-03-11T02:00:00Z".parse().unwrap(); // Wednesday 10:00 in Beijing
        let ends = week_ends(now, &tz, 3);
        let mondays: Vec<Date> = ends.iter().map(|e| e.0).collect();
        assert_eq!(
            mondays,
            [jiff::civil::date(2026, 2, 23), jiff::civil::date(2026, 3, 2), jiff::civil::date(2026, 3, 9)]
        );
        assert_eq!(ends[0].1, "2026-03-01T16:00:00Z".parse::<Timestamp>().unwrap());
        assert_eq!(ends[1].1, "2026-03-08T16:00:00Z".parse::<Timestamp>().unwrap());
        assert_eq!(ends[2].1, now);
    }

    #[test]
    fn rates_by_group_and_the_weekly_overdue_trend() {
        let tz = TimeZone::UTC;
        let now: Timestamp = "2026-03-11T00:00:00Z".parse().unwrap();
        let a1 = tasks(vec![
            signed("2026-03-03T09:30:00Z", Some("2026-03-02T00:00:00Z")),
            done("2026-03-20T09:30:00Z", None),
        ]);
        let a2 = tasks(vec![signed("2026-03-03T09:30:00Z", None)]); // open, overdue since 03-03
        let started = Some("2026-02-01T00:00:00Z".parse().unwrap());
        let b1 =
            tasks(vec![Stage { started_at: started, ..done("2026-02-20T09:30:00Z", Some("2026-02-25T00:00:00Z")) }]); // done late
        let s = Stats::of([("a", &a1), ("b", &b1), ("a", &a2)], now, &tz);
        let rates: Vec<(&str, usize, Rate, Rate)> =
            s.groups.iter().map(|(k, g)| (*k, g.tasks, g.sign, g.done)).collect();
        assert_eq!(
            rates,
            [
                ("a", 2, Rate { on_time: 1, late: 1 }, Rate::default()),
                ("b", 1, Rate::default(), Rate { on_time: 0, late: 1 }),
            ]
        );
        assert_eq!(
            (s.all.tasks, s.all.sign, s.all.done),
            (3, Rate { on_time: 1, late: 1 }, Rate { on_time: 0, late: 1 })
        );
        assert_eq!(s.weekly.len(), TREND_WEEKS);
        // b1 was overdue at the end of the week of 02-16 (Sunday 02-22), stopped 02-25; a2 from
        // the week of 03-02 on.
        let at = |m: u8, d: i8| s.weekly.iter().find(|w| w.0 == jiff::civil::date(2026, m as i8, d)).map(|w| w.1);
        assert_eq!(at(2, 9), Some(0));
        assert_eq!(at(2, 16), Some(1));
        assert_eq!(at(2, 23), Some(0));
        assert_eq!(at(3, 2), Some(1));
        assert_eq!(at(3, 9), Some(1));
    }
}
