//! [`Access`]: who sees which tasks. The rule is [`duban_domain::visibility`] (issue 9); this
//! joins it to the store. The supervision office and administrators see every unit's tasks; a
//! leader the tasks of the units in their charge; a unit's officers and head the tasks their
//! unit leads or cooperates on, directly or through a group. A 涉密 task is seen only by the
//! people named on it (its leader in charge and its responsible person).
//!
//! Every service that shows or touches a task on someone's behalf holds a copy of this one
//! (it is two port handles).

use duban_domain::Error;
use duban_domain::ids::TaskId;
use duban_domain::org::Person;
use duban_domain::task::Task;
use duban_domain::visibility::{Audience, Members};
use duban_store::{DirectoryStore, TaskStore};
use std::sync::Arc;

/// Visibility over the task and directory ports.
#[derive(Clone)]
pub struct Access {
    tasks: Arc<dyn TaskStore>,
    directory: Arc<dyn DirectoryStore>,
}

impl Access {
    pub fn new(tasks: Arc<dyn TaskStore>, directory: Arc<dyn DirectoryStore>) -> Self {
        Self { tasks, directory }
    }

    /// The tasks a person may see, as a list filter.
    pub fn audience(&self, p: &Person) -> Audience {
        Audience::of(p)
    }

    /// The task, if the person may see it. A task that does not exist and one the person may not
    /// see give the same "not found", so that the answer does not tell which.
    pub async fn visible_task(&self, p: &Person, id: TaskId) -> Result<Task, Error> {
        let task = self.task(id).await?;
        if self.can_see(p, &task).await? { Ok(task) } else { Err(Error::not_found("任务")) }
    }

    /// A task, with "not found" worded alike for every caller.
    pub(crate) async fn task(&self, id: TaskId) -> Result<Task, Error> {
        match self.tasks.get_task(id).await {
            Ok(t) => Ok(t),
            Err(Error::NotFound { .. }) => Err(Error::not_found("任务")),
            Err(e) => Err(e),
        }
    }

    /// Whether a person may see a task.
    pub async fn can_see(&self, p: &Person, task: &Task) -> Result<bool, Error> {
        let members = self.group_members().await?;
        Ok(Audience::of(p).sees(task, &members))
    }

    /// Each group's member units.
    pub async fn group_members(&self) -> Result<Members, Error> {
        members_of(self.directory.as_ref()).await
    }
}

/// Each group's member units, as the directory has them (for the services that hold only the
/// directory port).
pub(crate) async fn members_of(directory: &dyn DirectoryStore) -> Result<Members, Error> {
    Ok(directory.list_groups().await?.into_iter().map(|g| (g.id.0, g.members)).collect())
}
