// SPDX-License-Identifier: Apache-2.0
// The stable names of the pool's events.
#include "pkcs11/pool/pool_events.h"

namespace craton::hsm::pkcs11 {

std::string_view pool_event_name(PoolEventKind kind) noexcept {
  switch (kind) {
    case PoolEventKind::SizeClamped:
      return "size_clamped";
    case PoolEventKind::SessionRebuilt:
      return "session_rebuilt";
    case PoolEventKind::SessionRebuildFailed:
      return "session_rebuild_failed";
    case PoolEventKind::LoggedIn:
      return "logged_in";
    case PoolEventKind::LoginFailed:
      return "login_failed";
    case PoolEventKind::Retried:
      return "retried";
    case PoolEventKind::ModuleReinitialized:
      return "module_reinitialized";
    case PoolEventKind::ModuleReinitFailed:
      return "module_reinit_failed";
    case PoolEventKind::BreakerOpened:
      return "breaker_opened";
    case PoolEventKind::BreakerHalfOpen:
      return "breaker_half_open";
    case PoolEventKind::BreakerClosed:
      return "breaker_closed";
  }
  return "unknown";
}

}  // namespace craton::hsm::pkcs11
