// SPDX-License-Identifier: Apache-2.0
// KeyCache: the per-session LRU map from (key fingerprint, usage) to the session object that
// holds the imported key. Pure bookkeeping: the caller creates and destroys the objects.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <unordered_map>

#include "keys/fingerprint_memo.h"
#include "pkcs11/loader/cryptoki.h"

namespace craton::hsm::pkcs11 {

// What an imported object may be used for. One key imported for two purposes becomes two
// objects, each carrying only the usage attributes its purpose needs.
enum class KeyUsage : std::uint8_t { Sign, Verify, Encrypt, Decrypt, Cipher, Wrap, Derive, Mac };

struct CacheKey {
  Fingerprint fingerprint;
  KeyUsage usage;
  friend bool operator==(const CacheKey&, const CacheKey&) = default;
};

struct CacheKeyHash {
  std::size_t operator()(const CacheKey& key) const noexcept {
    return FingerprintHash{}(key.fingerprint) ^ static_cast<std::size_t>(key.usage);
  }
};

// Not thread-safe: owned by one PooledSession and used under its mutex.
class KeyCache {
 public:
  explicit KeyCache(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // The object for `key`, marked most recently used; nullopt on a miss.
  [[nodiscard]] std::optional<CK_OBJECT_HANDLE> find(const CacheKey& key);
  // Records a freshly imported object. Returns the least recently used object when the cache
  // was full; the caller must destroy it on the same session.
  [[nodiscard]] std::optional<CK_OBJECT_HANDLE> insert(const CacheKey& key,
                                                       CK_OBJECT_HANDLE object);
  // Removes one entry and returns its object, which the caller destroys on the same session:
  // for an object the token disowned (it may still exist and must not stay behind).
  std::optional<CK_OBJECT_HANDLE> take(const CacheKey& key) noexcept;
  // Forgets everything, e.g. when the session (and with it every session object) is gone.
  void clear() noexcept;

  [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }

 private:
  struct Entry {
    CacheKey key;
    CK_OBJECT_HANDLE object = CK_INVALID_HANDLE;
  };
  std::size_t capacity_;
  std::list<Entry> order_;  // front = most recently used
  std::unordered_map<CacheKey, std::list<Entry>::iterator, CacheKeyHash> entries_;
};

}  // namespace craton::hsm::pkcs11
