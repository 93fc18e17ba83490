-- Duban schema, SQLite. Instants are milliseconds since the epoch (INTEGER); dates are ISO text.

CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    level TEXT NOT NULL,
    parent_id INTEGER REFERENCES units(id),
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
);
CREATE INDEX units_parent ON units(parent_id);

CREATE TABLE unit_groups (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    note TEXT NOT NULL DEFAULT ''
);

-- Every name a unit or group is known by, its own and its aliases, unique across both, so a
-- document's wording resolves to exactly one party.
CREATE TABLE party_names (
    name TEXT PRIMARY KEY,
    unit_id INTEGER REFERENCES units(id) ON DELETE CASCADE,
    group_id INTEGER REFERENCES unit_groups(id) ON DELETE CASCADE,
    is_alias INTEGER NOT NULL,
    CHECK ((unit_id IS NULL) <> (group_id IS NULL))
);
CREATE INDEX party_names_unit ON party_names(unit_id);
CREATE INDEX party_names_group ON party_names(group_id);

CREATE TABLE unit_group_members (
    group_id INTEGER NOT NULL REFERENCES unit_groups(id) ON DELETE CASCADE,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    PRIMARY KEY (group_id, unit_id)
);
CREATE INDEX unit_group_members_unit ON unit_group_members(unit_id);

CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    username TEXT NOT NULL UNIQUE,
    unit_id INTEGER REFERENCES units(id),
    roles TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    domains TEXT NOT NULL DEFAULT '[]',
    charge_units TEXT NOT NULL DEFAULT '[]',
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
);

CREATE TABLE ledgers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    doc_number TEXT,
    issued TEXT,
    issuer TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    ledger_id INTEGER REFERENCES ledgers(id),
    parent_id INTEGER REFERENCES tasks(id),
    number TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL,
    leader_id INTEGER REFERENCES people(id),
    responsible_person_id INTEGER REFERENCES people(id),
    deadline TEXT,
    milestones TEXT NOT NULL DEFAULT '[]',
    targets TEXT NOT NULL DEFAULT '[]',
    work_standard TEXT NOT NULL DEFAULT '',
    priority TEXT NOT NULL,
    complexity TEXT NOT NULL,
    classification TEXT NOT NULL,
    status TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    clock TEXT NOT NULL DEFAULT '{}',
    due_at INTEGER,
    warn_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX tasks_ledger ON tasks(ledger_id);
CREATE INDEX tasks_parent ON tasks(parent_id);
CREATE INDEX tasks_deadline ON tasks(deadline);
-- The most urgent open tasks, by the instant they fall due.
CREATE INDEX tasks_open_due ON tasks(due_at, id) WHERE status NOT IN ('closed', 'suspended', 'cancelled');

CREATE TABLE task_parties (
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    role TEXT NOT NULL CHECK (role IN ('lead', 'cooperating')),
    position INTEGER NOT NULL,
    unit_id INTEGER REFERENCES units(id),
    group_id INTEGER REFERENCES unit_groups(id),
    CHECK ((unit_id IS NULL) <> (group_id IS NULL)),
    PRIMARY KEY (task_id, role, position)
);
CREATE INDEX task_parties_unit ON task_parties(unit_id);
CREATE INDEX task_parties_group ON task_parties(group_id);

-- A task's history: append-only.
CREATE TABLE task_events (
    id INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    at INTEGER NOT NULL,
    actor_id INTEGER REFERENCES people(id),
    kind TEXT NOT NULL,
    data TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX task_events_task ON task_events(task_id, id);
CREATE TRIGGER task_events_no_update BEFORE UPDATE ON task_events
BEGIN
    SELECT RAISE(ABORT, 'task_events is append-only');
END;
CREATE TRIGGER task_events_no_delete BEFORE DELETE ON task_events
BEGIN
    SELECT RAISE(ABORT, 'task_events is append-only');
END;

-- Holiday data imported by administrators, applied over the built-in calendar in id order.
CREATE TABLE calendar_files (
    id INTEGER PRIMARY KEY,
    imported_at INTEGER NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    content TEXT NOT NULL
);

CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
