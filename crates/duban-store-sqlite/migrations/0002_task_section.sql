-- The section path of a task in its document (二、重点任务 / （一）… / 1.…), for grouping.
ALTER TABLE tasks ADD COLUMN section TEXT NOT NULL DEFAULT '';
