// SPDX-License-Identifier: Apache-2.0
// CircuitBreaker: stops a pool from hammering a token that has stopped answering. After
// `threshold` module-level failures in a row (device error or removed, token not present,
// module not initialised) it opens: calls fail at once with DeviceUnavailable for `cooldown`,
// then one probe is let through and its answer decides (closed again, or open for another
// cool-down). Any answer from the token, even an error about the request, proves it is there.
#pragma once

#include <craton/hsm/error.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>

#include "pkcs11/pool/pool_events.h"

namespace craton::hsm::pkcs11 {

struct BreakerOptions {
  std::uint32_t threshold = 5;  // 0 disables the breaker
  std::chrono::milliseconds cooldown{2000};
};

// The errors that say the module or device is gone rather than one session or request.
[[nodiscard]] bool is_module_level(ErrorCode code) noexcept;

class CircuitBreaker {
 public:
  using Clock = std::chrono::steady_clock;

  // Whether a caller may go to the token now. Probe: the caller is the one probe of a
  // half-open breaker and must report its outcome (or abandon()).
  enum class Admission : std::uint8_t { Allowed, Probe, Rejected };
  struct Decision {
    Admission admission = Admission::Allowed;
    std::optional<PoolEventKind> transition;   // BreakerHalfOpen when this call started a probe
    std::chrono::milliseconds retry_after{0};  // Rejected: until the cool-down ends
  };

  explicit CircuitBreaker(BreakerOptions options) : options_(options) {}

  // Hot path while closed: one relaxed load.
  [[nodiscard]] Decision admit(Clock::time_point now = Clock::now());
  // The token answered (CKR_OK or an error about the request or session). Returns
  // BreakerClosed when this closed a half-open breaker. Hot path: one relaxed load.
  std::optional<PoolEventKind> on_answer() {
    if (failures_.load(std::memory_order_relaxed) == 0 &&
        state_.load(std::memory_order_relaxed) == BreakerState::Closed) {
      return std::nullopt;
    }
    return on_answer_slow();
  }
  // A module-level failure. Returns BreakerOpened when this opened the breaker.
  std::optional<PoolEventKind> on_module_failure(Clock::time_point now = Clock::now());
  // The probe ended without reaching the token: the next caller may probe instead.
  void abandon_probe();

  [[nodiscard]] BreakerState state() const noexcept {
    return state_.load(std::memory_order_relaxed);
  }

 private:
  std::optional<PoolEventKind> on_answer_slow();

  const BreakerOptions options_;
  std::mutex mutex_;  // transitions; the atomics mirror the state for the hot path
  std::atomic<BreakerState> state_{BreakerState::Closed};
  std::atomic<std::uint32_t> failures_{0};  // module-level failures in a row
  Clock::time_point opened_at_{};
  bool probe_in_flight_ = false;
};

}  // namespace craton::hsm::pkcs11
