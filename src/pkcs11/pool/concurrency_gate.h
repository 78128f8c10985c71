// SPDX-License-Identifier: Apache-2.0
// ConcurrencyGate: admits at most `limit` operations of one class onto the token at once,
// whatever the number of calling threads and of pooled sessions; callers beyond the limit wait
// in arrival order (FIFO: no caller is overtaken by a later one, so none starves), each until
// its own deadline. The limit is fixed, or an AdaptiveLimit's (adaptive_limit.h). The head of
// the queue spins briefly before it sleeps, so a place freed by a short operation is taken
// at once rather than after a thread wake-up.
#pragma once

#include <craton/hsm/error.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>

#include "pkcs11/pool/adaptive_limit.h"

namespace craton::hsm::pkcs11 {

class ConcurrencyGate {
 public:
  using Clock = AdaptiveLimit::Clock;

  explicit ConcurrencyGate(std::uint32_t fixed_limit);
  // Neither copyable nor movable (its mutex and atomics): callers hold it in place.
  ConcurrencyGate(AdaptiveLimitOptions adaptive, Clock::time_point now);

  // Waits for a place; true when the caller had to queue for it. Errors: PoolTimeout at
  // `deadline`. Hot path with a free place and nobody waiting: one load and one
  // compare-exchange.
  Result<bool> enter(Clock::time_point deadline);
  // Gives the place back; `now` ends the operation for the adaptive limit's measurements.
  void leave(Clock::time_point now);

  [[nodiscard]] std::uint32_t limit() const noexcept {
    return adaptive_ ? adaptive_->limit() : fixed_limit_;
  }
  [[nodiscard]] std::uint32_t in_flight() const noexcept {
    return in_flight_.load(std::memory_order_relaxed);
  }
  [[nodiscard]] std::uint32_t waiting() const noexcept {
    return waiting_.load(std::memory_order_relaxed);
  }
  // The adaptive limit's decisions; nullptr for a fixed limit.
  [[nodiscard]] const AdaptiveLimit* adaptive() const noexcept {
    return adaptive_ ? &*adaptive_ : nullptr;
  }

 private:
  struct Waiter {
    std::condition_variable wake;
    std::atomic<bool> admitted{false};  // set under mutex_; read without it while spinning
  };

  bool try_take() noexcept;
  // The head of the queue waits without the lock for a short while (kHeadSpin): whether it
  // was admitted. Returns with `lock` held again.
  static bool spin_for_admission(const Waiter& self, Clock::time_point deadline,
                                 std::unique_lock<std::mutex>& lock);
  void admit_waiters(const std::unique_lock<std::mutex>& lock);

  const std::uint32_t fixed_limit_ = 0;
  std::optional<AdaptiveLimit> adaptive_;
  // seq_cst between a leaver's decrement and a waiter's increment: either the leaver sees the
  // waiter and admits it, or the waiter sees the freed place (no lost wake-up).
  std::atomic<std::uint32_t> in_flight_{0};
  std::atomic<std::uint32_t> waiting_{0};
  std::mutex mutex_;
  std::deque<Waiter*> queue_;  // front: the longest waiting
};

}  // namespace craton::hsm::pkcs11
