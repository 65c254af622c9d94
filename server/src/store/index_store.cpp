// index_store: SQL for the per-tenant duplicate index. All statements are parameterised; arrays
// travel as PostgreSQL array literals built by array_literal().
#include "store/index_store.hpp"

#include <boost/json.hpp>

#include <charconv>

namespace doppel::store {

std::string array_literal(const std::vector<std::string>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

std::string array_literal(const std::vector<long long>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(items[i]);
  }
  out += '}';
  return out;
}

namespace {

constexpr int page_size = 2000;

// Adds delta to the document frequency of each term (sorted map: a stable row lock order).
void apply_df_delta(pqxx::work& tx, const std::string& tenant, const std::map<std::string, long long>& delta) {
  std::vector<std::string> up_terms, down_terms;
  std::vector<long long> up_n, down_n;
  for (const auto& [term, n] : delta) {
    if (n > 0) up_terms.push_back(term), up_n.push_back(n);
    if (n < 0) down_terms.push_back(term), down_n.push_back(n);
  }
  if (!up_terms.empty())
    tx.exec_params(
        "INSERT INTO index_terms (tenant_id, term, df) SELECT $1, d.term, d.n FROM unnest($2::text[], $3::int[]) AS "
        "d(term, n) ON CONFLICT (tenant_id, term) DO UPDATE SET df = index_terms.df + EXCLUDED.df",
        tenant, array_literal(up_terms), array_literal(up_n));
  if (!down_terms.empty()) {
    const std::string terms = array_literal(down_terms);
    tx.exec_params(
        "UPDATE index_terms t SET df = t.df + d.n FROM unnest($2::text[], $3::int[]) AS d(term, n) "
        "WHERE t.tenant_id = $1 AND t.term = d.term",
        tenant, terms, array_literal(down_n));
    tx.exec_params("DELETE FROM index_terms WHERE tenant_id = $1 AND term = ANY($2::text[]) AND df = 0", tenant, terms);
  }
}

// Locks the tenant's statistics row (creating it): serialises the tenant's index writers so
// generations follow commit order.
void lock_stats(pqxx::work& tx, const std::string& tenant) {
  tx.exec_params("INSERT INTO index_stats (tenant_id) VALUES ($1) ON CONFLICT (tenant_id) DO NOTHING", tenant);
  tx.exec_params("SELECT 1 FROM index_stats WHERE tenant_id = $1 FOR UPDATE", tenant);
}

std::int64_t bump_stats(pqxx::work& tx, const std::string& tenant, long long docs,
                        const std::array<long long, core::field_count>& len) {
  auto r = tx.exec_params(
      "UPDATE index_stats SET documents = documents + $2, len_summary = len_summary + $3, "
      "len_description = len_description + $4, len_environment = len_environment + $5, len_meta = len_meta + $6, "
      "generation = generation + 1 WHERE tenant_id = $1 RETURNING generation",
      tenant, docs, len[0], len[1], len[2], len[3]);
  return r[0][0].as<std::int64_t>();
}

std::int64_t current_generation(pqxx::transaction_base& tx, const std::string& tenant) {
  auto r = tx.exec_params("SELECT generation FROM index_stats WHERE tenant_id = $1", tenant);
  return r.empty() ? 0 : r[0][0].as<std::int64_t>();
}

void add_terms(const std::string& vector_text, long long sign, std::map<std::string, long long>& delta) {
  std::vector<core::term_freq> terms;
  decode_term_vector(vector_text, terms);
  for (const auto& t : terms) delta[t.term] += sign;
}

std::vector<std::string> parse_json_strings(const std::string& text) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& x : v.get_array())
    if (x.is_string()) out.emplace_back(x.get_string());
  return out;
}

issue_meta meta_of(const pqxx::row& r) {
  issue_meta m{r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(),
               r[3].as<std::string>(), r[4].as<std::string>(), r[5].as<std::string>(),
               r[6].is_null() ? std::int64_t(0) : r[6].as<std::int64_t>()};
  m.project_id = r[7].as<std::string>();
  m.security_known = !r[8].is_null();
  if (m.security_known) m.security_level_id = r[8].as<std::string>();
  return m;
}

constexpr const char* meta_columns =
    "issue_id, issue_key, summary, project_key, issue_type, status, created_ms, project_id, security_level_id";

}  // namespace

