// SPDX-License-Identifier: Apache-2.0
// The gate's queue: places are handed to waiters in arrival order by whoever frees one.
#include "pkcs11/pool/concurrency_gate.h"

#include <algorithm>

#include <fmt/format.h>

namespace craton::hsm::pkcs11 {

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
  while (!self.admitted) {
    if (self.admitted_cv.wait_until(lock, deadline) == std::cv_status::timeout && !self.admitted) {
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
  while (!queue_.empty() && try_take()) {
    Waiter* next = queue_.front();
    queue_.pop_front();
    waiting_.fetch_sub(1);
    next->admitted = true;
    next->admitted_cv.notify_one();
  }
}

}  // namespace craton::hsm::pkcs11
