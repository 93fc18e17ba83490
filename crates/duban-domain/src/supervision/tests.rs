//! The supervision plan without a database: the cases the API tests `supervise.rs`, `year.rs`
//! and `lifecycle.rs` check through an HTTP server, here as pure functions of the rules, the
//! calendar, the people, the task, its notices and activity, and the instant.

use super::*;
use crate::calendar::UnknownYears;
use crate::facts::ClockEvent;
use crate::ids::{GroupId, UnitId};
use crate::org::NewPerson;
use crate::schedule::schedule;
use crate::task::{NewTask, Party, TaskInput};
use jiff::civil::date;
use std::collections::BTreeMap;

const UNIT: UnitId = UnitId(1);

fn bj(s: &str) -> Timestamp {
    crate::task::parse_instant("t", s, &TimeZone::get("Asia/Shanghai").unwrap()).unwrap()
}

fn person(id: i64, unit: UnitId, roles: Vec<Role>, charge: Vec<UnitId>) -> Person {
    let mut fields = NewPerson::new(&format!("p{id}"), &format!("p{id}"), Some(unit), roles);
    fields.charge_units = charge;
    fields.email = format!("p{id}@naiman.example");
    Person { id: PersonId(id), fields, active: true }
}

/// The officer (1) and head (2) of the lead unit, the leader in charge of it (3), an officer of
/// another unit (4), and an officer of unit 5, which is in group 7 with the lead unit.
fn people() -> People {
    People::new(
        vec![
            person(1, UNIT, vec![Role::Officer], vec![]),
            person(2, UNIT, vec![Role::UnitHead], vec![]),
            person(3, UnitId(9), vec![Role::Leader], vec![UNIT]),
            person(4, UnitId(2), vec![Role::Officer], vec![]),
            person(5, UnitId(5), vec![Role::Officer], vec![]),
        ],
        HashMap::from([(7, vec![UNIT, UnitId(5)])]),
    )
}

fn policy() -> Policy {
    Policy::builtin("x-district-2022").unwrap()
}

/// Received Monday 2026-03-02 09:00: signing (3 WD) is due Thursday 03-05 17:30, yellow from 03-04.
fn task_with(priority: &str, f: impl FnOnce(&mut TaskInput)) -> Task {
    let mut input = TaskInput {
        title: Some("推行一照通办".into()),
        lead: vec![Party::Unit(UNIT)],
        priority: Some(priority.into()),
        deadline: Some("2026-12-31".into()),
        received_at: Some("2026-03-02 09:00".into()),
        ..Default::default()
    };
    f(&mut input);
    let tz = TimeZone::get("Asia/Shanghai").unwrap();
    let fields: NewTask = input.parse(bj("2026-03-02T09:00"), &tz).unwrap();
    let events = BTreeMap::from([(ClockEvent::Received, fields.received_at)]);
    Task {
        id: TaskId(42),
        fields,
        status: Status::Assigned,
        events,
        created_at: bj("2026-03-02T09:00"),
        updated_at: bj("2026-03-02T09:00"),
        version: 1,
    }
}

fn task(priority: &str) -> Task {
    task_with(priority, |_| {})
}

/// A task as a pass at `now` sees it, with the calendar built in (2015–2026).
struct World {
    policy: Policy,
    cal: Calendar,
    people: People,
}

impl World {
    fn new() -> Self {
        World { policy: policy(), cal: Calendar::builtin().unwrap(), people: people() }
    }

    fn plan(&self, t: &Task, now: &str, notices: &[Issued], activity: &[Activity]) -> Plan {
        let s = schedule(&self.policy, &self.cal, &t.fields.facts(), &t.events);
        let pass = Pass::new(&self.policy, &self.cal, &self.people, bj(now));
        pass.plan(&[Seen { task: t, schedule: &s, notices, activity }])
    }
}

fn inbox(m: &[Message]) -> Vec<i64> {
    m.iter().filter(|m| m.channel == MessageChannel::Inbox).map(|m| m.person.0).collect()
}

