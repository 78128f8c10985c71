// SPDX-License-Identifier: Apache-2.0
// OperationMetrics: one public operation's calls, latency histogram and errors by code, and
// timed(), the scope every metered operation runs in.
#pragma once

#include <craton/hsm/error.h>
#include <craton/hsm/stats.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <utility>

#include "metrics/histogram.h"

namespace craton::hsm::metrics {

// Thread-safety: record() and snapshot() may run on any threads at once; record() is a few
// relaxed atomic increments, never a lock or an allocation.
class OperationMetrics {
 public:
  // ErrorCode values at or above this count as Internal (none exist today).
  static constexpr std::size_t kCodes = 64;

  void record(std::uint64_t nanoseconds) noexcept { latency_.record(nanoseconds); }
  void record_error(std::uint64_t nanoseconds, ErrorCode code) noexcept {
    latency_.record(nanoseconds);
    auto index = static_cast<std::size_t>(code);
    if (index >= kCodes) index = static_cast<std::size_t>(ErrorCode::Internal);
    errors_[index].fetch_add(1, std::memory_order_relaxed);
  }
  [[nodiscard]] std::uint64_t count() const noexcept { return latency_.count(); }
  [[nodiscard]] OperationStats snapshot() const;

 private:
  Histogram latency_;
  std::array<std::atomic<std::uint64_t>, kCodes> errors_{};
};

// Runs `op() -> Result<T>` and records its wall-clock time and outcome in `metrics`: two
// steady_clock reads and the histogram's increment around the call.
template <typename Op>
auto timed(OperationMetrics& metrics, Op&& op) -> decltype(std::forward<Op>(op)()) {
  const auto start = std::chrono::steady_clock::now();
  auto result = std::forward<Op>(op)();
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start)
          .count();
  const auto nanoseconds = static_cast<std::uint64_t>(elapsed < 0 ? 0 : elapsed);
  if (result) {
    metrics.record(nanoseconds);
  } else {
    metrics.record_error(nanoseconds, result.error().code());
  }
  return result;
}

}  // namespace craton::hsm::metrics