std::string encode_term_vector(const core::analyzed_document& a) {
  std::string out;
  out.reserve(a.terms.size() * 16);
  for (const auto& t : a.terms) {
    out += t.term;
    out += '\t';
    for (std::size_t f = 0; f < core::field_count; ++f) {
      if (f) out += ' ';
      out += std::to_string(static_cast<int>(t.tf[f]));
    }
    out += '\n';
  }
  return out;
}

bool decode_term_vector(std::string_view text, std::vector<core::term_freq>& out) {
  out.clear();
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    auto tab = line.find('\t');
    if (tab == std::string_view::npos) return false;
    core::term_freq tf;
    tf.term = std::string(line.substr(0, tab));
    const char* p = line.data() + tab + 1;
    const char* end = line.data() + line.size();
    for (std::size_t f = 0; f < core::field_count; ++f) {
      while (p < end && *p == ' ') ++p;
      int v = 0;
      auto [next, ec] = std::from_chars(p, end, v);
      if (ec != std::errc{} || v < 0 || v > 255) return false;
      tf.tf[f] = static_cast<std::uint8_t>(v);
      p = next;
    }
    out.push_back(std::move(tf));
  }
  return true;
}

upsert_result upsert_issue(pqxx::work& tx, const std::string& tenant_id, const core::issue_document& doc,
                           core::tokenizer& tok) {
  return upsert_document(tx, tenant_id, core::make_indexed_document(doc, tok));
}

upsert_result upsert_document(pqxx::work& tx, const std::string& tenant, const core::indexed_document& doc) {
  lock_stats(tx, tenant);
  upsert_result out;
  auto old = tx.exec_params(
      "SELECT updated_ms, deleted_ms, term_vector, len_summary, len_description, len_environment, len_meta "
      "FROM index_documents WHERE tenant_id = $1 AND issue_id = $2",
      tenant, doc.issue_id);
  std::map<std::string, long long> delta;
  std::array<long long, core::field_count> len{};
  long long docs = 1;
  if (!old.empty()) {
    const auto& r = old[0];
    const bool deleted = !r[1].is_null();
    if (deleted && doc.updated_ms <= r[1].as<std::int64_t>()) out.outcome = upsert_outcome::tombstoned;
    else if (!deleted && doc.updated_ms <= r[0].as<std::int64_t>()) out.outcome = upsert_outcome::stale;
    if (out.outcome != upsert_outcome::applied) {
      out.change.generation = current_generation(tx, tenant);
      return out;
    }
    if (!deleted) {
      add_terms(r[2].as<std::string>(), -1, delta);
      for (std::size_t f = 0; f < core::field_count; ++f) len[f] -= r[3 + static_cast<int>(f)].as<long long>();
      docs = 0;
    }
  }
  for (const auto& t : doc.analysis.terms) delta[t.term] += 1;
  for (std::size_t f = 0; f < core::field_count; ++f) len[f] += doc.analysis.lengths[f];
  apply_df_delta(tx, tenant, delta);
  tx.exec_params(
      "INSERT INTO index_documents (tenant_id, issue_id, issue_key, project_key, issue_type, status, summary, "
      "components, created_ms, updated_ms, deleted_ms, len_summary, len_description, len_environment, len_meta, "
      "term_vector, analysis_version, project_id, security_level_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text[], "
      "$9, $10, NULL, $11, $12, $13, $14, $15, $16, $17, $18) ON CONFLICT (tenant_id, issue_id) DO UPDATE SET "
      "issue_key = EXCLUDED.issue_key, project_id = EXCLUDED.project_id, security_level_id = EXCLUDED.security_level_id, "
      "project_key = EXCLUDED.project_key, issue_type = EXCLUDED.issue_type, status = EXCLUDED.status, "
      "summary = EXCLUDED.summary, components = EXCLUDED.components, created_ms = EXCLUDED.created_ms, "
      "updated_ms = EXCLUDED.updated_ms, deleted_ms = NULL, len_summary = EXCLUDED.len_summary, "
      "len_description = EXCLUDED.len_description, len_environment = EXCLUDED.len_environment, "
      "len_meta = EXCLUDED.len_meta, term_vector = EXCLUDED.term_vector, analysis_version = EXCLUDED.analysis_version",
      tenant, doc.issue_id, doc.key, doc.project, doc.issue_type, doc.status, doc.summary,
      array_literal(doc.components), doc.created_ms, doc.updated_ms, static_cast<int>(doc.analysis.lengths[0]),
      static_cast<int>(doc.analysis.lengths[1]), static_cast<int>(doc.analysis.lengths[2]),
      static_cast<int>(doc.analysis.lengths[3]), encode_term_vector(doc.analysis), core::analysis_version,
      doc.project_id, doc.security_known ? std::optional<std::string>(doc.security_level_id) : std::nullopt);
  out.change.what = index_change::kind::put;
  out.change.document = doc;
  out.change.generation = bump_stats(tx, tenant, docs, len);
  return out;
}

