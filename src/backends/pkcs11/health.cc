// SPDX-License-Identifier: Apache-2.0
// Pkcs11PassthroughBackend::health: the breaker, a rate-limited C_GetSessionInfo probe on a
// pooled session, and the recoveries of the last minute.
#include <fmt/format.h>

#include "backends/pkcs11/passthrough_backend.h"

namespace craton::hsm::pkcs11 {

Health Pkcs11PassthroughBackend::health() {
  const auto now = std::chrono::steady_clock::now();
  // One caller probes; the others wait for its answer rather than probing too.
  const std::lock_guard lock(observability_->health_mutex);
  if (observability_->last_health &&
      now - observability_->last_probe < Observability::kProbeInterval) {
    return *observability_->last_health;
  }
  Health health = evaluate_health(now);
  observability_->last_health = health;
  observability_->last_probe = now;
  return health;
}

Health Pkcs11PassthroughBackend::evaluate_health(std::chrono::steady_clock::time_point now) {
  const PoolCounters counters = pool_->counters();
  // Recoveries the pool counted without an event reaching us count from when first seen here.
  const std::uint64_t recoveries = counters.sessions_rebuilt + counters.rebuild_failures +
                                   counters.retries + counters.module_reinits +
                                   counters.module_reinit_failures;
  if (recoveries != observability_->recoveries_seen) {
    observability_->recoveries_seen = recoveries;
    observability_->note_recovery();
  }
  if (counters.breaker == BreakerState::Open) {
    return {HealthState::Down, "circuit breaker open: calls fail fast until its cool-down ends"};
  }
  if (counters.breaker == BreakerState::HalfOpen) {
    return {HealthState::Degraded, "circuit breaker half-open: a probe call decides"};
  }
  // Through run(): a session found dead is rebuilt and asked once more, as an operation would
  // be, so a token that recovers answers "degraded" and one that does not answers "down".
  const Result<void> probe = pool_->run([](Lease& lease) -> Result<void> {
    CK_SESSION_INFO info{};
    return lease.call<Fn::GetSessionInfo>(&info);
  });
  if (probe && pool_->counters().sessions_rebuilt != counters.sessions_rebuilt) {
    observability_->note_recovery();
  }
  if (!probe) {
    if (probe.error().code() == ErrorCode::PoolTimeout) {
      return {HealthState::Degraded, "probe: every session stayed busy"};
    }
    return {HealthState::Down, fmt::format("probe: {}", probe.error().to_string())};
  }
  if (observability_->recovered_recently(now)) {
    return {HealthState::Degraded,
            fmt::format("recovered within the last {} s (sessions rebuilt {}, retries {}, "
                        "module re-initialisations {})",
                        Observability::kDegradedWindow.count(), counters.sessions_rebuilt,
                        counters.retries, counters.module_reinits)};
  }
  return {HealthState::Ready, {}};
}

}  // namespace craton::hsm::pkcs11
