-- An in-app message read by its recipient (issue 12 §2): the desk shows the notices not yet read.
-- Milliseconds since the epoch; NULL until read (every message written before is unread).
ALTER TABLE outbox ADD COLUMN read_at BIGINT;
