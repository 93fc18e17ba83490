-- A 督办通知单 as the office ordered it (issue 12 §3): the units it is addressed to (主送: the
-- lead units and any cooperating units added), as their ids separated by commas, and the
-- office's instruction. Notices issued before keep empty values (the print view then addresses
-- the task's lead units).
ALTER TABLE notices ADD COLUMN recipients TEXT NOT NULL DEFAULT '';
ALTER TABLE notices ADD COLUMN text TEXT NOT NULL DEFAULT '';
