-- Files attached to tasks: evidence given with feedback, plans, reports. Kept in the database so
-- that a backup holds everything; each upload is also an `attached` event in the task's trail
-- carrying the file's SHA-256, so the hash chain covers the content.
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL,
    uploaded_by INTEGER REFERENCES people(id),
    uploaded_at INTEGER NOT NULL
);
CREATE INDEX attachments_task ON attachments(task_id);
