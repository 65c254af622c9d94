// index: incremental maintenance (put, remove), lookups, canonical dump, memory accounting.
#include "core/index.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

namespace doppel::core {

query draft_query(analyzed_document analysis, std::string project, std::int64_t now_ms) {
  return query{std::move(analysis), std::move(project), {}, now_ms, true};
}

indexed_document make_indexed_document(const issue_document& doc, tokenizer& tok) {
  indexed_document out;
  out.issue_id = doc.issue_id;
  out.key = doc.key;
  out.project = doc.project;
  out.issue_type = doc.issue_type;
  out.status = doc.status;
  out.summary = doc.summary;
  out.components = doc.components;
  out.created_ms = doc.created_ms;
  out.updated_ms = doc.updated_ms;
  out.project_id = doc.project_id;
  out.security_known = doc.security_known;
  out.security_level_id = doc.security_level_id;
  out.analysis = analyze(doc, tok);
  return out;
}

search_index::search_index(model_options options) : options_(std::move(options)) {}

std::uint32_t search_index::slot_of_id(std::string_view issue_id) const {
  return ids_.find(issue_id, [this](std::uint32_t s) { return std::string_view(docs_[s].issue_id); });
}

std::uint32_t search_index::slot_of_key(std::string_view key) const {
  return keys_.find(key, [this](std::uint32_t s) { return std::string_view(docs_[s].key); });
}

std::uint32_t search_index::intern(const std::string& s) {
  auto [it, inserted] = name_ids_.try_emplace(s, static_cast<std::uint32_t>(names_.size()));
  if (inserted) names_.push_back(s);
  return it->second;
}

float search_index::tf_norm_of(const analyzed_document& a) const {
  double sum = 0;
  for (const auto& t : a.terms) {
    double x = 0;
    for (std::size_t f = 0; f < field_count; ++f) x += options_.field_weights[f] * t.tf[f];
    double s = x >= 1 ? 1 + std::log(x) : x;
    if (is_bigram(t.term)) s *= options_.bigram_weight;
    sum += s * s;
  }
  return sum > 0 ? static_cast<float>(std::sqrt(sum)) : 1.0f;
}

// Average field lengths are quantised to steps of 2% (ln-scale grid), so the per-slot BM25
// weights only need recomputing when an average crosses a grid line; the quantised value is a
// function of the current totals alone, so incremental and rebuilt indexes stay identical.
void search_index::refresh_averages() {
  const double n = static_cast<double>(ids_.size());
  std::array<double, field_count> q{};
  for (std::size_t f = 0; f < field_count; ++f) {
    const double avg = n > 0 ? static_cast<double>(total_lengths_[f]) / n : 0.0;
    q[f] = avg > 0 ? std::exp(std::round(std::log(avg) * 50.0) / 50.0) : 0.0;
  }
  if (q == avg_lengths_) return;
  avg_lengths_ = q;
  for (std::size_t slot = 0; slot < docs_.size(); ++slot)
    if (docs_[slot].live) weights_[slot] = weights_for(lengths_[slot]);
}

search_index::slot_weights search_index::weights_for(const field_lengths& len) const {
  slot_weights sw;
  for (std::size_t f = 0; f < field_count; ++f) {
    const double w = options_.field_weights[f];
    if (!options_.bm25) {
      sw.w[f] = static_cast<float>(w);
      continue;
    }
    const double b = options_.field_b[f];
    const double k = avg_lengths_[f] > 0 ? 1.0 - b + b * len[f] / avg_lengths_[f] : 1.0;
    sw.w[f] = k > 0 ? static_cast<float>(w / k) : 0.0f;
  }
  return sw;
}

void search_index::put(indexed_document doc) {
  remove(doc.issue_id);
  std::uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(docs_.size());
    docs_.emplace_back();
    lengths_.emplace_back();
    terms_.emplace_back();
    tf_norms_.push_back(1.0f);
    weights_.emplace_back();
  }
  doc_entry& d = docs_[slot];
  d.issue_id = doc.issue_id;
  d.key = doc.key;
  d.project = intern(doc.project);
  d.issue_type = intern(doc.issue_type);
  d.status = intern(doc.status);
  d.components.clear();
  for (const auto& c : doc.components) d.components.push_back(intern(c));
  d.components.shrink_to_fit();
  d.component_bits = component_bits(d.components);
  d.created_ms = doc.created_ms;
  d.updated_ms = doc.updated_ms;
  d.live = true;
  auto& terms = terms_[slot];
  terms.clear();
  terms.reserve(doc.analysis.terms.size());
  for (const auto& t : doc.analysis.terms) {
    std::uint32_t id = vocabulary_.find(t.term);
    if (id == detail::term_table::npos) {
      id = vocabulary_.insert(t.term);
      if (id >= postings_by_term_.size()) postings_by_term_.resize(id + 1);
    }
    postings_by_term_[id].insert_sorted({slot, t.tf});
    terms.push_back({id, t.tf});
  }
  std::sort(terms.begin(), terms.end(), [](const doc_term& a, const doc_term& b) { return a.term < b.term; });
  postings_ += terms.size();
  lengths_[slot] = doc.analysis.lengths;
  tf_norms_[slot] = tf_norm_of(doc.analysis);
  for (std::size_t f = 0; f < field_count; ++f) total_lengths_[f] += doc.analysis.lengths[f];
  ids_.assign(d.issue_id, slot, [this](std::uint32_t x) { return std::string_view(docs_[x].issue_id); });
  keys_.assign(d.key, slot, [this](std::uint32_t x) { return std::string_view(docs_[x].key); });
  weights_[slot] = weights_for(lengths_[slot]);
  refresh_averages();
}

