//! Unit and group names for showing tasks to people (pages, exports): loaded once per page or
//! export, so that each party is a name rather than an id.

use crate::service::Services;
use duban_domain::Error;
use duban_domain::task::Party;
use std::collections::HashMap;

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

impl Services {
    /// Every unit's and group's name.
    pub async fn party_names(&self) -> Result<PartyNames, Error> {
        let units = self.units().await?.into_iter().map(|u| (u.id.0, u.name)).collect();
        let groups = self.groups().await?.into_iter().map(|g| (g.id.0, g.name)).collect();
        Ok(PartyNames { units, groups })
    }
}
