// SPDX-License-Identifier: Apache-2.0
// FingerprintMemo: a lock-free, append-only list on each KeyMaterial that remembers, per
// backend, the key's keyed fingerprint and a pointer to that backend's state for the key (the
// GCM budget counter). Lets the hot path skip rehashing key bytes on every operation.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace craton::hsm {

// HMAC-SHA-256 under a per-backend secret over a domain-separated encoding of the key.
struct Fingerprint {
  std::array<std::uint8_t, 32> bytes{};
  friend bool operator==(const Fingerprint&, const Fingerprint&) = default;
  // 16 hex characters: enough to tell keys apart in logs, useless without the backend secret.
  [[nodiscard]] std::string short_hex() const;
};

struct FingerprintHash {
  std::size_t operator()(const Fingerprint& fingerprint) const noexcept {
    std::size_t value = 0;
    for (std::size_t i = 0; i < sizeof value; ++i) value = (value << 8) | fingerprint.bytes[i];
    return value;
  }
};

struct MemoEntry {
  std::uint64_t owner = 0;  // a process-unique backend id, never reused
  Fingerprint fingerprint;
  void* state = nullptr;  // owned by the backend, valid while it lives
  const MemoEntry* next = nullptr;
};

class FingerprintMemo {
 public:
  FingerprintMemo() = default;
  FingerprintMemo(const FingerprintMemo&) = delete;
  FingerprintMemo& operator=(const FingerprintMemo&) = delete;
  ~FingerprintMemo();

  // The entry of `owner`, or nullptr.
  [[nodiscard]] const MemoEntry* find(std::uint64_t owner) const noexcept;
  // Adds an entry unless `owner` already has one (then returns that one).
  const MemoEntry* insert(std::uint64_t owner, const Fingerprint& fingerprint, void* state) const;

 private:
  mutable std::atomic<const MemoEntry*> head_{nullptr};
};

// A fresh id for a backend instance; ids are never reused within the process.
std::uint64_t next_memo_owner_id() noexcept;

}  // namespace craton::hsm
