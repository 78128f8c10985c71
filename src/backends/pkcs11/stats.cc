// SPDX-License-Identifier: Apache-2.0
// Pkcs11PassthroughBackend::stats: the pool's counters, the key cache counts and the GCM
// budgets as the public BackendStats (per-operation figures come from MeteredPkcs11Backend).
#include "backends/pkcs11/passthrough_backend.h"

namespace craton::hsm::pkcs11 {
namespace {

BreakerStatus public_breaker(BreakerState state) noexcept {
  switch (state) {
    case BreakerState::Closed:
      return BreakerStatus::Closed;
    case BreakerState::Open:
      return BreakerStatus::Open;
    case BreakerState::HalfOpen:
      return BreakerStatus::HalfOpen;
  }
  return BreakerStatus::Closed;
}

}  // namespace

BackendStats Pkcs11PassthroughBackend::stats() const {
  const PoolCounters counters = pool_->counters();
  BackendStats stats;
  stats.pool_size = pool_->size();
  stats.sessions_opened = counters.sessions_opened;
  stats.sessions_closed = counters.sessions_closed;
  stats.sessions_open = counters.sessions_opened >= counters.sessions_closed
                            ? counters.sessions_opened - counters.sessions_closed
                            : 0;
  stats.sessions_rebuilt = counters.sessions_rebuilt;
  stats.rebuild_failures = counters.rebuild_failures;
  stats.logins = counters.logins;
  stats.acquire_waits = counters.acquire_waits;
  stats.acquire_timeouts = counters.acquire_timeouts;
  stats.retries = counters.retries;
  stats.abandoned_operations = counters.abandoned_operations;
  stats.module_reinits = counters.module_reinits;
  stats.module_reinit_failures = counters.module_reinit_failures;
  stats.breaker = public_breaker(counters.breaker);
  stats.breaker_opened = counters.breaker_opened;
  stats.breaker_rejections = counters.breaker_rejections;
  stats.key_cache_hits = observability_->cache_hits.load(std::memory_order_relaxed);
  stats.key_cache_misses = observability_->cache_misses.load(std::memory_order_relaxed);
  stats.key_cache_evictions = observability_->cache_evictions.load(std::memory_order_relaxed);
  stats.import_switches_to_unwrap = import_policy_.switches();
  stats.transport_keys_generated = transport_keys_.generated();
  stats.concurrency = limits_.stats();
  const std::uint64_t limit = config_.gcm_max_messages_per_key;
  stats.gcm_max_messages_per_key = limit;
  if (durable_budgets_) {
    stats.budget_store = durable_budgets_->describe();
    stats.budget_reservations = durable_budgets_->reservations();
  }
  const std::lock_guard lock(key_states_mutex_);
  for (const auto& [fingerprint, state] : key_states_) {
    if (state->gcm == nullptr || limit == 0) continue;
    std::uint64_t used = 0;
    bool exhausted = false;
    if (durable_budgets_) {
      // A key not encrypted with yet has no durable counter (nor a row we know of).
      DurableBudgets::Counter* counter = state->durable.load(std::memory_order_acquire);
      if (counter == nullptr) continue;
      used = DurableBudgets::used(*counter);
      exhausted = DurableBudgets::exhausted(*counter);
    } else {
      used = GcmBudgets::used(*state->gcm);
    }
    stats.gcm_budget_used[fingerprint.short_hex()] =
        static_cast<double>(used) / static_cast<double>(limit);
    if (exhausted || used >= limit) stats.gcm_budget_exhausted.push_back(fingerprint.short_hex());
  }
  return stats;
}

}  // namespace craton::hsm::pkcs11
