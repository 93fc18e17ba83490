//! The SQL shared by every backend, written once.
//!
//! [`sql_store!`](crate::sql_store) implements [`Store`](crate::Store) for a backend's store type
//! with that backend's concrete sqlx types; a backend crate invokes it once. The helpers below are
//! plain functions that the macro's code calls.

use duban_domain::Error;
use jiff::Timestamp;

#[doc(hidden)]
pub mod deps {
    pub use async_trait;
    pub use duban_domain;
    pub use jiff;
    pub use serde_json;
    pub use sqlx;
    pub use tracing;
}

/// Milliseconds since the epoch, how instants are stored.
pub fn ms(t: Timestamp) -> i64 {
    t.as_millisecond()
}

pub fn ms_opt(t: Option<Timestamp>) -> Option<i64> {
    t.map(ms)
}

/// The instant stored as milliseconds.
pub fn ts(v: i64) -> Result<Timestamp, Error> {
    Timestamp::from_millisecond(v).map_err(|e| corrupt("timestamp", e))
}

pub fn ts_opt(v: Option<i64>) -> Result<Option<Timestamp>, Error> {
    v.map(ts).transpose()
}

/// A stored value that cannot be read back: logged, and reported as an internal error.
pub fn corrupt(what: &str, e: impl std::fmt::Display) -> Error {
    tracing::error!(what, error = %e, "stored value cannot be read");
    Error::Internal
}

/// Parses a stored vocabulary code.
pub fn code<T: std::str::FromStr>(what: &str, s: &str) -> Result<T, Error> {
    s.parse().map_err(|_| corrupt(what, format!("unknown code {s:?}")))
}

pub fn json<T: serde::de::DeserializeOwned>(what: &str, s: &str) -> Result<T, Error> {
    serde_json::from_str(s).map_err(|e| corrupt(what, e))
}

pub fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

/// Maps a database error to a domain error. Unique and foreign-key violations are the caller's
/// fault and say so; anything else is logged with its cause and becomes `Error::Internal`.
pub fn db_err(op: &'static str) -> impl Fn(sqlx::Error) -> Error {
    move |e| {
        if let sqlx::Error::Database(d) = &e {
            if d.is_unique_violation() {
                return Error::Conflict("与已有记录重复".into());
            }
            if d.is_foreign_key_violation() {
                return Error::invalid("reference", "引用的单位、人员、台账或上级任务不存在，或仍被引用");
            }
            // SQLite's SQLITE_BUSY (5) and its extended codes (517 BUSY_SNAPSHOT, 261 …), and
            // PostgreSQL's serialization failure and deadlock: the database was busy, not wrong.
            let code = d.code().unwrap_or_default();
            if code == "5" || code.parse::<i64>().is_ok_and(|c| c & 0xff == 5) || code == "40001" || code == "40P01" {
                tracing::warn!(op, error = %e, "database busy");
                return Error::Unavailable("数据库繁忙，请稍后重试".into());
            }
        }
        if matches!(e, sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_)) {
            tracing::error!(op, error = %e, "database unavailable");
            return Error::Unavailable("数据库连接失败".into());
        }
        tracing::error!(op, error = %e, "database error");
        Error::Internal
    }
}

