//! What the public pages publish of a task (issue 12 §5). Only a task the one visibility rule
//! lets go over the published channel ([`crate::visibility::disclosure`]: 公开, never 内部 or
//! 涉密) and not withdrawn is published, and of it only the public fields: number, title, text,
//! lead and cooperating units, deadline, state, and progress. A unit's progress reports are
//! published as they come; its feedback (办理结果) only once the office has marked it
//! publishable (`feedback_published` in the trail), and no longer once it withheld it again.

use crate::event::EventKind;
use crate::task::{Status, Task};
use crate::visibility::{Channel, Disclosure, disclosure};

/// The trail events the published progress is read from.
pub const EVENTS: &[EventKind] =
    &[EventKind::Report, EventKind::Feedback, EventKind::FeedbackPublished, EventKind::FeedbackWithheld];

/// Whether a task is published at all.
pub fn is_published(task: &Task) -> bool {
    disclosure(task.fields.classification, Channel::Published) == Disclosure::Full && task.status != Status::Cancelled
}

/// A task's state as the public reads it: done, stopped, or under way (the steps between —
/// awaiting review, returned, in dispute — are the office's business).
pub fn public_state(status: Status) -> &'static str {
    match status {
        Status::Closed => "已办结",
        Status::Suspended => "已中止",
        Status::Cancelled => "已撤销",
        _ => "推进中",
    }
}

/// What the trail lets the public read: the latest progress (a report, or a feedback marked
/// publishable) and the latest feedback marked publishable.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Published {
    pub progress: Option<String>,
    pub feedback: Option<String>,
}

/// Whether the latest feedback in a trail is marked publishable now.
pub fn feedback_is_published<'a>(trail: impl IntoIterator<Item = (&'a str, &'a serde_json::Value)>) -> bool {
    let mut published = false;
    for (kind, _) in trail {
        match kind.parse::<EventKind>() {
            Ok(EventKind::Feedback | EventKind::FeedbackWithheld) => published = false,
            Ok(EventKind::FeedbackPublished) => published = true,
            _ => {}
        }
    }
    published
}

fn mark_last_feedback(texts: &mut [(String, bool, bool)], published: bool) {
    if let Some(t) = texts.iter_mut().rev().find(|t| t.1) {
        t.2 = published;
    }
}

/// The published progress of one task, from its trail (oldest first, as kind codes and data;
/// kinds not in [`EVENTS`] are passed over). A feedback counts once marked publishable and stops
/// counting when withheld or when a newer feedback comes (which must be marked again).
pub fn published<'a>(trail: impl IntoIterator<Item = (&'a str, &'a serde_json::Value)>) -> Published {
    // Each text in order, with whether it is a feedback and whether that feedback is published.
    let mut texts: Vec<(String, bool, bool)> = Vec::new();
    for (kind, data) in trail {
        let text = || data.get("text").and_then(|v| v.as_str()).unwrap_or_default().trim().to_string();
        match kind.parse::<EventKind>() {
            Ok(EventKind::Report) => texts.push((text(), false, false)),
            Ok(EventKind::Feedback) => {
                // An older feedback is no longer the task's result once a new one is given.
                mark_last_feedback(&mut texts, false);
                texts.push((text(), true, false));
            }
            Ok(EventKind::FeedbackPublished) => mark_last_feedback(&mut texts, true),
            Ok(EventKind::FeedbackWithheld) => mark_last_feedback(&mut texts, false),
            _ => {}
        }
    }
    let shown = |t: &&(String, bool, bool)| !t.0.is_empty() && (!t.1 || t.2);
    Published {
        progress: texts.iter().rev().find(shown).map(|t| t.0.clone()),
        feedback: texts.iter().rev().find(|t| t.1 && t.2 && !t.0.is_empty()).map(|t| t.0.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn trail(events: &[(&'static str, &'static str)]) -> Vec<(&'static str, serde_json::Value)> {
        events.iter().map(|(k, t)| (*k, json!({ "text": t }))).collect()
    }

    fn of(events: &[(&'static str, &'static str)]) -> Published {
        let t = trail(events);
        published(t.iter().map(|(k, d)| (*k, d)))
    }

    #[test]
    fn feedback_is_published_only_once_marked() {
        let reported = [("report", "已完成摸底"), ("feedback", "全部完工，已验收")];
        assert_eq!(of(&reported), Published { progress: Some("已完成摸底".into()), feedback: None });
        let marked = [("report", "已完成摸底"), ("feedback", "全部完工，已验收"), ("feedback_published", "")];
        let all = Published {
            progress: Some("全部完工，已验收".into()), feedback: Some("全部完工，已验收".into())
        };
        assert_eq!(of(&marked), all);
        let withheld = [
            ("report", "已完成摸底"),
            ("feedback", "全部完工，已验收"),
            ("feedback_published", ""),
            ("feedback_withheld", ""),
        ];
        assert_eq!(of(&withheld).feedback, None);
        assert_eq!(of(&withheld).progress.as_deref(), Some("已完成摸底"));
        // A new feedback (after a return) must be marked again; the old one is no longer shown.
        let again =
            [("feedback", "初次反馈"), ("feedback_published", ""), ("report", "整改中"), ("feedback", "再次反馈")];
        assert_eq!(of(&again), Published { progress: Some("整改中".into()), feedback: None });
        assert_eq!(of(&[("supervised", "督办要求")]), Published::default());
        assert_eq!(public_state(Status::Returned), "推进中");
        assert_eq!(public_state(Status::Closed), "已办结");
        let t = trail(&marked);
        assert!(feedback_is_published(t.iter().map(|(k, d)| (*k, d))));
        let t = trail(&again);
        assert!(!feedback_is_published(t.iter().map(|(k, d)| (*k, d))));
    }
}
