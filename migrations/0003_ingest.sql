-- Ingestion: the webhook/event inbox (dedupe by delivery id) and the PostgreSQL job queue.
CREATE TABLE inbox (
  tenant_id     text NOT NULL REFERENCES tenants(tenant_id) ON DELETE CASCADE,
  delivery_id   text NOT NULL,             -- X-Atlassian-Webhook-Identifier, or a hash of the Forge event
  source        text NOT NULL CHECK (source IN ('connect', 'forge', 'backfill')),
  event         text NOT NULL,             -- created | updated | deleted | project_deleted
  issue_id      text,                      -- null for project events
  project_key   text,
  received_at   timestamptz NOT NULL DEFAULT now(),
  processed_at  timestamptz,
  payload       jsonb NOT NULL,
  PRIMARY KEY (tenant_id, delivery_id)
);
CREATE INDEX inbox_pending_by_issue ON inbox (tenant_id, issue_id) WHERE processed_at IS NULL;
CREATE INDEX inbox_processed ON inbox (processed_at) WHERE processed_at IS NOT NULL;

CREATE TABLE jobs (
  tenant_id    text NOT NULL REFERENCES tenants(tenant_id) ON DELETE CASCADE,
  job_id       bigint GENERATED ALWAYS AS IDENTITY,
  kind         text NOT NULL,
  unique_key   text NOT NULL,              -- coalescing: one queued job per (tenant, unique_key)
  payload      jsonb NOT NULL DEFAULT '{}'::jsonb,
  state        text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'dead')),
  attempts     int NOT NULL DEFAULT 0,
  run_at       timestamptz NOT NULL DEFAULT now(),
  lease_until  timestamptz,
  last_error   text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, job_id)
);
CREATE UNIQUE INDEX jobs_one_queued ON jobs (tenant_id, unique_key) WHERE state = 'queued';
CREATE INDEX jobs_due ON jobs (run_at) WHERE state = 'queued';
CREATE INDEX jobs_leased ON jobs (lease_until) WHERE state = 'running';
