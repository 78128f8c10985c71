// SPDX-License-Identifier: Apache-2.0
// The timing loop counts every thread's work, however briefly the clock runs and however late
// the scheduler starts a thread.
#include <gtest/gtest.h>

#include <atomic>
#include <vector>

#include "bench/timing_loop.h"

namespace craton::hsm::bench {
namespace {

// A loaded machine may not run a thread at all between "go" and "stop"; a zero-length run makes
// that the usual case. Each thread must still time at least one operation, or the run reports
// "completed no operation" (seen as a flaky CLI bench test at load 7 on 2 cores).
TEST(TimingLoopTest, EveryThreadTimesAnOperationEvenWhenTheClockStopsAtOnce) {
  constexpr std::size_t kThreads = 4;
  LoopOptions options;
  options.duration = std::chrono::nanoseconds(0);
  options.warmup_ops = 1;
  for (int run = 0; run < 50; ++run) {
    std::vector<std::atomic<std::uint64_t>> calls(kThreads);
    std::vector<Operation> operations;
    for (std::size_t i = 0; i < kThreads; ++i) {
      operations.emplace_back([&calls, i]() -> Result<void> {
        calls[i].fetch_add(1, std::memory_order_relaxed);
        return {};
      });
    }
    const auto result = run_timed(operations, options);
    ASSERT_TRUE(result.has_value()) << "run " << run << ": " << result.error();
    EXPECT_GE(result->ops, kThreads);
    for (std::size_t i = 0; i < kThreads; ++i) {
      EXPECT_GE(calls[i].load(), options.warmup_ops + 1) << "thread " << i << ", run " << run;
    }
  }
}

}  // namespace
}  // namespace craton::hsm::bench
