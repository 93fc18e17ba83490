//! [`Queries`], the plain reads the transport needs: health, the directory, people, ledgers, a
//! task's history and files, notices, naming and activity, the inbox. The API and the pages call
//! these and never the store, so that storage stays behind the service layer (one place to
//! change when a port changes) and every read that needs a visibility rule gets it here.

use crate::access::Access;
use crate::ports::Ports;
use duban_domain::Error;
use duban_domain::ids::{GroupId, LedgerId, PersonId, TaskId, UnitId};
use duban_domain::org::{Person, Unit, UnitGroup};
use duban_store::{
    Activity, Attachment, AttachmentStore, DirectoryStore, Ledger, LedgerStore, Message, MetaStore, Naming, Notice,
    OutboxStore, Page, PartyRef, PeopleStore, SupervisionStore, TaskEvent, TaskQuery, TaskStore,
};
use std::collections::HashMap;
use std::future::Future;
use std::ops::ControlFlow;
use std::sync::Arc;

/// How many tasks a walk over a whole list reads at a time.
pub const WALK_PAGE: u32 = 500;

/// Walks the pages of a task list from the query's page on, [`WALK_PAGE`] items at a time, until
/// the list ends or `each` breaks: one loop for exports, training and re-imports.
pub async fn each_page<T, Fut>(
    mut q: TaskQuery,
    mut fetch: impl FnMut(TaskQuery) -> Fut,
    mut each: impl FnMut(Vec<T>) -> ControlFlow<()>,
) -> Result<(), Error>
where
    Fut: Future<Output = Result<Page<T>, Error>>,
{
    q.per_page = WALK_PAGE;
    loop {
        let items = fetch(q.clone()).await?.items;
        let full = items.len() == WALK_PAGE as usize;
        if each(items).is_break() || !full {
            return Ok(());
        }
        q.page += 1;
    }
}

/// Whether the database answers, and which backend it is.
#[derive(Debug, Clone, Copy)]
pub struct Health {
    pub up: bool,
    pub backend: &'static str,
}

/// The plain reads, over the ports they read, with [`Access`] for the inbox.
pub struct Queries {
    access: Access,
    meta: Arc<dyn MetaStore>,
    directory: Arc<dyn DirectoryStore>,
    people: Arc<dyn PeopleStore>,
    ledgers: Arc<dyn LedgerStore>,
    tasks: Arc<dyn TaskStore>,
    attachments: Arc<dyn AttachmentStore>,
    supervision: Arc<dyn SupervisionStore>,
    outbox: Arc<dyn OutboxStore>,
}

impl Queries {
    /// The reads over these ports.
    pub fn new(access: Access, ports: &Ports) -> Self {
        Self {
            access,
            meta: ports.meta.clone(),
            directory: ports.directory.clone(),
            people: ports.people.clone(),
            ledgers: ports.ledgers.clone(),
            tasks: ports.tasks.clone(),
            attachments: ports.attachments.clone(),
            supervision: ports.supervision.clone(),
            outbox: ports.outbox.clone(),
        }
    }

    /// Whether the database answers.
    pub async fn health(&self) -> Health {
        Health { up: self.meta.ping().await.is_ok(), backend: self.meta.backend() }
    }

    pub async fn units(&self) -> Result<Vec<Unit>, Error> {
        self.directory.list_units().await
    }

    pub async fn unit(&self, id: UnitId) -> Result<Unit, Error> {
        self.directory.get_unit(id).await
    }

    pub async fn groups(&self) -> Result<Vec<UnitGroup>, Error> {
        self.directory.list_groups().await
    }

    pub async fn group(&self, id: GroupId) -> Result<UnitGroup, Error> {
        self.directory.get_group(id).await
    }

    /// The unit or group a name (or alias) stands for.
    pub async fn resolve_name(&self, name: &str) -> Result<Option<PartyRef>, Error> {
        self.directory.resolve_name(name).await
    }

    pub async fn all_people(&self) -> Result<Vec<Person>, Error> {
        self.people.list_people().await
    }

    pub async fn person(&self, id: PersonId) -> Result<Person, Error> {
        self.people.get_person(id).await
    }

    /// Every person's name, by id.
    pub async fn person_names(&self) -> Result<HashMap<PersonId, String>, Error> {
        Ok(self.all_people().await?.into_iter().map(|p| (p.id, p.fields.name)).collect())
    }

    pub async fn ledgers(&self) -> Result<Vec<Ledger>, Error> {
        self.ledgers.list_ledgers().await
    }

    pub async fn ledger(&self, id: LedgerId) -> Result<Ledger, Error> {
        self.ledgers.get_ledger(id).await
    }

    /// A task's history. The caller checks that the task may be seen.
    pub async fn task_events(&self, id: TaskId) -> Result<Vec<TaskEvent>, Error> {
        self.tasks.task_events(id).await
    }

    /// A task's files. The caller checks that the task may be seen.
    pub async fn attachments(&self, id: TaskId) -> Result<Vec<Attachment>, Error> {
        self.attachments.list_attachments(id).await
    }

    /// A file and its bytes. The caller checks that its task may be seen.
    pub async fn attachment(&self, id: i64) -> Result<(Attachment, Vec<u8>), Error> {
        self.attachments.get_attachment(id).await
    }

    /// Every 督办 notice issued, oldest first.
    pub async fn notices(&self) -> Result<Vec<Notice>, Error> {
        self.supervision.list_notices().await
    }

    /// Every naming (通报) candidate.
    pub async fn naming(&self) -> Result<Vec<Naming>, Error> {
        self.supervision.list_naming().await
    }

    /// The progress events of these tasks.
    pub async fn activity_of(&self, ids: &[TaskId]) -> Result<Vec<Activity>, Error> {
        Ok(self.supervision.supervision_records(&[], ids).await?.activity)
    }

    /// A person's in-app inbox, newest first: delivered messages only, and only those of tasks
    /// the person may still see (a notice queued before a task became 涉密, or before the
    /// person moved unit, does not show its title), at most `limit`.
    pub async fn inbox(&self, person: &Person, limit: usize) -> Result<Vec<Message>, Error> {
        Ok(self.inbox_page(person, None, limit).await?.0)
    }

    /// One page of a person's inbox (see [`Self::inbox`]), below message id `before` when given;
    /// with the id to ask below for the next page when there may be more.
    pub async fn inbox_page(
        &self,
        person: &Person,
        mut before: Option<i64>,
        limit: usize,
    ) -> Result<(Vec<Message>, Option<i64>), Error> {
        const BATCH: u32 = 100;
        let audience = self.access.audience(person);
        let members = self.access.group_members().await?;
        let mut inbox = Vec::new();
        loop {
            let batch = self.outbox.inbox_page(person.id, before, BATCH).await?;
            let exhausted = batch.len() < BATCH as usize;
            for m in batch {
                before = Some(m.id);
                if let Some(t) = m.message.task_id {
                    match self.tasks.get_task(t).await {
                        Ok(task) if audience.sees(&task, &members) => {}
                        Ok(_) | Err(Error::NotFound { .. }) => continue,
                        Err(e) => return Err(e),
                    }
                }
                inbox.push(m);
                if inbox.len() == limit {
                    return Ok((inbox, before));
                }
            }
            if exhausted {
                return Ok((inbox, None));
            }
        }
    }
}
