//! [`Services`], the composition root of the application layer: built from one store, it
//! upcasts it once into the [`Ports`] and builds every service, handing each the shared
//! [`Core`] and only the ports it uses, and the services it needs in turn (lifecycle and the
//! document import write through the tasks area, supervision delivers through the outbox, the
//! administrative writes go through sign-in and the rules area). The transport, the command
//! line and the job runner reach a service through its accessor (`services.tasks()`,
//! `services.lifecycle()`, `services.supervision()` …), never the store.

use crate::access::Access;
use crate::admin_log::Administration;
use crate::assessment::Assessment;
use crate::core::Core;
use crate::document_import::DocumentImport;
use crate::lifecycle::Lifecycle;
use crate::outbox::Outbox;
use crate::ports::Ports;
use crate::queries::Queries;
use crate::reporting::Reporting;
use crate::rules::Rules;
use crate::sign_in::SignIn;
use crate::suggest::Suggestions;
use crate::supervision::Supervision;
use crate::tasks::Tasks;
use crate::worklists::Worklists;
use duban_domain::Error;
use duban_domain::calendar::UnknownYears;
use duban_domain::clock::Clock;
use duban_domain::policy::Policy;
use duban_store::{JobStore, Store};
use std::sync::Arc;

/// Every service of the application, built from one store.
pub struct Services {
    core: Arc<Core>,
    access: Access,
    tasks: Arc<Tasks>,
    lifecycle: Lifecycle,
    supervision: Supervision,
    outbox: Arc<Outbox>,
    document_import: DocumentImport,
    suggestions: Arc<Suggestions>,
    sign_in: Arc<SignIn>,
    rules: Arc<Rules>,
    admin: Administration,
    worklists: Worklists,
    reporting: Reporting,
    queries: Queries,
    publication: crate::publication::Publication,
    assessment: Arc<Assessment>,
    reviews: crate::reviews::Reviews,
    rankings: crate::rankings::Rankings,
    bulletins: crate::bulletin::Bulletins,
    enterprises: crate::enterprises::Enterprises,
    liaison: crate::liaison::Liaison,
    procedures: crate::procedures::Procedures,
    demands: crate::demands::Demands,
    registry: crate::registry::Registry,
    /// The job port, for the runner's leases and the rules/calendar version.
    leases: Arc<dyn JobStore>,
}

