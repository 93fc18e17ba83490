//! Who may see which task, and which of its fields (issue 9): the one rule every surface applies
//! — lists and counts (as SQL built from an [`Audience`]), single tasks, work lists, exports, the
//! whole-ledger pages, notices and their recipients.
//!
//! - What a role reaches ([`Capabilities`]): the supervision office and administrators every unit;
//!   a leader the units in their charge and their own; a unit's officers and head their own unit.
//!   And what a role may do beyond reading: oversee, run ledgers, administer, read the audit log.
//! - What a person sees ([`Audience::sees`]): a task of a unit they reach, as lead or cooperating
//!   unit, directly or through a group. A 涉密 task only the people named on it (its leader in
//!   charge and its responsible person), whatever their roles.
//! - Which fields go where ([`disclosure`]): everything on screen (pages, API, in-app inbox) to a
//!   person who sees the task; over e-mail and SMS, which leave the government network, never a
//!   涉密 task's content; on the published list only 公开 tasks.

use crate::ids::{PersonId, UnitId};
use crate::org::{Person, Role};
use crate::task::{Classification, NewTask, Party, Task};
use std::collections::HashMap;

/// Each group's member units, by group id.
pub type Members = HashMap<i64, Vec<UnitId>>;

/// The units behind a list of parties: each unit itself, and each group's member units (a group
/// that is not in `members` has none). The one place a group is expanded.
pub fn units<'a>(parties: &'a [Party], members: &'a Members) -> impl Iterator<Item = UnitId> + 'a {
    parties.iter().flat_map(move |p| match p {
        Party::Unit(u) => std::slice::from_ref(u).iter().copied(),
        Party::Group(g) => members.get(&g.0).map(Vec::as_slice).unwrap_or_default().iter().copied(),
    })
}

/// What a person's roles let them reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Capabilities {
    /// Every unit's tasks (the office, administrators).
    pub all_units: bool,
    /// The tasks of the units in their charge (leaders).
    pub charge_units: bool,
    /// The tasks of their own unit (officers, unit heads, leaders).
    pub own_unit: bool,
    /// The supervision pages (督办, 统计) and a 督办 by hand (the office, administrators, leaders).
    pub oversee: bool,
    /// Ledgers, tasks and imports: create, edit, withdraw (the office, administrators).
    pub run_ledgers: bool,
    /// The directory, people, the calendar and the rules (administrators).
    pub administer: bool,
    /// The administrative audit log (administrators).
    pub read_admin_log: bool,
    /// Acting, or recording an action, on someone else's behalf (administrators).
    pub act_for_others: bool,
}

impl Capabilities {
    pub fn of(roles: &[Role]) -> Self {
        let has = |r: Role| roles.contains(&r);
        Capabilities {
            all_units: has(Role::Office) || has(Role::Admin),
            charge_units: has(Role::Leader),
            own_unit: has(Role::Officer) || has(Role::UnitHead) || has(Role::Leader),
            oversee: has(Role::Office) || has(Role::Admin) || has(Role::Leader),
            run_ledgers: has(Role::Office) || has(Role::Admin),
            administer: has(Role::Admin),
            read_admin_log: has(Role::Admin),
            act_for_others: has(Role::Admin),
        }
    }
}

/// Who is looking at tasks: the units whose tasks they see (as lead or cooperating unit,
/// directly or through a group), or every unit; and who they are, for the 涉密 tasks naming them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audience {
    pub person: PersonId,
    pub all_units: bool,
    /// Sorted, without repeats.
    pub units: Vec<UnitId>,
}

impl Audience {
    /// A person's audience, from their roles, unit and charge units. An inactive person sees
    /// nothing.
    pub fn of(p: &Person) -> Self {
        let caps = if p.active { Capabilities::of(&p.fields.roles) } else { Capabilities::default() };
        let mut units = Vec::new();
        if caps.charge_units {
            units.extend(p.fields.charge_units.iter().copied());
        }
        if caps.own_unit
            && let Some(u) = p.fields.unit_id
        {
            units.push(u);
        }
        units.sort();
        units.dedup();
        Audience { person: p.id, all_units: caps.all_units, units }
    }

    /// Whether the task names this person (as its leader in charge or responsible person).
    pub fn named_on(&self, f: &NewTask) -> bool {
        f.leader_id == Some(self.person) || f.responsible_person_id == Some(self.person)
    }

    /// Whether this audience may see a task.
    pub fn sees(&self, task: &Task, members: &Members) -> bool {
        self.sees_fields(&task.fields, members)
    }