fn first_notice(answer_by: Date) -> Issued {
    Issued {
        number: "督〔2026〕1号".into(),
        stage: "sign".into(),
        round: 1,
        issued_at: bj("2026-03-06T09:00"),
        answer_by,
    }
}

#[test]
fn a_stage_in_its_warning_window_is_reminded_to_the_units_officers_and_head() {
    let w = World::new();
    let t = task("常规");
    let before = w.plan(&t, "2026-03-03T10:00", &[], &[]);
    assert_eq!((before.reminders.len(), before.notices.len(), before.green), (0, 0, 1));
    let p = w.plan(&t, "2026-03-04T10:00", &[], &[]);
    assert_eq!((p.reminders.len(), p.yellow), (1, 1));
    let r = &p.reminders[0];
    assert_eq!(r.kind, ReminderKind::Due);
    assert_eq!(inbox(&r.messages), [1, 2]);
    assert!(r.messages.iter().all(|m| m.kind == MessageKind::Remind && m.subject.contains("催办")));
    assert!(r.messages.iter().any(|m| m.channel == MessageChannel::Email && m.address == "p1@naiman.example"));
    assert!(r.messages.iter().all(|m| m.not_before == bj("2026-03-04T10:00")));
}

#[test]
fn an_overdue_stage_gets_a_first_notice_escalated_to_the_leader() {
    let w = World::new();
    let p = w.plan(&task("常规"), "2026-03-06T09:00", &[], &[]);
    assert_eq!((p.notices.len(), p.red), (1, 1));
    let n = &p.notices[0];
    assert_eq!((n.stage.as_str(), n.round, n.answer_by, n.escalates), ("sign", 1, date(2026, 3, 11), true));
    assert_eq!(n.event_data["answer_by"], "2026-03-11");
    assert_eq!(n.event_data["number"], NUMBER);
    let to_unit: Vec<_> = n.messages.iter().filter(|m| m.kind == MessageKind::Supervise).collect();
    let to_leader: Vec<_> = n.messages.iter().filter(|m| m.kind == MessageKind::Escalate).collect();
    assert_eq!(inbox(&to_unit.into_iter().cloned().collect::<Vec<_>>()), [1, 2]);
    assert_eq!(inbox(&to_leader.into_iter().cloned().collect::<Vec<_>>()), [3]);
    assert!(n.messages.iter().all(|m| m.subject.contains(NUMBER) && m.not_before == bj("2026-03-06T09:00")));
    assert!(n.naming.is_empty());
    // Already issued: nothing again.
    let again = w.plan(&task("常规"), "2026-03-06T09:01", &[first_notice(date(2026, 3, 11))], &[]);
    assert!(again.notices.is_empty());
}

#[test]
fn the_answer_date_counts_working_days_from_the_day_of_issue() {
    let cal = Calendar::builtin().unwrap();
    // Friday 03-06 + 3 working days: Wednesday 03-11.
    assert_eq!(answer_by(&cal, date(2026, 3, 6), 3), Ok(date(2026, 3, 11)));
    // Over the 2026 National Day holiday (10-01 to 10-07): Thursday 10-08, Friday 10-09, and
    // Saturday 10-10, a make-up working day.
    assert_eq!(answer_by(&cal, date(2026, 9, 30), 3), Ok(date(2026, 10, 10)));
    // A notice issued at year end is answered in a year without data: an error, not a guess.
    assert!(answer_by(&cal, date(2026, 12, 30), 3).is_err());
}

#[test]
fn a_second_notice_follows_a_passed_answer_date_without_progress_and_names_the_unit() {
    let w = World::new();
    let t = task("常规");
    let first = [first_notice(date(2026, 3, 11))];
    // On the answer date itself: not yet.
    assert!(w.plan(&t, "2026-03-11T16:00", &first, &[]).notices.is_empty());
    let p = w.plan(&t, "2026-03-12T09:00", &first, &[]);
    assert_eq!(p.notices.len(), 1);
    let n = &p.notices[0];
    assert_eq!(n.round, 2);
    assert_eq!(n.dedup_key, "督:42:sign:2026-03-05:2");
    assert_eq!(n.naming.len(), 1);
    let named = &n.naming[0];
    assert_eq!((named.unit, named.dedup_key.as_str()), (UNIT, "名:42:sign:2026-03-05:1"));
    assert!(named.reason.contains("督〔2026〕1号") && named.reason.contains(NUMBER));
    // After the second round: nothing more.
    let second = Issued { round: 2, issued_at: bj("2026-03-12T09:00"), ..first_notice(date(2026, 3, 17)) };
    let after = w.plan(&t, "2026-03-20T09:00", &[first[0].clone(), second], &[]);
    assert!(after.notices.is_empty());
}

