// SPDX-License-Identifier: Apache-2.0
// Percentiles and reservoir sampling.
#include "bench/stats.h"

#include <algorithm>
#include <cmath>

namespace craton::hsm::bench {

std::uint64_t percentile(std::span<std::uint64_t> samples, double q) {
  if (samples.empty()) return 0;
  const double clamped = std::clamp(q, 0.0, 1.0);
  auto rank = static_cast<std::size_t>(std::ceil(clamped * static_cast<double>(samples.size())));
  rank = std::clamp<std::size_t>(rank, 1, samples.size());
  const auto nth = samples.begin() + static_cast<std::ptrdiff_t>(rank - 1);
  std::nth_element(samples.begin(), nth, samples.end());
  return *nth;
}

Reservoir::Reservoir(std::size_t capacity, std::uint64_t seed)
    : values_(capacity == 0 ? 1 : capacity), state_(seed == 0 ? 1 : seed) {}

void Reservoir::add(std::uint64_t value) noexcept {
  const std::uint64_t seen = offered_++;
  if (seen < values_.size()) {
    values_[seen] = value;
    return;
  }
  state_ ^= state_ << 13;
  state_ ^= state_ >> 7;
  state_ ^= state_ << 17;
  const std::uint64_t slot = state_ % (seen + 1);
  if (slot < values_.size()) values_[slot] = value;
}

std::span<const std::uint64_t> Reservoir::samples() const noexcept {
  return {values_.data(), std::min<std::size_t>(offered_, values_.size())};
}

}  // namespace craton::hsm::bench
