//! The behaviour every backend must show. Each test gets a fresh, migrated database.

use crate::TestDb;
pub use crate::jobs::*;
use duban_domain::Error;
use duban_domain::calendar::CalendarFile;
use duban_domain::ids::*;
use duban_domain::org::*;
use duban_domain::policy::ClockEvent;
use duban_domain::task::*;
use duban_store::*;
use jiff::Timestamp;
use jiff::civil::{Date, date};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The unit directory shipped with the project.
pub const NAIMAN_UNITS: &str = include_str!("../../../data/units/naiman.toml");

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn unit(name: &str, aliases: &[&str]) -> NewUnit {
    NewUnit {
        name: name.into(),
        kind: UnitKind::Department,
        level: UnitLevel::County,
        parent_id: None,
        aliases: aliases.iter().map(|s| s.to_string()).collect(),
    }
}

fn person(name: &str, username: &str, unit_id: Option<UnitId>) -> NewPerson {
    NewPerson {
        name: name.into(),
        username: username.into(),
        unit_id,
        roles: vec![Role::Officer],
        title: String::new(),
        phone: String::new(),
        email: String::new(),
        domains: vec![],
        charge_units: vec![],
    }
}

/// A task with the given lead, received at 2026-03-02 09:00 Beijing time.
pub fn task(title: &str, lead: Vec<Party>) -> StoredTask {
    StoredTask {
        fields: NewTask {
            ledger_id: None,
            parent_id: None,
            number: String::new(),
            title: title.into(),
            text: format!("{title}的具体内容"),
            section: String::new(),
            source: Source::Document,
            lead,
            cooperating: vec![],
            leader_id: None,
            responsible_person_id: None,
            deadline: None,
            milestones: vec![],
            targets: vec![],
            work_standard: String::new(),
            priority: Priority::Routine,
            complexity: Complexity::General,
            classification: Classification::Internal,
            received_at: t("2026-03-02T01:00:00Z"),
        },
        status: Status::Assigned,
        clock: BTreeMap::from([(ClockEvent::Received, t("2026-03-02T01:00:00Z"))]),
        schedule: ScheduleInstants::default(),
        at: t("2026-03-02T01:00:00Z"),
    }
}

fn created(at: Timestamp) -> NewEvent {
    NewEvent { at, actor_id: None, kind: "created".into(), data: serde_json::json!({}) }
}

fn query(now: Timestamp) -> TaskQuery {
    TaskQuery { now, page: 1, per_page: 100, ..Default::default() }
}

fn titles(p: &Page<Task>) -> Vec<String> {
    p.items.iter().map(|t| t.fields.title.clone()).collect()
}

pub async fn every_migration_runs_on_an_empty_database(db: &TestDb) {
    let (applied, embedded) = db.migrations().await;
    assert!(!embedded.is_empty());
    assert_eq!(applied, embedded);
    db.store.ping().await.unwrap();
}

pub async fn units_are_created_updated_listed_and_resolved_by_alias(db: &TestDb) {
    let s = &*db.store;
    let gov = s
        .create_unit(&NewUnit { kind: UnitKind::Government, ..unit("奈曼旗人民政府", &["旗政府"]) }, crate::at())
        .await
        .unwrap();
    let mut u = unit("旗住房和城乡建设局", &["旗住建局", "住建局", "旗住建局"]);
    u.parent_id = Some(gov.id);
    let zj = s.create_unit(&u, crate::at()).await.unwrap();
    assert_eq!(zj.aliases, vec!["住建局", "旗住建局"]);
    assert_eq!(zj.parent_id, Some(gov.id));
    assert!(zj.active);
    assert_eq!(s.resolve_name("住建局").await.unwrap(), Some(PartyRef::Unit(zj.id)));
    assert_eq!(s.resolve_name("旗住房和城乡建设局").await.unwrap(), Some(PartyRef::Unit(zj.id)));
    assert_eq!(s.resolve_name("不存在局").await.unwrap(), None);

    u.aliases = vec!["旗住建局".into()];
    u.kind = UnitKind::Institution;
    let zj2 = s.update_unit(zj.id, &u, crate::at()).await.unwrap();
    assert_eq!(zj2.aliases, vec!["旗住建局"]);
    assert_eq!(zj2.kind, UnitKind::Institution);
    assert_eq!(s.resolve_name("住建局").await.unwrap(), None);

    let all = s.list_units().await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[1], zj2);
    assert_eq!(s.get_unit(zj.id).await.unwrap(), zj2);
    assert!(matches!(s.get_unit(UnitId(9999)).await, Err(Error::NotFound { .. })));
    assert!(matches!(
        s.update_unit(UnitId(9999), &u, crate::at()).await,
        Err(Error::NotFound { .. } | Error::Invalid { .. })
    ));
}

pub async fn a_name_or_alias_cannot_point_to_two_parties(db: &TestDb) {
    let s = &*db.store;
    s.create_unit(&unit("旗市场监督管理局", &["旗市场监管局"]), crate::at()).await.unwrap();
    let e = s.create_unit(&unit("旗市场监管局", &[]), crate::at()).await.unwrap_err();
    assert!(matches!(e, Error::Conflict(ref m) if m.contains("旗市场监管局")), "{e:?}");
    let e = s.create_unit(&unit("另一个局", &["旗市场监督管理局"]), crate::at()).await.unwrap_err();
    assert!(matches!(e, Error::Conflict(_)));
    // Nothing of the refused unit was kept.
    assert_eq!(s.resolve_name("另一个局").await.unwrap(), None);
    assert_eq!(s.list_units().await.unwrap().len(), 1);
}

pub async fn a_unit_takes_one_more_alias_which_then_resolves(db: &TestDb) {
    let s = &*db.store;
    let gov = s.create_unit(&unit("奈曼旗人民政府", &["旗政府"]), crate::at()).await.unwrap();
    let data = s.create_unit(&unit("旗政务服务和数据管理局", &["旗政数局"]), crate::at()).await.unwrap();
    assert_eq!(s.resolve_name("旗数据局").await.unwrap(), None);
    let after = s.add_unit_alias(data.id, " 旗数据局 ").await.unwrap();
    assert_eq!(after.aliases, vec!["旗政数局", "旗数据局"]);
    assert_eq!(after.name, data.name);
    assert_eq!(s.resolve_name("旗数据局").await.unwrap(), Some(PartyRef::Unit(data.id)));
    assert_eq!(s.get_unit(data.id).await.unwrap(), after);
    // Again, or a name the unit has already: nothing changes.
    assert_eq!(s.add_unit_alias(data.id, "旗数据局").await.unwrap(), after);
    assert_eq!(s.add_unit_alias(data.id, "旗政务服务和数据管理局").await.unwrap(), after);
    // Another party's name, an empty name or a missing unit: refused, nothing kept.
    let e = s.add_unit_alias(data.id, "旗政府").await.unwrap_err();
    assert!(matches!(e, Error::Conflict(ref m) if m.contains("旗政府")), "{e:?}");
    assert_eq!(s.resolve_name("旗政府").await.unwrap(), Some(PartyRef::Unit(gov.id)));
    assert!(matches!(s.add_unit_alias(data.id, "  ").await, Err(Error::Invalid { .. })));
    assert!(matches!(s.add_unit_alias(UnitId(9999), "某局").await, Err(Error::NotFound { .. })));
    assert_eq!(s.resolve_name("某局").await.unwrap(), None);
    assert_eq!(s.get_unit(data.id).await.unwrap(), after);
    // An alias so added is the unit's like any other: an edit of the unit keeps or drops it.
    let mut edit = unit("旗政务服务和数据管理局", &["旗数据局"]);
    edit.kind = data.kind;
    let edited = s.update_unit(data.id, &edit, crate::at()).await.unwrap();
    assert_eq!(edited.aliases, vec!["旗数据局"]);
}

pub async fn a_unit_cannot_be_its_own_ancestor(db: &TestDb) {
    let s = &*db.store;
    let a = s.create_unit(&unit("甲", &[]), crate::at()).await.unwrap();
    let b = s.create_unit(&NewUnit { parent_id: Some(a.id), ..unit("乙", &[]) }, crate::at()).await.unwrap();
    let e = s.update_unit(a.id, &NewUnit { parent_id: Some(b.id), ..unit("甲", &[]) }, crate::at()).await.unwrap_err();
    assert!(matches!(e, Error::Invalid { ref field, .. } if field == "parent_id"));
    let e = s.create_unit(&NewUnit { parent_id: Some(UnitId(999)), ..unit("丙", &[]) }, crate::at()).await.unwrap_err();
    assert!(matches!(e, Error::Invalid { ref field, .. } if field == "parent_id"));
    assert_eq!(s.get_unit(a.id).await.unwrap().parent_id, None);
}

pub async fn a_unit_in_use_cannot_be_deleted_but_an_unused_one_can(db: &TestDb) {
    let s = &*db.store;
    let used = s.create_unit(&unit("旗财政局", &["财政局"]), crate::at()).await.unwrap();
    let free = s.create_unit(&unit("旗审计局", &["审计局"]), crate::at()).await.unwrap();
    s.create_task(&task("清偿账款", vec![Party::Unit(used.id)]), &created(t("2026-03-02T01:00:00Z"))).await.unwrap();
    let e = s.delete_unit(used.id).await.unwrap_err();
    assert!(matches!(e, Error::Conflict(ref m) if m.contains("旗财政局")));
    // Named only by a key enterprise (its area): still in use, and nothing is deleted.
    let area = s.create_unit(&unit("大沁他拉镇", &[]), crate::at()).await.unwrap();
    let mut e = duban_domain::enterprise::EnterpriseInput {
        name: Some("甲公司".into()),
        credit_code: Some("91350100M000100Y43".into()),
        ..Default::default()
    }
    .parse()
    .unwrap();
    e.unit_id = Some(area.id);
    s.insert_enterprise(&e, None, crate::at()).await.unwrap();
    let refused = s.delete_unit(area.id).await.unwrap_err();
    assert!(matches!(refused, Error::Conflict(ref m) if m.contains("大沁他拉镇") && m.contains("企业")), "{refused:?}");
    assert!(s.get_unit(area.id).await.is_ok(), "the unit stays");
    s.delete_unit(free.id).await.unwrap();
    assert_eq!(s.resolve_name("审计局").await.unwrap(), None);
    assert!(matches!(s.delete_unit(free.id).await, Err(Error::NotFound { .. })));
    assert_eq!(s.list_units().await.unwrap().len(), 2);
}

pub async fn the_shipped_unit_directory_loads_and_loading_it_again_changes_nothing(db: &TestDb) {
    let s = &*db.store;
    let dir = UnitDirectory::from_toml(NAIMAN_UNITS).unwrap();
    let first = s.import_directory(&dir, crate::at()).await.unwrap();
    assert_eq!(first.units_created as usize, dir.units.len());
    assert_eq!(first.groups_created as usize, dir.groups.len());
    let units = s.list_units().await.unwrap();
    let groups = s.list_groups().await.unwrap();
    let second = s.import_directory(&dir, crate::at()).await.unwrap();
    assert_eq!(
        (second.units_created, second.units_updated, second.groups_created, second.groups_updated),
        (0, 0, 0, 0)
    );
    assert_eq!(s.list_units().await.unwrap(), units);
    assert_eq!(s.list_groups().await.unwrap(), groups);
    // Every spelling of seed 003 resolves.
    for name in [
        "旗住建局",
        "住建局",
        "旗住房和城乡建设局",
        "旗市场监管局",
        "国网奈曼供电公司",
        "旗直有关部门",
        "各苏木乡镇场、街道",
        "旗人民法院",
        "各银行业金融机构",
    ] {
        assert!(s.resolve_name(name).await.unwrap().is_some(), "{name}");
    }
    let zj = units.iter().find(|u| u.name == "旗住房和城乡建设局").unwrap();
    let gov = units.iter().find(|u| u.name == "奈曼旗人民政府").unwrap();
    assert_eq!(zj.parent_id, Some(gov.id));
    // A changed file updates in place.
    let changed = NAIMAN_UNITS.replace(
        "name = \"旗审计局\"\nkind = \"department\"\nparent = \"奈曼旗人民政府\"\naliases = [\"审计局\"]",
        "name = \"旗审计局\"\nkind = \"department\"\nparent = \"奈曼旗人民政府\"\naliases = [\"审计局\", \"旗审计\"]",
    );
    assert_ne!(changed, NAIMAN_UNITS);
    let third = s.import_directory(&UnitDirectory::from_toml(&changed).unwrap(), crate::at()).await.unwrap();
    assert_eq!((third.units_created, third.units_updated), (0, 1));
    assert!(s.resolve_name("旗审计").await.unwrap().is_some());
}

pub async fn groups_expand_to_their_member_units(db: &TestDb) {
    let s = &*db.store;
    s.import_directory(&UnitDirectory::from_toml(NAIMAN_UNITS).unwrap(), crate::at()).await.unwrap();
    let units = s.list_units().await.unwrap();
    let groups = s.list_groups().await.unwrap();
    let g = |n: &str| groups.iter().find(|g| g.name == n).unwrap();
    let name_of = |id: &UnitId| units.iter().find(|u| u.id == *id).unwrap().name.clone();
    let towns: Vec<String> = g("各苏木乡镇场、街道").members.iter().map(name_of).collect();
    assert!(towns.contains(&"大沁他拉街道".to_string()) && towns.contains(&"六号农场".to_string()));
    assert!(
        towns
            .iter()
            .all(|n| units.iter().any(|u| &u.name == n && matches!(u.kind, UnitKind::Township | UnitKind::Street)))
    );
    let depts = g("旗直有关部门");
    assert!(depts.members.iter().all(|m| {
        let u = units.iter().find(|u| u.id == *m).unwrap();
        matches!(u.kind, UnitKind::Department | UnitKind::Institution)
    }));
    assert!(depts.aliases.contains(&"旗直相关部门".to_string()));
    let regulators: Vec<String> = g("各行业主管部门").members.iter().map(name_of).collect();
    assert!(regulators.contains(&"旗住房和城乡建设局".to_string()));
    assert_eq!(s.get_group(depts.id).await.unwrap(), *depts);
    assert_eq!(s.resolve_name("各行业监管部门").await.unwrap(), Some(PartyRef::Group(g("各行业主管部门").id)));
}

pub async fn people_have_unique_usernames_and_are_deactivated_not_deleted(db: &TestDb) {
    let s = &*db.store;
    let u = s.create_unit(&unit("旗政府办公室", &[]), crate::at()).await.unwrap();
    let mut p = person("王督查", "wang", Some(u.id));
    p.roles = vec![Role::Office, Role::Officer];
    p.domains = vec!["营商环境".into()];
    let wang = s.create_person(&p, crate::at()).await.unwrap();
    assert_eq!(wang.fields, p);
    assert!(wang.active);
    let e = s.create_person(&person("另一个王", "wang", None), crate::at()).await.unwrap_err();
    assert!(matches!(e, Error::Conflict(ref m) if m.contains("wang")));
    let e = s.create_person(&person("李四", "li", Some(UnitId(999))), crate::at()).await.unwrap_err();
    assert!(matches!(e, Error::Invalid { .. }));
    p.title = "督查室主任".into();
    let wang2 = s.update_person(wang.id, &p).await.unwrap();
    assert_eq!(wang2.fields.title, "督查室主任");
    s.deactivate_person(wang.id).await.unwrap();
    let gone = s.get_person(wang.id).await.unwrap();
    assert!(!gone.active);
    assert_eq!(s.list_people().await.unwrap().len(), 1);
    assert!(matches!(s.deactivate_person(PersonId(999)).await, Err(Error::NotFound { .. })));
}

pub async fn ledgers_have_unique_names(db: &TestDb) {
    let s = &*db.store;
    let l = NewLedger {
        name: "奈曼旗落实通辽市优化营商环境攻坚年行动实施方案".into(),
        doc_number: None,
        issued: Some(date(2022, 3, 18)),
        issuer: "中共奈曼旗委员会办公室 奈曼旗人民政府办公室".into(),
        source: Source::Document,
    };
    let at = t("2026-03-02T01:00:00Z");
    let made = s.create_ledger(&l, at).await.unwrap();
    assert_eq!(made.fields, l);
    assert_eq!(s.get_ledger(made.id).await.unwrap(), made);
    assert!(matches!(s.create_ledger(&l, at).await, Err(Error::Conflict(_))));
    assert_eq!(s.list_ledgers().await.unwrap(), vec![made]);
}

