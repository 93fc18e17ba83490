//! A simulated year over the seed-003 ledger (issue 4 §7).
//!
//! The 274 tasks of seed 003 are imported on Monday 2022-03-21 under the default rules
//! (x-district-2022: sign within 3 working days, finish by the deadline or within 5 working days,
//! the office reviews within 5 working days; quarterly progress reports). Each lead unit follows
//! a script: some act promptly, some sign late, some never sign, some sign and never report, some
//! ask for an extension. The supervision pass runs every day at 10:00 for a year, the units act at
//! 11:00, and halfway through the server is restarted over the same database.
//!
//! What the year must produce is worked out here, by a separate reading of the rules that uses
//! only the calendar: for every tick, each stage's start, due date, warning day and stop follow
//! from the script's actions before it. The reminders, notices, escalations and naming
//! candidates the engine recorded must be exactly those.
//!
//! The year itself ([`Year`]) is shared with the assessment test (`year_assessment.rs`), which
//! runs it again and checks every unit's quarterly scores against the events.

use duban_app::lifecycle::ActionInput;
use duban_app::service::Services;
use duban_domain::calendar::{Calendar, UnknownYears};
use duban_domain::clock::FixedClock;
use duban_domain::ids::{PersonId, TaskId, UnitId};
use duban_domain::org::{NewPerson, Role};
use duban_domain::policy::Policy;
use duban_domain::task::{Party, Task};
use duban_store::Store;
use duban_store_sqlite::SqliteStore;
use jiff::Timestamp;
use jiff::civil::{Date, date};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

pub(crate) fn at(d: Date, h: i8, m: i8) -> Timestamp {
    d.at(h, m, 0, 0).to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap()).unwrap().timestamp()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Script {
    /// Signs and reports on the day, reports monthly, finishes three working days early.
    Prompt,
    /// Signs only when the 督办 arrives, then works like a prompt unit.
    LateSigner,
    /// Never signs.
    Silent,
    /// Signs on the day and then never reports or finishes.
    NonReporter,
    /// Asks five working days before the deadline to have it moved 30 days later, and finishes a
    /// working day before the new date.
    Extender,
}

const SCRIPTS: [Script; 5] =
    [Script::Prompt, Script::LateSigner, Script::Silent, Script::NonReporter, Script::Extender];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Act {
    Sign,
    Report,
    RequestExtension(Date),
    ApproveExtension(Date),
    Feedback,
    Approve,
}

impl Act {
    fn code(self) -> &'static str {
        match self {
            Act::Sign => "sign",
            Act::Report => "report",
            Act::RequestExtension(_) => "request_extension",
            Act::ApproveExtension(_) => "approve_extension",
            Act::Feedback => "feedback",
            Act::Approve => "approve",
        }
    }

    /// What counts as progress between two 督办 (the engine's list, restated).
    fn is_progress(self) -> bool {
        !matches!(self, Act::ApproveExtension(_))
    }
}

pub(crate) struct Plan {
    pub(crate) task: Task,
    pub(crate) script: Script,
    pub(crate) lead_units: Vec<UnitId>,
    pub(crate) actions: Vec<(Timestamp, Act)>,
}

pub(crate) const RECEIVED: Date = date(2022, 3, 21);
pub(crate) const LAST_DAY: Date = date(2023, 3, 20);
pub(crate) const RESTART: Date = date(2022, 9, 15);

pub(crate) fn wd(cal: &Calendar, d: Date, n: i32) -> Date {
    cal.add_workdays(d, n).unwrap().value
}

/// The first working day on or after the 10th of each month after March, until `before`.
fn monthly_reports(cal: &Calendar, from: Date, before: Date) -> Vec<Date> {
    let mut out = Vec::new();
    let mut m = date(2022, 4, 10);
    while m < before {
        let d = wd(cal, m, 0);
        if d > from && d < before {
            out.push(d);
        }
        m = m.checked_add(jiff::Span::new().months(1)).unwrap();
    }
    out
}