    /// Whether this audience may see a task with these fields.
    pub fn sees_fields(&self, f: &NewTask, members: &Members) -> bool {
        if f.classification == Classification::Secret {
            return self.named_on(f);
        }
        if self.named_on(f) || self.all_units {
            return true;
        }
        units(&f.lead, members).chain(units(&f.cooperating, members)).any(|u| self.reaches_unit(u))
    }

    /// Whether a subtask is listed on its parent's page (its title, unit, state and latest
    /// report, as the parent's progress) to this audience: to whoever sees the parent, except a
    /// 涉密 subtask that does not name them. The subtask's own page follows [`Self::sees`]
    /// alone, so a person who sees a subtask but not its parent sees only the subtask.
    pub fn sees_part_on_parent(&self, sees_parent: bool, child: &NewTask) -> bool {
        sees_parent && (child.classification != Classification::Secret || self.named_on(child))
    }

    /// Whether this audience may ask for a unit's work.
    pub fn reaches_unit(&self, u: UnitId) -> bool {
        self.all_units || self.units.contains(&u)
    }

    /// Whether this audience may ask for a person's work: their own, or that of someone in a
    /// unit they reach.
    pub fn reaches_person(&self, p: &Person) -> bool {
        p.id == self.person || p.fields.unit_id.is_some_and(|u| self.reaches_unit(u))
    }
}

/// Where a task's fields are going.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// Pages, the API and the in-app inbox, to a person who sees the task.
    InApp,
    /// E-mail and SMS: they leave the government network.
    External,
    /// The published list, to anyone.
    Published,
}

impl Channel {
    /// The channel of an outgoing message (`inbox`, `email`, `sms`).
    pub fn of_message(channel: &str) -> Self {
        if channel == "inbox" { Channel::InApp } else { Channel::External }
    }
}

/// How much of a task may go over a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disclosure {
    /// Every field.
    Full,
    /// Nothing of its content: only that there is something to look at in the system.
    Withheld,
}

