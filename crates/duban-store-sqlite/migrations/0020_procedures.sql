-- Pre-procedures of key projects (项目前期手续; 003 附件4, issue 14 §4). A procedure holds only
-- what a task does not: its project, kind and committed time limit; once started it points at
-- its task (source 'procedure'), whose status, light, deadline and trail are the procedure's.
CREATE TABLE procedure_kinds (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    default_days INTEGER CHECK (default_days IS NULL OR default_days > 0),
    note TEXT NOT NULL DEFAULT '',
    builtin INTEGER NOT NULL DEFAULT 0,
    position INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE procedures (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    kind_id INTEGER NOT NULL REFERENCES procedure_kinds(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    days INTEGER NOT NULL CHECK (days > 0),
    note TEXT NOT NULL DEFAULT '',
    task_id INTEGER UNIQUE REFERENCES tasks(id),
    started_on TEXT,
    committed_on TEXT,
    created_by INTEGER REFERENCES people(id),
    created_at INTEGER NOT NULL,
    UNIQUE (project_id, kind_id)
);
-- The battle map reads one page of projects' procedures by project; the dispatch reads the
-- started ones by committed date.
CREATE INDEX procedures_committed ON procedures(committed_on) WHERE task_id IS NOT NULL;