index_change delete_document(pqxx::work& tx, const std::string& tenant, const std::string& issue_id,
                             std::int64_t deleted_ms) {
  lock_stats(tx, tenant);
  index_change change;
  auto old = tx.exec_params(
      "SELECT deleted_ms, term_vector, len_summary, len_description, len_environment, len_meta "
      "FROM index_documents WHERE tenant_id = $1 AND issue_id = $2",
      tenant, issue_id);
  if (old.empty() || !old[0][0].is_null()) {
    // Unknown or already deleted: record (or extend) the tombstone; the index itself is unchanged.
    tx.exec_params(
        "INSERT INTO index_documents (tenant_id, issue_id, issue_key, deleted_ms) VALUES ($1, $2, '', $3) "
        "ON CONFLICT (tenant_id, issue_id) DO UPDATE SET deleted_ms = GREATEST(index_documents.deleted_ms, "
        "EXCLUDED.deleted_ms)",
        tenant, issue_id, deleted_ms);
    change.generation = current_generation(tx, tenant);
    return change;
  }
  std::map<std::string, long long> delta;
  add_terms(old[0][1].as<std::string>(), -1, delta);
  std::array<long long, core::field_count> len{};
  for (std::size_t f = 0; f < core::field_count; ++f) len[f] = -old[0][2 + static_cast<int>(f)].as<long long>();
  apply_df_delta(tx, tenant, delta);
  tx.exec_params(
      "UPDATE index_documents SET deleted_ms = $3, term_vector = '', len_summary = 0, len_description = 0, "
      "len_environment = 0, len_meta = 0 WHERE tenant_id = $1 AND issue_id = $2",
      tenant, issue_id, deleted_ms);
  change.what = index_change::kind::remove;
  change.issue_id = issue_id;
  change.generation = bump_stats(tx, tenant, -1, len);
  return change;
}

index_change delete_project(pqxx::work& tx, const std::string& tenant, const std::string& project,
                            std::int64_t deleted_ms) {
  lock_stats(tx, tenant);
  auto rows = tx.exec_params(
      "SELECT term_vector, len_summary, len_description, len_environment, len_meta FROM index_documents "
      "WHERE tenant_id = $1 AND project_key = $2 AND deleted_ms IS NULL",
      tenant, project);
  index_change change;
  if (rows.empty()) {
    change.generation = current_generation(tx, tenant);
    return change;
  }
  std::map<std::string, long long> delta;
  std::array<long long, core::field_count> len{};
  for (const auto& r : rows) {
    add_terms(r[0].as<std::string>(), -1, delta);
    for (std::size_t f = 0; f < core::field_count; ++f) len[f] -= r[1 + static_cast<int>(f)].as<long long>();
  }
  apply_df_delta(tx, tenant, delta);
  tx.exec_params(
      "UPDATE index_documents SET deleted_ms = $3, term_vector = '', len_summary = 0, len_description = 0, "
      "len_environment = 0, len_meta = 0 WHERE tenant_id = $1 AND project_key = $2 AND deleted_ms IS NULL",
      tenant, project, deleted_ms);
  change.what = index_change::kind::remove_project;
  change.project = project;
  change.generation = bump_stats(tx, tenant, -static_cast<long long>(rows.size()), len);
  return change;
}

index_change delete_tenant_index(pqxx::work& tx, const std::string& tenant) {
  tx.exec_params("DELETE FROM index_documents WHERE tenant_id = $1", tenant);
  tx.exec_params("DELETE FROM index_terms WHERE tenant_id = $1", tenant);
  tx.exec_params("DELETE FROM index_stats WHERE tenant_id = $1", tenant);
  index_change change;
  change.what = index_change::kind::clear;
  return change;
}

