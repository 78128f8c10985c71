// SPDX-License-Identifier: Apache-2.0
// The process-wide GCM message counts, and joining two of them into one.
#include "pkcs11/cache/gcm_budgets.h"

#include <thread>

namespace craton::hsm::pkcs11 {
namespace {

// A counter whose count moved into another (see share()): reservations follow `joined`.
constexpr std::uint64_t kMoved = ~std::uint64_t{0};
// Set on a counter while another's count is being added to it: reservations wait, so that no
// message is allowed between taking the other count away and adding it here.
constexpr std::uint64_t kJoining = std::uint64_t{1} << 63;

}  // namespace

class GcmBudgets::Counter {
 public:
  std::atomic<std::uint64_t> used{0};
  std::atomic<Counter*> joined{nullptr};  // where the count went, once `used` is kMoved
};

GcmBudgets& GcmBudgets::process() {
  // Never destroyed: backends may be torn down by other static destructors at exit.
  static GcmBudgets* const budgets = new GcmBudgets();
  return *budgets;
}

GcmBudgets::Counter& GcmBudgets::counter(const Fingerprint& key) {
  const std::lock_guard lock(mutex_);
  auto& slot = counters_[key];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

void GcmBudgets::share(const Fingerprint& first, const Fingerprint& second) {
  Counter& from_start = counter(first);
  Counter& into_start = counter(second);
  const std::lock_guard lock(mutex_);  // one join at a time: no counter is joined twice at once
  const auto root = [](Counter* counter) {
    while (counter->used.load(std::memory_order_acquire) == kMoved) {
      counter = counter->joined.load(std::memory_order_acquire);
    }
    return counter;
  };
  Counter* from = root(&from_start);
  Counter* into = root(&into_start);
  if (from == into) return;
  const std::uint64_t into_used = into->used.fetch_or(kJoining, std::memory_order_acq_rel);
  from->joined.store(into, std::memory_order_release);
  const std::uint64_t moved = from->used.exchange(kMoved, std::memory_order_acq_rel);
  into->used.store(into_used + moved, std::memory_order_release);
}

bool GcmBudgets::reserve(Counter& start, std::uint64_t limit) noexcept {
  Counter* counter = &start;
  std::uint64_t used = counter->used.load(std::memory_order_acquire);
  for (;;) {
    if (used == kMoved) {
      counter = counter->joined.load(std::memory_order_acquire);
      used = counter->used.load(std::memory_order_acquire);
      continue;
    }
    if ((used & kJoining) != 0) {
      std::this_thread::yield();  // a join takes a few instructions; it happens once per key
      used = counter->used.load(std::memory_order_acquire);
      continue;
    }
    if (used >= limit) return false;
    if (counter->used.compare_exchange_weak(used, used + 1, std::memory_order_acq_rel,
                                            std::memory_order_acquire)) {
      return true;
    }
  }
}

std::uint64_t GcmBudgets::used(Counter& start) noexcept {
  Counter* counter = &start;
  for (;;) {
    const std::uint64_t used = counter->used.load(std::memory_order_acquire);
    if (used != kMoved) return used & ~kJoining;
    counter = counter->joined.load(std::memory_order_acquire);
  }
}

}  // namespace craton::hsm::pkcs11
