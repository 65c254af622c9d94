-- Candidate duplicate pairs (with the reviewer's decision) and backfill progress.
CREATE TABLE pairs (
  tenant_id     text NOT NULL REFERENCES tenants(tenant_id) ON DELETE CASCADE,
  issue_id      text NOT NULL,             -- the newer issue (the one being looked at)
  candidate_id  text NOT NULL,             -- the likely duplicate of it
  score         double precision NOT NULL,
  terms         jsonb NOT NULL DEFAULT '[]'::jsonb,   -- matched terms explaining the score
  status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed', 'dismissed')),
  decided_by    text,                      -- 'user' marker only: account ids are not stored
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, issue_id, candidate_id),
  CHECK (issue_id <> candidate_id)
);
CREATE INDEX pairs_by_status ON pairs (tenant_id, status, score DESC);
CREATE INDEX pairs_by_candidate ON pairs (tenant_id, candidate_id);

CREATE TABLE backfill_progress (
  tenant_id        text PRIMARY KEY REFERENCES tenants(tenant_id) ON DELETE CASCADE,
  state            text NOT NULL CHECK (state IN ('running', 'stopped', 'done', 'failed')),
  jql              text NOT NULL,
  next_page_token  text,                  -- resume point (null = from the start)
  seen             bigint NOT NULL DEFAULT 0,
  indexed          bigint NOT NULL DEFAULT 0,
  total_estimate   bigint,
  last_error       text,
  started_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  finished_at      timestamptz
);