pub async fn tasks_keep_every_field(db: &TestDb) {
    let s = &*db.store;
    let a = s.create_unit(&unit("旗行政审批和政务服务局", &[]), crate::at()).await.unwrap();
    let b = s.create_unit(&unit("旗市场监督管理局", &[]), crate::at()).await.unwrap();
    let dir = UnitDirectory::from_toml("[[group]]\nname = \"旗直有关部门\"").unwrap();
    s.import_directory(&dir, crate::at()).await.unwrap();
    let g = s.list_groups().await.unwrap()[0].id;
    let leader = s.create_person(&person("副旗长", "leader", None), crate::at()).await.unwrap();
    let officer = s.create_person(&person("经办人", "officer", Some(a.id)), crate::at()).await.unwrap();
    let ledger = s
        .create_ledger(
            &NewLedger {
                name: "台账".into(),
                doc_number: Some("奈政字〔2025〕43号".into()),
                issued: None,
                issuer: String::new(),
                source: Source::Document,
            },
            t("2026-01-01T00:00:00Z"),
        )
        .await
        .unwrap();
    let parent =
        s.create_task(&task("上级任务", vec![Party::Unit(a.id)]), &created(t("2026-03-02T01:00:00Z"))).await.unwrap();
    let mut st = task("推行电子营业执照“一照通办”", vec![Party::Unit(a.id), Party::Unit(b.id)]);
    st.fields.ledger_id = Some(ledger.id);
    st.fields.parent_id = Some(parent.id);
    st.fields.number = "（1）".into();
    st.fields.section = "二、重点任务 / （一）打造市场主体全生命周期服务链".into();
    st.fields.cooperating = vec![Party::Group(g)];
    st.fields.leader_id = Some(leader.id);
    st.fields.responsible_person_id = Some(officer.id);
    st.fields.deadline = Some(date(2022, 12, 31));
    st.fields.milestones = vec![
        Milestone { due: date(2022, 4, 30), text: "完成任务指标70%".into() },
        Milestone { due: date(2022, 6, 30), text: "完成100%".into() },
    ];
    st.fields.targets = vec!["新增注册用户6万人".into()];
    st.fields.work_standard = "全程网办".into();
    st.fields.priority = Priority::Key;
    st.fields.complexity = Complexity::VeryComplex;
    st.fields.classification = Classification::Secret;
    st.status = Status::Signed;
    st.clock.insert(ClockEvent::Signed, t("2026-03-03T02:00:00Z"));
    st.schedule =
        ScheduleInstants { due_at: Some(t("2026-03-05T09:30:00Z")), warn_at: Some(t("2026-03-03T16:00:00Z")) };
    let made = s.create_task(&st, &created(st.at)).await.unwrap();
    assert_eq!(made.fields, st.fields);
    assert_eq!(made.status, Status::Signed);
    assert_eq!(made.events, st.clock);
    assert_eq!(made.version, 1);
    assert_eq!(made.created_at, st.at);
    assert_eq!(s.get_task(made.id).await.unwrap(), made);
    let events = s.task_events(made.id).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, "created");
    assert!(matches!(s.get_task(TaskId(9999)).await, Err(Error::NotFound { .. })));
}

pub async fn a_task_for_a_missing_ledger_is_rejected(db: &TestDb) {
    let s = &*db.store;
    let mut st = task("无台账", vec![]);
    st.fields.ledger_id = Some(LedgerId(42));
    let e = s.create_task(&st, &created(st.at)).await.unwrap_err();
    assert!(matches!(e, Error::Invalid { .. }), "{e:?}");
    let mut st = task("无单位", vec![Party::Unit(UnitId(7))]);
    st.fields.ledger_id = None;
    assert!(matches!(s.create_task(&st, &created(st.at)).await, Err(Error::Invalid { .. })));
    let page = s.list_tasks(&query(st.at)).await.unwrap();
    assert_eq!(page.total, 0);
}

/// A split (分解交办) writes the parent's event and every part in one transaction; a stale
/// version, or a part that cannot be stored, writes none of them.
pub async fn a_split_writes_the_parent_and_its_parts_or_nothing(db: &TestDb) {
    let s = &*db.store;
    let u = s.create_unit(&unit("旗水利局", &[]), crate::at()).await.unwrap();
    let st = task("河道整治", vec![Party::Unit(u.id)]);
    let parent = s.create_task(&st, &created(st.at)).await.unwrap();
    let at = t("2026-03-03T01:00:00Z");
    let split =
        NewEvent { at, actor_id: None, kind: "split".into(), data: serde_json::json!({"parts": ["1-1", "1-2"]}) };
    let part = |title: &str| {
        let mut p = task(title, vec![Party::Unit(u.id)]);
        p.fields.parent_id = Some(parent.id);
        (p, created(at))
    };
    let parts = [part("上游清淤"), part("下游护岸")];
    let before = s.tasks_fingerprint().await.unwrap();
    // A stale version: nothing is written, not even the parts.
    let e = s.split_task(parent.id, 7, &st, &split, &parts).await.unwrap_err();
    assert_eq!(e, Error::VersionConflict { current: 1 });
    assert_eq!(s.tasks_fingerprint().await.unwrap(), before);
    assert_eq!(s.task_events(parent.id).await.unwrap().len(), 1);
    // A part naming a parent that does not exist fails the whole split.
    let mut orphan = part("无主子任务");
    orphan.0.fields.parent_id = Some(TaskId(999_999));
    let broken = [part("上游清淤"), orphan];
    assert!(s.split_task(parent.id, 1, &st, &split, &broken).await.is_err());
    assert_eq!(s.tasks_fingerprint().await.unwrap(), before);
    assert_eq!(s.task_events(parent.id).await.unwrap().len(), 1);
    // Then the split goes through: the parent's event and both parts with theirs.
    let made = s.split_task(parent.id, 1, &st, &split, &parts).await.unwrap();
    let titles: Vec<&str> = made.iter().map(|p| p.fields.title.as_str()).collect();
    assert_eq!(titles, ["上游清淤", "下游护岸"]);
    assert!(made.iter().all(|p| p.fields.parent_id == Some(parent.id)));
    assert_eq!(s.get_task(parent.id).await.unwrap().version, 2);
    let kinds: Vec<String> = s.task_events(parent.id).await.unwrap().into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds, ["created", "split"]);
    for p in &made {
        assert_eq!(s.task_events(p.id).await.unwrap().len(), 1);
    }
    assert!(s.verify_events().await.unwrap().broken.is_none());
}

pub async fn a_stale_version_gets_a_conflict_and_changes_nothing(db: &TestDb) {
    let s = &*db.store;
    let u = s.create_unit(&unit("旗司法局", &[]), crate::at()).await.unwrap();
    let st = task("清理规范性文件", vec![Party::Unit(u.id)]);
    let made = s.create_task(&st, &created(st.at)).await.unwrap();
    let mut first = st.clone();
    first.fields.title = "第一次修改".into();
    let edit = |kind: &str| NewEvent {
        at: t("2026-03-03T01:00:00Z"),
        actor_id: None,
        kind: kind.into(),
        data: serde_json::json!({"title": "x"}),
    };
    let v2 = s.update_task(made.id, 1, &first, &edit("updated")).await.unwrap();
    assert_eq!(v2.version, 2);
    assert_eq!(v2.fields.title, "第一次修改");
    let mut second = st.clone();
    second.fields.title = "第二次修改".into();
    let e = s.update_task(made.id, 1, &second, &edit("updated")).await.unwrap_err();
    assert_eq!(e, Error::VersionConflict { current: 2 });
    assert_eq!(s.get_task(made.id).await.unwrap(), v2);
    assert_eq!(s.task_events(made.id).await.unwrap().len(), 2);
    assert!(matches!(s.update_task(TaskId(999), 1, &second, &edit("updated")).await, Err(Error::NotFound { .. })));
}

pub async fn the_task_history_is_append_only(db: &TestDb) {
    let s = &*db.store;
    let st = task("留痕", vec![]);
    let made = s.create_task(&st, &created(st.at)).await.unwrap();
    let id = s.task_events(made.id).await.unwrap()[0].id;
    let upd = db.raw_execute(&format!("UPDATE task_events SET kind = 'forged' WHERE id = {id}")).await;
    assert!(upd.unwrap_err().contains("append-only"));
    let del = db.raw_execute(&format!("DELETE FROM task_events WHERE id = {id}")).await;
    assert!(del.unwrap_err().contains("append-only"));
    assert_eq!(s.task_events(made.id).await.unwrap()[0].kind, "created");
}

pub async fn task_lists_filter_by_unit_status_source_text_and_dates(db: &TestDb) {
    let s = &*db.store;
    let a = s.create_unit(&unit("旗发改委", &[]), crate::at()).await.unwrap();
    let b = s.create_unit(&unit("旗工信局", &[]), crate::at()).await.unwrap();
    let mut one = task("推进5G基站建设", vec![Party::Unit(b.id)]);
    one.fields.cooperating = vec![Party::Unit(a.id)];
    one.fields.deadline = Some(date(2026, 6, 30));
    let mut two = task("编制投资指南", vec![Party::Unit(a.id)]);
    two.fields.source = Source::Instruction;
    two.fields.deadline = Some(date(2026, 3, 31));
    two.status = Status::Closed;
    let mut three = task("百分比_测试%", vec![Party::Unit(b.id)]);
    three.fields.number = "（42）".into();
    for x in [&one, &two, &three] {
        s.create_task(x, &created(x.at)).await.unwrap();
    }
    let now = t("2026-03-02T02:00:00Z");
    let q = query(now);
    let list = |q: TaskQuery| async move { titles(&s.list_tasks(&q).await.unwrap()) };
    assert_eq!(list(TaskQuery { unit_id: Some(a.id), ..q.clone() }).await, vec!["推进5G基站建设", "编制投资指南"]);
    assert_eq!(list(TaskQuery { unit_id: Some(a.id), lead_only: true, ..q.clone() }).await, vec!["编制投资指南"]);
    assert_eq!(list(TaskQuery { statuses: vec![Status::Closed], ..q.clone() }).await, vec!["编制投资指南"]);
    assert_eq!(list(TaskQuery { sources: vec![Source::Instruction], ..q.clone() }).await, vec!["编制投资指南"]);
    assert_eq!(list(TaskQuery { text: Some("5G".into()), ..q.clone() }).await, vec!["推进5G基站建设"]);
    assert_eq!(list(TaskQuery { text: Some("（42）".into()), ..q.clone() }).await, vec!["百分比_测试%"]);
    assert_eq!(list(TaskQuery { text: Some("_".into()), ..q.clone() }).await, vec!["百分比_测试%"]);
    assert_eq!(list(TaskQuery { text: Some("%".into()), ..q.clone() }).await, vec!["百分比_测试%"]);
    assert_eq!(list(TaskQuery { deadline_before: Some(date(2026, 4, 1)), ..q.clone() }).await, vec!["编制投资指南"]);
    assert_eq!(list(TaskQuery { deadline_after: Some(date(2026, 4, 1)), ..q.clone() }).await, vec!["推进5G基站建设"]);
    assert_eq!(
        list(TaskQuery { sort: TaskSort::Deadline, ..q.clone() }).await,
        vec!["编制投资指南", "推进5G基站建设", "百分比_测试%"]
    );
    let page = s.list_tasks(&TaskQuery { per_page: 2, page: 2, sort: TaskSort::Number, ..q.clone() }).await.unwrap();
    assert_eq!((page.total, page.page, page.per_page), (3, 2, 2));
    assert_eq!(titles(&page), vec!["百分比_测试%"]);
    let one_page = s.list_tasks(&TaskQuery { per_page: 0, page: 0, ..q.clone() }).await.unwrap();
    assert_eq!((one_page.page, one_page.per_page, one_page.items.len()), (1, 1, 1));
}

pub async fn lights_are_filtered_at_the_given_instant(db: &TestDb) {
    let s = &*db.store;
    let mk = |title: &str, due: Option<&str>, warn: Option<&str>, status| {
        let mut x = task(title, vec![]);
        x.schedule = ScheduleInstants { due_at: due.map(t), warn_at: warn.map(t) };
        x.status = status;
        x
    };
    for x in [
        mk("red", Some("2026-03-05T09:30:00Z"), Some("2026-03-03T16:00:00Z"), Status::Assigned),
        mk("yellow", Some("2026-03-10T09:30:00Z"), Some("2026-03-05T16:00:00Z"), Status::InProgress),
        mk("green", Some("2026-03-20T09:30:00Z"), Some("2026-03-18T16:00:00Z"), Status::Signed),
        mk("no-due", None, None, Status::Assigned),
        mk("closed-late", Some("2026-03-01T09:30:00Z"), Some("2026-02-27T16:00:00Z"), Status::Closed),
    ] {
        s.create_task(&x, &created(x.at)).await.unwrap();
    }
    let q = query(t("2026-03-06T02:00:00Z"));
    let by = |l| {
        let q = TaskQuery { light: Some(l), ..q.clone() };
        async move { titles(&s.list_tasks(&q).await.unwrap()) }
    };
    assert_eq!(by(Light::Red).await, vec!["red"]);
    assert_eq!(by(Light::Yellow).await, vec!["yellow"]);
    assert_eq!(by(Light::Green).await, vec!["green", "no-due"]);
    // At the due instant exactly a task is not yet late; a millisecond later it is.
    let at = |s: &str| TaskQuery { light: Some(Light::Red), ..query(t(s)) };
    assert!(titles(&s.list_tasks(&at("2026-03-05T09:30:00Z")).await.unwrap()).is_empty());
    assert_eq!(titles(&s.list_tasks(&at("2026-03-05T09:30:00.001Z")).await.unwrap()), vec!["red"]);
    let due = TaskQuery {
        due_before: Some(t("2026-03-10T09:30:00Z")),
        due_after: Some(t("2026-03-06T00:00:00Z")),
        ..q.clone()
    };
    assert_eq!(titles(&s.list_tasks(&due).await.unwrap()), vec!["yellow"]);
}

