// SPDX-License-Identifier: Apache-2.0
// The gate with real threads: the limit holds, waiters are served in arrival order, a thread
// that holds a place runs the queued operations, a deadline gives PoolTimeout and gives
// nothing away, and no wake-up is lost under load.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "pkcs11/pool/concurrency_gate.h"

namespace craton::hsm::pkcs11 {
namespace {

using Clock = ConcurrencyGate::Clock;
using namespace std::chrono_literals;

Clock::time_point in(std::chrono::milliseconds delay) {
  return Clock::now() + delay;
}

// Runs `body` through the gate within `timeout`; the error when it timed out.
template <typename Body>
Result<Clock::duration> run(ConcurrencyGate& gate, Body body,
                            std::chrono::milliseconds timeout = 10s) {
  auto task = [&]() noexcept { body(); };
  return gate.run(in(timeout), GateTask(task));
}

// Calls `operation()` `times` times on each of `threads` threads, and joins them.
template <typename Operation>
void on_threads(int threads, int times, Operation operation) {
  std::vector<std::jthread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (int i = 0; i < times; ++i) operation();
    });
  }
}

// Waits (bounded) until `condition` holds.
template <typename Condition>
bool eventually(Condition condition) {
  const auto deadline = Clock::now() + 10s;
  while (!condition()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// Holds one place of a gate, on a thread of its own, until release().
class PlaceHolder {
 public:
  explicit PlaceHolder(ConcurrencyGate& gate)
      : thread_([&gate, this] {
          EXPECT_TRUE(run(gate, [this] {
                        entered_ = true;
                        while (!released_) std::this_thread::sleep_for(100us);
                      }).has_value());
        }) {
    EXPECT_TRUE(eventually([this] { return entered_.load(); }));
  }
  PlaceHolder(const PlaceHolder&) = delete;
  PlaceHolder& operator=(const PlaceHolder&) = delete;
  PlaceHolder(PlaceHolder&&) = delete;
  PlaceHolder& operator=(PlaceHolder&&) = delete;
  ~PlaceHolder() { release(); }

  void release() {
    released_ = true;
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::atomic<bool> entered_{false};
  std::atomic<bool> released_{false};
  std::jthread thread_;
};

TEST(ConcurrencyGateTest, NeverAdmitsMoreThanTheLimit) {
  ConcurrencyGate gate(3);
  std::atomic<std::uint32_t> inside{0};
  std::atomic<std::uint32_t> most{0};
  on_threads(12, 500, [&] {
    ASSERT_TRUE(run(gate, [&] {
                  const std::uint32_t now_inside = inside.fetch_add(1) + 1;
                  std::uint32_t seen = most.load();
                  while (now_inside > seen && !most.compare_exchange_weak(seen, now_inside)) {
                  }
                  std::this_thread::yield();
                  inside.fetch_sub(1);
                }).has_value());
  });
  EXPECT_EQ(most.load(), 3U);
  EXPECT_EQ(gate.in_flight(), 0U);
  EXPECT_EQ(gate.waiting(), 0U);
}

TEST(ConcurrencyGateTest, WaitersAreServedInArrivalOrder) {
  ConcurrencyGate gate(1);
  PlaceHolder holder(gate);
  std::mutex order_mutex;
  std::vector<int> order;
  std::vector<std::jthread> waiters;
  for (int i = 0; i < 6; ++i) {
    waiters.emplace_back([&, i] {
      ASSERT_TRUE(run(gate, [&] {
                    const std::lock_guard lock(order_mutex);
                    order.push_back(i);
                  }).has_value());
    });
    // The next one arrives only after this one queued.
    ASSERT_TRUE(eventually([&] { return gate.waiting() == static_cast<std::uint32_t>(i + 1); }));
  }
  holder.release();
  waiters.clear();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 5}));
}

TEST(ConcurrencyGateTest, AThreadThatKeepsComingBackCannotStarveAWaiter) {
  // One thread holds the only place for 20 us at a time and re-enters as soon as it leaves: it
  // may go first for a bounded while (barging), then the waiter's turn comes.
  ConcurrencyGate gate(1);
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> hammer_ops{0};
  std::jthread hammer([&] {
    while (!stop.load()) {
      ASSERT_TRUE(run(gate, [&] {
                    const auto until = Clock::now() + 20us;
                    while (Clock::now() < until) {
                    }
                    hammer_ops.fetch_add(1);
                  }).has_value());
    }
  });
  ASSERT_TRUE(eventually([&] { return hammer_ops.load() > 100; }));
  std::vector<Clock::duration> waits;
  for (int i = 0; i < 21; ++i) {
    const auto started = Clock::now();
    ASSERT_TRUE(run(
                    gate, [] {}, 5s)
                    .has_value())
        << "waiter " << i << " starved";
    waits.push_back(Clock::now() - started);
  }
  stop = true;
  std::sort(waits.begin(), waits.end());
  // The bound is the barging window plus two 20 us holds (about 90 us; the hammer may run the
  // waiter's operation after its own); the median leaves a
  // loaded CI machine's scheduling room.
  EXPECT_LT(waits[waits.size() / 2], 2ms)
      << "median wait "
      << std::chrono::duration<double, std::micro>(waits[waits.size() / 2]).count() << " us";
}

