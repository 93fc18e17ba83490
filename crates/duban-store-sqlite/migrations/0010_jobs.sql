-- Jobs shared by several server processes on one database (issue 10).

-- A periodic job (the supervision pass, outbox delivery) runs in one process at a time: the
-- process that holds its lease. A lease that is not renewed (its process died) expires at
-- held_until (milliseconds since the epoch), and another process takes it.
CREATE TABLE job_leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    held_until INTEGER NOT NULL
);

-- A message is claimed by the process that sends it, until claimed_until; another process
-- leaves it alone until then, and claims it again after (the sender died before recording).
ALTER TABLE outbox ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN claimed_until INTEGER NOT NULL DEFAULT 0;

-- The version of the rules and the calendar in force: raised inside every write that changes
-- them (saved rules, an imported calendar file), so every process notices and reloads.
INSERT INTO meta (key, value) VALUES ('config_version', '0') ON CONFLICT (key) DO NOTHING;
CREATE TRIGGER config_version_calendar AFTER INSERT ON calendar_files
BEGIN
    UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'config_version';
END;
CREATE TRIGGER config_version_rules_added AFTER INSERT ON meta WHEN NEW.key = 'rules_toml'
BEGIN
    UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'config_version';
END;
CREATE TRIGGER config_version_rules_changed AFTER UPDATE ON meta WHEN NEW.key = 'rules_toml'
BEGIN
    UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'config_version';
END;
