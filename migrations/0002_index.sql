-- Duplicate index per tenant: stored documents (analysed term vectors), document frequencies,
-- collection statistics. Updated incrementally in the writer's transaction (store/index_store).

-- One row per issue ever indexed. A deleted issue keeps its row as a tombstone (deleted_ms set,
-- no terms) so that a late update cannot bring it back.
CREATE TABLE index_documents (
  tenant_id        text NOT NULL REFERENCES tenants(tenant_id) ON DELETE CASCADE,
  issue_id         text NOT NULL,
  issue_key        text NOT NULL,
  project_key      text NOT NULL DEFAULT '',
  issue_type       text NOT NULL DEFAULT '',
  status           text NOT NULL DEFAULT '',
  summary          text NOT NULL DEFAULT '',
  components       text[] NOT NULL DEFAULT '{}',
  created_ms       bigint NOT NULL DEFAULT 0,
  updated_ms       bigint NOT NULL DEFAULT 0,
  deleted_ms       bigint,                       -- tombstone time, NULL while live
  len_summary      integer NOT NULL DEFAULT 0,   -- token counts per field
  len_description  integer NOT NULL DEFAULT 0,
  len_environment  integer NOT NULL DEFAULT 0,
  len_meta         integer NOT NULL DEFAULT 0,
  term_vector      text NOT NULL DEFAULT '',     -- "term<TAB>s d e m<LF>" per term, sorted by term
  analysis_version integer NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, issue_id)
);
CREATE INDEX index_documents_by_key ON index_documents (tenant_id, issue_key) WHERE deleted_ms IS NULL;
CREATE INDEX index_documents_by_project ON index_documents (tenant_id, project_key) WHERE deleted_ms IS NULL;

-- Document frequency of every term of a tenant's live documents (rows with df 0 are removed).
CREATE TABLE index_terms (
  tenant_id  text NOT NULL REFERENCES tenants(tenant_id) ON DELETE CASCADE,
  term       text NOT NULL,
  df         integer NOT NULL CHECK (df >= 0),
  PRIMARY KEY (tenant_id, term)
);

-- Collection statistics; generation grows by one with every change (in-memory copies use it to
-- tell whether they are current).
CREATE TABLE index_stats (
  tenant_id        text PRIMARY KEY REFERENCES tenants(tenant_id) ON DELETE CASCADE,
  documents        bigint NOT NULL DEFAULT 0,
  len_summary      bigint NOT NULL DEFAULT 0,
  len_description  bigint NOT NULL DEFAULT 0,
  len_environment  bigint NOT NULL DEFAULT 0,
  len_meta         bigint NOT NULL DEFAULT 0,
  generation       bigint NOT NULL DEFAULT 0
);
