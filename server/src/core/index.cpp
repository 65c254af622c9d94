// index: incremental maintenance (put, remove), lookups, canonical dump, memory accounting.
#include "core/index.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

namespace doppel::core {

indexed_document make_indexed_document(const issue_document& doc, tokenizer& tok) {
  indexed_document out;
  out.issue_id = doc.issue_id;
  out.key = doc.key;
  out.project = doc.project;
  out.issue_type = doc.issue_type;
  out.status = doc.status;
  out.components = doc.components;
  out.created_ms = doc.created_ms;
  out.updated_ms = doc.updated_ms;
  out.analysis = analyze(doc, tok);
  return out;
}

index::index(model_options options) : options_(std::move(options)) {}

std::uint32_t index::intern(std::vector<std::string>& table, std::unordered_map<std::string, std::uint32_t>& ids,
                            const std::string& s) {
  auto [it, inserted] = ids.try_emplace(s, static_cast<std::uint32_t>(table.size()));
  if (inserted) table.push_back(s);
  return it->second;
}

std::uint32_t index::term_id(const std::string& text) {
  auto it = term_ids_.find(text);
  if (it != term_ids_.end()) return it->second;
  std::uint32_t id;
  if (!free_terms_.empty()) {
    id = free_terms_.back();
    free_terms_.pop_back();
    terms_[id].text = text;
  } else {
    id = static_cast<std::uint32_t>(terms_.size());
    terms_.push_back({text, {}});
  }
  term_ids_.emplace(text, id);
  return id;
}

float index::tf_norm_of(const analyzed_document& a) const {
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

void index::put(indexed_document doc) {
  remove(doc.issue_id);
  std::uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(docs_.size());
    docs_.emplace_back();
    lengths_.emplace_back();
    tf_norms_.push_back(1.0f);
  }
  doc_entry& d = docs_[slot];
  d.issue_id = doc.issue_id;
  d.key = doc.key;
  d.project = intern(names_, name_ids_, doc.project);
  d.issue_type = intern(names_, name_ids_, doc.issue_type);
  d.status = intern(names_, name_ids_, doc.status);
  d.components.clear();
  for (const auto& c : doc.components) d.components.push_back(intern(names_, name_ids_, c));
  d.created_ms = doc.created_ms;
  d.updated_ms = doc.updated_ms;
  d.live = true;
  d.terms.clear();
  d.terms.reserve(doc.analysis.terms.size());
  for (const auto& t : doc.analysis.terms) {
    std::uint32_t id = term_id(t.term);
    auto& post = terms_[id].postings;  // kept sorted by slot: scoring then walks memory in order
    if (post.empty() || post.back().slot < slot) {
      post.push_back({slot, t.tf});
    } else {
      auto at = std::lower_bound(post.begin(), post.end(), slot,
                                 [](const posting& p, std::uint32_t v) { return p.slot < v; });
      post.insert(at, {slot, t.tf});
    }
    d.terms.push_back({id, t.tf});
  }
  d.terms.shrink_to_fit();
  std::sort(d.terms.begin(), d.terms.end(), [](const doc_term& a, const doc_term& b) { return a.term < b.term; });
  postings_ += d.terms.size();
  lengths_[slot] = doc.analysis.lengths;
  tf_norms_[slot] = tf_norm_of(doc.analysis);
  for (std::size_t f = 0; f < field_count; ++f) total_lengths_[f] += doc.analysis.lengths[f];
  id_to_slot_[d.issue_id] = slot;
  key_to_slot_[d.key] = slot;
}

bool index::remove(std::string_view issue_id) {
  auto it = id_to_slot_.find(std::string(issue_id));
  if (it == id_to_slot_.end()) return false;
  std::uint32_t slot = it->second;
  id_to_slot_.erase(it);
  release_slot(slot);
  return true;
}

void index::release_slot(std::uint32_t slot) {
  doc_entry& d = docs_[slot];
  for (const auto& dt : d.terms) {
    auto& post = terms_[dt.term].postings;
    auto p = std::lower_bound(post.begin(), post.end(), slot,
                              [](const posting& x, std::uint32_t v) { return x.slot < v; });
    if (p != post.end() && p->slot == slot) post.erase(p);
    if (post.empty()) {
      term_ids_.erase(terms_[dt.term].text);
      terms_[dt.term].text.clear();
      std::vector<posting>().swap(post);
      free_terms_.push_back(dt.term);
    }
  }
  postings_ -= d.terms.size();
  for (std::size_t f = 0; f < field_count; ++f) total_lengths_[f] -= lengths_[slot][f];
  auto k = key_to_slot_.find(d.key);
  if (k != key_to_slot_.end() && k->second == slot) key_to_slot_.erase(k);
  d = doc_entry{};
  lengths_[slot] = {};
  tf_norms_[slot] = 1.0f;
  free_slots_.push_back(slot);
}

std::size_t index::remove_project(std::string_view project) {
  auto p = name_ids_.find(std::string(project));
  if (p == name_ids_.end()) return 0;
  std::vector<std::string> ids;
  for (const auto& d : docs_)
    if (d.live && d.project == p->second) ids.push_back(d.issue_id);
  for (const auto& id : ids) remove(id);
  return ids.size();
}

index_stats index::stats() const {
  index_stats s;
  s.documents = id_to_slot_.size();
  s.terms = term_ids_.size();
  s.postings = postings_;
  s.total_lengths = total_lengths_;
  return s;
}

std::uint32_t index::document_frequency(std::string_view term) const {
  auto it = term_ids_.find(std::string(term));
  return it == term_ids_.end() ? 0 : static_cast<std::uint32_t>(terms_[it->second].postings.size());
}

indexed_document index::export_doc(std::uint32_t slot) const {
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
  for (const auto& t : d.terms) out.analysis.terms.push_back({terms_[t.term].text, t.tf});
  std::sort(out.analysis.terms.begin(), out.analysis.terms.end(),
            [](const term_freq& a, const term_freq& b) { return a.term < b.term; });
  return out;
}

std::optional<indexed_document> index::document_by_id(std::string_view issue_id) const {
  auto it = id_to_slot_.find(std::string(issue_id));
  if (it == id_to_slot_.end()) return std::nullopt;
  return export_doc(it->second);
}

std::optional<indexed_document> index::document_by_key(std::string_view key) const {
  auto it = key_to_slot_.find(std::string(key));
  if (it == key_to_slot_.end()) return std::nullopt;
  return export_doc(it->second);
}

std::string index::canonical_dump() const {
  std::ostringstream out;
  auto s = stats();
  out << "documents " << s.documents << "\nterms " << s.terms << "\npostings " << s.postings << "\nlengths";
  for (auto l : s.total_lengths) out << ' ' << l;
  out << '\n';
  std::map<std::string, std::size_t> df;
  for (const auto& [text, id] : term_ids_) df[text] = terms_[id].postings.size();
  for (const auto& [text, n] : df) out << "df " << text << ' ' << n << '\n';
  std::map<std::string, std::uint32_t> by_id(id_to_slot_.begin(), id_to_slot_.end());
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

std::size_t index::memory_bytes() const {
  std::size_t bytes = 0;
  auto str = [](const std::string& s) { return s.capacity() > 15 ? s.capacity() + 1 : 0; };
  bytes += terms_.capacity() * sizeof(term_entry);
  for (const auto& t : terms_) bytes += str(t.text) + t.postings.capacity() * sizeof(posting);
  bytes += term_ids_.size() * (sizeof(std::string) + sizeof(std::uint32_t) + 2 * sizeof(void*)) +
           term_ids_.bucket_count() * sizeof(void*);
  for (const auto& [text, id] : term_ids_) bytes += str(text);
  bytes += docs_.capacity() * sizeof(doc_entry);
  for (const auto& d : docs_)
    bytes += str(d.issue_id) + str(d.key) + d.components.capacity() * 4 + d.terms.capacity() * sizeof(doc_term);
  bytes += lengths_.capacity() * sizeof(field_lengths) + tf_norms_.capacity() * sizeof(float);
  bytes += (id_to_slot_.size() + key_to_slot_.size()) * (sizeof(std::string) + 4 + 2 * sizeof(void*)) +
           (id_to_slot_.bucket_count() + key_to_slot_.bucket_count()) * sizeof(void*);
  for (const auto& [k, v] : id_to_slot_) bytes += str(k);
  for (const auto& [k, v] : key_to_slot_) bytes += str(k);
  return bytes;
}

}  // namespace doppel::core
