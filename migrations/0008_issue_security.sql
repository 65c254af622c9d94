-- Project id and issue security level of each indexed issue, so the panel can keep only what a viewer may browse
-- (issue #16; atlassian-platform.md §10). Rows indexed before this migration stay "not known": the permission filter
-- then asks Jira about them by issue id (fail closed) until a webhook or backfill stores the values.
ALTER TABLE index_documents
  ADD COLUMN project_id        text NOT NULL DEFAULT '',  -- fields.project.id ('' = not known)
  ADD COLUMN security_level_id text;                      -- fields.security.id; '' = no level; NULL = not known