pub async fn the_most_urgent_overdue_tasks_come_first(db: &TestDb) {
    let s = &*db.store;
    let base = t("2026-01-01T00:00:00Z");
    let tasks: Vec<StoredTask> = (0..250)
        .map(|i| {
            let mut x = task(&format!("任务{i:03}"), vec![]);
            // Scatter the due times: i * 7919 mod 250 hours after the base.
            let h = (i * 7919) % 250;
            x.schedule.due_at = Some(base + jiff::SignedDuration::from_hours(h));
            x
        })
        .collect();
    assert_eq!(s.insert_tasks(&tasks, base).await.unwrap(), 250);
    let now = base + jiff::SignedDuration::from_hours(200);
    let page = s.list_tasks(&TaskQuery { light: Some(Light::Red), per_page: 100, ..query(now) }).await.unwrap();
    assert_eq!(page.total, 200);
    let dues: Vec<Timestamp> = page.items.iter().map(|x| s_due(x, &tasks)).collect();
    assert_eq!(dues.len(), 100);
    assert!(dues.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(dues[0], base);
}

/// A task of source 企业诉求 led by `unit`, as a demand's task is.
fn enterprise_task(title: &str, unit: UnitId) -> StoredTask {
    let mut x = task(title, vec![Party::Unit(unit)]);
    x.fields.source = Source::Enterprise;
    x
}

fn s_due(x: &Task, all: &[StoredTask]) -> Timestamp {
    all.iter().find(|s| s.fields.title == x.fields.title).and_then(|s| s.schedule.due_at).unwrap()
}

pub async fn a_unit_sees_the_tasks_of_groups_it_belongs_to(db: &TestDb) {
    let s = &*db.store;
    s.import_directory(&UnitDirectory::from_toml(NAIMAN_UNITS).unwrap(), crate::at()).await.unwrap();
    let Some(PartyRef::Group(towns)) = s.resolve_name("各苏木乡镇场、街道").await.unwrap() else { panic!() };
    let Some(PartyRef::Unit(street)) = s.resolve_name("大沁他拉街道").await.unwrap() else { panic!() };
    let Some(PartyRef::Unit(court)) = s.resolve_name("旗人民法院").await.unwrap() else { panic!() };
    let mut x = task("设立综合窗口", vec![Party::Unit(court)]);
    x.fields.cooperating = vec![Party::Group(towns)];
    s.create_task(&x, &created(x.at)).await.unwrap();
    let q = TaskQuery { unit_id: Some(street), ..query(x.at) };
    assert_eq!(titles(&s.list_tasks(&q).await.unwrap()), vec!["设立综合窗口"]);
    let q = TaskQuery { unit_id: Some(street), lead_only: true, ..query(x.at) };
    assert!(titles(&s.list_tasks(&q).await.unwrap()).is_empty());
}

/// The SQL filter built from an [`Audience`] selects exactly the tasks its `sees` allows (issue
/// 9): one visibility rule, in memory and in SQL — units, groups, the office's reach, and 涉密
/// tasks for the people named on them only.
pub async fn the_audience_filter_in_sql_is_the_visibility_rule(db: &TestDb) {
    let s = &*db.store;
    s.import_directory(&UnitDirectory::from_toml(NAIMAN_UNITS).unwrap(), crate::at()).await.unwrap();
    let Some(PartyRef::Group(towns)) = s.resolve_name("各苏木乡镇场、街道").await.unwrap() else { panic!() };
    let Some(PartyRef::Unit(street)) = s.resolve_name("大沁他拉街道").await.unwrap() else { panic!() };
    let Some(PartyRef::Unit(court)) = s.resolve_name("旗人民法院").await.unwrap() else { panic!() };
    let a = s.create_unit(&unit("甲局", &[]), crate::at()).await.unwrap().id;
    let p1 = s.create_person(&person("甲", "jia", Some(a)), crate::at()).await.unwrap().id;
    let p2 = s.create_person(&person("乙", "yi", Some(court)), crate::at()).await.unwrap().id;
    let mut n = 0;
    for c in [Classification::Public, Classification::Internal, Classification::Secret] {
        for lead in [Party::Unit(a), Party::Unit(court), Party::Group(towns)] {
            for (leader, responsible) in [(None, None), (Some(p1), None), (None, Some(p1)), (Some(p2), None)] {
                n += 1;
                let mut x = task(&format!("可见性{n:02}"), vec![lead]);
                x.fields.classification = c;
                x.fields.leader_id = leader;
                x.fields.responsible_person_id = responsible;
                s.create_task(&x, &created(x.at)).await.unwrap();
            }
        }
    }
    let now = t("2026-03-02T01:00:00Z");
    let members: duban_domain::visibility::Members =
        s.list_groups().await.unwrap().into_iter().map(|g| (g.id.0, g.members)).collect();
    let all = s.list_tasks(&TaskQuery { per_page: 500, ..query(now) }).await.unwrap().items;
    assert_eq!(all.len(), n);
    let audiences = [
        Audience { person: p1, all_units: true, units: vec![] },
        Audience { person: p2, all_units: true, units: vec![] },
        Audience { person: p1, all_units: false, units: vec![a] },
        Audience { person: p2, all_units: false, units: vec![a] },
        Audience { person: p2, all_units: false, units: vec![street] },
        Audience { person: p1, all_units: false, units: vec![] },
        Audience { person: PersonId(999_999), all_units: false, units: vec![court, street] },
    ];
    for audience in audiences {
        let q = TaskQuery { audience: Some(audience.clone()), per_page: 500, ..query(now) };
        let mut got = titles(&s.list_tasks(&q).await.unwrap());
        got.sort();
        let mut want: Vec<String> =
            all.iter().filter(|x| audience.sees(x, &members)).map(|x| x.fields.title.clone()).collect();
        want.sort();
        assert!(!want.is_empty() || audience.units.is_empty(), "{audience:?} should see something");
        assert_eq!(got, want, "{audience:?}");
    }
}

pub async fn bulk_inserts_keep_parties_and_history(db: &TestDb) {
    let s = &*db.store;
    let a = s.create_unit(&unit("甲局", &[]), crate::at()).await.unwrap();
    let b = s.create_unit(&unit("乙局", &[]), crate::at()).await.unwrap();
    let tasks: Vec<StoredTask> = (0..2500)
        .map(|i| {
            let mut x = task(&format!("批量{i}"), vec![Party::Unit(if i % 2 == 0 { a.id } else { b.id })]);
            x.fields.cooperating = vec![Party::Unit(if i % 2 == 0 { b.id } else { a.id })];
            x
        })
        .collect();
    let at = t("2026-03-02T01:00:00Z");
    assert_eq!(s.insert_tasks(&tasks, at).await.unwrap(), 2500);
    let page = s.list_tasks(&TaskQuery { sort: TaskSort::Number, per_page: 500, page: 5, ..query(at) }).await.unwrap();
    assert_eq!(page.total, 2500);
    let last = page.items.last().unwrap();
    assert_eq!(last.fields.title, "批量2499");
    assert_eq!(last.fields.lead, vec![Party::Unit(b.id)]);
    assert_eq!(last.fields.cooperating, vec![Party::Unit(a.id)]);
    assert_eq!(s.task_events(last.id).await.unwrap().len(), 1);
}

pub async fn schedules_can_be_recomputed_for_open_tasks(db: &TestDb) {
    let s = &*db.store;
    let mut closed = task("已办结", vec![]);
    closed.status = Status::Closed;
    let open = task("办理中", vec![]);
    for x in [&closed, &open, &open] {
        s.create_task(x, &created(x.at)).await.unwrap();
    }
    let found = s.open_tasks(TaskId(0), 10).await.unwrap();
    assert_eq!(found.iter().map(|t| t.fields.title.as_str()).collect::<Vec<_>>(), vec!["办理中", "办理中"]);
    let after_first = s.open_tasks(found[0].id, 10).await.unwrap();
    assert_eq!(after_first.len(), 1);
    let sch = ScheduleInstants { due_at: Some(t("2026-03-05T09:30:00Z")), warn_at: None };
    s.set_schedules(&[(found[0].id, sch)]).await.unwrap();
    let q = TaskQuery { light: Some(Light::Red), ..query(t("2026-03-06T00:00:00Z")) };
    assert_eq!(s.list_tasks(&q).await.unwrap().total, 1);
}

pub async fn calendar_files_are_kept_in_order(db: &TestDb) {
    let s = &*db.store;
    let a = CalendarFile::parse_json(r#"{"years": {"2027": {"off": ["2027-01-01"]}}}"#).unwrap();
    let b = CalendarFile::parse_json(r#"{"scope": "local", "years": {"2026": {"off": ["2026-07-01"]}}}"#).unwrap();
    s.add_calendar_file(&a, "2027 年安排", t("2026-11-01T00:00:00Z")).await.unwrap();
    s.add_calendar_file(&b, "地方假日", t("2026-11-02T00:00:00Z")).await.unwrap();
    assert_eq!(s.calendar_files().await.unwrap(), vec![a, b]);
}

pub async fn meta_values_are_replaced(db: &TestDb) {
    let s = &*db.store;
    assert_eq!(s.get_meta("k").await.unwrap(), None);
    s.set_meta("k", "1").await.unwrap();
    s.set_meta("k", "2").await.unwrap();
    assert_eq!(s.get_meta("k").await.unwrap().as_deref(), Some("2"));
}

pub async fn the_latest_progress_is_the_last_report_or_feedback(db: &TestDb) {
    let s = &*db.store;
    let a = s.create_task(&task("甲", vec![]), &created(t("2026-03-02T01:00:00Z"))).await.unwrap();
    let b = s.create_task(&task("乙", vec![]), &created(t("2026-03-02T01:00:00Z"))).await.unwrap();
    let c = s.create_task(&task("丙", vec![]), &created(t("2026-03-02T01:00:00Z"))).await.unwrap();
    let event = |kind: &str, text: &str| NewEvent {
        at: t("2026-03-03T01:00:00Z"),
        actor_id: None,
        kind: kind.into(),
        data: serde_json::json!({ "text": text }),
    };
    s.append_event(a.id, &event("report", "第一次报告")).await.unwrap();
    s.append_event(a.id, &event("feedback", "办结反馈")).await.unwrap();
    // Other kinds carry text too, but are not progress with a text.
    s.append_event(a.id, &event("supervised", "督办要求")).await.unwrap();
    s.append_event(b.id, &event("report", "乙的报告")).await.unwrap();
    s.append_event(c.id, &event("remind", "催办")).await.unwrap();
    let progress = s.latest_progress(&[a.id, b.id, c.id]).await.unwrap();
    assert_eq!(progress, [(a.id, "办结反馈".to_string()), (b.id, "乙的报告".to_string())]);
    assert!(s.latest_progress(&[]).await.unwrap().is_empty());
}

pub async fn events_are_read_by_kind_for_many_tasks_in_order(db: &TestDb) {
    use duban_domain::event::EventKind;
    let s = &*db.store;
    let a = s.create_task(&task("甲", vec![]), &created(t("2026-03-02T01:00:00Z"))).await.unwrap();
    let b = s.create_task(&task("乙", vec![]), &created(t("2026-03-02T01:00:00Z"))).await.unwrap();
    let event = |kind: &str, text: &str| NewEvent {
        at: t("2026-03-03T01:00:00Z"),
        actor_id: None,
        kind: kind.into(),
        data: serde_json::json!({ "text": text }),
    };
    s.append_event(b.id, &event("report", "乙的报告")).await.unwrap();
    s.append_event(a.id, &event("feedback", "甲的反馈")).await.unwrap();
    s.append_event(a.id, &event("supervised", "督办要求")).await.unwrap();
    s.append_event(a.id, &event("feedback_published", "")).await.unwrap();
    let kinds = [EventKind::Report, EventKind::Feedback, EventKind::FeedbackPublished];
    let got: Vec<(i64, String, String)> = s
        .events_of_kinds(&[b.id, a.id], &kinds)
        .await
        .unwrap()
        .into_iter()
        .map(|(id, k, d)| (id.0, k, d["text"].as_str().unwrap_or_default().to_string()))
        .collect();
    let want = [
        (a.id.0, "feedback".to_string(), "甲的反馈".to_string()),
        (a.id.0, "feedback_published".to_string(), String::new()),
        (b.id.0, "report".to_string(), "乙的报告".to_string()),
    ];
    assert_eq!(got, want, "by task, oldest first, only the kinds asked");
    assert!(s.events_of_kinds(&[], &kinds).await.unwrap().is_empty());
    assert!(s.events_of_kinds(&[a.id], &[]).await.unwrap().is_empty());
}

/// A service may hold just the port it needs, taken from the whole store.
pub async fn a_service_can_hold_just_one_port(db: &TestDb) {
    let store: Arc<dyn Store> = db.store.clone();
    let tasks: Arc<dyn TaskStore> = store.clone();
    let meta: Arc<dyn MetaStore> = store.clone();
    let a = tasks.create_task(&task("甲", vec![]), &created(t("2026-03-02T01:00:00Z"))).await.unwrap();
    assert_eq!(store.get_task(a.id).await.unwrap().fields.title, "甲");
    assert_eq!(meta.counts().await.unwrap().tasks, 1);
    assert_eq!(meta.backend(), store.backend());
}

async fn some_history(db: &TestDb) -> Vec<TaskEvent> {
    let s = &*db.store;
    let a = s.create_task(&task("甲", vec![]), &created(t("2026-03-02T01:00:00Z"))).await.unwrap();
    s.insert_tasks(&[task("乙", vec![]), task("丙", vec![])], t("2026-03-02T02:00:00Z")).await.unwrap();
    let mut edited = task("甲改", vec![]);
    edited.at = t("2026-03-03T01:00:00Z");
    let ev =
        NewEvent {
            at: edited.at, actor_id: None, kind: "updated".into(), data: serde_json::json!({"title": "甲改"})
        };
    s.update_task(a.id, 1, &edited, &ev).await.unwrap();
    s.task_events(a.id).await.unwrap()
}

pub async fn the_event_chain_holds_over_every_write(db: &TestDb) {
    some_history(db).await;
    let r = db.store.verify_events().await.unwrap();
    assert_eq!((r.events, r.unsealed, r.broken), (4, 0, None));
}

pub async fn the_event_chain_finds_an_event_edited_by_hand(db: &TestDb) {
    let events = some_history(db).await;
    let first = events[0].id;
    db.tamper(&format!("UPDATE task_events SET data = '{{\"title\": \"伪造\"}}' WHERE id = {first}")).await.unwrap();
    let r = db.store.verify_events().await.unwrap();
    let broken = r.broken.unwrap();
    assert_eq!(broken.event_id, Some(first));
    assert!(broken.reason.contains("改动"), "{}", broken.reason);
}

pub async fn the_event_chain_finds_a_deleted_last_event(db: &TestDb) {
    let events = some_history(db).await;
    let last = events.last().unwrap().id;
    db.tamper(&format!("DELETE FROM task_events WHERE id = {last}")).await.unwrap();
    let r = db.store.verify_events().await.unwrap();
    let broken = r.broken.unwrap();
    assert!(broken.reason.contains("链尾"), "{}", broken.reason);
}

pub async fn the_event_chain_finds_a_deleted_middle_event(db: &TestDb) {
    let events = some_history(db).await;
    // Events are numbered in order in a fresh database: remove the second; the third no longer
    // links to what comes before it.
    let first = events[0].id.0;
    db.tamper(&format!("DELETE FROM task_events WHERE id = {}", first + 1)).await.unwrap();
    let r = db.store.verify_events().await.unwrap();
    assert_eq!(r.broken.unwrap().event_id, Some(EventId(first + 2)));
}

/// A notice issued on 6 March of `year`, to be answered five days later.
fn supervision(task: TaskId, key: &str, year: i16, person: Option<PersonId>) -> Supervision {
    supervision_issued(task, key, date(year, 3, 6), date(year, 3, 11), person)
}

fn supervision_issued(
    task: TaskId,
    key: &str,
    issued_on: Date,
    answer_by: Date,
    person: Option<PersonId>,
) -> Supervision {
    // 09:00 in Beijing on the day of issue.
    let at = t(&format!("{issued_on}T01:00:00Z"));
    Supervision {
        notice: NewNotice {
            dedup_key: key.into(),
            task_id: task,
            stage: "sign".into(),
            round: 1,
            issued_at: at,
            issued_on,
            answer_by,
            recipients: vec![],
            text: String::new(),
        },
        event: NewEvent {
            at,
            actor_id: None,
            kind: "supervised".into(),
            data: serde_json::json!({"number": NUMBER, "round": 1}),
        },
        messages: person
            .map(|p| NewMessage {
                dedup_key: format!("{key}:msg"),
                kind: "supervise".into(),
                channel: "inbox".into(),
                person_id: Some(p),
                address: String::new(),
                task_id: Some(task),
                subject: format!("督办通知 {NUMBER}"),
                body: "请答复".into(),
                created_at: at,
                not_before: at,
            })
            .into_iter()
            .collect(),
        naming: vec![NewNaming {
            dedup_key: format!("{key}:name"),
            task_id: task,
            unit_id: None,
            person_id: person,
            created_at: at,
            reason: format!("{NUMBER} 后仍无进展"),
        }],
    }
}

pub async fn notices_are_numbered_per_year_and_issued_once(db: &TestDb) {
    let s = &*db.store;
    let a = s.create_task(&task("甲", vec![]), &created(t("2026-03-02T01:00:00Z"))).await.unwrap();
    let first = s.record_supervision(&[supervision(a.id, "a", 2026, None)]).await.unwrap();
    let first = first[0].clone().unwrap();
    assert_eq!(first.number, "督〔2026〕1号");
    // Issued again, in a batch with two new ones: only the new ones are numbered.
    let batch = s
        .record_supervision(&[
            supervision(a.id, "a", 2026, None),
            supervision(a.id, "b", 2026, None),
            supervision(a.id, "c", 2027, None),
        ])
        .await
        .unwrap();
    let numbers: Vec<_> = batch.iter().map(|n| n.as_ref().map(|n| n.number.as_str())).collect();
    assert_eq!(numbers, [None, Some("督〔2026〕2号"), Some("督〔2027〕1号")]);
    let recs = s.supervision_records(&[a.id], &[a.id]).await.unwrap();
    assert_eq!(recs.notices.len(), 3);
    assert_eq!(s.list_notices().await.unwrap()[0], first);
    // The trail holds one `supervised` event per notice, with its number filled in.
    let kinds: Vec<_> = recs.activity.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["created", "supervised", "supervised", "supervised"]);
    let events = s.task_events(a.id).await.unwrap();
    assert_eq!(events[1].data["number"], "督〔2026〕1号");
    assert!(s.verify_events().await.unwrap().broken.is_none());
    // Nothing of another task's range is returned.
    let b = s.create_task(&task("乙", vec![]), &created(t("2026-03-02T01:00:00Z"))).await.unwrap();
    assert!(s.supervision_records(&[b.id], &[b.id]).await.unwrap().notices.is_empty());
    // A notice takes the number of the year it is issued in, not of the year it is answered by:
    // issued on 30 December 2022, answered in 2023, it is 督〔2022〕.
    let late = s
        .record_supervision(&[supervision_issued(b.id, "d", date(2022, 12, 30), date(2023, 1, 5), None)])
        .await
        .unwrap();
    assert_eq!(late[0].as_ref().map(|n| n.number.as_str()), Some("督〔2022〕1号"));
    // And the year it is answered by has no number taken from it.
    let next = s.record_supervision(&[supervision(b.id, "e", 2023, None)]).await.unwrap();
    assert_eq!(next[0].as_ref().map(|n| n.number.as_str()), Some("督〔2023〕1号"));
}

pub async fn a_notice_keeps_its_recipients_and_instruction_and_reads_back_by_id(db: &TestDb) {
    let s = &*db.store;
    let u = s.create_unit(&unit("甲局", &[]), crate::at()).await.unwrap();
    let v = s.create_unit(&unit("乙局", &[]), crate::at()).await.unwrap();
    let a = s.create_task(&task("甲", vec![]), &created(t("2026-03-02T01:00:00Z"))).await.unwrap();
    let mut order = supervision(a.id, "order", 2026, None);
    order.notice.recipients = vec![u.id, v.id];
    order.notice.text = "请于周五前书面答复".into();
    let issued = s.record_supervision(&[order]).await.unwrap()[0].clone().unwrap();
    assert_eq!((issued.recipients.clone(), issued.text.as_str()), (vec![u.id, v.id], "请于周五前书面答复"));
    assert_eq!(s.notice(issued.id).await.unwrap(), Some(issued.clone()));
    assert_eq!(s.list_notices().await.unwrap(), std::slice::from_ref(&issued));
    assert_eq!(s.notice(issued.id + 1000).await.unwrap(), None);
    // A notice of the pass is addressed to no unit in particular and has no instruction.
    let plain = s.record_supervision(&[supervision(a.id, "plain", 2026, None)]).await.unwrap()[0].clone().unwrap();
    let read = s.notice(plain.id).await.unwrap().unwrap();
    assert!(read.recipients.is_empty() && read.text.is_empty());
}

/// 督办待回复 (issue 12 §2): open tasks with a notice and no progress in their trail since it
/// was issued; a reminder or an edit is no answer, and a closed task waits for nothing.
pub async fn tasks_with_an_unanswered_notice_are_listed(db: &TestDb) {
    let s = &*db.store;
    let mk = |title: &str, status| {
        let mut x = task(title, vec![]);
        x.status = status;
        x
    };
    let at = t("2026-03-02T01:00:00Z");
    let silent = s.create_task(&mk("沉默", Status::Assigned), &created(at)).await.unwrap();
    let answered = s.create_task(&mk("已回复", Status::Assigned), &created(at)).await.unwrap();
    let before = s.create_task(&mk("督办前有进展", Status::InProgress), &created(at)).await.unwrap();
    let closed = s.create_task(&mk("已办结", Status::Closed), &created(at)).await.unwrap();
    s.create_task(&mk("未督办", Status::Assigned), &created(at)).await.unwrap();
    let event =
        |kind: &str, at: &str| NewEvent { at: t(at), actor_id: None, kind: kind.into(), data: serde_json::json!({}) };
    // Progress on 5 March, before the notices of 6 March; a reminder after one is no answer.
    s.append_event(before.id, &event("report", "2026-03-05T02:00:00Z")).await.unwrap();
    for (task, key) in [(silent.id, "s"), (answered.id, "a"), (before.id, "b"), (closed.id, "c")] {
        s.record_supervision(&[supervision(task, key, 2026, None)]).await.unwrap();
    }
    s.append_event(silent.id, &event("reminded", "2026-03-07T02:00:00Z")).await.unwrap();
    s.append_event(answered.id, &event("sign", "2026-03-07T02:00:00Z")).await.unwrap();
    let q = TaskQuery { unanswered: true, sort: TaskSort::Number, page: 1, per_page: 50, ..Default::default() };
    let page = s.list_tasks(&q).await.unwrap();
    let titles: Vec<_> = page.items.iter().map(|x| x.fields.title.as_str()).collect();
    assert_eq!((titles, page.total), (vec!["沉默", "督办前有进展"], 2));
    // With the other filters, in the same query.
    let only = TaskQuery { statuses: vec![Status::InProgress], ..q };
    assert_eq!(s.list_tasks(&only).await.unwrap().total, 1);
}

pub async fn a_notice_its_messages_and_naming_are_recorded_together_once(db: &TestDb) {
    let s = &*db.store;
    let u = s.create_unit(&unit("甲局", &[]), crate::at()).await.unwrap();
    let p = s.create_person(&person("张三", "zs", Some(u.id)), crate::at()).await.unwrap();
    let a = s.create_task(&task("甲", vec![]), &created(t("2026-03-02T01:00:00Z"))).await.unwrap();
    let n = s.record_supervision(&[supervision(a.id, "k", 2026, Some(p.id))]).await.unwrap();
    assert!(n[0].is_some());
    assert_eq!(s.record_supervision(&[supervision(a.id, "k", 2026, Some(p.id))]).await.unwrap(), [None]);
    let msgs = s.list_messages(Some(p.id), 10).await.unwrap();
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].message.subject, "督办通知 督〔2026〕1号");
    let named = s.list_naming().await.unwrap();
    assert_eq!(named.len(), 1);
    assert_eq!((named[0].naming.reason.as_str(), named[0].naming.person_id), ("督〔2026〕1号 后仍无进展", Some(p.id)));
    // Read by when it was recorded: the half-open range around it holds it, the one after not.
    let when = named[0].naming.created_at;
    let hour = jiff::SignedDuration::from_hours(1);
    assert_eq!(s.naming_between(when - hour, when + hour).await.unwrap(), named);
    assert!(s.naming_between(when + hour, when + hour + hour).await.unwrap().is_empty());
    assert!(s.naming_between(when - hour, when).await.unwrap().is_empty());
}

