// SPDX-License-Identifier: Apache-2.0
// The gate with real threads: the limit holds, waiters are admitted in arrival order, a
// deadline gives PoolTimeout and gives nothing away, and no wake-up is lost under load.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
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

TEST(ConcurrencyGateTest, NeverAdmitsMoreThanTheLimit) {
  ConcurrencyGate gate(3);
  std::atomic<std::uint32_t> inside{0};
  std::atomic<std::uint32_t> most{0};
  std::vector<std::jthread> threads;
  for (int t = 0; t < 12; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        ASSERT_TRUE(gate.enter(in(10s)).has_value());
        const std::uint32_t now_inside = inside.fetch_add(1) + 1;
        std::uint32_t seen = most.load();
        while (now_inside > seen && !most.compare_exchange_weak(seen, now_inside)) {
        }
        std::this_thread::yield();
        inside.fetch_sub(1);
        gate.leave(Clock::now());
      }
    });
  }
  threads.clear();
  EXPECT_EQ(most.load(), 3U);
  EXPECT_EQ(gate.in_flight(), 0U);
  EXPECT_EQ(gate.waiting(), 0U);
}

TEST(ConcurrencyGateTest, WaitersAreAdmittedInArrivalOrder) {
  ConcurrencyGate gate(1);
  ASSERT_TRUE(gate.enter(in(1s)).has_value());  // the place is taken
  std::mutex order_mutex;
  std::vector<int> order;
  std::vector<std::jthread> waiters;
  for (int i = 0; i < 6; ++i) {
    waiters.emplace_back([&, i] {
      ASSERT_TRUE(gate.enter(in(10s)).has_value());
      {
        const std::lock_guard lock(order_mutex);
        order.push_back(i);
      }
      gate.leave(Clock::now());
    });
    // The next one arrives only after this one queued.
    ASSERT_TRUE(eventually([&] { return gate.waiting() == static_cast<std::uint32_t>(i + 1); }));
  }
  gate.leave(Clock::now());
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
      ASSERT_TRUE(gate.enter(in(10s)).has_value());
      const auto until = Clock::now() + 20us;
      while (Clock::now() < until) {
      }
      hammer_ops.fetch_add(1);
      gate.leave(Clock::now());
    }
  });
  ASSERT_TRUE(eventually([&] { return hammer_ops.load() > 100; }));
  std::vector<Clock::duration> waits;
  for (int i = 0; i < 21; ++i) {
    const auto started = Clock::now();
    ASSERT_TRUE(gate.enter(in(5s)).has_value()) << "waiter " << i << " starved";
    waits.push_back(Clock::now() - started);
    gate.leave(Clock::now());
  }
  stop = true;
  std::sort(waits.begin(), waits.end());
  // The bound is the barging window plus one 20 us hold (about 70 us); the median leaves a
  // loaded CI machine's scheduling room.
  EXPECT_LT(waits[waits.size() / 2], 2ms)
      << "median wait "
      << std::chrono::duration<double, std::micro>(waits[waits.size() / 2]).count() << " us";
}

TEST(ConcurrencyGateTest, ADeadlineGivesPoolTimeoutAndLeavesNothingBehind) {
  ConcurrencyGate gate(1);
  ASSERT_TRUE(gate.enter(in(1s)).has_value());
  const auto started = Clock::now();
  const auto timed_out = gate.enter(in(50ms));
  ASSERT_FALSE(timed_out.has_value());
  EXPECT_EQ(timed_out.error().code(), ErrorCode::PoolTimeout);
  EXPECT_GE(Clock::now() - started, 50ms);
  EXPECT_EQ(gate.waiting(), 0U);
  gate.leave(Clock::now());
  // The timed-out waiter took no place: the next caller gets in at once.
  ASSERT_TRUE(gate.enter(Clock::now()).has_value());
  EXPECT_EQ(gate.in_flight(), 1U);
  gate.leave(Clock::now());
}

TEST(ConcurrencyGateTest, ATimedOutWaiterDoesNotBlockTheOnesBehindIt) {
  ConcurrencyGate gate(1);
  ASSERT_TRUE(gate.enter(in(1s)).has_value());
  std::jthread impatient([&] { EXPECT_FALSE(gate.enter(in(30ms)).has_value()); });
  ASSERT_TRUE(eventually([&] { return gate.waiting() == 1; }));
  std::atomic<bool> patient_in{false};
  std::jthread patient([&] {
    ASSERT_TRUE(gate.enter(in(10s)).has_value());
    patient_in = true;
    gate.leave(Clock::now());
  });
  impatient.join();
  gate.leave(Clock::now());
  patient.join();
  EXPECT_TRUE(patient_in.load());
  EXPECT_EQ(gate.in_flight(), 0U);
}

TEST(ConcurrencyGateTest, NoWakeUpIsLostUnderLoad) {
  // Many short operations through a small limit: a lost wake-up would leave a waiter asleep
  // until its deadline and fail the test with PoolTimeout.
  ConcurrencyGate gate(2);
  std::atomic<std::uint64_t> done{0};
  std::vector<std::jthread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5'000; ++i) {
        ASSERT_TRUE(gate.enter(in(5s)).has_value());
        gate.leave(Clock::now());
        done.fetch_add(1);
      }
    });
  }
  threads.clear();
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
    ASSERT_TRUE(gate.enter(in(1s)).has_value());
    std::this_thread::sleep_for(100us);
    gate.leave(Clock::now());
  }
  EXPECT_GT(gate.adaptive()->snapshot().windows, 0U);
  EXPECT_EQ(ConcurrencyGate(4).adaptive(), nullptr);
}

}  // namespace
}  // namespace craton::hsm::pkcs11
