// SPDX-License-Identifier: Apache-2.0
// Threads, start barrier, stop flag and per-thread sampling of the timing loop.
#include "bench/timing_loop.h"

#include <time.h>

#include <atomic>
#include <optional>
#include <thread>
#include <vector>

#include "bench/alloc_counter.h"
#include "bench/stats.h"

namespace craton::hsm::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kSamplesPerThread = std::size_t{1} << 15;

double process_cpu_seconds() {
  timespec now{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

struct ThreadState {
  explicit ThreadState(std::uint64_t seed) : latencies(kSamplesPerThread, seed) {}
  Reservoir latencies;
  std::uint64_t ops = 0;
  std::uint64_t allocations = 0;
  Clock::duration elapsed{};
  std::optional<HsmError> error;
};

void run_thread(Operation& operation, ThreadState& me, std::size_t warmup,
                std::atomic<std::size_t>& ready, const std::atomic<bool>& go,
                const std::atomic<bool>& stop) {
  for (std::size_t i = 0; i < warmup && !me.error; ++i) {
    if (auto done = operation(); !done) me.error = std::move(done).error();
  }
  ready.fetch_add(1, std::memory_order_release);
  while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
  if (me.error) return;
  const std::uint64_t allocations_before = thread_allocations();
  const Clock::time_point start = Clock::now();
  Clock::time_point last = start;
  // At least one timed operation per thread: a thread the scheduler starts only after "stop"
  // (a loaded machine, a short run) would otherwise count nothing and fail the whole run.
  do {
    Result<void> done = operation();
    const Clock::time_point now = Clock::now();
    if (!done) {
      me.error = std::move(done).error();
      break;
    }
    me.latencies.add(static_cast<std::uint64_t>((now - last).count()));
    last = now;
    ++me.ops;
  } while (!stop.load(std::memory_order_relaxed));
  me.allocations = thread_allocations() - allocations_before;
  me.elapsed = last - start;
}

}  // namespace

Result<LoopResult> run_timed(std::span<Operation> operations, const LoopOptions& options) {
  std::vector<ThreadState> states;
  states.reserve(operations.size());
  for (std::size_t i = 0; i < operations.size(); ++i) states.emplace_back(i + 1);
  std::atomic<std::size_t> ready{0};
  std::atomic<bool> go{false};
  std::atomic<bool> stop{false};
  double cpu_seconds = 0;
  {
    std::vector<std::jthread> threads;
    threads.reserve(operations.size());
    for (std::size_t i = 0; i < operations.size(); ++i) {
      threads.emplace_back(
          [&, i] { run_thread(operations[i], states[i], options.warmup_ops, ready, go, stop); });
    }
    while (ready.load(std::memory_order_acquire) < operations.size()) std::this_thread::yield();
    if (options.on_start) options.on_start();
    cpu_seconds = -process_cpu_seconds();
    go.store(true, std::memory_order_release);
    std::this_thread::sleep_for(options.duration);
    stop.store(true, std::memory_order_relaxed);
  }  // joins
  cpu_seconds += process_cpu_seconds();
  if (options.on_stop) options.on_stop();

  LoopResult result;
  std::uint64_t allocations = 0;
  std::vector<std::uint64_t> latencies;
  Clock::duration longest{};
  for (ThreadState& state : states) {
    if (state.error) return std::unexpected(std::move(*state.error));
    result.ops += state.ops;
    allocations += state.allocations;
    longest = std::max(longest, state.elapsed);
    const auto samples = state.latencies.samples();
    latencies.insert(latencies.end(), samples.begin(), samples.end());
  }
  result.seconds = std::chrono::duration<double>(longest).count();
  if (result.ops == 0 || result.seconds <= 0) {
    return fail(ErrorCode::Internal, "the timed loop completed no operation; raise the duration");
  }
  result.ops_per_second = static_cast<double>(result.ops) / result.seconds;
  result.cpu_us_per_op = cpu_seconds * 1e6 / static_cast<double>(result.ops);
  result.p50_us = static_cast<double>(percentile(latencies, 0.50)) / 1000.0;
  result.p99_us = static_cast<double>(percentile(latencies, 0.99)) / 1000.0;
  if (allocation_counting_active()) {
    result.allocs_per_op = static_cast<double>(allocations) / static_cast<double>(result.ops);
  }
  return result;
}

}  // namespace craton::hsm::bench