fn plan(cal: &Calendar, script: Script, task: &Task) -> Vec<(Timestamp, Act)> {
    let sign_due = wd(cal, RECEIVED, 3);
    let due = task.fields.deadline.unwrap_or_else(|| wd(cal, RECEIVED, 5));
    let mut a = Vec::new();
    let finish = |a: &mut Vec<(Timestamp, Act)>, signed: Date, feedback: Date| {
        a.push((at(signed, 11, 0), Act::Sign));
        a.push((at(signed, 11, 1), Act::Report));
        for d in monthly_reports(cal, signed, feedback) {
            a.push((at(d, 11, 0), Act::Report));
        }
        a.push((at(feedback, 11, 30), Act::Feedback));
        a.push((at(wd(cal, feedback, 1), 11, 0), Act::Approve));
    };
    match script {
        Script::Prompt => finish(&mut a, RECEIVED, wd(cal, due, -3)),
        Script::LateSigner => {
            // The first 督办 comes with the first pass after the sign stage's due time.
            let signed = sign_due.tomorrow().unwrap();
            finish(&mut a, signed, wd(cal, due, -3).max(wd(cal, signed, 1)));
        }
        Script::Silent => {}
        Script::NonReporter => a.push((at(RECEIVED, 11, 0), Act::Sign)),
        Script::Extender => {
            let ask = wd(cal, due, -5).max(RECEIVED);
            let new = due.checked_add(jiff::Span::new().days(30)).unwrap();
            a.push((at(ask, 11, 10), Act::RequestExtension(new)));
            a.push((at(ask, 11, 20), Act::ApproveExtension(new)));
            finish(&mut a, RECEIVED, wd(cal, new, -1));
        }
    }
    a.sort_by_key(|(t, _)| *t);
    a
}

/// What the engine must have recorded.
#[derive(Debug, Default, PartialEq, Eq)]
struct Records {
    /// (task, stage, due date)
    reminders: BTreeSet<(i64, String, Date)>,
    /// (task, quarter)
    cadence: BTreeSet<(i64, String)>,
    /// (task, stage, round, day issued)
    notices: BTreeSet<(i64, String, i64, Date)>,
    /// (task, unit), with how many times
    naming: BTreeMap<(i64, i64), u32>,
    escalations: u32,
}

/// The quarter a day is in, and whether at most one working day of the quarter is left after it.
fn quarter(cal: &Calendar, d: Date) -> (String, bool) {
    let q = (d.month() - 1) / 3 + 1;
    let end = date(d.year(), q * 3, 1).last_of_month();
    let mut left = 0;
    let mut day = d;
    while day < end {
        day = day.tomorrow().unwrap();
        if cal.is_workday(day).unwrap().value {
            left += 1;
        }
    }
    (format!("{}Q{q}", d.year()), left <= 1)
}

/// The year as the rules say it goes, tick by tick.
fn expected(cal: &Calendar, plans: &[Plan], leaders_of: &dyn Fn(&[UnitId]) -> bool) -> Records {
    let mut r = Records::default();
    let end_of_day = |d: Date| at(d, 17, 30);
    let start_of_day = |d: Date| at(d, 8, 30);
    for p in plans {
        let id = p.task.id.0;
        let escalates = leaders_of(&p.lead_units);
        // Per stage: the notices issued so far (round, instant, answer-by day).
        let mut issued: HashMap<&str, Vec<(i64, Timestamp, Date)>> = HashMap::new();
        let mut day = RECEIVED;
        while day <= LAST_DAY {
            let now = at(day, 10, 0);
            let before: Vec<(Timestamp, Act)> = p.actions.iter().copied().filter(|(t, _)| *t < now).collect();
            let when = |k: &str| before.iter().find(|(_, a)| a.code() == k).map(|(t, _)| *t);
            if when("approve").is_some() {
                break;
            }
            let deadline = before
                .iter()
                .find_map(|(_, a)| match a {
                    Act::ApproveExtension(d) => Some(*d),
                    _ => None,
                })
                .or(p.task.fields.deadline)
                .unwrap_or_else(|| wd(cal, RECEIVED, 5));
            let signed = when("sign");
            let fed = when("feedback");
            // (stage, due date, yellow within, stopped at)
            let mut stages = vec![("sign", wd(cal, RECEIVED, 3), 1, signed), ("done", deadline, 2, fed)];
            if let Some(f) = fed {
                let fday = f.to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap()).date();
                stages.push(("outcome", wd(cal, fday, 5), 2, None));
            }
            for (stage, due, yellow, stop) in stages {
                if stop.is_some() {
                    continue;
                }
                if now > end_of_day(due) {
                    // Notices are issued on working days only (the pass runs at 10:00).
                    if !cal.is_workday(day).unwrap().value {
                        continue;
                    }
                    let mine = issued.entry(stage).or_default();
                    let round = match mine.as_slice() {
                        [] => 1,
                        [(1, first_at, answer_by)]
                            if day > *answer_by && !before.iter().any(|(t, a)| t > first_at && a.is_progress()) =>
                        {
                            2
                        }
                        _ => continue,
                    };
                    mine.push((round, now, wd(cal, day, 3)));
                    r.notices.insert((id, stage.to_string(), round, day));
                    r.escalations += u32::from(escalates);
                    if round == 2 {
                        for u in &p.lead_units {
                            *r.naming.entry((id, u.0)).or_default() += 1;
                        }
                    }
                } else if now >= start_of_day(cal.warning_start(due, yellow).unwrap().value) {
                    r.reminders.insert((id, stage.to_string(), due));
                }
            }
            let reporting = signed.is_some() && fed.is_none();
            let (q, closing) = quarter(cal, day);
            if reporting && closing {
                let reported = before.iter().any(|(t, a)| {
                    *a == Act::Report
                        && quarter(cal, t.to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap()).date()).0 == q
                });
                if !reported {
                    r.cadence.insert((id, q));
                }
            }
            day = day.tomorrow().unwrap();
        }
    }
    r
}

