# Cost of the viewer filter in the dashboard SQL (issue #16): the queries of store/dashboard_store.cpp (fragments
# copied here, parameters inlined) without the filter (before #16) and with it, for an admin (all 50 projects, 1,000
# secured issues granted) and a developer (10 projects, 200 secured), plus the two read_visibility_inputs queries.
# Alternated runs, median of EXPLAIN ANALYZE execution times. Usage: python3 bench/dashboard_filter_sql.py DB_URL
# where DB_URL names an empty database migrated by `doppel migrate` (it is seeded with 100,000 issues, 30,000 pairs).
import json, statistics, subprocess, sys

db = sys.argv[1]
SEED = """INSERT INTO tenants (tenant_id, kind, base_url, state) VALUES ('t1', 'connect', 'https://t1.atlassian.net', 'installed');
INSERT INTO index_documents (tenant_id, issue_id, issue_key, project_key, status, summary, created_ms, updated_ms, project_id, security_level_id)
SELECT 't1', (100000 + g)::text, 'P' || (g % 50) || '-' || g, 'P' || (g % 50), 'Open', 'Summary ' || g, g, g,
       (10000 + g % 50)::text, CASE WHEN g % 100 = 0 THEN '10050' ELSE '' END
FROM generate_series(1, 100000) g;
INSERT INTO pairs (tenant_id, issue_id, candidate_id, score, status, created_at, updated_at)
SELECT DISTINCT ON (a, b) 't1', (100000 + a)::text, (100000 + b)::text, random(), (ARRAY['pending','confirmed','dismissed'])[1 + (a % 3)],
       now() - (a % 120) * interval '1 day', now() - (a % 100) * interval '1 day'
FROM (SELECT 1 + (random() * 99999)::int AS a, 1 + (random() * 99999)::int AS b FROM generate_series(1, 30000)) s WHERE a <> b;
ANALYZE;
"""
subprocess.run(['psql', db, '-v', 'ON_ERROR_STOP=1', '-qc', SEED], check=True)


def run(sql):
    out = subprocess.run(['psql', db, '-qAtc', 'EXPLAIN (ANALYZE, FORMAT JSON) ' + sql], capture_output=True, text=True, check=True).stdout
    return json.loads(out)[0]['Execution Time']
def arr(items): return "'{" + ",".join('"%s"' % i for i in items) + "}'"
live = (" FROM pairs p JOIN index_documents i ON i.tenant_id = p.tenant_id AND i.issue_id = p.issue_id AND i.deleted_ms IS NULL"
        " JOIN index_documents c ON c.tenant_id = p.tenant_id AND c.issue_id = p.candidate_id AND c.deleted_ms IS NULL WHERE p.tenant_id = 't1'")
filt = " AND ('' = '' OR p.status = '') AND ('' = '' OR i.project_key = '') AND p.score >= 0::double precision AND ('' = '')"
def vis(a, P, S): return (f" AND (({a}.security_level_id = '' AND {a}.project_id <> '' AND {a}.project_id = ANY({P}::text[])) OR {a}.issue_id = ANY({S}::text[]))")
def both(P, S): return vis('i', P, S) + vis('c', P, S)
cols = "SELECT p.issue_id, i.issue_key, i.summary, i.project_key, i.status, i.created_ms, p.candidate_id, c.issue_key, c.summary, c.project_key, c.status, c.created_ms, p.score, p.status"
order = " ORDER BY p.score DESC, p.created_at DESC, p.issue_id, p.candidate_id LIMIT 25 OFFSET 0"
secured = [str(100000 + g) for g in range(100, 100001, 100)]  # 1,000 secured issues
roles = {
  'admin': (arr([str(10000 + k) for k in range(50)]), arr(secured)),
  'developer': (arr([str(10000 + k) for k in range(10)]), arr(secured[:200])),
}
queries = {
  'count_pairs': lambda v: "SELECT count(*)" + live + filt + (both(*v) if v else ''),
  'list_pairs page 1': lambda v: cols + live + filt + (both(*v) if v else '') + order,
  'count_by_status': lambda v: "SELECT count(*) FILTER (WHERE p.status = 'pending'), count(*) FILTER (WHERE p.status = 'confirmed'), count(*) FILTER (WHERE p.status = 'dismissed')" + live + (both(*v) if v else ''),
  'by_project': lambda v: "SELECT i.project_key, count(*), count(*) FILTER (WHERE p.status = 'confirmed')" + live + (both(*v) if v else '') + " GROUP BY i.project_key ORDER BY 2 DESC, 1 LIMIT 50",
}
inputs = ["SELECT DISTINCT project_id FROM index_documents WHERE tenant_id = 't1' AND deleted_ms IS NULL AND security_level_id = '' AND project_id <> '' ORDER BY 1",
          "WITH paired AS (SELECT issue_id AS id FROM pairs WHERE tenant_id = 't1' UNION SELECT candidate_id FROM pairs WHERE tenant_id = 't1') SELECT d.issue_id FROM index_documents d LEFT JOIN paired ON paired.id = d.issue_id WHERE d.tenant_id = 't1' AND d.deleted_ms IS NULL AND (d.security_level_id IS NULL OR d.security_level_id <> '' OR d.project_id = '') ORDER BY paired.id IS NULL, d.issue_id LIMIT 2001"]
inputs = ["WITH RECURSIVE keys AS ((SELECT project_key FROM index_documents WHERE tenant_id = 't1' AND deleted_ms IS NULL ORDER BY project_key LIMIT 1) UNION ALL SELECT (SELECT d.project_key FROM index_documents d WHERE d.tenant_id = 't1' AND d.deleted_ms IS NULL AND d.project_key > keys.project_key ORDER BY d.project_key LIMIT 1) FROM keys WHERE keys.project_key IS NOT NULL) SELECT DISTINCT one.project_id FROM keys CROSS JOIN LATERAL (SELECT d.project_id FROM index_documents d WHERE d.tenant_id = 't1' AND d.deleted_ms IS NULL AND d.project_key = keys.project_key AND d.security_level_id = '' AND d.project_id <> '' LIMIT 1) one ORDER BY 1",
  "SELECT d.issue_id FROM index_documents d WHERE d.tenant_id = 't1' AND d.deleted_ms IS NULL AND (d.security_level_id IS NULL OR d.security_level_id <> '' OR d.project_id = '') ORDER BY NOT (EXISTS (SELECT 1 FROM pairs p WHERE p.tenant_id = 't1' AND p.issue_id = d.issue_id) OR EXISTS (SELECT 1 FROM pairs p WHERE p.tenant_id = 't1' AND p.candidate_id = d.issue_id)), d.issue_id LIMIT 2001"]
N = 9
print(f"100,000 issues (50 projects, 1,000 secured), 30,000 pairs; median of {N} alternated runs, ms (EXPLAIN ANALYZE)")
for name, q in queries.items():
    t = {'before': [], 'admin': [], 'developer': []}
    for _ in range(N):
        t['before'].append(run(q(None)))
        for r in roles: t[r].append(run(q(roles[r])))
    m = {k: statistics.median(v) for k, v in t.items()}
    print(f"{name:18s} before {m['before']:8.2f}  admin {m['admin']:8.2f} (x{m['admin'] / m['before']:.2f})"
          f"  developer {m['developer']:8.2f} (x{m['developer'] / m['before']:.2f})")
for i, q in enumerate(inputs):
    print(f"read_visibility_inputs query {i + 1}: {statistics.median(run(q) for _ in range(N)):.2f} ms")
