// SPDX-License-Identifier: Apache-2.0
// The circuit breaker's transitions.
#include "pkcs11/pool/circuit_breaker.h"

namespace craton::hsm::pkcs11 {

bool is_module_level(ErrorCode code) noexcept {
  return code == ErrorCode::DeviceError || code == ErrorCode::DeviceRemoved ||
         code == ErrorCode::TokenNotPresent || code == ErrorCode::CryptokiNotInitialized;
}

CircuitBreaker::Decision CircuitBreaker::admit(Clock::time_point now) {
  if (options_.threshold == 0 || state_.load(std::memory_order_relaxed) == BreakerState::Closed) {
    return {};
  }
  const std::lock_guard lock(mutex_);
  switch (state_.load(std::memory_order_relaxed)) {
    case BreakerState::Closed:
      return {};
    case BreakerState::Open: {
      const auto until = opened_at_ + options_.cooldown;
      if (now < until) {
        return {.admission = Admission::Rejected,
                .transition = std::nullopt,
                .retry_after = std::chrono::ceil<std::chrono::milliseconds>(until - now)};
      }
      state_.store(BreakerState::HalfOpen, std::memory_order_relaxed);
      probe_in_flight_ = true;
      return {.admission = Admission::Probe,
              .transition = PoolEventKind::BreakerHalfOpen,
              .retry_after = {}};
    }
    case BreakerState::HalfOpen:
      if (probe_in_flight_) {
        return {.admission = Admission::Rejected, .transition = std::nullopt, .retry_after = {}};
      }
      probe_in_flight_ = true;
      return {.admission = Admission::Probe, .transition = std::nullopt, .retry_after = {}};
  }
  return {};
}

std::optional<PoolEventKind> CircuitBreaker::on_answer_slow() {
  const std::lock_guard lock(mutex_);
  failures_.store(0, std::memory_order_relaxed);
  if (state_.load(std::memory_order_relaxed) == BreakerState::Closed) return std::nullopt;
  // Open: a call admitted before the breaker opened came back with an answer; the token is
  // there after all.
  state_.store(BreakerState::Closed, std::memory_order_relaxed);
  probe_in_flight_ = false;
  return PoolEventKind::BreakerClosed;
}

std::optional<PoolEventKind> CircuitBreaker::on_module_failure(Clock::time_point now) {
  if (options_.threshold == 0) return std::nullopt;
  const std::lock_guard lock(mutex_);
  const std::uint32_t failures = failures_.load(std::memory_order_relaxed) + 1;
  failures_.store(failures, std::memory_order_relaxed);
  const BreakerState state = state_.load(std::memory_order_relaxed);
  if (state == BreakerState::Open) return std::nullopt;
  if (state == BreakerState::HalfOpen || failures >= options_.threshold) {
    state_.store(BreakerState::Open, std::memory_order_relaxed);
    opened_at_ = now;
    probe_in_flight_ = false;
    return PoolEventKind::BreakerOpened;
  }
  return std::nullopt;
}

void CircuitBreaker::abandon_probe() {
  const std::lock_guard lock(mutex_);
  probe_in_flight_ = false;
}

}  // namespace craton::hsm::pkcs11
