// SPDX-License-Identifier: Apache-2.0
// The gate's queue: the head takes places for waiters, in arrival order, and a thread that
// holds a place runs the queued operations (combining).
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
constexpr std::chrono::microseconds kHeadSpin{100};
// How long a new head lets threads that come back for their next operation go first (see the
// header): about six AES-GCM calls on SoftHSM2, so the token's working set moves between cores
// once per six calls instead of every call; shorter than one RSA signature, so long operations
// are handed over in plain arrival order. Below raw PKCS#11's own p99 at two callers (about
// 100 us for those calls), so the bound costs no tail latency beyond what the token causes.
constexpr std::chrono::microseconds kBargeWindow{50};
// How long a thread that holds a place keeps running queued operations, counted from the start
// of its own: its caller waits meanwhile, so this bounds what combining adds to one caller's
// latency (about ten AES-GCM calls on SoftHSM2, below raw PKCS#11's own p99 at two callers).
// An operation longer than this (an RSA signature) is never followed by others: long
// operations gain nothing from staying on one core.
constexpr std::chrono::microseconds kCombineBudget{100};
// How long a waiter whose operation a combining thread took spins for the result before it
// sleeps: the operation is most likely running or next.
constexpr std::chrono::microseconds kResultSpin{200};
// A place given back and not taken again within this long: the thread that freed it is not
// coming back at once, so the head takes it rather than leave the token idle.
constexpr std::chrono::microseconds kReturnGrace{2};
// The head looks at the gate every this many pause instructions (about 2 us): each look costs
// the running thread a cache miss on its next write, so not more often than a place can turn.
constexpr unsigned kPausesPerPoll = 48;

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

Result<ConcurrencyGate::Clock::duration> ConcurrencyGate::run(Clock::time_point deadline,
                                                              GateTask task) {
  // Nobody waiting, or a head still within its barging window: take a place directly.
  // Otherwise queue behind the waiters.
  if (may_barge() && try_take()) {
    run_on_place(task);
    return Clock::duration::zero();
  }
  const Clock::time_point arrived = Clock::now();
  Waiter self(task);
  std::unique_lock lock(mutex_);
  queue_.push_back(&self);
  waiting_.fetch_add(1);
  for (;;) {
    if (self.phase() != Waiter::kQueued) {
      // A combining thread took it: the next waiter is now the head and should spin.
      if (!queue_.empty()) queue_.front()->wake.notify_one();
      wait_until_done(self, lock);
      return self.started - arrived;
    }
    if (queue_.front() == &self && wait_as_head(self, deadline, lock)) {
      lock.unlock();
      const Clock::time_point started = Clock::now();
      run_on_place(task);
      return started - arrived;
    }
    if (self.phase() != Waiter::kQueued) continue;
    if (Clock::now() >= deadline) break;
    if (queue_.front() != &self) {
      // Behind the head: most likely a combining thread runs this task within a few
      // operations, so spin (yielding) before sleeping; a free place sends it back to check
      // whether it is the head now.
      lock.unlock();
      const bool moved = spin(self, Waiter::kQueued, std::min(Clock::now() + kResultSpin, deadline),
                              /*until_free_place=*/true);
      lock.lock();
      if (moved || in_flight_.load() < limit()) continue;
    }
    // The head sleeps until a leaver wakes it; the others until they are at the front or
    // their task is done.
    sleep(self, Waiter::kQueued, lock, deadline);
  }
  const bool was_head = queue_.front() == &self;
  queue_.erase(std::find(queue_.begin(), queue_.end(), &self));
  waiting_.fetch_sub(1);
  if (was_head) {
    head_starving_.store(false);  // the next head starts afresh
    if (!queue_.empty()) queue_.front()->wake.notify_one();
  }
  return fail(ErrorCode::PoolTimeout,
              fmt::format("no place on the token within the acquire timeout: {} operations of "
                          "this class in flight (limit {}), {} waiting",
                          in_flight(), limit(), waiting()));
}

void ConcurrencyGate::run_on_place(GateTask task) {
  const Clock::time_point started = Clock::now();
  task();
  Clock::time_point now = Clock::now();
  // Combine only while every place is taken: with one free, the head takes it and the
  // operations run side by side.
  while (waiting_.load() != 0 && now - started < kCombineBudget && in_flight_.load() >= limit()) {
    Waiter* next = nullptr;
    {
      const std::lock_guard lock(mutex_);
      if (queue_.empty()) break;
      next = queue_.front();
      queue_.pop_front();
      waiting_.fetch_sub(1);
      head_starving_.store(false);  // the next head starts afresh
      next->started = now;
      next->state.store(Waiter::kClaimed | (next->state.load() & Waiter::kAsleep));
    }
    next->task();
    combined_.fetch_add(1, std::memory_order_relaxed);
    now = Clock::now();
    if (adaptive_) adaptive_->on_completion(now, in_flight_.load());
    finish(*next);
  }
  leave(now);
}

