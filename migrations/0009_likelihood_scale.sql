-- Suggestions are tiered by a calibrated likelihood now (core/likelihood), not by a share of the issue's
-- self-score: a stored threshold on the old scale would mean something else entirely, so it is dropped (the
-- site gets the new default until its admin sets one again), and the pending pairs, found on the old scale, are
-- replaced by a rescan of every live site (decided pairs are kept as they are).
UPDATE tenant_settings SET settings = settings - 'threshold' WHERE settings ? 'threshold';
DELETE FROM pairs WHERE status = 'pending';
INSERT INTO jobs (tenant_id, kind, unique_key, payload, run_at)
  SELECT tenant_id, 'rescan', 'rescan', '{}'::jsonb, now() FROM tenants WHERE state <> 'uninstalled'
  ON CONFLICT (tenant_id, unique_key) WHERE state = 'queued' DO NOTHING;
