-- Claiming the oldest due job walks this index in order (run_at, job_id) and stops at the first unlocked row,
-- instead of sorting every queued job: a claim costs the same with 20 or 20,000 jobs queued.
CREATE INDEX jobs_due_order ON jobs (run_at, job_id) WHERE state = 'queued';
DROP INDEX jobs_due;

-- Every replica keeps the Connect shared secrets it verifies webhooks with in memory (app/tenant_cache): any change
-- of a tenant's secret or state, or its deletion, is announced on doppel_tenant so every copy forgets it at once.
CREATE FUNCTION doppel_tenant_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('doppel_tenant', OLD.tenant_id);
  RETURN NULL;
END $$;

CREATE TRIGGER tenants_key_changed AFTER UPDATE ON tenants FOR EACH ROW
  WHEN (OLD.secret_box IS DISTINCT FROM NEW.secret_box OR OLD.state IS DISTINCT FROM NEW.state
        OR OLD.kind IS DISTINCT FROM NEW.kind)
  EXECUTE FUNCTION doppel_tenant_changed();
CREATE TRIGGER tenants_deleted AFTER DELETE ON tenants FOR EACH ROW EXECUTE FUNCTION doppel_tenant_changed();
