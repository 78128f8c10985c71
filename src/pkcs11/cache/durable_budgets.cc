// SPDX-License-Identifier: Apache-2.0
// Durable GCM message counts: a block reserved in the store, spent with a CAS.
#include "pkcs11/cache/durable_budgets.h"

#include <algorithm>

#include <fmt/format.h>

namespace craton::hsm::pkcs11 {

std::shared_ptr<DurableBudgets> DurableBudgets::for_store(
    std::unique_ptr<budget::BudgetStore> store, BlockSizing sizing) {
  // Never destroyed: backends may be torn down by other static destructors at exit.
  static auto* const mutex = new std::mutex();
  static auto* const live = new std::map<std::string, std::weak_ptr<DurableBudgets>>();
  const std::lock_guard lock(*mutex);
  std::weak_ptr<DurableBudgets>& slot = (*live)[store->describe()];
  if (std::shared_ptr<DurableBudgets> existing = slot.lock()) return existing;
  auto made = std::make_shared<DurableBudgets>(std::move(store), sizing);
  slot = made;
  return made;
}

DurableBudgets::DurableBudgets(std::unique_ptr<budget::BudgetStore> store, BlockSizing sizing)
    : store_(std::move(store)),
      sizing_{.min = std::max<std::uint64_t>(sizing.min, 1),
              .max = std::max({sizing.max, sizing.min, std::uint64_t{1}})},
      describe_(store_->describe()) {}

DurableBudgets::~DurableBudgets() = default;

DurableBudgets::Counter& DurableBudgets::counter(const budget::KeyIdentity& key) {
  const std::lock_guard lock(mutex_);
  auto& slot = counters_[key.bytes];
  if (!slot) slot = std::make_unique<Counter>(key);
  return *slot;
}

DurableBudgets::Counter& DurableBudgets::root(Counter& counter) noexcept {
  Counter* at = &counter;
  while (Counter* next = at->joined.load(std::memory_order_acquire)) at = next;
  return *at;
}

void DurableBudgets::share(Counter& from_start, Counter& into_start) {
  const std::lock_guard joins(mutex_);  // one join at a time: roots stay roots meanwhile
  Counter& from = root(from_start);
  Counter& into = root(into_start);
  if (&from == &into) return;
  // No reservation runs on either while the counts move.
  const std::scoped_lock both(from.refill_mutex_, into.refill_mutex_);
  into.carry_from_.push_back(from.identity);
  into.carry_from_.insert(into.carry_from_.end(), from.carry_from_.begin(), from.carry_from_.end());
  from.carry_from_.clear();
  from.joined.store(&into, std::memory_order_release);
  // Reserved under `from`'s row already, so spending them under `into` counts them once. A
  // take() that loaded the old value fails its CAS against 0 and follows `joined`.
  const std::uint64_t moved = from.remaining.exchange(0, std::memory_order_acq_rel);
  into.remaining.fetch_add(moved, std::memory_order_acq_rel);
}

bool DurableBudgets::take(Counter& start) noexcept {
  Counter& counter = root(start);
  std::uint64_t left = counter.remaining.load(std::memory_order_acquire);
  while (left > 0) {
    if (counter.remaining.compare_exchange_weak(left, left - 1, std::memory_order_acq_rel,
                                                std::memory_order_acquire)) {
      return true;
    }
  }
  return false;
}

Result<void> DurableBudgets::charge(Counter& counter, std::uint64_t limit) {
  while (!take(counter)) CRATON_RETURN_IF_ERROR(refill(counter, limit));
  return {};
}

Result<void> DurableBudgets::refill(Counter& start, std::uint64_t limit) {
  Counter& counter = root(start);
  const std::uint64_t seen = counter.attempts.load(std::memory_order_acquire);
  const std::lock_guard lock(counter.refill_mutex_);
  // Joined or refilled while this thread waited: the caller takes again.
  if (counter.joined.load(std::memory_order_acquire) != nullptr) return {};
  if (counter.remaining.load(std::memory_order_acquire) > 0) return {};
  if (counter.spent.load(std::memory_order_acquire)) {
    // The identity's first 16 hex characters: enough to find its row in `budget list`.
    const std::string key = counter.identity.hex().substr(0, 16);
    return fail(ErrorCode::KeyUsageLimitExceeded,
                fmt::format("the budget of key {} in {} is spent", key, describe_));
  }
  // The reservation this thread waited behind failed: one round trip answers every waiter.
  if (counter.attempts.load(std::memory_order_acquire) != seen && counter.last_failure_) {
    return std::unexpected(*counter.last_failure_);
  }
  counter.attempts.fetch_add(1, std::memory_order_acq_rel);
  Result<void> reserved = reserve_block(counter, limit);
  if (reserved) {
    counter.last_failure_.reset();
    return reserved;
  }
  if (reserved.error().code() == ErrorCode::KeyUsageLimitExceeded) {
    counter.spent.store(true, std::memory_order_release);  // latched: the count never drops
  }
  counter.last_failure_ = reserved.error();
  return reserved;
}

Result<void> DurableBudgets::reserve_block(Counter& counter, std::uint64_t limit) {
  CRATON_RETURN_IF_ERROR(carry_histories(counter, limit));
  const auto now = std::chrono::steady_clock::now();
  std::uint64_t block = sizing_.min;
  if (counter.block_ != 0) {
    const auto lasted = now - counter.last_refill_;
    block = counter.block_;
    if (lasted < kGrowWithin) {
      block = std::min(block * 2, sizing_.max);
    } else if (lasted > kShrinkAfter) {
      block = std::max(block / 2, sizing_.min);
    }
  }
  CRATON_ASSIGN_OR_RETURN(const budget::Reservation reservation,
                          store_->reserve(counter.identity, block, limit));
  reservations_.fetch_add(1, std::memory_order_relaxed);
  counter.block_ = block;
  counter.last_refill_ = now;
  counter.high_water.store(reservation.first + reservation.count, std::memory_order_release);
  counter.remaining.fetch_add(reservation.count, std::memory_order_acq_rel);
  return {};
}

Result<void> DurableBudgets::carry_histories(Counter& counter, std::uint64_t limit) {
  while (!counter.carry_from_.empty()) {
    const budget::KeyIdentity from = counter.carry_from_.back();
    std::uint64_t carried = 0;
    Result<budget::BudgetRecord> record = store_->show(from);
    if (record) {
      // A retired material key: its stored copy must not encrypt either.
      carried = record->retired ? limit : record->used;
    } else if (record.error().code() != ErrorCode::KeyNotFound) {
      return std::unexpected(std::move(record).error());
    }
    if (carried > 0) {
      // Burnt, not spent: the copy's row now holds the material's history. Done twice (a
      // crash between this and the pop below) it over-counts, which is the safe side.
      CRATON_ASSIGN_OR_RETURN(const budget::Reservation reservation,
                              store_->reserve(counter.identity, carried, limit));
      reservations_.fetch_add(1, std::memory_order_relaxed);
      counter.high_water.store(reservation.first + reservation.count, std::memory_order_release);
    }
    counter.carry_from_.pop_back();
  }
  return {};
}

std::uint64_t DurableBudgets::used(Counter& start) noexcept {
  Counter& counter = root(start);
  const std::uint64_t high = counter.high_water.load(std::memory_order_acquire);
  const std::uint64_t left = counter.remaining.load(std::memory_order_acquire);
  return high > left ? high - left : 0;
}

bool DurableBudgets::exhausted(Counter& start) noexcept {
  return root(start).spent.load(std::memory_order_acquire);
}

}  // namespace craton::hsm::pkcs11
