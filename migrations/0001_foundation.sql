-- Tenants: one row per installed Jira site (Connect clientKey or Forge installationId).
CREATE TABLE tenants (
  tenant_id        text PRIMARY KEY,
  kind             text NOT NULL CHECK (kind IN ('connect', 'forge')),
  base_url         text NOT NULL,
  display_url      text,
  product_type     text,
  oauth_client_id  text,
  cloud_id         text,
  secret_box       text,              -- AES-256-GCM ciphertext of the shared secret, key id inside
  state            text NOT NULL CHECK (state IN ('installed', 'enabled', 'disabled', 'uninstalled')),
  installed_at     timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  uninstalled_at   timestamptz,
  delete_after     timestamptz        -- data deletion due (uninstall + retention)
);

-- Per-tenant settings (JSON validated by the service).
CREATE TABLE tenant_settings (
  tenant_id  text PRIMARY KEY REFERENCES tenants(tenant_id) ON DELETE CASCADE,
  settings   jsonb NOT NULL DEFAULT '{}'::jsonb,
  updated_at timestamptz NOT NULL DEFAULT now()
);
