//! [`Worklists`] (REQUIREMENTS §5, issue 4 §5): for a unit, or a person's unit, the tasks it must
//! sign for, report on, has let run overdue, and has had returned — each list sorted most
//! urgent first. A caller asks only for units and people within their reach, and every list
//! and count holds only the tasks the caller may see (issue 9, [`duban_domain::visibility`]).

use crate::core::TaskView;
use crate::tasks::Tasks;
use duban_domain::Error;
use duban_domain::ids::{PersonId, UnitId};
use duban_domain::org::Person;
use duban_domain::task::{Light, Status};
use duban_domain::visibility::Audience;
use duban_store::{DirectoryStore, PeopleStore, TaskQuery, TaskSort};
use serde::Serialize;
use std::sync::Arc;

/// One list: how many, and the first of them.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkItems {
    pub total: u64,
    pub items: Vec<TaskView>,
}

/// A unit's work.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkList {
    pub unit_id: UnitId,
    pub to_sign: WorkItems,
    pub to_report: WorkItems,
    pub overdue: WorkItems,
    pub returned: WorkItems,
}

/// How many tasks of each list are returned in full.
const SHOWN: u32 = 20;

/// The work lists: they list tasks through the tasks area, and read people and units.
pub struct Worklists {
    tasks: Arc<Tasks>,
    people: Arc<dyn PeopleStore>,
    directory: Arc<dyn DirectoryStore>,
}

impl Worklists {
    pub fn new(tasks: Arc<Tasks>, people: Arc<dyn PeopleStore>, directory: Arc<dyn DirectoryStore>) -> Self {
        Self { tasks, people, directory }
    }

    async fn work_items(
        &self,
        audience: &Audience,
        unit: UnitId,
        statuses: Vec<Status>,
        light: Option<Light>,
    ) -> Result<WorkItems, Error> {
        let q = TaskQuery {
            audience: Some(audience.clone()),
            unit_id: Some(unit),
            lead_only: true,
            statuses,
            light,
            sort: TaskSort::Due,
            page: 1,
            per_page: SHOWN,
            ..Default::default()
        };
        let page = self.tasks.list_tasks(q).await?;
        Ok(WorkItems { total: page.total, items: page.items })
    }

    /// The work of a unit, as `viewer` may see it: refused for a unit out of their reach.
    pub async fn unit_work(&self, viewer: &Person, unit: UnitId) -> Result<WorkList, Error> {
        let a = Audience::of(viewer);
        if !a.reaches_unit(unit) {
            return Err(Error::Forbidden);
        }
        self.work_of(&a, unit).await
    }

    /// The work of a person's unit, as `viewer` may see it: refused for someone out of their
    /// reach (anyone but themselves and the people of the units they reach).
    pub async fn person_work(&self, viewer: &Person, person: PersonId) -> Result<WorkList, Error> {
        let a = Audience::of(viewer);
        let p = self.people.get_person(person).await?;
        if !a.reaches_person(&p) {
            return Err(Error::Forbidden);
        }
        let unit = p.fields.unit_id.ok_or_else(|| Error::invalid("person", "此人未归属任何单位"))?;
        self.work_of(&a, unit).await
    }

    /// The lists of the tasks `unit` leads, holding only what the audience sees.
    async fn work_of(&self, a: &Audience, unit: UnitId) -> Result<WorkList, Error> {
        self.directory.get_unit(unit).await?;
        Ok(WorkList {
            unit_id: unit,
            to_sign: self.work_items(a, unit, vec![Status::Assigned], None).await?,
            to_report: self
                .work_items(a, unit, vec![Status::Signed, Status::Deployed, Status::InProgress], None)
                .await?,
            overdue: self.work_items(a, unit, vec![], Some(Light::Red)).await?,
            returned: self.work_items(a, unit, vec![Status::Returned], None).await?,
        })
    }
}