/// A person's inbox page by page: delivered in-app messages only, newest first, below an id.
pub async fn an_inbox_pages_by_id_newest_first(db: &TestDb) {
    let s = &*db.store;
    let u = s.create_unit(&unit("乙局", &[]), crate::at()).await.unwrap();
    let p = s.create_person(&person("李四", "ls", Some(u.id)), crate::at()).await.unwrap();
    let q = s.create_person(&person("王五", "ww", Some(u.id)), crate::at()).await.unwrap();
    let m = |key: String, who: PersonId, channel: &str, not_before: &str| NewMessage {
        dedup_key: key,
        kind: "remind".into(),
        channel: channel.into(),
        person_id: Some(who),
        address: String::new(),
        task_id: None,
        subject: "催办".into(),
        body: "请尽快签收".into(),
        created_at: t("2026-03-06T00:00:00Z"),
        not_before: t(not_before),
    };
    let mut all: Vec<NewMessage> = (0..5).map(|i| m(format!("p{i}"), p.id, "inbox", "2026-03-06T01:00:00Z")).collect();
    all.push(m("p-later".into(), p.id, "inbox", "2026-03-09T01:00:00Z")); // not yet delivered
    all.push(m("p-mail".into(), p.id, "email", "2026-03-06T01:00:00Z")); // not the inbox
    all.push(m("q0".into(), q.id, "inbox", "2026-03-06T01:00:00Z")); // someone else's
    s.enqueue(&all).await.unwrap();
    s.deliver_inbox(t("2026-03-06T02:00:00Z")).await.unwrap();
    let first = s.inbox_page(p.id, None, 3).await.unwrap();
    let keys: Vec<&str> = first.iter().map(|x| x.message.dedup_key.as_str()).collect();
    assert_eq!(keys, ["p4", "p3", "p2"]);
    let rest = s.inbox_page(p.id, Some(first[2].id), 3).await.unwrap();
    let keys: Vec<&str> = rest.iter().map(|x| x.message.dedup_key.as_str()).collect();
    assert_eq!(keys, ["p1", "p0"]);
    assert!(s.inbox_page(p.id, Some(rest[1].id), 3).await.unwrap().is_empty());
}

pub async fn messages_are_queued_once_and_delivered_or_retried(db: &TestDb) {
    let s = &*db.store;
    let u = s.create_unit(&unit("甲局", &[]), crate::at()).await.unwrap();
    let p = s.create_person(&person("张三", "zs", Some(u.id)), crate::at()).await.unwrap();
    let m = |key: &str, not_before: &str| NewMessage {
        dedup_key: key.into(),
        kind: "remind".into(),
        channel: "inbox".into(),
        person_id: Some(p.id),
        address: String::new(),
        task_id: None,
        subject: "催办".into(),
        body: "请尽快签收".into(),
        created_at: t("2026-03-06T00:00:00Z"),
        not_before: t(not_before),
    };
    assert_eq!(s.enqueue(&[m("one", "2026-03-06T01:00:00Z")]).await.unwrap(), [true]);
    let again = s.enqueue(&[m("one", "2026-03-06T01:00:00Z"), m("later", "2026-03-09T01:00:00Z")]).await.unwrap();
    assert_eq!(again, [false, true]);
    // Delivery claims what is due (for five minutes), and records the outcome under the claim.
    let claim = |at: &str| {
        let (now, until) = (t(at), t(at) + jiff::SignedDuration::from_mins(5));
        async move { s.claim_messages("inbox", "test", now, until, 10).await.unwrap() }
    };
    let due = claim("2026-03-06T02:00:00Z").await;
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].message.dedup_key, "one");
    let retry = Delivery::Failed { error: "timeout".into(), retry_at: Some(t("2026-03-06T03:00:00Z")) };
    assert!(s.finish_claimed(due[0].id, "test", &retry).await.unwrap());
    assert!(claim("2026-03-06T02:30:00Z").await.is_empty());
    let again = claim("2026-03-06T03:00:00Z").await;
    assert_eq!((again[0].attempts, again[0].last_error.as_str()), (1, "timeout"));
    assert!(s.finish_claimed(again[0].id, "test", &Delivery::Sent { at: t("2026-03-06T03:00:01Z") }).await.unwrap());
    let all = s.list_messages(Some(p.id), 10).await.unwrap();
    let sent = all.iter().find(|m| m.message.dedup_key == "one").unwrap();
    assert_eq!((sent.status.as_str(), sent.attempts, sent.delivered_at), ("sent", 2, Some(t("2026-03-06T03:00:01Z"))));
    let later = claim("2026-03-09T01:00:00Z").await;
    assert_eq!(later[0].message.dedup_key, "later");
    let gone = Delivery::Failed { error: "bad address".into(), retry_at: None };
    assert!(s.finish_claimed(later[0].id, "test", &gone).await.unwrap());
    assert!(claim("2026-04-01T00:00:00Z").await.is_empty());
}

pub async fn attachments_keep_their_bytes_and_enter_the_trail(db: &TestDb) {
    let s = &*db.store;
    let a = s.create_task(&task("甲", vec![]), &created(t("2026-03-02T01:00:00Z"))).await.unwrap();
    let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let new = NewAttachment {
        task_id: a.id,
        name: "完成情况报告.pdf".into(),
        content_type: "application/pdf".into(),
        data: bytes.clone(),
        uploaded_by: None,
        uploaded_at: t("2026-03-05T02:00:00Z"),
    };
    let stored = s.add_attachment(&new).await.unwrap();
    assert_eq!((stored.size, stored.sha256.len()), (70_000, 64));
    let (meta, data) = s.get_attachment(stored.id).await.unwrap();
    assert_eq!((meta, data), (stored.clone(), bytes));
    assert_eq!(s.list_attachments(a.id).await.unwrap(), std::slice::from_ref(&stored));
    let events = s.task_events(a.id).await.unwrap();
    let last = events.last().unwrap();
    assert_eq!((last.kind.as_str(), last.data["sha256"].as_str()), ("attached", Some(stored.sha256.as_str())));
    assert!(s.verify_events().await.unwrap().broken.is_none());
    assert!(matches!(s.get_attachment(stored.id + 1).await, Err(Error::NotFound { .. })));
}

pub async fn credentials_and_sessions_are_kept_and_expire(db: &TestDb) {
    let s = &*db.store;
    let u = s.create_unit(&unit("甲局", &[]), crate::at()).await.unwrap();
    let p = s.create_person(&person("张三", "zs", Some(u.id)), crate::at()).await.unwrap();
    assert!(s.credential("zs").await.unwrap().is_none());
    s.set_password(p.id, "$argon2id$first", t("2026-03-02T01:00:00Z")).await.unwrap();
    s.record_sign_in(p.id, Some(t("2026-03-02T01:05:00Z"))).await.unwrap();
    let c = s.credential("zs").await.unwrap().unwrap();
    assert_eq!(
        (c.password_hash.as_str(), c.failures, c.locked_until),
        ("$argon2id$first", 1, Some(t("2026-03-02T01:05:00Z")))
    );
    assert!(!format!("{c:?}").contains("argon2id"), "the hash stays out of logs");
    // A new password clears the failures.
    s.set_password(p.id, "$argon2id$second", t("2026-03-02T02:00:00Z")).await.unwrap();
    let c = s.credential("zs").await.unwrap().unwrap();
    assert_eq!((c.password_hash.as_str(), c.failures, c.locked_until), ("$argon2id$second", 0, None));
    let session = Session {
        token_hash: "h1".into(),
        person_id: p.id,
        csrf: "c1".into(),
        created_at: t("2026-03-02T02:00:00Z"),
        expires_at: t("2026-03-03T02:00:00Z"),
    };
    s.create_session(&session).await.unwrap();
    assert_eq!(s.session("h1", t("2026-03-03T01:59:59Z")).await.unwrap(), Some(session));
    assert_eq!(s.session("h1", t("2026-03-03T02:00:00Z")).await.unwrap(), None);
    s.delete_session("h1").await.unwrap();
    assert_eq!(s.session("h1", t("2026-03-02T03:00:00Z")).await.unwrap(), None);
    s.deactivate_person(p.id).await.unwrap();
    assert!(s.credential("zs").await.unwrap().is_none());
}

fn admin_change(at: &str, kind: &str, target: &str, data: serde_json::Value) -> NewAdminEvent {
    NewAdminEvent {
        at: t(at), actor_id: None, actor: "命令行".into(), kind: kind.into(), target: target.into(), data
    }
}

/// Three changes to the administration, oldest first.
async fn some_admin_history(db: &TestDb) -> Vec<AdminEvent> {
    let s = &*db.store;
    let mut out = Vec::new();
    for (at, kind, target) in [
        ("2026-03-02T01:00:00Z", admin_kind::UNIT_ADD, "单位 1 旗发改委"),
        ("2026-03-02T02:00:00Z", admin_kind::USER_ADD, "用户 zhang"),
        ("2026-03-02T03:00:00Z", admin_kind::USER_DEACTIVATE, "用户 zhang"),
    ] {
        out.push(
            s.record_admin_event(&admin_change(at, kind, target, serde_json::json!({"after": {"n": 1}})))
                .await
                .unwrap(),
        );
    }
    out
}

pub async fn the_admin_log_is_append_only(db: &TestDb) {
    let events = some_admin_history(db).await;
    let id = events[0].id;
    let upd = db.raw_execute(&format!("UPDATE admin_events SET actor = 'forged' WHERE id = {id}")).await;
    assert!(upd.unwrap_err().contains("append-only"));
    let del = db.raw_execute(&format!("DELETE FROM admin_events WHERE id = {id}")).await;
    assert!(del.unwrap_err().contains("append-only"));
    let listed = db.store.admin_events(None, 10).await.unwrap();
    assert_eq!(listed.len(), 3);
    assert_eq!(listed[2].fields.actor, "命令行");
}

pub async fn the_admin_log_lists_newest_first_and_its_chain_holds(db: &TestDb) {
    let s = &*db.store;
    let empty = s.verify_admin_events().await.unwrap();
    assert_eq!((empty.events, empty.broken), (0, None));
    let events = some_admin_history(db).await;
    let listed = s.admin_events(None, 10).await.unwrap();
    let ids: Vec<i64> = listed.iter().map(|e| e.id).collect();
    assert_eq!(ids, vec![events[2].id, events[1].id, events[0].id]);
    assert_eq!(listed[0], events[2]);
    assert_eq!(s.admin_events(Some(events[2].id), 1).await.unwrap(), vec![events[1].clone()]);
    let r = s.verify_admin_events().await.unwrap();
    assert_eq!((r.events, r.broken), (3, None));
    // The two chains are separate: the task chain is untouched.
    assert_eq!(s.verify_events().await.unwrap().events, 0);
}

pub async fn the_admin_chain_finds_a_change_edited_by_hand(db: &TestDb) {
    let events = some_admin_history(db).await;
    let second = events[1].id;
    db.tamper_table("admin_events", &format!("UPDATE admin_events SET target = '用户 li' WHERE id = {second}"))
        .await
        .unwrap();
    let broken = db.store.verify_admin_events().await.unwrap().broken.unwrap();
    assert_eq!(broken.event_id, Some(EventId(second)));
    assert!(broken.reason.contains("改动"), "{}", broken.reason);
    assert!(db.store.verify_events().await.unwrap().broken.is_none());
}

pub async fn the_admin_chain_finds_a_deleted_change(db: &TestDb) {
    let events = some_admin_history(db).await;
    db.tamper_table("admin_events", &format!("DELETE FROM admin_events WHERE id = {}", events[2].id)).await.unwrap();
    let broken = db.store.verify_admin_events().await.unwrap().broken.unwrap();
    assert!(broken.reason.contains("链尾"), "{}", broken.reason);
    db.tamper_table("admin_events", &format!("DELETE FROM admin_events WHERE id = {}", events[0].id)).await.unwrap();
    let broken = db.store.verify_admin_events().await.unwrap().broken.unwrap();
    assert_eq!(broken.event_id, Some(EventId(events[1].id)));
}

pub async fn counts_cover_the_main_tables(db: &TestDb) {
    let s = &*db.store;
    assert!(!s.counts().await.unwrap().holds_data());
    some_history(db).await;
    some_admin_history(db).await;
    let c = s.counts().await.unwrap();
    assert_eq!((c.tasks, c.task_events, c.admin_events, c.notices), (3, 4, 3, 0));
    assert!(c.holds_data());
}

/// Writers that overlap all succeed: a write transaction that reads before it writes (a unit
/// and its aliases, a task and its chained event) waits for its turn instead of failing with
/// "database is locked" (SQLite's SQLITE_BUSY_SNAPSHOT when another writer committed between
/// its read and its write), which reached clients as a 500.
pub async fn overlapping_writers_all_succeed(db: &TestDb) {
    let mut writers = tokio::task::JoinSet::new();
    for w in 0..8 {
        let s = db.store.clone();
        writers.spawn(async move {
            let mut failures = Vec::new();
            for i in 0..12 {
                let u = s
                    .create_unit(&unit(&format!("并发单位{w}-{i}"), &[&format!("并发别名{w}-{i}")]), crate::at())
                    .await;
                match u {
                    Ok(u) => {
                        let lead = vec![Party::Unit(u.id)];
                        if let Err(e) = s
                            .create_task(&task(&format!("并发任务{w}-{i}"), lead), &created(t("2026-03-02T01:00:00Z")))
                            .await
                        {
                            failures.push(format!("task: {e:?}"));
                        }
                    }
                    Err(e) => failures.push(format!("unit: {e:?}")),
                }
            }
            failures
        });
    }
    let mut failures = Vec::new();
    while let Some(r) = writers.join_next().await {
        failures.extend(r.unwrap());
    }
    assert_eq!(failures, Vec::<String>::new());
    assert_eq!(db.store.list_units().await.unwrap().len(), 96);
    let chain = db.store.verify_events().await.unwrap();
    assert_eq!((chain.events, chain.broken), (96, None));
}

fn ledger(name: &str) -> NewLedger {
    NewLedger { name: name.into(), doc_number: None, issued: None, issuer: String::new(), source: Source::Document }
}