core::search_index load_index(pqxx::transaction_base& tx, const std::string& tenant,
                              const core::model_options& options, std::int64_t& generation) {
  generation = current_generation(tx, tenant);
  core::search_index idx(options);
  std::string after;
  for (;;) {
    auto rows = tx.exec_params(
        "SELECT issue_id, issue_key, project_key, issue_type, status, array_to_json(components)::text, created_ms, "
        "updated_ms, len_summary, len_description, len_environment, len_meta, term_vector FROM index_documents "
        "WHERE tenant_id = $1 AND deleted_ms IS NULL AND issue_id > $2 ORDER BY issue_id LIMIT $3",
        tenant, after, page_size);
    for (const auto& r : rows) {
      core::indexed_document d;
      d.issue_id = r[0].as<std::string>();
      d.key = r[1].as<std::string>();
      d.project = r[2].as<std::string>();
      d.issue_type = r[3].as<std::string>();
      d.status = r[4].as<std::string>();
      d.components = parse_json_strings(r[5].as<std::string>());
      d.created_ms = r[6].as<std::int64_t>();
      d.updated_ms = r[7].as<std::int64_t>();
      for (std::size_t f = 0; f < core::field_count; ++f)
        d.analysis.lengths[f] = static_cast<std::uint16_t>(r[8 + static_cast<int>(f)].as<int>());
      if (!decode_term_vector(r[12].as<std::string>(), d.analysis.terms))
        throw std::runtime_error("index_documents.term_vector is corrupt");
      after = d.issue_id;
      idx.put(std::move(d));
    }
    if (rows.size() < static_cast<std::size_t>(page_size)) break;
  }
  idx.renumber_terms();  // common terms first in every term list (see search_index::renumber_terms)
  return idx;
}

std::optional<issue_meta> find_issue_by_key(pqxx::transaction_base& tx, const std::string& tenant,
                                            const std::string& key) {
  auto r = tx.exec_params(std::string("SELECT ") + meta_columns +
                              " FROM index_documents WHERE tenant_id = $1 AND issue_key = $2 AND deleted_ms IS NULL "
                              "ORDER BY updated_ms DESC LIMIT 1",
                          tenant, key);
  if (r.empty()) return std::nullopt;
  return meta_of(r[0]);
}

// The panel's two reads are prepared once per connection (pqxx registers a statement on first use; the same
// definition again is a no-op): planning them cost PostgreSQL more than running them (about 0.2 vs 0.1 ms each).
issue_with_pairs find_issue_with_pairs(pqxx::transaction_base& tx, const std::string& tenant, const std::string& key) {
  static const std::string statement =
      std::string("WITH d AS (SELECT ") + meta_columns +
      " FROM index_documents WHERE tenant_id = $1 AND issue_key = $2 AND deleted_ms IS NULL"
      " ORDER BY updated_ms DESC LIMIT 1)"
      " SELECT d.*, p.issue_id, p.candidate_id, p.score, p.status FROM d LEFT JOIN pairs p"
      " ON p.tenant_id = $1 AND (p.issue_id = d.issue_id OR p.candidate_id = d.issue_id)";
  tx.conn().prepare("doppel_issue_with_pairs", statement);
  auto rows = tx.exec_prepared("doppel_issue_with_pairs", tenant, key);
  issue_with_pairs out;
  if (rows.empty()) return out;
  out.meta = meta_of(rows[0]);
  constexpr int p = 9;  // the pair's columns follow the meta columns
  for (const auto& r : rows)
    if (!r[p].is_null())
      out.pairs.push_back({r[p].as<std::string>(), r[p + 1].as<std::string>(), r[p + 2].as<double>(),
                           r[p + 3].as<std::string>()});
  return out;
}

std::optional<issue_meta> find_issue_by_id(pqxx::transaction_base& tx, const std::string& tenant,
                                           const std::string& issue_id) {
  auto r = tx.exec_params(std::string("SELECT ") + meta_columns +
                              " FROM index_documents WHERE tenant_id = $1 AND issue_id = $2 AND deleted_ms IS NULL",
                          tenant, issue_id);
  if (r.empty()) return std::nullopt;
  return meta_of(r[0]);
}

std::optional<std::string> find_project_id(pqxx::transaction_base& tx, const std::string& tenant,
                                           const std::string& project_key) {
  auto rows = tx.exec_params("SELECT project_id FROM index_documents WHERE tenant_id = $1 AND project_key = $2"
                             " AND deleted_ms IS NULL AND project_id <> '' LIMIT 1",
                             tenant, project_key);
  if (rows.empty()) return std::nullopt;
  return rows[0][0].as<std::string>();
}

