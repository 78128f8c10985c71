// SPDX-License-Identifier: Apache-2.0
// Histogram bucket arithmetic and percentile reading.
#include "metrics/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace craton::hsm::metrics {

std::size_t Histogram::bucket_of(std::uint64_t value) noexcept {
  if (value < kSubBuckets) return static_cast<std::size_t>(value);
  // value = (8 + sub) << shift, with shift = floor(log2(value)) - 3.
  const auto shift = static_cast<std::size_t>(std::bit_width(value) - 4);
  const auto sub = static_cast<std::size_t>((value >> shift) & (kSubBuckets - 1));
  return std::min(kSubBuckets + shift * kSubBuckets + sub, kBuckets - 1);
}

std::uint64_t Histogram::upper_edge(std::size_t index) noexcept {
  if (index < kSubBuckets) return index;
  const std::size_t shift = (index - kSubBuckets) / kSubBuckets;
  const std::uint64_t sub = (index - kSubBuckets) % kSubBuckets;
  return ((kSubBuckets + sub + 1) << shift) - 1;
}

std::uint64_t Histogram::count() const noexcept {
  std::uint64_t total = 0;
  for (const auto& bucket : buckets_) total += bucket.load(std::memory_order_relaxed);
  return total;
}

double Histogram::quantile(double q) const noexcept {
  std::array<std::uint64_t, kBuckets> counts{};
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    counts[i] = buckets_[i].load(std::memory_order_relaxed);
    total += counts[i];
  }
  if (total == 0) return 0;
  // The rank of the q-quantile, 1-based: the smallest value with at least q of all below it.
  const auto rank = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(total))));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    seen += counts[i];
    if (seen >= rank) return static_cast<double>(std::min(upper_edge(i), max()));
  }
  return static_cast<double>(max());
}

}  // namespace craton::hsm::metrics
