// posting_list and term_table implementation.
#include "core/term_table.hpp"

#include <algorithm>
#include <functional>

namespace doppel::core::detail {

posting_list::posting_list(posting_list&& o) noexcept : inline_{} {
  *this = std::move(o);
}

posting_list& posting_list::operator=(posting_list&& o) noexcept {
  if (this == &o) return *this;
  release();
  size_ = o.size_;
  cap_ = o.cap_;
  if (cap_) heap_ = o.heap_;
  else inline_ = o.inline_;
  o.size_ = 0;
  o.cap_ = 0;
  return *this;
}

void posting_list::release() {
  if (cap_) delete[] heap_;
  cap_ = 0;
  inline_ = posting{};
}

void posting_list::insert_sorted(posting p) {
  const std::uint32_t capacity = cap_ ? cap_ : 1;
  if (size_ == capacity) {
    const std::uint32_t next = capacity < 4 ? 4 : capacity + capacity / 2;
    auto* fresh = new posting[next];
    std::memcpy(static_cast<void*>(fresh), data(), size_ * sizeof(posting));
    release();
    heap_ = fresh;
    cap_ = next;
  }
  posting* d = data();
  std::uint32_t at = size_;
  if (size_ && d[size_ - 1].slot > p.slot)
    at = static_cast<std::uint32_t>(
        std::lower_bound(d, d + size_, p.slot, [](const posting& x, std::uint32_t v) { return x.slot < v; }) - d);
  std::memmove(static_cast<void*>(d + at + 1), d + at, (size_ - at) * sizeof(posting));
  d[at] = p;
  ++size_;
}

bool posting_list::erase_slot(std::uint32_t slot) {
  posting* d = data();
  posting* p = std::lower_bound(d, d + size_, slot, [](const posting& x, std::uint32_t v) { return x.slot < v; });
  if (p == d + size_ || p->slot != slot) return false;
  std::memmove(static_cast<void*>(p), p + 1, static_cast<std::size_t>(d + size_ - p - 1) * sizeof(posting));
  --size_;
  if (size_ == 0) release();
  return true;
}

std::size_t term_table::bucket_of(std::string_view text) const {
  return std::hash<std::string_view>{}(text) & (buckets_.size() - 1);
}

std::uint32_t term_table::find(std::string_view text) const {
  if (buckets_.empty()) return npos;
  for (std::size_t b = bucket_of(text);; b = (b + 1) & (buckets_.size() - 1)) {
    const std::uint32_t id = buckets_[b];
    if (id == npos) return npos;
    if (this->text(id) == text) return id;
  }
}

void term_table::grow() {
  std::vector<std::uint32_t> old = std::move(buckets_);
  buckets_.assign(old.empty() ? 1024 : old.size() * 2, npos);
  for (std::uint32_t id : old) {
    if (id == npos) continue;
    std::size_t b = bucket_of(text(id));
    while (buckets_[b] != npos) b = (b + 1) & (buckets_.size() - 1);
    buckets_[b] = id;
  }
}

std::uint32_t term_table::insert(std::string_view t) {
  if ((live_ + 1) * 2 > buckets_.size()) grow();
  std::uint32_t id;
  if (!free_ids_.empty()) {
    id = free_ids_.back();
    free_ids_.pop_back();
  } else {
    id = static_cast<std::uint32_t>(refs_.size());
    refs_.push_back({0, dead});
  }
  refs_[id] = {static_cast<std::uint32_t>(arena_.size()), static_cast<std::uint32_t>(t.size())};
  arena_.append(t);
  if (bigram_bits_.size() <= id >> 6) bigram_bits_.resize((id >> 6) + 1, 0);
  const std::uint64_t bit = std::uint64_t{1} << (id & 63);
  bigram_bits_[id >> 6] = is_bigram(t) ? bigram_bits_[id >> 6] | bit : bigram_bits_[id >> 6] & ~bit;
  std::size_t b = bucket_of(t);
  while (buckets_[b] != npos) b = (b + 1) & (buckets_.size() - 1);
  buckets_[b] = id;
  ++live_;
  return id;
}

void term_table::erase(std::uint32_t id) {
  const std::size_t mask = buckets_.size() - 1;
  std::size_t b = bucket_of(text(id));
  while (buckets_[b] != id) b = (b + 1) & mask;
  // Backward-shift deletion keeps every probe sequence intact without tombstones.
  for (std::size_t next = (b + 1) & mask; buckets_[next] != npos; next = (next + 1) & mask) {
    const std::size_t home = bucket_of(text(buckets_[next]));
    const bool movable = b <= next ? (home <= b || home > next) : (home <= b && home > next);
    if (movable) {
      buckets_[b] = buckets_[next];
      b = next;
    }
  }
  buckets_[b] = npos;
  garbage_ += refs_[id].length;
  refs_[id] = {0, dead};
  free_ids_.push_back(id);
  --live_;
  if (garbage_ > (1u << 20) && garbage_ * 2 > arena_.size()) compact();
}

void term_table::compact() {
  std::string fresh;
  fresh.reserve(arena_.size() - garbage_);
  for (auto& r : refs_) {
    if (r.length == dead) continue;
    const std::uint32_t off = static_cast<std::uint32_t>(fresh.size());
    fresh.append(arena_, r.offset, r.length);
    r.offset = off;
  }
  arena_ = std::move(fresh);
  garbage_ = 0;
}

std::size_t term_table::memory_bytes() const {
  return arena_.capacity() + refs_.capacity() * sizeof(ref) + free_ids_.capacity() * 4 + buckets_.capacity() * 4 +
         bigram_bits_.capacity() * 8;
}

}  // namespace doppel::core::detail