void ConcurrencyGate::finish(Waiter& waiter) {
  std::uint32_t expected = Waiter::kClaimed;
  if (waiter.state.compare_exchange_strong(expected, Waiter::kDone)) return;
  // It sleeps: wake it under the lock, which it needs to return, and mark it done last.
  const std::lock_guard lock(mutex_);
  waiter.wake.notify_one();
  waiter.state.store(Waiter::kDone);
}

void ConcurrencyGate::sleep(Waiter& self, std::uint32_t phase, std::unique_lock<std::mutex>& lock,
                            std::optional<Clock::time_point> deadline) {
  // One compare-exchange, so a task finished meanwhile is seen (and not slept through).
  std::uint32_t expected = phase;
  if (!self.state.compare_exchange_strong(expected, phase | Waiter::kAsleep)) return;
  if (deadline) {
    self.wake.wait_until(lock, *deadline);
  } else {
    self.wake.wait(lock);
  }
  self.state.fetch_and(~std::uint32_t{Waiter::kAsleep});
}

bool ConcurrencyGate::spin(Waiter& self, std::uint32_t phase, Clock::time_point until,
                           bool until_free_place) {
  for (;;) {
    std::this_thread::yield();
    if (self.phase() != phase) return true;
    if (until_free_place && in_flight_.load() < limit()) return false;
    if (Clock::now() >= until) return false;
  }
}

void ConcurrencyGate::wait_until_done(Waiter& self, std::unique_lock<std::mutex>& lock) {
  lock.unlock();
  if (spin(self, Waiter::kClaimed, Clock::now() + kResultSpin, /*until_free_place=*/false)) return;
  lock.lock();
  while (self.phase() != Waiter::kDone) sleep(self, Waiter::kClaimed, lock, std::nullopt);
}

void ConcurrencyGate::leave(Clock::time_point now) {
  last_leave_.store(now.time_since_epoch().count(), std::memory_order_relaxed);
  const std::uint32_t was_in_flight = in_flight_.fetch_sub(1);
  if (adaptive_) adaptive_->on_completion(now, was_in_flight);
  // A spinning head finds the place (or the places a raised limit added) itself; a sleeping
  // one is woken to spin. Places are not held for it meanwhile.
  if (waiting_.load() == 0 || head_spinning_.load()) return;
  const std::unique_lock lock(mutex_);
  if (!queue_.empty()) queue_.front()->wake.notify_one();
}

bool ConcurrencyGate::wait_as_head(Waiter& self, Clock::time_point deadline,
                                   std::unique_lock<std::mutex>& lock) {
  const Clock::time_point started = Clock::now();
  if (!self.head_since) self.head_since = started;
  const Clock::time_point until = std::min(started + kHeadSpin, deadline);
  const auto grace_ticks =
      std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(kReturnGrace)).count();
  head_spinning_.store(true);
  lock.unlock();
  bool took = false;
  for (unsigned spins = 1;; ++spins) {
    cpu_relax();
    if (spins % kPausesPerPoll != 0) continue;
    if (self.phase() != Waiter::kQueued) break;  // a combining thread took it
    const Clock::time_point now = Clock::now();
    if (!head_starving_.load() && now - *self.head_since >= kBargeWindow) {
      head_starving_.store(true);
    }
    const bool unclaimed =
        now.time_since_epoch().count() - last_leave_.load(std::memory_order_relaxed) >= grace_ticks;
    if (in_flight_.load() < limit() && (head_starving_.load() || unclaimed) && try_take()) {
      took = true;
      break;
    }
    if (now >= until) break;
  }
  // Stop spinning before the last look under the lock: a leaver that still saw the head
  // spinning left its place to it, and that place is found here (no lost wake-up).
  head_spinning_.store(false);
  lock.lock();
  if (self.phase() != Waiter::kQueued) {
    // Claimed while it took a place: the place goes back unused.
    if (took) in_flight_.fetch_sub(1);
    return false;
  }
  if (!took && !try_take()) return false;
  queue_.pop_front();
  waiting_.fetch_sub(1);
  head_starving_.store(false);
  // The new head wakes to spin: it is next, and most likely within one operation.
  if (!queue_.empty()) queue_.front()->wake.notify_one();
  return true;
}

}  // namespace craton::hsm::pkcs11
