//! The storage ports the services reach, one per aggregate (`duban-store`), upcast once from
//! the whole store the binary opened ([`Ports::of`], in the composition root). Each service is
//! handed only the ports it uses, as fields of its own (`tasks: Arc<dyn TaskStore>`, …), never
//! the whole store, so what an area may touch is visible in its struct and a port can change
//! without reading every use case.

use duban_store::DemandStore;
use duban_store::{
    AssessmentStore, AttachmentStore, AuditStore, BulletinStore, CalendarStore, DirectoryStore, EnterpriseStore,
    JobStore, LedgerStore, LiaisonStore, MetaStore, OutboxStore, PeopleStore, RankingStore, ReviewStore, SignInStore,
    Store, SupervisionStore, TaskStore,
};
use std::sync::Arc;

/// One handle per storage port, all onto the same store.
#[derive(Clone)]
pub struct Ports {
    /// Tasks, their trail, schedules and progress.
    pub tasks: Arc<dyn TaskStore>,
    /// Units, groups and the names that resolve to them.
    pub directory: Arc<dyn DirectoryStore>,
    pub people: Arc<dyn PeopleStore>,
    pub ledgers: Arc<dyn LedgerStore>,
    pub attachments: Arc<dyn AttachmentStore>,
    /// The administrative audit log.
    pub audit: Arc<dyn AuditStore>,
    /// Imported holiday data.
    pub calendar: Arc<dyn CalendarStore>,
    /// Health, counts and small settings (the rules saved from the web, fingerprints).
    pub meta: Arc<dyn MetaStore>,
    /// Messages to send and the in-app inbox.
    pub outbox: Arc<dyn OutboxStore>,
    /// Passwords and sessions.
    pub sign_in: Arc<dyn SignInStore>,
    /// Notices, naming and the pass's records.
    pub supervision: Arc<dyn SupervisionStore>,
    /// Job leases, outbox claims and the rules/calendar version.
    pub jobs: Arc<dyn JobStore>,
    /// Assessment facts and their daily sums.
    pub assessment: Arc<dyn AssessmentStore>,
    /// Objections, evaluations and document errors.
    pub reviews: Arc<dyn ReviewStore>,
    /// Saved scoring profiles and issued rankings.
    pub rankings: Arc<dyn RankingStore>,
    /// Monthly bulletins.
    pub bulletins: Arc<dyn BulletinStore>,
    /// Key enterprises and projects.
    pub enterprises: Arc<dyn EnterpriseStore>,
    /// Liaison and steward assignments, obligations and visits.
    pub liaison: Arc<dyn LiaisonStore>,
    /// Pre-procedures of key projects.
    pub procedures: Arc<dyn duban_store::ProcedureStore>,
    /// Enterprise demands' own fields.
    pub demands: Arc<dyn DemandStore>,
}

impl Ports {
    /// Every port of one store.
    pub fn of(store: &Arc<dyn Store>) -> Self {
        Self {
            tasks: store.clone(),
            directory: store.clone(),
            people: store.clone(),
            ledgers: store.clone(),
            attachments: store.clone(),
            audit: store.clone(),
            calendar: store.clone(),
            meta: store.clone(),
            outbox: store.clone(),
            sign_in: store.clone(),
            supervision: store.clone(),
            jobs: store.clone(),
            assessment: store.clone(),
            reviews: store.clone(),
            rankings: store.clone(),
            bulletins: store.clone(),
            enterprises: store.clone(),
            liaison: store.clone(),
            procedures: store.clone(),
            demands: store.clone(),
        }
    }
}
