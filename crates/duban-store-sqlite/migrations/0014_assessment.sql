-- Assessment (issue 13): one row per fact that counts for a unit — a task assigned, a stage due
-- (sign, done, a 督办 notice's answer) with when it stopped, a return, an extension, a notice, and
-- the facts entered by hand (evaluations, document errors, namings). Task-derived facts are
-- replaced whenever the task's trail grows; `key` is stable across those replacements.
CREATE TABLE assessment_facts (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    origin TEXT NOT NULL CHECK (origin IN ('task', 'manual')),
    task_id INTEGER,
    unit_id INTEGER NOT NULL,
    role TEXT NOT NULL,
    indicator TEXT NOT NULL,
    day TEXT NOT NULL,
    due_at INTEGER,
    stopped_at INTEGER,
    stop_day TEXT,
    quantity INTEGER NOT NULL DEFAULT 1,
    adjusted TEXT NOT NULL DEFAULT '',
    -- The task's source and priority ('' for a fact not about a task).
    source TEXT NOT NULL DEFAULT '',
    priority TEXT NOT NULL DEFAULT ''
);
CREATE INDEX assessment_facts_task ON assessment_facts(task_id);
CREATE INDEX assessment_facts_unit ON assessment_facts(unit_id, day);
CREATE INDEX assessment_facts_day ON assessment_facts(day);
-- Completion stages done late or still open: the only ones overdue working days are counted on;
-- the index holds every column that count reads, so it is read without the table.
CREATE INDEX assessment_facts_late ON assessment_facts(day, unit_id, role, stop_day, adjusted, indicator, due_at, stopped_at)
    WHERE indicator = 'done' AND (stopped_at IS NULL OR stopped_at > due_at);

-- The lead units' completion stages by day, with what a bulletin counts them by, read without
-- the table.
CREATE INDEX assessment_facts_lead_done ON assessment_facts(day, source, priority, task_id, due_at, stopped_at)
    WHERE indicator = 'done' AND role = 'lead';

-- The facts summed per day, unit, role, stored indicator, bucket (n, on_time, late, open) and
-- adjustment; every write to assessment_facts adds and subtracts here in the same transaction.
CREATE TABLE assessment_daily (
    day TEXT NOT NULL,
    unit_id INTEGER NOT NULL,
    role TEXT NOT NULL,
    indicator TEXT NOT NULL,
    bucket TEXT NOT NULL,
    adjusted TEXT NOT NULL DEFAULT '',
    n INTEGER NOT NULL,
    amount INTEGER NOT NULL,
    PRIMARY KEY (day, unit_id, role, indicator, bucket, adjusted)
) WITHOUT ROWID;

-- What the office decided about a fact: excused (容错, with a reason) or voided by an upheld
-- objection (申诉). Kept by the fact's key, so it survives the fact being derived again.
CREATE TABLE assessment_adjustments (
    fact_key TEXT PRIMARY KEY,
    task_id INTEGER,
    kind TEXT NOT NULL CHECK (kind IN ('tolerance', 'objection')),
    reason TEXT NOT NULL,
    person_id INTEGER REFERENCES people(id),
    at INTEGER NOT NULL
);
CREATE INDEX assessment_adjustments_task ON assessment_adjustments(task_id);

-- Writers of facts take this row's lock first, so two refreshes of the same task never both
-- subtract its old facts from the daily sums.
INSERT OR IGNORE INTO meta (key, value) VALUES ('assessment_lock', '0');