/// Issue 9: an import is one transaction. One that fails on a later task (a unit that vanished,
/// a task someone changed meanwhile) leaves no ledger, task or event behind, and the trail's
/// chain still verifies; one that succeeds writes everything, chained.
pub async fn an_import_is_written_whole_or_not_at_all(db: &TestDb) {
    let s = &*db.store;
    let u = s.create_unit(&unit("旗财政局", &[]), crate::at()).await.unwrap();
    let at = t("2026-03-02T01:00:00Z");
    let mut tasks: Vec<(StoredTask, NewEvent)> =
        (1..=5).map(|i| (task(&format!("第{i}项"), vec![Party::Unit(u.id)]), created(at))).collect();
    // The fourth names a unit that no longer exists.
    tasks[3].0.fields.lead = vec![Party::Unit(UnitId(u.id.0 + 1000))];
    let bad = ImportWrite {
        ledger: LedgerTarget::New(ledger("某旗重点任务清单"), at),
        create: tasks.clone(),
        update: vec![],
    };
    let e = s.write_import(&bad).await.unwrap_err();
    assert!(matches!(e, Error::Invalid { .. }), "{e:?}");
    assert!(s.list_ledgers().await.unwrap().is_empty());
    assert_eq!(s.list_tasks(&query(at)).await.unwrap().total, 0);
    assert_eq!(s.verify_events().await.unwrap(), ChainReport { events: 0, unsealed: 0, broken: None });

    // The same import with every unit known is written whole.
    tasks[3].0.fields.lead = vec![Party::Unit(u.id)];
    let good = ImportWrite { create: tasks, ..bad };
    let id = s.write_import(&good).await.unwrap();
    let written = s.list_tasks(&TaskQuery { ledger_id: Some(id), ..query(at) }).await.unwrap();
    assert_eq!(written.total, 5);
    assert_eq!(s.get_ledger(id).await.unwrap().fields.name, "某旗重点任务清单");
    assert_eq!(s.verify_events().await.unwrap(), ChainReport { events: 5, unsealed: 0, broken: None });

    // A re-import that adds a task and then meets a task changed since it was read: the new
    // task is not written, the earlier update is undone, the changed task is as it was.
    let first = written.items[0].clone();
    let second = written.items[1].clone();
    let mut edited = task("第1项（修改）", vec![Party::Unit(u.id)]);
    edited.fields.ledger_id = Some(id);
    let stale = ImportWrite {
        ledger: LedgerTarget::Existing(id),
        create: vec![(task("第6项", vec![Party::Unit(u.id)]), created(at))],
        update: vec![
            (first.id, first.version, edited.clone(), created(at)),
            (second.id, second.version + 1, edited, created(at)),
        ],
    };
    let e = s.write_import(&stale).await.unwrap_err();
    assert_eq!(e, Error::VersionConflict { current: second.version });
    assert_eq!(s.list_tasks(&TaskQuery { ledger_id: Some(id), ..query(at) }).await.unwrap().total, 5);
    assert_eq!(s.get_task(first.id).await.unwrap(), first);
    assert_eq!(s.verify_events().await.unwrap(), ChainReport { events: 5, unsealed: 0, broken: None });
}