#[test]
fn progress_after_a_notice_spares_the_unit_a_second_one() {
    let w = World::new();
    let t = task("常规");
    let first = [first_notice(date(2026, 3, 11))];
    let report = [Activity { kind: Some(EventKind::RequestExtension), at: bj("2026-03-09T10:00") }];
    assert!(w.plan(&t, "2026-03-12T09:00", &first, &report).notices.is_empty());
    // What is not progress (an edit, another notice, an unknown kind) does not.
    let noise = [
        Activity { kind: Some(EventKind::Updated), at: bj("2026-03-09T10:00") },
        Activity { kind: None, at: bj("2026-03-09T10:00") },
    ];
    assert_eq!(w.plan(&t, "2026-03-12T09:00", &first, &noise).notices.len(), 1);
    // Progress before the notice does not answer it.
    let early = [Activity { kind: Some(EventKind::Report), at: bj("2026-03-05T10:00") }];
    assert_eq!(w.plan(&t, "2026-03-12T09:00", &first, &early).notices.len(), 1);
}

#[test]
fn no_notice_on_a_day_off_or_out_of_hours_unless_urgent() {
    let w = World::new();
    // Saturday 03-07 and a weekday evening: no notice, and no problem either.
    for now in ["2026-03-07T10:00", "2026-03-06T20:00", "2026-03-06T07:00"] {
        let p = w.plan(&task("常规"), now, &[], &[]);
        assert!(p.notices.is_empty() && p.problems.is_empty(), "{now}");
    }
    // A critical task's notice goes at once.
    let p = w.plan(&task("特急"), "2026-03-07T10:00", &[], &[]);
    assert!(!p.notices.is_empty());
}

#[test]
fn reminders_out_of_hours_wait_for_the_next_working_morning_unless_urgent() {
    let w = World::new();
    let p = w.plan(&task("常规"), "2026-03-04T20:00", &[], &[]);
    assert!(p.reminders[0].messages.iter().all(|m| m.not_before == bj("2026-03-05T08:30")));
    // Friday evening: Monday morning.
    let policy = policy();
    assert_eq!(send_time(&policy, &w.cal, bj("2026-03-06T20:00"), false), Ok(bj("2026-03-09T08:30")));
    // Early on a working day: that morning.
    assert_eq!(send_time(&policy, &w.cal, bj("2026-03-06T07:00"), false), Ok(bj("2026-03-06T08:30")));
    assert_eq!(send_time(&policy, &w.cal, bj("2026-03-06T20:00"), true), Ok(bj("2026-03-06T20:00")));
    let urgent = w.plan(&task("特急"), "2026-03-04T20:00", &[], &[]);
    let remind = urgent.reminders.iter().flat_map(|r| &r.messages).find(|m| m.kind == MessageKind::Remind).unwrap();
    assert_eq!(remind.not_before, bj("2026-03-04T20:00"));
}

#[test]
fn a_secret_tasks_notices_go_only_to_the_people_named_and_never_by_mail() {
    let w = World::new();
    let t = task_with("常规", |i| {
        i.classification = Some("涉密".into());
        i.responsible_person_id = Some(PersonId(1));
        i.leader_id = Some(PersonId(3));
    });
    let p = w.plan(&t, "2026-03-06T09:00", &[], &[]);
    let n = &p.notices[0];
    // The head (2) is not named on the task: they do not hear of it.
    assert_eq!(inbox(&n.messages), [1, 3]);
    for m in &n.messages {
        match m.channel {
            MessageChannel::Inbox => assert!(m.subject.contains("推行一照通办")),
            _ => assert!(
                !m.subject.contains("推行一照通办") && !m.body.contains("推行一照通办") && m.body.contains("请登录")
            ),
        }
    }
    // Unnamed, a 涉密 task reaches no one.
    let unnamed = task_with("常规", |i| i.classification = Some("涉密".into()));
    let p = w.plan(&unnamed, "2026-03-06T09:00", &[], &[]);
    assert!(p.notices[0].messages.is_empty() && !p.notices[0].escalates);
}

