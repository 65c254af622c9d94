-- The Forge UI modification entity Doppel keeps per site for its create-dialog hints (Jira's id for it, the scope
-- it was last synced to, and why it is not active when it is not), so the admin page can say whether hints run.
CREATE TABLE ui_modifications (
  tenant_id   text PRIMARY KEY REFERENCES tenants(tenant_id) ON DELETE CASCADE,
  entity_id   text,                       -- Jira's id of the UI modification; null when none is known
  state       text NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'active', 'inactive', 'waiting', 'failed', 'removed')),
  scope       text CHECK (scope IN ('all', 'projects')),
  projects    int NOT NULL DEFAULT 0,     -- projects the contexts name (scope 'projects')
  contexts    int NOT NULL DEFAULT 0,     -- contexts sent with the last create or update
  reason      text,                       -- stable code when not active (e.g. forge_token_missing, no_known_project)
  synced_at   timestamptz,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Forge sites installed before this table existed get their entity now (the sync job creates or adopts it).
INSERT INTO ui_modifications (tenant_id) SELECT tenant_id FROM tenants WHERE kind = 'forge' AND state <> 'uninstalled';
INSERT INTO jobs (tenant_id, kind, unique_key, payload, run_at)
  SELECT tenant_id, 'sync_ui_modification', 'uim', '{}'::jsonb, now() FROM tenants
   WHERE kind = 'forge' AND state <> 'uninstalled'
  ON CONFLICT (tenant_id, unique_key) WHERE state = 'queued' DO NOTHING;
