//! Delivery statistics (issue 5 §2 统计; REQUIREMENTS §8): on-time rates and the overdue count
//! at a moment. A stage counts once its due time has passed or it has stopped: stopped by its due
//! time is on time; stopped later, or still open past its due time, is late — so a unit cannot
//! improve its rate by leaving overdue work unfinished.

use crate::schedule::Stage;
use jiff::Timestamp;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{ClockEvent, Limit};

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
    fn a_stage_is_overdue_between_its_due_time_and_its_stop() {
        let s = stage("2026-03-05T09:30:00Z", Some("2026-03-08T00:00:00Z"));
        let at = |t: &str| overdue_at(&s, t.parse().unwrap());
        assert!(!at("2026-03-05T09:00:00Z"));
        assert!(at("2026-03-06T00:00:00Z"));
        assert!(!at("2026-03-08T00:00:01Z"));
        assert!(!overdue_at(&Stage { started_at: None, ..s.clone() }, "2026-03-06T00:00:00Z".parse().unwrap()));
    }
}