/// The hash of a task event: SHA-256 over the previous event's hash and this event's content,
/// as stored. Changing any stored field, or the order of events, breaks the chain.
/// The hex SHA-256 of some bytes.
pub fn sha256_hex(data: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

pub fn event_hash(prev: &str, task_id: i64, at_ms: i64, actor: Option<i64>, kind: &str, data: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in
        [prev, &task_id.to_string(), &at_ms.to_string(), &actor.map(|a| a.to_string()).unwrap_or_default(), kind, data]
    {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The hash of an administrative event: SHA-256 over the previous one's hash and this one's
/// content, as stored, like [`event_hash`].
pub fn admin_event_hash(prev: &str, e: &crate::NewAdminEvent, data: &str) -> String {
    admin_hash_of(prev, ms(e.at), e.actor_id.map(|p| p.0), &e.actor, &e.kind, &e.target, data)
}

/// [`admin_event_hash`] over the stored columns.
pub fn admin_hash_of(
    prev: &str,
    at_ms: i64,
    actor_id: Option<i64>,
    actor: &str,
    kind: &str,
    target: &str,
    data: &str,
) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in
        [prev, &at_ms.to_string(), &actor_id.map(|a| a.to_string()).unwrap_or_default(), actor, kind, target, data]
    {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
pub fn like_pattern(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 2);
    p.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// Rows per multi-row INSERT: under SQLite's 32,766 and PostgreSQL's 65,535 bind parameters.
pub const BATCH_ROWS: usize = 1000;

/// A value bound into a task row.
pub enum TaskValue {
    Int(Option<i64>),
    Text(Option<String>),
}

/// The writable columns of a task row and their values, in one place for INSERT and UPDATE.
/// `updated_at` is the write's instant; `created_at` and `version` are set by the caller.
pub fn task_row(t: &crate::StoredTask) -> [(&'static str, TaskValue); 22] {
    use TaskValue::{Int, Text};
    let f = &t.fields;
    let clock: std::collections::BTreeMap<&str, i64> = t.clock.iter().map(|(k, v)| (k.code(), ms(*v))).collect();
    [
        ("ledger_id", Int(f.ledger_id.map(|l| l.0))),
        ("parent_id", Int(f.parent_id.map(|p| p.0))),
        ("number", Text(Some(f.number.clone()))),
        ("title", Text(Some(f.title.clone()))),
        ("body", Text(Some(f.text.clone()))),
        ("section", Text(Some(f.section.clone()))),
        ("source", Text(Some(f.source.code().into()))),
        ("leader_id", Int(f.leader_id.map(|p| p.0))),
        ("responsible_person_id", Int(f.responsible_person_id.map(|p| p.0))),
        ("deadline", Text(f.deadline.map(|d| d.to_string()))),
        ("milestones", Text(Some(to_json(&f.milestones)))),
        ("targets", Text(Some(to_json(&f.targets)))),
        ("work_standard", Text(Some(f.work_standard.clone()))),
        ("priority", Text(Some(f.priority.code().into()))),
        ("complexity", Text(Some(f.complexity.code().into()))),
        ("classification", Text(Some(f.classification.code().into()))),
        ("status", Text(Some(t.status.code().into()))),
        ("received_at", Int(Some(ms(f.received_at)))),
        ("clock", Text(Some(to_json(&clock)))),
        ("due_at", Int(ms_opt(t.schedule.due_at))),
        ("warn_at", Int(ms_opt(t.schedule.warn_at))),
        ("updated_at", Int(Some(ms(t.at)))),
    ]
}

pub const TASK_COLUMNS: &str = "id, ledger_id, parent_id, number, title, body, section, source, leader_id, \
    responsible_person_id, deadline, milestones, targets, work_standard, priority, complexity, \
    classification, status, received_at, clock, due_at, warn_at, created_at, updated_at, version";

/// Implements [`Store`](crate::Store) for `$store`, a struct with a `pool: sqlx::Pool<$db>`
/// field.
#[macro_export]
macro_rules! sql_store {
    ($store:ty, $db:ty, $backend:literal) => {
        const _: () = {
            use $crate::sql::deps::duban_domain::Error;
            use $crate::sql::deps::duban_domain::calendar::CalendarFile;
            use $crate::sql::deps::duban_domain::ids::*;
            use $crate::sql::deps::duban_domain::org::*;
            use $crate::sql::deps::duban_domain::task::{NewTask, Party, Status, Task};
            use $crate::sql::deps::jiff::Timestamp;
            use $crate::sql::deps::sqlx::{self, QueryBuilder, Row as _};
            use $crate::sql::*;
            use $crate::*;
            use std::collections::{BTreeMap, HashMap};

            type Db = $db;
            type DbRow = <$db as sqlx::Database>::Row;
            type Tx<'c> = sqlx::Transaction<'c, $db>;

            /// A write transaction. On SQLite it takes the write lock when it begins
            /// (`BEGIN IMMEDIATE`), so one that reads before it writes waits its turn (the busy
            /// timeout) instead of failing when another writer commits between its read and its
            /// write; PostgreSQL's row locks need no such care.
            async fn begin_write(pool: &sqlx::Pool<$db>) -> Result<Tx<'static>, sqlx::Error> {
                if $backend == "sqlite" { pool.begin_with("BEGIN IMMEDIATE").await } else { pool.begin().await }
            }

            /// Walks a hash chain (`select` reads 10,000 links after `$1`, in order, with `id`,
            /// `prev_hash` and `hash`) and checks where it ends against `head_table`. `again`
            /// gives a link's task, if any, and the hash its content gives again.
            async fn walk_chain(
                pool: &sqlx::Pool<$db>,
                select: &str,
                head_table: &str,
                allow_unsealed: bool,
                again: impl Fn(&DbRow, &str) -> Result<(Option<TaskId>, String)>,
            ) -> Result<ChainReport> {
                let g = db_err("read chain");
                let mut walk = ChainWalk::new(allow_unsealed);
                let mut after = 0i64;
                'pages: while !walk.is_broken() {
                    let rows = sqlx::query(select).bind(after).fetch_all(pool).await.map_err(&g)?;
                    if rows.is_empty() {
                        break;
                    }
                    for r in &rows {
                        let id: i64 = r.try_get("id").map_err(&g)?;
                        let prev: String = r.try_get("prev_hash").map_err(&g)?;
                        let hash: String = r.try_get("hash").map_err(&g)?;
                        after = id;
                        let (task, again) = again(r, &prev)?;
                        if !walk.link(id, task, &prev, &hash, &again) {
                            break 'pages;
                        }
                    }
                }
                let r = sqlx::query(&format!("SELECT head_hash, length FROM {head_table} WHERE id = 1"))
                    .fetch_one(pool)
                    .await
                    .map_err(&g)?;
                Ok(walk.finish(&r.try_get::<String, _>("head_hash").map_err(&g)?, r.try_get("length").map_err(&g)?))
            }

            fn unit_from_row(r: &DbRow, aliases: Vec<String>) -> Result<Unit> {
                let g = db_err("read unit");
                Ok(Unit {
                    id: UnitId(r.try_get("id").map_err(&g)?),
                    name: r.try_get("name").map_err(&g)?,
                    kind: code("unit kind", &r.try_get::<String, _>("kind").map_err(&g)?)?,
                    level: code("unit level", &r.try_get::<String, _>("level").map_err(&g)?)?,
                    parent_id: r.try_get::<Option<i64>, _>("parent_id").map_err(&g)?.map(UnitId),
                    aliases,
                    active: r.try_get("active").map_err(&g)?,
                })
            }

            fn person_from_row(r: &DbRow) -> Result<Person> {
                let g = db_err("read person");
                let roles: Vec<String> = json("roles", &r.try_get::<String, _>("roles").map_err(&g)?)?;
                Ok(Person {
                    id: PersonId(r.try_get("id").map_err(&g)?),
                    fields: NewPerson {
                        name: r.try_get("name").map_err(&g)?,
                        username: r.try_get("username").map_err(&g)?,
                        unit_id: r.try_get::<Option<i64>, _>("unit_id").map_err(&g)?.map(UnitId),
                        roles: roles.iter().map(|s| code("role", s)).collect::<Result<_>>()?,
                        title: r.try_get("title").map_err(&g)?,
                        phone: r.try_get("phone").map_err(&g)?,
                        email: r.try_get("email").map_err(&g)?,
                        domains: json("domains", &r.try_get::<String, _>("domains").map_err(&g)?)?,
                        charge_units: json("charge_units", &r.try_get::<String, _>("charge_units").map_err(&g)?)?,
                    },
                    active: r.try_get("active").map_err(&g)?,
                })
            }

            fn ledger_from_row(r: &DbRow) -> Result<Ledger> {
                let g = db_err("read ledger");
                Ok(Ledger {
                    id: LedgerId(r.try_get("id").map_err(&g)?),
                    fields: NewLedger {
                        name: r.try_get("name").map_err(&g)?,
                        doc_number: r.try_get("doc_number").map_err(&g)?,
                        issued: r
                            .try_get::<Option<String>, _>("issued")
                            .map_err(&g)?
                            .map(|s| code("ledger date", &s))
                            .transpose()?,
                        issuer: r.try_get("issuer").map_err(&g)?,
                        source: code("source", &r.try_get::<String, _>("source").map_err(&g)?)?,
                    },
                    created_at: ts(r.try_get("created_at").map_err(&g)?)?,
                })
            }

            fn notice_from_row(r: &DbRow) -> Result<Notice> {
                let g = db_err("read notice");
                Ok(Notice {
                    id: r.try_get("id").map_err(&g)?,
                    number: r.try_get("number").map_err(&g)?,
                    task_id: TaskId(r.try_get("task_id").map_err(&g)?),
                    stage: r.try_get("stage").map_err(&g)?,
                    round: r.try_get("round").map_err(&g)?,
                    issued_at: ts(r.try_get("issued_at").map_err(&g)?)?,
                    answer_by: code("answer_by", &r.try_get::<String, _>("answer_by").map_err(&g)?)?,
                    answered_at: ts_opt(r.try_get("answered_at").map_err(&g)?)?,
                })
            }

            fn attachment_from_row(r: &DbRow) -> Result<Attachment> {
                let g = db_err("read attachment");
                Ok(Attachment {
                    id: r.try_get("id").map_err(&g)?,
                    task_id: TaskId(r.try_get("task_id").map_err(&g)?),
                    name: r.try_get("name").map_err(&g)?,
                    content_type: r.try_get("content_type").map_err(&g)?,
                    size: r.try_get("size").map_err(&g)?,
                    sha256: r.try_get("sha256").map_err(&g)?,
                    uploaded_by: r.try_get::<Option<i64>, _>("uploaded_by").map_err(&g)?.map(PersonId),
                    uploaded_at: ts(r.try_get("uploaded_at").map_err(&g)?)?,
                })
            }

            fn message_from_row(r: &DbRow) -> Result<Message> {
                let g = db_err("read message");
                Ok(Message {
                    id: r.try_get("id").map_err(&g)?,
                    message: NewMessage {
                        dedup_key: r.try_get("dedup_key").map_err(&g)?,
                        kind: r.try_get("kind").map_err(&g)?,
                        channel: r.try_get("channel").map_err(&g)?,
                        person_id: r.try_get::<Option<i64>, _>("person_id").map_err(&g)?.map(PersonId),
                        address: r.try_get("address").map_err(&g)?,
                        task_id: r.try_get::<Option<i64>, _>("task_id").map_err(&g)?.map(TaskId),
                        subject: r.try_get("subject").map_err(&g)?,
                        body: r.try_get("body").map_err(&g)?,
                        created_at: ts(r.try_get("created_at").map_err(&g)?)?,
                        not_before: ts(r.try_get("not_before").map_err(&g)?)?,
                    },
                    attempts: r.try_get("attempts").map_err(&g)?,
                    next_attempt_at: ts(r.try_get("next_attempt_at").map_err(&g)?)?,
                    status: r.try_get("status").map_err(&g)?,
                    last_error: r.try_get("last_error").map_err(&g)?,
                    delivered_at: ts_opt(r.try_get("delivered_at").map_err(&g)?)?,
                })
            }

            /// A task row without its parties.
            fn task_from_row(r: &DbRow) -> Result<Task> {
                let g = db_err("read task");
                let s = |c: &str| -> Result<String> { r.try_get::<String, _>(c).map_err(&g) };
                let clock: BTreeMap<String, i64> = json("clock", &s("clock")?)?;
                let mut events = BTreeMap::new();
                for (k, v) in clock {
                    events.insert(code("clock event", &k)?, ts(v)?);
                }
                Ok(Task {
                    id: TaskId(r.try_get("id").map_err(&g)?),
                    fields: NewTask {
                        ledger_id: r.try_get::<Option<i64>, _>("ledger_id").map_err(&g)?.map(LedgerId),
                        parent_id: r.try_get::<Option<i64>, _>("parent_id").map_err(&g)?.map(TaskId),
                        number: s("number")?,
                        title: s("title")?,
                        text: s("body")?,
                        section: s("section")?,
                        source: code("source", &s("source")?)?,
                        lead: Vec::new(),
                        cooperating: Vec::new(),
                        leader_id: r.try_get::<Option<i64>, _>("leader_id").map_err(&g)?.map(PersonId),
                        responsible_person_id: r
                            .try_get::<Option<i64>, _>("responsible_person_id")
                            .map_err(&g)?
                            .map(PersonId),
                        deadline: r
                            .try_get::<Option<String>, _>("deadline")
                            .map_err(&g)?
                            .map(|d| code("deadline", &d))
                            .transpose()?,
                        milestones: json("milestones", &s("milestones")?)?,
                        targets: json("targets", &s("targets")?)?,
                        work_standard: s("work_standard")?,
                        priority: code("priority", &s("priority")?)?,
                        complexity: code("complexity", &s("complexity")?)?,
                        classification: code("classification", &s("classification")?)?,
                        received_at: ts(r.try_get("received_at").map_err(&g)?)?,
                    },
                    status: code("status", &s("status")?)?,
                    events,
                    created_at: ts(r.try_get("created_at").map_err(&g)?)?,
                    updated_at: ts(r.try_get("updated_at").map_err(&g)?)?,
                    version: r.try_get("version").map_err(&g)?,
                })
            }

            /// Fills in the lead and cooperating parties of loaded tasks.
            async fn attach_parties<'e, E>(ex: E, tasks: &mut [Task]) -> Result<()>
            where
                E: sqlx::Executor<'e, Database = Db>,
            {
                if tasks.is_empty() {
                    return Ok(());
                }
                let mut qb = QueryBuilder::<Db>::new(
                    "SELECT task_id, role, unit_id, group_id FROM task_parties WHERE task_id IN (",
                );
                let mut sep = qb.separated(", ");
                for t in tasks.iter() {
                    sep.push_bind(t.id.0);
                }
                qb.push(") ORDER BY task_id, role, position");
                let rows = qb.build().fetch_all(ex).await.map_err(db_err("load parties"))?;
                let index: HashMap<i64, usize> = tasks.iter().enumerate().map(|(i, t)| (t.id.0, i)).collect();
                let g = db_err("read parties");
                for r in rows {
                    let task_id: i64 = r.try_get("task_id").map_err(&g)?;
                    let role: String = r.try_get("role").map_err(&g)?;
                    let party = match (
                        r.try_get::<Option<i64>, _>("unit_id").map_err(&g)?,
                        r.try_get::<Option<i64>, _>("group_id").map_err(&g)?,
                    ) {
                        (Some(u), _) => Party::Unit(UnitId(u)),
                        (None, Some(gid)) => Party::Group(GroupId(gid)),
                        (None, None) => return Err(corrupt("party", "neither unit nor group")),
                    };
                    if let Some(&i) = index.get(&task_id) {
                        let t = &mut tasks[i].fields;
                        if role == "lead" { t.lead.push(party) } else { t.cooperating.push(party) }
                    }
                }
                Ok(())
            }

            async fn insert_parties(tx: &mut Tx<'_>, rows: &[(i64, &NewTask)]) -> Result<()> {
                let all: Vec<(i64, &'static str, i64, Party)> = rows
                    .iter()
                    .flat_map(|(id, t)| {
                        let lead = t.lead.iter().enumerate().map(move |(i, p)| (*id, "lead", i as i64, *p));
                        let coop = t.cooperating.iter().enumerate().map(move |(i, p)| (*id, "cooperating", i as i64, *p));
                        lead.chain(coop)
                    })
                    .collect();
                for chunk in all.chunks(BATCH_ROWS) {
                    let mut qb = QueryBuilder::<Db>::new(
                        "INSERT INTO task_parties (task_id, role, position, unit_id, group_id) ",
                    );
                    qb.push_values(chunk, |mut b, (id, role, pos, p)| {
                        let (u, g) = match p {
                            Party::Unit(u) => (Some(u.0), None),
                            Party::Group(g) => (None, Some(g.0)),
                        };
                        b.push_bind(*id).push_bind(*role).push_bind(*pos).push_bind(u).push_bind(g);
                    });
                    qb.build().execute(&mut **tx).await.map_err(db_err("insert parties"))?;
                }
                Ok(())
            }

            /// Claims `n` links of the event chain: takes the chain's row (so concurrent writers
            /// take turns) and returns the current head hash.
            async fn claim_links(tx: &mut Tx<'_>, n: i64) -> Result<String> {
                sqlx::query_scalar("UPDATE event_chain SET length = length + $1 WHERE id = 1 RETURNING head_hash")
                    .bind(n)
                    .fetch_one(&mut **tx)
                    .await
                    .map_err(db_err("claim chain"))
            }

            async fn set_head(tx: &mut Tx<'_>, head: &str) -> Result<()> {
                sqlx::query("UPDATE event_chain SET head_hash = $1 WHERE id = 1")
                    .bind(head)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err("chain head"))?;
                Ok(())
            }

            async fn insert_event(tx: &mut Tx<'_>, task_id: i64, e: &NewEvent) -> Result<()> {
                let prev = claim_links(tx, 1).await?;
                let data = to_json(&e.data);
                let actor = e.actor_id.map(|p| p.0);
                let hash = event_hash(&prev, task_id, ms(e.at), actor, &e.kind, &data);
                sqlx::query(
                    "INSERT INTO task_events (task_id, at, actor_id, kind, data, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(task_id)
                .bind(ms(e.at))
                .bind(actor)
                .bind(&e.kind)
                .bind(data)
                .bind(prev)
                .bind(&hash)
                .execute(&mut **tx)
                .await
                .map_err(db_err("insert event"))?;
                set_head(tx, &hash).await
            }

            /// Makes a ledger with a name no other ledger has.
            async fn insert_ledger(tx: &mut Tx<'_>, l: &NewLedger, at: Timestamp) -> Result<i64> {
                let name = l.name.trim();
                if name.is_empty() {
                    return Err(Error::invalid("name", "台账名称不能为空"));
                }
                let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM ledgers WHERE name = $1")
                    .bind(name)
                    .fetch_optional(&mut **tx)
                    .await
                    .map_err(db_err("find ledger"))?;
                if taken.is_some() {
                    return Err(Error::Conflict(format!("台账“{name}”已存在")));
                }
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO ledgers (name, doc_number, issued, issuer, source, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(name)
                .bind(&l.doc_number)
                .bind(l.issued.map(|d| d.to_string()))
                .bind(&l.issuer)
                .bind(l.source.code())
                .bind(ms(at))
                .fetch_one(&mut **tx)
                .await
                .map_err(db_err("insert ledger"))?;
                Ok(id)
            }

            /// Writes a changed task if it is still at `expected_version`, with its event.
            async fn update_task_row(tx: &mut Tx<'_>, id: TaskId, expected_version: i64, t: &StoredTask, event: &NewEvent) -> Result<()> {
                let f = &t.fields;
                let mut qb = QueryBuilder::<Db>::new("UPDATE tasks SET ");
                for (col, v) in task_row(t) {
                    qb.push(col).push(" = ");
                    match v {
                        TaskValue::Int(x) => qb.push_bind(x),
                        TaskValue::Text(x) => qb.push_bind(x),
                    };
                    qb.push(", ");
                }
                qb.push("version = version + 1 WHERE id = ")
                    .push_bind(id.0)
                    .push(" AND version = ")
                    .push_bind(expected_version);
                let done = qb.build().execute(&mut **tx).await.map_err(db_err("update task"))?;
                if done.rows_affected() == 0 {
                    let current: Option<i64> = sqlx::query_scalar("SELECT version FROM tasks WHERE id = $1")
                        .bind(id.0)
                        .fetch_optional(&mut **tx)
                        .await
                        .map_err(db_err("task version"))?;
                    return Err(match current {
                        None => Error::not_found(format!("任务 {id}")),
                        Some(current) => Error::VersionConflict { current },
                    });
                }
                sqlx::query("DELETE FROM task_parties WHERE task_id = $1")
                    .bind(id.0)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err("clear parties"))?;
                insert_parties(tx, &[(id.0, f)]).await?;
                insert_event(tx, id.0, event).await?;
                Ok(())
            }

            /// Queues a message unless one with its dedup key exists; true when queued.
            async fn insert_message(tx: &mut Tx<'_>, m: &NewMessage) -> Result<bool> {
                let done = sqlx::query(
                    "INSERT INTO outbox (dedup_key, kind, channel, person_id, address, task_id, subject, body, created_at, \
                     not_before, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) \
                     ON CONFLICT (dedup_key) DO NOTHING",
                )
                .bind(&m.dedup_key)
                .bind(&m.kind)
                .bind(&m.channel)
                .bind(m.person_id.map(|p| p.0))
                .bind(&m.address)
                .bind(m.task_id.map(|t| t.0))
                .bind(&m.subject)
                .bind(&m.body)
                .bind(ms(m.created_at))
                .bind(ms(m.not_before))
                .execute(&mut **tx)
                .await
                .map_err(db_err("enqueue"))?;
                Ok(done.rows_affected() > 0)
            }

            /// Checks that every name is free, or already belongs to `owner`.
            async fn check_names(tx: &mut Tx<'_>, names: &[&str], owner: Option<PartyRef>) -> Result<()> {
                for name in names {
                    let row = sqlx::query("SELECT unit_id, group_id FROM party_names WHERE name = $1")
                        .bind(*name)
                        .fetch_optional(&mut **tx)
                        .await
                        .map_err(db_err("check names"))?;
                    if let Some(r) = row {
                        let g = db_err("read names");
                        let holder = match r.try_get::<Option<i64>, _>("unit_id").map_err(&g)? {
                            Some(u) => PartyRef::Unit(UnitId(u)),
                            None => PartyRef::Group(GroupId(r.try_get::<i64, _>("group_id").map_err(&g)?)),
                        };
                        if Some(holder) != owner {
                            return Err(Error::Conflict(format!("名称“{name}”已被其他单位或单位组使用")));
                        }
                    }
                }
                Ok(())
            }

            async fn set_names(tx: &mut Tx<'_>, owner: PartyRef, name: &str, aliases: &[String]) -> Result<()> {
                let (u, g) = match owner {
                    PartyRef::Unit(u) => (Some(u.0), None),
                    PartyRef::Group(g) => (None, Some(g.0)),
                };
                sqlx::query("DELETE FROM party_names WHERE unit_id = $1 OR group_id = $2")
                    .bind(u)
                    .bind(g)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err("clear names"))?;
                let mut all: Vec<&str> = vec![name];
                for a in aliases {
                    if !all.contains(&a.as_str()) {
                        all.push(a);
                    }
                }
                check_names(tx, &all, Some(owner)).await?;
                for (i, n) in all.iter().enumerate() {
                    sqlx::query("INSERT INTO party_names (name, unit_id, group_id, is_alias) VALUES ($1, $2, $3, $4)")
                        .bind(*n)
                        .bind(u)
                        .bind(g)
                        .bind(i > 0)
                        .execute(&mut **tx)
                        .await
                        .map_err(db_err("insert names"))?;
                }
                Ok(())
            }

            async fn unit_in(tx: &mut Tx<'_>, id: UnitId) -> Result<Option<Unit>> {
                let row = sqlx::query("SELECT id, name, kind, level, parent_id, active FROM units WHERE id = $1")
                    .bind(id.0)
                    .fetch_optional(&mut **tx)
                    .await
                    .map_err(db_err("get unit"))?;
                let Some(row) = row else { return Ok(None) };
                let aliases: Vec<String> = sqlx::query_scalar(
                    "SELECT name FROM party_names WHERE unit_id = $1 AND is_alias = $2 ORDER BY name",
                )
                .bind(id.0)
                .bind(true)
                .fetch_all(&mut **tx)
                .await
                .map_err(db_err("get aliases"))?;
                unit_from_row(&row, aliases).map(Some)
            }

            /// Refuses a parent that does not exist or would make a cycle.
            async fn check_parent(tx: &mut Tx<'_>, id: Option<UnitId>, parent: Option<UnitId>) -> Result<()> {
                let mut cur = parent;
                let mut depth = 0;
                while let Some(p) = cur {
                    if Some(p) == id {
                        return Err(Error::invalid("parent_id", "上级单位不能是本单位或其下级单位"));
                    }
                    let row: Option<Option<i64>> = sqlx::query_scalar("SELECT parent_id FROM units WHERE id = $1")
                        .bind(p.0)
                        .fetch_optional(&mut **tx)
                        .await
                        .map_err(db_err("check parent"))?;
                    match row {
                        None => return Err(Error::invalid("parent_id", format!("上级单位 {p} 不存在"))),
                        Some(next) => cur = next.map(UnitId),
                    }
                    depth += 1;
                    if depth > 64 {
                        return Err(Error::invalid("parent_id", "单位层级过深"));
                    }
                }
                Ok(())
            }

            async fn save_unit(tx: &mut Tx<'_>, id: Option<UnitId>, u: &NewUnit, at: Timestamp) -> Result<UnitId> {
                check_parent(tx, id, u.parent_id).await?;
                let id = match id {
                    Some(id) => {
                        let done = sqlx::query("UPDATE units SET name = $1, kind = $2, level = $3, parent_id = $4 WHERE id = $5")
                            .bind(&u.name)
                            .bind(u.kind.code())
                            .bind(u.level.code())
                            .bind(u.parent_id.map(|p| p.0))
                            .bind(id.0)
                            .execute(&mut **tx)
                            .await
                            .map_err(db_err("update unit"))?;
                        if done.rows_affected() == 0 {
                            return Err(Error::not_found(format!("单位 {id}")));
                        }
                        id
                    }
                    None => {
                        let mut names: Vec<&str> = vec![&u.name];
                        names.extend(u.aliases.iter().map(String::as_str));
                        check_names(tx, &names, None).await?;
                        UnitId(
                            sqlx::query_scalar(
                                "INSERT INTO units (name, kind, level, parent_id, active, created_at) \
                                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                            )
                            .bind(&u.name)
                            .bind(u.kind.code())
                            .bind(u.level.code())
                            .bind(u.parent_id.map(|p| p.0))
                            .bind(true)
                            .bind(ms(at))
                            .fetch_one(&mut **tx)
                            .await
                            .map_err(db_err("insert unit"))?,
                        )
                    }
                };
                set_names(tx, PartyRef::Unit(id), &u.name, &u.aliases).await?;
                Ok(id)
            }

            async fn group_in(tx: &mut Tx<'_>, name: &str) -> Result<Option<UnitGroup>> {
                let row = sqlx::query("SELECT id FROM unit_groups WHERE name = $1")
                    .bind(name)
                    .fetch_optional(&mut **tx)
                    .await
                    .map_err(db_err("find group"))?;
                let Some(row) = row else { return Ok(None) };
                let id = GroupId(row.try_get("id").map_err(db_err("read group"))?);
                load_group(&mut **tx, id).await.map(Some)
            }

            async fn load_group(conn: &mut <Db as sqlx::Database>::Connection, id: GroupId) -> Result<UnitGroup> {
                let row = sqlx::query("SELECT id, name, note FROM unit_groups WHERE id = $1")
                    .bind(id.0)
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(db_err("get group"))?
                    .ok_or_else(|| Error::not_found(format!("单位组 {id}")))?;
                let g = db_err("read group");
                let aliases: Vec<String> = sqlx::query_scalar(
                    "SELECT name FROM party_names WHERE group_id = $1 AND is_alias = $2 ORDER BY name",
                )
                .bind(id.0)
                .bind(true)
                .fetch_all(&mut *conn)
                .await
                .map_err(&g)?;
                let members: Vec<i64> = sqlx::query_scalar(
                    "SELECT unit_id FROM unit_group_members WHERE group_id = $1 ORDER BY unit_id",
                )
                .bind(id.0)
                .fetch_all(&mut *conn)
                .await
                .map_err(&g)?;
                Ok(UnitGroup {
                    id,
                    name: row.try_get("name").map_err(&g)?,
                    note: row.try_get("note").map_err(&g)?,
                    aliases,
                    members: members.into_iter().map(UnitId).collect(),
                })
            }

            fn push_task_filters(qb: &mut QueryBuilder<'_, Db>, q: &TaskQuery) {
                qb.push(" WHERE 1 = 1");
                if let Some(l) = q.ledger_id {
                    qb.push(" AND ledger_id = ").push_bind(l.0);
                }
                if let Some(p) = q.parent_id {
                    qb.push(" AND parent_id = ").push_bind(p.0);
                }
                if let Some(u) = q.unit_id {
                    qb.push(" AND id IN (SELECT task_id FROM task_parties WHERE (unit_id = ")
                        .push_bind(u.0)
                        .push(" OR group_id IN (SELECT group_id FROM unit_group_members WHERE unit_id = ")
                        .push_bind(u.0)
                        .push("))");
                    if q.lead_only {
                        qb.push(" AND role = 'lead'");
                    }
                    qb.push(")");
                }
                if let Some(l) = q.leader_id {
                    qb.push(" AND leader_id = ").push_bind(l.0);
                }
                if let Some(a) = &q.audience {
                    qb.push(" AND ((classification <> 'secret' AND ");
                    if a.all_units {
                        qb.push("1 = 1");
                    } else if a.units.is_empty() {
                        qb.push("1 = 0");
                    } else {
                        let units = |qb: &mut QueryBuilder<'_, Db>| {
                            let mut sep = qb.separated(", ");
                            for u in &a.units {
                                sep.push_bind(u.0);
                            }
                        };
                        qb.push("id IN (SELECT task_id FROM task_parties WHERE unit_id IN (");
                        units(qb);
                        qb.push(") OR group_id IN (SELECT group_id FROM unit_group_members WHERE unit_id IN (");
                        units(qb);
                        qb.push(")))");
                    }
                    qb.push(") OR leader_id = ")
                        .push_bind(a.person.0)
                        .push(" OR responsible_person_id = ")
                        .push_bind(a.person.0)
                        .push(")");
                }
                let list = |qb: &mut QueryBuilder<'_, Db>, col: &str, codes: Vec<&'static str>| {
                    if codes.is_empty() {
                        return;
                    }
                    qb.push(format!(" AND {col} IN ("));
                    let mut sep = qb.separated(", ");
                    for c in codes {
                        sep.push_bind(c);
                    }
                    qb.push(")");
                };
                list(qb, "status", q.statuses.iter().map(|s| s.code()).collect());
                list(qb, "source", q.sources.iter().map(|s| s.code()).collect());
                list(qb, "classification", q.classifications.iter().map(|s| s.code()).collect());
                let now = ms(q.now);
                match q.light {
                    Some(duban_domain::task::Light::Red) => {
                        qb.push(format!(" AND {OPEN_PREDICATE} AND due_at < ")).push_bind(now);
                    }
                    Some(duban_domain::task::Light::Yellow) => {
                        qb.push(format!(" AND {OPEN_PREDICATE} AND due_at >= "))
                            .push_bind(now)
                            .push(" AND warn_at <= ")
                            .push_bind(now);
                    }
                    Some(duban_domain::task::Light::Green) => {
                        qb.push(format!(" AND {OPEN_PREDICATE} AND (due_at IS NULL OR (due_at >= "))
                            .push_bind(now)
                            .push(" AND (warn_at IS NULL OR warn_at > ")
                            .push_bind(now)
                            .push(")))");
                    }
                    None => {}
                }
                if let Some(t) = q.due_before {
                    qb.push(" AND due_at <= ").push_bind(ms(t));
                }
                if let Some(t) = q.due_after {
                    qb.push(" AND due_at >= ").push_bind(ms(t));
                }
                if let Some(d) = q.deadline_before {
                    qb.push(" AND deadline <= ").push_bind(d.to_string());
                }
                if let Some(d) = q.deadline_after {
                    qb.push(" AND deadline >= ").push_bind(d.to_string());
                }
                if let Some(text) = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
                    let p = like_pattern(text);
                    qb.push(" AND (title LIKE ")
                        .push_bind(p.clone())
                        .push(" ESCAPE '\\' OR body LIKE ")
                        .push_bind(p)
                        .push(" ESCAPE '\\' OR number = ")
                        .push_bind(text.to_string())
                        .push(")");
                }
            }

            #[$crate::sql::deps::async_trait::async_trait]
            impl Store for $store {
                fn backend(&self) -> &'static str {
                    $backend
                }

                async fn ping(&self) -> Result<()> {
                    sqlx::query("SELECT 1").execute(&self.pool).await.map_err(db_err("ping"))?;
                    Ok(())
                }

                async fn create_unit(&self, u: &NewUnit) -> Result<Unit> {
                    let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                    let id = save_unit(&mut tx, None, u, Timestamp::now()).await?;
                    let unit = unit_in(&mut tx, id).await?.ok_or(Error::Internal)?;
                    tx.commit().await.map_err(db_err("commit"))?;
                    Ok(unit)
                }

                async fn update_unit(&self, id: UnitId, u: &NewUnit) -> Result<Unit> {
                    let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                    save_unit(&mut tx, Some(id), u, Timestamp::now()).await?;
                    let unit = unit_in(&mut tx, id).await?.ok_or(Error::Internal)?;
                    tx.commit().await.map_err(db_err("commit"))?;
                    Ok(unit)
                }

                async fn get_unit(&self, id: UnitId) -> Result<Unit> {
                    let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                    let u = unit_in(&mut tx, id).await?;
                    tx.commit().await.map_err(db_err("commit"))?;
                    u.ok_or_else(|| Error::not_found(format!("单位 {id}")))
                }

                async fn list_units(&self) -> Result<Vec<Unit>> {
                    let rows = sqlx::query("SELECT id, name, kind, level, parent_id, active FROM units ORDER BY id")
                        .fetch_all(&self.pool)
                        .await
                        .map_err(db_err("list units"))?;
                    let alias_rows = sqlx::query(
                        "SELECT unit_id, name FROM party_names WHERE unit_id IS NOT NULL AND is_alias = $1 ORDER BY name",
                    )
                    .bind(true)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_err("list aliases"))?;
                    let mut aliases: HashMap<i64, Vec<String>> = HashMap::new();
                    let g = db_err("read aliases");
                    for r in alias_rows {
                        aliases
                            .entry(r.try_get("unit_id").map_err(&g)?)
                            .or_default()
                            .push(r.try_get("name").map_err(&g)?);
                    }
                    rows.iter()
                        .map(|r| {
                            let id: i64 = r.try_get("id").map_err(&g)?;
                            unit_from_row(r, aliases.remove(&id).unwrap_or_default())
                        })
                        .collect()
                }

                async fn delete_unit(&self, id: UnitId) -> Result<()> {
                    let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                    let unit = unit_in(&mut tx, id).await?.ok_or_else(|| Error::not_found(format!("单位 {id}")))?;
                    let used: i64 = sqlx::query_scalar(
                        "SELECT (SELECT COUNT(*) FROM task_parties WHERE unit_id = $1) \
                         + (SELECT COUNT(*) FROM people WHERE unit_id = $1) \
                         + (SELECT COUNT(*) FROM units WHERE parent_id = $1)",
                    )
                    .bind(id.0)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db_err("check unit use"))?;
                    if used > 0 {
                        return Err(Error::Conflict(format!(
                            "单位“{}”仍有任务、人员或下级单位，不能删除",
                            unit.name
                        )));
                    }
                    for sql in [
                        "DELETE FROM unit_group_members WHERE unit_id = $1",
                        "DELETE FROM party_names WHERE unit_id = $1",
                        "DELETE FROM units WHERE id = $1",
                    ] {
                        sqlx::query(sql).bind(id.0).execute(&mut *tx).await.map_err(db_err("delete unit"))?;
                    }
                    tx.commit().await.map_err(db_err("commit"))?;
                    Ok(())
                }

                async fn resolve_name(&self, name: &str) -> Result<Option<PartyRef>> {
                    let row = sqlx::query("SELECT unit_id, group_id FROM party_names WHERE name = $1")
                        .bind(name.trim())
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(db_err("resolve name"))?;
                    let g = db_err("read name");
                    Ok(match row {
                        None => None,
                        Some(r) => match r.try_get::<Option<i64>, _>("unit_id").map_err(&g)? {
                            Some(u) => Some(PartyRef::Unit(UnitId(u))),
                            None => Some(PartyRef::Group(GroupId(r.try_get("group_id").map_err(&g)?))),
                        },
                    })
                }

                async fn list_groups(&self) -> Result<Vec<UnitGroup>> {
                    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM unit_groups ORDER BY id")
                        .fetch_all(&self.pool)
                        .await
                        .map_err(db_err("list groups"))?;
                    let mut conn = self.pool.acquire().await.map_err(db_err("acquire"))?;
                    let mut out = Vec::with_capacity(ids.len());
                    for id in ids {
                        out.push(load_group(&mut conn, GroupId(id)).await?);
                    }
                    Ok(out)
                }

                async fn get_group(&self, id: GroupId) -> Result<UnitGroup> {
                    let mut conn = self.pool.acquire().await.map_err(db_err("acquire"))?;
                    load_group(&mut conn, id).await
                }

                async fn import_directory(&self, dir: &UnitDirectory) -> Result<DirectoryImport> {
                    let now = Timestamp::now();
                    let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                    let mut report = DirectoryImport::default();
                    // Free the aliases of every unit and group the file restates, so an alias
                    // may move between them.
                    let mut existing: HashMap<String, Unit> = HashMap::new();
                    for u in &dir.units {
                        let id: Option<i64> = sqlx::query_scalar("SELECT id FROM units WHERE name = $1")
                            .bind(&u.name)
                            .fetch_optional(&mut *tx)
                            .await
                            .map_err(db_err("find unit"))?;
                        if let Some(id) = id {
                            if let Some(unit) = unit_in(&mut tx, UnitId(id)).await? {
                                existing.insert(u.name.clone(), unit);
                            }
                            sqlx::query("DELETE FROM party_names WHERE unit_id = $1 AND is_alias = $2")
                                .bind(id)
                                .bind(true)
                                .execute(&mut *tx)
                                .await
                                .map_err(db_err("free aliases"))?;
                        }
                    }
                    let mut old_groups: HashMap<String, UnitGroup> = HashMap::new();
                    for g in &dir.groups {
                        if let Some(group) = group_in(&mut tx, &g.name).await? {
                            sqlx::query("DELETE FROM party_names WHERE group_id = $1 AND is_alias = $2")
                                .bind(group.id.0)
                                .bind(true)
                                .execute(&mut *tx)
                                .await
                                .map_err(db_err("free aliases"))?;
                            old_groups.insert(g.name.clone(), group);
                        }
                    }
                    let mut ids: HashMap<&str, UnitId> = HashMap::new();
                    for u in &dir.units {
                        let parent_id = match &u.parent {
                            None => None,
                            Some(p) => {
                                let canonical = dir
                                    .units
                                    .iter()
                                    .find(|q| &q.name == p || q.aliases.contains(p))
                                    .map(|q| q.name.as_str())
                                    .unwrap_or(p.as_str());
                                Some(*ids.get(canonical).ok_or_else(|| {
                                    Error::invalid("parent", format!("单位“{}”的上级“{p}”不在名录中", u.name))
                                })?)
                            }
                        };
                        let new = NewUnit {
                            name: u.name.clone(),
                            kind: u.kind,
                            level: UnitDirectory::level_of(u),
                            parent_id,
                            aliases: u.aliases.clone(),
                        };
                        let old = existing.get(&u.name);
                        let id = save_unit(&mut tx, old.map(|o| o.id), &new, now).await?;
                        match old {
                            None => report.units_created += 1,
                            Some(o) => {
                                let mut a = o.aliases.clone();
                                let mut b = new.aliases.clone();
                                a.sort();
                                b.sort();
                                if (o.kind, o.level, o.parent_id, a) != (new.kind, new.level, new.parent_id, b) {
                                    report.units_updated += 1;
                                }
                            }
                        }
                        report.names += 1 + new.aliases.len() as u32;
                        ids.insert(u.name.as_str(), id);
                    }
                    for g in &dir.groups {
                        let members: Vec<UnitId> = dir
                            .members_of(g)
                            .into_iter()
                            .filter_map(|n| ids.get(n).copied())
                            .collect();
                        let old = old_groups.get(&g.name);
                        let id = match old {
                            Some(o) => {
                                sqlx::query("UPDATE unit_groups SET note = $1 WHERE id = $2")
                                    .bind(&g.note)
                                    .bind(o.id.0)
                                    .execute(&mut *tx)
                                    .await
                                    .map_err(db_err("update group"))?;
                                o.id
                            }
                            None => {
                                check_names(&mut tx, &[g.name.as_str()], None).await?;
                                GroupId(
                                    sqlx::query_scalar("INSERT INTO unit_groups (name, note) VALUES ($1, $2) RETURNING id")
                                        .bind(&g.name)
                                        .bind(&g.note)
                                        .fetch_one(&mut *tx)
                                        .await
                                        .map_err(db_err("insert group"))?,
                                )
                            }
                        };
                        set_names(&mut tx, PartyRef::Group(id), &g.name, &g.aliases).await?;
                        sqlx::query("DELETE FROM unit_group_members WHERE group_id = $1")
                            .bind(id.0)
                            .execute(&mut *tx)
                            .await
                            .map_err(db_err("clear members"))?;
                        for m in &members {
                            sqlx::query("INSERT INTO unit_group_members (group_id, unit_id) VALUES ($1, $2)")
                                .bind(id.0)
                                .bind(m.0)
                                .execute(&mut *tx)
                                .await
                                .map_err(db_err("insert member"))?;
                        }
                        match old {
                            None => report.groups_created += 1,
                            Some(o) => {
                                let mut a = o.aliases.clone();
                                let mut b = g.aliases.clone();
                                a.sort();
                                b.sort();
                                let mut m = members.clone();
                                m.sort();
                                if (a, &o.members, &o.note) != (b, &m, &g.note) {
                                    report.groups_updated += 1;
                                }
                            }
                        }
                        report.names += 1 + g.aliases.len() as u32;
                    }
                    tx.commit().await.map_err(db_err("commit"))?;
                    Ok(report)
                }

                async fn create_person(&self, p: &NewPerson) -> Result<Person> {
                    self.save_person(None, p).await
                }

                async fn update_person(&self, id: PersonId, p: &NewPerson) -> Result<Person> {
                    self.save_person(Some(id), p).await
                }

                async fn get_person(&self, id: PersonId) -> Result<Person> {
                    let row = sqlx::query("SELECT * FROM people WHERE id = $1")
                        .bind(id.0)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(db_err("get person"))?
                        .ok_or_else(|| Error::not_found(format!("人员 {id}")))?;
                    person_from_row(&row)
                }

                async fn list_people(&self) -> Result<Vec<Person>> {
                    let rows = sqlx::query("SELECT * FROM people ORDER BY id")
                        .fetch_all(&self.pool)
                        .await
                        .map_err(db_err("list people"))?;
                    rows.iter().map(person_from_row).collect()
                }

                async fn deactivate_person(&self, id: PersonId) -> Result<()> {
                    let done = sqlx::query("UPDATE people SET active = $1 WHERE id = $2")
                        .bind(false)
                        .bind(id.0)
                        .execute(&self.pool)
                        .await
                        .map_err(db_err("deactivate person"))?;
                    if done.rows_affected() == 0 {
                        return Err(Error::not_found(format!("人员 {id}")));
                    }
                    Ok(())
                }

                async fn create_ledger(&self, l: &NewLedger, at: Timestamp) -> Result<Ledger> {
                    let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                    let id = insert_ledger(&mut tx, l, at).await?;
                    tx.commit().await.map_err(db_err("commit"))?;
                    self.get_ledger(LedgerId(id)).await
                }

                async fn get_ledger(&self, id: LedgerId) -> Result<Ledger> {
                    let row = sqlx::query("SELECT * FROM ledgers WHERE id = $1")
                        .bind(id.0)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(db_err("get ledger"))?
                        .ok_or_else(|| Error::not_found(format!("台账 {id}")))?;
                    ledger_from_row(&row)
                }

                async fn list_ledgers(&self) -> Result<Vec<Ledger>> {
                    let rows = sqlx::query("SELECT * FROM ledgers ORDER BY id")
                        .fetch_all(&self.pool)
                        .await
                        .map_err(db_err("list ledgers"))?;
                    rows.iter().map(ledger_from_row).collect()
                }

                async fn create_task(&self, t: &StoredTask, event: &NewEvent) -> Result<Task> {
                    let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                    let ids = self.insert_task_rows(&mut tx, std::slice::from_ref(t)).await?;
                    let id = *ids.first().ok_or(Error::Internal)?;
                    insert_event(&mut tx, id, event).await?;
                    tx.commit().await.map_err(db_err("commit"))?;
                    self.get_task(TaskId(id)).await
                }

                async fn insert_tasks(&self, tasks: &[StoredTask], at: Timestamp) -> Result<u64> {
                    let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                    let mut n = 0u64;
                    for chunk in tasks.chunks(BATCH_ROWS) {
                        let ids = self.insert_task_rows(&mut tx, chunk).await?;
                        let mut prev = claim_links(&mut tx, ids.len() as i64).await?;
                        let links: Vec<(i64, String, String)> = ids
                            .iter()
                            .map(|id| {
                                let hash = event_hash(&prev, *id, ms(at), None, "created", "{}");
                                (*id, std::mem::replace(&mut prev, hash.clone()), hash)
                            })
                            .collect();
                        let mut qb = QueryBuilder::<Db>::new(
                            "INSERT INTO task_events (task_id, at, actor_id, kind, data, prev_hash, hash) ",
                        );
                        qb.push_values(&links, |mut b, (id, before, hash)| {
                            b.push_bind(*id)
                                .push_bind(ms(at))
                                .push_bind(None::<i64>)
                                .push_bind("created")
                                .push_bind("{}")
                                .push_bind(before.clone())
                                .push_bind(hash.clone());
                        });
                        qb.build().execute(&mut *tx).await.map_err(db_err("insert events"))?;
                        set_head(&mut tx, &prev).await?;
                        n += ids.len() as u64;
                    }
                    tx.commit().await.map_err(db_err("commit"))?;
                    Ok(n)
                }

                async fn get_task(&self, id: TaskId) -> Result<Task> {
                    let mut conn = self.pool.acquire().await.map_err(db_err("acquire"))?;
                    let row = sqlx::query(&format!("SELECT {TASK_COLUMNS} FROM tasks WHERE id = $1"))
                        .bind(id.0)
                        .fetch_optional(&mut *conn)
                        .await
                        .map_err(db_err("get task"))?
                        .ok_or_else(|| Error::not_found(format!("任务 {id}")))?;
                    let mut tasks = vec![task_from_row(&row)?];
                    attach_parties(&mut *conn, &mut tasks).await?;
                    tasks.pop().ok_or(Error::Internal)
                }

                async fn update_task(&self, id: TaskId, expected_version: i64, t: &StoredTask, event: &NewEvent) -> Result<Task> {
                    let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                    update_task_row(&mut tx, id, expected_version, t, event).await?;
                    tx.commit().await.map_err(db_err("commit"))?;
                    self.get_task(id).await
                }

                async fn write_import(&self, w: &ImportWrite) -> Result<LedgerId> {
                    let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                    let ledger = match &w.ledger {
                        LedgerTarget::Existing(id) => *id,
                        LedgerTarget::New(l, at) => LedgerId(insert_ledger(&mut tx, l, *at).await?),
                    };
                    for (t, event) in &w.create {
                        let mut t = t.clone();
                        t.fields.ledger_id = Some(ledger);
                        let ids = self.insert_task_rows(&mut tx, std::slice::from_ref(&t)).await?;
                        let id = *ids.first().ok_or(Error::Internal)?;
                        insert_event(&mut tx, id, event).await?;
                    }
                    for (id, version, t, event) in &w.update {
                        update_task_row(&mut tx, *id, *version, t, event).await?;
                    }
                    // Dropped without a commit on any error above: nothing is left behind.
                    tx.commit().await.map_err(db_err("commit"))?;
                    Ok(ledger)
                }

                async fn list_tasks(&self, q: &TaskQuery) -> Result<Page<Task>> {
                    let per_page = q.per_page.clamp(1, 500);
                    let page = q.page.max(1);
                    let mut conn = self.pool.acquire().await.map_err(db_err("acquire"))?;
                    let mut count = QueryBuilder::<Db>::new("SELECT COUNT(*) FROM tasks");
                    push_task_filters(&mut count, q);
                    let total: i64 = count
                        .build_query_scalar()
                        .fetch_one(&mut *conn)
                        .await
                        .map_err(db_err("count tasks"))?;
                    let mut qb = QueryBuilder::<Db>::new(format!("SELECT {TASK_COLUMNS} FROM tasks"));
                    push_task_filters(&mut qb, q);
                    // With a filter that rules out tasks without a due time, order by the index.
                    let due_known = matches!(
                        q.light,
                        Some(duban_domain::task::Light::Red | duban_domain::task::Light::Yellow)
                    ) || q.due_before.is_some()
                        || q.due_after.is_some();
                    qb.push(match q.sort {
                        TaskSort::Due if due_known => " ORDER BY due_at, id",
                        TaskSort::Due => " ORDER BY due_at IS NULL, due_at, id",
                        TaskSort::Deadline => " ORDER BY deadline IS NULL, deadline, id",
                        TaskSort::Number => " ORDER BY ledger_id, id",
                        TaskSort::Updated => " ORDER BY updated_at DESC, id DESC",
                    });
                    qb.push(" LIMIT ")
                        .push_bind(i64::from(per_page))
                        .push(" OFFSET ")
                        .push_bind(i64::from(page - 1) * i64::from(per_page));
                    let rows = qb.build().fetch_all(&mut *conn).await.map_err(db_err("list tasks"))?;
                    let mut items = rows.iter().map(task_from_row).collect::<Result<Vec<_>>>()?;
                    attach_parties(&mut *conn, &mut items).await?;
                    Ok(Page { items, total: total.max(0) as u64, page, per_page })
                }

                async fn task_events(&self, id: TaskId) -> Result<Vec<TaskEvent>> {
                    let rows = sqlx::query("SELECT id, task_id, at, actor_id, kind, data FROM task_events WHERE task_id = $1 ORDER BY id")
                        .bind(id.0)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(db_err("task events"))?;
                    let g = db_err("read event");
                    rows.iter()
                        .map(|r| {
                            Ok(TaskEvent {
                                id: EventId(r.try_get("id").map_err(&g)?),
                                task_id: TaskId(r.try_get("task_id").map_err(&g)?),
                                at: ts(r.try_get("at").map_err(&g)?)?,
                                actor_id: r.try_get::<Option<i64>, _>("actor_id").map_err(&g)?.map(PersonId),
                                kind: r.try_get("kind").map_err(&g)?,
                                data: json("event data", &r.try_get::<String, _>("data").map_err(&g)?)?,
                            })
                        })
                        .collect()
                }

                async fn append_event(&self, id: TaskId, e: &NewEvent) -> Result<()> {
                    let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                    insert_event(&mut tx, id.0, e).await?;
                    tx.commit().await.map_err(db_err("commit"))?;
                    Ok(())
                }

                async fn verify_events(&self) -> Result<ChainReport> {
                    let g = db_err("read events");
                    let select = "SELECT id, task_id, at, actor_id, kind, data, prev_hash, hash FROM task_events \
                                  WHERE id > $1 ORDER BY id LIMIT 10000";
                    walk_chain(&self.pool, select, "event_chain", true, |r, prev| {
                        let task: i64 = r.try_get("task_id").map_err(&g)?;
                        let again = event_hash(
                            prev,
                            task,
                            r.try_get("at").map_err(&g)?,
                            r.try_get::<Option<i64>, _>("actor_id").map_err(&g)?,
                            &r.try_get::<String, _>("kind").map_err(&g)?,
                            &r.try_get::<String, _>("data").map_err(&g)?,
                        );
                        Ok((Some(TaskId(task)), again))
                    })
                    .await
                }

                async fn record_supervision(&self, list: &[Supervision]) -> Result<Vec<Option<Notice>>> {
                    let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                    let mut out = Vec::with_capacity(list.len());
                    for s in list {
                        let n = &s.notice;
                        // The number is taken first and given back if the notice exists: no lookup
                        // by dedup key that a stale plan could turn into a scan of a growing table.
                        let year = i64::from(n.answer_by.year());
                        let seq: i64 = sqlx::query_scalar(
                            "INSERT INTO notice_numbers (year, last) VALUES ($1, 1) \
                             ON CONFLICT (year) DO UPDATE SET last = notice_numbers.last + 1 RETURNING last",
                        )
                        .bind(year)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(db_err("number notice"))?;
                        let number = format!("督〔{year}〕{seq}号");
                        let id: Option<i64> = sqlx::query_scalar(
                            "INSERT INTO notices (number, dedup_key, task_id, stage, round, issued_at, answer_by) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (dedup_key) DO NOTHING RETURNING id",
                        )
                        .bind(&number)
                        .bind(&n.dedup_key)
                        .bind(n.task_id.0)
                        .bind(&n.stage)
                        .bind(n.round)
                        .bind(ms(n.issued_at))
                        .bind(n.answer_by.to_string())
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(db_err("insert notice"))?;
                        let Some(id) = id else {
                            sqlx::query("UPDATE notice_numbers SET last = last - 1 WHERE year = $1")
                                .bind(year)
                                .execute(&mut *tx)
                                .await
                                .map_err(db_err("number notice"))?;
                            out.push(None);
                            continue;
                        };
                        let numbered = |text: &str| text.replace(NUMBER, &number);
                        let data = json("event data", &numbered(&to_json(&s.event.data)))?;
                        insert_event(&mut tx, n.task_id.0, &NewEvent { data, ..s.event.clone() }).await?;
                        for m in &s.messages {
                            let m = NewMessage { subject: numbered(&m.subject), body: numbered(&m.body), ..m.clone() };
                            insert_message(&mut tx, &m).await?;
                        }
                        for c in &s.naming {
                            let c = NewNaming { reason: numbered(&c.reason), ..c.clone() };
                            sqlx::query(
                                "INSERT INTO naming_candidates (dedup_key, task_id, unit_id, person_id, created_at, reason) \
                                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (dedup_key) DO NOTHING",
                            )
                            .bind(&c.dedup_key)
                            .bind(c.task_id.0)
                            .bind(c.unit_id.map(|u| u.0))
                            .bind(c.person_id.map(|p| p.0))
                            .bind(ms(c.created_at))
                            .bind(&c.reason)
                            .execute(&mut *tx)
                            .await
                            .map_err(db_err("add naming"))?;
                        }
                        out.push(Some(Notice {
                            id,
                            number,
                            task_id: n.task_id,
                            stage: n.stage.clone(),
                            round: n.round,
                            issued_at: n.issued_at,
                            answer_by: n.answer_by,
                            answered_at: None,
                        }));
                    }
                    tx.commit().await.map_err(db_err("commit"))?;
                    Ok(out)
                }

                async fn supervision_records(
                    &self,
                    notices_of: &[TaskId],
                    activity_of: &[TaskId],
                ) -> Result<SupervisionRecords> {
                    let mut conn = self.pool.acquire().await.map_err(db_err("acquire"))?;
                    let mut out = SupervisionRecords::default();
                    if !notices_of.is_empty() {
                        let mut qb = QueryBuilder::<Db>::new("SELECT * FROM notices WHERE task_id IN (");
                        let mut sep = qb.separated(", ");
                        for id in notices_of {
                            sep.push_bind(id.0);
                        }
                        qb.push(") ORDER BY id");
                        let rows = qb.build().fetch_all(&mut *conn).await.map_err(db_err("task notices"))?;
                        out.notices = rows.iter().map(notice_from_row).collect::<Result<Vec<_>>>()?;
                    }
                    if !activity_of.is_empty() {
                        let mut qb = QueryBuilder::<Db>::new("SELECT task_id, kind, at FROM task_events WHERE task_id IN (");
                        let mut sep = qb.separated(", ");
                        for id in activity_of {
                            sep.push_bind(id.0);
                        }
                        qb.push(") ORDER BY task_id, id");
                        let rows = qb.build().fetch_all(&mut *conn).await.map_err(db_err("task activity"))?;
                        let g = db_err("read activity");
                        out.activity = rows
                            .iter()
                            .map(|r| {
                                Ok(Activity {
                                    task_id: TaskId(r.try_get("task_id").map_err(&g)?),
                                    kind: r.try_get("kind").map_err(&g)?,
                                    at: ts(r.try_get("at").map_err(&g)?)?,
                                })
                            })
                            .collect::<Result<Vec<_>>>()?;
                    }
                    Ok(out)
                }

                async fn list_notices(&self) -> Result<Vec<Notice>> {
                    let rows = sqlx::query("SELECT * FROM notices ORDER BY id")
                        .fetch_all(&self.pool)
                        .await
                        .map_err(db_err("list notices"))?;
                    rows.iter().map(notice_from_row).collect()
                }

                async fn enqueue(&self, list: &[NewMessage]) -> Result<Vec<bool>> {
                    let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                    let mut out = Vec::with_capacity(list.len());
                    for m in list {
                        out.push(insert_message(&mut tx, m).await?);
                    }
                    tx.commit().await.map_err(db_err("commit"))?;
                    Ok(out)
                }

                async fn due_messages(&self, now: Timestamp, channel: Option<&str>, limit: u32) -> Result<Vec<Message>> {
                    let rows = sqlx::query(
                        "SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 AND not_before <= $1 \
                         AND ($2 = '' OR channel = $2) ORDER BY next_attempt_at, id LIMIT $3",
                    )
                    .bind(ms(now))
                    .bind(channel.unwrap_or(""))
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_err("due messages"))?;
                    rows.iter().map(message_from_row).collect()
                }

                async fn record_delivery(&self, id: i64, d: &Delivery) -> Result<()> {
                    let q = match d {
                        Delivery::Sent { at } => sqlx::query(
                            "UPDATE outbox SET status = 'sent', attempts = attempts + 1, delivered_at = $1, last_error = '' WHERE id = $2",
                        )
                        .bind(ms(*at))
                        .bind(id),
                        Delivery::Failed { error, retry_at: Some(at) } => sqlx::query(
                            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $1, last_error = $2 WHERE id = $3",
                        )
                        .bind(ms(*at))
                        .bind(error.clone())
                        .bind(id),
                        Delivery::Failed { error, retry_at: None } => sqlx::query(
                            "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = $1 WHERE id = $2",
                        )
                        .bind(error.clone())
                        .bind(id),
                    };
                    q.execute(&self.pool).await.map_err(db_err("record delivery"))?;
                    Ok(())
                }

                async fn deliver_inbox(&self, now: Timestamp) -> Result<u64> {
                    let done = sqlx::query(
                        "UPDATE outbox SET status = 'sent', attempts = attempts + 1, delivered_at = $1 \
                         WHERE status = 'pending' AND channel = 'inbox' AND next_attempt_at <= $1 AND not_before <= $1",
                    )
                    .bind(ms(now))
                    .execute(&self.pool)
                    .await
                    .map_err(db_err("deliver inbox"))?;
                    Ok(done.rows_affected())
                }

                async fn list_messages(&self, person: Option<PersonId>, limit: u32) -> Result<Vec<Message>> {
                    let rows = match person {
                        Some(p) => sqlx::query("SELECT * FROM outbox WHERE person_id = $1 ORDER BY id DESC LIMIT $2")
                            .bind(p.0)
                            .bind(i64::from(limit))
                            .fetch_all(&self.pool)
                            .await,
                        None => sqlx::query("SELECT * FROM outbox ORDER BY id DESC LIMIT $1")
                            .bind(i64::from(limit))
                            .fetch_all(&self.pool)
                            .await,
                    }
                    .map_err(db_err("list messages"))?;
                    rows.iter().map(message_from_row).collect()
                }

                async fn list_naming(&self) -> Result<Vec<Naming>> {
                    let rows = sqlx::query("SELECT * FROM naming_candidates ORDER BY id")
                        .fetch_all(&self.pool)
                        .await
                        .map_err(db_err("list naming"))?;
                    let g = db_err("read naming");
                    rows.iter()
                        .map(|r| {
                            Ok(Naming {
                                id: r.try_get("id").map_err(&g)?,
                                naming: NewNaming {
                                    dedup_key: r.try_get("dedup_key").map_err(&g)?,
                                    task_id: TaskId(r.try_get("task_id").map_err(&g)?),
                                    unit_id: r.try_get::<Option<i64>, _>("unit_id").map_err(&g)?.map(UnitId),
                                    person_id: r.try_get::<Option<i64>, _>("person_id").map_err(&g)?.map(PersonId),
                                    created_at: ts(r.try_get("created_at").map_err(&g)?)?,
                                    reason: r.try_get("reason").map_err(&g)?,
                                },
                            })
                        })
                        .collect()
                }

                async fn open_tasks(&self, after: TaskId, limit: u32) -> Result<Vec<Task>> {
                    let mut conn = self.pool.acquire().await.map_err(db_err("acquire"))?;
                    let rows = sqlx::query(&format!(
                        "SELECT {TASK_COLUMNS} FROM tasks WHERE id > $1 AND {OPEN_PREDICATE} ORDER BY id LIMIT $2"
                    ))
                    .bind(after.0)
                    .bind(i64::from(limit))
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(db_err("open tasks"))?;
                    let mut items = rows.iter().map(task_from_row).collect::<Result<Vec<_>>>()?;
                    attach_parties(&mut *conn, &mut items).await?;
                    Ok(items)
                }

                async fn tasks_changed_since(&self, since: Timestamp) -> Result<Vec<Task>> {
                    let mut conn = self.pool.acquire().await.map_err(db_err("acquire"))?;
                    let rows = sqlx::query(&format!("SELECT {TASK_COLUMNS} FROM tasks WHERE updated_at >= $1 ORDER BY id"))
                        .bind(ms(since))
                        .fetch_all(&mut *conn)
                        .await
                        .map_err(db_err("changed tasks"))?;
                    let mut items = rows.iter().map(task_from_row).collect::<Result<Vec<_>>>()?;
                    attach_parties(&mut *conn, &mut items).await?;
                    Ok(items)
                }

                async fn tasks_fingerprint(&self) -> Result<(i64, i64, i64)> {
                    let row = sqlx::query(
                        "SELECT COUNT(*) AS n, COALESCE(MAX(id), 0) AS top, CAST(COALESCE(SUM(version), 0) AS BIGINT) AS versions FROM tasks",
                    )
                    .fetch_one(&self.pool)
                    .await
                    .map_err(db_err("tasks fingerprint"))?;
                    let g = db_err("read fingerprint");
                    Ok((row.try_get("n").map_err(&g)?, row.try_get("top").map_err(&g)?, row.try_get("versions").map_err(&g)?))
                }

                async fn latest_progress(&self, ids: &[TaskId]) -> Result<Vec<(TaskId, String)>> {
                    if ids.is_empty() {
                        return Ok(Vec::new());
                    }
                    let mut qb = QueryBuilder::<Db>::new(
                        "SELECT task_id, data FROM task_events WHERE kind IN ('report', 'feedback') AND task_id IN (",
                    );
                    let mut sep = qb.separated(", ");
                    for id in ids {
                        sep.push_bind(id.0);
                    }
                    qb.push(") ORDER BY task_id, id");
                    let rows = qb.build().fetch_all(&self.pool).await.map_err(db_err("latest progress"))?;
                    let g = db_err("read progress");
                    let mut out: Vec<(TaskId, String)> = Vec::new();
                    for r in rows {
                        let id = TaskId(r.try_get("task_id").map_err(&g)?);
                        let data: $crate::sql::deps::serde_json::Value = json("event data", &r.try_get::<String, _>("data").map_err(&g)?)?;
                        let text = data.get("text").and_then(|v| v.as_str()).unwrap_or_default().to_string();
                        match out.last_mut() {
                            Some(last) if last.0 == id => last.1 = text,
                            _ => out.push((id, text)),
                        }
                    }
                    Ok(out)
                }

                async fn set_schedules(&self, s: &[(TaskId, ScheduleInstants)]) -> Result<()> {
                    let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                    for (id, sch) in s {
                        sqlx::query("UPDATE tasks SET due_at = $1, warn_at = $2 WHERE id = $3")
                            .bind(ms_opt(sch.due_at))
                            .bind(ms_opt(sch.warn_at))
                            .bind(id.0)
                            .execute(&mut *tx)
                            .await
                            .map_err(db_err("set schedule"))?;
                    }
                    tx.commit().await.map_err(db_err("commit"))?;
                    Ok(())
                }

                async fn add_attachment(&self, a: &NewAttachment) -> Result<Attachment> {
                    let sha256 = sha256_hex(&a.data);
                    let size = i64::try_from(a.data.len()).map_err(|_| Error::invalid("file", "文件过大"))?;
                    let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO attachments (task_id, name, content_type, size, sha256, data, uploaded_by, uploaded_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                    )
                    .bind(a.task_id.0)
                    .bind(&a.name)
                    .bind(&a.content_type)
                    .bind(size)
                    .bind(&sha256)
                    .bind(&a.data)
                    .bind(a.uploaded_by.map(|p| p.0))
                    .bind(ms(a.uploaded_at))
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db_err("add attachment"))?;
                    let event = NewEvent {
                        at: a.uploaded_at,
                        actor_id: a.uploaded_by,
                        kind: "attached".into(),
                        data: $crate::sql::deps::serde_json::json!({"attachment": id, "name": a.name, "size": size, "sha256": sha256}),
                    };
                    insert_event(&mut tx, a.task_id.0, &event).await?;
                    tx.commit().await.map_err(db_err("commit"))?;
                    Ok(Attachment {
                        id,
                        task_id: a.task_id,
                        name: a.name.clone(),
                        content_type: a.content_type.clone(),
                        size,
                        sha256,
                        uploaded_by: a.uploaded_by,
                        uploaded_at: a.uploaded_at,
                    })
                }

                async fn list_attachments(&self, task: TaskId) -> Result<Vec<Attachment>> {
                    let rows = sqlx::query(
                        "SELECT id, task_id, name, content_type, size, sha256, uploaded_by, uploaded_at \
                         FROM attachments WHERE task_id = $1 ORDER BY id",
                    )
                    .bind(task.0)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_err("list attachments"))?;
                    rows.iter().map(attachment_from_row).collect()
                }

                async fn get_attachment(&self, id: i64) -> Result<(Attachment, Vec<u8>)> {
                    let row = sqlx::query("SELECT * FROM attachments WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(db_err("get attachment"))?
                        .ok_or_else(|| Error::not_found("附件"))?;
                    let data: Vec<u8> = row.try_get("data").map_err(db_err("read attachment"))?;
                    Ok((attachment_from_row(&row)?, data))
                }

                async fn set_password(&self, person: PersonId, hash: &str, at: Timestamp) -> Result<()> {
                    sqlx::query(
                        "INSERT INTO credentials (person_id, password_hash, failures, locked_until, updated_at) \
                         VALUES ($1, $2, 0, NULL, $3) ON CONFLICT (person_id) DO UPDATE SET \
                         password_hash = excluded.password_hash, failures = 0, locked_until = NULL, updated_at = excluded.updated_at",
                    )
                    .bind(person.0)
                    .bind(hash)
                    .bind(ms(at))
                    .execute(&self.pool)
                    .await
                    .map_err(db_err("set password"))?;
                    Ok(())
                }

                async fn credential(&self, username: &str) -> Result<Option<Credential>> {
                    let row = sqlx::query(
                        "SELECT p.*, c.password_hash, c.failures, c.locked_until FROM people p \
                         JOIN credentials c ON c.person_id = p.id WHERE p.username = $1 AND p.active",
                    )
                    .bind(username)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_err("credential"))?;
                    let Some(r) = row else { return Ok(None) };
                    let g = db_err("read credential");
                    Ok(Some(Credential {
                        person: person_from_row(&r)?,
                        password_hash: r.try_get("password_hash").map_err(&g)?,
                        failures: r.try_get("failures").map_err(&g)?,
                        locked_until: ts_opt(r.try_get("locked_until").map_err(&g)?)?,
                    }))
                }

                async fn record_sign_in(&self, person: PersonId, failed: Option<Timestamp>) -> Result<()> {
                    let q = match failed {
                        Some(until) => sqlx::query(
                            "UPDATE credentials SET failures = failures + 1, locked_until = $2 WHERE person_id = $1",
                        )
                        .bind(person.0)
                        .bind(ms(until)),
                        None => sqlx::query("UPDATE credentials SET failures = 0, locked_until = NULL WHERE person_id = $1")
                            .bind(person.0),
                    };
                    q.execute(&self.pool).await.map_err(db_err("record sign-in"))?;
                    Ok(())
                }

                async fn create_session(&self, s: &Session) -> Result<()> {
                    sqlx::query(
                        "INSERT INTO sessions (token_hash, person_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(&s.token_hash)
                    .bind(s.person_id.0)
                    .bind(&s.csrf)
                    .bind(ms(s.created_at))
                    .bind(ms(s.expires_at))
                    .execute(&self.pool)
                    .await
                    .map_err(db_err("create session"))?;
                    Ok(())
                }

                async fn session(&self, token_hash: &str, now: Timestamp) -> Result<Option<Session>> {
                    let row = sqlx::query("SELECT * FROM sessions WHERE token_hash = $1 AND expires_at > $2")
                        .bind(token_hash)
                        .bind(ms(now))
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(db_err("session"))?;
                    let Some(r) = row else { return Ok(None) };
                    let g = db_err("read session");
                    Ok(Some(Session {
                        token_hash: r.try_get("token_hash").map_err(&g)?,
                        person_id: PersonId(r.try_get("person_id").map_err(&g)?),
                        csrf: r.try_get("csrf").map_err(&g)?,
                        created_at: ts(r.try_get("created_at").map_err(&g)?)?,
                        expires_at: ts(r.try_get("expires_at").map_err(&g)?)?,
                    }))
                }

                async fn delete_session(&self, token_hash: &str) -> Result<()> {
                    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                        .bind(token_hash)
                        .execute(&self.pool)
                        .await
                        .map_err(db_err("delete session"))?;
                    Ok(())
                }

                async fn delete_sessions_of(&self, person: PersonId) -> Result<u64> {
                    let done = sqlx::query("DELETE FROM sessions WHERE person_id = $1")
                        .bind(person.0)
                        .execute(&self.pool)
                        .await
                        .map_err(db_err("delete sessions"))?;
                    Ok(done.rows_affected())
                }

                async fn add_calendar_file(&self, f: &CalendarFile, note: &str, at: Timestamp) -> Result<i64> {
                    sqlx::query_scalar("INSERT INTO calendar_files (imported_at, note, content) VALUES ($1, $2, $3) RETURNING id")
                        .bind(ms(at))
                        .bind(note)
                        .bind(f.to_json())
                        .fetch_one(&self.pool)
                        .await
                        .map_err(db_err("add calendar file"))
                }

                async fn calendar_files(&self) -> Result<Vec<CalendarFile>> {
                    let rows: Vec<String> = sqlx::query_scalar("SELECT content FROM calendar_files ORDER BY id")
                        .fetch_all(&self.pool)
                        .await
                        .map_err(db_err("calendar files"))?;
                    rows.iter()
                        .map(|c| CalendarFile::parse_json(c).map_err(|e| corrupt("calendar file", e)))
                        .collect()
                }

                async fn record_admin_event(&self, e: &NewAdminEvent) -> Result<AdminEvent> {
                    let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                    let prev: String = sqlx::query_scalar(
                        "UPDATE admin_chain SET length = length + 1 WHERE id = 1 RETURNING head_hash",
                    )
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db_err("claim admin chain"))?;
                    let data = to_json(&e.data);
                    let hash = admin_event_hash(&prev, e, &data);
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO admin_events (at, actor_id, actor, kind, target, data, prev_hash, hash) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                    )
                    .bind(ms(e.at))
                    .bind(e.actor_id.map(|p| p.0))
                    .bind(&e.actor)
                    .bind(&e.kind)
                    .bind(&e.target)
                    .bind(&data)
                    .bind(&prev)
                    .bind(&hash)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db_err("insert admin event"))?;
                    sqlx::query("UPDATE admin_chain SET head_hash = $1 WHERE id = 1")
                        .bind(&hash)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err("admin chain head"))?;
                    tx.commit().await.map_err(db_err("commit"))?;
                    Ok(AdminEvent { id, fields: e.clone() })
                }

                async fn admin_events(&self, before: Option<i64>, limit: u32) -> Result<Vec<AdminEvent>> {
                    let rows = sqlx::query(
                        "SELECT id, at, actor_id, actor, kind, target, data FROM admin_events \
                         WHERE id < $1 ORDER BY id DESC LIMIT $2",
                    )
                    .bind(before.unwrap_or(i64::MAX))
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_err("admin events"))?;
                    let g = db_err("read admin event");
                    rows.iter()
                        .map(|r| {
                            Ok(AdminEvent {
                                id: r.try_get("id").map_err(&g)?,
                                fields: NewAdminEvent {
                                    at: ts(r.try_get("at").map_err(&g)?)?,
                                    actor_id: r.try_get::<Option<i64>, _>("actor_id").map_err(&g)?.map(PersonId),
                                    actor: r.try_get("actor").map_err(&g)?,
                                    kind: r.try_get("kind").map_err(&g)?,
                                    target: r.try_get("target").map_err(&g)?,
                                    data: json("admin event data", &r.try_get::<String, _>("data").map_err(&g)?)?,
                                },
                            })
                        })
                        .collect()
                }

                async fn verify_admin_events(&self) -> Result<ChainReport> {
                    let g = db_err("read admin events");
                    let select = "SELECT id, at, actor_id, actor, kind, target, data, prev_hash, hash FROM admin_events \
                                  WHERE id > $1 ORDER BY id LIMIT 10000";
                    walk_chain(&self.pool, select, "admin_chain", false, |r, prev| {
                        let again = admin_hash_of(
                            prev,
                            r.try_get("at").map_err(&g)?,
                            r.try_get::<Option<i64>, _>("actor_id").map_err(&g)?,
                            &r.try_get::<String, _>("actor").map_err(&g)?,
                            &r.try_get::<String, _>("kind").map_err(&g)?,
                            &r.try_get::<String, _>("target").map_err(&g)?,
                            &r.try_get::<String, _>("data").map_err(&g)?,
                        );
                        Ok((None, again))
                    })
                    .await
                }

                async fn counts(&self) -> Result<Counts> {
                    let r = sqlx::query(
                        "SELECT (SELECT COUNT(*) FROM units) AS units, (SELECT COUNT(*) FROM people) AS people, \
                         (SELECT COUNT(*) FROM tasks) AS tasks, (SELECT COUNT(*) FROM task_events) AS task_events, \
                         (SELECT COUNT(*) FROM notices) AS notices, (SELECT COUNT(*) FROM admin_events) AS admin_events",
                    )
                    .fetch_one(&self.pool)
                    .await
                    .map_err(db_err("counts"))?;
                    let g = db_err("read counts");
                    Ok(Counts {
                        units: r.try_get("units").map_err(&g)?,
                        people: r.try_get("people").map_err(&g)?,
                        tasks: r.try_get("tasks").map_err(&g)?,
                        task_events: r.try_get("task_events").map_err(&g)?,
                        notices: r.try_get("notices").map_err(&g)?,
                        admin_events: r.try_get("admin_events").map_err(&g)?,
                    })
                }

                async fn get_meta(&self, key: &str) -> Result<Option<String>> {
                    sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
                        .bind(key)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(db_err("get meta"))
                }

                async fn set_meta(&self, key: &str, value: &str) -> Result<()> {
                    sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
                        .bind(key)
                        .bind(value)
                        .execute(&self.pool)
                        .await
                        .map_err(db_err("set meta"))?;
                    Ok(())
                }
            }

            impl $store {
                async fn save_person(&self, id: Option<PersonId>, p: &NewPerson) -> Result<Person> {
                    let mut tx = begin_write(&self.pool).await.map_err(db_err("begin"))?;
                    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM people WHERE username = $1")
                        .bind(&p.username)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(db_err("find username"))?;
                    if taken.is_some_and(|t| Some(PersonId(t)) != id) {
                        return Err(Error::Conflict(format!("用户名“{}”已存在", p.username)));
                    }
                    for u in p.unit_id.iter().chain(&p.charge_units) {
                        if unit_in(&mut tx, *u).await?.is_none() {
                            return Err(Error::invalid("unit_id", format!("单位 {u} 不存在")));
                        }
                    }
                    let roles: Vec<&str> = p.roles.iter().map(|r| r.code()).collect();
                    let q = match id {
                        None => sqlx::query_scalar(
                            "INSERT INTO people (name, username, unit_id, roles, title, phone, email, domains, charge_units, active, created_at) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                        ),
                        Some(_) => sqlx::query_scalar(
                            "UPDATE people SET name = $1, username = $2, unit_id = $3, roles = $4, title = $5, phone = $6, \
                             email = $7, domains = $8, charge_units = $9, active = $10 WHERE id = $11 RETURNING id",
                        ),
                    };
                    let q = q
                        .bind(&p.name)
                        .bind(&p.username)
                        .bind(p.unit_id.map(|u| u.0))
                        .bind(to_json(&roles))
                        .bind(&p.title)
                        .bind(&p.phone)
                        .bind(&p.email)
                        .bind(to_json(&p.domains))
                        .bind(to_json(&p.charge_units))
                        .bind(true);
                    let q = match id {
                        None => q.bind(ms(Timestamp::now())),
                        Some(id) => q.bind(id.0),
                    };
                    let new_id: Option<i64> = q.fetch_optional(&mut *tx).await.map_err(db_err("save person"))?;
                    let new_id = new_id.ok_or_else(|| Error::not_found(format!("人员 {}", id.map(|i| i.0).unwrap_or(0))))?;
                    tx.commit().await.map_err(db_err("commit"))?;
                    self.get_person(PersonId(new_id)).await
                }

                /// Inserts task rows and their parties; returns the new ids in input order.
                async fn insert_task_rows(&self, tx: &mut Tx<'_>, tasks: &[StoredTask]) -> Result<Vec<i64>> {
                    let Some(first) = tasks.first() else { return Ok(Vec::new()) };
                    let cols: Vec<&str> = task_row(first).iter().map(|(c, _)| *c).collect();
                    let mut qb = QueryBuilder::<Db>::new(format!("INSERT INTO tasks ({}, created_at, version) ", cols.join(", ")));
                    qb.push_values(tasks, |mut b, t| {
                        for (_, v) in task_row(t) {
                            match v {
                                TaskValue::Int(x) => b.push_bind(x),
                                TaskValue::Text(x) => b.push_bind(x),
                            };
                        }
                        b.push_bind(ms(t.at)).push_bind(1i64);
                    });
                    qb.push(" RETURNING id");
                    let mut ids: Vec<i64> = qb
                        .build_query_scalar()
                        .fetch_all(&mut **tx)
                        .await
                        .map_err(db_err("insert tasks"))?;
                    // One statement assigns increasing ids in row order; RETURNING need not
                    // list them in that order, so sort.
                    ids.sort_unstable();
                    if ids.len() != tasks.len() {
                        return Err(corrupt("insert tasks", "row count mismatch"));
                    }
                    let pairs: Vec<(i64, &NewTask)> = ids.iter().copied().zip(tasks.iter().map(|t| &t.fields)).collect();
                    insert_parties(tx, &pairs).await?;
                    Ok(ids)
                }
            }
        };
    };
}