#[test]
fn a_group_leads_through_its_member_units() {
    let w = World::new();
    let t = task_with("常规", |i| i.lead = vec![Party::Group(GroupId(7))]);
    let p = w.plan(&t, "2026-03-04T10:00", &[], &[]);
    assert_eq!(inbox(&p.reminders[0].messages), [1, 2, 5]);
    let named = w.plan(&t, "2026-03-12T09:00", &[first_notice(date(2026, 3, 11))], &[]);
    let units: Vec<UnitId> = named.notices[0].naming.iter().map(|n| n.unit).collect();
    assert_eq!(units, [UNIT, UnitId(5)]);
}

#[test]
fn a_task_that_has_not_reported_is_reminded_in_the_last_two_working_days_of_its_period() {
    let w = World::new();
    // 重点 tasks report monthly (x-district 三(五)2), once signed.
    let mut t = task("重点");
    t.status = Status::Signed;
    t.events.insert(ClockEvent::Signed, bj("2026-03-03T09:00"));
    let cadence_of = |t: &Task, now: &str, activity: &[Activity]| -> Vec<Reminder> {
        w.plan(t, now, &[], activity).reminders.into_iter().filter(|r| r.kind == ReminderKind::Cadence).collect()
    };
    let cadence = |now: &str, activity: &[Activity]| cadence_of(&t, now, activity);
    assert!(cadence("2026-03-16T10:00", &[]).is_empty());
    let r = cadence("2026-03-30T10:00", &[]);
    assert_eq!(r.len(), 1);
    assert_eq!(inbox(&r[0].messages), [1, 2]);
    assert!(r[0].messages.iter().all(|m| m.dedup_key.starts_with("报:42:2026-03:")));
    // The same key the next day: the store keeps one.
    assert_eq!(cadence("2026-03-31T10:00", &[])[0].messages[0].dedup_key, r[0].messages[0].dedup_key);
    // A report this period spares it; one last period does not.
    let april = [Activity { kind: Some(EventKind::Report), at: bj("2026-04-10T09:00") }];
    assert!(cadence("2026-04-29T10:00", &april).is_empty());
    assert_eq!(cadence("2026-05-28T10:00", &april).len(), 1);
    // A task not yet signed is not due to report.
    t.status = Status::Assigned;
    assert!(cadence_of(&t, "2026-03-30T10:00", &[]).is_empty());
}

#[test]
fn a_pass_run_twice_plans_the_same_keys() {
    let w = World::new();
    let t = task("常规");
    let keys = |now: &str| -> Vec<String> {
        let p = w.plan(&t, now, &[], &[]);
        p.notices
            .iter()
            .flat_map(|n| n.messages.iter().map(|m| m.dedup_key.clone()).chain([n.dedup_key.clone()]))
            .chain(p.reminders.iter().flat_map(|r| r.messages.iter().map(|m| m.dedup_key.clone())))
            .collect()
    };
    assert_eq!(keys("2026-03-04T10:00"), keys("2026-03-04T10:05"));
    assert_eq!(keys("2026-03-06T09:00"), keys("2026-03-06T15:00"));
    let k = keys("2026-03-06T09:00");
    assert!(k.contains(&"督:42:sign:2026-03-05:1".to_string()));
    assert!(k.contains(&"督:42:sign:2026-03-05:1:1:inbox".to_string()));
    assert!(k.contains(&"升:42:sign:2026-03-05:1:3:email".to_string()));
    let mut unique = k.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), k.len());
}

