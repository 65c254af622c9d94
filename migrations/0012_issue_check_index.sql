-- The issues a viewer's dashboard must ask Jira about by id (a security level, or level or project not known): a
-- partial index so reading them (store::read_visibility_inputs) touches only those rows, not every document of the
-- tenant (measured 339 ms per dashboard request at 100,000 issues without it; docs/permissions.md).
CREATE INDEX index_documents_needing_issue_check ON index_documents (tenant_id, issue_id)
  WHERE deleted_ms IS NULL AND (security_level_id IS NULL OR security_level_id <> '' OR project_id = '');
