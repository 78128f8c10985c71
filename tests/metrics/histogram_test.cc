// SPDX-License-Identifier: Apache-2.0
// metrics::Histogram and OperationMetrics: bucket edges, percentile accuracy (at most 1/8
// high), errors by code, and recording from several threads at once.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "metrics/histogram.h"
#include "metrics/operation_metrics.h"

namespace craton::hsm::metrics {
namespace {

TEST(Histogram, EveryValueLiesInItsBucket) {
  std::uint64_t previous_edge = 0;
  for (std::size_t i = 1; i < Histogram::kBuckets; ++i) {
    const std::uint64_t edge = Histogram::upper_edge(i);
    ASSERT_GT(edge, previous_edge) << i;
    EXPECT_EQ(Histogram::bucket_of(edge), i);
    EXPECT_EQ(Histogram::bucket_of(previous_edge + 1), i);
    previous_edge = edge;
  }
  EXPECT_EQ(Histogram::bucket_of(~0ULL), Histogram::kBuckets - 1);
}

TEST(Histogram, PercentilesAreAtMostAnEighthHigh) {
  Histogram histogram;
  EXPECT_EQ(histogram.quantile(0.5), 0.0);
  for (std::uint64_t v = 1; v <= 1000; ++v) histogram.record(v * 1000);  // 1 us .. 1 ms
  EXPECT_EQ(histogram.count(), 1000U);
  EXPECT_EQ(histogram.max(), 1'000'000U);
  for (const auto& [q, exact] :
       {std::pair{0.5, 500'000.0}, std::pair{0.9, 900'000.0}, std::pair{0.99, 990'000.0}}) {
    const double got = histogram.quantile(q);
    EXPECT_GE(got, exact) << q;
    EXPECT_LE(got, exact * 1.125) << q;
  }
  EXPECT_EQ(histogram.quantile(1.0), 1'000'000.0);  // capped by the largest value seen
}

TEST(Histogram, ThreadsRecordingAtOnceLoseNothing) {
  Histogram histogram;
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (std::uint64_t i = 0; i < 10000; ++i) histogram.record(i * (t + 1));
      });
    }
  }
  EXPECT_EQ(histogram.count(), 40000U);
  EXPECT_EQ(histogram.max(), 9999U * 4);
}

TEST(OperationMetrics, CountsCallsAndErrorsByCodeName) {
  OperationMetrics metrics;
  const Result<int> ok = timed(metrics, [] { return Result<int>(7); });
  EXPECT_EQ(*ok, 7);
  const Result<int> failed =
      timed(metrics, []() -> Result<int> { return fail(ErrorCode::PinIncorrect, "no"); });
  EXPECT_FALSE(failed);
  (void)timed(metrics, []() -> Result<void> { return fail(ErrorCode::PinIncorrect, "no"); });
  const OperationStats stats = metrics.snapshot();
  EXPECT_EQ(stats.count, 3U);
  EXPECT_EQ(stats.errors, 2U);
  EXPECT_EQ(stats.errors_by_code, (std::map<std::string, std::uint64_t>{{"PinIncorrect", 2}}));
  EXPECT_LE(stats.p50_us, stats.max_us);
}

}  // namespace
}  // namespace craton::hsm::metrics