/// The services over the database at `path`, and the store beneath them.
async fn open(path: &str, clock: Arc<FixedClock>) -> (Arc<Services>, Arc<dyn Store>) {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::connect(&format!("sqlite:{path}")).await.unwrap());
    let duban = Arc::new(
        Services::new(store.clone(), Policy::builtin("x-district-2022").unwrap(), clock, UnknownYears::Error)
            .await
            .unwrap(),
    );
    (duban, store)
}

/// What the engine recorded, read back from the database.
async fn recorded(store: &dyn Store, escalations: u32) -> Records {
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    let mut r = Records { escalations, ..Default::default() };
    for n in store.list_notices().await.unwrap() {
        r.notices.insert((n.task_id.0, n.stage, n.round, n.issued_at.to_zoned(tz.clone()).date()));
    }
    for m in store.list_messages(None, u32::MAX).await.unwrap() {
        if m.message.channel != "inbox" {
            continue;
        }
        let parts: Vec<&str> = m.message.dedup_key.split(':').collect();
        match (m.message.kind.as_str(), parts.as_slice()) {
            ("remind", [_, task, stage, due, _, _]) => {
                r.reminders.insert((task.parse().unwrap(), stage.to_string(), due.parse().unwrap()));
            }
            ("cadence", [_, task, q, _, _]) => {
                r.cadence.insert((task.parse().unwrap(), q.to_string()));
            }
            _ => {}
        }
    }
    for n in store.list_naming().await.unwrap() {
        *r.naming.entry((n.naming.task_id.0, n.naming.unit_id.unwrap().0)).or_default() += 1;
    }
    r
}

/// A year in progress: the database, the services over it, the scripts and who acts them.
pub(crate) struct Year {
    /// Holds the database file.
    _dir: tempfile::TempDir,
    path: String,
    pub(crate) clock: Arc<FixedClock>,
    pub(crate) duban: Arc<Services>,
    pub(crate) beneath: Arc<dyn Store>,
    pub(crate) plans: Vec<Plan>,
    /// The units the leader is in charge of.
    pub(crate) charged: Vec<UnitId>,
    office: PersonId,
    officer: HashMap<UnitId, PersonId>,
    head: HashMap<UnitId, PersonId>,
    by_day: BTreeMap<Timestamp, Vec<(usize, Act)>>,
    /// The passes' counts so far: reminders, cadence reminders, notices, escalations, naming
    /// candidates.
    pub(crate) totals: (u32, u32, usize, u32, u32),
}

