-- Jobs shared by several server processes on one database (issue 10).

-- A periodic job (the supervision pass, outbox delivery) runs in one process at a time: the
-- process that holds its lease. A lease that is not renewed (its process died) expires at
-- held_until (milliseconds since the epoch), and another process takes it.
CREATE TABLE job_leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    held_until BIGINT NOT NULL
);

-- A message is claimed by the process that sends it, until claimed_until; another process
-- skips it until then (claims take the rows FOR UPDATE SKIP LOCKED, so two claims never wait
-- for or take the same row), and claims it again after (the sender died before recording).
ALTER TABLE outbox ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN claimed_until BIGINT NOT NULL DEFAULT 0;

-- The version of the rules and the calendar in force: raised inside every write that changes
-- them (saved rules, an imported calendar file), so every process notices and reloads.
INSERT INTO meta (key, value) VALUES ('config_version', '0') ON CONFLICT (key) DO NOTHING;
CREATE FUNCTION config_version_bump() RETURNS trigger AS $$
BEGIN
    UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS TEXT) WHERE key = 'config_version';
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER config_version_calendar AFTER INSERT ON calendar_files
    FOR EACH ROW EXECUTE FUNCTION config_version_bump();
CREATE TRIGGER config_version_rules AFTER INSERT OR UPDATE ON meta
    FOR EACH ROW WHEN (NEW.key = 'rules_toml') EXECUTE FUNCTION config_version_bump();