TEST(ConcurrencyGateTest, ADeadlineGivesPoolTimeoutAndLeavesNothingBehind) {
  ConcurrencyGate gate(1);
  {
    PlaceHolder holder(gate);
    bool ran = false;
    const auto started = Clock::now();
    const auto timed_out = run(
        gate, [&] { ran = true; }, 50ms);
    ASSERT_FALSE(timed_out.has_value());
    EXPECT_EQ(timed_out.error().code(), ErrorCode::PoolTimeout);
    EXPECT_GE(Clock::now() - started, 50ms);
    EXPECT_FALSE(ran) << "a timed-out operation must not run";
    EXPECT_EQ(gate.waiting(), 0U);
  }
  // The timed-out waiter took no place: the next caller gets in at once.
  std::uint32_t inside = 0;
  ASSERT_TRUE(run(
                  gate, [&] { inside = gate.in_flight(); }, 0ms)
                  .has_value());
  EXPECT_EQ(inside, 1U);
  EXPECT_EQ(gate.in_flight(), 0U);
}

TEST(ConcurrencyGateTest, ATimedOutWaiterDoesNotBlockTheOnesBehindIt) {
  ConcurrencyGate gate(1);
  PlaceHolder holder(gate);
  std::jthread impatient([&] {
    EXPECT_FALSE(run(
                     gate, [] {}, 30ms)
                     .has_value());
  });
  ASSERT_TRUE(eventually([&] { return gate.waiting() == 1; }));
  std::atomic<bool> patient_in{false};
  std::jthread patient([&] { ASSERT_TRUE(run(gate, [&] { patient_in = true; }).has_value()); });
  impatient.join();
  holder.release();
  patient.join();
  EXPECT_TRUE(patient_in.load());
  EXPECT_EQ(gate.in_flight(), 0U);
}

TEST(ConcurrencyGateTest, AThreadThatHoldsAPlaceRunsTheQueuedOperations) {
  // Short operations from many threads through a limit of one: each runs exactly once and its
  // caller sees it done, and some run on a thread other than their caller's (combining).
  ConcurrencyGate gate(1);
  std::atomic<std::uint32_t> inside{0};
  std::atomic<std::uint64_t> ran_elsewhere{0};
  on_threads(6, 2'000, [&] {
    const std::thread::id caller = std::this_thread::get_id();
    int runs = 0;
    ASSERT_TRUE(run(gate, [&] {
                  EXPECT_EQ(inside.fetch_add(1), 0U) << "two operations inside a limit of 1";
                  ++runs;
                  if (std::this_thread::get_id() != caller) ran_elsewhere.fetch_add(1);
                  const auto until = Clock::now() + 5us;
                  while (Clock::now() < until) {
                  }
                  inside.fetch_sub(1);
                }).has_value());
    ASSERT_EQ(runs, 1);
  });
  EXPECT_GT(ran_elsewhere.load(), 0U);
  EXPECT_EQ(gate.combined(), ran_elsewhere.load());
  EXPECT_EQ(gate.in_flight(), 0U);
  EXPECT_EQ(gate.waiting(), 0U);
}

TEST(ConcurrencyGateTest, LongOperationsAreNotCombined) {
  // An operation longer than the combining budget (100 us) gives its place back after its
  // own run: long operations gain nothing from staying on one thread, and the caller's latency
  // must not grow by a queue of them.
  ConcurrencyGate gate(1);
  std::atomic<std::uint64_t> ran_elsewhere{0};
  on_threads(4, 50, [&] {
    const std::thread::id caller = std::this_thread::get_id();
    ASSERT_TRUE(run(gate, [&] {
                  if (std::this_thread::get_id() != caller) ran_elsewhere.fetch_add(1);
                  std::this_thread::sleep_for(300us);
                }).has_value());
  });
  EXPECT_EQ(ran_elsewhere.load(), 0U);
  EXPECT_EQ(gate.combined(), 0U);
}

TEST(ConcurrencyGateTest, NoWakeUpIsLostUnderLoad) {
  // Many short operations through a small limit: a lost wake-up would leave a waiter asleep
  // until its deadline and fail the test with PoolTimeout.
  ConcurrencyGate gate(2);
  std::atomic<std::uint64_t> done{0};
  on_threads(8, 5'000, [&] {
    ASSERT_TRUE(run(
                    gate, [] {}, 5s)
                    .has_value());
    done.fetch_add(1);
  });
  EXPECT_EQ(done.load(), 40'000U);
  EXPECT_EQ(gate.in_flight(), 0U);
  EXPECT_EQ(gate.waiting(), 0U);
}

TEST(ConcurrencyGateTest, AnAdaptiveGateStartsAtItsInitialLimitAndCountsWindows) {
  AdaptiveLimitOptions options;
  options.initial_limit = 2;
  options.window = 1ms;
  options.window_completions = 4;
  ConcurrencyGate gate(options, Clock::now());
  EXPECT_EQ(gate.limit(), 2U);
  ASSERT_NE(gate.adaptive(), nullptr);
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(run(
                    gate, [] { std::this_thread::sleep_for(100us); }, 1s)
                    .has_value());
  }
  EXPECT_GT(gate.adaptive()->snapshot().windows, 0U);
  EXPECT_EQ(ConcurrencyGate(4).adaptive(), nullptr);
}

}  // namespace
}  // namespace craton::hsm::pkcs11
