//! [`Administration`], the administrative writes and their audit log (等保): every change to
//! users, units, unit groups, rules and the calendar is made by an [`Actor`] who may
//! [`Administer`] (a signed-in administrator, or the command line) and recorded with who made
//! it, when, and what it was before and after — never a password or its hash. The records are
//! append-only and hash-chained in storage (`admin_events`), checked by `duban audit verify`,
//! and shown to administrators ([`Administration::events`]).
//!
//! Passwords and deactivations go through [`SignIn`] (which ends sessions and keeps an
//! administrator), rules and holiday data through [`Rules`] (which reschedules the open tasks).

use crate::actor::{Actor, Administer, ReadAdminLog};
use crate::core::Core;
use crate::rules::{CalendarImport, Rules};
use crate::sign_in::SignIn;
use duban_domain::Error;
use duban_domain::calendar::CalendarFile;
use duban_domain::ids::{PersonId, UnitId};
use duban_domain::org::{NewPerson, NewUnit, Person, Unit, UnitDirectory};
use duban_store::{AdminEvent, AuditStore, DirectoryImport, DirectoryStore, NewAdminEvent, PeopleStore, admin_kind};
use serde::Serialize;
use serde_json::Value;
use std::sync::Arc;

/// A value as JSON for the log's `before` / `after`.
pub fn snapshot<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// The administrative writes, over the directory, people and audit ports, with sign-in and the
/// rules area for what they change.
pub struct Administration {
    pub(crate) core: Arc<Core>,
    pub(crate) directory: Arc<dyn DirectoryStore>,
    pub(crate) people: Arc<dyn PeopleStore>,
    pub(crate) audit: Arc<dyn AuditStore>,
    pub(crate) sign_in: Arc<SignIn>,
    pub(crate) rules: Arc<Rules>,
}

impl Administration {
    /// Records one administrative change. `before` and `after` must hold no secret.
    pub async fn record(
        &self,
        actor: &Actor,
        kind: &str,
        target: impl Into<String>,
        before: Option<Value>,
        after: Option<Value>,
    ) -> Result<AdminEvent, Error> {
        record(&*self.audit, &self.core, actor, kind, target.into(), before, after).await
    }

    /// The administrative audit log, newest first, as `reader` may read it.
    pub async fn events(&self, reader: &Actor, before: Option<i64>, limit: u32) -> Result<Vec<AdminEvent>, Error> {
        reader.require::<ReadAdminLog>()?;
        self.audit.admin_events(before, limit).await
    }
}

/// Records one administrative change in the log, at the core's clock. `before` and `after` must
/// hold no secret. The administrative writes of other areas (the units the office settles
/// while importing) are recorded through this too.
pub(crate) async fn record(
    audit: &dyn AuditStore,
    core: &Core,
    actor: &Actor,
    kind: &str,
    target: String,
    before: Option<Value>,
    after: Option<Value>,
) -> Result<AdminEvent, Error> {
    let mut data = serde_json::Map::new();
    if let Some(b) = before {
        data.insert("before".into(), b);
    }
    if let Some(a) = after {
        data.insert("after".into(), a);
    }
    let e = NewAdminEvent {
        at: core.now(),
        actor_id: actor.id(),
        actor: actor.label(),
        kind: kind.to_string(),
        target,
        data: Value::Object(data),
    };
    audit.record_admin_event(&e).await
}

/// How a unit is named in the log.
pub fn unit_target(u: &duban_domain::org::Unit) -> String {
    format!("单位 {}（{}）", u.name, u.id.0)
}

/// How a person is named in the log.
pub fn person_target(p: &Person) -> String {
    format!("用户 {}（{}）", p.fields.username, p.fields.name)
}

/// The administrative changes, each refused unless `by` may [`Administer`] and recorded in the
/// log after it succeeds. The pages, the API and the command line make their changes through
/// these.
impl Administration {
    pub async fn add_unit(&self, by: &Actor, u: &NewUnit) -> Result<Unit, Error> {
        by.require::<Administer>()?;
        let made = self.directory.create_unit(u, self.core.now()).await?;
        self.record(by, admin_kind::UNIT_ADD, unit_target(&made), None, Some(snapshot(&made))).await?;
        Ok(made)
    }

    /// Renames a unit, changes its aliases or other fields.
    pub async fn edit_unit(&self, by: &Actor, id: UnitId, u: &NewUnit) -> Result<Unit, Error> {
        by.require::<Administer>()?;
        let before = self.directory.get_unit(id).await?;
        let after = self.directory.update_unit(id, u, self.core.now()).await?;
        self.record(by, admin_kind::UNIT_UPDATE, unit_target(&after), Some(snapshot(&before)), Some(snapshot(&after)))
            .await?;
        Ok(after)
    }

