// SPDX-License-Identifier: Apache-2.0
// Observability: pool events as public reliability events, and the recovery clock.
#include "backends/pkcs11/observability.h"

namespace craton::hsm::pkcs11 {

std::optional<ReliabilityEvent> Observability::translate(const PoolEvent& event) {
  using K = ReliabilityEventKind;
  std::optional<K> kind;
  switch (event.kind) {
    case PoolEventKind::SizeClamped:
      return std::nullopt;
    case PoolEventKind::SessionRebuilt:
      kind = K::SessionRebuilt;
      break;
    case PoolEventKind::SessionRebuildFailed:
      kind = K::RebuildFailed;
      break;
    case PoolEventKind::LoggedIn:
      kind = K::LoggedIn;
      break;
    case PoolEventKind::LoginFailed:
      kind = K::LoginFailed;
      break;
    case PoolEventKind::Retried:
      kind = K::Retried;
      break;
    case PoolEventKind::ModuleReinitialized:
      kind = K::ModuleReinitialized;
      break;
    case PoolEventKind::ModuleReinitFailed:
      kind = K::ModuleReinitFailed;
      break;
    case PoolEventKind::BreakerOpened:
      kind = K::BreakerOpened;
      break;
    case PoolEventKind::BreakerHalfOpen:
      kind = K::BreakerHalfOpen;
      break;
    case PoolEventKind::BreakerClosed:
      kind = K::BreakerClosed;
      break;
  }
  if (!kind) return std::nullopt;
  ReliabilityEvent out;
  out.kind = *kind;
  if (event.error) out.error_code = std::string(error_code_name(event.error->code()));
  out.session_index = event.session_index;
  out.time = std::chrono::system_clock::now();
  return out;
}

void Observability::on_pool_event(const PoolEvent& event) {
  switch (event.kind) {
    case PoolEventKind::SessionRebuilt:
    case PoolEventKind::SessionRebuildFailed:
    case PoolEventKind::Retried:
    case PoolEventKind::ModuleReinitialized:
    case PoolEventKind::ModuleReinitFailed:
      note_recovery();
      break;
    default:
      break;
  }
  std::shared_ptr<const ReliabilityEventHandler> handler;
  {
    const std::lock_guard lock(handler_mutex_);
    handler = handler_;
  }
  if (!handler || !*handler) return;
  if (const auto translated = translate(event)) (*handler)(*translated);
}

void Observability::set_handler(ReliabilityEventHandler handler) {
  auto shared = std::make_shared<const ReliabilityEventHandler>(std::move(handler));
  const std::lock_guard lock(handler_mutex_);
  handler_ = std::move(shared);
}

void Observability::note_recovery() noexcept {
  const auto now = std::chrono::steady_clock::now().time_since_epoch();
  last_recovery_ns_.store(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count(),
                          std::memory_order_relaxed);
}

bool Observability::recovered_recently(std::chrono::steady_clock::time_point now) const noexcept {
  const std::int64_t last = last_recovery_ns_.load(std::memory_order_relaxed);
  if (last == INT64_MIN) return false;
  const auto since = now.time_since_epoch() - std::chrono::nanoseconds(last);
  return since < kDegradedWindow;
}

}  // namespace craton::hsm::pkcs11
