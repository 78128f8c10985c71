// SPDX-License-Identifier: Apache-2.0
// The timing loop: one operation per thread, warmed up, started together, run for a fixed
// wall-clock duration, with per-operation latencies and allocation counts.
#pragma once

#include <craton/hsm/error.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>

namespace craton::hsm::bench {

// One thread's unit of work; the loop calls it until the time is up. A failure stops the run.
using Operation = std::function<Result<void>()>;

struct LoopOptions {
  std::chrono::nanoseconds duration{std::chrono::milliseconds(500)};
  std::size_t warmup_ops = 4;  // per thread, before the clock starts (fills caches)
  // Called on the controlling thread right before the clock starts and right after every
  // thread stopped: for snapshots of counters that belong to the timed part only.
  std::function<void()> on_start;
  std::function<void()> on_stop;
};

struct LoopResult {
  std::uint64_t ops = 0;
  double seconds = 0;  // the longest thread's timed span
  double ops_per_second = 0;
  double p50_us = 0;
  double p99_us = 0;
  // Allocations per operation on the worker threads; nullopt without the allocation hook.
  std::optional<double> allocs_per_op;
  // CPU time of the whole process (workers and any background thread, such as the audit
  // writer) while timed, per operation: what an operation costs the machine, which on a busy
  // or small machine decides throughput more than its latency does.
  double cpu_us_per_op = 0;
};

// Runs operations[i] on thread i. Every operation's storage is allocated before the clock
// starts, so counted allocations are the operations' own. Errors: the first failure of any
// operation (warm-up included).
[[nodiscard]] Result<LoopResult> run_timed(std::span<Operation> operations,
                                           const LoopOptions& options);

}  // namespace craton::hsm::bench
