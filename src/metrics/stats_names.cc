// SPDX-License-Identifier: Apache-2.0
// The stable names of the public stats enums: for JSON, metrics labels and logs.
#include <craton/hsm/stats.h>

namespace craton::hsm {

std::string_view breaker_status_name(BreakerStatus status) noexcept {
  switch (status) {
    case BreakerStatus::Closed:
      return "closed";
    case BreakerStatus::Open:
      return "open";
    case BreakerStatus::HalfOpen:
      return "half_open";
  }
  return "unknown";
}

std::string_view health_state_name(HealthState state) noexcept {
  switch (state) {
    case HealthState::Ready:
      return "ready";
    case HealthState::Degraded:
      return "degraded";
    case HealthState::Down:
      return "down";
  }
  return "unknown";
}

std::string_view reliability_event_name(ReliabilityEventKind kind) noexcept {
  switch (kind) {
    case ReliabilityEventKind::SessionRebuilt:
      return "session_rebuilt";
    case ReliabilityEventKind::RebuildFailed:
      return "rebuild_failed";
    case ReliabilityEventKind::LoggedIn:
      return "logged_in";
    case ReliabilityEventKind::LoginFailed:
      return "login_failed";
    case ReliabilityEventKind::Retried:
      return "retried";
    case ReliabilityEventKind::ModuleReinitialized:
      return "module_reinitialized";
    case ReliabilityEventKind::ModuleReinitFailed:
      return "module_reinit_failed";
    case ReliabilityEventKind::BreakerOpened:
      return "breaker_opened";
    case ReliabilityEventKind::BreakerHalfOpen:
      return "breaker_half_open";
    case ReliabilityEventKind::BreakerClosed:
      return "breaker_closed";
  }
  return "unknown";
}

}  // namespace craton::hsm
