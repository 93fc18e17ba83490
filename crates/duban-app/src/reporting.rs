//! [`Reporting`]: what showing tasks to people and exporting them needs besides the tasks —
//! unit and group names ([`PartyNames`], loaded once per page or export, so that each party is
//! a name rather than an id) and each task's latest progress report. The workbook itself is
//! written by [`crate::export`].

use duban_domain::Error;
use duban_domain::ids::TaskId;
use duban_domain::task::Party;
use duban_store::{DirectoryStore, TaskStore};
use std::collections::HashMap;
use std::sync::Arc;

/// Unit and group names, loaded once per page.
pub struct PartyNames {
    units: HashMap<i64, String>,
    groups: HashMap<i64, String>,
}

impl PartyNames {
    /// The names of the units and groups in a list of parties, joined with 、.
    pub fn parties(&self, ps: &[Party]) -> String {
        ps.iter()
            .map(|p| match p {
                Party::Unit(u) => self.units.get(&u.0).cloned().unwrap_or_else(|| format!("单位{}", u.0)),
                Party::Group(g) => self.groups.get(&g.0).cloned().unwrap_or_else(|| format!("单位组{}", g.0)),
            })
            .collect::<Vec<_>>()
            .join("、")
    }
}

/// Reporting, over the directory (names) and the task port (progress reports).
pub struct Reporting {
    pub(crate) directory: Arc<dyn DirectoryStore>,
    pub(crate) tasks: Arc<dyn TaskStore>,
}

impl Reporting {
    /// Every unit's and group's name.
    pub async fn party_names(&self) -> Result<PartyNames, Error> {
        let units = self.directory.list_units().await?.into_iter().map(|u| (u.id.0, u.name)).collect();
        let groups = self.directory.list_groups().await?.into_iter().map(|g| (g.id.0, g.name)).collect();
        Ok(PartyNames { units, groups })
    }

    /// The latest progress report of each of these tasks, by task.
    pub async fn latest_progress(&self, ids: &[TaskId]) -> Result<HashMap<TaskId, String>, Error> {
        let mut out = HashMap::new();
        for chunk in ids.chunks(500) {
            out.extend(self.tasks.latest_progress(chunk).await?);
        }
        Ok(out)
    }
}