/// How much of a task of this classification may go over `channel`, to someone who may see it.
pub fn disclosure(classification: Classification, channel: Channel) -> Disclosure {
    match (classification, channel) {
        (_, Channel::InApp) => Disclosure::Full,
        (Classification::Secret, Channel::External) => Disclosure::Withheld,
        (_, Channel::External) => Disclosure::Full,
        (Classification::Public, Channel::Published) => Disclosure::Full,
        (_, Channel::Published) => Disclosure::Withheld,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::GroupId;
    use crate::org::NewPerson;

    fn person(id: i64, unit: i64, roles: Vec<Role>, charge: Vec<i64>) -> Person {
        let mut fields = NewPerson::new("某人", &format!("p{id}"), Some(UnitId(unit)), roles);
        fields.charge_units = charge.into_iter().map(UnitId).collect();
        Person { id: PersonId(id), fields, active: true }
    }

    fn task(classification: Classification, lead: Party, leader: Option<i64>, responsible: Option<i64>) -> NewTask {
        let input = crate::task::TaskInput {
            title: Some("任务".into()),
            lead: vec![lead],
            cooperating: vec![Party::Unit(UnitId(2))],
            leader_id: leader.map(PersonId),
            responsible_person_id: responsible.map(PersonId),
            classification: Some(classification.code().into()),
            ..Default::default()
        };
        let tz = jiff::tz::TimeZone::UTC;
        input.parse(jiff::Timestamp::UNIX_EPOCH, &tz).unwrap()
    }

    #[test]
    fn roles_reach_units_and_secret_tasks_only_their_named_people() {
        let members: Members = HashMap::from([(7, vec![UnitId(1), UnitId(4)])]);
        let office = person(1, 9, vec![Role::Office], vec![]);
        let admin = person(2, 9, vec![Role::Admin], vec![]);
        let leader = person(3, 9, vec![Role::Leader], vec![1]);
        let other_leader = person(4, 9, vec![Role::Leader], vec![3]);
        let officer = person(5, 1, vec![Role::Officer], vec![]);
        let head = person(6, 1, vec![Role::UnitHead], vec![]);
        let coop = person(7, 2, vec![Role::Officer], vec![]);
        let other = person(8, 3, vec![Role::Officer], vec![]);
        let in_group = person(9, 4, vec![Role::Officer], vec![]);
        let everyone = [&office, &admin, &leader, &other_leader, &officer, &head, &coop, &other, &in_group];
        let who_sees = |t: &NewTask| -> Vec<i64> {
            everyone.iter().filter(|p| Audience::of(p).sees_fields(t, &members)).map(|p| p.id.0).collect()
        };
        let internal = task(Classification::Internal, Party::Unit(UnitId(1)), Some(3), Some(5));
        assert_eq!(who_sees(&internal), [1, 2, 3, 5, 6, 7]);
        let by_group = task(Classification::Public, Party::Group(GroupId(7)), None, None);
        assert_eq!(who_sees(&by_group), [1, 2, 3, 5, 6, 7, 9]);
        let named = task(Classification::Secret, Party::Unit(UnitId(1)), Some(3), Some(5));
        assert_eq!(who_sees(&named), [3, 5]);
        let unnamed = task(Classification::Secret, Party::Unit(UnitId(1)), None, None);
        assert!(who_sees(&unnamed).is_empty());
        // Someone named on a task outside their units sees it.
        let elsewhere = task(Classification::Internal, Party::Unit(UnitId(3)), None, Some(6));
        assert_eq!(who_sees(&elsewhere), [1, 2, 4, 6, 7, 8]);
        // An inactive person sees nothing but what names them.
        let mut gone = office.clone();
        gone.active = false;
        assert!(!Audience::of(&gone).sees_fields(&internal, &members));
    }

    #[test]
    fn a_subtask_is_seen_on_its_own_and_listed_on_a_parent_the_viewer_sees() {
        let members = Members::new();
        let parent = task(Classification::Internal, Party::Unit(UnitId(1)), None, None);
        // A part passed on to unit 3, which is not on the parent.
        let mut part = task(Classification::Internal, Party::Unit(UnitId(3)), None, None);
        part.cooperating.clear();
        let lead_officer = Audience::of(&person(5, 1, vec![Role::Officer], vec![]));
        let part_officer = Audience::of(&person(8, 3, vec![Role::Officer], vec![]));
        // The part's unit sees the part but not the parent, so nothing of the parent.
        assert!(part_officer.sees_fields(&part, &members) && !part_officer.sees_fields(&parent, &members));
        assert!(!part_officer.sees_part_on_parent(part_officer.sees_fields(&parent, &members), &part));
        // The lead unit follows the part on its parent's page without reaching the part's page.
        assert!(!lead_officer.sees_fields(&part, &members));
        assert!(lead_officer.sees_part_on_parent(lead_officer.sees_fields(&parent, &members), &part));
        // A 涉密 part only to the people it names.
        let secret = task(Classification::Secret, Party::Unit(UnitId(1)), None, Some(5));
        assert!(lead_officer.sees_part_on_parent(true, &secret));
        assert!(!Audience::of(&person(6, 1, vec![Role::UnitHead], vec![])).sees_part_on_parent(true, &secret));
    }

    #[test]
    fn groups_expand_to_their_member_units() {
        let members: Members = HashMap::from([(7, vec![UnitId(1), UnitId(4)])]);
        let parties = [Party::Unit(UnitId(3)), Party::Group(GroupId(7)), Party::Group(GroupId(8))];
        assert_eq!(units(&parties, &members).collect::<Vec<_>>(), [UnitId(3), UnitId(1), UnitId(4)]);
    }

    #[test]
    fn work_lists_reach_as_far_as_the_roles() {
        let leader = Audience::of(&person(3, 9, vec![Role::Leader], vec![1, 2]));
        assert!(leader.reaches_unit(UnitId(1)) && leader.reaches_unit(UnitId(9)) && !leader.reaches_unit(UnitId(3)));
        let officer = Audience::of(&person(5, 1, vec![Role::Officer], vec![4]));
        assert_eq!(officer.units, [UnitId(1)]);
        assert!(officer.reaches_person(&person(6, 1, vec![Role::UnitHead], vec![])));
        assert!(!officer.reaches_person(&person(8, 3, vec![Role::Officer], vec![])));
        assert!(Audience::of(&person(1, 9, vec![Role::Office], vec![])).reaches_unit(UnitId(3)));
    }

    #[test]
    fn secret_content_never_leaves_by_mail_or_sms_and_only_public_tasks_are_published() {
        use Classification::*;
        assert_eq!(disclosure(Secret, Channel::InApp), Disclosure::Full);
        assert_eq!(disclosure(Secret, Channel::of_message("sms")), Disclosure::Withheld);
        assert_eq!(disclosure(Secret, Channel::of_message("email")), Disclosure::Withheld);
        assert_eq!(disclosure(Internal, Channel::External), Disclosure::Full);
        assert_eq!(disclosure(Internal, Channel::Published), Disclosure::Withheld);
        assert_eq!(disclosure(Public, Channel::Published), Disclosure::Full);
    }
}