#[test]
fn the_plan_reads_notices_only_for_overdue_tasks_and_activity_also_for_closing_periods() {
    let w = World::new();
    let t = task("常规");
    let s = schedule(&w.policy, &w.cal, &t.fields.facts(), &t.events);
    let reads = |now: &str, t: &Task| Pass::new(&w.policy, &w.cal, &w.people, bj(now)).reads(t, &s);
    assert_eq!(reads("2026-03-04T10:00", &t), Reads::default());
    assert_eq!(reads("2026-03-06T10:00", &t), Reads { notices: true, activity: true });
    let mut signed = task("重点");
    signed.status = Status::Signed;
    assert_eq!(reads("2026-03-30T10:00", &signed), Reads { notices: true, activity: true });
}

#[test]
fn a_day_without_calendar_data_is_reported_not_guessed() {
    // 2027 has no data in the built-in calendar: a task received then has no due dates; one due
    // at the end of 2026 is overdue in 2027, when the pass cannot tell working hours.
    let w = World::new();
    let t = task_with("常规", |i| {
        i.received_at = Some("2026-12-21 09:00".into());
    });
    let p = w.plan(&t, "2027-01-05T10:00", &[], &[]);
    assert!(p.notices.is_empty() && p.reminders.is_empty());
    assert_eq!(p.problems.len(), 1);
    assert_eq!(p.problems[0].task, TaskId(42));
    assert!(matches!(p.problems[0].error, CalendarError::UnknownYear { year: 2027, .. }));
    // Where the deployment counts weekends only for such years, the notice goes.
    let weekends =
        World { cal: Calendar::builtin().unwrap().with_unknown_years(UnknownYears::WeekendsOnly), ..World::new() };
    let p = weekends.plan(&t, "2027-01-05T10:00", &[], &[]);
    assert!(p.problems.is_empty());
    assert!(!p.notices.is_empty() && p.notices.iter().all(|n| n.round == 1));
    // Urgent work is not held back by working hours, but still needs its answer date.
    let urgent = task_with("特急", |i| i.received_at = Some("2026-12-21 09:00".into()));
    let p = w.plan(&urgent, "2027-01-05T10:00", &[], &[]);
    assert!(p.notices.is_empty() && !p.problems.is_empty());
    // A notice by hand is refused with the calendar's error.
    let s = schedule(&w.policy, &w.cal, &t.fields.facts(), &t.events);
    let pass = Pass::new(&w.policy, &w.cal, &w.people, bj("2027-01-05T10:00"));
    assert!(matches!(pass.by_hand(&t, &s, &[], "请加快"), Err(CalendarError::UnknownYear { .. })));
}

#[test]
fn a_notice_by_hand_is_on_the_most_urgent_open_stage_and_counts_its_rounds() {
    let w = World::new();
    let t = task("常规");
    let s = schedule(&w.policy, &w.cal, &t.fields.facts(), &t.events);
    let pass = Pass::new(&w.policy, &w.cal, &w.people, bj("2026-03-03T10:00"));
    let n = pass.by_hand(&t, &s, &[], "请加快").unwrap();
    assert_eq!((n.stage.as_str(), n.round, n.answer_by), ("sign", 1, date(2026, 3, 6)));
    assert_eq!(n.event_data["text"], "请加快");
    assert!(n.messages.iter().any(|m| m.kind == MessageKind::Escalate && m.person == PersonId(3)));
    assert!(n.messages.iter().all(|m| m.body.contains("请加快")));
    let again = pass.by_hand(&t, &s, &[first_notice(date(2026, 3, 11))], "再催").unwrap();
    assert_eq!(again.round, 2);
}

