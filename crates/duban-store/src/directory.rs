//! The directory: units, unit groups (单位组) and the names and aliases that point to them.
//!
//! The port [`DirectoryStore`]; the SQL that implements it is `duban-store-sql`'s module of the same name.

use crate::{DirectoryImport, PartyRef, Result};
use async_trait::async_trait;
use duban_domain::ids::{GroupId, UnitId};
use duban_domain::org::{NewUnit, Unit, UnitDirectory, UnitGroup};
use jiff::Timestamp;

/// The directory.
#[async_trait]
pub trait DirectoryStore: Send + Sync {
    /// Creates a unit, recorded as made `at`.
    async fn create_unit(&self, u: &NewUnit, at: Timestamp) -> Result<Unit>;
    /// Replaces a unit's fields, recorded as changed `at`.
    async fn update_unit(&self, id: UnitId, u: &NewUnit, at: Timestamp) -> Result<Unit>;
    async fn get_unit(&self, id: UnitId) -> Result<Unit>;
    async fn list_units(&self) -> Result<Vec<Unit>>;
    /// Deletes a unit nothing refers to; a unit in use is a conflict.
    async fn delete_unit(&self, id: UnitId) -> Result<()>;
    /// Adds `alias` to a unit's names, so that it resolves to the unit from now on (a name of an
    /// imported document the office mapped to the unit). A name the unit already has changes
    /// nothing; a name of another unit or group is a conflict; a missing unit is not found.
    async fn add_unit_alias(&self, id: UnitId, alias: &str) -> Result<Unit>;
    /// The unit or group a name or alias points to.
    async fn resolve_name(&self, name: &str) -> Result<Option<PartyRef>>;
    async fn list_groups(&self) -> Result<Vec<UnitGroup>>;
    async fn get_group(&self, id: GroupId) -> Result<UnitGroup>;
    /// Loads a unit directory: creates or updates every unit and group by name, in one
    /// transaction, recorded as made or changed `at`. Loading the same file twice changes nothing.
    async fn import_directory(&self, dir: &UnitDirectory, at: Timestamp) -> Result<DirectoryImport>;
}
