//! Work lists (REQUIREMENTS §5, issue 4 §5): for a unit, or a person's unit, the tasks it must
//! sign for, report on, has let run overdue, and has had returned — each list sorted most
//! urgent first.

use crate::service::{Duban, TaskView};
use duban_domain::Error;
use duban_domain::ids::{PersonId, UnitId};
use duban_domain::task::{Light, Status};
use duban_store::{TaskQuery, TaskSort};
use serde::Serialize;

/// One list: how many, and the first of them.
#[derive(Debug, Clone, Serialize)]
pub struct WorkItems {
    pub total: u64,
    pub items: Vec<TaskView>,
}

/// A unit's work.
#[derive(Debug, Clone, Serialize)]
pub struct WorkList {
    pub unit_id: UnitId,
    pub to_sign: WorkItems,
    pub to_report: WorkItems,
    pub overdue: WorkItems,
    pub returned: WorkItems,
}

/// How many tasks of each list are returned in full.
const SHOWN: u32 = 20;

impl Duban {
    async fn work_items(&self, unit: UnitId, statuses: Vec<Status>, light: Option<Light>) -> Result<WorkItems, Error> {
        let q = TaskQuery {
            unit_id: Some(unit),
            lead_only: true,
            statuses,
            light,
            sort: TaskSort::Due,
            page: 1,
            per_page: SHOWN,
            ..Default::default()
        };
        let page = self.list_tasks(q).await?;
        Ok(WorkItems { total: page.total, items: page.items })
    }

    /// The work of the unit the tasks are led by.
    pub async fn unit_work(&self, unit: UnitId) -> Result<WorkList, Error> {
        self.store().get_unit(unit).await?;
        Ok(WorkList {
            unit_id: unit,
            to_sign: self.work_items(unit, vec![Status::Assigned], None).await?,
            to_report: self.work_items(unit, vec![Status::Signed, Status::Deployed, Status::InProgress], None).await?,
            overdue: self.work_items(unit, vec![], Some(Light::Red)).await?,
            returned: self.work_items(unit, vec![Status::Returned], None).await?,
        })
    }

    /// The work of a person's unit.
    pub async fn person_work(&self, person: PersonId) -> Result<WorkList, Error> {
        let p = self.store().get_person(person).await?;
        let unit = p.fields.unit_id.ok_or_else(|| Error::invalid("person", "此人未归属任何单位"))?;
        self.unit_work(unit).await
    }
}
