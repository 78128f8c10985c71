// SPDX-License-Identifier: Apache-2.0
// Histogram: a lock-free log-linear latency histogram (8 buckets per power of two), recorded
// with one relaxed atomic increment, read as percentiles.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace craton::hsm::metrics {

// Records durations in nanoseconds. A value lands in a bucket whose width is at most 1/8 of
// its lower edge, so a percentile read back (the bucket's upper edge) is at most 12.5% high.
// Thread-safety: record() and the readers may run on any threads at once; a reader sees each
// bucket's count at some moment, not all buckets at one instant. Never allocates or locks.
class Histogram {
 public:
  static constexpr std::size_t kSubBuckets = 8;  // per power of two
  // Values up to 2^42 ns (about 73 minutes); longer ones count in the last bucket.
  static constexpr std::size_t kBuckets = kSubBuckets + (42 - 3) * kSubBuckets;

  void record(std::uint64_t nanoseconds) noexcept {
    buckets_[bucket_of(nanoseconds)].fetch_add(1, std::memory_order_relaxed);
    std::uint64_t seen = max_.load(std::memory_order_relaxed);
    while (nanoseconds > seen &&
           !max_.compare_exchange_weak(seen, nanoseconds, std::memory_order_relaxed)) {
    }
  }

  // The q-quantile (0 < q <= 1) in nanoseconds, as its bucket's upper edge (capped by the
  // largest value seen); 0 when nothing was recorded.
  [[nodiscard]] double quantile(double q) const noexcept;
  [[nodiscard]] std::uint64_t max() const noexcept { return max_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t count() const noexcept;

  [[nodiscard]] static std::size_t bucket_of(std::uint64_t value) noexcept;
  // The largest value bucket `index` holds.
  [[nodiscard]] static std::uint64_t upper_edge(std::size_t index) noexcept;

 private:
  std::array<std::atomic<std::uint64_t>, kBuckets> buckets_{};
  std::atomic<std::uint64_t> max_{0};
};

}  // namespace craton::hsm::metrics
