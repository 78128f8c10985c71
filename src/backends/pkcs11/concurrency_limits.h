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
#include <utility>

#include "metrics/histogram.h"
#include "pkcs11/pool/concurrency_gate.h"

namespace craton::hsm::pkcs11 {

// The class an operation with a key of `kind` belongs to.
[[nodiscard]] OperationClass operation_class(KeyKind kind) noexcept;

class ConcurrencyLimits {
 public:
  // `pool_size` caps an adaptive limit: more in flight than sessions cannot be.
  ConcurrencyLimits(const ConcurrencyConfig& config, std::uint32_t pool_size);

  // A place on the token for one operation, given back when it ends (move-only).
  class Permit {
   public:
    Permit() = default;
    Permit(Permit&& other) noexcept : gate_(std::exchange(other.gate_, nullptr)) {}
    Permit& operator=(Permit&&) = delete;
    Permit(const Permit&) = delete;
    Permit& operator=(const Permit&) = delete;
    ~Permit() {
      if (gate_ != nullptr) gate_->leave(ConcurrencyGate::Clock::now());
    }

   private:
    friend class ConcurrencyLimits;
    explicit Permit(ConcurrencyGate* gate) : gate_(gate) {}
    ConcurrencyGate* gate_ = nullptr;
  };

  // Waits for a place of `value`'s class for at most `timeout`. Errors: PoolTimeout.
  Result<Permit> enter(OperationClass value, std::chrono::milliseconds timeout) {
    Gate* gate = gates_[static_cast<std::size_t>(value)].get();
    if (gate == nullptr) return Permit();
    return enter_gate(*gate, timeout);
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

  static Result<Permit> enter_gate(Gate& gate, std::chrono::milliseconds timeout);

  std::array<std::unique_ptr<Gate>, kOperationClassCount> gates_;
};

}  // namespace craton::hsm::pkcs11
