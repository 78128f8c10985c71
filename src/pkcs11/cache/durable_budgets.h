// SPDX-License-Identifier: Apache-2.0
// DurableBudgets: AES-GCM message counts backed by a durable BudgetStore (docs/budgets.md).
// Each key's counter holds a block of counts reserved in the store; the hot path takes one with
// a CAS, and only when the block is spent does one thread reserve the next block, durably,
// before any count of it is used. What a process has reserved and not spent when it dies
// counts as used: a budget is over-counted by at most one block per key and process, never
// under-counted.
#pragma once

#include <craton/hsm/error.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "budget/budget_store.h"

namespace craton::hsm::pkcs11 {

// How many counts one reservation asks for: starts at `min`, doubles while blocks are spent
// within kGrowWithin of each other, halves when one lasted longer than kShrinkAfter, never
// past `max` (which bounds what a crash can lose: docs/budgets.md, "Block sizing").
struct BlockSizing {
  std::uint64_t min = 16;
  std::uint64_t max = 4096;
};

// One per store for the whole process (for_store: by the store's describe()), so that every
// backend on one store shares one counter per key identity and different stores never mix.
// Thread-safety: every member may be called from any thread; take() takes no lock, refill()
// takes the key's own lock (one reservation per key at a time: the others wait for it).
class DurableBudgets {
 public:
  class Counter;

  // A block lasting less than this was spent quickly: the next one doubles. At most about one
  // reservation per second per hot key and process reaches the store, so its round trip (an
  // fsync for SQLite, a network round trip for PostgreSQL) costs the hot path well under 1%.
  static constexpr std::chrono::milliseconds kGrowWithin{1000};
  // A block lasting longer than this was spent slowly: the next one halves, so that a rarely
  // used key holds (and a crash loses) little.
  static constexpr std::chrono::milliseconds kShrinkAfter{30000};

  // The process's budgets on `store`: the live instance for a store with the same describe()
  // when there is one (then `store` is dropped, and its sizing too), else a new one. Lives as
  // long as the backends holding it; counts reserved and not spent then are lost (over-count).
  static std::shared_ptr<DurableBudgets> for_store(std::unique_ptr<budget::BudgetStore> store,
                                                   BlockSizing sizing);

  DurableBudgets(std::unique_ptr<budget::BudgetStore> store, BlockSizing sizing);
  DurableBudgets(const DurableBudgets&) = delete;
  DurableBudgets& operator=(const DurableBudgets&) = delete;
  ~DurableBudgets();

  // The counter of `key`; valid while this object lives.
  Counter& counter(const budget::KeyIdentity& key);
  // From now on `from` (a material key stored on the token) counts as `into` (the resident
  // copy): its unspent counts move over, and before `into` reserves again its row is charged
  // with what the store holds for `from`, so the resident key's row carries the material's
  // history. Idempotent.
  void share(Counter& from, Counter& into);

  // One count from the key's reserved block; false when the block is spent. Lock-free.
  [[nodiscard]] static bool take(Counter& counter) noexcept;
  // Reserves the key's next block unless counts are at hand again (another thread reserved).
  // Errors: KeyUsageLimitExceeded (the store's limit reached or the key retired; remembered:
  // no store call after that), BudgetStoreUnavailable (the store is unreachable; a thread that
  // waited behind a failing reservation gets its error without another round trip).
  Result<void> refill(Counter& counter, std::uint64_t limit);
  // take(), refilling as long as the block is spent. Errors: those of refill().
  Result<void> charge(Counter& counter, std::uint64_t limit);

  // Counts known used: the store's count after this process's last reservation, less what
  // the process holds unspent.
  [[nodiscard]] static std::uint64_t used(Counter& counter) noexcept;
  // The store refused to reserve more: the budget is spent.
  [[nodiscard]] static bool exhausted(Counter& counter) noexcept;

  // Reservations that reached the store (blocks and carried histories), since made.
  [[nodiscard]] std::uint64_t reservations() const noexcept {
    return reservations_.load(std::memory_order_relaxed);
  }
  // The store's describe(): names it, never with a password.
  [[nodiscard]] const std::string& describe() const noexcept { return describe_; }
  [[nodiscard]] BlockSizing sizing() const noexcept { return sizing_; }

 private:
  static Counter& root(Counter& counter) noexcept;
  // The reservation itself, under the counter's lock.
  Result<void> reserve_block(Counter& counter, std::uint64_t limit);
  // Charges `counter`'s row with the histories of the keys shared into it (share()).
  Result<void> carry_histories(Counter& counter, std::uint64_t limit);

  std::unique_ptr<budget::BudgetStore> store_;
  const BlockSizing sizing_;
  const std::string describe_;
  std::atomic<std::uint64_t> reservations_{0};
  std::mutex mutex_;  // counters_ and joins
  std::map<std::array<std::uint8_t, 32>, std::unique_ptr<Counter>> counters_;  // by identity
};

class DurableBudgets::Counter {
 public:
  explicit Counter(const budget::KeyIdentity& key) : identity(key) {}

  const budget::KeyIdentity identity;
  std::atomic<std::uint64_t> remaining{0};   // reserved and not yet taken
  std::atomic<std::uint64_t> high_water{0};  // the store's count after our last reservation
  std::atomic<Counter*> joined{nullptr};     // share(): where this key's counts go now
  std::atomic<bool> spent{false};            // the store refused: limit reached or retired
  std::atomic<std::uint64_t> attempts{0};    // reservations tried (read before waiting)

 private:
  friend class DurableBudgets;
  std::mutex refill_mutex_;  // one reservation at a time; guards what follows
  std::uint64_t block_ = 0;  // the last block asked for; 0 before the first
  std::chrono::steady_clock::time_point last_refill_{};
  std::optional<HsmError> last_failure_;         // of the last attempt, when it failed
  std::vector<budget::KeyIdentity> carry_from_;  // share(): histories still to charge
};

}  // namespace craton::hsm::pkcs11
