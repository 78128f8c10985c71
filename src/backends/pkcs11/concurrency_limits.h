// SPDX-License-Identifier: Apache-2.0
// ConcurrencyLimits: the backend's per-class gates in front of the token (concurrency.h,
// docs/concurrency.md). An unlimited class has no gate and costs one branch.
#pragma once

#include <craton/hsm/concurrency.h>
#include <craton/hsm/error.h>
#include <craton/hsm/keys.h>
#include <craton/hsm/stats.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "metrics/histogram.h"
#include "pkcs11/pool/concurrency_gate.h"

namespace craton::hsm::pkcs11 {

// The class an operation with a key of `kind` belongs to.
[[nodiscard]] OperationClass operation_class(KeyKind kind) noexcept;

class ConcurrencyLimits {
 public:
  // `pool_size` caps an adaptive limit: more in flight than sessions cannot be.
  ConcurrencyLimits(const ConcurrencyConfig& config, std::uint32_t pool_size);

  // Whether `value`'s class has a gate; an unlimited one does not.
  [[nodiscard]] bool limited(OperationClass value) const noexcept {
    return gates_[static_cast<std::size_t>(value)] != nullptr;
  }

  // Runs `task` within the limit of `value`'s class (which must be limited), on this thread or
  // on one that holds a place (concurrency_gate.h), waiting at most `timeout` for it to start.
  // Errors: PoolTimeout, with the task not run.
  Result<void> run(OperationClass value, std::chrono::milliseconds timeout, GateTask task) {
    return run_gate(*gates_[static_cast<std::size_t>(value)], timeout, task);
  }

  // Per class with a gate, by operation_class_name: its limit, queue and waits.
  [[nodiscard]] std::map<std::string, ConcurrencyStats> stats() const;

 private:
  struct Gate {
    Gate(const ConcurrencyLimit& limit, std::uint32_t pool_size);
    ConcurrencyLimit configured;
    ConcurrencyGate gate;
    metrics::Histogram waits;  // every admission's wait; 0 for those that did not queue
    std::atomic<std::uint64_t> queued{0};
    std::atomic<std::uint64_t> timeouts{0};
  };

  static Result<void> run_gate(Gate& gate, std::chrono::milliseconds timeout, GateTask task);

  std::array<std::unique_ptr<Gate>, kOperationClassCount> gates_;
};

}  // namespace craton::hsm::pkcs11