impl Services {
    /// Builds every service over `store`: loads the rules and calendar in force (the rules an
    /// administrator saved, else `policy`; see [`Rules::load`]), recomputing the open tasks'
    /// schedules when they changed, and reads the time from `clock` only.
    pub async fn new(
        store: Arc<dyn Store>,
        policy: Policy,
        clock: Arc<dyn Clock>,
        unknown_years: UnknownYears,
    ) -> Result<Self, Error> {
        let ports = Ports::of(&store);
        let rules = Arc::new(
            Rules::load(
                ports.meta.clone(),
                ports.calendar.clone(),
                ports.tasks.clone(),
                policy,
                clock.clone(),
                unknown_years,
            )
            .await?,
        );
        let core = rules.core().clone();
        let access = Access::new(ports.tasks.clone(), ports.directory.clone());
        let suggestions = Arc::new(Suggestions::new(core.clone(), ports.tasks.clone(), ports.directory.clone()));
        let tasks = Arc::new(Tasks::new(
            core.clone(),
            access.clone(),
            ports.tasks.clone(),
            ports.ledgers.clone(),
            suggestions.clone(),
        ));
        let lifecycle = Lifecycle {
            core: core.clone(),
            access: access.clone(),
            tasks: tasks.clone(),
            task_store: ports.tasks.clone(),
            people: ports.people.clone(),
            attachments: ports.attachments.clone(),
            queue: ports.outbox.clone(),
        };
        let outbox = Arc::new(Outbox::new(&ports));
        let issuer = Arc::new(std::sync::RwLock::new(crate::supervision::DEFAULT_ISSUER.to_string()));
        let supervision = Supervision {
            core: core.clone(),
            access: access.clone(),
            tasks: ports.tasks.clone(),
            people: ports.people.clone(),
            records: ports.supervision.clone(),
            queue: ports.outbox.clone(),
            outbox: outbox.clone(),
            directory: ports.directory.clone(),
            issuer: issuer.clone(),
        };
        let document_import = DocumentImport {
            core: core.clone(),
            access: access.clone(),
            tasks: tasks.clone(),
            task_store: ports.tasks.clone(),
            directory: ports.directory.clone(),
            ledgers: ports.ledgers.clone(),
            suggestions: suggestions.clone(),
            audit: ports.audit.clone(),
        };
        let sign_in = Arc::new(SignIn::new(ports.people.clone(), ports.sign_in.clone(), clock));
        let admin = Administration {
            core: core.clone(),
            directory: ports.directory.clone(),
            people: ports.people.clone(),
            audit: ports.audit.clone(),
            sign_in: sign_in.clone(),
            rules: rules.clone(),
        };
        let worklists = Worklists::new(tasks.clone(), ports.people.clone(), ports.directory.clone());
        let reporting = Reporting { directory: ports.directory.clone(), tasks: ports.tasks.clone() };
        let queries = Queries::new(access.clone(), &ports);
        let publication = crate::publication::Publication { core: core.clone(), tasks: ports.tasks.clone() };
        let assessment = Arc::new(Assessment {
            core: core.clone(),
            access: access.clone(),
            store: ports.assessment.clone(),
            records: ports.supervision.clone(),
            directory: ports.directory.clone(),
            meta: ports.meta.clone(),
            audit: ports.audit.clone(),
            refreshing: tokio::sync::Mutex::new(()),
        });
        let reviews = crate::reviews::Reviews {
            core: core.clone(),
            access: access.clone(),
            assessment: assessment.clone(),
            store: ports.reviews.clone(),
            directory: ports.directory.clone(),
            people: ports.people.clone(),
            audit: ports.audit.clone(),
            rankings: ports.rankings.clone(),
        };
        let rankings = crate::rankings::Rankings {
            core: core.clone(),
            access: access.clone(),
            assessment: assessment.clone(),
            store: ports.rankings.clone(),
            tasks: ports.tasks.clone(),
            audit: ports.audit.clone(),
        };
        let bulletins = crate::bulletin::Bulletins {
            core: core.clone(),
            assessment: assessment.clone(),
            store: ports.bulletins.clone(),
            records: ports.supervision.clone(),
            directory: ports.directory.clone(),
            people: ports.people.clone(),
            audit: ports.audit.clone(),
            issuer,
        };
        let enterprises = crate::enterprises::Enterprises { core: core.clone(), store: ports.enterprises.clone() };
        let liaison = crate::liaison::Liaison {
            core: core.clone(),
            access: access.clone(),
            tasks: tasks.clone(),
            task_store: ports.tasks.clone(),
            ledgers: ports.ledgers.clone(),
            attachments: ports.attachments.clone(),
            people: ports.people.clone(),
            enterprises: ports.enterprises.clone(),
            store: ports.liaison.clone(),
            policy: duban_domain::liaison::ServicePolicy::seeds(),
        };
        let procedures = crate::procedures::Procedures {
            core: core.clone(),
            tasks: tasks.clone(),
            ledgers: ports.ledgers.clone(),
            store: ports.procedures.clone(),
            projects: ports.enterprises.clone(),
            directory: ports.directory.clone(),
            ledger_lock: tokio::sync::Mutex::new(()),
        };
        let demands = crate::demands::Demands::new(
            core.clone(),
            access.clone(),
            tasks.clone(),
            ports.demands.clone(),
            ports.enterprises.clone(),
            ports.ledgers.clone(),
        );
        let registry = crate::registry::Registry {
            core: core.clone(),
            store: ports.enterprises.clone(),
            directory: ports.directory.clone(),
            people: ports.people.clone(),
        };
        Ok(Self {
            core,
            access,
            tasks,
            lifecycle,
            supervision,
            outbox,
            document_import,
            suggestions,
            sign_in,
            rules,
            admin,
            worklists,
            reporting,
            queries,
            publication,
            assessment,
            reviews,
            rankings,
            bulletins,
            enterprises,
            liaison,
            procedures,
            demands,
            registry,
            leases: ports.jobs,
        })
    }

    /// The clock and the rules and calendar in force.
    pub fn core(&self) -> &Core {
        &self.core
    }

