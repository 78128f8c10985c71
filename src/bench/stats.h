// SPDX-License-Identifier: Apache-2.0
// Latency statistics for the benchmark engine: nearest-rank percentiles and a fixed-size
// reservoir that samples a timed loop without allocating.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace craton::hsm::bench {

// The nearest-rank percentile (the smallest sample with at least q of all samples at or below
// it), q in (0, 1]. Reorders `samples`. An empty span gives 0.
[[nodiscard]] std::uint64_t percentile(std::span<std::uint64_t> samples, double q);

// Keeps a uniform random sample of at most `capacity` values out of any number offered
// (Algorithm R). The storage is allocated up front; add() never allocates. Not thread-safe.
class Reservoir {
 public:
  explicit Reservoir(std::size_t capacity, std::uint64_t seed = 1);
  void add(std::uint64_t value) noexcept;
  [[nodiscard]] std::span<const std::uint64_t> samples() const noexcept;
  [[nodiscard]] std::uint64_t offered() const noexcept { return offered_; }

 private:
  std::vector<std::uint64_t> values_;
  std::uint64_t offered_ = 0;
  std::uint64_t state_;  // xorshift64
};

}  // namespace craton::hsm::bench
