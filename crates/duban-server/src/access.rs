//! Who sees which tasks (issue 5 §1): the supervision office and administrators see every unit's
//! tasks; a leader sees the tasks of the units in their charge; a unit's officers and head see
//! the tasks their unit leads or cooperates on, directly or through a group. A 涉密 task is seen
//! only by the people named on it (its leader in charge and its responsible person).

use crate::service::Duban;
use duban_domain::Error;
use duban_domain::org::{Person, Role};
use duban_domain::task::{Classification, Party, Task};
use duban_store::Audience;

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

    /// Whether a person may see a task.
    pub async fn can_see(&self, p: &Person, task: &Task) -> Result<bool, Error> {
        if task.fields.leader_id == Some(p.id) || task.fields.responsible_person_id == Some(p.id) {
            return Ok(true);
        }
        if task.fields.classification == Classification::Secret {
            return Ok(false);
        }
        let a = self.audience(p);
        if a.all_units {
            return Ok(true);
        }
        for party in task.fields.lead.iter().chain(&task.fields.cooperating) {
            let seen = match party {
                Party::Unit(u) => a.units.contains(u),
                Party::Group(g) => self.store().get_group(*g).await?.members.iter().any(|u| a.units.contains(u)),
            };
            if seen {
                return Ok(true);
            }
        }
        Ok(false)
    }
}
