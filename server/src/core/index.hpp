// The memory-resident index of one tenant: vocabulary with postings, per-document term
// vectors and lengths, collection statistics; incremental put/remove; top-k search.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/analyzer.hpp"
#include "core/model_options.hpp"
#include "core/term_table.hpp"

namespace doppel::core {

// What the index stores for one issue: its metadata and its analysed text.
struct indexed_document {
  std::string issue_id;
  std::string key;
  std::string project;
  std::string issue_type;
  std::string status;
  std::string summary;  // for display by the store; not kept by search_index
  std::vector<std::string> components;
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
  std::string project_id;         // for the permission filter (stored, not kept by search_index); "" = not known
  bool security_known = false;    // see issue_document
  std::string security_level_id;
  analyzed_document analysis;
  bool operator==(const indexed_document&) const = default;
};

// Builds the stored form of an issue (metadata copied, text analysed).
indexed_document make_indexed_document(const issue_document& doc, tokenizer& tok);

// A query: analysed text plus the context the priors use.
struct query {
  analyzed_document analysis;
  std::string project;                  // for same_project_boost ("" = none)
  std::vector<std::string> components;  // for same_component_boost
  std::int64_t created_ms = 0;          // for recency (0 = no recency prior)
  bool draft = false;                   // scored with the draft_* options (model_options)
};

// The query of a draft (the create dialog's text, not yet an issue) of a project, typed at now_ms: the draft is
// dated now, so the recency prior applies as it does to an issue created now (summary-only drafts of the dev set,
// creation-time replay: RR@5 0.571 -> 0.603 without, with it; docs/engine.md).
query draft_query(analyzed_document analysis, std::string project, std::int64_t now_ms);

struct search_filter {
  std::vector<std::string> projects;     // empty = any
  std::vector<std::string> issue_types;  // empty = any
  std::vector<std::string> statuses;     // empty = any
  std::unordered_set<std::string> exclude_issue_ids;  // e.g. dismissed pairs
  double threshold = 0.0;  // minimum normalised score
  std::size_t limit = 20;
  bool full_scan = false;  // part of a rescan of the whole backlog: pool of model_options::scan_candidate_pool
};

struct matched_term {
  std::string term;
  double weight = 0;  // this term's share of the normalised score
};

struct search_hit {
  std::string issue_id;
  std::string key;
  double score = 0;  // normalised score (1 = the query's self-similarity) times the priors
  std::vector<matched_term> terms;  // strongest first, at most model_options::explain_terms
  std::int64_t created_ms = 0;      // the candidate's creation time (0 = unknown)
};

// An indexed issue's fields without its terms (what the likelihood's agreement features compare).
struct document_facts {
  std::string project;
  std::string issue_type;
  std::vector<std::string> components;
  std::int64_t created_ms = 0;
};

// Collection statistics (exact integers, so incremental and rebuilt indexes agree bit for bit).
struct index_stats {
  std::size_t documents = 0;
  std::size_t terms = 0;      // vocabulary size (terms with df >= 1)
  std::size_t postings = 0;
  std::array<std::uint64_t, field_count> total_lengths{};
};

// A 32-bit summary of a set of interned component ids (bit id mod 32): two documents whose
// summaries share no bit share no component.
inline std::uint32_t component_bits(const std::vector<std::uint32_t>& component_ids) {
  std::uint32_t bits = 0;
  for (auto id : component_ids) bits |= 1u << (id & 31);
  return bits;
}

class search_index {
 public:
  explicit search_index(model_options options = {});

  const model_options& options() const { return options_; }

  // Inserts or replaces the document with doc.issue_id (old terms out, new terms in).
  void put(indexed_document doc);
  // Removes the document; false when absent.
  bool remove(std::string_view issue_id);
  // Removes every document of the project; returns how many.
  std::size_t remove_project(std::string_view project);

  std::size_t size() const { return ids_.size(); }
  index_stats stats() const;
  std::uint32_t document_frequency(std::string_view term) const;
  // The stored document (metadata + analysis) or nullopt.
  std::optional<indexed_document> document_by_id(std::string_view issue_id) const;
  std::optional<indexed_document> document_by_key(std::string_view key) const;
  // The stored document's fields without its terms (cheaper than document_by_id) or nullopt.
  std::optional<document_facts> facts_by_id(std::string_view issue_id) const;

