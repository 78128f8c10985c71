// SPDX-License-Identifier: Apache-2.0
// What a token backend says about itself to an operator: a snapshot of its counters and
// latencies (BackendStats), a ready/degraded/down answer (Health), reliability events as they
// happen, and the snapshot in the Prometheus text format. docs/observability.md has each field.
#pragma once

#include <craton/hsm/export.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace craton::hsm {

// The circuit breaker in front of the token: closed lets calls through, open fails them at
// once (DeviceUnavailable) until its cool-down ends, half_open lets one probe call through.
enum class BreakerStatus : std::uint8_t { Closed, Open, HalfOpen };

// "closed", "open", "half_open".
[[nodiscard]] CRATON_HSM_API std::string_view breaker_status_name(BreakerStatus status) noexcept;

// One public operation (sign, aes_gcm_encrypt, ...) since the backend was made. Latencies are
// wall-clock time inside the backend, in microseconds, read from a log-linear histogram: a
// percentile is the upper edge of its bucket (at most 1/8 above the true value).
struct OperationStats {
  std::uint64_t count = 0;   // calls, failed ones included
  std::uint64_t errors = 0;  // calls that returned an error
  double p50_us = 0;
  double p90_us = 0;
  double p99_us = 0;
  double max_us = 0;
  // Failed calls by ErrorCode name ("PinIncorrect", "DeviceUnavailable", ...).
  std::map<std::string, std::uint64_t> errors_by_code;
};

// One class of operations whose concurrency is limited (concurrency.h), since the backend was
// made. Waits in microseconds, from the same histogram as OperationStats, over every admission
// (0 for one that found a place at once).
struct ConcurrencyStats {
  std::string setting;                // as configured: "adaptive" or the fixed number
  std::uint32_t limit = 0;            // operations allowed in flight now
  std::uint32_t in_flight = 0;        // on the token now
  std::uint32_t waiting = 0;          // queued now
  std::uint64_t queued = 0;           // admissions that had to wait
  std::uint64_t timeouts = 0;         // callers that gave up at acquire_timeout (PoolTimeout)
  std::uint64_t combined = 0;         // run for their callers by a thread holding a place
  std::uint64_t limit_increases = 0;  // adaptive: decisions to raise / lower the limit
  std::uint64_t limit_decreases = 0;
  double wait_p50_us = 0;
  double wait_p99_us = 0;
};

// A snapshot: each counter is read on its own (not all at one instant), and every counter only
// grows for the life of the backend.
struct BackendStats {
  // The session pool.
  std::uint64_t pool_size = 0;      // sessions the pool holds
  std::uint64_t sessions_open = 0;  // opened - closed
  std::uint64_t sessions_opened = 0;
  std::uint64_t sessions_closed = 0;
  std::uint64_t sessions_rebuilt = 0;
  std::uint64_t rebuild_failures = 0;
  std::uint64_t logins = 0;  // C_Login calls
  std::uint64_t acquire_waits = 0;
  std::uint64_t acquire_timeouts = 0;
  std::uint64_t retries = 0;  // operations re-run once on a rebuilt session
  std::uint64_t abandoned_operations = 0;
  std::uint64_t module_reinits = 0;
  std::uint64_t module_reinit_failures = 0;
  // The circuit breaker.
  BreakerStatus breaker = BreakerStatus::Closed;
  std::uint64_t breaker_opened = 0;
  std::uint64_t breaker_rejections = 0;
  // The per-session caches of imported material keys.
  std::uint64_t key_cache_hits = 0;
  std::uint64_t key_cache_misses = 0;  // each one an import into the token
  std::uint64_t key_cache_evictions = 0;
  // Import by unwrap (import_method, docs/import-by-unwrap.md): key classes (secret, private)
  // that import_method = "auto" switched to unwrap after the token refused C_CreateObject
  // (0..2), and RSA transport key pairs generated on the token (one per session that imported
  // by unwrap, again after the session was rebuilt).
  std::uint64_t import_switches_to_unwrap = 0;
  std::uint64_t transport_keys_generated = 0;
  // AES-GCM budget used per key this backend has encrypted with, as count / gcm_max_messages
  // (0..1), keyed by the key's fingerprint (hex, keyed per process: it reveals nothing about the
  // key) or, for a resident key, its URI.
  std::uint64_t gcm_max_messages_per_key = 0;
  std::map<std::string, double> gcm_budget_used;
  // The keys (named as in gcm_budget_used) whose budget is spent: encryption refuses them
  // (KeyUsageLimitExceeded) until they are rotated (docs/budgets.md).
  std::vector<std::string> gcm_budget_exhausted;
  // Where the budgets are counted ([budget] store): "memory", or the durable store as its
  // describe() names it ("sqlite:/var/lib/craton/budgets.db"; never a password).
  std::string budget_store = "memory";
  // Durable stores: reservations that reached the store (each a block of counts), since made.
  std::uint64_t budget_reservations = 0;
  // The concurrency limits, by class ("symmetric", "ec", "rsa", "other"); only limited classes.
  std::map<std::string, ConcurrencyStats> concurrency;
  // Per public operation, by name ("sign", "aes_gcm_encrypt", ...), only those called.
  std::map<std::string, OperationStats> operations;
};

enum class HealthState : std::uint8_t { Ready, Degraded, Down };

// "ready", "degraded", "down".
[[nodiscard]] CRATON_HSM_API std::string_view health_state_name(HealthState state) noexcept;

struct Health {
  HealthState state = HealthState::Ready;
  std::string reason;  // why it is not ready ("breaker open", "probe: ..."); empty when ready
};

// A recovery or a breaker transition, as it happens.
enum class ReliabilityEventKind : std::uint8_t {
  SessionRebuilt,
  RebuildFailed,
  LoggedIn,
  LoginFailed,
  Retried,
  ModuleReinitialized,
  ModuleReinitFailed,
  BreakerOpened,
  BreakerHalfOpen,
  BreakerClosed,
};

// "session_rebuilt", "rebuild_failed", "logged_in", ..., "breaker_closed".
[[nodiscard]] CRATON_HSM_API std::string_view reliability_event_name(
    ReliabilityEventKind kind) noexcept;

struct ReliabilityEvent {
  ReliabilityEventKind kind{};
  std::string error_code;         // ErrorCode name of the cause, empty when there is none
  std::size_t session_index = 0;  // for session_rebuilt and rebuild_failed
  std::chrono::system_clock::time_point time;
};

// Called synchronously on the thread that caused the event, possibly inside an operation: keep
// it short, never call back into the backend from it, and do not throw.
using ReliabilityEventHandler = std::function<void(const ReliabilityEvent&)>;

// The snapshot in the Prometheus text exposition format 0.0.4: HELP and TYPE for each family,
// names prefixed craton_hsm_, label values escaped (\\, \", \n).
[[nodiscard]] CRATON_HSM_API std::string render_prometheus(const BackendStats& stats);

}  // namespace craton::hsm
