// SPDX-License-Identifier: Apache-2.0
// ConcurrencyGate: runs at most `limit` operations of one class on the token at once, whatever
// the number of calling threads and of pooled sessions; callers beyond the limit wait in
// arrival order, each until its own deadline. The limit is fixed, or an AdaptiveLimit's
// (adaptive_limit.h).
//
// Combining: a thread that holds a place runs, after its own operation, the operations queued
// behind it (up to kCombineBudget of its time), and only then gives the place back. A token
// that serialises short operations runs fastest when one thread feeds it: every hand-over of
// the place to another thread moves the token's working set to another core, which costs
// about one operation's time. The waiters meanwhile stay where they are; each gets its own
// result and returns to its caller.
//
// Only the head of the queue takes places for waiters, and it spins briefly before it sleeps:
// a place freed by a short operation is taken at once, and never held for a thread that is
// still waking up (the token would idle for the wake-up).
//
// Bounded barging: while the head has waited less than kBargeWindow, a thread that comes back
// for its next operation may take a free place before it. Once the head has waited
// kBargeWindow the next place is its. Waiters never overtake one another, so none starves: a
// wait is bounded by kBargeWindow plus one operation per waiter ahead.
#pragma once

#include <craton/hsm/error.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <type_traits>

#include "pkcs11/pool/adaptive_limit.h"

namespace craton::hsm::pkcs11 {

// A borrowed callable, run once by whichever thread holds the place: the caller's own, or a
// combining one. It lives on the caller's stack, which outlives the run (the caller waits for
// it). It must not throw.
class GateTask {
 public:
  template <typename F>
  requires(!std::is_same_v<std::remove_cv_t<F>, GateTask>)  // copies stay copies
      explicit GateTask(F& function) noexcept
      : function_(&function), call_([](void* f) { (*static_cast<F*>(f))(); }) {}
  void operator()() const { call_(function_); }

 private:
  void* function_;
  void (*call_)(void*);
};

class ConcurrencyGate {
 public:
  using Clock = AdaptiveLimit::Clock;

  explicit ConcurrencyGate(std::uint32_t fixed_limit);
  // Neither copyable nor movable (its mutex and atomics): callers hold it in place.
  ConcurrencyGate(AdaptiveLimitOptions adaptive, Clock::time_point now);

  // Runs `task` within the limit, on this thread or on one that holds a place; returns how
  // long it waited before it started (zero when it did not queue). Errors: PoolTimeout at
  // `deadline`, with the task not run. Hot path with a free place and nobody waiting: one
  // load and one compare-exchange to enter, two clock reads and one decrement around the task.
  Result<Clock::duration> run(Clock::time_point deadline, GateTask task);

  [[nodiscard]] std::uint32_t limit() const noexcept {
    return adaptive_ ? adaptive_->limit() : fixed_limit_;
  }
  [[nodiscard]] std::uint32_t in_flight() const noexcept {
    return in_flight_.load(std::memory_order_relaxed);
  }
  [[nodiscard]] std::uint32_t waiting() const noexcept {
    return waiting_.load(std::memory_order_relaxed);
  }
  // Operations run by a thread that held a place for their callers (combining), since made.
  [[nodiscard]] std::uint64_t combined() const noexcept {
    return combined_.load(std::memory_order_relaxed);
  }
  // The adaptive limit's decisions; nullptr for a fixed limit.
  [[nodiscard]] const AdaptiveLimit* adaptive() const noexcept {
    return adaptive_ ? &*adaptive_ : nullptr;
  }

 private:
  // One queued operation. Queued -> Claimed (a combining thread took it out of the queue,
  // under the lock) -> Done; or it leaves the queue itself, to run on its own place or to time
  // out.
  struct Waiter {
    explicit Waiter(GateTask work) : task(work) {}
    // The phase, plus kAsleep while the waiter sleeps on `wake`. kAsleep and the claim change
    // only under the gate's lock; Claimed -> Done is a compare-exchange that fails while the
    // waiter sleeps, and the combining thread then finishes under the lock (no lost wake-up,
    // and no touch of a waiter that has already returned).
    enum State : std::uint32_t { kQueued = 0, kClaimed = 1, kDone = 2, kPhase = 3, kAsleep = 4 };
    [[nodiscard]] std::uint32_t phase() const noexcept { return state.load() & kPhase; }
    GateTask task;
    std::atomic<std::uint32_t> state{kQueued};
    std::condition_variable wake;
    std::optional<Clock::time_point> head_since;  // when it reached the front of the queue
    Clock::time_point started;                    // when a combining thread started it
  };

  bool try_take() noexcept;
  // Runs the caller's task on the place it took, then the queued ones, then gives the place
  // back.
  void run_on_place(GateTask task);
  // The head of the queue spins without the lock for a short while (kHeadSpin), taking a place
  // once nobody came back for it or its barging window is over, and watching for a combining
  // thread to claim its task. Returns with `lock` held again; true when the caller holds a
  // place and is out of the queue.
  bool wait_as_head(Waiter& self, Clock::time_point deadline, std::unique_lock<std::mutex>& lock);
  // Sleeps on the waiter's condition variable (the lock held) until woken or `deadline`;
  // returns at once when the waiter is no longer in `phase`.
  static void sleep(Waiter& self, std::uint32_t phase, std::unique_lock<std::mutex>& lock,
                    std::optional<Clock::time_point> deadline);
  // Spins, yielding the core (a waiter may share it with the thread that feeds the token),
  // until `self` leaves `phase` (true), a place is free (when `until_free_place`), or `until`.
  bool spin(Waiter& self, std::uint32_t phase, Clock::time_point until, bool until_free_place);
  // A waiter whose task was claimed waits for it to be done: spinning for a while (the task is
  // most likely next or running), then asleep.
  void wait_until_done(Waiter& self, std::unique_lock<std::mutex>& lock);
  // Marks a claimed task done and wakes its waiter if it sleeps.
  void finish(Waiter& waiter);
  // Gives the place back; `now` ends the operation for the adaptive limit's measurements.
  void leave(Clock::time_point now);
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
  // Written by the threads that hold places, once per operation run for another caller: on a
  // line of its own, so counting costs neither them nor the polling head a cache miss.
  alignas(64) std::atomic<std::uint64_t> combined_{0};
  alignas(64) std::optional<AdaptiveLimit> adaptive_;
  std::mutex mutex_;
  std::deque<Waiter*> queue_;  // front: the longest waiting
};

}  // namespace craton::hsm::pkcs11