impl Year {
    /// The directory, the people and the seed-003 ledger imported on the first day, and each
    /// task's script.
    pub(crate) async fn begin() -> Year {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("year.db").display().to_string();
        let clock = Arc::new(FixedClock::new(at(RECEIVED, 8, 0)));
        let (duban, beneath) = open(&path, clock.clone()).await;
        let units_toml =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/units/naiman.toml")).unwrap();
        let directory = duban_domain::org::UnitDirectory::from_toml(&units_toml).unwrap();
        beneath.import_directory(&directory, duban.core().now()).await.unwrap();
        let store = beneath.clone();
        let units = store.list_units().await.unwrap();
        let person = |name: String, unit: Option<UnitId>, role: Role, charge: Vec<UnitId>| NewPerson {
            charge_units: charge,
            ..NewPerson::new(&name, &name, unit, vec![role])
        };
        let mut officer: HashMap<UnitId, PersonId> = HashMap::new();
        // After a 督办 the feedback needs the head's approval: the heads give it themselves.
        let mut head: HashMap<UnitId, PersonId> = HashMap::new();
        for (i, u) in units.iter().enumerate() {
            let p = store
                .create_person(
                    &person(format!("officer{i}"), Some(u.id), Role::Officer, vec![]),
                    duban_store_tests::at(),
                )
                .await
                .unwrap();
            officer.insert(u.id, p.id);
            let h = store
                .create_person(&person(format!("head{i}"), Some(u.id), Role::UnitHead, vec![]), duban_store_tests::at())
                .await
                .unwrap();
            head.insert(u.id, h.id);
        }
        let office = store
            .create_person(&person("office".into(), None, Role::Office, vec![]), duban_store_tests::at())
            .await
            .unwrap()
            .id;
        // The leader is in charge of every other unit: only their tasks' notices are escalated.
        let charged: Vec<UnitId> = units.iter().step_by(2).map(|u| u.id).collect();
        store
            .create_person(&person("leader".into(), None, Role::Leader, charged.clone()), duban_store_tests::at())
            .await
            .unwrap();

        clock.set(at(RECEIVED, 9, 0));
        let seed = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/seeds/003_70bf524fbdd19580.txt"))
            .expect("seed 003 in fixtures/seeds/");
        let preview = duban.document_import().preview(&seed, "003.txt", None).await.unwrap();
        duban
            .document_import()
            .commit(&preview, &Default::default(), &duban_app::actor::Actor::command_line())
            .await
            .unwrap();
        let tasks = store.open_tasks(TaskId(0), 10_000).await.unwrap();
        assert_eq!(tasks.len(), 274);

        let groups: HashMap<i64, Vec<UnitId>> =
            store.list_groups().await.unwrap().into_iter().map(|g| (g.id.0, g.members)).collect();
        let index: HashMap<UnitId, usize> = units.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
        let cal = duban.core().calendar();
        let plans: Vec<Plan> = tasks
            .into_iter()
            .map(|task| {
                let lead_units: Vec<UnitId> = task
                    .fields
                    .lead
                    .iter()
                    .flat_map(|p| match p {
                        Party::Unit(u) => vec![*u],
                        Party::Group(g) => groups[&g.0].clone(),
                    })
                    .collect();
                let script = SCRIPTS[index[&lead_units[0]] % SCRIPTS.len()];
                let actions = plan(&cal, script, &task);
                Plan { task, script, lead_units, actions }
            })
            .collect();
        for s in SCRIPTS {
            assert!(plans.iter().filter(|p| p.script == s).count() >= 10, "{s:?} has too few tasks to mean anything");
        }
        let mut by_day: BTreeMap<Timestamp, Vec<(usize, Act)>> = BTreeMap::new();
        for (i, p) in plans.iter().enumerate() {
            for (t, a) in &p.actions {
                by_day.entry(*t).or_default().push((i, *a));
            }
        }
        Year {
            _dir: dir,
            path,
            clock,
            duban,
            beneath,
            plans,
            charged,
            office,
            officer,
            head,
            by_day,
            totals: (0, 0, 0, 0, 0),
        }
    }

    /// One day of the year: the supervision pass at 10:00 (and, on the restart day, the server
    /// restarted and the same pass run again), then the units' actions of the day.
    pub(crate) async fn day(&mut self, day: Date) {
        let now = at(day, 10, 0);
        let s = self.duban.supervision().pass(now).await.unwrap();
        self.totals.0 += s.reminders;
        self.totals.1 += s.cadence_reminders;
        self.totals.2 += s.notices.len();
        self.totals.3 += s.escalations;
        self.totals.4 += s.naming_candidates;
        if day == RESTART {
            // The server stops and starts again over the same database; the same pass then
            // finds nothing left to do.
            (self.duban, self.beneath) = open(&self.path, self.clock.clone()).await;
            let again = self.duban.supervision().pass(now).await.unwrap();
            assert_eq!(
                (again.reminders, again.cadence_reminders, again.notices.len(), again.naming_candidates),
                (0, 0, 0, 0)
            );
            assert_eq!(again.open_tasks, s.open_tasks);
        }
        let next = at(day.tomorrow().unwrap(), 10, 0);
        let (duban, beneath) = (self.duban.clone(), self.beneath.clone());
        for (t, acts) in self.by_day.range(now..next) {
            self.clock.set(*t);
            for (i, a) in acts {
                let p = &self.plans[*i];
                let actor = match a {
                    Act::ApproveExtension(_) | Act::Approve => self.office,
                    Act::Feedback => self.head[&p.lead_units[0]],
                    _ => self.officer[&p.lead_units[0]],
                };
                let mut input = ActionInput {
                    action: a.code().into(),
                    actor: Some(actor.0),
                    version: None,
                    text: "按计划推进".into(),
                    evidence: match a {
                        Act::Feedback => {
                            let file = duban
                                .lifecycle()
                                .attach(p.task.id, "完成情况.pdf", "application/pdf", b"%PDF".to_vec(), Some(actor))
                                .await
                                .unwrap();
                            vec![file.id]
                        }
                        _ => vec![],
                    },
                    new_deadline: match a {
                        Act::RequestExtension(d) | Act::ApproveExtension(d) => Some(d.to_string()),
                        _ => None,
                    },
                    ..Default::default()
                };
                input.version = Some(beneath.get_task(p.task.id).await.unwrap().version);
                if let Err(e) = duban.lifecycle().act(p.task.id, input).await {
                    panic!("{:?} {} on task {} ({:?}): {e}", p.script, a.code(), p.task.id, p.task.fields.deadline);
                }
            }
        }
    }
}

