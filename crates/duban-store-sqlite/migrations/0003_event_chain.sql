-- Tamper evidence: each task event carries the hash of the one before it (in id order) and its
-- own hash over that link and its content. The chain's head is kept in one row, which every
-- event insert updates first, so concurrent writers take turns and the chain never forks.
ALTER TABLE task_events ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE task_events ADD COLUMN hash TEXT NOT NULL DEFAULT '';
CREATE TABLE event_chain (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    head_hash TEXT NOT NULL,
    length INTEGER NOT NULL
);
INSERT INTO event_chain (id, head_hash, length) VALUES (1, '', 0);
