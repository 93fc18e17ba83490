//! The administrative audit log (等保): every change to users, units, unit groups, rules and the
//! calendar is recorded with who made it, when, and what it was before and after — never a
//! password or its hash. The records are append-only and hash-chained in storage
//! (`admin_events`), checked by `duban audit verify`, and shown to administrators.

use crate::service::{CalendarImport, Services};
use duban_domain::Error;
use duban_domain::calendar::CalendarFile;
use duban_domain::ids::{PersonId, UnitId};
use duban_domain::org::{NewPerson, NewUnit, Person, Unit, UnitDirectory};
use duban_store::{AdminEvent, DirectoryImport, NewAdminEvent, admin_kind};
use serde::Serialize;
use serde_json::Value;

/// Who made a change.
#[derive(Debug, Clone, Copy)]
pub enum Actor<'a> {
    /// A signed-in administrator (pages or API).
    Person(&'a Person),
    /// The command line (`duban user add`, `duban units import` …), run on the server itself.
    CommandLine,
}

impl Actor<'_> {
    /// The name shown in the log.
    pub fn label(&self) -> String {
        match self {
            Actor::Person(p) => format!("{}（{}）", p.fields.name, p.fields.username),
            Actor::CommandLine => "命令行".to_string(),
        }
    }
}

/// A value as JSON for the log's `before` / `after`.
pub fn snapshot<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

impl Services {
    /// Records one administrative change. `before` and `after` must hold no secret.
    pub async fn record_admin(
        &self,
        actor: Actor<'_>,
        kind: &str,
        target: impl Into<String>,
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
            at: self.now(),
            actor_id: match actor {
                Actor::Person(p) => Some(p.id),
                Actor::CommandLine => None,
            },
            actor: actor.label(),
            kind: kind.to_string(),
            target: target.into(),
            data: Value::Object(data),
        };
        self.ports.audit.record_admin_event(&e).await
    }
}

/// How a unit is named in the log.
pub fn unit_target(u: &duban_domain::org::Unit) -> String {
    format!("单位 {}（{}）", u.name, u.id.0)
}

/// How a person is named in the log.
pub fn person_target(p: &Person) -> String {
    format!("用户 {}（{}）", p.fields.username, p.fields.name)
}

/// The administrative changes, each recorded in the log after it succeeds. The pages, the API
/// and the command line make their changes through these.
impl Services {
    pub async fn admin_add_unit(&self, by: Actor<'_>, u: &NewUnit) -> Result<Unit, Error> {
        let made = self.ports.directory.create_unit(u, self.now()).await?;
        self.record_admin(by, admin_kind::UNIT_ADD, unit_target(&made), None, Some(snapshot(&made))).await?;
        Ok(made)
    }

    /// Renames a unit, changes its aliases or other fields.
    pub async fn admin_edit_unit(&self, by: Actor<'_>, id: UnitId, u: &NewUnit) -> Result<Unit, Error> {
        let before = self.ports.directory.get_unit(id).await?;
        let after = self.ports.directory.update_unit(id, u, self.now()).await?;
        self.record_admin(
            by,
            admin_kind::UNIT_UPDATE,
            unit_target(&after),
            Some(snapshot(&before)),
            Some(snapshot(&after)),
        )
        .await?;
        Ok(after)
    }

    pub async fn admin_delete_unit(&self, by: Actor<'_>, id: UnitId) -> Result<(), Error> {
        let before = self.ports.directory.get_unit(id).await?;
        self.ports.directory.delete_unit(id).await?;
        self.record_admin(by, admin_kind::UNIT_DELETE, unit_target(&before), Some(snapshot(&before)), None).await?;
        Ok(())
    }

    /// Loads a unit directory (units and unit groups); the log keeps the file's units and
    /// groups as loaded, and what changed.
    pub async fn admin_load_unit_directory(
        &self,
        by: Actor<'_>,
        text: &str,
        file: &str,
    ) -> Result<DirectoryImport, Error> {
        let dir = UnitDirectory::from_toml(text)?;
        let r = self.ports.directory.import_directory(&dir, self.now()).await?;
        let after = serde_json::json!({"file": file, "result": snapshot(&r), "directory": snapshot(&dir)});
        self.record_admin(by, admin_kind::DIRECTORY_IMPORT, format!("单位名录 {file}"), None, Some(after)).await?;
        Ok(r)
    }

    /// Adds a person, with a first password if given (checked against the password rule before the
    /// person is made; never logged).
    pub async fn admin_add_person(
        &self,
        by: Actor<'_>,
        p: &NewPerson,
        password: Option<&str>,
    ) -> Result<Person, Error> {
        if let Some(pw) = password {
            crate::sign_in::check_password(&p.username, pw)?;
        }
        let made = self.ports.people.create_person(p, self.now()).await?;
        if let Some(pw) = password {
            self.set_password(made.id, pw).await?;
        }
        let after = serde_json::json!({"person": snapshot(&made), "password_set": password.is_some()});
        self.record_admin(by, admin_kind::USER_ADD, person_target(&made), None, Some(after)).await?;
        Ok(made)
    }

    /// Changes a person's unit, roles or other fields.
    pub async fn admin_edit_person(&self, by: Actor<'_>, id: PersonId, p: &NewPerson) -> Result<Person, Error> {
        let before = self.ports.people.get_person(id).await?;
        let after = self.update_person(id, p).await?;
        self.record_admin(
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
    pub async fn admin_set_password(&self, by: Actor<'_>, id: PersonId, password: &str) -> Result<(), Error> {
        self.set_password(id, password).await?;
        let p = self.ports.people.get_person(id).await?;
        self.record_admin(by, admin_kind::USER_PASSWORD, person_target(&p), None, None).await?;
        Ok(())
    }

    pub async fn admin_deactivate(&self, by: Actor<'_>, id: PersonId) -> Result<(), Error> {
        let before = self.ports.people.get_person(id).await?;
        self.deactivate_person(id).await?;
        let after = self.ports.people.get_person(id).await?;
        self.record_admin(
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
    pub async fn admin_load_calendar_file(
        &self,
        by: Actor<'_>,
        file: CalendarFile,
        note: &str,
    ) -> Result<CalendarImport, Error> {
        let content = snapshot(&file);
        let r = self.load_calendar_file(file, note).await?;
        let after = serde_json::json!({"note": note, "years": r.years, "coverage": r.coverage, "file": content});
        self.record_admin(by, admin_kind::CALENDAR_IMPORT, format!("节假日数据 {note}"), None, Some(after)).await?;
        Ok(r)
    }

    /// Saves rules (or, with `None`, returns to the configuration's); the log keeps the text
    /// before and after.
    pub async fn admin_set_rules(&self, by: Actor<'_>, text: Option<&str>) -> Result<u64, Error> {
        let before = self.saved_rules().await?;
        let n = self.set_rules(text).await?;
        let kind = if text.is_some() { admin_kind::RULES_SAVE } else { admin_kind::RULES_RESET };
        self.record_admin(
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
