-- The one visibility rule by index (issue 14, "Speed"). Who may see a task is answered from its
-- party rows and two indexes on the tasks, never by reading every task: each party row carries
-- its task's source and classification (copied whenever the parties are written; a task's parties
-- are rewritten with the task), so "the tasks of these units (of this source) that are not 涉密"
-- is an index-only lookup; the tasks a person leads or is responsible for have their own indexes;
-- and the 涉密 tasks, the only ones the office may not see all of, a partial index.
ALTER TABLE task_parties ADD COLUMN source TEXT NOT NULL DEFAULT '';
ALTER TABLE task_parties ADD COLUMN classification TEXT NOT NULL DEFAULT '';
UPDATE task_parties SET
    source = (SELECT source FROM tasks WHERE tasks.id = task_parties.task_id),
    classification = (SELECT classification FROM tasks WHERE tasks.id = task_parties.task_id);
DROP INDEX task_parties_unit;
CREATE INDEX task_parties_unit_source ON task_parties(unit_id, source, task_id, classification);
CREATE INDEX task_parties_group_source ON task_parties(group_id, source, task_id, classification)
    WHERE group_id IS NOT NULL;
CREATE INDEX tasks_leader ON tasks(leader_id);
CREATE INDEX tasks_responsible ON tasks(responsible_person_id);
CREATE INDEX tasks_secret ON tasks(id, leader_id, responsible_person_id) WHERE classification = 'secret';
-- The demands by their task ids with their order (the list from a unit's tasks, index-only), and
-- those of one kind or channel by their task ids, for the list's filters.
CREATE INDEX demands_task_newest ON demands(task_id, submitted_at, id);
DROP INDEX demands_channel_kind;
CREATE INDEX demands_kind_task ON demands(kind, task_id);
CREATE INDEX demands_channel_task ON demands(channel, task_id);