    /// Indicators, rankings and explained scores.
    pub fn assessment(&self) -> &Assessment {
        &self.assessment
    }

    /// Objections, leaders' evaluations and the document-error ledger.
    pub fn reviews(&self) -> &crate::reviews::Reviews {
        &self.reviews
    }

    /// Scoring profiles, issued rankings, trends and exports.
    pub fn rankings(&self) -> &crate::rankings::Rankings {
        &self.rankings
    }

    /// Monthly bulletins: drafts, editing, issuing, the public parts.
    pub fn bulletins(&self) -> &crate::bulletin::Bulletins {
        &self.bulletins
    }

    /// Key enterprises and key projects.
    pub fn enterprises(&self) -> &crate::enterprises::Enterprises {
        &self.enterprises
    }

    /// Liaison (包联) and project stewards (项目管家).
    pub fn liaison(&self) -> &crate::liaison::Liaison {
        &self.liaison
    }

    /// Pre-procedures of key projects: kinds, starts, dispatch and battle map.
    pub fn procedures(&self) -> &crate::procedures::Procedures {
        &self.procedures
    }

    /// Enterprise demands: intake, the office's queue and list, the public page.
    pub fn demands(&self) -> &crate::demands::Demands {
        &self.demands
    }

    /// The enterprise and project lists' import, export and history.
    pub fn registry(&self) -> &crate::registry::Registry {
        &self.registry
    }

    /// Drafts the month's bulletin with the enterprise-side statistics (issue 14 §6) at the end
    /// of 四、重点项目推进情况.
    pub async fn draft_bulletin(
        &self,
        by: &crate::actor::Actor,
        month: &str,
    ) -> Result<duban_store::bulletins::Bulletin, Error> {
        by.require::<crate::actor::RunLedgers>()?;
        let stats = match self.service_views().stats(by, month).await {
            Ok(s) => s,
            // A month the bulletin refuses too: its own words.
            Err(Error::Invalid { .. }) => return self.bulletins.draft(by, month).await,
            Err(e) => return Err(e),
        };
        let extra = duban_domain::service_stats::bulletin_paragraphs(&stats.stats);
        self.bulletins.draft_with(by, month, extra).await
    }

    /// Whole histories of enterprises and units, and the enterprise-side statistics.
    pub fn service_views(&self) -> crate::service_views::ServiceViews<'_> {
        crate::service_views::ServiceViews { s: self }
    }

    /// Who sees which tasks.
    pub fn access(&self) -> &Access {
        &self.access
    }

    /// Tasks and ledgers: creating, reading, listing, editing, withdrawing; the snapshot.
    pub fn tasks(&self) -> &Tasks {
        &self.tasks
    }

    /// The actions on tasks and their evidence.
    pub fn lifecycle(&self) -> &Lifecycle {
        &self.lifecycle
    }

    /// The supervision pass and the 督办 by hand.
    pub fn supervision(&self) -> &Supervision {
        &self.supervision
    }

    /// The outbox: its transports and delivery.
    pub fn outbox(&self) -> &Outbox {
        &self.outbox
    }

    /// Previewing and committing task documents.
    pub fn document_import(&self) -> &DocumentImport {
        &self.document_import
    }

    /// Lead-unit suggestions.
    pub fn suggestions(&self) -> &Suggestions {
        &self.suggestions
    }

    /// Passwords, sessions, throttling, and the web front's settings.
    pub fn sign_in(&self) -> &SignIn {
        &self.sign_in
    }

    /// The rules and calendar: saving, reloading, rescheduling.
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// The administrative writes and their audit log.
    pub fn admin(&self) -> &Administration {
        &self.admin
    }

    /// The work lists of units and people.
    pub fn worklists(&self) -> &Worklists {
        &self.worklists
    }

    /// Party names and progress reports for pages and exports.
    pub fn reporting(&self) -> &Reporting {
        &self.reporting
    }

    /// The public pages' reads and marking feedback publishable.
    pub fn publication(&self) -> &crate::publication::Publication {
        &self.publication
    }

    /// The plain reads.
    pub fn queries(&self) -> &Queries {
        &self.queries
    }

    /// The job port, for the runner in this crate.
    pub(crate) fn leases(&self) -> &Arc<dyn JobStore> {
        &self.leases
    }
}
