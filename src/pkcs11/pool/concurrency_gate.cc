// SPDX-License-Identifier: Apache-2.0
// The gate's queue: places are handed to waiters in arrival order by whoever frees one.
#include "pkcs11/pool/concurrency_gate.h"

#include <algorithm>
#include <thread>

#include <fmt/format.h>

namespace craton::hsm::pkcs11 {
namespace {

// How long the head of the queue spins before it sleeps. Waking a sleeping thread costs tens
// of microseconds on a loaded machine, longer than a token needs for a short operation (an
// AES-GCM call on SoftHSM2 takes about 15 us): with the head asleep, a limit of one would leave
// the token idle between operations. Past this the next place is far off and sleeping is
// cheaper.
constexpr std::chrono::microseconds kHeadSpin{50};

void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

}  // namespace

ConcurrencyGate::ConcurrencyGate(std::uint32_t fixed_limit)
    : fixed_limit_(std::max<std::uint32_t>(fixed_limit, 1)) {}

ConcurrencyGate::ConcurrencyGate(AdaptiveLimitOptions adaptive, Clock::time_point now) {
  adaptive_.emplace(adaptive, now);
}

bool ConcurrencyGate::try_take() noexcept {
  const std::uint32_t cap = limit();
  std::uint32_t current = in_flight_.load();
  while (current < cap) {
    if (in_flight_.compare_exchange_weak(current, current + 1)) return true;
  }
  return false;
}

Result<bool> ConcurrencyGate::enter(Clock::time_point deadline) {
  // Nobody waiting: take a place directly. With waiters, queue behind them.
  if (waiting_.load() == 0 && try_take()) return false;
  std::unique_lock lock(mutex_);
  Waiter self;
  queue_.push_back(&self);
  waiting_.fetch_add(1);
  admit_waiters(lock);
  while (!self.admitted.load(std::memory_order_acquire)) {
    if (queue_.front() == &self && spin_for_admission(self, deadline, lock)) break;
    if (self.wake.wait_until(lock, deadline) == std::cv_status::timeout &&
        !self.admitted.load(std::memory_order_acquire)) {
      queue_.erase(std::find(queue_.begin(), queue_.end(), &self));
      waiting_.fetch_sub(1);
      return fail(ErrorCode::PoolTimeout,
                  fmt::format("no place on the token within the acquire timeout: {} operations "
                              "of this class in flight (limit {}), {} waiting",
                              in_flight(), limit(), waiting()));
    }
  }
  return true;
}

void ConcurrencyGate::leave(Clock::time_point now) {
  const std::uint32_t was_in_flight = in_flight_.fetch_sub(1);
  if (adaptive_) adaptive_->on_completion(now, was_in_flight);
  if (waiting_.load() == 0) return;
  const std::unique_lock lock(mutex_);
  admit_waiters(lock);
}

void ConcurrencyGate::admit_waiters(const std::unique_lock<std::mutex>& /*held*/) {
  bool moved = false;
  while (!queue_.empty() && try_take()) {
    Waiter* next = queue_.front();
    queue_.pop_front();
    waiting_.fetch_sub(1);
    next->admitted.store(true, std::memory_order_release);
    next->wake.notify_one();
    moved = true;
  }
  // The new head wakes to spin: it is next, and most likely within one operation.
  if (moved && !queue_.empty()) queue_.front()->wake.notify_one();
}

bool ConcurrencyGate::spin_for_admission(const Waiter& self, Clock::time_point deadline,
                                         std::unique_lock<std::mutex>& lock) {
  lock.unlock();
  const Clock::time_point until = std::min(Clock::now() + kHeadSpin, deadline);
  bool admitted = false;
  for (unsigned spins = 1;; ++spins) {
    if (self.admitted.load(std::memory_order_acquire)) {
      admitted = true;
      break;
    }
    cpu_relax();
    if (spins % 64 == 0 && Clock::now() >= until) break;
  }
  lock.lock();
  return admitted || self.admitted.load(std::memory_order_acquire);
}

}  // namespace craton::hsm::pkcs11
