// SPDX-License-Identifier: Apache-2.0
// What the session pool reports about itself: typed events for callers (and, later, the audit
// trail) and counters for tests and metrics. Never printed to stderr by the pool itself.
#pragma once

#include <craton/hsm/error.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

namespace craton::hsm::pkcs11 {

enum class PoolEventKind {
  SizeClamped,           // the token allows fewer RW sessions than configured
  SessionRebuilt,        // a dead session was replaced (and re-logged in if needed)
  SessionRebuildFailed,  // replacing it failed; it stays marked and is retried on next acquire
  LoggedIn,              // C_Login succeeded (or the token said it already was)
  LoginFailed,           // C_Login failed; `error` says why (never the PIN)
  Retried,               // an operation failed on a dead session and was run once more
  ModuleReinitialized,   // the module was lost and C_Finalize + C_Initialize brought it back
  ModuleReinitFailed,    // bringing the module back failed; `error` says why
  BreakerOpened,         // consecutive module-level failures: calls now fail fast
  BreakerHalfOpen,       // the cool-down ended: one probe call decides
  BreakerClosed,         // the probe succeeded: calls reach the token again
};

// The circuit breaker in front of the token: Closed lets calls through, Open fails them at
// once with DeviceUnavailable until its cool-down ends, HalfOpen lets one probe through.
// "session_rebuilt", "breaker_opened", ...: stable names for audit details, logs and metrics.
[[nodiscard]] std::string_view pool_event_name(PoolEventKind kind) noexcept;

enum class BreakerState : std::uint8_t { Closed, Open, HalfOpen };

struct PoolEvent {
  PoolEventKind kind{};
  std::size_t session_index = 0;   // SessionRebuilt/SessionRebuildFailed
  std::size_t requested_size = 0;  // SizeClamped
  std::size_t effective_size = 0;  // SizeClamped
  std::optional<HsmError> error =
      std::nullopt;  // SessionRebuildFailed, LoginFailed, and the rebuild cause
};

using PoolEventHandler = std::function<void(const PoolEvent&)>;

struct PoolCounters {
  std::uint64_t sessions_opened = 0;
  std::uint64_t sessions_closed = 0;
  std::uint64_t sessions_rebuilt = 0;
  std::uint64_t rebuild_failures = 0;
  std::uint64_t logins = 0;         // C_Login calls made by the pool
  std::uint64_t acquire_waits = 0;  // acquires that found every session busy and waited
  std::uint64_t acquire_timeouts = 0;
  std::uint64_t retries = 0;  // operations re-run on a rebuilt session
  // Leases released with an operation still active (or in doubt), whose session was therefore
  // marked for rebuild.
  std::uint64_t abandoned_operations = 0;
  std::uint64_t module_reinits = 0;  // successful C_Finalize + C_Initialize cycles
  std::uint64_t module_reinit_failures = 0;
  std::uint64_t breaker_opened = 0;      // Closed/HalfOpen -> Open transitions
  std::uint64_t breaker_rejections = 0;  // calls failed fast while the breaker was open
  BreakerState breaker = BreakerState::Closed;
};

}  // namespace craton::hsm::pkcs11
