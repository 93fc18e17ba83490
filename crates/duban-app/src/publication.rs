//! [`Publication`]: the public pages' reads and the office's one decision about them. Which
//! tasks and fields are published is the domain's rule ([`duban_domain::publication`], over the
//! one visibility rule); this joins it to the task port. The office marks a task's feedback
//! (办理结果) publishable, or withholds it again; each marking goes into the task's trail.

use crate::actor::{Actor, RunLedgers};
use crate::core::Core;
use duban_domain::Error;
use duban_domain::event::EventKind;
use duban_domain::ids::TaskId;
use duban_domain::publication::{self, Published};
use duban_domain::task::Task;
use duban_store::{NewEvent, TaskStore};
use std::collections::HashMap;
use std::sync::Arc;

/// The public pages' reads, and marking feedback publishable.
pub struct Publication {
    pub(crate) core: Arc<Core>,
    pub(crate) tasks: Arc<dyn TaskStore>,
}

impl Publication {
    /// A published task; "not found" for one that is not (internal, secret, withdrawn) or does
    /// not exist, alike.
    pub async fn published_task(&self, id: TaskId) -> Result<Task, Error> {
        match self.tasks.get_task(id).await {
            Ok(t) if publication::is_published(&t) => Ok(t),
            Ok(_) | Err(Error::NotFound { .. }) => Err(Error::not_found("任务")),
            Err(e) => Err(e),
        }
    }

    /// What the public may read of each of these tasks' trails: one query per 500 tasks.
    pub async fn published(&self, ids: &[TaskId]) -> Result<HashMap<TaskId, Published>, Error> {
        let mut out = HashMap::new();
        for chunk in ids.chunks(500) {
            let events = self.tasks.events_of_kinds(chunk, publication::EVENTS).await?;
            let mut start = 0;
            while start < events.len() {
                let id = events[start].0;
                let end = events[start..].iter().position(|e| e.0 != id).map_or(events.len(), |n| start + n);
                let trail = events[start..end].iter().map(|(_, k, d)| (k.as_str(), d));
                out.insert(id, publication::published(trail));
                start = end;
            }
        }
        Ok(out)
    }

    /// Whether a task has feedback, and whether its latest feedback is marked publishable.
    pub async fn feedback_state(&self, id: TaskId) -> Result<(bool, bool), Error> {
        let events = self.tasks.events_of_kinds(&[id], publication::EVENTS).await?;
        let has = events.iter().any(|(_, k, _)| k == EventKind::Feedback.code());
        Ok((has, publication::feedback_is_published(events.iter().map(|(_, k, d)| (k.as_str(), d)))))
    }

    /// The office marks the task's latest feedback publishable (`publish`) or withholds it. Only
    /// a published task's feedback may be published; a task without feedback has nothing to
    /// mark. Marking what is already so changes nothing.
    pub async fn mark_feedback(&self, actor: &Actor, id: TaskId, publish: bool) -> Result<bool, Error> {
        actor.require::<RunLedgers>()?;
        let task = self.tasks.get_task(id).await?;
        if publish && !publication::is_published(&task) {
            return Err(Error::Conflict("只有“公开”等级的任务，其办理结果才能公开".into()));
        }
        let (has, now_published) = self.feedback_state(id).await?;
        if !has {
            return Err(Error::Conflict("该任务尚无办理结果（反馈），无可公开的内容".into()));
        }
        if now_published == publish {
            return Ok(false);
        }
        let kind = if publish { EventKind::FeedbackPublished } else { EventKind::FeedbackWithheld };
        let event = NewEvent {
            at: self.core.now(),
            actor_id: actor.id(),
            kind: kind.code().into(),
            data: serde_json::json!({}),
        };
        self.tasks.append_event(id, &event).await?;
        Ok(true)
    }
}
