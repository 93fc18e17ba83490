-- The demands list, newest first, a page at a time (issue 14, "Speed"): its order by index.
CREATE INDEX demands_newest ON demands(submitted_at, id);
