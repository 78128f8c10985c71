// SPDX-License-Identifier: Apache-2.0
// LRU bookkeeping for imported key objects.
#include "pkcs11/cache/key_cache.h"

namespace craton::hsm::pkcs11 {

std::optional<CK_OBJECT_HANDLE> KeyCache::find(const CacheKey& key) {
  const auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  order_.splice(order_.begin(), order_, it->second);  // no allocation on a hit
  return it->second->object;
}

std::optional<CK_OBJECT_HANDLE> KeyCache::insert(const CacheKey& key, CK_OBJECT_HANDLE object) {
  std::optional<CK_OBJECT_HANDLE> evicted;
  if (entries_.size() >= capacity_) {
    const Entry& oldest = order_.back();
    evicted = oldest.object;
    entries_.erase(oldest.key);
    order_.pop_back();
  }
  order_.push_front({key, object});
  entries_[key] = order_.begin();
  return evicted;
}

std::optional<CK_OBJECT_HANDLE> KeyCache::take(const CacheKey& key) noexcept {
  const auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  const CK_OBJECT_HANDLE object = it->second->object;
  order_.erase(it->second);
  entries_.erase(it);
  return object;
}

void KeyCache::clear() noexcept {
  entries_.clear();
  order_.clear();
}

}  // namespace craton::hsm::pkcs11