/// The daily sums, as the store keeps them, equal the sums of the facts themselves: by day,
/// unit, role, stored indicator, bucket and adjustment.
async fn daily_sums_match_the_facts(db: &TestDb, units: &[UnitId]) {
    use duban_store::assessment::Bucket;
    let (from, to) = (date(2000, 1, 1), date(2100, 1, 1));
    type Key = (String, i64, String, String, &'static str, String);
    let mut want: BTreeMap<Key, (i64, i64)> = BTreeMap::new();
    for u in units {
        for f in db.store.unit_facts(*u, from, to).await.unwrap() {
            let e = want
                .entry((
                    f.fact.day.to_string(),
                    u.0,
                    f.fact.role.code().to_string(),
                    f.fact.indicator.clone(),
                    Bucket::of(&f.fact).code(),
                    f.adjusted.map(|a| a.code().to_string()).unwrap_or_default(),
                ))
                .or_default();
            e.0 += 1;
            e.1 += f.fact.quantity;
        }
    }
    let mut got = BTreeMap::new();
    for d in db.store.daily_tallies(from, to).await.unwrap() {
        got.insert(
            (
                d.day.to_string(),
                d.unit.0,
                d.role.clone(),
                d.indicator.clone(),
                d.bucket.code(),
                d.adjusted.map(|a| a.code().to_string()).unwrap_or_default(),
            ),
            (d.count, d.amount),
        );
    }
    assert_eq!(got, want);
    // Summed over a span read on a day: open stages due before it are late, the others left out.
    let as_of = date(2026, 3, 21);
    type SpanKey = (i64, String, String, &'static str, String);
    let mut span: BTreeMap<SpanKey, (i64, i64)> = BTreeMap::new();
    for ((day, unit, role, ind, bucket, adj), (n, a)) in &want {
        let bucket = match *bucket {
            "open" if day.as_str() >= "2026-03-21" => continue,
            "open" => "late",
            b => b,
        };
        let e = span.entry((*unit, role.clone(), ind.clone(), bucket, adj.clone())).or_default();
        e.0 += n;
        e.1 += a;
    }
    span.retain(|_, v| *v != (0, 0));
    let mut got = BTreeMap::new();
    for d in db.store.span_tallies(from, to, as_of, None).await.unwrap() {
        let adj = d.adjusted.map(|a| a.code().to_string()).unwrap_or_default();
        got.insert((d.unit.0, d.role.clone(), d.indicator.clone(), d.bucket.code(), adj), (d.count, d.amount));
    }
    assert_eq!(got, span);
    let only = db.store.span_tallies(from, to, as_of, Some("assigned")).await.unwrap();
    assert!(only.iter().all(|d| d.indicator == "assigned"));
    assert_eq!(only.len(), span.keys().filter(|k| k.2 == "assigned").count());
}

pub async fn assessment_facts_are_replaced_adjusted_and_summed_exactly(db: &TestDb) {
    use duban_domain::assessment::{Fact, FactOrigin, PartyRole};
    use duban_store::assessment::{Adjustment, AdjustmentRecord};
    let s = &db.store;
    let a = s.create_unit(&unit("甲局", &[]), t("2026-03-01T00:00:00Z")).await.unwrap().id;
    let b = s.create_unit(&unit("乙局", &[]), t("2026-03-01T00:00:00Z")).await.unwrap().id;
    let t1 =
        s.create_task(&task("任务一", vec![Party::Unit(a)]), &created(t("2026-03-02T01:00:00Z"))).await.unwrap().id;
    let t2 =
        s.create_task(&task("任务二", vec![Party::Unit(b)]), &created(t("2026-03-02T01:00:00Z"))).await.unwrap().id;
    let fact =
        |key: &str, task: TaskId, unit: UnitId, ind: &str, day: Date, due: Option<&str>, stop: Option<&str>| Fact {
            key: key.into(),
            unit,
            role: PartyRole::Lead,
            indicator: ind.into(),
            task: Some(task),
            day,
            due_at: due.map(t),
            stopped_at: stop.map(t),
            stop_day: stop.map(|x| t(x).to_zoned(jiff::tz::TimeZone::UTC).date()),
            quantity: 1,
            origin: FactOrigin::Task,
            class: Some((Source::Instruction, Priority::Key)),
        };
    let first = vec![
        fact("t1:assigned", t1, a, "assigned", date(2026, 3, 2), None, None),
        fact("t1:done", t1, a, "done", date(2026, 3, 20), Some("2026-03-20T09:30:00Z"), None),
        fact("t2:assigned", t2, b, "assigned", date(2026, 3, 2), None, None),
        fact("t2:done", t2, b, "done", date(2026, 3, 25), Some("2026-03-25T09:30:00Z"), Some("2026-03-26T02:00:00Z")),
    ];
    s.replace_task_facts(&[t1, t2], &first).await.unwrap();
    daily_sums_match_the_facts(db, &[a, b]).await;
    // The late stage of task two is excused; the excuse survives the task's facts being
    // derived again, and the sums follow.
    let excuse = AdjustmentRecord {
        fact_key: "t2:done".into(),
        kind: Adjustment::Tolerance,
        reason: "因疫情封控无法现场施工".into(),
        person_id: None,
        at: t("2026-04-01T01:00:00Z"),
    };
    s.adjust_fact("t2:done", Some(&excuse)).await.unwrap();
    assert_eq!(s.adjustment("t2:done").await.unwrap().unwrap().reason, excuse.reason);
    daily_sums_match_the_facts(db, &[a, b]).await;
    let again = vec![
        fact("t1:assigned", t1, a, "assigned", date(2026, 3, 2), None, None),
        fact("t1:done", t1, a, "done", date(2026, 3, 20), Some("2026-03-20T09:30:00Z"), Some("2026-03-19T02:00:00Z")),
        fact("t2:assigned", t2, b, "assigned", date(2026, 3, 2), None, None),
        fact("t2:done", t2, b, "done", date(2026, 3, 25), Some("2026-03-25T09:30:00Z"), Some("2026-03-26T02:00:00Z")),
        fact("e9", t2, b, "returned", date(2026, 3, 24), None, None),
    ];
    s.replace_task_facts(&[t1, t2], &again).await.unwrap();
    assert_eq!(s.fact("t2:done").await.unwrap().unwrap().adjusted, Some(Adjustment::Tolerance));
    assert_eq!(s.fact("t1:done").await.unwrap().unwrap().fact.stopped_at, Some(t("2026-03-19T02:00:00Z")));
    assert_eq!(s.fact("t1:done").await.unwrap().unwrap().fact.class, Some((Source::Instruction, Priority::Key)));
    daily_sums_match_the_facts(db, &[a, b]).await;
    // Only completion stages late or open are read for overdue days.
    let late = s.late_groups(date(2026, 3, 1), date(2026, 3, 31)).await.unwrap();
    assert_eq!(late.len(), 1);
    assert_eq!((late[0].unit, late[0].due, late[0].stopped), (b, date(2026, 3, 25), Some(date(2026, 3, 26))));
    // An open stage due on a day is told late or pending by the instant.
    s.replace_task_facts(
        &[t1],
        &[fact("t1:done", t1, a, "done", date(2026, 3, 20), Some("2026-03-20T09:30:00Z"), None)],
    )
    .await
    .unwrap();
    assert_eq!(s.open_due_before(date(2026, 3, 20), t("2026-03-20T09:00:00Z")).await.unwrap().len(), 0);
    assert_eq!(s.open_due_before(date(2026, 3, 20), t("2026-03-20T10:00:00Z")).await.unwrap()[0].count, 1);
    daily_sums_match_the_facts(db, &[a, b]).await;
    // Facts entered by hand are replaced by key and removed; a refresh never touches them.
    let mut eval = fact("ev1", t1, a, "leader_evaluation", date(2026, 3, 31), None, None);
    eval.task = None;
    eval.role = PartyRole::Unit;
    eval.origin = FactOrigin::Manual;
    eval.quantity = 850;
    s.put_manual_fact(&eval).await.unwrap();
    eval.quantity = 900;
    s.put_manual_fact(&eval).await.unwrap();
    assert!(s.put_manual_fact(&first[0]).await.is_err(), "a derived fact is not entered by hand");
    daily_sums_match_the_facts(db, &[a, b]).await;
    s.replace_task_facts(&[t1, t2], &[]).await.unwrap();
    assert_eq!(s.fact("ev1").await.unwrap().unwrap().fact.quantity, 900);
    daily_sums_match_the_facts(db, &[a, b]).await;
    s.replace_task_facts(&[t1, t2], &again).await.unwrap();
    s.clear_task_facts().await.unwrap();
    assert!(s.fact("t1:assigned").await.unwrap().is_none());
    daily_sums_match_the_facts(db, &[a, b]).await;
    s.remove_manual_fact("ev1").await.unwrap();
    assert!(s.daily_tallies(date(2000, 1, 1), date(2100, 1, 1)).await.unwrap().is_empty());
    // The trail is read after an event id, a task at most once per call.
    let (ids, last) = s.tasks_with_events_after(0, 100).await.unwrap();
    assert_eq!(ids, vec![t1, t2]);
    assert_eq!(s.tasks_with_events_after(last, 100).await.unwrap(), (vec![], last));
    assert_eq!(s.last_event_id().await.unwrap(), last);
    assert_eq!(s.tasks_by_ids(&[t2, TaskId(999)]).await.unwrap().len(), 1);
}

/// Objections, evaluations and document errors (migration 0017): one open objection per fact,
/// decided once, with its evidence kept byte for byte; evaluations and ledger lines withdrawn
/// once; the ledger read by days.
pub async fn reviews_keep_one_open_objection_per_fact_and_are_decided_or_withdrawn_once(db: &TestDb) {
    use crate::at;
    use duban_store::reviews::{Evidence, NewDocumentError, NewEvaluation, NewObjection};
    let s = &db.store;
    let a = s.create_unit(&unit("评审甲局", &[]), t("2026-03-01T00:00:00Z")).await.unwrap().id;
    let p = s
        .create_person(&NewPerson::new("甲", "jia", Some(a), vec![duban_domain::org::Role::Officer]), at())
        .await
        .unwrap()
        .id;
    let o = NewObjection {
        fact_key: "t1:s:done:u1".into(),
        unit_id: a,
        profile: "per-event".into(),
        period: "2026Q1".into(),
        reason: "已办结".into(),
        evidence: Some(Evidence {
            name: "证明.pdf".into(),
            content_type: "application/pdf".into(),
            data: vec![0, 1, 2, 255],
        }),
        filed_by: p,
        filed_at: t("2026-04-10T01:00:00Z"),
    };
    let first = s.file_objection(&o).await.unwrap();
    assert_eq!((first.status.as_str(), first.evidence_size), ("filed", Some(4)));
    assert!(matches!(s.file_objection(&o).await, Err(Error::Conflict(_))), "one open objection per fact");
    let ev = s.objection_evidence(first.id).await.unwrap().unwrap();
    assert_eq!((ev.name.as_str(), ev.data), ("证明.pdf", vec![0, 1, 2, 255]));
    let d = s.decide_objection(first.id, "rejected", "不予支持", p, t("2026-04-11T01:00:00Z")).await.unwrap();
    assert_eq!((d.status.as_str(), d.decision.as_str(), d.decided_by), ("rejected", "不予支持", Some(p)));
    assert!(matches!(s.decide_objection(first.id, "upheld", "x", p, at()).await, Err(Error::Conflict(_))));
    assert!(matches!(s.decide_objection(999, "upheld", "x", p, at()).await, Err(Error::NotFound { .. })));
    // Decided, the fact may be objected to again.
    let second = s.file_objection(&NewObjection { evidence: None, ..o }).await.unwrap();
    assert_eq!(second.evidence_name, None);
    assert_eq!(s.objections(Some(a)).await.unwrap().len(), 2);
    assert_eq!(s.objections(None).await.unwrap()[0].id, second.id, "newest first");

    let e = s
        .add_evaluation(&NewEvaluation {
            unit_id: a,
            task_id: None,
            day: "2026-04-10".parse().unwrap(),
            score: 850,
            comment: "好".into(),
            by: p,
            at: at(),
        })
        .await
        .unwrap();
    assert_eq!(s.evaluation(e.id).await.unwrap().unwrap().score, 850);
    let w = s.withdraw_evaluation(e.id, p, at()).await.unwrap();
    assert!(w.withdrawn_at.is_some());
    assert!(matches!(s.withdraw_evaluation(e.id, p, at()).await, Err(Error::Conflict(_))));

    let line = NewDocumentError {
        unit_id: a,
        day: "2026-04-10".parse().unwrap(),
        title: "关于报送总结的报告".into(),
        number: "甲发〔2026〕1号".into(),
        kind: "wording".into(),
        count: 2,
        note: String::new(),
        by: p,
        at: at(),
    };
    let l = s.add_document_error(&line).await.unwrap();
    s.add_document_error(&NewDocumentError { day: "2026-05-02".parse().unwrap(), ..line }).await.unwrap();
    let april = s.document_errors("2026-04-01".parse().unwrap(), "2026-04-30".parse().unwrap()).await.unwrap();
    assert_eq!(april.len(), 1);
    assert_eq!((april[0].count, april[0].number.as_str()), (2, "甲发〔2026〕1号"));
    s.withdraw_document_error(l.id, p, at()).await.unwrap();
    assert!(matches!(s.withdraw_document_error(l.id, p, at()).await, Err(Error::Conflict(_))));
    assert!(s.document_error(l.id).await.unwrap().unwrap().withdrawn_at.is_some());
}

pub async fn saved_profiles_are_replaced_and_issued_rankings_are_append_only(db: &TestDb) {
    use duban_domain::assessment::{Ranking, Span};
    use duban_store::rankings::{NewIssuedRanking, SavedProfile};
    let s = &*db.store;
    let saved = |toml: &str| SavedProfile {
        name: "per-event".into(),
        toml: toml.into(),
        saved_at: t("2026-04-01T09:00:00Z"),
        saved_by: None,
    };
    s.save_profile(&saved("a")).await.unwrap();
    s.save_profile(&saved("b")).await.unwrap();
    assert_eq!(s.saved_profiles().await.unwrap(), vec![saved("b")]);
    assert!(s.delete_profile("per-event").await.unwrap());
    assert!(!s.delete_profile("per-event").await.unwrap());
    assert_eq!(s.saved_profile("per-event").await.unwrap(), None);

    let span = Span::parse("2026Q1").unwrap();
    let ranking = Ranking {
        profile: "per-event".into(),
        title: "逐项加减分".into(),
        span,
        categories: vec!["全部".into()],
        rows: vec![],
    };
    let new = NewIssuedRanking {
        profile: "per-event".into(),
        profile_toml: "name = \"per-event\"".into(),
        period: span.key(),
        revision: 1,
        supersedes: None,
        reason: String::new(),
        ranking,
        issued_at: t("2026-04-10T09:00:00Z"),
        issued_by: None,
    };
    let first = s.issue_ranking(&new).await.unwrap();
    assert!(matches!(s.issue_ranking(&new).await, Err(Error::Conflict(_))), "one revision 1 per profile and period");
    let second = s
        .issue_ranking(&NewIssuedRanking {
            revision: 2,
            supersedes: Some(first.id),
            reason: "更正".into(),
            ..new.clone()
        })
        .await
        .unwrap();
    assert_eq!(s.issued_ranking(first.id).await.unwrap(), Some(first.clone()));
    let ids: Vec<i64> =
        s.issued_rankings(Some("per-event"), Some("2026Q1")).await.unwrap().iter().map(|r| r.id).collect();
    assert_eq!(ids, vec![second.id, first.id]);
    assert!(s.issued_rankings(None, Some("2026Q2")).await.unwrap().is_empty());
    let upd = db.raw_execute(&format!("UPDATE rankings SET reason = 'forged' WHERE id = {}", first.id)).await;
    assert!(upd.unwrap_err().contains("append-only"));
    let del = db.raw_execute(&format!("DELETE FROM rankings WHERE id = {}", first.id)).await;
    assert!(del.unwrap_err().contains("append-only"));
    assert_eq!(s.issued_ranking(first.id).await.unwrap(), Some(first));
}

pub async fn enterprises_and_projects_keep_their_fields_versions_and_history(db: &TestDb) {
    use duban_domain::enterprise::{EnterpriseInput, ProjectInput, Yuan};
    use duban_store::enterprises::{EnterpriseQuery, ProjectQuery, RecordKind};
    let s = &*db.store;
    let at = t("2026-03-02T01:00:00Z");
    let input = |name: &str, code: &str| EnterpriseInput {
        name: Some(name.into()),
        credit_code: Some(code.into()),
        industry: Some("风电装备".into()),
        scale: Some("规上工业".into()),
        address: Some("大沁他拉镇".into()),
        contact_name: Some("王经理".into()),
        contact_phone: Some("13900000000".into()),
        ..Default::default()
    };
    let a = s.insert_enterprise(&input("甲_能源%公司", "91350100M000100Y43").parse().unwrap(), None, at).await.unwrap();
    assert_eq!(s.enterprise(a.id).await.unwrap(), Some(a.clone()));
    assert_eq!(s.enterprise_by_code(&a.fields.credit_code).await.unwrap(), Some(a.clone()));
    let dup = s.insert_enterprise(&input("乙公司", "91350100M000100Y43").parse().unwrap(), None, at).await;
    assert!(matches!(dup, Err(Error::Conflict(m)) if m.contains("统一社会信用代码")));
    let b_code = duban_domain::enterprise::CreditCode::completing("91152723MA0N12345").unwrap();
    let b = s.insert_enterprise(&input("乙公司", b_code.as_str()).parse().unwrap(), None, at).await.unwrap();

    // Search by part of the name (wildcards taken literally) or of the code; paging and totals.
    let q = |search: &str| EnterpriseQuery { search: Some(search.into()), limit: 10, ..Default::default() };
    let (found, total) = s.enterprises(&q("_能源%")).await.unwrap();
    assert_eq!((found.iter().map(|e| e.id).collect::<Vec<_>>(), total), (vec![a.id], 1));
    assert_eq!(s.enterprises(&q("能源_")).await.unwrap().1, 0, "_ is not a wildcard");
    assert_eq!(s.enterprises(&q("m000100")).await.unwrap().0[0].id, a.id, "codes are searched upper-cased");
    let (page, total) = s.enterprises(&EnterpriseQuery { limit: 1, offset: 1, ..Default::default() }).await.unwrap();
    assert_eq!((page.len(), total), (1, 2));
    assert_eq!(s.enterprises_by_ids(&[b.id, a.id]).await.unwrap().len(), 2);

    // Optimistic locking; every version kept, newest first; the history is append-only.
    let mut edited = a.fields.clone();
    edited.contact_phone = "13800000000".into();
    let later = t("2026-03-03T01:00:00Z");
    let a2 = s.update_enterprise(a.id, a.version, &edited, None, later).await.unwrap();
    assert_eq!((a2.version, a2.updated_at, a2.created_at), (a.version + 1, later, a.created_at));
    assert!(matches!(s.update_enterprise(a.id, a.version, &edited, None, later).await, Err(Error::Conflict(_))));
    assert!(matches!(
        s.update_enterprise(EnterpriseId(9999), 1, &edited, None, later).await,
        Err(Error::NotFound { .. })
    ));
    let mut taken = b.fields.clone();
    taken.credit_code = a.fields.credit_code.clone();
    assert!(matches!(s.update_enterprise(b.id, b.version, &taken, None, later).await, Err(Error::Conflict(_))));
    let h = s.registry_history(RecordKind::Enterprise, a.id.0).await.unwrap();
    assert_eq!(h.iter().map(|c| c.version).collect::<Vec<_>>(), vec![2, 1]);
    assert_eq!(h[0].snapshot["contact_phone"], "13800000000");
    assert_eq!(h[1].snapshot["contact_phone"], "13900000000");
    let upd = db.raw_execute("UPDATE registry_history SET snapshot = '{}'").await;
    assert!(upd.unwrap_err().contains("append-only"));
    let del = db.raw_execute("DELETE FROM registry_history").await;
    assert!(del.unwrap_err().contains("append-only"));

    // Projects: exact amounts, the investor linked, filters, versions.
    let p = ProjectInput {
        name: Some("风电装备制造项目".into()),
        investor: Some("甲能源公司".into()),
        enterprise_id: Some(a.id),
        total_investment: Some("1.23456789亿".into()),
        stage: Some("在建".into()),
        signed_on: Some("2026-01-15".into()),
        ..Default::default()
    }
    .parse()
    .unwrap();
    let p1 = s.insert_project(&p, None, at).await.unwrap();
    assert_eq!(p1.fields.total_investment, Yuan(12_345_678_900));
    assert_eq!(s.project(p1.id).await.unwrap(), Some(p1.clone()));
    let (by_investor, n) =
        s.projects(&ProjectQuery { enterprise_id: Some(a.id), limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!((by_investor.len(), n), (1, 1));
    assert_eq!(s.projects(&ProjectQuery { enterprise_id: Some(b.id), ..Default::default() }).await.unwrap().1, 0);
    let mut moved = p1.fields.clone();
    moved.stage = duban_domain::enterprise::ProjectStage::Operating;
    let p2 = s.update_project(p1.id, p1.version, &moved, None, later).await.unwrap();
    assert!(matches!(s.update_project(p1.id, p1.version, &moved, None, later).await, Err(Error::Conflict(_))));
    assert_eq!(s.projects_by_ids(&[p1.id]).await.unwrap(), vec![p2]);
    let h = s.registry_history(RecordKind::Project, p1.id.0).await.unwrap();
    assert_eq!(
        h.iter().map(|c| c.snapshot["stage"].as_str().unwrap()).collect::<Vec<_>>(),
        vec!["operating", "building"]
    );
}

pub async fn liaison_assignments_obligations_and_visits_are_kept_once(db: &TestDb) {
    use duban_domain::enterprise::EnterpriseInput;
    use duban_domain::liaison::{NewAssignment, NewVisit, Rank, ServiceKind, Target};
    let s = &*db.store;
    let at = t("2026-10-02T01:00:00Z");
    let u = s.create_unit(&unit("包联甲镇", &[]), at).await.unwrap().id;
    let p = s.create_person(&NewPerson::new("包联人", "baolian", Some(u), vec![Role::UnitHead]), at).await.unwrap().id;
    let e = s
        .insert_enterprise(
            &EnterpriseInput {
                name: Some("甲公司".into()),
                credit_code: Some("91350100M000100Y43".into()),
                ..Default::default()
            }
            .parse()
            .unwrap(),
            None,
            at,
        )
        .await
        .unwrap();
    let new = NewAssignment {
        kind: ServiceKind::Liaison,
        person_id: p,
        unit_id: u,
        target: Target::Enterprise(e.id),
        rank: Some(Rank::Section),
        since: date(2026, 10, 1),
        until: None,
    };
    let a = s.insert_assignment(&new, Some(p), at).await.unwrap();
    assert_eq!((a.fields.clone(), a.assigned_by), (new.clone(), Some(p)));
    assert!(matches!(s.insert_assignment(&new, None, at).await, Err(Error::Conflict(_))), "once while in force");
    assert_eq!(s.assignment(a.id).await.unwrap(), Some(a.clone()));
    assert!(s.assignments(ServiceKind::Steward).await.unwrap().is_empty(), "kinds are apart");

    // Due until the period has its obligation; recorded once.
    let due = s.assignments_due(ServiceKind::Liaison, date(2026, 11, 1), "2026Q4").await.unwrap();
    assert_eq!(due.iter().map(|x| x.id).collect::<Vec<_>>(), vec![a.id]);
    assert!(s.assignments_due(ServiceKind::Liaison, date(2026, 9, 30), "2026Q3").await.unwrap().is_empty());
    let task1 = s.create_task(&task("走访甲公司", vec![Party::Unit(u)]), &created(at)).await.unwrap().id;
    let task2 = s.create_task(&task("走访甲公司", vec![Party::Unit(u)]), &created(at)).await.unwrap().id;
    assert!(s.insert_obligation(a.id, "2026Q4", task1).await.unwrap());
    assert!(!s.insert_obligation(a.id, "2026Q4", task2).await.unwrap(), "one per period");
    assert_eq!(s.obligation(a.id, "2026Q4").await.unwrap(), Some(task1));
    assert!(s.assignments_due(ServiceKind::Liaison, date(2026, 11, 1), "2026Q4").await.unwrap().is_empty());
    assert_eq!(s.obligations(ServiceKind::Liaison).await.unwrap(), vec![(a.id, "2026Q4".to_string(), task1)]);

    // A visit with its problems, in order; a problem becomes a demand once.
    let v = s
        .insert_visit(
            &NewVisit {
                assignment_id: a.id,
                visited_on: date(2026, 11, 3),
                met: "王经理".into(),
                policies: "稳增长政策".into(),
                work: String::new(),
                problems: vec!["用电成本高".into(), "招工难".into()],
                evidence: vec![4, 5],
            },
            Some(task1),
            Some(p),
            at,
        )
        .await
        .unwrap();
    assert_eq!((v.task_id, v.evidence.clone(), v.problems.len()), (Some(task1), vec![4, 5], 2));
    assert_eq!(v.problems[1].text, "招工难");
    s.mark_problem_raised(v.id, 1, task2).await.unwrap();
    assert!(matches!(s.mark_problem_raised(v.id, 1, task2).await, Err(Error::Conflict(_))));
    assert!(matches!(s.mark_problem_raised(v.id, 9, task2).await, Err(Error::NotFound { .. })));
    let again = s.visit(v.id).await.unwrap().unwrap();
    assert_eq!((again.problems[0].demand_task_id, again.problems[1].demand_task_id), (None, Some(task2)));
    assert_eq!(s.visits(ServiceKind::Liaison, Some(a.id)).await.unwrap(), vec![again.clone()]);
    assert!(s.visits(ServiceKind::Steward, None).await.unwrap().is_empty());

    // Ended once; then no longer due, and the person may be assigned again later.
    let ended = s.end_assignment(a.id, date(2026, 12, 15), Some(p), at).await.unwrap();
    assert_eq!((ended.fields.until, ended.ended_by), (Some(date(2026, 12, 15)), Some(p)));
    assert!(matches!(s.end_assignment(a.id, date(2026, 12, 16), None, at).await, Err(Error::Conflict(_))));
    assert!(matches!(s.end_assignment(999, date(2026, 12, 16), None, at).await, Err(Error::NotFound { .. })));
    assert!(s.assignments_due(ServiceKind::Liaison, date(2027, 1, 5), "2027Q1").await.unwrap().is_empty());
    let later = NewAssignment { since: date(2027, 1, 1), ..new };
    s.insert_assignment(&later, None, at).await.unwrap();
}

pub async fn procedures_link_one_task_each_and_read_its_status_and_finish(db: &TestDb) {
    use duban_domain::enterprise::ProjectInput;
    use duban_domain::procedure::{KindSpec, NewProcedure};
    let s = &*db.store;
    let at = t("2026-03-02T01:00:00Z");
    // The built-in kinds are added once, in order; a kind the office adds goes last.
    let builtin = duban_domain::procedure::builtin_kinds().unwrap();
    s.ensure_procedure_kinds(&builtin, at).await.unwrap();
    s.ensure_procedure_kinds(&builtin, at).await.unwrap();
    let kinds = s.procedure_kinds().await.unwrap();
    assert_eq!(kinds.len(), 7);
    assert!(kinds.iter().all(|k| k.builtin) && kinds[0].name == "立项" && kinds[6].name == "施工许可");
    let extra = KindSpec { name: "防雷审查".into(), default_days: Some(5), note: String::new() };
    let fl = s.insert_procedure_kind(&extra, at).await.unwrap();
    assert_eq!((fl.builtin, fl.default_days, fl.position > kinds[6].position), (false, Some(5), true));
    assert!(matches!(s.insert_procedure_kind(&extra, at).await, Err(Error::Conflict(m)) if m.contains("防雷审查")));

    let unit = s.create_unit(&unit("旗发展和改革委员会", &["旗发改委"]), crate::at()).await.unwrap();
    let project = |name: &str| ProjectInput {
        name: Some(name.into()),
        total_investment: Some("1.2亿".into()),
        stage: Some("签约".into()),
        ..Default::default()
    };
    let p1 = s.insert_project(&project("风电装备制造项目").parse().unwrap(), None, at).await.unwrap();
    let p2 = s.insert_project(&project("光伏治沙项目").parse().unwrap(), None, at).await.unwrap();
    let new = |project: ProjectId, kind: i64| NewProcedure {
        project_id: project,
        kind_id: kind,
        unit_id: unit.id,
        days: 10,
        note: "承诺书已签".into(),
    };
    let a = s.insert_procedure(&new(p1.id, kinds[0].id), None, at).await.unwrap();
    let b = s.insert_procedure(&new(p1.id, kinds[4].id), None, at).await.unwrap();
    s.insert_procedure(&new(p2.id, fl.id), None, at).await.unwrap();
    assert!(matches!(s.insert_procedure(&new(p1.id, kinds[0].id), None, at).await, Err(Error::Conflict(_))));
    assert_eq!(s.procedure(a.id).await.unwrap(), Some(a.clone()));
    assert_eq!((a.task_id, a.started_on, a.fields.days), (None, None, 10));

    // Not started: no task, no status.
    let rows = s.procedures_of(&[p1.id]).await.unwrap();
    assert_eq!(rows.iter().map(|r| r.kind.as_str()).collect::<Vec<_>>(), ["立项", "环评"]);
    assert!(rows.iter().all(|r| r.status.is_none() && r.done_at.is_none()));

    // Started once with its task; a second start is refused.
    let mut st = task("风电装备制造项目·立项", vec![Party::Unit(unit.id)]);
    st.fields.source = Source::Procedure;
    st.schedule =
        ScheduleInstants { due_at: Some(t("2026-03-16T09:30:00Z")), warn_at: Some(t("2026-03-12T00:00:00Z")) };
    let made = s.create_task(&st, &created(at)).await.unwrap();
    let (d0, d1) = (date(2026, 3, 2), date(2026, 3, 16));
    let started = s.start_procedure(a.id, made.id, d0, d1).await.unwrap();
    assert_eq!((started.task_id, started.started_on, started.committed_on), (Some(made.id), Some(d0), Some(d1)));
    assert!(matches!(s.start_procedure(a.id, made.id, d0, d1).await, Err(Error::Conflict(_))));
    assert!(matches!(s.start_procedure(999_999, made.id, d0, d1).await, Err(Error::NotFound { .. })));
    let row = s.procedures_of(&[p1.id, p2.id]).await.unwrap().into_iter().find(|r| r.procedure.id == a.id).unwrap();
    assert_eq!((row.status, row.due_at, row.done_at), (Some(Status::Assigned), st.schedule.due_at, None));

    // The dispatch sees it while open and committed by the day asked.
    let since = t("2026-03-09T00:00:00Z");
    assert!(s.procedures_for_dispatch(since, date(2026, 3, 15)).await.unwrap().is_empty());
    let due = s.procedures_for_dispatch(since, date(2026, 3, 22)).await.unwrap();
    assert_eq!(due.iter().map(|r| r.procedure.id).collect::<Vec<_>>(), [a.id]);

    // Done through the task: the row reads the status and the instant from the task's clock.
    let mut closed = st.clone();
    closed.status = Status::Closed;
    let done = t("2026-03-10T03:00:00Z");
    closed.clock.insert(ClockEvent::Done, done);
    closed.at = done;
    s.update_task(made.id, made.version, &closed, &created(done)).await.unwrap();
    let row = s.procedures_of(&[p1.id]).await.unwrap().into_iter().find(|r| r.procedure.id == a.id).unwrap();
    assert_eq!((row.status, row.done_at), (Some(Status::Closed), Some(done)));
    // Finished since the week began: in the dispatch although committed later; not before.
    assert_eq!(s.procedures_for_dispatch(since, date(2026, 3, 1)).await.unwrap().len(), 1);
    assert!(s.procedures_for_dispatch(t("2026-03-11T00:00:00Z"), date(2026, 3, 1)).await.unwrap().is_empty());
    let _ = b;
}

/// Enterprise demands (migration 0021): kept whole, found by code hash and task, assigned once,
/// visited, rated once, listed by channel, kind and queue.
pub async fn demands_are_queued_assigned_visited_and_rated_once(db: &TestDb) {
    use duban_domain::demand::{Channel, DemandInput, Satisfaction};
    use duban_store::demands::DemandQuery;
    let s = &db.store;
    let unit_id = s.create_unit(&unit("诉求甲局", &[]), t("2026-03-01T00:00:00Z")).await.unwrap().id;
    let office = s.create_person(&person("办公室", "office-d", None), t("2026-03-01T00:00:00Z")).await.unwrap().id;
    let code = duban_domain::enterprise::CreditCode::completing("91150526MA0N00001").unwrap();
    let input = |name: &str, kind: &str, channel: &str| DemandInput {
        enterprise_name: name.into(),
        credit_code: code.to_string(),
        contact_name: "王经理".into(),
        contact_phone: "13800000000".into(),
        channel: channel.into(),
        kind: kind.into(),
        text: "用电扩容".into(),
        ..Default::default()
    };
    let at = t("2026-03-02T01:00:00Z");
    let online = input("甲公司", "factors", "").parse(Channel::Online).unwrap();
    let queued = s.insert_demand(&online, None, "hash-a", None, at).await.unwrap();
    assert_eq!((queued.task_id, queued.assigned_at, queued.submitted_by), (None, None, None));
    assert_eq!(queued.credit_code, Some(code.clone()));
    assert_eq!(s.demand_by_code_hash("hash-a").await.unwrap(), Some(queued.clone()));
    assert_eq!(s.demand_by_code_hash("hash-b").await.unwrap(), None);
    assert!(matches!(s.insert_demand(&online, None, "hash-a", None, at).await, Err(Error::Conflict(_))));
    // Not visited before it is assigned.
    let early = s.record_return_visit(queued.id, "x", None, office, at).await;
    assert!(matches!(early, Err(Error::Conflict(_))));
    // Assigned once, to its task.
    let task_a = s.create_task(&enterprise_task("甲公司诉求", unit_id), &created(at)).await.unwrap().id;
    let later = t("2026-03-02T02:00:00Z");
    let assigned = s.assign_demand(queued.id, task_a, office, later).await.unwrap();
    assert_eq!(
        (assigned.task_id, assigned.assigned_at, assigned.assigned_by),
        (Some(task_a), Some(later), Some(office))
    );
    assert!(matches!(s.assign_demand(queued.id, task_a, office, later).await, Err(Error::Conflict(_))));
    assert!(matches!(s.assign_demand(9999, task_a, office, later).await, Err(Error::NotFound { .. })));
    assert_eq!(s.demand_by_task(task_a).await.unwrap().map(|d| d.id), Some(queued.id));
    // A hotline demand recorded by the office with its task at once.
    let task_b = s.create_task(&enterprise_task("乙公司诉求", unit_id), &created(at)).await.unwrap().id;
    let hotline = input("乙公司", "policy", "12345").parse(Channel::Other).unwrap();
    let b = s.insert_demand(&hotline, Some(task_b), "hash-b", Some(office), at).await.unwrap();
    assert_eq!((b.assigned_at, b.assigned_by, b.channel), (Some(at), Some(office), Channel::Hotline12345));
    // Lists by channel, kind and queue.
    let ids =
        |q: DemandQuery| async move { s.demands(&q).await.unwrap().into_iter().map(|d| d.id).collect::<Vec<_>>() };
    assert_eq!(ids(DemandQuery::default()).await, vec![b.id, queued.id]);
    assert_eq!(ids(DemandQuery { channel: Some(Channel::Online), ..Default::default() }).await, vec![queued.id]);
    assert_eq!(ids(DemandQuery { kind: Some("policy".parse().unwrap()), ..Default::default() }).await, vec![b.id]);
    assert_eq!(ids(DemandQuery { queued: Some(true), ..Default::default() }).await, Vec::<i64>::new());
    // The return visit may be recorded again; the rating only once.
    let v = s.record_return_visit(b.id, "电话回访", Some(Satisfaction::Basic), office, later).await.unwrap();
    let rv = v.return_visit.unwrap();
    assert_eq!((rv.text.as_str(), rv.satisfaction, rv.by), ("电话回访", Some(Satisfaction::Basic), office));
    let r = s.rate_demand(b.id, Satisfaction::Satisfied, "很及时", later).await.unwrap().rating.unwrap();
    assert_eq!((r.satisfaction, r.comment.as_str(), r.at), (Satisfaction::Satisfied, "很及时", later));
    assert!(matches!(s.rate_demand(b.id, Satisfaction::Unsatisfied, "", later).await, Err(Error::Conflict(_))));
    assert_eq!(s.demand(b.id).await.unwrap().unwrap().rating.unwrap().satisfaction, Satisfaction::Satisfied);
}

/// An imported list (issue 14 §1): a listed credit code becomes a new version (only when
/// something changed), others are added; a row that fails leaves nothing written. Projects are matched by name.
pub async fn an_imported_list_updates_listed_codes_and_is_written_whole_or_not_at_all(db: &TestDb) {
    use duban_domain::enterprise::{CreditCode, EnterpriseInput, ProjectInput, Yuan};
    use duban_store::enterprises::{EnterpriseQuery, ImportCounts, ProjectQuery, RecordKind};
    let s = &*db.store;
    let at = t("2026-03-02T01:00:00Z");
    let code = |n: u32| CreditCode::completing(&format!("91150525MA{n:07}")).unwrap().to_string();
    let e = |name: &str, c: &str, scale: &str| {
        EnterpriseInput {
            name: Some(name.into()),
            credit_code: Some(c.into()),
            scale: Some(scale.into()),
            ..Default::default()
        }
        .parse()
        .unwrap()
    };
    let old = s.insert_enterprise(&e("老企业", &code(1), "其他"), None, at).await.unwrap();
    let rows = vec![e("新企业", &code(2), "规上"), e("老企业", &code(1), "限上")];
    let counts = s.import_enterprises(&rows, None, t("2026-03-03T01:00:00Z")).await.unwrap();
    assert_eq!(counts, ImportCounts { added: 1, updated: 1, unchanged: 0 });
    let now = s.enterprise(old.id).await.unwrap().unwrap();
    assert_eq!((now.version, now.fields.scale.code()), (2, "above_limit_trade"));
    assert_eq!(s.registry_history(RecordKind::Enterprise, old.id.0).await.unwrap().len(), 2);
    // The same list again changes nothing and adds no version.
    let counts = s.import_enterprises(&rows, None, t("2026-03-04T01:00:00Z")).await.unwrap();
    assert_eq!(counts, ImportCounts { added: 0, updated: 0, unchanged: 2 });
    assert_eq!(s.registry_history(RecordKind::Enterprise, old.id.0).await.unwrap().len(), 2);
    // A list whose last row fails (a unit that does not exist) writes nothing, not even its
    // first rows.
    let mut nowhere = e("无处企业", &code(4), "其他");
    nowhere.unit_id = Some(duban_domain::ids::UnitId(999_999));
    let bad = vec![e("第三企业", &code(3), "其他"), e("改名", &code(1), "其他"), nowhere];
    assert!(s.import_enterprises(&bad, None, at).await.is_err());
    let (_, total) = s.enterprises(&EnterpriseQuery::default()).await.unwrap();
    assert_eq!(total, 2);
    assert_eq!(s.enterprise(old.id).await.unwrap().unwrap().fields.name, "老企业");

    let p = |name: &str, amount: &str| {
        ProjectInput { name: Some(name.into()), total_investment: Some(amount.into()), ..Default::default() }
            .parse()
            .unwrap()
    };
    let counts = s.import_projects(&[p("光伏", "2.5亿"), p("风电", "8000万")], None, at).await.unwrap();
    assert_eq!(counts.added, 2);
    let counts = s.import_projects(&[p("光伏", "2.6亿")], None, at).await.unwrap();
    assert_eq!(counts.updated, 1);
    let (found, _) = s.projects(&ProjectQuery { search: Some("光伏".into()), ..Default::default() }).await.unwrap();
    assert_eq!((found[0].fields.total_investment, found[0].version), (Yuan::wan(26000), 2));
}

/// The demands list is filtered and paged in SQL (issue 14, "Speed"): an assigned demand is
/// listed when its task passes the task list's filters — the audience (the one visibility rule:
/// 涉密 only to those named on it), status, light, lead unit — a queued one only when asked for;
/// newest first, with the count of all that match.
pub async fn the_demand_page_filters_by_the_task_audience_in_sql(db: &TestDb) {
    use duban_domain::demand::{Channel, DemandInput};
    use duban_store::demands::DemandPageQuery;
    let s = &db.store;
    let at0 = t("2026-03-01T00:00:00Z");
    let a = s.create_unit(&unit("诉求丙局", &[]), at0).await.unwrap().id;
    let b = s.create_unit(&unit("诉求丁局", &[]), at0).await.unwrap().id;
    let pa = s.create_person(&person("丙", "bing-d", Some(a)), at0).await.unwrap().id;
    let input = |name: &str, kind: &str| DemandInput {
        enterprise_name: name.into(),
        contact_name: "王经理".into(),
        contact_phone: "13800000000".into(),
        channel: "hotline_12345".into(),
        kind: kind.into(),
        text: "用电扩容".into(),
        ..Default::default()
    };
    // Four assigned demands, an hour apart: led by a, by b, by a but 涉密 (named: nobody), and
    // by b 涉密 with pa responsible; then one queued.
    let mut ids = Vec::new();
    for (i, (lead, secret, responsible)) in
        [(a, false, None), (b, false, None), (a, true, None), (b, true, Some(pa))].into_iter().enumerate()
    {
        let at = t("2026-03-02T01:00:00Z") + jiff::SignedDuration::from_hours(i as i64);
        let mut x = task(&format!("诉求{i}"), vec![Party::Unit(lead)]);
        x.fields.source = Source::Enterprise;
        x.fields.classification = if secret { Classification::Secret } else { Classification::Public };
        x.fields.responsible_person_id = responsible;
        let tid = s.create_task(&x, &created(at)).await.unwrap().id;
        let d = input(&format!("企业{i}"), if i == 1 { "approval" } else { "factors" }).parse(Channel::Other).unwrap();
        ids.push(s.insert_demand(&d, Some(tid), &format!("page-{i}"), None, at).await.unwrap().id);
    }
    let online = input("网上企业", "policy").parse(Channel::Online).unwrap();
    let queued = s.insert_demand(&online, None, "page-q", None, t("2026-03-02T06:00:00Z")).await.unwrap().id;
    let now = t("2026-03-02T08:00:00Z");
    let page = |audience: Option<Audience>, show_queued: bool| DemandPageQuery {
        show_queued,
        task: TaskQuery { audience, now, ..Default::default() },
        page: 1,
        per_page: 50,
        ..Default::default()
    };
    let ids_of = |p: &Page<duban_store::demands::DemandWithTask>| {
        // Each assigned demand comes with its own task, a queued one without.
        for d in &p.items {
            assert_eq!(d.task.as_ref().map(|t| t.id), d.demand.task_id, "demand {}", d.demand.id);
        }
        p.items.iter().map(|d| d.demand.id).collect::<Vec<_>>()
    };
    // The office (all units): every non-secret one and the queue, newest first.
    let office = Audience { person: PersonId(999_999), all_units: true, units: vec![] };
    let all = s.demand_page(&page(Some(office.clone()), true)).await.unwrap();
    assert_eq!((ids_of(&all), all.total), (vec![queued, ids[1], ids[0]], 3));
    // Without the right to see the queue, nor asked for it only.
    let no_queue = s.demand_page(&page(Some(office.clone()), false)).await.unwrap();
    assert_eq!(ids_of(&no_queue), vec![ids[1], ids[0]]);
    let only_queue = DemandPageQuery { queued: Some(true), ..page(Some(office.clone()), false) };
    assert_eq!(s.demand_page(&only_queue).await.unwrap().total, 0);
    // A person of unit a: a's public demand and the secret one they are responsible for.
    let mine = Audience { person: pa, all_units: false, units: vec![a] };
    let seen = s.demand_page(&page(Some(mine.clone()), false)).await.unwrap();
    assert_eq!(ids_of(&seen), vec![ids[3], ids[0]]);
    // The same rule as the in-memory check, demand by demand.
    let members: duban_domain::visibility::Members =
        s.list_groups().await.unwrap().into_iter().map(|g| (g.id.0, g.members)).collect();
    for (i, id) in ids.iter().enumerate() {
        let d = s.demand(*id).await.unwrap().unwrap();
        let task = s.get_task(d.task_id.unwrap()).await.unwrap();
        assert_eq!(mine.sees(&task, &members), ids_of(&seen).contains(id), "demand {i}");
    }
    // Filters: kind, lead unit, paging with the count of all.
    let approval =
        DemandPageQuery { kind: Some(duban_domain::demand::DemandKind::Approval), ..page(Some(office.clone()), true) };
    assert_eq!(ids_of(&s.demand_page(&approval).await.unwrap()), vec![ids[1]]);
    let led_by_b = DemandPageQuery {
        queued: Some(false),
        task: TaskQuery { unit_id: Some(b), lead_only: true, now, ..Default::default() },
        ..page(None, true)
    };
    assert_eq!(ids_of(&s.demand_page(&led_by_b).await.unwrap()), vec![ids[3], ids[1]]);
    let second = s.demand_page(&DemandPageQuery { page: 2, per_page: 2, ..page(None, true) }).await.unwrap();
    assert_eq!((ids_of(&second), second.total, second.page), (vec![ids[2], ids[1]], 5, 2));
    // Pages past the middle are read from the oldest end, in the same order.
    let paged = |n, per_page| DemandPageQuery { page: n, per_page, ..page(None, true) };
    assert_eq!(ids_of(&s.demand_page(&paged(3, 2)).await.unwrap()), vec![ids[0]]);
    assert_eq!(ids_of(&s.demand_page(&paged(2, 3)).await.unwrap()), vec![ids[1], ids[0]]);
    assert_eq!(ids_of(&s.demand_page(&paged(1, 3)).await.unwrap()), vec![queued, ids[3], ids[2]]);
    assert!(s.demand_page(&paged(4, 2)).await.unwrap().items.is_empty());
    // A unit sees the demands of tasks its group (各苏木乡镇场、街道) is a party of.
    s.import_directory(&UnitDirectory::from_toml(NAIMAN_UNITS).unwrap(), crate::at()).await.unwrap();
    let Some(PartyRef::Group(towns)) = s.resolve_name("各苏木乡镇场、街道").await.unwrap() else { panic!() };
    let Some(PartyRef::Unit(street)) = s.resolve_name("大沁他拉街道").await.unwrap() else { panic!() };
    let Some(PartyRef::Unit(court)) = s.resolve_name("旗人民法院").await.unwrap() else { panic!() };
    let at = t("2026-03-02T07:00:00Z");
    let mut x = task("诉求乡镇", vec![Party::Unit(court)]);
    x.fields.source = Source::Enterprise;
    x.fields.cooperating = vec![Party::Group(towns)];
    let tid = s.create_task(&x, &created(at)).await.unwrap().id;
    let d = input("企业乡镇", "factors").parse(Channel::Other).unwrap();
    let towns_demand = s.insert_demand(&d, Some(tid), "page-towns", None, at).await.unwrap().id;
    for u in [street, court] {
        let someone = Audience { person: PersonId(999_998), all_units: false, units: vec![u] };
        assert_eq!(ids_of(&s.demand_page(&page(Some(someone), false)).await.unwrap()), vec![towns_demand]);
    }
    let nobody = Audience { person: PersonId(999_998), all_units: false, units: vec![] };
    assert_eq!(s.demand_page(&page(Some(nobody), false)).await.unwrap().total, 0);
    // A demand's task is a 企业诉求 task: no other takes one, queued or new.
    let other = s.create_task(&task("会议任务", vec![Party::Unit(a)]), &created(at)).await.unwrap().id;
    let e = s.insert_demand(&d, Some(other), "page-other", None, at).await.unwrap_err();
    assert!(matches!(e, Error::Invalid { ref field, .. } if field == "task_id"), "{e:?}");
    let e = s.assign_demand(queued, other, pa, at).await.unwrap_err();
    assert!(matches!(e, Error::Invalid { ref field, .. } if field == "task_id"), "{e:?}");
    assert_eq!(s.demand(queued).await.unwrap().unwrap().task_id, None);
}

pub async fn liaison_coverage_and_steward_flags_are_counted_in_sql(db: &TestDb) {
    use duban_domain::enterprise::{CreditCode, EnterpriseInput, ProjectInput, Yuan};
    use duban_domain::liaison::{NewAssignment, NewVisit, Rank, ServiceKind, Target};
    use duban_store::liaison::CoverageCount;
    let s = &*db.store;
    let at = t("2026-10-02T01:00:00Z");
    let on = date(2026, 11, 10);
    let (from, to) = (date(2026, 10, 1), date(2026, 12, 31));
    let u1 = s.create_unit(&unit("覆盖甲镇", &[]), at).await.unwrap().id;
    let u2 = s.create_unit(&unit("覆盖乙镇", &[]), at).await.unwrap().id;
    let person = |name: &'static str, login: &'static str, u| {
        let p = NewPerson::new(name, login, Some(u), vec![Role::UnitHead]);
        async move { s.create_person(&p, at).await.unwrap().id }
    };
    let p1 = person("包联一", "cov1", u1).await;
    let p2 = person("包联二", "cov2", u2).await;
    let p3 = person("包联三", "cov3", u2).await;
    let code = |n: u32| CreditCode::completing(&format!("91150525MC{n:07}")).unwrap().to_string();
    let mut es = Vec::new();
    for (i, (name, scale)) in
        [("A企业", "其他"), ("B企业", "规上"), ("C企业", "其他"), ("D企业", "限上")].iter().enumerate()
    {
        let input = EnterpriseInput {
            name: Some((*name).into()),
            credit_code: Some(code(i as u32 + 1)),
            scale: Some((*scale).into()),
            ..Default::default()
        };
        es.push(s.insert_enterprise(&input.parse().unwrap(), None, at).await.unwrap().id);
    }
    let mut ps = Vec::new();
    for (name, amount, stage) in [
        ("P1项目", "1.2亿", "签约"),
        ("P2项目", "5000万", "签约"),
        ("P3项目", "1.2亿", "终止"),
        ("P4项目", "500万", "签约"),
    ] {
        let input = ProjectInput {
            name: Some(name.into()),
            total_investment: Some(amount.into()),
            stage: Some(stage.into()),
            signed_on: Some("2026-09-01".into()),
            ..Default::default()
        };
        ps.push(s.insert_project(&input.parse().unwrap(), None, at).await.unwrap().id);
    }
    let assign = |kind, person_id, unit_id, target, until| NewAssignment {
        kind,
        person_id,
        unit_id,
        target,
        rank: Some(Rank::Section),
        since: date(2026, 10, 1),
        until,
    };
    let liaison = ServiceKind::Liaison;
    let a1 = s.insert_assignment(&assign(liaison, p1, u1, Target::Enterprise(es[0]), None), None, at).await.unwrap();
    let a2 = s.insert_assignment(&assign(liaison, p2, u2, Target::Enterprise(es[1]), None), None, at).await.unwrap();
    s.insert_assignment(&assign(liaison, p2, u2, Target::Enterprise(es[0]), None), None, at).await.unwrap();
    // Ended before the day: C is not covered.
    let ended = Some(date(2026, 11, 1));
    s.insert_assignment(&assign(liaison, p3, u2, Target::Enterprise(es[2]), ended), None, at).await.unwrap();
    let visit = |assignment_id, visited_on| NewVisit {
        assignment_id,
        visited_on,
        met: String::new(),
        policies: String::new(),
        work: String::new(),
        problems: vec![],
        evidence: vec![],
    };
    s.insert_visit(&visit(a1.id, date(2026, 11, 3)), None, None, at).await.unwrap();
    // Before this period: not counted.
    s.insert_visit(&visit(a2.id, date(2026, 9, 20)), None, None, at).await.unwrap();

    assert_eq!(s.coverage_counts(on).await.unwrap(), (4, 2));
    let names = |v: Vec<(duban_domain::ids::EnterpriseId, String)>| v.into_iter().map(|(_, n)| n).collect::<Vec<_>>();
    let (gaps, total) = s.coverage_gaps(on, 0, 50).await.unwrap();
    assert_eq!((names(gaps), total), (vec!["C企业".to_string(), "D企业".to_string()], 2));
    let (gaps, total) = s.coverage_gaps(on, 1, 1).await.unwrap();
    assert_eq!((names(gaps), total), (vec!["D企业".to_string()], 2), "a page of the gaps");
    let (_, total) = s.coverage_gaps(date(2026, 10, 20), 0, 50).await.unwrap();
    assert_eq!(total, 1, "C is covered while its assignment is in force");
    let line = |id: i64, name: &str, assigned, visited| CoverageCount { id, name: name.into(), assigned, visited };
    let mut per_person = s.coverage_lines(on, from, to, false).await.unwrap();
    per_person.sort_by_key(|l| l.id);
    assert_eq!(per_person, vec![line(p1.0, "包联一", 1, 1), line(p2.0, "包联二", 2, 0)]);
    let mut per_unit = s.coverage_lines(on, from, to, true).await.unwrap();
    per_unit.sort_by_key(|l| l.id);
    assert_eq!(per_unit, vec![line(u1.0, "覆盖甲镇", 1, 1), line(u2.0, "覆盖乙镇", 2, 0)]);

    // Stewards: P2 has one (in force), B has one; P1 (over 1000万, signed) and D (限上) have none;
    // P3 is stopped and P4 under the threshold.
    let steward = ServiceKind::Steward;
    let sp = s.insert_assignment(&assign(steward, p1, u1, Target::Project(ps[1]), None), None, at).await.unwrap();
    s.insert_assignment(&assign(steward, p1, u1, Target::Enterprise(es[1]), None), None, at).await.unwrap();
    s.insert_assignment(&assign(steward, p2, u2, Target::Project(ps[0]), ended), None, at).await.unwrap();
    let missing = s.projects_without_steward(on, Yuan::wan(1000), 0, 50).await.unwrap();
    assert_eq!(missing, (vec![(ps[0], "P1项目".to_string(), Yuan::wan(12000))], 1));
    let (without, total) = s.enterprises_without_steward(on, 0, 50).await.unwrap();
    assert_eq!((names(without), total), (vec!["D企业".to_string()], 1));
    let stewards = s.project_stewards(on, &[]).await.unwrap();
    assert_eq!(stewards, vec![(sp, "P2项目".to_string(), Yuan::wan(5000))]);
}

pub async fn the_assignment_list_and_the_steward_flags_are_paged_in_sql(db: &TestDb) {
    use duban_domain::enterprise::{CreditCode, EnterpriseInput, ProjectInput, Yuan};
    use duban_domain::liaison::{NewAssignment, NewVisit, Rank, ServiceKind, Target};
    use duban_store::liaison::AssignmentPageQuery;
    let s = &*db.store;
    let at = t("2026-10-02T01:00:00Z");
    let on = date(2026, 11, 10);
    let u1 = s.create_unit(&unit("分页甲镇", &[]), at).await.unwrap().id;
    let u2 = s.create_unit(&unit("分页乙镇", &[]), at).await.unwrap().id;
    let person = |name: &'static str, login: &'static str, u| {
        let p = NewPerson::new(name, login, Some(u), vec![Role::UnitHead]);
        async move { s.create_person(&p, at).await.unwrap().id }
    };
    let p1 = person("王分页", "page1", u1).await;
    let p2 = person("李分页", "page2", u2).await;
    let gone = person("已停用", "page3", u2).await;
    s.deactivate_person(gone).await.unwrap();
    let nobody = s.create_person(&NewPerson::new("无单位", "page4", None, vec![Role::Officer]), at).await.unwrap().id;
    let code = |n: u32| CreditCode::completing(&format!("91150525MD{n:07}")).unwrap().to_string();
    let mut es = Vec::new();
    // "50%_企业" holds LIKE's wildcards, which a search matches literally.
    for (i, (name, scale)) in
        [("甲分页企业", "规上"), ("乙分页企业", "限上"), ("丙分页企业", "其他"), ("50%_企业", "规上")]
            .iter()
            .enumerate()
    {
        let input = EnterpriseInput {
            name: Some((*name).into()),
            credit_code: Some(code(i as u32 + 1)),
            scale: Some((*scale).into()),
            ..Default::default()
        };
        es.push(s.insert_enterprise(&input.parse().unwrap(), None, at).await.unwrap().id);
    }
    let mut ps = Vec::new();
    for (name, amount) in [("A项目", "2亿"), ("B项目", "3000万"), ("C项目", "8000万"), ("D项目", "1.5亿")] {
        let input = ProjectInput {
            name: Some(name.into()),
            total_investment: Some(amount.into()),
            stage: Some("签约".into()),
            signed_on: Some("2026-09-01".into()),
            ..Default::default()
        };
        ps.push(s.insert_project(&input.parse().unwrap(), None, at).await.unwrap().id);
    }
    let assign = |kind, person_id, unit_id, target, rank, until| NewAssignment {
        kind,
        person_id,
        unit_id,
        target,
        rank,
        since: date(2026, 10, 1),
        until,
    };
    let liaison = ServiceKind::Liaison;
    let ended = Some(date(2026, 11, 1));
    // Ended first by id: it comes after the ones in force.
    let a0 =
        s.insert_assignment(&assign(liaison, p1, u1, Target::Enterprise(es[2]), None, ended), None, at).await.unwrap();
    let a1 =
        s.insert_assignment(&assign(liaison, p1, u1, Target::Enterprise(es[0]), None, None), None, at).await.unwrap();
    let a2 =
        s.insert_assignment(&assign(liaison, p2, u2, Target::Enterprise(es[1]), None, None), None, at).await.unwrap();
    let a3 =
        s.insert_assignment(&assign(liaison, p2, u2, Target::Enterprise(es[3]), None, None), None, at).await.unwrap();
    let visit = |assignment_id, visited_on| NewVisit {
        assignment_id,
        visited_on,
        met: String::new(),
        policies: String::new(),
        work: String::new(),
        problems: vec![],
        evidence: vec![],
    };
    s.insert_visit(&visit(a1.id, date(2026, 11, 3)), None, None, at).await.unwrap();
    // Last quarter: not this period's.
    s.insert_visit(&visit(a2.id, date(2026, 9, 20)), None, None, at).await.unwrap();
    let task_id = s.create_task(&task("走访甲分页企业", vec![Party::Unit(u1)]), &created(at)).await.unwrap().id;
    assert!(s.insert_obligation(a1.id, "2026Q4", task_id).await.unwrap());
    let other = s.create_task(&task("上季度", vec![Party::Unit(u2)]), &created(at)).await.unwrap().id;
    assert!(s.insert_obligation(a2.id, "2026Q3", other).await.unwrap());

    let query = |search: Option<&str>, offset, limit| AssignmentPageQuery {
        kind: liaison,
        on,
        from: date(2026, 10, 1),
        to: date(2026, 12, 31),
        period: "2026Q4".into(),
        search: search.map(str::to_string),
        id: None,
        offset,
        limit,
    };
    let (rows, total) = s.assignment_page(&query(None, 0, 50)).await.unwrap();
    let ids: Vec<i64> = rows.iter().map(|r| r.assignment.id).collect();
    assert_eq!((ids, total), (vec![a1.id, a2.id, a3.id, a0.id], 4), "in force first, then by id");
    let r = &rows[0];
    assert_eq!(
        (r.person.as_str(), r.unit.as_str(), r.target.as_str(), r.visited, r.task_id),
        ("王分页", "分页甲镇", "甲分页企业", true, Some(task_id))
    );
    assert_eq!((rows[1].visited, rows[1].task_id), (false, None), "last quarter's visit and task are not this one's");
    let (rows, total) = s.assignment_page(&query(None, 2, 1)).await.unwrap();
    assert_eq!((rows.iter().map(|r| r.assignment.id).collect::<Vec<_>>(), total), (vec![a3.id], 4));
    let (rows, total) = s.assignment_page(&query(None, 8, 2)).await.unwrap();
    assert_eq!((rows.len(), total), (0, 4), "past the end");
    // Search: the person's name, the target's name, LIKE's wildcards taken literally.
    let found = |search: &'static str| async move {
        let (rows, total) = s.assignment_page(&query(Some(search), 0, 50)).await.unwrap();
        (rows.into_iter().map(|r| r.assignment.id).collect::<Vec<_>>(), total)
    };
    assert_eq!(found("李分").await, (vec![a2.id, a3.id], 2));
    assert_eq!(found("丙分页").await, (vec![a0.id], 1));
    assert_eq!(found("%_").await, (vec![a3.id], 1));
    assert_eq!(found("无此人").await, (vec![], 0));
    let one = AssignmentPageQuery { id: Some(a2.id), ..query(None, 0, 50) };
    assert_eq!(s.assignment_page(&one).await.unwrap().0[0].target, "乙分页企业");
    let steward_only = AssignmentPageQuery { kind: ServiceKind::Steward, ..query(None, 0, 50) };
    assert_eq!(s.assignment_page(&steward_only).await.unwrap().1, 0, "kinds are apart");

    // Who may be assigned: active people with a unit, with its name.
    let people = s.assignable_people().await.unwrap();
    assert!(people.contains(&(p1, "王分页".to_string(), "分页甲镇".to_string())), "{people:?}");
    assert!(!people.iter().any(|(id, _, _)| *id == gone || *id == nobody), "{people:?}");

    // Steward flags: C has a steward, A, B and D (over 1000万) none; 乙 has one, 甲 (ended) and
    // 50%_ none (丙 is neither 规上 nor 限上).
    let steward = ServiceKind::Steward;
    let section = Some(Rank::Section);
    s.insert_assignment(&assign(steward, p1, u1, Target::Project(ps[2]), section, None), None, at).await.unwrap();
    s.insert_assignment(&assign(steward, p1, u1, Target::Enterprise(es[1]), section, None), None, at).await.unwrap();
    s.insert_assignment(&assign(steward, p2, u2, Target::Enterprise(es[0]), section, ended), None, at).await.unwrap();
    let above = Yuan::wan(1000);
    let names =
        |v: &[(duban_domain::ids::ProjectId, String, Yuan)]| v.iter().map(|(_, n, _)| n.clone()).collect::<Vec<_>>();
    let (page, total) = s.projects_without_steward(on, above, 0, 50).await.unwrap();
    assert_eq!((names(&page), total), (vec!["A项目".to_string(), "B项目".to_string(), "D项目".to_string()], 3));
    let (page, total) = s.projects_without_steward(on, above, 1, 1).await.unwrap();
    assert_eq!((names(&page), total), (vec!["B项目".to_string()], 3));
    let (page, total) = s.projects_without_steward(on, above, 0, 0).await.unwrap();
    assert_eq!((page.len(), total), (0, 3), "the count alone");
    let (page, total) = s.enterprises_without_steward(on, 0, 50).await.unwrap();
    let firms: Vec<String> = page.into_iter().map(|(_, n)| n).collect();
    assert_eq!((firms, total), (vec!["50%_企业".to_string(), "甲分页企业".to_string()], 2));
    let (page, total) = s.enterprises_without_steward(on, 1, 5).await.unwrap();
    assert_eq!((page.len(), total), (1, 2));

    // The stewards whose rank may be below their tier: C (8000万) asks for 副处级 or higher of
    // the tiers (0: 副科级+, 5000万: 副处级+, 1亿: 正处级+); 正科级 does not fit, 正处级 does, none
    // never does.
    let low = s.project_stewards(on, &[]).await.unwrap()[0].0.clone();
    s.insert_assignment(&assign(steward, p2, u2, Target::Project(ps[2]), Some(Rank::Division), None), None, at)
        .await
        .unwrap();
    let bare =
        s.insert_assignment(&assign(steward, gone, u2, Target::Project(ps[2]), None, None), None, at).await.unwrap();
    let fits = |r: Rank| Rank::ALL.iter().copied().filter(|x| x.fits(r)).collect::<Vec<_>>();
    let tiers = vec![
        (Yuan(0), fits(Rank::DeputySection)),
        (Yuan::wan(5000), fits(Rank::DeputyDivision)),
        (Yuan::yi(1), fits(Rank::Division)),
    ];
    assert_eq!(s.project_stewards(on, &[]).await.unwrap().len(), 3, "every steward without tiers");
    let below: Vec<i64> = s.project_stewards(on, &tiers).await.unwrap().iter().map(|(a, _, _)| a.id).collect();
    assert_eq!(below, vec![low.id, bare.id]);
    let tiers = vec![(Yuan(0), fits(Rank::Section))];
    let below: Vec<i64> = s.project_stewards(on, &tiers).await.unwrap().iter().map(|(a, _, _)| a.id).collect();
    assert_eq!(below, vec![bare.id], "one tier: 正科级 fits");
}

/// Reading every task with its parties (the snapshot the whole-ledger pages start from) binds
/// the task ids a few thousand to a statement: more than SQLite's 32,766 bound values at once
/// failed, so the office's pages failed on a ledger of more than that many tasks.
pub async fn every_task_is_read_with_its_parties_past_the_bind_limit(db: &TestDb) {
    let s = &*db.store;
    let a = s.create_unit(&unit("全量甲局", &[]), crate::at()).await.unwrap().id;
    let b = s.create_unit(&unit("全量乙局", &[]), crate::at()).await.unwrap().id;
    let n = 33_000;
    let tasks: Vec<StoredTask> = (0..n)
        .map(|i| {
            let mut x = task(&format!("全量{i}"), vec![Party::Unit(if i % 2 == 0 { a } else { b })]);
            x.fields.cooperating = vec![Party::Unit(if i % 2 == 0 { b } else { a })];
            x
        })
        .collect();
    let at = t("2026-03-02T01:00:00Z");
    assert_eq!(s.insert_tasks(&tasks, at).await.unwrap(), n as u64);
    let all = s.tasks_changed_since(Timestamp::UNIX_EPOCH).await.unwrap();
    assert_eq!(all.len(), n);
    for (i, x) in all.iter().enumerate() {
        let (lead, coop) = if i % 2 == 0 { (a, b) } else { (b, a) };
        assert_eq!(
            (x.fields.lead.as_slice(), x.fields.cooperating.as_slice()),
            (&[Party::Unit(lead)][..], &[Party::Unit(coop)][..]),
            "task {i}"
        );
    }
}