#[tokio::test]
async fn a_year_over_the_seed_003_ledger_produces_exactly_the_expected_supervision() {
    let mut year = Year::begin().await;
    let cal = year.duban.core().calendar();
    let charged = year.charged.clone();
    let want = expected(&cal, &year.plans, &|units| units.iter().any(|u| charged.contains(u)));

    // The year.
    let mut day = RECEIVED;
    while day <= LAST_DAY {
        year.day(day).await;
        day = day.tomorrow().unwrap();
    }
    let (beneath, plans, totals) = (&year.beneath, &year.plans, year.totals);

    let got = recorded(&**beneath, totals.3).await;
    // Hand-checked anchors before the whole comparison: a silent unit's task due 2022-12-31
    // gets the sign reminder (03-23), notices on 03-25 and 03-31 (answer-by 03-30), the done
    // reminder on 12-29, notices on 2023-01-03, the first working day after the New Year holiday,
    // and 01-09 (answer-by 01-06), and is named twice.
    let silent = plans
        .iter()
        .find(|p| p.script == Script::Silent && p.task.fields.deadline == Some(date(2022, 12, 31)))
        .unwrap();
    let id = silent.task.id.0;
    let mine: Vec<_> = got.notices.iter().filter(|n| n.0 == id).map(|n| (n.1.as_str(), n.2, n.3)).collect();
    assert_eq!(
        mine,
        [
            ("done", 1, date(2023, 1, 3)),
            ("done", 2, date(2023, 1, 9)),
            ("sign", 1, date(2022, 3, 25)),
            ("sign", 2, date(2022, 3, 31))
        ]
    );
    let reminded: Vec<_> = got.reminders.iter().filter(|r| r.0 == id).map(|r| (r.1.as_str(), r.2)).collect();
    assert_eq!(reminded, [("done", date(2022, 12, 31)), ("sign", date(2022, 3, 24))]);
    assert_eq!(got.naming.get(&(id, silent.lead_units[0].0)), Some(&2));

    assert_eq!(got.notices, want.notices);
    assert_eq!(got.reminders, want.reminders);
    assert_eq!(got.cadence, want.cadence);
    assert_eq!(got.naming, want.naming);
    assert_eq!(got.escalations, want.escalations);
    // The passes' own counts add up to the same.
    assert_eq!(totals.0 as usize, want.reminders.len());
    assert_eq!(totals.1 as usize, want.cadence.len());
    assert_eq!(totals.2, want.notices.len());
    assert_eq!(totals.4, want.naming.values().sum::<u32>());
    // Every task that was not silent or left unfinished is closed; the trail holds.
    let open = beneath.open_tasks(TaskId(0), 10_000).await.unwrap();
    let stuck = plans.iter().filter(|p| matches!(p.script, Script::Silent | Script::NonReporter)).count();
    assert_eq!(open.len(), stuck);
    assert!(beneath.verify_events().await.unwrap().broken.is_none());
    eprintln!(
        "year: {} reminders, {} cadence reminders, {} notices, {} escalations, {} naming candidates",
        want.reminders.len(),
        want.cadence.len(),
        want.notices.len(),
        want.escalations,
        want.naming.values().sum::<u32>()
    );
}