bool search_index::remove(std::string_view issue_id) {
  const std::uint32_t slot = slot_of_id(issue_id);
  if (slot == detail::slot_map::npos) return false;
  ids_.erase(docs_[slot].issue_id, slot, [this](std::uint32_t x) { return std::string_view(docs_[x].issue_id); });
  release_slot(slot);
  refresh_averages();
  return true;
}

void search_index::release_slot(std::uint32_t slot) {
  doc_entry& d = docs_[slot];
  for (const auto& [term, tf] : terms_[slot]) {
    auto& post = postings_by_term_[term];
    post.erase_slot(slot);
    if (post.empty()) vocabulary_.erase(term);
  }
  postings_ -= terms_[slot].size();
  for (std::size_t f = 0; f < field_count; ++f) total_lengths_[f] -= lengths_[slot][f];
  keys_.erase(d.key, slot, [this](std::uint32_t x) { return std::string_view(docs_[x].key); });
  d = doc_entry{};
  lengths_[slot] = {};
  terms_[slot] = {};
  tf_norms_[slot] = 1.0f;
  weights_[slot] = {};
  free_slots_.push_back(slot);
}

std::size_t search_index::remove_project(std::string_view project) {
  auto p = name_ids_.find(std::string(project));
  if (p == name_ids_.end()) return 0;
  std::vector<std::string> ids;
  for (const auto& d : docs_)
    if (d.live && d.project == p->second) ids.push_back(d.issue_id);
  for (const auto& id : ids) remove(id);
  return ids.size();
}

void search_index::renumber_terms() {
  std::vector<std::uint32_t> order;
  order.reserve(vocabulary_.size());
  for (std::uint32_t id = 0; id < vocabulary_.id_limit(); ++id)
    if (vocabulary_.live(id)) order.push_back(id);
  std::sort(order.begin(), order.end(), [this](std::uint32_t a, std::uint32_t b) {
    const std::size_t da = postings_by_term_[a].size(), db = postings_by_term_[b].size();
    return da != db ? da > db : vocabulary_.text(a) < vocabulary_.text(b);
  });
  detail::term_table vocabulary;
  std::vector<detail::posting_list> postings(order.size());
  std::vector<std::uint32_t> new_id(vocabulary_.id_limit(), detail::term_table::npos);
  for (std::uint32_t old : order) {
    const std::uint32_t id = vocabulary.insert(vocabulary_.text(old));  // 0, 1, 2, ... in this order
    new_id[old] = id;
    postings[id] = std::move(postings_by_term_[old]);
  }
  vocabulary_ = std::move(vocabulary);
  postings_by_term_ = std::move(postings);
  for (auto& terms : terms_) {
    for (auto& t : terms) t.term = new_id[t.term];
    std::sort(terms.begin(), terms.end(), [](const doc_term& a, const doc_term& b) { return a.term < b.term; });
  }
}

index_stats search_index::stats() const {
  index_stats s;
  s.documents = ids_.size();
  s.terms = vocabulary_.size();
  s.postings = postings_;
  s.total_lengths = total_lengths_;
  return s;
}

