// SPDX-License-Identifier: Apache-2.0
// ConcurrencyGate: admits at most `limit` operations of one class onto the token at once,
// whatever the number of calling threads and of pooled sessions; callers beyond the limit wait
// in arrival order, each until its own deadline. The limit is fixed, or an AdaptiveLimit's
// (adaptive_limit.h). Only the head of the queue takes places for waiters, and it spins
// briefly before it sleeps: a place freed by a short operation is taken at once, and never
// held for a thread that is still waking up (the token would idle for the wake-up).
//
// Bounded barging: while the head has waited less than kBargeWindow, a thread that comes back
// for its next operation may take a free place before it. A token that serialises short
// operations runs fastest when the thread that just finished goes on, without a hand-over.
// Once the head has waited kBargeWindow the next place is its. Waiters never overtake one
// another, so none starves: a wait is bounded by kBargeWindow plus one operation per waiter
// ahead.
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
    std::optional<Clock::time_point> head_since;  // when it reached the front of the queue
  };

  bool try_take() noexcept;
  // The head of the queue spins without the lock for a short while (kHeadSpin), taking a place
  // once nobody came back for it or its barging window is over. Returns with `lock` held
  // again; true when the caller holds a place and is out of the queue.
  bool wait_as_head(Waiter& self, Clock::time_point deadline, std::unique_lock<std::mutex>& lock);
  // Whether a caller that is not queued may take a free place now.
  [[nodiscard]] bool may_barge() const noexcept {
    return waiting_.load() == 0 || !head_starving_.load();
  }

  // Each group on a cache line of its own: the running thread writes the first on every
  // operation, the spinning head polls it; the second changes only when the queue does, and
  // is read on every operation; the adaptive limit's counters are the running threads' alone.
  // Sharing a line would make each poll cost the running thread a cache miss.
  alignas(64) std::atomic<std::uint32_t> in_flight_{0};
  std::atomic<Clock::rep> last_leave_{0};  // when a place was last given back
  // seq_cst between a leaver's decrement and a waiter's increment: either the leaver sees the
  // waiter and wakes it, or the waiter sees the freed place (no lost wake-up).
  alignas(64) std::atomic<std::uint32_t> waiting_{0};
  // Only the head takes places for waiters. While it spins a leaver need not wake it; once it
  // has waited kBargeWindow nobody else may take one. seq_cst against in_flight_ as above.
  std::atomic<bool> head_spinning_{false};
  std::atomic<bool> head_starving_{false};
  const std::uint32_t fixed_limit_ = 0;
  alignas(64) std::optional<AdaptiveLimit> adaptive_;
  std::mutex mutex_;
  std::deque<Waiter*> queue_;  // front: the longest waiting
};

}  // namespace craton::hsm::pkcs11
