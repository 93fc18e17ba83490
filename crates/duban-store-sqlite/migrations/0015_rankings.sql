-- Rankings (issue 13 §2, §3): scoring profiles the office saved (a built-in's name overrides the
-- built-in until reset), and rankings issued for a closed period, frozen and append-only: a
-- correction is the next revision, naming the one it supersedes and why.
CREATE TABLE scoring_profiles (
    name TEXT PRIMARY KEY,
    toml TEXT NOT NULL,
    saved_at INTEGER NOT NULL,
    saved_by INTEGER
);

CREATE TABLE rankings (
    id INTEGER PRIMARY KEY,
    profile TEXT NOT NULL,
    profile_toml TEXT NOT NULL,
    period TEXT NOT NULL,
    revision INTEGER NOT NULL CHECK (revision >= 1),
    supersedes INTEGER REFERENCES rankings(id),
    reason TEXT NOT NULL DEFAULT '',
    ranking TEXT NOT NULL,
    issued_at INTEGER NOT NULL,
    issued_by INTEGER,
    UNIQUE (profile, period, revision)
);
CREATE TRIGGER rankings_no_update BEFORE UPDATE ON rankings
BEGIN
    SELECT RAISE(ABORT, 'rankings is append-only');
END;
CREATE TRIGGER rankings_no_delete BEFORE DELETE ON rankings
BEGIN
    SELECT RAISE(ABORT, 'rankings is append-only');
END;
