-- Key enterprises and key projects (重点企业、重点项目; issue 14 §1), and the append-only
-- history of every version of them. Amounts are exact: total_investment is in fen (分).
CREATE TABLE enterprises (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    credit_code TEXT NOT NULL UNIQUE,
    industry TEXT NOT NULL DEFAULT '',
    scale TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    contact_name TEXT NOT NULL DEFAULT '',
    contact_phone TEXT NOT NULL DEFAULT '',
    unit_id INTEGER REFERENCES units(id),
    note TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX enterprises_name ON enterprises(name, id);
CREATE INDEX enterprises_unit ON enterprises(unit_id);

CREATE TABLE projects (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    investor TEXT NOT NULL DEFAULT '',
    enterprise_id INTEGER REFERENCES enterprises(id),
    total_investment INTEGER NOT NULL,
    stage TEXT NOT NULL,
    signed_on TEXT,
    location TEXT NOT NULL DEFAULT '',
    industry TEXT NOT NULL DEFAULT '',
    unit_id INTEGER REFERENCES units(id),
    note TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX projects_name ON projects(name, id);
CREATE INDEX projects_enterprise ON projects(enterprise_id);
CREATE INDEX projects_unit ON projects(unit_id);

CREATE TABLE registry_history (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('enterprise', 'project')),
    record_id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    by_person INTEGER REFERENCES people(id),
    at INTEGER NOT NULL,
    snapshot TEXT NOT NULL,
    UNIQUE (kind, record_id, version)
);
CREATE TRIGGER registry_history_no_update BEFORE UPDATE ON registry_history
BEGIN
    SELECT RAISE(ABORT, 'registry_history is append-only');
END;
CREATE TRIGGER registry_history_no_delete BEFORE DELETE ON registry_history
BEGIN
    SELECT RAISE(ABORT, 'registry_history is append-only');
END;