#[test]
fn a_reminder_by_hand_goes_at_once_to_the_lead_unit_over_the_chosen_channels_only() {
    let w = World::new();
    let t = task("常规");
    let s = schedule(&w.policy, &w.cal, &t.fields.facts(), &t.events);
    // Saturday evening: the office reminds by hand, and it goes at once, not on Monday.
    let now = bj("2026-03-07T20:00");
    let pass = Pass::new(&w.policy, &w.cal, &w.people, now);
    let r = pass.remind_by_hand(&t, &s, &[MessageChannel::Inbox], "  请周一前报送  ");
    assert_eq!(inbox(&r.messages), [1, 2]);
    assert!(r.messages.iter().all(|m| m.channel == MessageChannel::Inbox && m.not_before == now));
    assert!(r.messages.iter().all(|m| m.kind == MessageKind::Remind));
    assert!(
        r.messages[0].body.contains("请周一前报送") && r.messages[0].body.contains("签收"),
        "{}",
        r.messages[0].body
    );
    // E-mail only: the people with an address (p1 and p2 have one), none in the inbox.
    let r = pass.remind_by_hand(&t, &s, &[MessageChannel::Email], "");
    assert_eq!(
        r.messages.iter().map(|m| m.address.as_str()).collect::<Vec<_>>(),
        ["p1@naiman.example", "p2@naiman.example"]
    );
    assert!(r.messages[0].body.contains("请抓紧办理"));
    // SMS: no one has a phone, so no one is reached.
    assert!(pass.remind_by_hand(&t, &s, &[MessageChannel::Sms], "").messages.is_empty());
    // A 涉密 task's e-mail names no content.
    let secret = task_with("常规", |i| {
        i.classification = Some("涉密".into());
        i.responsible_person_id = Some(PersonId(1));
    });
    let r = pass.remind_by_hand(&secret, &s, &[MessageChannel::Email], "");
    assert_eq!(r.messages.len(), 1);
    assert!(r.messages.iter().all(|m| !m.subject.contains("推行一照通办") && !m.body.contains("推行一照通办")));
}

#[test]
fn a_notice_ordered_by_hand_takes_the_chosen_date_and_reaches_the_added_cooperating_unit() {
    let w = World::new();
    let t = task_with("常规", |i| i.cooperating = vec![Party::Unit(UnitId(2))]);
    let s = schedule(&w.policy, &w.cal, &t.fields.facts(), &t.events);
    // Tuesday 2026-03-03: the rules give Friday 03-06.
    let pass = Pass::new(&w.policy, &w.cal, &w.people, bj("2026-03-03T10:00"));
    assert_eq!(pass.default_answer_by().unwrap(), date(2026, 3, 6));
    let order = Order { text: "请加快".into(), answer_by: Some(date(2026, 3, 10)), recipients: vec![UnitId(2)] };
    let n = pass.order_by_hand(&t, &s, &[], &order).unwrap();
    assert_eq!(
        (n.answer_by, n.recipients.clone(), n.text.as_str()),
        (date(2026, 3, 10), vec![UNIT, UnitId(2)], "请加快")
    );
    assert_eq!(n.event_data["recipients"], serde_json::json!([1, 2]));
    let to_unit: Vec<_> = n.messages.iter().filter(|m| m.kind == MessageKind::Supervise).cloned().collect();
    assert_eq!(inbox(&to_unit), [1, 2, 4], "the cooperating unit's officer hears of it");
    assert!(n.messages.iter().all(|m| m.body.contains("2026-03-10")));
    // No date chosen: the rules'. The lead unit alone when none is added.
    let n = pass.order_by_hand(&t, &s, &[], &Order { text: "x".into(), ..Default::default() }).unwrap();
    assert_eq!((n.answer_by, n.recipients.clone()), (date(2026, 3, 6), vec![UNIT]));
    // Refused: a Saturday, a day before today, a unit that does not cooperate.
    for (d, units) in [(date(2026, 3, 7), vec![]), (date(2026, 3, 2), vec![]), (date(2026, 3, 10), vec![UnitId(9)])] {
        let e = pass.order_by_hand(&t, &s, &[], &Order { text: "x".into(), answer_by: Some(d), recipients: units });
        assert!(matches!(e, Err(crate::Error::Invalid { .. })), "{d}: {e:?}");
    }
    // Today itself is allowed when it is a working day.
    assert!(
        pass.order_by_hand(&t, &s, &[], &Order { answer_by: Some(date(2026, 3, 3)), ..Default::default() }).is_ok()
    );
}
