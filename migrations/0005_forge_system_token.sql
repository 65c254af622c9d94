-- Forge app system token (x-forge-oauth-system): the latest one received per installation, sealed like the
-- Connect shared secret (AES-256-GCM, key id inside), with its JWT exp when readable. Never stored in clear.
ALTER TABLE tenants ADD COLUMN system_token_box         text;
ALTER TABLE tenants ADD COLUMN system_token_expires_at  timestamptz;
ALTER TABLE tenants ADD COLUMN system_token_received_at timestamptz;

-- Why a running backfill is waiting instead of fetching (e.g. forge_token_expired); null while it makes progress.
ALTER TABLE backfill_progress ADD COLUMN waiting_for text;
