-- Finds the tasks changed since a moment, so that in-memory views of whole ledgers refresh only
-- what changed.
CREATE INDEX tasks_updated ON tasks(updated_at);
