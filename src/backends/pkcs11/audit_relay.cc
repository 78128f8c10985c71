// SPDX-License-Identifier: Apache-2.0
// AuditRelay: pool and backend events into the audit trail.
#include "backends/pkcs11/audit_relay.h"

#include <fmt/format.h>

namespace craton::hsm::pkcs11 {

void AuditRelay::record(AuditEvent event) {
  if (AuditLog* log = attached_.load(std::memory_order_acquire)) {
    (void)log->record(std::move(event));
    return;
  }
  const std::lock_guard lock(mutex_);
  if (log_) {
    (void)log_->record(std::move(event));
  } else if (!detached_) {
    held_.push_back(std::move(event));
  }
}

void AuditRelay::pool_event(const PoolEvent& pool_event) {
  AuditEvent event;
  switch (pool_event.kind) {
    case PoolEventKind::LoggedIn:
    case PoolEventKind::LoginFailed:
      event.operation = AuditOperation::Login;
      break;
    case PoolEventKind::SessionRebuilt:
    case PoolEventKind::SessionRebuildFailed:
      event.operation = AuditOperation::PoolRebuild;
      event.detail = fmt::format("session {}", pool_event.session_index);
      break;
    case PoolEventKind::SizeClamped:
      event.operation = AuditOperation::PoolRebuild;
      event.detail = fmt::format("pool clamped from {} to {} sessions by the token",
                                 pool_event.requested_size, pool_event.effective_size);
      break;
  }
  if (pool_event.error) {
    event.error = pool_event.error->code();
    event.ckr = pool_event.error->rv_name();
  }
  record(std::move(event));
}

void AuditRelay::attach(std::shared_ptr<AuditLog> log) {
  const std::lock_guard lock(mutex_);
  for (AuditEvent& event : held_) (void)log->record(std::move(event));
  held_.clear();
  log_ = std::move(log);
  attached_.store(log_.get(), std::memory_order_release);
}

void AuditRelay::detach() {
  const std::lock_guard lock(mutex_);
  attached_.store(nullptr, std::memory_order_release);
  log_.reset();
  detached_ = true;
}

}  // namespace craton::hsm::pkcs11
