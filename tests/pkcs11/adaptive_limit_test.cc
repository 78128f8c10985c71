// SPDX-License-Identifier: Apache-2.0
// The adaptive limit against simulated tokens on a deterministic clock: a closed loop of
// application threads, each starting its next operation as soon as the last one ends, and a
// token whose total throughput depends on how many operations it has in flight. The limiter
// must find the knee of each curve, follow a token that changes, and not oscillate.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <random>
#include <vector>

#include "pkcs11/pool/adaptive_limit.h"

namespace craton::hsm::pkcs11 {
namespace {

using Clock = AdaptiveLimit::Clock;
using std::chrono::duration;
using std::chrono::nanoseconds;

// Operations per second the token completes in all with `in_flight` operations on it.
using ThroughputCurve = std::function<double(std::uint32_t in_flight)>;

// A token curve that changes at `switch_at` seconds.
struct Token {
  ThroughputCurve before;
  ThroughputCurve after;
  double switch_at = 1e9;
  [[nodiscard]] double throughput(double now, std::uint32_t in_flight) const {
    return (now < switch_at ? before : after)(in_flight);
  }
};

struct Sample {
  double time = 0;
  std::uint32_t limit = 0;
};

struct SimulatedRun {
  std::vector<Sample> limits;       // the limit after every completion
  std::vector<double> completions;  // completion times
  AdaptiveLimit::Snapshot snapshot;

