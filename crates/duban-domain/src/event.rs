//! What can happen to a task, as recorded in its tamper-evident trail: one [`EventKind`] enum
//! instead of strings scattered over the layers, and the one list of the kinds that count as
//! progress (they answer a 督办 notice and end a silent unit's escalation).

use crate::lifecycle::{Action, with_actions};
use crate::task::Status;
use crate::vocabulary;

with_actions!(vocabulary! {
    /// The kind of an event in a task's trail, stored by its code: every [`Action`], and the
    /// events no one takes as an action.
    EventKind, "event kind"
} {
    Created = "created" / "交办",
    Updated = "updated" / "修改",
    /// The lead unit changed (改派), with the units before and after and the reason.
    Reassigned = "reassigned" / "改派",
    Cancelled = "cancelled" / "撤销",
    Attached = "attached" / "上传附件",
    Supervised = "supervised" / "督办",
    Reminded = "reminded" / "催办",
    ClosedBySubtasks = "closed_by_subtasks" / "子任务全部办结",
    FeedbackPublished = "feedback_published" / "同意公开办理结果",
    FeedbackWithheld = "feedback_withheld" / "撤回公开办理结果",
    /// The task was split into subtasks (recorded on the parent; each child has its `created`).
    Split = "split" / "分解交办",
});

/// `From<Action>` for [`EventKind`]: each action is the event of the same name.
macro_rules! from_action {
    ({ $($variant:ident = $code:literal / $label:literal,)+ }) => {
        impl From<Action> for EventKind {
            fn from(a: Action) -> Self {
                match a {
                    $(Action::$variant => EventKind::$variant,)+
                }
            }
        }
    };
}
with_actions!(from_action! {} {});

impl EventKind {
    /// Events that count as progress on a task and answer a 督办 notice.
    pub const PROGRESS: &'static [EventKind] = &[
        EventKind::Sign,
        EventKind::Deploy,
        EventKind::Report,
        EventKind::Feedback,
        EventKind::Approve,
        EventKind::RequestExtension,
        EventKind::RaiseDispute,
        EventKind::Contact,
        EventKind::Resolve,
    ];

    /// Events whose text is the task's latest progress (shown on the public list and the ledger).
    pub const PROGRESS_TEXT: &'static [EventKind] = &[EventKind::Report, EventKind::Feedback];

    /// Events whose entry saves the status to come back to (`resume_to` in their data): an
    /// extension request, a dispute and a suspension.
    pub const RESUMABLE: &'static [EventKind] =
        &[EventKind::RequestExtension, EventKind::RaiseDispute, EventKind::Suspend];

    /// Whether this event saves the status to come back to.
    pub fn is_resumable(self) -> bool {
        Self::RESUMABLE.contains(&self)
    }

    /// Whether this event counts as progress.
    pub fn is_progress(self) -> bool {
        Self::PROGRESS.contains(&self)
    }

    /// Whether a stored kind code counts as progress (unknown codes do not).
    pub fn code_is_progress(code: &str) -> bool {
        code.parse::<EventKind>().is_ok_and(EventKind::is_progress)
    }
}

/// The status a task comes back to, from its trail (oldest first, as kind codes and data): what
/// the latest extension request, dispute or suspension saved.
pub fn resume_to<'a>(trail: impl DoubleEndedIterator<Item = (&'a str, &'a serde_json::Value)>) -> Option<Status> {
    trail
        .rev()
        .find(|(kind, _)| kind.parse::<EventKind>().is_ok_and(EventKind::is_resumable))
        .and_then(|(_, data)| data.get("resume_to").and_then(|v| serde_json::from_value(v.clone()).ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_is_an_event_with_the_same_code() {
        for a in Action::ALL {
            assert_eq!(EventKind::from(*a).code(), a.code());
            assert_eq!(EventKind::from(*a).label(), a.label());
        }
    }

    #[test]
    fn progress_is_the_units_own_doing() {
        let progress: Vec<&str> = EventKind::PROGRESS.iter().map(|k| k.code()).collect();
        assert_eq!(
            progress,
            [
                "sign",
                "deploy",
                "report",
                "feedback",
                "approve",
                "request_extension",
                "raise_dispute",
                "contact",
                "resolve"
            ]
        );
        assert!(!EventKind::Supervised.is_progress());
        assert!(!EventKind::Updated.is_progress());
        assert!(EventKind::code_is_progress("report"));
        assert!(!EventKind::code_is_progress("remind"));
    }

    #[test]
    fn requests_disputes_and_suspensions_save_where_to_resume() {
        let codes: Vec<&str> = EventKind::RESUMABLE.iter().map(|k| k.code()).collect();
        assert_eq!(codes, ["request_extension", "raise_dispute", "suspend"]);
        assert!(EventKind::Suspend.is_resumable() && !EventKind::Resume.is_resumable());
    }

    #[test]
    fn a_task_resumes_to_what_its_latest_request_saved() {
        let data = |s: &str| serde_json::json!({ "resume_to": s });
        let (a, b, c) = (data("signed"), data("in_progress"), serde_json::json!({}));
        let trail = [("request_extension", &a), ("suspend", &b), ("resume", &c), ("report", &c)];
        assert_eq!(resume_to(trail.iter().copied()), Some(Status::InProgress));
        assert_eq!(resume_to([("report", &a)].into_iter()), None);
    }
}
