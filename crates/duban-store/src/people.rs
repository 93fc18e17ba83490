//! People: the users of Duban and the leaders and contacts that tasks name.
//!
//! The port [`PeopleStore`]; the SQL that implements it is `duban-store-sql`'s module of the same name.

use crate::Result;
use async_trait::async_trait;
use duban_domain::ids::PersonId;
use duban_domain::org::{NewPerson, Person};
use jiff::Timestamp;

/// People.
#[async_trait]
pub trait PeopleStore: Send + Sync {
    /// Creates a person, recorded as made `at`.
    async fn create_person(&self, p: &NewPerson, at: Timestamp) -> Result<Person>;
    async fn update_person(&self, id: PersonId, p: &NewPerson) -> Result<Person>;
    async fn get_person(&self, id: PersonId) -> Result<Person>;
    async fn list_people(&self) -> Result<Vec<Person>>;
    /// People are never deleted (the trail names them); they are deactivated.
    async fn deactivate_person(&self, id: PersonId) -> Result<()>;
}
