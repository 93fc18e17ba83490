-- Monthly bulletins (月度通报, issue 13 §5): drafts the office edits and issued bulletins,
-- numbered per year (督通〔2026〕3号) when issued, kept with their Word file. An issued bulletin is
-- immutable: the triggers below refuse to change or delete it, whatever the application does.
CREATE TABLE bulletins (
    id INTEGER PRIMARY KEY,
    month TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'issued')),
    title TEXT NOT NULL,
    year INTEGER,
    seq INTEGER,
    number TEXT,
    recipients TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by INTEGER REFERENCES people(id),
    updated_at INTEGER NOT NULL,
    updated_by INTEGER REFERENCES people(id),
    issued_at INTEGER,
    issued_by INTEGER REFERENCES people(id),
    issued_on TEXT,
    docx BLOB,
    UNIQUE (year, seq),
    CHECK (status = 'draft' OR (year IS NOT NULL AND seq IS NOT NULL AND number IS NOT NULL AND docx IS NOT NULL))
);
CREATE INDEX bulletins_month ON bulletins(month);

CREATE TRIGGER bulletins_issued_no_update BEFORE UPDATE ON bulletins WHEN OLD.status = 'issued'
BEGIN
    SELECT RAISE(ABORT, 'an issued bulletin is immutable');
END;
CREATE TRIGGER bulletins_issued_no_delete BEFORE DELETE ON bulletins WHEN OLD.status = 'issued'
BEGIN
    SELECT RAISE(ABORT, 'an issued bulletin is immutable');
END;

-- The namings an issued bulletin published (公开点名); kept with it, as immutable as it is.
CREATE TABLE bulletin_namings (
    id INTEGER PRIMARY KEY,
    bulletin_id INTEGER NOT NULL REFERENCES bulletins(id),
    unit_id INTEGER NOT NULL,
    person_id INTEGER,
    task_id INTEGER,
    reason TEXT NOT NULL
);
CREATE INDEX bulletin_namings_bulletin ON bulletin_namings(bulletin_id);
CREATE TRIGGER bulletin_namings_no_update BEFORE UPDATE ON bulletin_namings
BEGIN
    SELECT RAISE(ABORT, 'an issued bulletin is immutable');
END;
CREATE TRIGGER bulletin_namings_no_delete BEFORE DELETE ON bulletin_namings
BEGIN
    SELECT RAISE(ABORT, 'an issued bulletin is immutable');
END;

-- A month's naming candidates, for its bulletin, without reading every candidate.
CREATE INDEX naming_candidates_created ON naming_candidates(created_at);
