-- Liaison (包联/包保) and project stewards (项目管家; issue 14 §2–3): one set of tables for
-- both, the kind a column. An obligation is the task on the one engine that an assignment owes
-- for a period (one per assignment and period). Dates are YYYY-MM-DD, instants ms.
CREATE TABLE service_assignments (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('liaison', 'steward')),
    person_id INTEGER NOT NULL REFERENCES people(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    enterprise_id INTEGER REFERENCES enterprises(id),
    project_id INTEGER REFERENCES projects(id),
    rank TEXT,
    since TEXT NOT NULL,
    until TEXT,
    assigned_by INTEGER REFERENCES people(id),
    assigned_at INTEGER NOT NULL,
    ended_by INTEGER REFERENCES people(id),
    ended_at INTEGER,
    CHECK ((enterprise_id IS NULL) <> (project_id IS NULL))
);
CREATE INDEX service_assignments_kind ON service_assignments(kind, since);
CREATE INDEX service_assignments_person ON service_assignments(person_id);

CREATE TABLE service_obligations (
    assignment_id INTEGER NOT NULL REFERENCES service_assignments(id),
    period TEXT NOT NULL,
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    PRIMARY KEY (assignment_id, period)
);

CREATE TABLE service_visits (
    id INTEGER PRIMARY KEY,
    assignment_id INTEGER NOT NULL REFERENCES service_assignments(id),
    task_id INTEGER REFERENCES tasks(id),
    visited_on TEXT NOT NULL,
    met TEXT NOT NULL DEFAULT '',
    policies TEXT NOT NULL DEFAULT '',
    work TEXT NOT NULL DEFAULT '',
    evidence TEXT NOT NULL DEFAULT '[]',
    recorded_by INTEGER REFERENCES people(id),
    recorded_at INTEGER NOT NULL
);
CREATE INDEX service_visits_assignment ON service_visits(assignment_id, visited_on);

CREATE TABLE service_problems (
    visit_id INTEGER NOT NULL REFERENCES service_visits(id),
    idx INTEGER NOT NULL,
    text TEXT NOT NULL,
    demand_task_id INTEGER REFERENCES tasks(id),
    PRIMARY KEY (visit_id, idx)
);
