// SPDX-License-Identifier: Apache-2.0
// Percentiles are nearest-rank, and the reservoir keeps a bounded, representative sample.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <vector>

#include "bench/stats.h"

namespace craton::hsm::bench {
namespace {

TEST(PercentileTest, IsTheNearestRankOfUnsortedSamples) {
  std::vector<std::uint64_t> samples(100);
  std::iota(samples.begin(), samples.end(), 1);  // 1..100
  std::reverse(samples.begin(), samples.end());
  EXPECT_EQ(percentile(samples, 0.50), 50u);
  EXPECT_EQ(percentile(samples, 0.99), 99u);
  EXPECT_EQ(percentile(samples, 1.0), 100u);
  EXPECT_EQ(percentile(samples, 0.001), 1u);
}

TEST(PercentileTest, HandlesTinyAndEmptyInputs) {
  std::vector<std::uint64_t> one{7};
  EXPECT_EQ(percentile(one, 0.5), 7u);
  EXPECT_EQ(percentile(one, 0.99), 7u);
  std::vector<std::uint64_t> two{9, 3};
  EXPECT_EQ(percentile(two, 0.5), 3u);  // rank ceil(0.5 * 2) = 1
  EXPECT_EQ(percentile(two, 0.99), 9u);
  std::vector<std::uint64_t> none;
  EXPECT_EQ(percentile(none, 0.5), 0u);
}

TEST(PercentileTest, OneSlowOutlierMovesP99ButNotP50) {
  std::vector<std::uint64_t> samples(1000, 10);
  samples[123] = 5000;
  EXPECT_EQ(percentile(samples, 0.50), 10u);
  EXPECT_EQ(percentile(samples, 0.99), 10u);  // 1 in 1000 is above the 99th percentile
  std::vector<std::uint64_t> many(1000, 10);
  for (std::size_t i = 0; i < 20; ++i) many[i * 50] = 5000;  // 2 %
  EXPECT_EQ(percentile(many, 0.99), 5000u);
}

TEST(ReservoirTest, KeepsEverythingUntilFull) {
  Reservoir reservoir(8);
  for (std::uint64_t i = 0; i < 5; ++i) reservoir.add(i);
  ASSERT_EQ(reservoir.samples().size(), 5u);
  EXPECT_EQ(reservoir.samples()[4], 4u);
  EXPECT_EQ(reservoir.offered(), 5u);
}

TEST(ReservoirTest, StaysBoundedAndRepresentative) {
  Reservoir reservoir(1000);
  // 100,000 values, the upper half ten times the lower: the sample's median must sit at the
  // boundary region, not at the start (which a "keep the first N" buffer would report).
  for (std::uint64_t i = 0; i < 100000; ++i) reservoir.add(i < 50000 ? 10 : 100);
  ASSERT_EQ(reservoir.samples().size(), 1000u);
  EXPECT_EQ(reservoir.offered(), 100000u);
  const auto high = std::count(reservoir.samples().begin(), reservoir.samples().end(), 100);
  EXPECT_GT(high, 400);
  EXPECT_LT(high, 600);
}

}  // namespace
}  // namespace craton::hsm::bench
