// Compact vocabulary storage for the index: term texts in one arena, an open-addressing hash
// of term ids, and posting lists that keep a single posting inline (most terms are rare).
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/analyzer.hpp"

namespace doppel::core::detail {

struct posting {
  std::uint32_t slot;
  field_tf tf;
};

// A vector of postings sorted by slot, with room for one posting inline (16 bytes in all).
class posting_list {
 public:
  posting_list() : inline_{} {}
  posting_list(posting_list&& o) noexcept;
  posting_list& operator=(posting_list&& o) noexcept;
  posting_list(const posting_list&) = delete;
  posting_list& operator=(const posting_list&) = delete;
  ~posting_list() { release(); }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const posting* begin() const { return data(); }
  const posting* end() const { return data() + size_; }
  std::size_t heap_bytes() const { return cap_ ? cap_ * sizeof(posting) : 0; }

  void insert_sorted(posting p);       // keeps slot order
  bool erase_slot(std::uint32_t slot);  // false when absent
  void clear() {
    release();
    size_ = 0;
  }

 private:
  posting* data() { return cap_ ? heap_ : &inline_; }
  const posting* data() const { return cap_ ? heap_ : &inline_; }
  void release();

  union {
    posting inline_;
    posting* heap_;
  };
  std::uint32_t size_ = 0;
  std::uint32_t cap_ = 0;  // 0: the single inline posting is the storage
};

// Term texts and their ids. Ids of removed terms are reused; text of removed terms is garbage in
// the arena until compaction.
class term_table {
 public:
  std::uint32_t find(std::string_view text) const;  // npos when absent
  std::uint32_t insert(std::string_view text);      // text must be absent
  void erase(std::uint32_t id);                     // id must be live
  std::string_view text(std::uint32_t id) const { return {arena_.data() + refs_[id].offset, refs_[id].length}; }
  // is_bigram(text(id)), from a bit per id: queries read it for every term without touching the texts.
  bool bigram(std::uint32_t id) const { return bigram_bits_[id >> 6] >> (id & 63) & 1; }
  std::size_t size() const { return live_; }
  std::size_t id_limit() const { return refs_.size(); }
  bool live(std::uint32_t id) const { return refs_[id].length != dead; }
  std::size_t memory_bytes() const;

  static constexpr std::uint32_t npos = UINT32_MAX;

 private:
  struct ref {
    std::uint32_t offset;
    std::uint32_t length;
  };
  static constexpr std::uint32_t dead = UINT32_MAX;
  std::size_t bucket_of(std::string_view text) const;
  void grow();
  void compact();

  std::string arena_;
  std::size_t garbage_ = 0;
  std::vector<ref> refs_;
  std::vector<std::uint32_t> free_ids_;
  std::vector<std::uint32_t> buckets_;  // term ids, npos = empty; linear probing
  std::vector<std::uint64_t> bigram_bits_;  // by id
  std::size_t live_ = 0;
};

}  // namespace doppel::core::detail

namespace doppel::core::detail {

// Open-addressing map from a string (read back through key_of(slot)) to a document slot:
// 8 bytes per entry instead of an unordered_map node with its own copy of the string.
class slot_map {
 public:
  static constexpr std::uint32_t npos = UINT32_MAX;

  template <class KeyOf>
  std::uint32_t find(std::string_view key, const KeyOf& key_of) const {
    if (buckets_.empty()) return npos;
    for (std::size_t b = hash(key) & mask(); ; b = (b + 1) & mask()) {
      if (buckets_[b] == npos) return npos;
      if (key_of(buckets_[b]) == key) return buckets_[b];
    }
  }
  // Maps key to slot, replacing an existing entry for the same key.
  template <class KeyOf>
  void assign(std::string_view key, std::uint32_t slot, const KeyOf& key_of) {
    if ((size_ + 1) * 2 > buckets_.size()) grow(key_of);
    std::size_t b = hash(key) & mask();
    for (; buckets_[b] != npos; b = (b + 1) & mask())
      if (key_of(buckets_[b]) == key) {
        buckets_[b] = slot;
        return;
      }
    buckets_[b] = slot;
    ++size_;
  }
  // Removes key if it maps to slot.
  template <class KeyOf>
  void erase(std::string_view key, std::uint32_t slot, const KeyOf& key_of) {
    if (buckets_.empty()) return;
    std::size_t b = hash(key) & mask();
    for (; buckets_[b] != slot; b = (b + 1) & mask())
      if (buckets_[b] == npos) return;
    for (std::size_t next = (b + 1) & mask(); buckets_[next] != npos; next = (next + 1) & mask()) {
      const std::size_t home = hash(key_of(buckets_[next])) & mask();
      const bool movable = b <= next ? (home <= b || home > next) : (home <= b && home > next);
      if (movable) {
        buckets_[b] = buckets_[next];
        b = next;
      }
    }
    buckets_[b] = npos;
    --size_;
  }
  std::size_t size() const { return size_; }
  std::size_t memory_bytes() const { return buckets_.capacity() * 4; }
  template <class Fn>
  void for_each(const Fn& fn) const {
    for (auto s : buckets_)
      if (s != npos) fn(s);
  }

 private:
  static std::size_t hash(std::string_view s) { return std::hash<std::string_view>{}(s); }
  std::size_t mask() const { return buckets_.size() - 1; }
  template <class KeyOf>
  void grow(const KeyOf& key_of) {
    std::vector<std::uint32_t> old = std::move(buckets_);
    buckets_.assign(old.empty() ? 64 : old.size() * 2, npos);
    for (auto s : old) {
      if (s == npos) continue;
      std::size_t b = hash(key_of(s)) & mask();
      while (buckets_[b] != npos) b = (b + 1) & mask();
      buckets_[b] = s;
    }
  }

  std::vector<std::uint32_t> buckets_;
  std::size_t size_ = 0;
};

}  // namespace doppel::core::detail
