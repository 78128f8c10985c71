// SPDX-License-Identifier: Apache-2.0
// OperationMetrics::snapshot: the histogram read as the public OperationStats.
#include "metrics/operation_metrics.h"

namespace craton::hsm::metrics {

OperationStats OperationMetrics::snapshot() const {
  constexpr double kMicro = 1000.0;
  OperationStats stats;
  // Errors first: record_error() counts the call before the error, so count >= errors.
  for (std::size_t code = 0; code < kCodes; ++code) {
    const std::uint64_t n = errors_[code].load(std::memory_order_relaxed);
    if (n == 0) continue;
    stats.errors += n;
    stats.errors_by_code[std::string(error_code_name(static_cast<ErrorCode>(code)))] += n;
  }
  stats.count = latency_.count();
  stats.p50_us = latency_.quantile(0.50) / kMicro;
  stats.p90_us = latency_.quantile(0.90) / kMicro;
  stats.p99_us = latency_.quantile(0.99) / kMicro;
  stats.max_us = static_cast<double>(latency_.max()) / kMicro;
  return stats;
}

}  // namespace craton::hsm::metrics
