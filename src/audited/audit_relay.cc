// SPDX-License-Identifier: Apache-2.0
// AuditRelay: administrative events into the audit trail, held while the trail refuses them.
#include "audited/audit_relay.h"

#include <craton/hsm/diagnostics.h>

#include <fmt/format.h>

namespace craton::hsm::audited {

void AuditRelay::record(AuditEvent event) {
  AuditLog* log = attached_.load(std::memory_order_acquire);
  if (log != nullptr && !holding_.load(std::memory_order_acquire)) {
    // A copy, because a refused event must be kept; administrative events are rare (first
    // use of a key per session, logins, rebuilds), never one per operation.
    if (log->record(AuditEvent(event))) return;
  }
  {
    const std::lock_guard lock(mutex_);
    if (detached_) {
      report_unwritten(1, "after the trail was detached");
      return;
    }
    held_.push_back(std::move(event));
    if (!log_) return;  // attach() writes it
    holding_.store(true, std::memory_order_release);
  }
  (void)drain();  // the trail may take it again at once; if not, the next drain() says so
}

// The held events are written without holding mutex_: record() may wait for the writer
// (per_record), and the writer may itself produce an event (a login while it MACs through
// the token) that needs mutex_.
Result<void> AuditRelay::drain_held() {
  std::vector<AuditEvent> batch;
  std::shared_ptr<AuditLog> log;
  {
    const std::lock_guard lock(mutex_);
    batch.swap(held_);
    log = log_;
  }
  std::size_t written = 0;
  Result<void> result;
  for (; log && written < batch.size(); ++written) {
    result = log->record(AuditEvent(batch[written]));
    if (!result) break;
  }
  const std::lock_guard lock(mutex_);
  // What is left goes back before any event held meanwhile, so the order is kept.
  held_.insert(held_.begin(),
               std::make_move_iterator(batch.begin() + static_cast<std::ptrdiff_t>(written)),
               std::make_move_iterator(batch.end()));
  holding_.store(log_ != nullptr && !held_.empty(), std::memory_order_release);
  // Events held meanwhile are the drain() of the thread that held them.
  if (written == batch.size() || !log_) return {};
  return fail(ErrorCode::AuditUnavailable,
              fmt::format("{} administrative audit events are waiting for the trail: {}",
                          held_.size(), result.error().message()));
}

void AuditRelay::attach(std::shared_ptr<AuditLog> log, AuditEvent first) {
  {
    const std::lock_guard lock(mutex_);
    held_.insert(held_.begin(), std::move(first));
    log_ = std::move(log);
    attached_.store(log_.get(), std::memory_order_release);
    holding_.store(true, std::memory_order_release);
  }
  (void)drain();  // what stays held fails the first operation
}

void AuditRelay::detach() {
  const std::lock_guard lock(mutex_);
  attached_.store(nullptr, std::memory_order_release);
  holding_.store(false, std::memory_order_release);
  if (!held_.empty()) report_unwritten(held_.size(), "when the trail was closed");
  held_.clear();
  log_.reset();
  detached_ = true;
}

void AuditRelay::report_unwritten(std::size_t count, std::string_view why) {
  report_diagnostic(
      HsmError(ErrorCode::AuditUnavailable,
               fmt::format("{} administrative audit events could not be written {}", count, why)));
}

}  // namespace craton::hsm::audited
