// SPDX-License-Identifier: Apache-2.0
// AuditRelay: carries administrative events (backend start and stop, and from inside a
// backend: logins, session rebuilds, key imports, GCM budget refusals) to the audit trail.
// Events that happen before the trail is attached (the first login, while the backend is
// still being built), and events the trail refuses, are held and written, in order, as soon as
// it takes them.
#pragma once

#include <craton/hsm/audit.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace craton::hsm::audited {

// No administrative event is dropped silently. Under fail-closed an event the trail refuses
// is held, and drain() fails every operation (AuditUnavailable) until the held events are
// written; under fail-open the trail never refuses, and what it cannot queue it counts and
// records as lost ("lost N records"). After detach() an event can no longer be written: it is
// reported through report_diagnostic.
// Thread-safety: every member may be called from any thread.
class AuditRelay {
 public:
  // Records `event`, or holds it (not attached yet, the trail refused it, or older events are
  // still held: the order is kept).
  void record(AuditEvent event);
  // Writes the held events, in order, into the attached trail. Cheap when nothing is held (one
  // atomic load): called before and after every audited operation. Errors: AuditUnavailable
  // while any event is still held.
  [[nodiscard]] Result<void> drain() {
    if (!holding_.load(std::memory_order_acquire)) return {};
    return drain_held();
  }
  // From now on events go to `log`: `first` (the backend's start), then the held ones.
  void attach(std::shared_ptr<AuditLog> log, AuditEvent first);
  // Drops the trail: lets the trail shut down before the backend whose pool its token MAC may
  // use. Events still held, and any that come later, are reported through report_diagnostic.
  void detach();

 private:
  [[nodiscard]] Result<void> drain_held();
  void report_unwritten(std::size_t count, std::string_view why);

  std::mutex mutex_;  // guards held_, log_, detached_
  std::vector<AuditEvent> held_;
  std::shared_ptr<AuditLog> log_;  // set once, under mutex_
  bool detached_ = false;
  std::atomic<AuditLog*> attached_{nullptr};
  std::atomic<bool> holding_{false};  // attached and held_ not empty
};

}  // namespace craton::hsm::audited
