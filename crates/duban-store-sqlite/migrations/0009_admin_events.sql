-- The administrative audit log (等保): who changed users, units, groups, rules or the calendar,
-- when, and what (before and after; never a password or its hash). Append-only like
-- task_events, and hash-chained the same way, with a head of its own in admin_chain.
CREATE TABLE admin_events (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor_id INTEGER REFERENCES people(id),
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    data TEXT NOT NULL DEFAULT '{}',
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TRIGGER admin_events_no_update BEFORE UPDATE ON admin_events
BEGIN
    SELECT RAISE(ABORT, 'admin_events is append-only');
END;
CREATE TRIGGER admin_events_no_delete BEFORE DELETE ON admin_events
BEGIN
    SELECT RAISE(ABORT, 'admin_events is append-only');
END;
CREATE TABLE admin_chain (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    head_hash TEXT NOT NULL,
    length INTEGER NOT NULL
);
INSERT INTO admin_chain (id, head_hash, length) VALUES (1, '', 0);
