-- The supervision engine's records. Every row carries a dedup key, so running a pass twice, or
-- restarting midway, creates nothing twice.

-- 督办单: formal supervision notices, numbered per year, each with the date it must be answered by.
CREATE TABLE notices (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    dedup_key TEXT NOT NULL UNIQUE,
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    stage TEXT NOT NULL,
    round INTEGER NOT NULL,
    issued_at INTEGER NOT NULL,
    answer_by TEXT NOT NULL,
    answered_at INTEGER
);
CREATE INDEX notices_task ON notices(task_id);

-- Messages to send (催办, 督办, escalation), with their delivery state.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    dedup_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    person_id INTEGER REFERENCES people(id),
    address TEXT NOT NULL DEFAULT '',
    task_id INTEGER REFERENCES tasks(id),
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    not_before INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    last_error TEXT NOT NULL DEFAULT '',
    delivered_at INTEGER
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
CREATE INDEX outbox_person ON outbox(person_id, channel);

-- Units and people to be named in the next bulletin: two 督办 on one item with no progress
-- between them (001 §10).
CREATE TABLE naming_candidates (
    id INTEGER PRIMARY KEY,
    dedup_key TEXT NOT NULL UNIQUE,
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    unit_id INTEGER REFERENCES units(id),
    person_id INTEGER REFERENCES people(id),
    created_at INTEGER NOT NULL,
    reason TEXT NOT NULL
);
