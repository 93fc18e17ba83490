//! The use cases that decide a permission ask the one `Actor`: a person's capabilities, or the
//! command line, which may do everything as nobody in particular.

use duban_app::actor::Actor;
use duban_app::service::Services;
use duban_domain::Error;
use duban_domain::calendar::UnknownYears;
use duban_domain::clock::FixedClock;
use duban_domain::ids::TaskId;
use duban_domain::org::{NewPerson, NewUnit, Role, UnitKind, UnitLevel};
use duban_domain::policy::Policy;
use duban_store_tests::at;
use std::sync::Arc;

#[tokio::test]
async fn administrative_writes_and_a_supervision_by_hand_ask_the_actor() {
    let db = duban_store_tests::sqlite().await.unwrap();
    let clock = Arc::new(FixedClock::new(at()));
    let policy = Policy::builtin("x-district-2022").unwrap();
    let d = Services::new(db.store.clone(), policy, clock, UnknownYears::Error).await.unwrap();
    let officer = db.store.create_person(&NewPerson::new("甲", "jia", None, vec![Role::Officer]), at()).await.unwrap();
    let officer = Actor::new(officer);
    let cli = Actor::command_line();
    let unit = NewUnit {
        name: "旗财政局".into(),
        kind: UnitKind::Department,
        level: UnitLevel::County,
        parent_id: None,
        aliases: vec![],
    };

    // An officer may not administer nor read the log; nothing is written.
    assert_eq!(d.admin().add_unit(&officer, &unit).await.unwrap_err(), Error::Forbidden);
    assert_eq!(d.admin().events(&officer, None, 10).await.unwrap_err(), Error::Forbidden);
    assert!(d.queries().units().await.unwrap().is_empty());
    assert!(d.admin().events(&cli, None, 10).await.unwrap().is_empty());

    // The command line may, and the log names it, with no person.
    d.admin().add_unit(&cli, &unit).await.unwrap();
    let log = d.admin().events(&cli, None, 10).await.unwrap();
    assert_eq!((log.len(), log[0].fields.actor.as_str(), log[0].fields.actor_id), (1, "命令行", None));

    // A 督办 by hand needs someone who may oversee, and is issued by a person.
    assert_eq!(d.supervision().by_hand(&officer, TaskId(1), "请加快").await.unwrap_err(), Error::Forbidden);
    assert_eq!(d.supervision().by_hand(&cli, TaskId(1), "请加快").await.unwrap_err(), Error::Forbidden);
}
