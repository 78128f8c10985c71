// SPDX-License-Identifier: Apache-2.0
// AdaptiveLimit: how many operations of one class may be in flight on the token at once, found
// by measuring the token's throughput at neighbouring limits and keeping the best. Tokens that
// serialise internally (SoftHSM2's AES-GCM: 62,000/s at one caller, 39,000/s at two) lose
// throughput when more callers reach them at once; tokens with many cores (network HSMs, RSA on
// SoftHSM2) gain until their cores are busy. docs/concurrency.md gives the algorithm, its
// constants and why.
//
// The algorithm, in windows of at least `window` and `window_completions` completions:
//   hold      keep the limit for `hold` windows; the last one is the baseline B;
//   probe up  one window at limit + step (skipped at max_limit): throughput U;
//   probe down one window at limit - 1 (skipped at min_limit): throughput D;
//   decide    U >= B * grow_gain: the limit takes the probed value, step doubles (a token
//             that scales is found in log2 steps), hold shrinks to hold_min;
//             else D >= B * keep_ratio: the limit takes the probed value (the same work with
//             less concurrency: lower latency), hold shrinks to hold_min;
//             else the limit stays, step resets to 1, hold doubles up to hold_max (a settled
//             limit is re-probed about every hold_max windows, so a token whose behaviour
//             changes is followed), and the next cycle probes at twice and half the limit
//             instead (then at +step and -1 again), so a plateau is not mistaken for a peak.
// A pause longer than a window (no completion) restarts the window: idle time is not the
// token's slowness.
// A window in which the class rarely reached its limit (demand below it) measures the demand,
// not the token: the limit then shrinks to the most that were in flight, so a later probe
// measures something.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>

namespace craton::hsm::pkcs11 {

struct AdaptiveLimitOptions {
  std::uint32_t min_limit = 1;
  std::uint32_t max_limit = 64;
  std::uint32_t initial_limit = 1;  // conservative: a serialising token is never flooded
  std::chrono::nanoseconds window = std::chrono::milliseconds(50);
  std::uint32_t window_completions = 32;
  double grow_gain = 1.04;   // a larger limit must buy 4 % more throughput
  double keep_ratio = 0.98;  // a smaller limit within 2 % is taken
  std::uint32_t hold_min = 2;
  std::uint32_t hold_max = 40;
};

class AdaptiveLimit {
 public:
  using Clock = std::chrono::steady_clock;

  AdaptiveLimit(AdaptiveLimitOptions options, Clock::time_point now);

  // The current limit. Hot path: one relaxed load.
  [[nodiscard]] std::uint32_t limit() const noexcept {
    return limit_.load(std::memory_order_relaxed);
  }

  // One operation of the class finished. `in_flight` counts it and every other operation of
  // the class on the token when it finished. Returns true when this call changed the limit
  // (the gate then admits waiters a larger limit lets in). Thread-safe; the hot path is two
  // relaxed increments and a load.
  bool on_completion(Clock::time_point now, std::uint32_t in_flight);

  // What the limiter has decided so far, for stats() and the benchmark report.
  struct Snapshot {
    std::uint32_t limit = 0;
    std::uint64_t windows = 0;
    std::uint64_t increases = 0;
    std::uint64_t decreases = 0;
  };
  [[nodiscard]] Snapshot snapshot() const;

 private:
  enum class Phase : std::uint8_t { Hold, ProbeUp, ProbeDown };

  void restart_window(Clock::time_point now);
  bool close_window(Clock::time_point now);
  void decide();
  void set_limit(std::uint32_t value);

  const AdaptiveLimitOptions options_;
  const Clock::rep window_ticks_;
  // The limit on a cache line of its own: read by waiters, written only by decisions; the
  // counters below are written on every completion.
  alignas(64) std::atomic<std::uint32_t> limit_;
  alignas(64) std::atomic<std::uint64_t> completions_{0};
  std::atomic<std::uint64_t> at_limit_{0};
  std::atomic<std::uint32_t> peak_in_flight_{0};
  std::atomic<Clock::rep> window_end_;
  std::atomic<Clock::rep> last_completion_;

  mutable std::mutex mutex_;  // the window's close and the decisions below
  Clock::time_point window_start_;
  Phase phase_ = Phase::Hold;
  std::uint32_t settled_ = 0;  // the limit the probes are measured around
  std::uint32_t step_ = 1;
  bool far_ = false;             // probe at twice and half the limit, not one more and one less
  std::uint32_t up_target_ = 0;  // the limits being probed
  std::uint32_t down_target_ = 0;
  std::uint32_t hold_ = 0;  // windows to hold before the next probe
  std::uint32_t held_ = 0;  // windows held so far
  double baseline_ = 0;     // completions per second at settled_
  double up_ = 0;           // at settled_ + step_ (0: not measured)
  double down_ = 0;         // at settled_ - 1 (0: not measured)
  std::uint64_t windows_ = 0;
  std::uint64_t increases_ = 0;
  std::uint64_t decreases_ = 0;
};

}  // namespace craton::hsm::pkcs11
