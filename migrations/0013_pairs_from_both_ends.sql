-- A pair is likely now only when both of its issues rate it so (core::pair_likelihood, docs/likelihood.md "Both
-- ends decide"): pending pairs found by one end alone would stay in the review queue for good (a rescan adds and
-- re-scores pairs, it does not take back one it no longer finds), so they are replaced by a rescan of every live
-- site. Decided pairs (linked, dismissed) keep their status and score.
DELETE FROM pairs WHERE status = 'pending';
INSERT INTO jobs (tenant_id, kind, unique_key, payload, run_at)
  SELECT tenant_id, 'rescan', 'rescan', '{}'::jsonb, now() FROM tenants WHERE state <> 'uninstalled'
  ON CONFLICT (tenant_id, unique_key) WHERE state = 'queued' DO NOTHING;