  // Completions per second in [from, to).
  [[nodiscard]] double throughput(double from, double to) const {
    const auto count = std::count_if(completions.begin(), completions.end(),
                                     [&](double t) { return t >= from && t < to; });
    return static_cast<double>(count) / (to - from);
  }
  // The limit at time t.
  [[nodiscard]] std::uint32_t limit_at(double t) const {
    std::uint32_t value = limits.empty() ? 0 : limits.front().limit;
    for (const Sample& sample : limits) {
      if (sample.time > t) break;
      value = sample.limit;
    }
    return value;
  }
  // The share of [from, to) spent at `limit`.
  [[nodiscard]] double time_share_at(double from, double to, std::uint32_t limit) const {
    double at = 0;
    double previous = from;
    std::uint32_t current = limit_at(from);
    for (const Sample& sample : limits) {
      if (sample.time <= from) continue;
      if (sample.time >= to) break;
      if (current == limit) at += sample.time - previous;
      previous = sample.time;
      current = sample.limit;
    }
    if (current == limit) at += to - previous;
    return at / (to - from);
  }
};

// Every operation is one unit of work, stretched by up to ±`jitter` (deterministic seed); the
// operations in flight share the token's throughput equally.
SimulatedRun simulate(const Token& token, std::uint32_t threads, double seconds,
                      AdaptiveLimitOptions options = {}, double jitter = 0.1) {
  const Clock::time_point epoch{};
  AdaptiveLimit limiter(options, epoch);
  std::mt19937_64 random(42);
  std::uniform_real_distribution<double> stretch(1 - jitter, 1 + jitter);
  std::vector<double> remaining;  // work left of each operation in flight
  std::uint32_t waiting = threads;
  double now = 0;
  SimulatedRun run;
  const auto admit = [&] {
    while (waiting > 0 && remaining.size() < limiter.limit()) {
      remaining.push_back(stretch(random));
      --waiting;
    }
  };
  admit();
  while (now < seconds) {
    const auto in_flight = static_cast<std::uint32_t>(remaining.size());
    const double rate = token.throughput(now, in_flight) / in_flight;  // work per second each
    const auto first = std::min_element(remaining.begin(), remaining.end());
    const double step = *first / rate;
    for (double& work : remaining) work -= step * rate;
    now += step;
    remaining.erase(first);
    ++waiting;
    run.completions.push_back(now);
    limiter.on_completion(epoch + std::chrono::duration_cast<nanoseconds>(duration<double>(now)),
                          in_flight);
    run.limits.push_back({now, limiter.limit()});
    admit();
  }
  run.snapshot = limiter.snapshot();
  return run;
}

// The best the token can do for `threads` callers at any concurrency up to that many.
double best_throughput(const ThroughputCurve& curve, std::uint32_t threads) {
  double best = 0;
  for (std::uint32_t c = 1; c <= threads; ++c) best = std::max(best, curve(c));
  return best;
}

// A token with k cores: scales to k, flat after.
ThroughputCurve saturating(double per_core, std::uint32_t cores) {
  return [=](std::uint32_t c) { return per_core * std::min(c, cores); };
}
// SoftHSM2's AES-GCM 1 KiB on two cores (docs/performance.md): one caller is best.
ThroughputCurve serialising_collapse() {
  return [](std::uint32_t c) { return c == 1 ? 62'000.0 : c == 2 ? 39'300.0 : 40'500.0; };
}
// Scales to k, then loses 15 % per extra caller down to half (lock contention).
ThroughputCurve degrading(double per_core, std::uint32_t k) {
  return [=](std::uint32_t c) {
    if (c <= k) return per_core * c;
    return per_core * k * std::max(0.5, 1 - 0.15 * (c - k));
  };
}

TEST(AdaptiveLimitTest, ATokenThatSerialisesKeepsOneCaller) {
  const ThroughputCurve curve = serialising_collapse();
  const SimulatedRun run = simulate({curve, curve}, 16, 6.0);
  EXPECT_GE(run.time_share_at(2, 6, 1), 0.8);
  const double achieved = run.throughput(2, 6);
  EXPECT_GE(achieved, 0.95 * best_throughput(curve, 16)) << achieved;
}

TEST(AdaptiveLimitTest, ATokenThatSaturatesSettlesAtItsCores) {
  const ThroughputCurve curve = saturating(5'000, 4);
  const SimulatedRun run = simulate({curve, curve}, 16, 6.0);
  EXPECT_GE(run.time_share_at(2, 6, 4), 0.7);
  EXPECT_GE(run.throughput(2, 6), 0.95 * best_throughput(curve, 16));
}

TEST(AdaptiveLimitTest, ATokenThatDegradesPastItsKneeSettlesAtTheKnee) {
  const ThroughputCurve curve = degrading(4'000, 3);
  const SimulatedRun run = simulate({curve, curve}, 16, 6.0);
  EXPECT_GE(run.time_share_at(2, 6, 3), 0.7);
  EXPECT_GE(run.throughput(2, 6), 0.95 * best_throughput(curve, 16));
}

TEST(AdaptiveLimitTest, ATokenThatScalesLinearlyGetsTheCapWithinTwoSeconds) {
  const ThroughputCurve curve = saturating(1'000, 1'000);
  AdaptiveLimitOptions options;
  options.max_limit = 32;
  const SimulatedRun run = simulate({curve, curve}, 48, 5.0, options);
  EXPECT_EQ(run.limit_at(2.0), 32U);
  EXPECT_GE(run.time_share_at(2, 5, 32), 0.8);
}

TEST(AdaptiveLimitTest, ConvergesWithinASecondOrTwo) {
  const ThroughputCurve curve = saturating(5'000, 8);
  const SimulatedRun run = simulate({curve, curve}, 16, 3.0);
  EXPECT_GE(run.throughput(1.5, 3.0), 0.95 * best_throughput(curve, 16));
}

TEST(AdaptiveLimitTest, FollowsATokenThatGainsCores) {
  const SimulatedRun run = simulate({saturating(5'000, 2), saturating(5'000, 8), 4.0}, 16, 10.0);
  EXPECT_GE(run.time_share_at(2, 4, 2), 0.7);
  EXPECT_GE(run.time_share_at(7, 10, 8), 0.7);
  EXPECT_GE(run.throughput(7, 10), 0.95 * 40'000);
}

TEST(AdaptiveLimitTest, FollowsATokenThatStartsToSerialise) {
  const SimulatedRun run = simulate({saturating(5'000, 8), serialising_collapse(), 4.0}, 16, 10.0);
  EXPECT_GE(run.time_share_at(2, 4, 8), 0.7);
  EXPECT_GE(run.time_share_at(7, 10, 1), 0.7);
  EXPECT_GE(run.throughput(7, 10), 0.95 * 62'000);
}

TEST(AdaptiveLimitTest, ASettledLimitDoesNotOscillate) {
  const ThroughputCurve curve = saturating(5'000, 4);
  const SimulatedRun run = simulate({curve, curve}, 16, 12.0);
  // Settled: the probes become rare (hold doubles up to hold_max windows) and stay within
  // twice and half the limit.
  std::uint32_t changes = 0;
  for (std::size_t i = 1; i < run.limits.size(); ++i) {
    if (run.limits[i].time < 4) continue;
    if (run.limits[i].limit != run.limits[i - 1].limit) ++changes;
    EXPECT_GE(run.limits[i].limit, 2U);
    EXPECT_LE(run.limits[i].limit, 8U);
  }
  EXPECT_LE(changes, 3 * 8U) << "more than 8 probe cycles in 8 s";
  EXPECT_GE(run.time_share_at(4, 12, 4), 0.9);
  EXPECT_GE(run.throughput(4, 12), 0.97 * best_throughput(curve, 16));
}

TEST(AdaptiveLimitTest, FewCallersKeepTheLimitAtTheirNumber) {
  // A token that would take 1000 in flight, used by two threads: the limit follows the
  // demand, not the token, so a later burst of callers is admitted gradually.
  const ThroughputCurve curve = saturating(1'000, 1'000);
  const SimulatedRun run = simulate({curve, curve}, 2, 4.0);
  for (const Sample& sample : run.limits) EXPECT_LE(sample.limit, 4U);
}

TEST(AdaptiveLimitTest, IdlePausesAreNotMistakenForASlowToken) {
  // Bursts of work with long pauses between them (a benchmark's interleaved subjects, a
  // service with quiet spells): a window that spanned a pause would make whatever limit it
  // measured look slow. The limiter must still find the serialising token's best limit.
  const ThroughputCurve curve = serialising_collapse();
  const Clock::time_point epoch{};
  AdaptiveLimitOptions options;
  options.initial_limit = 4;
  AdaptiveLimit limiter(options, epoch);
  double now = 0;
  for (int burst = 0; burst < 60; ++burst) {
    const double burst_end = now + 0.2;
    while (now < burst_end) {
      const std::uint32_t in_flight = limiter.limit();  // 16 callers: always at the limit
      now += in_flight / curve(in_flight);              // in_flight operations complete together
      for (std::uint32_t i = 0; i < in_flight; ++i) {
        limiter.on_completion(
            epoch + std::chrono::duration_cast<nanoseconds>(duration<double>(now)), in_flight);
      }
    }
    now += 0.6;  // idle
  }
  EXPECT_EQ(limiter.limit(), 1U);
}

TEST(AdaptiveLimitTest, StaysInsideItsBounds) {
  AdaptiveLimitOptions options;
  options.min_limit = 2;
  options.max_limit = 6;
  options.initial_limit = 9;
  const ThroughputCurve collapse = serialising_collapse();
  const ThroughputCurve scaling = saturating(1'000, 1'000);
  for (const ThroughputCurve& curve : {collapse, scaling}) {
    const SimulatedRun run = simulate({curve, curve}, 16, 3.0, options);
    for (const Sample& sample : run.limits) {
      ASSERT_GE(sample.limit, 2U);
      ASSERT_LE(sample.limit, 6U);
    }
  }
}

}  // namespace
}  // namespace craton::hsm::pkcs11
