-- Objections (申诉), leaders' evaluations and the document-error ledger (公文错情), issue 13.
-- The facts they count through are kept in assessment_facts (keys ev{id}, de{id}) and
-- assessment_adjustments (an upheld objection); these tables keep who said what and why.

CREATE TABLE objections (
    id INTEGER PRIMARY KEY,
    fact_key TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    profile TEXT NOT NULL,
    period TEXT NOT NULL,
    reason TEXT NOT NULL,
    evidence_name TEXT,
    evidence_type TEXT,
    evidence BLOB,
    evidence_size INTEGER,
    status TEXT NOT NULL DEFAULT 'filed' CHECK (status IN ('filed', 'upheld', 'rejected')),
    filed_by INTEGER NOT NULL REFERENCES people(id),
    filed_at INTEGER NOT NULL,
    decided_by INTEGER REFERENCES people(id),
    decided_at INTEGER,
    decision TEXT NOT NULL DEFAULT ''
);
-- One open objection per fact.
CREATE UNIQUE INDEX objections_open ON objections(fact_key) WHERE status = 'filed';
CREATE INDEX objections_unit ON objections(unit_id, id);

CREATE TABLE evaluations (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    task_id INTEGER REFERENCES tasks(id),
    day TEXT NOT NULL,
    score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 1000),
    comment TEXT NOT NULL,
    by_person INTEGER NOT NULL REFERENCES people(id),
    at INTEGER NOT NULL,
    withdrawn_at INTEGER,
    withdrawn_by INTEGER REFERENCES people(id)
);
CREATE INDEX evaluations_unit ON evaluations(unit_id, day);

CREATE TABLE document_errors (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    day TEXT NOT NULL,
    title TEXT NOT NULL,
    number TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    count INTEGER NOT NULL CHECK (count >= 1),
    note TEXT NOT NULL DEFAULT '',
    recorded_by INTEGER NOT NULL REFERENCES people(id),
    recorded_at INTEGER NOT NULL,
    withdrawn_at INTEGER,
    withdrawn_by INTEGER REFERENCES people(id)
);
CREATE INDEX document_errors_day ON document_errors(day, id);
