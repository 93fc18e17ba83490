//! Key enterprises and key projects (issue 14 §1): the lists the service to enterprises hangs
//! on. Everyone signed in may read them; those who run ledgers (the office) add and edit them.
//! Every write keeps the record's new version in the store's append-only history.

use crate::actor::{Actor, RunLedgers};
use crate::core::Core;
use duban_domain::Error;
use duban_domain::enterprise::{Enterprise, EnterpriseInput, Project, ProjectInput};
use duban_domain::ids::{EnterpriseId, ProjectId};
use duban_store::EnterpriseStore;
use duban_store::enterprises::{EnterpriseQuery, ProjectQuery, RecordKind, RegistryChange};
use std::sync::Arc;

/// The enterprise and project lists.
pub struct Enterprises {
    pub core: Arc<Core>,
    pub store: Arc<dyn EnterpriseStore>,
}

impl Enterprises {
    pub async fn create_enterprise(&self, actor: &Actor, input: EnterpriseInput) -> Result<Enterprise, Error> {
        actor.require::<RunLedgers>()?;
        let e = input.parse()?;
        self.store.insert_enterprise(&e, actor.id(), self.core.now()).await
    }

    pub async fn update_enterprise(
        &self,
        actor: &Actor,
        id: EnterpriseId,
        version: i64,
        input: EnterpriseInput,
    ) -> Result<Enterprise, Error> {
        actor.require::<RunLedgers>()?;
        let e = input.parse()?;
        self.store.update_enterprise(id, version, &e, actor.id(), self.core.now()).await
    }

    pub async fn enterprise(&self, actor: &Actor, id: EnterpriseId) -> Result<Enterprise, Error> {
        actor.require_signed_in()?;
        self.store.enterprise(id).await?.ok_or_else(|| Error::not_found(format!("企业 {id}")))
    }

    pub async fn enterprises(&self, actor: &Actor, q: &EnterpriseQuery) -> Result<(Vec<Enterprise>, i64), Error> {
        actor.require_signed_in()?;
        self.store.enterprises(q).await
    }

    pub async fn create_project(&self, actor: &Actor, input: ProjectInput) -> Result<Project, Error> {
        actor.require::<RunLedgers>()?;
        let p = input.parse()?;
        self.check_investor(&p.enterprise_id).await?;
        self.store.insert_project(&p, actor.id(), self.core.now()).await
    }

    pub async fn update_project(
        &self,
        actor: &Actor,
        id: ProjectId,
        version: i64,
        input: ProjectInput,
    ) -> Result<Project, Error> {
        actor.require::<RunLedgers>()?;
        let p = input.parse()?;
        self.check_investor(&p.enterprise_id).await?;
        self.store.update_project(id, version, &p, actor.id(), self.core.now()).await
    }

    async fn check_investor(&self, id: &Option<EnterpriseId>) -> Result<(), Error> {
        if let Some(e) = id
            && self.store.enterprise(*e).await?.is_none()
        {
            return Err(Error::invalid("enterprise_id", format!("企业 {e} 不在重点企业名单中")));
        }
        Ok(())
    }

    pub async fn project(&self, actor: &Actor, id: ProjectId) -> Result<Project, Error> {
        actor.require_signed_in()?;
        self.store.project(id).await?.ok_or_else(|| Error::not_found(format!("项目 {id}")))
    }

    pub async fn projects(&self, actor: &Actor, q: &ProjectQuery) -> Result<(Vec<Project>, i64), Error> {
        actor.require_signed_in()?;
        self.store.projects(q).await
    }

    /// Every version of an enterprise or project, newest first.
    pub async fn history(&self, actor: &Actor, kind: RecordKind, id: i64) -> Result<Vec<RegistryChange>, Error> {
        actor.require_signed_in()?;
        self.store.registry_history(kind, id).await
    }
}
