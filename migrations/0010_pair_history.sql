-- Who did what to which pair and when (issue #16, RFC M-006), and the account ids this history holds, for Atlassian's
-- personal data reporting (docs/privacy.md). Both cascade with the tenant, so uninstall's purge deletes them.
CREATE TABLE pair_actions (
  tenant_id         text NOT NULL REFERENCES tenants(tenant_id) ON DELETE CASCADE,
  action_id         bigint GENERATED ALWAYS AS IDENTITY,
  issue_id          text NOT NULL,          -- the pair as stored in pairs (issue_id, candidate_id)
  candidate_id      text NOT NULL,
  action            text NOT NULL CHECK (action IN ('link', 'dismiss', 'restore')),
  bulk              boolean NOT NULL DEFAULT false,  -- from the review queue's bulk action
  actor_account_id  text,                   -- Atlassian account id; NULL = erased (the account was closed)
  acted_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, action_id)
);
CREATE INDEX pair_actions_by_pair ON pair_actions (tenant_id, issue_id, candidate_id, action_id DESC);
CREATE INDEX pair_actions_by_actor ON pair_actions (tenant_id, actor_account_id) WHERE actor_account_id IS NOT NULL;

-- Every account id the history holds, with when it is next reported to Atlassian (new accounts at once, then once
-- per cycle period) and when Atlassian last said its profile was updated (we keep no profile data to refresh).
CREATE TABLE reported_accounts (
  tenant_id       text NOT NULL REFERENCES tenants(tenant_id) ON DELETE CASCADE,
  account_id      text NOT NULL,
  next_report_at  timestamptz NOT NULL DEFAULT now(),
  reported_at     timestamptz,
  updated_seen_at timestamptz,
  PRIMARY KEY (tenant_id, account_id)
);
CREATE INDEX reported_accounts_due ON reported_accounts (tenant_id, next_report_at);
