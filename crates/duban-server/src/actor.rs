//! Who is acting: the signed-in person and what their roles let them do
//! ([`Capabilities`]). Every permission the API and the pages check is a question to an
//! [`Actor`] — "may this actor run ledgers?" — never a table of paths or a list of roles; what
//! they may *see* is the [`Audience`](duban_domain::visibility::Audience) of the same person.
//!
//! The capabilities a route can ask for are types ([`Oversee`], [`RunLedgers`], [`Administer`],
//! [`ReadAdminLog`]), so that a handler states its requirement in its signature.

use duban_domain::Error;
use duban_domain::ids::PersonId;
use duban_domain::org::Person;
use duban_domain::visibility::Capabilities;

/// A signed-in person and their capabilities.
#[derive(Debug, Clone)]
pub struct Actor {
    pub person: Person,
    pub caps: Capabilities,
}

impl Actor {
    /// The actor a person is; an inactive person may do nothing.
    pub fn new(person: Person) -> Self {
        let caps = if person.active { Capabilities::of(&person.fields.roles) } else { Capabilities::default() };
        Actor { person, caps }
    }

    /// Whether the actor has the capability `C`.
    pub fn may<C: Capability>(&self) -> bool {
        C::granted(&self.caps)
    }

    /// [`Error::Forbidden`] unless the actor has the capability `C`.
    pub fn require<C: Capability>(&self) -> Result<(), Error> {
        if self.may::<C>() { Ok(()) } else { Err(Error::Forbidden) }
    }

    /// The person an action is taken as: the actor, or, for an actor who may act for others
    /// (an administrator recording on someone's behalf), the person named.
    pub fn acting_as(&self, named: Option<i64>) -> Result<PersonId, Error> {
        match named {
            Some(p) if p != self.person.id.0 => {
                if self.caps.act_for_others {
                    Ok(PersonId(p))
                } else {
                    Err(Error::Forbidden)
                }
            }
            _ => Ok(self.person.id),
        }
    }
}

/// A capability a route may require: which of the actor's [`Capabilities`] grants it.
pub trait Capability: Send + Sync + 'static {
    fn granted(c: &Capabilities) -> bool;
}

/// Declares a capability type granted by one field of [`Capabilities`].
macro_rules! capability {
    ($($(#[$doc:meta])* $name:ident => $field:ident;)*) => {$(
        $(#[$doc])*
        pub struct $name;

        impl Capability for $name {
            fn granted(c: &Capabilities) -> bool {
                c.$field
            }
        }
    )*};
}

capability! {
    /// The supervision pages and a 督办 by hand.
    Oversee => oversee;
    /// Creating, editing and withdrawing ledgers and tasks; imports.
    RunLedgers => run_ledgers;
    /// The directory, people, the calendar and the rules.
    Administer => administer;
    /// The administrative audit log.
    ReadAdminLog => read_admin_log;
}

#[cfg(test)]
mod tests {
    use super::*;
    use duban_domain::org::Role;

    fn actor(roles: &[Role]) -> Actor {
        let fields = duban_domain::org::NewPerson {
            name: "甲".into(),
            username: "jia".into(),
            unit_id: None,
            roles: roles.to_vec(),
            title: String::new(),
            phone: String::new(),
            email: String::new(),
            domains: vec![],
            charge_units: vec![],
        };
        Actor::new(Person { id: PersonId(7), fields, active: true })
    }

    /// The decisions of the old path table (`api/auth.rs::allowed`), as capabilities.
    #[test]
    fn roles_decide_what_may_be_changed() {
        let officer = actor(&[Role::Officer]);
        let leader = actor(&[Role::Leader]);
        let office = actor(&[Role::Office]);
        let admin = actor(&[Role::Admin]);
        assert!(!officer.may::<RunLedgers>() && !officer.may::<Oversee>() && !officer.may::<Administer>());
        assert!(leader.may::<Oversee>() && !leader.may::<RunLedgers>());
        assert!(office.may::<RunLedgers>() && office.may::<Oversee>());
        assert!(!office.may::<Administer>() && !office.may::<ReadAdminLog>());
        assert!(admin.may::<Administer>() && admin.may::<ReadAdminLog>() && admin.may::<RunLedgers>());
        assert_eq!(officer.acting_as(Some(7)).ok(), Some(PersonId(7)));
        assert!(officer.acting_as(Some(8)).is_err());
        assert_eq!(admin.acting_as(Some(8)).ok(), Some(PersonId(8)));
        assert_eq!(officer.require::<Administer>(), Err(Error::Forbidden));
    }
}
