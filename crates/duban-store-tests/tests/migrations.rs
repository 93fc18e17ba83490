//! Upgrading a database that holds data, on both backends (after lldap's `test_migration_to_v4`).
//!
//! For every schema version in the folder, a fresh database is brought to exactly that
//! version by the backend's migration files up to it (recorded as sqlx records them), then filled
//! by plain SQL with rows of every table that exists at that version, as the store of that time
//! wrote them: units, groups and their names, people, a ledger, tasks with their parties and
//! trail (hash-chained from migration 3 on), a calendar file and a setting; notices, messages
//! and naming candidates from 4; the notice counters from 5; an attachment from 6; a credential
//! and a session from 7; the administrative log (hash-chained) from 9. Then the current store
//! opens it, which runs the remaining migrations, and everything must read back through the
//! store's methods: the same values, both hash chains holding, the same counts; and new writes
//! (a task, an edit, a 督办 numbered after the old ones, a unit, a person, an attachment, a
//! session, an audit entry) must work and keep both chains whole. The latest version is included:
//! reopening a current database runs nothing and keeps everything.
//!
//! The migrations are read from each backend's `migrations/` folder when the test runs, so one
//! added later is covered without changing this file: a database at a version after 9 is seeded
//! with the tables known at 9. The PostgreSQL half creates and drops a database per version under
//! `DUBAN_TEST_PG_URL`; without it, it fails under `CI=true` and is skipped, with a note, elsewhere.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use duban_domain::ids::{GroupId, PersonId, TaskId, UnitId};
use duban_domain::org::{NewPerson, NewUnit, Role, UnitGroup, UnitKind, UnitLevel};
use duban_domain::policy::ClockEvent;
use duban_domain::task::{Classification, Complexity, Milestone, Party, Priority, Source, Status};
use duban_store::*;
use duban_store_postgres::PgStore;
use duban_store_sqlite::SqliteStore;
use duban_store_tests::{pg_url, suite::task, with_database};
use jiff::Timestamp;
use jiff::civil::date;
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::migrate::{Migrate, MigrateDatabase, Migrator};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// The last migration whose tables the seeding knows; later versions get its data.
const KNOWN: i64 = 11;

/// The file attached before the upgrade.
const ATTACHMENT: &[u8] = "苏木镇,小区数\n大沁他拉镇,12\n".as_bytes();
/// A password hash as the store keeps it (argon2id, PHC string); never checked here.
const PASSWORD_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$bWlncmF0aW9uc2FsdA$bWlncmF0aW9uLXRlc3QtaGFzaA";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend's migrations folder, found from this crate's manifest.
    fn folder(self) -> PathBuf {
        let name = match self {
            Backend::Sqlite => "duban-store-sqlite",
            Backend::Postgres => "duban-store-postgres",
        };
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(name).join("migrations")
    }

    /// The migrations in the folder now, in order.
    async fn migrator(self) -> Migrator {
        Migrator::new(self.folder()).await.expect("read the migrations folder")
    }
}

/// Every version in the backend's folder, the latest included.
async fn versions(backend: Backend) -> Vec<i64> {
    let versions: Vec<i64> = backend.migrator().await.iter().map(|m| m.version).collect();
    assert!(versions.len() >= 9, "migrations 0001…0009 at least: {versions:?}");
    versions
}

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn ms(s: &str) -> i64 {
    ts(s).as_millisecond()
}