std::uint32_t search_index::document_frequency(std::string_view term) const {
  const std::uint32_t id = vocabulary_.find(term);
  return id == detail::term_table::npos ? 0 : static_cast<std::uint32_t>(postings_by_term_[id].size());
}

indexed_document search_index::export_doc(std::uint32_t slot) const {
  const doc_entry& d = docs_[slot];
  indexed_document out;
  out.issue_id = d.issue_id;
  out.key = d.key;
  out.project = names_[d.project];
  out.issue_type = names_[d.issue_type];
  out.status = names_[d.status];
  for (auto c : d.components) out.components.push_back(names_[c]);
  out.created_ms = d.created_ms;
  out.updated_ms = d.updated_ms;
  out.analysis.lengths = lengths_[slot];
  for (const auto& t : terms_[slot]) out.analysis.terms.push_back({std::string(vocabulary_.text(t.term)), t.tf});
  std::sort(out.analysis.terms.begin(), out.analysis.terms.end(),
            [](const term_freq& a, const term_freq& b) { return a.term < b.term; });
  return out;
}

std::optional<indexed_document> search_index::document_by_id(std::string_view issue_id) const {
  const std::uint32_t slot = slot_of_id(issue_id);
  if (slot == detail::slot_map::npos) return std::nullopt;
  return export_doc(slot);
}

std::optional<document_facts> search_index::facts_by_id(std::string_view issue_id) const {
  const std::uint32_t slot = slot_of_id(issue_id);
  if (slot == detail::slot_map::npos) return std::nullopt;
  const doc_entry& d = docs_[slot];
  document_facts out{names_[d.project], names_[d.issue_type], {}, d.created_ms};
  for (auto c : d.components) out.components.push_back(names_[c]);
  return out;
}

std::optional<indexed_document> search_index::document_by_key(std::string_view key) const {
  const std::uint32_t slot = slot_of_key(key);
  if (slot == detail::slot_map::npos) return std::nullopt;
  return export_doc(slot);
}

std::string search_index::canonical_dump() const {
  std::ostringstream out;
  auto s = stats();
  out << "documents " << s.documents << "\nterms " << s.terms << "\npostings " << s.postings << "\nlengths";
  for (auto l : s.total_lengths) out << ' ' << l;
  out << '\n';
  std::map<std::string, std::size_t> df;
  for (std::uint32_t id = 0; id < vocabulary_.id_limit(); ++id)
    if (vocabulary_.live(id)) df[std::string(vocabulary_.text(id))] = postings_by_term_[id].size();
  for (const auto& [text, n] : df) out << "df " << text << ' ' << n << '\n';
  std::map<std::string, std::uint32_t> by_id;
  ids_.for_each([&](std::uint32_t slot) { by_id.emplace(docs_[slot].issue_id, slot); });
  for (const auto& [id, slot] : by_id) {
    auto d = export_doc(slot);
    out << "doc " << d.issue_id << ' ' << d.key << ' ' << d.project << ' ' << d.issue_type << ' ' << d.status << ' '
        << d.created_ms << ' ' << d.updated_ms << " [";
    for (const auto& c : d.components) out << c << ';';
    out << "] len";
    for (auto l : d.analysis.lengths) out << ' ' << l;
    out << " norm " << tf_norms_[slot] << '\n';
    for (const auto& t : d.analysis.terms) {
      out << "  " << t.term;
      for (auto x : t.tf) out << ' ' << static_cast<int>(x);
      out << '\n';
    }
  }
  return out.str();
}

std::size_t search_index::memory_bytes() const {
  auto str = [](const std::string& s) { return s.capacity() > 15 ? s.capacity() + 1 : 0; };
  std::size_t bytes = vocabulary_.memory_bytes() + postings_by_term_.capacity() * sizeof(detail::posting_list);
  for (const auto& p : postings_by_term_) bytes += p.heap_bytes();
  bytes += docs_.capacity() * sizeof(doc_entry);
  for (const auto& d : docs_)
    bytes += str(d.issue_id) + str(d.key) + d.components.capacity() * 4;
  for (const auto& t : terms_) bytes += t.capacity() * sizeof(doc_term);
  bytes += lengths_.capacity() * sizeof(field_lengths) + terms_.capacity() * sizeof(std::vector<doc_term>) +
           tf_norms_.capacity() * sizeof(float) + weights_.capacity() * sizeof(slot_weights) + free_slots_.capacity() * 4;
  bytes += ids_.memory_bytes() + keys_.memory_bytes();
  return bytes;
}

}  // namespace doppel::core