    pub async fn delete_unit(&self, by: &Actor, id: UnitId) -> Result<(), Error> {
        by.require::<Administer>()?;
        let before = self.directory.get_unit(id).await?;
        self.directory.delete_unit(id).await?;
        self.record(by, admin_kind::UNIT_DELETE, unit_target(&before), Some(snapshot(&before)), None).await?;
        Ok(())
    }

    /// Loads a unit directory (units and unit groups); the log keeps the file's units and
    /// groups as loaded, and what changed.
    pub async fn load_unit_directory(&self, by: &Actor, text: &str, file: &str) -> Result<DirectoryImport, Error> {
        by.require::<Administer>()?;
        let dir = UnitDirectory::from_toml(text)?;
        let r = self.directory.import_directory(&dir, self.core.now()).await?;
        let after = serde_json::json!({"file": file, "result": snapshot(&r), "directory": snapshot(&dir)});
        self.record(by, admin_kind::DIRECTORY_IMPORT, format!("单位名录 {file}"), None, Some(after)).await?;
        Ok(r)
    }

    /// Adds a person, with a first password if given (checked against the password rule before the
    /// person is made; never logged).
    pub async fn add_person(&self, by: &Actor, p: &NewPerson, password: Option<&str>) -> Result<Person, Error> {
        by.require::<Administer>()?;
        if let Some(pw) = password {
            crate::sign_in::check_password(&p.username, pw)?;
        }
        let made = self.people.create_person(p, self.core.now()).await?;
        if let Some(pw) = password {
            self.sign_in.set_password(made.id, pw).await?;
        }
        let after = serde_json::json!({"person": snapshot(&made), "password_set": password.is_some()});
        self.record(by, admin_kind::USER_ADD, person_target(&made), None, Some(after)).await?;
        Ok(made)
    }

    /// Changes a person's unit, roles or other fields.
    pub async fn edit_person(&self, by: &Actor, id: PersonId, p: &NewPerson) -> Result<Person, Error> {
        by.require::<Administer>()?;
        let before = self.people.get_person(id).await?;
        let after = self.sign_in.update_person(id, p).await?;
        self.record(
            by,
            admin_kind::USER_UPDATE,
            person_target(&after),
            Some(snapshot(&before)),
            Some(snapshot(&after)),
        )
        .await?;
        Ok(after)
    }

    /// Resets a password; the log says whose, never what.
    pub async fn set_password(&self, by: &Actor, id: PersonId, password: &str) -> Result<(), Error> {
        by.require::<Administer>()?;
        self.sign_in.set_password(id, password).await?;
        let p = self.people.get_person(id).await?;
        self.record(by, admin_kind::USER_PASSWORD, person_target(&p), None, None).await?;
        Ok(())
    }

    pub async fn deactivate(&self, by: &Actor, id: PersonId) -> Result<(), Error> {
        by.require::<Administer>()?;
        let before = self.people.get_person(id).await?;
        self.sign_in.deactivate_person(id).await?;
        let after = self.people.get_person(id).await?;
        self.record(
            by,
            admin_kind::USER_DEACTIVATE,
            person_target(&after),
            Some(serde_json::json!({"active": before.active})),
            Some(serde_json::json!({"active": after.active})),
        )
        .await?;
        Ok(())
    }

    /// Imports holiday data; the log keeps the file's content.
    pub async fn load_calendar_file(
        &self,
        by: &Actor,
        file: CalendarFile,
        note: &str,
    ) -> Result<CalendarImport, Error> {
        by.require::<Administer>()?;
        let content = snapshot(&file);
        let r = self.rules.load_calendar_file(file, note).await?;
        let after = serde_json::json!({"note": note, "years": r.years, "coverage": r.coverage, "file": content});
        self.record(by, admin_kind::CALENDAR_IMPORT, format!("节假日数据 {note}"), None, Some(after)).await?;
        Ok(r)
    }

    /// Saves rules (or, with `None`, returns to the configuration's); the log keeps the text
    /// before and after.
    pub async fn set_rules(&self, by: &Actor, text: Option<&str>) -> Result<u64, Error> {
        by.require::<Administer>()?;
        let before = self.rules.saved_rules().await?;
        let n = self.rules.set_rules(text).await?;
        let kind = if text.is_some() { admin_kind::RULES_SAVE } else { admin_kind::RULES_RESET };
        self.record(
            by,
            kind,
            "时限规则",
            Some(serde_json::json!({"rules": before})),
            Some(serde_json::json!({"rules": text})),
        )
        .await?;
        Ok(n)
    }
}
