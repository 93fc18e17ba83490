//! The indicators a unit is assessed on, and the roles it plays.
//!
//! A fact is stored under its *stored* indicator: one of [`Indicator::ALL`] except that a stage
//! that falls due is stored once, as `sign` or `done` (or `notice_answer` for a 督办 notice's
//! answer), and read back as its [`Outcome`] at the period's end — on time, late, or not yet due
//! ([`Indicator::of_outcome`]). A task still open past its due time is late, so leaving overdue
//! work unfinished never improves a unit's figures.

use crate::vocabulary;

vocabulary!(
    /// What is counted per unit and period.
    Indicator, "indicator" {
        /// Tasks assigned (交办任务数), on the day received.
        Assigned = "assigned" / "交办任务",
        /// The first response (签收, or 部署 / 分解交办 / 联系企业 where the rules have no signing
        /// stage) by its due time.
        SignOnTime = "sign_on_time" / "按时签收",
        SignLate = "sign_late" / "逾期签收",
        DoneOnTime = "done_on_time" / "按时办结",
        /// Done after the deadline, or still open past it.
        DoneLate = "done_late" / "逾期办结或逾期未办结",
        /// Working days past the deadline of the late ones (up to their completion or the
        /// period's end).
        OverdueWorkdays = "overdue_workdays" / "逾期工作日",
        /// 督办 notices received.
        NoticeReceived = "notice_received" / "收到督办通知",
        NoticeAnsweredOnTime = "notice_answered_on_time" / "按时回复督办",
        NoticeAnsweredLate = "notice_answered_late" / "逾期回复或未回复督办",
        /// A second (or later) notice on the same stage.
        NoticeSecond = "notice_second" / "二次督办",
        /// Named in an issued bulletin (公开通报).
        PublicNaming = "public_naming" / "公开通报",
        ExtensionRequested = "extension_requested" / "申请延期",
        ExtensionApproved = "extension_approved" / "获准延期",
        /// Work returned by the office (退回).
        Returned = "returned" / "被退回",
        /// A leader's evaluation of the unit's work (points as given).
        LeaderEvaluation = "leader_evaluation" / "领导评价",
        /// Errors in documents the unit submitted (公文错情, 002 三(五)3).
        DocumentError = "document_error" / "公文错情",
        /// A period's liaison visit (包联走访) or steward's on-site work (现场办公) recorded by
        /// its deadline: the done stage of a task of source 包联走访 or 项目管家, counted for its
        /// lead unit besides 按时办结 (issue 14 §2).
        VisitOnTime = "visit_on_time" / "包联走访按期完成",
        /// Recorded after its period, or not at all by the period's end.
        VisitLate = "visit_late" / "包联走访逾期未完成",
    }
);

vocabulary!(
    /// The role in which a fact counts for a unit.
    PartyRole, "role" {
        Lead = "lead" / "牵头",
        Cooperating = "cooperating" / "配合",
        /// Not about one task's parties: evaluations, document errors, namings.
        Unit = "unit" / "单位",
    }
);

/// How a stage that falls due stood at the end of the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Not a stage: counted as it is.
    Counted,
    OnTime,
    Late,
    /// Due after the instant the period is read at, and not stopped: not counted yet.
    Pending,
}

impl Outcome {
    /// The outcome of a stage due at `due` (ms), stopped at `stopped` (ms), read at `as_of` (ms).
    pub fn of(due: Option<i64>, stopped: Option<i64>, as_of: i64) -> Outcome {
        match (due, stopped) {
            (None, _) => Outcome::Counted,
            (Some(d), Some(s)) if s <= d => Outcome::OnTime,
            (Some(d), _) if d < as_of => Outcome::Late,
            _ => Outcome::Pending,
        }
    }
}

/// The stored indicator of a signing stage.
pub const STAGE_SIGN: &str = "sign";
/// The stored indicator of a completion stage.
pub const STAGE_DONE: &str = "done";
/// The stored indicator of a 督办 notice's answer (due on its answer-by day).
pub const STAGE_NOTICE: &str = "notice_answer";
/// The stored indicator of a liaison visit's or steward's on-site work's period (the done stage
/// of a task of source 包联走访 or 项目管家).
pub const STAGE_VISIT: &str = "visit";

impl Indicator {
    /// The indicator a stored fact counts as, given its outcome; `None` while pending, or for a
    /// stored indicator that is not known (a fact written by a newer version).
    pub fn of_outcome(stored: &str, outcome: Outcome) -> Option<Indicator> {
        use Indicator as I;
        match (stored, outcome) {
            (_, Outcome::Pending) => None,
            (STAGE_SIGN, Outcome::OnTime) => Some(I::SignOnTime),
            (STAGE_SIGN, _) => Some(I::SignLate),
            (STAGE_DONE, Outcome::OnTime) => Some(I::DoneOnTime),
            (STAGE_DONE, _) => Some(I::DoneLate),
            (STAGE_NOTICE, Outcome::OnTime) => Some(I::NoticeAnsweredOnTime),
            (STAGE_NOTICE, _) => Some(I::NoticeAnsweredLate),
            (STAGE_VISIT, Outcome::OnTime) => Some(I::VisitOnTime),
            (STAGE_VISIT, _) => Some(I::VisitLate),
            (code, _) => code.parse().ok(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_count_open_work_past_due_as_late() {
        assert_eq!(Outcome::of(Some(10), Some(10), 5), Outcome::OnTime);
        assert_eq!(Outcome::of(Some(10), Some(11), 50), Outcome::Late);
        assert_eq!(Outcome::of(Some(10), None, 11), Outcome::Late);
        assert_eq!(Outcome::of(Some(10), None, 10), Outcome::Pending);
        assert_eq!(Outcome::of(None, None, 10), Outcome::Counted);
        assert_eq!(Indicator::of_outcome(STAGE_DONE, Outcome::Late), Some(Indicator::DoneLate));
        assert_eq!(Indicator::of_outcome(STAGE_SIGN, Outcome::OnTime), Some(Indicator::SignOnTime));
        assert_eq!(Indicator::of_outcome(STAGE_DONE, Outcome::Pending), None);
        assert_eq!(Indicator::of_outcome(STAGE_VISIT, Outcome::OnTime), Some(Indicator::VisitOnTime));
        assert_eq!(Indicator::of_outcome(STAGE_VISIT, Outcome::Late), Some(Indicator::VisitLate));
        assert_eq!(Indicator::of_outcome("returned", Outcome::Counted), Some(Indicator::Returned));
        assert_eq!(Indicator::of_outcome("visit_due", Outcome::Counted), None);
    }
}
