// SPDX-License-Identifier: Apache-2.0
// The per-class gates: built from the configuration, entered around each token operation.
#include "backends/pkcs11/concurrency_limits.h"

#include <algorithm>

namespace craton::hsm::pkcs11 {

namespace {

ConcurrencyGate make_gate(const ConcurrencyLimit& limit, std::uint32_t pool_size) {
  if (limit.mode == ConcurrencyLimit::Mode::Fixed) return ConcurrencyGate(limit.fixed);
  AdaptiveLimitOptions options;
  options.max_limit = std::max<std::uint32_t>(pool_size, 1);
  return {options, ConcurrencyGate::Clock::now()};
}

}  // namespace

OperationClass operation_class(KeyKind kind) noexcept {
  switch (kind) {
    case KeyKind::Aes:
    case KeyKind::Hmac:
      return OperationClass::Symmetric;
    case KeyKind::RsaPrivate:
    case KeyKind::RsaPublic:
      return OperationClass::Rsa;
    case KeyKind::EcPrivate:
    case KeyKind::EcPublic:
    case KeyKind::Ed25519Private:
    case KeyKind::Ed25519Public:
      return OperationClass::Ec;
  }
  return OperationClass::Other;
}

ConcurrencyLimits::Gate::Gate(const ConcurrencyLimit& limit, std::uint32_t pool_size)
    : configured(limit), gate(make_gate(limit, pool_size)) {}

ConcurrencyLimits::ConcurrencyLimits(const ConcurrencyConfig& config, std::uint32_t pool_size) {
  for (std::size_t i = 0; i < kOperationClassCount; ++i) {
    if (config.limits[i].mode != ConcurrencyLimit::Mode::Unlimited) {
      gates_[i] = std::make_unique<Gate>(config.limits[i], pool_size);
    }
  }
}

Result<void> ConcurrencyLimits::run_gate(Gate& gate, std::chrono::milliseconds timeout,
                                         GateTask task) {
  const Result<ConcurrencyGate::Clock::duration> waited =
      gate.gate.run(ConcurrencyGate::Clock::now() + timeout, task);
  if (!waited) {
    gate.timeouts.fetch_add(1, std::memory_order_relaxed);
    return std::unexpected(waited.error());
  }
  if (*waited != ConcurrencyGate::Clock::duration::zero()) {
    gate.queued.fetch_add(1, std::memory_order_relaxed);
  }
  gate.waits.record(static_cast<std::uint64_t>(std::chrono::nanoseconds(*waited).count()));
  return {};
}

std::map<std::string, ConcurrencyStats> ConcurrencyLimits::stats() const {
  std::map<std::string, ConcurrencyStats> out;
  for (std::size_t i = 0; i < kOperationClassCount; ++i) {
    const Gate* gate = gates_[i].get();
    if (gate == nullptr) continue;
    ConcurrencyStats& entry =
        out[std::string(operation_class_name(static_cast<OperationClass>(i)))];
    entry.setting = gate->configured.to_string();
    entry.limit = gate->gate.limit();
    entry.in_flight = gate->gate.in_flight();
    entry.waiting = gate->gate.waiting();
    entry.queued = gate->queued.load(std::memory_order_relaxed);
    entry.timeouts = gate->timeouts.load(std::memory_order_relaxed);
    entry.combined = gate->gate.combined();
    entry.wait_p50_us = gate->waits.quantile(0.50) / 1e3;
    entry.wait_p99_us = gate->waits.quantile(0.99) / 1e3;
    if (const AdaptiveLimit* adaptive = gate->gate.adaptive()) {
      const AdaptiveLimit::Snapshot snapshot = adaptive->snapshot();
      entry.limit_increases = snapshot.increases;
      entry.limit_decreases = snapshot.decreases;
    }
  }
  return out;
}

}  // namespace craton::hsm::pkcs11
