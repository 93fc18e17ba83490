-- Liaison coverage and steward flags answered in SQL (issue 14): the anti-joins from enterprises
-- and projects to the assignments in force look an assignment up by its target.
CREATE INDEX service_assignments_enterprise ON service_assignments(enterprise_id, kind, since);
CREATE INDEX service_assignments_project ON service_assignments(project_id, kind, since);
