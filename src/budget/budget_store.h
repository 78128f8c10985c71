// SPDX-License-Identifier: Apache-2.0
// BudgetStore: where AES-GCM message counts are reserved durably, a block at a time, before any
// of them is used (docs/budgets.md). A process spends its block in memory and reserves the
// next one when it runs out; what it has not spent when it dies counts as used, so a budget
// can be over-counted, never under-counted.
#pragma once

#include <craton/hsm/error.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace craton::hsm::budget {

// A key as the store knows it: HMAC-SHA-256 of the key's fingerprint input under the budget
// identity key. Reveals nothing about the key; the same for every process with the same key
// and identity key.
struct KeyIdentity {
  std::array<std::uint8_t, 32> bytes{};
  friend bool operator==(const KeyIdentity&, const KeyIdentity&) = default;
  // 64 lower-case hex characters: how the store and the CLI name the key.
  [[nodiscard]] std::string hex() const;
  // The inverse of hex(); nullopt for anything else.
  [[nodiscard]] static std::optional<KeyIdentity> from_hex(std::string_view text);
};

// Counts [first, first + count) now belong to the caller: first is the key's durable count
// before this reservation. count is at least 1 and at most what was asked for (less only when
// the limit is that close).
struct Reservation {
  std::uint64_t first = 0;
  std::uint64_t count = 0;
};

// One key's row, for operators (craton-hsm budget list|show).
struct BudgetRecord {
  KeyIdentity key;
  std::uint64_t used = 0;               // counts reserved so far (spent or lost), never decreases
  std::uint64_t limit = 0;              // the limit of the last reservation
  std::int64_t last_reserved_unix = 0;  // seconds since the epoch, UTC
  std::string last_host;                // the host name of the process that reserved last
  bool retired = false;                 // retire(): no reservation will ever succeed again
};

// Thread-safety: every member may be called from any thread. Every call is bounded in time
// (BudgetConfig::timeout_ms).
class BudgetStore {
 public:
  virtual ~BudgetStore() = default;

  // Atomically and durably adds min(block, limit - used) to the key's count (a key never seen
  // starts at 0) and returns the counts added; durable before it returns. block >= 1.
  // Errors: KeyUsageLimitExceeded when used >= limit or the key is retired (nothing added);
  // BudgetStoreUnavailable when the store cannot be reached or does not answer in time.
  [[nodiscard]] virtual Result<Reservation> reserve(const KeyIdentity& key, std::uint64_t block,
                                                    std::uint64_t limit) = 0;
  // Every key's row, ordered by identity. Errors: BudgetStoreUnavailable.
  [[nodiscard]] virtual Result<std::vector<BudgetRecord>> list() = 0;
  // One key's row; KeyNotFound when the store has none. Errors: BudgetStoreUnavailable.
  [[nodiscard]] virtual Result<BudgetRecord> show(const KeyIdentity& key) = 0;
  // Marks the key spent for good (rotation: the key must not encrypt again). Idempotent; a
  // key never seen gets a retired row. Errors: BudgetStoreUnavailable.
  [[nodiscard]] virtual Result<void> retire(const KeyIdentity& key) = 0;
  // "sqlite:/var/lib/craton/budgets.db", "postgresql:host=... dbname=..." (never a password):
  // for logs and for telling two stores apart.
  [[nodiscard]] virtual std::string describe() const = 0;
};

}  // namespace craton::hsm::budget
