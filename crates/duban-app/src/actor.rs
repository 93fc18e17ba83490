//! Who is acting, and what they may do. Every permission a use case or the transport checks is
//! a question to an [`Actor`] — "may this actor run ledgers?" — never a table of paths or a
//! list of roles; what a signed-in person may *see* is the
//! [`Audience`](duban_domain::visibility::Audience) of the same person.
//!
//! An actor is a signed-in person, with the [`Capabilities`] of their roles, or the command
//! line (`duban user add`, `duban units import` …), run on the server itself, which may do
//! everything and sees every task. The capabilities a use case or a route can ask for are
//! types ([`Oversee`], [`RunLedgers`], [`Administer`], [`ReadAdminLog`]), so that a
//! requirement reads as a type in a signature or a call.

use duban_domain::Error;
use duban_domain::ids::PersonId;
use duban_domain::org::Person;
use duban_domain::visibility::Capabilities;

/// A signed-in person, or the command line, and what they may do.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The person acting; `None` for the command line.
    person: Option<Person>,
    caps: Capabilities,
}

impl Actor {
    /// The actor a person is; an inactive person may do nothing.
    pub fn new(person: Person) -> Self {
        let caps = if person.active { Capabilities::of(&person.fields.roles) } else { Capabilities::default() };
        Actor { person: Some(person), caps }
    }

    /// The command line, run on the server itself: it may do everything and sees every task.
    pub fn command_line() -> Self {
        let caps = Capabilities {
            all_units: true,
            charge_units: true,
            own_unit: true,
            oversee: true,
            run_ledgers: true,
            administer: true,
            read_admin_log: true,
            act_for_others: true,
        };
        Actor { person: None, caps }
    }

    /// The person acting; `None` for the command line.
    pub fn person(&self) -> Option<&Person> {
        self.person.as_ref()
    }

    /// The id of the person acting; `None` for the command line.
    pub fn id(&self) -> Option<PersonId> {
        self.person.as_ref().map(|p| p.id)
    }

    /// What the actor's roles let them do.
    pub fn capabilities(&self) -> &Capabilities {
        &self.caps
    }

    /// The name shown in the administrative audit log.
    pub fn label(&self) -> String {
        match &self.person {
            Some(p) => format!("{}（{}）", p.fields.name, p.fields.username),
            None => "命令行".to_string(),
        }
    }

    /// [`Error::Forbidden`] unless the actor is an active signed-in person or the command line:
    /// what reading the records everyone signed in may read (the enterprise lists, visits,
    /// procedures) asks.
    pub fn require_signed_in(&self) -> Result<(), Error> {
        match &self.person {
            Some(p) if p.active => Ok(()),
            None if self.caps.run_ledgers => Ok(()),
            _ => Err(Error::Forbidden),
        }
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
    /// (an administrator recording on someone's behalf), the person named. The command line
    /// acts only as the person it names.
    pub fn acting_as(&self, named: Option<i64>) -> Result<PersonId, Error> {
        match (named, self.id()) {
            (Some(p), Some(me)) if p != me.0 => {
                if self.caps.act_for_others {
                    Ok(PersonId(p))
                } else {
                    Err(Error::Forbidden)
                }
            }
            (_, Some(me)) => Ok(me),
            (Some(p), None) => Ok(PersonId(p)),
            (None, None) => Err(Error::invalid("actor", "请指明操作人")),
        }
    }
}

/// A capability a use case or a route may require: which of the actor's [`Capabilities`]
/// grants it.
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

    #[test]
    fn the_command_line_may_do_everything_as_nobody() {
        let cli = Actor::command_line();
        assert!(cli.may::<Administer>() && cli.may::<RunLedgers>() && cli.may::<Oversee>());
        assert_eq!((cli.id(), cli.label().as_str()), (None, "命令行"));
        assert_eq!(cli.acting_as(Some(8)).ok(), Some(PersonId(8)));
        assert!(cli.acting_as(None).is_err());
        assert_eq!(actor(&[Role::Officer]).label(), "甲（jia）");
    }

    #[test]
    fn reading_needs_an_active_person_or_the_command_line() {
        assert_eq!(Actor::command_line().require_signed_in(), Ok(()));
        let officer = actor(&[Role::Officer]);
        assert_eq!(officer.require_signed_in(), Ok(()));
        let mut gone = officer.person().unwrap().clone();
        gone.active = false;
        assert_eq!(Actor::new(gone).require_signed_in(), Err(Error::Forbidden));
    }
}