std::vector<issue_meta> find_issues_by_ids(pqxx::transaction_base& tx, const std::string& tenant,
                                           const std::vector<std::string>& issue_ids) {
  std::vector<issue_meta> out;
  if (issue_ids.empty()) return out;
  static const std::string statement =
      std::string("SELECT ") + meta_columns +
      " FROM index_documents WHERE tenant_id = $1 AND issue_id = ANY($2::text[]) AND deleted_ms IS NULL";
  tx.conn().prepare("doppel_issues_by_ids", statement);
  auto rows = tx.exec_prepared("doppel_issues_by_ids", tenant, array_literal(issue_ids));
  std::map<std::string, issue_meta> by_id;
  for (const auto& r : rows) {
    auto m = meta_of(r);
    by_id.emplace(m.issue_id, std::move(m));
  }
  for (const auto& id : issue_ids)
    if (auto it = by_id.find(id); it != by_id.end()) out.push_back(it->second);
  return out;
}

index_statistics read_statistics(pqxx::transaction_base& tx, const std::string& tenant) {
  index_statistics s;
  auto r = tx.exec_params(
      "SELECT documents, len_summary, len_description, len_environment, len_meta, generation FROM index_stats "
      "WHERE tenant_id = $1",
      tenant);
  if (!r.empty()) {
    s.documents = r[0][0].as<std::int64_t>();
    for (std::size_t f = 0; f < core::field_count; ++f) s.total_lengths[f] = r[0][1 + static_cast<int>(f)].as<std::int64_t>();
    s.generation = r[0][5].as<std::int64_t>();
  }
  for (const auto& row : tx.exec_params("SELECT term, df FROM index_terms WHERE tenant_id = $1", tenant))
    s.document_frequencies.emplace(row[0].as<std::string>(), row[1].as<std::int64_t>());
  return s;
}

index_statistics rebuild_statistics(pqxx::work& tx, const std::string& tenant) {
  lock_stats(tx, tenant);
  std::map<std::string, long long> df;
  std::array<long long, core::field_count> len{};
  long long docs = 0;
  std::string after;
  for (;;) {
    auto rows = tx.exec_params(
        "SELECT issue_id, term_vector, len_summary, len_description, len_environment, len_meta FROM index_documents "
        "WHERE tenant_id = $1 AND deleted_ms IS NULL AND issue_id > $2 ORDER BY issue_id LIMIT $3",
        tenant, after, page_size);
    for (const auto& r : rows) {
      after = r[0].as<std::string>();
      add_terms(r[1].as<std::string>(), 1, df);
      for (std::size_t f = 0; f < core::field_count; ++f) len[f] += r[2 + static_cast<int>(f)].as<long long>();
      ++docs;
    }
    if (rows.size() < static_cast<std::size_t>(page_size)) break;
  }
  tx.exec_params("DELETE FROM index_terms WHERE tenant_id = $1", tenant);
  apply_df_delta(tx, tenant, df);
  tx.exec_params(
      "UPDATE index_stats SET documents = $2, len_summary = $3, len_description = $4, len_environment = $5, "
      "len_meta = $6, generation = generation + 1 WHERE tenant_id = $1",
      tenant, docs, len[0], len[1], len[2], len[3]);
  return read_statistics(tx, tenant);
}

void notify_index_generation(pqxx::work& tx, const std::string& tenant_id, std::int64_t generation) {
  tx.exec_params("SELECT pg_notify('doppel_index', $1)", tenant_id + " " + std::to_string(generation));
}

std::vector<issue_position> live_issues_after(pqxx::transaction_base& tx, const std::string& tenant_id,
                                              const std::string& after_issue_id, int limit) {
  auto rows = tx.exec_params(
      "SELECT issue_id, project_key, created_ms FROM index_documents WHERE tenant_id = $1 AND deleted_ms IS NULL"
      " AND issue_id > $2 ORDER BY issue_id LIMIT $3",
      tenant_id, after_issue_id, limit);
  std::vector<issue_position> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back({r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::int64_t>()});
  return out;
}

std::vector<std::string> live_issue_ids_in_project(pqxx::transaction_base& tx, const std::string& tenant_id,
                                                   const std::string& project) {
  auto rows = tx.exec_params(
      "SELECT issue_id FROM index_documents WHERE tenant_id = $1 AND project_key = $2 AND deleted_ms IS NULL",
      tenant_id, project);
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r[0].as<std::string>());
  return out;
}

}  // namespace doppel::store