  // Top-k for an issue already in the index (the issue itself excluded); empty when absent.
  std::vector<search_hit> search_issue(std::string_view issue_id, const search_filter& filter) const;
  // Top-k for a query (draft text or an issue not yet indexed).
  std::vector<search_hit> search(const query& q, const search_filter& filter) const;

  // Renumbers the terms by decreasing document frequency (ties by text). Results never depend on
  // term ids; this only makes common terms, the ones rescoring looks up in each candidate's
  // id-sorted term list, come first in those lists. Done after loading; O(postings).
  void renumber_terms();

  // Canonical text of the whole index state (statistics, document frequencies, documents);
  // equal dumps mean equal indexes regardless of insertion order. For tests.
  std::string canonical_dump() const;

  // Approximate heap bytes held (for memory-per-issue measurements).
  std::size_t memory_bytes() const;

 private:
  struct doc_term {
    std::uint32_t term;
    field_tf tf;
  };
  struct doc_entry {
    std::string issue_id;
    std::string key;
    std::uint32_t project = 0, issue_type = 0, status = 0;
    std::uint32_t component_bits = 0;  // component_bits(components): a cheap "shares none" test
    std::vector<std::uint32_t> components;
    std::int64_t created_ms = 0, updated_ms = 0;
    bool live = false;
  };
  // Per-slot scoring weights: bm25: w_f / K_f(d); cosine: w_f (with 1 / ‖d‖ from tf_norms_).
  // 16 bytes, aligned: one cache line read per posting scored.
  struct slot_weights {
    alignas(16) std::array<float, field_count> w{};
  };

  std::uint32_t intern(const std::string& s);
  std::uint32_t slot_of_id(std::string_view issue_id) const;  // slot_map::npos when absent
  std::uint32_t slot_of_key(std::string_view key) const;
  void release_slot(std::uint32_t slot);
  indexed_document export_doc(std::uint32_t slot) const;
  float tf_norm_of(const analyzed_document& a) const;
  slot_weights weights_for(const field_lengths& len) const;
  void refresh_averages();  // after every change: quantised averages, per-slot weights
  // A query with its terms resolved to ids (terms absent from the index dropped).
  struct resolved_query {
    std::span<const doc_term> terms;  // the indexed document's own term list, or `resolved`
    std::vector<doc_term> resolved;
    // Query terms no indexed document has (search() of a not-yet-indexed issue or a draft): they match nothing
    // but belong to raw(q, q), as they would once the issue is indexed.
    std::vector<std::pair<std::string_view, field_tf>> unknown;
    field_lengths lengths{};
    float tf_norm = 1.0f;
    std::uint32_t project = UINT32_MAX;  // interned name id, UINT32_MAX = none
    std::vector<std::uint32_t> components;
    std::int64_t created_ms = 0;
    bool draft = false;
  };
  std::vector<search_hit> run(const resolved_query& q, const search_filter& filter,
                              std::optional<std::uint32_t> self) const;
  class searcher;  // the steps of one run() (search.cpp)

  model_options options_;
  detail::term_table vocabulary_;
  std::vector<detail::posting_list> postings_by_term_;  // by term id
  std::vector<doc_entry> docs_;
  std::vector<field_lengths> lengths_;  // by slot
  // By slot, each sorted by term id (for removal, issue queries, rescoring, explanations); kept
  // apart from doc_entry so that reaching a candidate's terms costs no cache miss on its metadata.
  std::vector<std::vector<doc_term>> terms_;
  std::vector<float> tf_norms_;         // by slot (cosine mode)
  std::vector<slot_weights> weights_;   // by slot, read while scoring
  std::vector<std::uint32_t> free_slots_;
  detail::slot_map ids_;   // issue id -> slot
  detail::slot_map keys_;  // issue key -> slot
  std::vector<std::string> names_;  // interned projects, issue types, statuses, components
  std::unordered_map<std::string, std::uint32_t> name_ids_;
  std::array<std::uint64_t, field_count> total_lengths_{};
  std::array<double, field_count> avg_lengths_{};  // quantised (see search.cpp)
  std::size_t postings_ = 0;
};

}  // namespace doppel::core