/// Lower-case hex of SHA-256 over `bytes`.
fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The stored hash of a link of either chain: SHA-256 over the hash of the link before it and
/// the link's stored fields, each followed by a NUL byte (the format the store has always used).
fn link_hash(fields: &[&str]) -> String {
    let mut h = Sha256::new();
    for f in fields {
        h.update(f.as_bytes());
        h.update([0u8]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// A value of a seeded row.
enum V {
    Null,
    Int(i64),
    Text(String),
    Bool(bool),
    Bytes(Vec<u8>),
}

impl From<i64> for V {
    fn from(v: i64) -> Self {
        V::Int(v)
    }
}

impl From<Option<i64>> for V {
    fn from(v: Option<i64>) -> Self {
        v.map_or(V::Null, V::Int)
    }
}

impl From<&str> for V {
    fn from(v: &str) -> Self {
        V::Text(v.into())
    }
}

impl From<bool> for V {
    fn from(v: bool) -> Self {
        V::Bool(v)
    }
}

/// The head and length of a hash chain as it is being seeded.
#[derive(Default)]
struct Chain {
    head: String,
    length: i64,
}

/// The SQL that fills a database at one schema version, built row by row.
struct Seed {
    version: i64,
    backend: Backend,
    sql: Vec<String>,
    /// Tables given explicit ids (PostgreSQL's identity sequences are moved past them).
    with_ids: BTreeSet<&'static str>,
    events: Chain,
    admin: Chain,
}

impl Seed {
    /// The value as an SQL literal of the backend.
    fn literal(&self, v: &V) -> String {
        match v {
            V::Null => "NULL".into(),
            V::Int(i) => i.to_string(),
            V::Text(s) => format!("'{}'", s.replace('\'', "''")),
            V::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
            V::Bytes(b) => {
                let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
                match self.backend {
                    Backend::Sqlite => format!("X'{hex}'"),
                    Backend::Postgres => format!("decode('{hex}', 'hex')"),
                }
            }
        }
    }

    fn insert(&mut self, table: &'static str, columns: &str, values: Vec<V>) {
        assert_eq!(columns.split(',').count(), values.len(), "{table}: {columns}");
        if columns.starts_with("id,") {
            self.with_ids.insert(table);
        }
        let values: Vec<String> = values.iter().map(|v| self.literal(v)).collect();
        self.sql.push(format!("INSERT INTO {table} ({columns}) VALUES ({})", values.join(", ")));
    }

    /// A task event; hash-chained from migration 3 on, as the store wrote them since.
    fn event(&mut self, id: i64, task: i64, at: i64, actor: Option<i64>, kind: &str, data: &str) {
        let cols = "id, task_id, at, actor_id, kind, data";
        let mut values = vec![id.into(), task.into(), at.into(), actor.into(), kind.into(), data.into()];
        if self.version >= 3 {
            let actor = actor.map(|a| a.to_string()).unwrap_or_default();
            let hash = link_hash(&[&self.events.head, &task.to_string(), &at.to_string(), &actor, kind, data]);
            values.push(self.events.head.as_str().into());
            values.push(hash.as_str().into());
            self.events.head = hash;
            self.insert("task_events", &format!("{cols}, prev_hash, hash"), values);
        } else {
            self.insert("task_events", cols, values);
        }
        self.events.length += 1;
    }

    /// An administrative change by `(actor_id, actor)`, hash-chained like the store's.
    fn admin_event(
        &mut self,
        id: i64,
        at: i64,
        (actor_id, actor): (Option<i64>, &str),
        kind: &str,
        target: &str,
        data: &str,
    ) {
        let actor_text = actor_id.map(|a| a.to_string()).unwrap_or_default();
        let hash = link_hash(&[&self.admin.head, &at.to_string(), &actor_text, actor, kind, target, data]);
        let prev = std::mem::replace(&mut self.admin.head, hash.clone());
        self.insert(
            "admin_events",
            "id, at, actor_id, actor, kind, target, data, prev_hash, hash",
            vec![
                id.into(),
                at.into(),
                actor_id.into(),
                actor.into(),
                kind.into(),
                target.into(),
                data.into(),
                prev.as_str().into(),
                hash.as_str().into(),
            ],
        );
        self.admin.length += 1;
    }

    /// The statements, with the chain heads and (on PostgreSQL) the id sequences brought level.
    fn finish(mut self) -> Vec<String> {
        if self.version >= 3 {
            let (head, length) = (self.literal(&self.events.head.as_str().into()), self.events.length);
            self.sql.push(format!("UPDATE event_chain SET head_hash = {head}, length = {length} WHERE id = 1"));
        }
        if self.version >= 9 {
            let (head, length) = (self.literal(&self.admin.head.as_str().into()), self.admin.length);
            self.sql.push(format!("UPDATE admin_chain SET head_hash = {head}, length = {length} WHERE id = 1"));
        }
        if self.backend == Backend::Postgres {
            for t in &self.with_ids {
                self.sql.push(format!("SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT MAX(id) FROM {t}))"));
            }
        }
        self.sql
    }
}

/// The rows of every table that exists at `version` (the tables of migration 9 for later ones).
fn seed(version: i64, backend: Backend) -> Vec<String> {
    let v = version.min(KNOWN);
    let mut s = Seed {
        version: v,
        backend,
        sql: Vec::new(),
        with_ids: BTreeSet::new(),
        events: Chain::default(),
        admin: Chain::default(),
    };
    let (t0, t1, t2) = (ms("2026-03-02T01:00:00Z"), ms("2026-03-03T02:00:00Z"), ms("2026-03-05T07:30:00Z"));
    let (t3, t4) = (ms("2026-03-09T01:00:00Z"), ms("2026-03-10T03:00:00Z"));

    // Migration 1: the organisation, a ledger, a task and its subtask with their parties and
    // trail, an imported calendar file, a setting.
    let units = "id, name, kind, level, parent_id, active, created_at";
    s.insert(
        "units",
        units,
        vec![1.into(), "奈曼旗人民政府".into(), "government".into(), "county".into(), V::Null, true.into(), t0.into()],
    );
    s.insert(
        "units",
        units,
        vec![
            2.into(),
            "旗住房和城乡建设局".into(),
            "department".into(),
            "county".into(),
            1.into(),
            true.into(),
            t0.into(),
        ],
    );
    s.insert(
        "units",
        units,
        vec![3.into(), "大沁他拉镇".into(), "township".into(), "township".into(), 1.into(), true.into(), t0.into()],
    );
    s.insert("unit_groups", "id, name, note", vec![1.into(), "各苏木镇".into(), "苏木乡镇".into()]);
    for (name, unit, group, alias) in [
        ("奈曼旗人民政府", Some(1), None, false),
        ("旗政府", Some(1), None, true),
        ("旗住房和城乡建设局", Some(2), None, false),
        ("旗住建局", Some(2), None, true),
        ("大沁他拉镇", Some(3), None, false),
        ("各苏木镇", None, Some(1), false),
        ("各苏木镇街道", None, Some(1), true),
    ] {
        s.insert(
            "party_names",
            "name, unit_id, group_id, is_alias",
            vec![name.into(), unit.into(), group.into(), alias.into()],
        );
    }
    s.insert("unit_group_members", "group_id, unit_id", vec![1.into(), 3.into()]);
    let people = "id, name, username, unit_id, roles, title, phone, email, domains, charge_units, active, created_at";
    for (id, name, username, unit, role, title, domains, charge) in [
        (1, "王督查", "office", None, "office", "督查室主任", "[]", "[]"),
        (2, "李旗长", "leader", None, "leader", "副旗长", r#"["住房城乡建设"]"#, "[2]"),
        (3, "张经办", "officer", Some(3), "officer", "科员", "[]", "[]"),
    ] {
        let roles = format!(r#"["{role}"]"#);
        let email = format!("{username}@naiman.example");
        s.insert(
            "people",
            people,
            vec![
                i64::from(id).into(),
                name.into(),
                username.into(),
                unit.into(),
                roles.as_str().into(),
                title.into(),
                "0475-4212345".into(),
                email.as_str().into(),
                domains.into(),
                charge.into(),
                true.into(),
                t0.into(),
            ],
        );
    }
    s.insert(
        "ledgers",
        "id, name, doc_number, issued, issuer, source, created_at",
        vec![
            1.into(),
            "奈曼旗2026年重点工作台账".into(),
            "奈政字〔2026〕1号".into(),
            "2026-02-27".into(),
            "奈曼旗人民政府".into(),
            "document".into(),
            t0.into(),
        ],
    );
    let mut tasks = "id, ledger_id, parent_id, number, title, body, source, leader_id, responsible_person_id, \
                     deadline, milestones, targets, work_standard, priority, complexity, classification, status, \
                     received_at, clock, due_at, warn_at, created_at, updated_at, version"
        .to_string();
    let clock1 = format!(r#"{{"progress_reported":{t2},"received":{t0},"signed":{t1}}}"#);
    let clock2 = format!(r#"{{"received":{t0}}}"#);
    let mut task1: Vec<V> = vec![
        1.into(),
        1.into(),
        V::Null,
        "1".into(),
        "推进老旧小区改造".into(),
        "完成12个老旧小区改造，6月底前全部完工。".into(),
        "document".into(),
        2.into(),
        3.into(),
        "2026-06-30".into(),
        r#"[{"due":"2026-04-30","text":"完成70%"}]"#.into(),
        r#"["改造小区12个"]"#.into(),
        "按期完工、群众满意".into(),
        "key".into(),
        "complex".into(),
        "internal".into(),
        "in_progress".into(),
        t0.into(),
        clock1.as_str().into(),
        ms("2026-06-30T10:00:00Z").into(),
        ms("2026-06-25T10:00:00Z").into(),
        t0.into(),
        t2.into(),
        3.into(),
    ];
    let mut task2: Vec<V> = vec![
        2.into(),
        1.into(),
        1.into(),
        "1.1".into(),
        "各苏木镇摸底排查".into(),
        String::new().as_str().into(),
        "document".into(),
        V::Null,
        V::Null,
        V::Null,
        "[]".into(),
        "[]".into(),
        String::new().as_str().into(),
        "routine".into(),
        "general".into(),
        "public".into(),
        "assigned".into(),
        t0.into(),
        clock2.as_str().into(),
        V::Null,
        V::Null,
        t0.into(),
        t0.into(),
        1.into(),
    ];
    if v >= 2 {
        tasks.push_str(", section");
        task1.push("二、重点任务 / （一）城市建设".into());
        task2.push("二、重点任务 / （一）城市建设".into());
    }
    s.insert("tasks", &tasks, task1);
    s.insert("tasks", &tasks, task2);
    let parties = "task_id, role, position, unit_id, group_id";
    s.insert("task_parties", parties, vec![1.into(), "lead".into(), 0.into(), 2.into(), V::Null]);
    s.insert("task_parties", parties, vec![1.into(), "cooperating".into(), 0.into(), V::Null, 1.into()]);
    s.insert("task_parties", parties, vec![2.into(), "lead".into(), 0.into(), V::Null, 1.into()]);
    s.event(1, 1, t0, Some(1), "created", "{}");
    s.event(2, 2, t0, Some(1), "created", "{}");
    s.event(3, 1, t1, Some(3), "sign", r#"{"comment":"已签收"}"#);
    s.event(4, 1, t2, Some(3), "report", r#"{"text":"已完成12个小区的摸底"}"#);
    s.insert(
        "calendar_files",
        "id, imported_at, note, content",
        vec![
            1.into(),
            t0.into(),
            "2027年放假安排".into(),
            r#"{"years":{"2027":{"off":["2027-01-01"],"work":[]}}}"#.into(),
        ],
    );
    s.insert("meta", "key, value", vec!["migration_test".into(), "旧版本写入".into()]);

    // Migration 4: a 督办 notice with its event, two messages and a naming candidate; from 11
    // with the units it is addressed to and the office's instruction.
    if v >= 4 {
        let mut columns = "id, number, dedup_key, task_id, stage, round, issued_at, answer_by, answered_at".to_string();
        let mut values = vec![
            1.into(),
            "督〔2026〕1号".into(),
            "supervise:1:report:1".into(),
            1.into(),
            "report".into(),
            1.into(),
            t3.into(),
            "2026-03-20".into(),
            V::Null,
        ];
        if v >= 11 {
            columns.push_str(", recipients, text");
            values.extend([V::from("2,3"), V::from("请于月底前报送摸底表")]);
        }
        s.insert("notices", &columns, values);
        s.event(5, 1, t3, None, "supervised", r#"{"number":"督〔2026〕1号"}"#);
        let outbox = "id, dedup_key, kind, channel, person_id, address, task_id, subject, body, created_at, \
                      not_before, attempts, next_attempt_at, status, last_error, delivered_at";
        s.insert(
            "outbox",
            outbox,
            vec![
                1.into(),
                "remind:1:report".into(),
                "remind".into(),
                "inbox".into(),
                3.into(),
                "".into(),
                1.into(),
                "催办：推进老旧小区改造".into(),
                "请按时报告进展".into(),
                t3.into(),
                t3.into(),
                0.into(),
                t3.into(),
                "pending".into(),
                "".into(),
                V::Null,
            ],
        );
        s.insert(
            "outbox",
            outbox,
            vec![
                2.into(),
                "supervise:1:report:1:leader".into(),
                "supervise".into(),
                "email".into(),
                2.into(),
                "leader@naiman.example".into(),
                1.into(),
                "督〔2026〕1号".into(),
                "推进老旧小区改造已督办".into(),
                t3.into(),
                t3.into(),
                1.into(),
                t3.into(),
                "sent".into(),
                "".into(),
                t3.into(),
            ],
        );
        s.insert(
            "naming_candidates",
            "id, dedup_key, task_id, unit_id, person_id, created_at, reason",
            vec![1.into(), "naming:1:2".into(), 1.into(), 2.into(), 3.into(), t3.into(), "两次督办无进展".into()],
        );
    }
    // Migration 5: the notice counter of the year (at 4 the migration fills it from the notices).
    if v >= 5 {
        s.insert("notice_numbers", "year, last", vec![2026.into(), 1.into()]);
    }
    // Migration 6: an attachment and its event.
    if v >= 6 {
        let sha = sha256_hex(ATTACHMENT);
        let size = ATTACHMENT.len() as i64;
        s.insert(
            "attachments",
            "id, task_id, name, content_type, size, sha256, data, uploaded_by, uploaded_at",
            vec![
                1.into(),
                1.into(),
                "摸底表.csv".into(),
                "text/csv".into(),
                size.into(),
                sha.as_str().into(),
                V::Bytes(ATTACHMENT.to_vec()),
                3.into(),
                t4.into(),
            ],
        );
        let data = format!(r#"{{"attachment":1,"name":"摸底表.csv","sha256":"{sha}","size":{size}}}"#);
        s.event(6, 1, t4, Some(3), "attached", &data);
    }
    // Migration 7: a credential and a session.
    if v >= 7 {
        s.insert(
            "credentials",
            "person_id, password_hash, failures, locked_until, updated_at",
            vec![1.into(), PASSWORD_HASH.into(), 0.into(), V::Null, t0.into()],
        );
        s.insert(
            "sessions",
            "token_hash, person_id, csrf, created_at, expires_at",
            vec![
                sha256_hex(b"the office's token").as_str().into(),
                1.into(),
                "csrf-of-the-office".into(),
                t4.into(),
                ms("2026-03-12T03:00:00Z").into(),
            ],
        );
    }
    // Migration 9: two entries of the administrative log.
    if v >= 9 {
        s.admin_event(1, t0, (None, "命令行"), "directory.import", "单位名录 naiman.toml", r#"{"after":{"units":3}}"#);
        s.admin_event(
            2,
            t1,
            (Some(1), "王督查（office）"),
            "user.add",
            "用户 3 张经办",
            r#"{"after":{"username":"officer"}}"#,
        );
    }
    s.finish()
}

/// Brings the database to exactly `version` with the folder's migrations and fills it.
async fn prepare<DB>(pool: &sqlx::Pool<DB>, migrator: &Migrator, version: i64, sql: &[String])
where
    DB: sqlx::Database,
    DB::Connection: Migrate,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
{
    let mut conn = pool.acquire().await.unwrap();
    conn.ensure_migrations_table().await.unwrap();
    for m in migrator.iter().filter(|m| m.version <= version) {
        conn.apply(m).await.unwrap_or_else(|e| panic!("migration {}: {e}", m.version));
    }
    for statement in sql {
        sqlx::raw_sql(statement).execute(&mut *conn).await.unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
}

/// The migrations the database records as applied, each with the folder's checksum.
async fn applied<DB>(pool: &sqlx::Pool<DB>, migrator: &Migrator) -> Vec<i64>
where
    DB: sqlx::Database,
    DB::Connection: Migrate,
{
    let mut conn = pool.acquire().await.unwrap();
    let applied = conn.list_applied_migrations().await.unwrap();
    for a in &applied {
        let m = migrator.iter().find(|m| m.version == a.version).expect("an applied migration is in the folder");
        assert_eq!(a.checksum, m.checksum, "migration {} as applied is the one in the folder", a.version);
    }
    applied.iter().map(|a| a.version).collect()
}

/// Seeds a database at `version` at `url`, opens it with the current store and checks it.
async fn upgrade(backend: Backend, version: i64, url: String) {
    let migrator = backend.migrator().await;
    let all: Vec<i64> = migrator.iter().map(|m| m.version).collect();
    let sql = seed(version, backend);
    match backend {
        Backend::Sqlite => {
            let opts: sqlx::sqlite::SqliteConnectOptions = url.parse().unwrap();
            let pool = sqlx::SqlitePool::connect_with(opts.create_if_missing(true).foreign_keys(true)).await.unwrap();
            prepare(&pool, &migrator, version, &sql).await;
            assert_eq!(
                applied(&pool, &migrator).await,
                all.iter().copied().filter(|v| *v <= version).collect::<Vec<_>>()
            );
            pool.close().await;
            let store = SqliteStore::connect(&url).await.expect("the current store opens and upgrades it");
            assert_eq!(applied(store.pool(), &migrator).await, all);
            reads_back_and_takes_new_writes(&store, version).await;
            store.close().await;
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(&url).await.unwrap();
            prepare(&pool, &migrator, version, &sql).await;
            assert_eq!(
                applied(&pool, &migrator).await,
                all.iter().copied().filter(|v| *v <= version).collect::<Vec<_>>()
            );
            pool.close().await;
            let store = PgStore::connect(&url, false).await.expect("the current store opens and upgrades it");
            assert_eq!(applied(store.pool(), &migrator).await, all);
            reads_back_and_takes_new_writes(&store, version).await;
            store.close().await;
        }
    }
}

/// What was seeded at `version` reads back through the store, and new writes work.
async fn reads_back_and_takes_new_writes<S: Store>(s: &S, version: i64) {
    let v = version.min(KNOWN);
    let now = ts("2026-03-11T01:00:00Z");

    // The organisation.
    let units = s.list_units().await.unwrap();
    let names: Vec<&str> = units.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, ["奈曼旗人民政府", "旗住房和城乡建设局", "大沁他拉镇"]);
    assert_eq!(
        (units[1].kind, units[1].level, units[1].parent_id),
        (UnitKind::Department, UnitLevel::County, Some(UnitId(1)))
    );
    assert_eq!(units[1].aliases, ["旗住建局"]);
    assert!(units.iter().all(|u| u.active));
    assert_eq!(s.resolve_name("旗住建局").await.unwrap(), Some(PartyRef::Unit(UnitId(2))));
    assert_eq!(s.resolve_name("各苏木镇街道").await.unwrap(), Some(PartyRef::Group(GroupId(1))));
    let group = UnitGroup {
        id: GroupId(1),
        name: "各苏木镇".into(),
        aliases: vec!["各苏木镇街道".into()],
        members: vec![UnitId(3)],
        note: "苏木乡镇".into(),
    };
    assert_eq!(s.list_groups().await.unwrap(), [group]);
    assert_eq!(s.list_people().await.unwrap().len(), 3);
    let leader = s.get_person(PersonId(2)).await.unwrap();
    assert_eq!(leader.fields.roles, [Role::Leader]);
    assert_eq!(leader.fields.domains, ["住房城乡建设"]);
    assert_eq!(leader.fields.charge_units, [UnitId(2)]);
    assert_eq!(s.get_person(PersonId(3)).await.unwrap().fields.unit_id, Some(UnitId(3)));
    let ledgers = s.list_ledgers().await.unwrap();
    assert_eq!(ledgers.len(), 1);
    assert_eq!(ledgers[0].fields.doc_number.as_deref(), Some("奈政字〔2026〕1号"));
    assert_eq!((ledgers[0].fields.issued, ledgers[0].fields.source), (Some(date(2026, 2, 27)), Source::Document));

    // The tasks, their parties and clocks.
    let t1 = s.get_task(TaskId(1)).await.unwrap();
    let f = &t1.fields;
    assert_eq!((f.title.as_str(), f.number.as_str()), ("推进老旧小区改造", "1"));
    assert_eq!(f.section, if v >= 2 { "二、重点任务 / （一）城市建设" } else { "" });
    assert_eq!(
        (f.lead.as_slice(), f.cooperating.as_slice()),
        (&[Party::Unit(UnitId(2))][..], &[Party::Group(GroupId(1))][..])
    );
    assert_eq!((f.leader_id, f.responsible_person_id), (Some(PersonId(2)), Some(PersonId(3))));
    assert_eq!(f.deadline, Some(date(2026, 6, 30)));
    assert_eq!(f.milestones, [Milestone { due: date(2026, 4, 30), text: "完成70%".into() }]);
    assert_eq!(f.targets, ["改造小区12个"]);
    assert_eq!(
        (f.priority, f.complexity, f.classification),
        (Priority::Key, Complexity::Complex, Classification::Internal)
    );
    assert_eq!((t1.status, t1.version), (Status::InProgress, 3));
    let clock = BTreeMap::from([
        (ClockEvent::Received, ts("2026-03-02T01:00:00Z")),
        (ClockEvent::Signed, ts("2026-03-03T02:00:00Z")),
        (ClockEvent::ProgressReported, ts("2026-03-05T07:30:00Z")),
    ]);
    assert_eq!(t1.events, clock);
    assert_eq!((t1.created_at, t1.updated_at), (ts("2026-03-02T01:00:00Z"), ts("2026-03-05T07:30:00Z")));
    let t2 = s.get_task(TaskId(2)).await.unwrap();
    assert_eq!((t2.fields.parent_id, t2.fields.lead.as_slice()), (Some(TaskId(1)), &[Party::Group(GroupId(1))][..]));
    assert_eq!((t2.status, t2.version, t2.fields.deadline), (Status::Assigned, 1, None));
    // The township sees both: one through the group it belongs to, as lead and as cooperating.
    let mine = TaskQuery { unit_id: Some(UnitId(3)), now, page: 1, per_page: 10, ..Default::default() };
    assert_eq!(s.list_tasks(&mine).await.unwrap().total, 2);
    // The visibility rule reads the source and classification the party rows carry, which
    // migration 26 copies into the rows written before it: the township's audience sees both,
    // and by source only those of that source. (A database seeded at version 26 or later got its
    // party rows from this test's seeding of version 11, not from a store that fills them.)
    if version < 26 {
        let township = Audience { person: PersonId(999), all_units: false, units: vec![UnitId(3)] };
        let seen = TaskQuery { audience: Some(township), now, page: 1, per_page: 10, ..Default::default() };
        assert_eq!(s.list_tasks(&seen).await.unwrap().total, 2);
        let same = [&t1, &t2].iter().filter(|t| t.fields.source == t1.fields.source).count() as u64;
        let of_source = TaskQuery { sources: vec![t1.fields.source], ..seen.clone() };
        assert_eq!(s.list_tasks(&of_source).await.unwrap().total, same);
    }

    // The trail and its chain.
    let mut kinds = vec!["created", "sign", "report"];
    kinds.extend(if v >= 4 { Some("supervised") } else { None });
    kinds.extend(if v >= 6 { Some("attached") } else { None });
    let trail = s.task_events(TaskId(1)).await.unwrap();
    assert_eq!(trail.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(), kinds);
    assert_eq!(trail[1].data, json!({"comment": "已签收"}));
    assert_eq!(s.latest_progress(&[TaskId(1)]).await.unwrap(), [(TaskId(1), "已完成12个小区的摸底".to_string())]);
    let events = kinds.len() as u64 + 1;
    let unsealed = if v < 3 { events } else { 0 };
    assert_eq!(s.verify_events().await.unwrap(), ChainReport { events, unsealed, broken: None });

    // The calendar file and the setting.
    let files = s.calendar_files().await.unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].years.keys().copied().collect::<Vec<_>>(), [2027]);
    assert_eq!(s.get_meta("migration_test").await.unwrap().as_deref(), Some("旧版本写入"));

    // The supervision records.
    let notices = s.list_notices().await.unwrap();
    let messages = s.list_messages(None, 10).await.unwrap();
    let naming = s.list_naming().await.unwrap();
    if v >= 4 {
        assert_eq!(notices.len(), 1);
        assert_eq!((notices[0].number.as_str(), notices[0].task_id), ("督〔2026〕1号", TaskId(1)));
        assert_eq!((notices[0].answer_by, notices[0].answered_at), (date(2026, 3, 20), None));
        // Notices from before 11 are addressed to no unit in particular and carry no instruction.
        let (units, text) =
            if v >= 11 { (vec![UnitId(2), UnitId(3)], "请于月底前报送摸底表") } else { (vec![], "") };
        assert_eq!((notices[0].recipients.clone(), notices[0].text.as_str()), (units, text));
        assert_eq!(s.notice(1).await.unwrap().as_ref(), Some(&notices[0]));
        let states: BTreeSet<(&str, &str)> =
            messages.iter().map(|m| (m.message.channel.as_str(), m.status.as_str())).collect();
        assert_eq!(states, BTreeSet::from([("email", "sent"), ("inbox", "pending")]));
        // Every message written before migration 13 is unread; its recipient marks an in-app one
        // read, once, and no one else can.
        assert!(messages.iter().all(|m| m.read_at.is_none()));
        let inbox = messages.iter().find(|m| m.message.channel == "inbox").unwrap();
        let to = inbox.message.person_id.unwrap();
        assert_eq!(s.mark_read(PersonId(2), &[inbox.id], now).await.unwrap(), 0);
        assert_eq!(s.mark_read(to, &[inbox.id], now).await.unwrap(), 1);
        assert_eq!(s.mark_read(to, &[inbox.id], now).await.unwrap(), 0);
        let again = s.list_messages(Some(to), 10).await.unwrap();
        assert_eq!(again.iter().find(|m| m.id == inbox.id).unwrap().read_at, Some(now));
        assert_eq!(naming.len(), 1);
        assert_eq!((naming[0].naming.unit_id, naming[0].naming.person_id), (Some(UnitId(2)), Some(PersonId(3))));
    } else {
        assert!(notices.is_empty() && messages.is_empty() && naming.is_empty());
    }

    // The attachment.
    let attachments = s.list_attachments(TaskId(1)).await.unwrap();
    if v >= 6 {
        assert_eq!(attachments.len(), 1);
        let (a, bytes) = s.get_attachment(attachments[0].id).await.unwrap();
        assert_eq!(
            (a.name.as_str(), a.size, a.sha256.as_str()),
            ("摸底表.csv", ATTACHMENT.len() as i64, sha256_hex(ATTACHMENT).as_str())
        );
        assert_eq!(bytes, ATTACHMENT);
    } else {
        assert!(attachments.is_empty());
    }

    // Sign-in.
    let credential = s.credential("office").await.unwrap();
    let session = s.session(&sha256_hex(b"the office's token"), now).await.unwrap();
    if v >= 7 {
        let c = credential.expect("the office's credential");
        assert_eq!(
            (c.person.id, c.password_hash.as_str(), c.failures, c.locked_until),
            (PersonId(1), PASSWORD_HASH, 0, None)
        );
        assert_eq!(session.expect("the office's session").person_id, PersonId(1));
    } else {
        assert!(credential.is_none() && session.is_none());
    }

    // The administrative log and its chain.
    let admin = s.admin_events(None, 10).await.unwrap();
    let admin_kinds: Vec<&str> = admin.iter().map(|e| e.fields.kind.as_str()).collect();
    let admin_count = if v >= 9 { 2 } else { 0 };
    assert_eq!(admin_kinds, if v >= 9 { vec!["user.add", "directory.import"] } else { vec![] });
    assert_eq!(s.verify_admin_events().await.unwrap(), ChainReport { events: admin_count, unsealed: 0, broken: None });

    let notices_before = i64::from(v >= 4);
    let counts = Counts {
        units: 3,
        people: 3,
        tasks: 2,
        task_events: events as i64,
        notices: notices_before,
        admin_events: admin_count as i64,
    };
    assert_eq!(s.counts().await.unwrap(), counts);

    // New writes on the upgraded database: a task, an edit, a 督办, a unit, a person, an
    // attachment, a session and an audit entry, each with the next id.
    let created = NewEvent { at: now, actor_id: Some(PersonId(1)), kind: "created".into(), data: json!({}) };
    let new = s.create_task(&task("升级后新建的任务", vec![Party::Unit(UnitId(2))]), &created).await.unwrap();
    assert_eq!(new.id, TaskId(3));
    let mut clock = t1.events.clone();
    clock.insert(ClockEvent::Feedback, now);
    let edit = StoredTask {
        fields: t1.fields.clone(),
        status: Status::Feedback,
        clock,
        schedule: ScheduleInstants::default(),
        at: now,
    };
    let feedback = NewEvent {
        at: now,
        actor_id: Some(PersonId(3)),
        kind: "feedback".into(),
        data: json!({"text": "12个小区全部完工"}),
    };
    let edited = s.update_task(TaskId(1), 3, &edit, &feedback).await.unwrap();
    assert_eq!((edited.status, edited.version), (Status::Feedback, 4));
    assert_eq!(s.latest_progress(&[TaskId(1)]).await.unwrap(), [(TaskId(1), "12个小区全部完工".to_string())]);
    let supervision = Supervision {
        notice: NewNotice {
            dedup_key: "supervise:2:sign:1".into(),
            task_id: TaskId(2),
            stage: "sign".into(),
            round: 1,
            issued_at: now,
            issued_on: date(2026, 3, 11),
            answer_by: date(2026, 3, 13),
            recipients: vec![UnitId(2)],
            text: "请加快办理".into(),
        },
        event: NewEvent { at: now, actor_id: None, kind: "supervised".into(), data: json!({"number": NUMBER}) },
        messages: vec![],
        naming: vec![],
    };
    let issued = s.record_supervision(&[supervision]).await.unwrap();
    let new_notice = issued[0].clone().expect("a new notice");
    let number = new_notice.number.clone();
    let read = s.notice(new_notice.id).await.unwrap().expect("the new notice reads back");
    assert_eq!((read.recipients, read.text.as_str()), (vec![UnitId(2)], "请加快办理"));
    assert_eq!(number, format!("督〔2026〕{}号", notices_before + 1), "numbered after the notices before the upgrade");
    let unit = NewUnit {
        name: "旗教育局".into(),
        kind: UnitKind::Department,
        level: UnitLevel::County,
        parent_id: Some(UnitId(1)),
        aliases: vec![],
    };
    assert_eq!(s.create_unit(&unit, duban_store_tests::at()).await.unwrap().id, UnitId(4));
    // An officer like the one seeded, in the new unit.
    let officer = s.get_person(PersonId(3)).await.unwrap().fields;
    let person = NewPerson {
        name: "赵新人".into(),
        username: "newcomer".into(),
        unit_id: Some(UnitId(4)),
        email: "newcomer@naiman.example".into(),
        ..officer
    };
    assert_eq!(s.create_person(&person, duban_store_tests::at()).await.unwrap().id, PersonId(4));
    let file = NewAttachment {
        task_id: TaskId(2),
        name: "排查表.txt".into(),
        content_type: "text/plain".into(),
        data: "已排查".as_bytes().to_vec(),
        uploaded_by: Some(PersonId(3)),
        uploaded_at: now,
    };
    assert_eq!(s.add_attachment(&file).await.unwrap().id, if v >= 6 { 2 } else { 1 });
    let token = sha256_hex(b"a session after the upgrade");
    let new_session = Session {
        token_hash: token.clone(),
        person_id: PersonId(4),
        csrf: "csrf-after".into(),
        created_at: now,
        expires_at: ts("2026-03-11T09:00:00Z"),
    };
    s.create_session(&new_session).await.unwrap();
    assert_eq!(s.session(&token, now).await.unwrap().map(|x| x.person_id), Some(PersonId(4)));
    let change = NewAdminEvent {
        at: now,
        actor_id: Some(PersonId(1)),
        actor: "王督查（office）".into(),
        kind: admin_kind::UNIT_ADD.into(),
        target: "单位 4 旗教育局".into(),
        data: json!({"after": {"name": "旗教育局"}}),
    };
    s.record_admin_event(&change).await.unwrap();

    // Both chains still hold: four new task events (created, feedback, supervised, attached).
    assert_eq!(s.verify_events().await.unwrap(), ChainReport { events: events + 4, unsealed, broken: None });
    assert_eq!(
        s.verify_admin_events().await.unwrap(),
        ChainReport { events: admin_count + 1, unsealed: 0, broken: None }
    );
    let after = Counts {
        units: 4,
        people: 4,
        tasks: 3,
        task_events: events as i64 + 4,
        notices: notices_before + 1,
        admin_events: admin_count as i64 + 1,
    };
    assert_eq!(s.counts().await.unwrap(), after);
}

#[tokio::test]
async fn sqlite_databases_of_every_version_upgrade_with_their_data() {
    for version in versions(Backend::Sqlite).await {
        eprintln!("SQLite: upgrading from version {version}");
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join(format!("v{version}.db")).display());
        upgrade(Backend::Sqlite, version, url).await;
    }
}

#[test]
fn postgres_databases_of_every_version_upgrade_with_their_data() {
    let Some(admin_url) = pg_url() else { return };
    let runtime = || tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    for version in runtime().block_on(versions(Backend::Postgres)) {
        eprintln!("PostgreSQL: upgrading from version {version}");
        let name =
            format!("duban_upgrade_{}_{version}_{}", std::process::id(), Timestamp::now().as_millisecond() % 1_000_000);
        let url = with_database(&admin_url, &name);
        runtime().block_on(sqlx::Postgres::create_database(&url)).unwrap();
        // A failure is caught, the database dropped, then the failure raised again.
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            runtime().block_on(upgrade(Backend::Postgres, version, url.clone()));
        }));
        runtime().block_on(sqlx::Postgres::force_drop_database(&url)).unwrap();
        if let Err(failure) = outcome {
            std::panic::resume_unwind(failure);
        }
    }
}
