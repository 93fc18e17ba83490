-- Enterprise demands (企业诉求, 企业吹哨、部门报到; issue 14 §5). A demand is handled as a task
-- (source 企业诉求) once the office has assigned its lead unit; this table keeps only what the
-- task does not: the enterprise as given, the contact, where it came from, the hash of its
-- query code (the code itself is shown once and never kept), the return visit and the rating.
-- task_id is NULL while an online demand waits in the office's queue (待分派).
CREATE TABLE demands (
    id INTEGER PRIMARY KEY,
    task_id INTEGER UNIQUE REFERENCES tasks(id),
    enterprise_id INTEGER REFERENCES enterprises(id),
    enterprise_name TEXT NOT NULL,
    credit_code TEXT,
    contact_name TEXT NOT NULL,
    contact_phone TEXT NOT NULL,
    channel TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    reference TEXT NOT NULL DEFAULT '',
    code_hash TEXT NOT NULL UNIQUE,
    submitted_at INTEGER NOT NULL,
    submitted_by INTEGER REFERENCES people(id),
    assigned_at INTEGER,
    assigned_by INTEGER REFERENCES people(id),
    visit_text TEXT,
    visit_satisfaction TEXT,
    visit_at INTEGER,
    visit_by INTEGER REFERENCES people(id),
    rating TEXT,
    rating_comment TEXT NOT NULL DEFAULT '',
    rated_at INTEGER
);
CREATE INDEX demands_queue ON demands(submitted_at) WHERE task_id IS NULL;
CREATE INDEX demands_channel_kind ON demands(channel, kind);
CREATE INDEX demands_enterprise ON demands(enterprise_id);
