//! Who sees which tasks (issue 5 §1): the supervision office and administrators see every unit's
//! tasks; a leader sees the tasks of the units in their charge; a unit's officers and head see
//! the tasks their unit leads or cooperates on, directly or through a group. A 涉密 task is seen
//! only by the people named on it (its leader in charge and its responsible person).

use crate::service::Duban;
use duban_domain::Error;
use duban_domain::ids::{TaskId, UnitId};
use duban_domain::org::{Person, Role};
use duban_domain::task::Task;
use duban_store::Audience;
use std::collections::HashMap;

impl Duban {
    /// The tasks a person may see, as a list filter.
    pub fn audience(&self, p: &Person) -> Audience {
        let roles = &p.fields.roles;
        let all_units = roles.contains(&Role::Office) || roles.contains(&Role::Admin);
        let mut units = Vec::new();
        if roles.contains(&Role::Leader) {
            units.extend(p.fields.charge_units.iter().copied());
        }
        if (roles.contains(&Role::Officer) || roles.contains(&Role::UnitHead) || roles.contains(&Role::Leader))
            && let Some(u) = p.fields.unit_id
        {
            units.push(u);
        }
        units.sort();
        units.dedup();
        Audience { person: p.id, all_units, units }
    }

    /// The task, if the person may see it. A task that does not exist and one the person may not
    /// see give the same "not found", so that the answer does not tell which.
    pub async fn visible_task(&self, p: &Person, id: TaskId) -> Result<Task, Error> {
        let task = match self.store().get_task(id).await {
            Ok(t) => t,
            Err(Error::NotFound { .. }) => return Err(Error::not_found("任务")),
            Err(e) => return Err(e),
        };
        if self.can_see(p, &task).await? { Ok(task) } else { Err(Error::not_found("任务")) }
    }

    /// Whether a person may see a task.
    pub async fn can_see(&self, p: &Person, task: &Task) -> Result<bool, Error> {
        let members = self.group_members().await?;
        Ok(self.audience(p).sees(task, &members))
    }

    /// Each group's member units.
    pub async fn group_members(&self) -> Result<HashMap<i64, Vec<UnitId>>, Error> {
        Ok(self.store().list_groups().await?.into_iter().map(|g| (g.id.0, g.members)).collect())
    }
}
