// SPDX-License-Identifier: Apache-2.0
// AuditRelay: carries administrative events (logins, session rebuilds, key imports, GCM
// budget refusals) from inside the backend and its pool to the audit trail. Events that happen
// before the trail is attached (the first login, while the backend is still being built) are
// held and written, in order, when it is.
#pragma once

#include <craton/hsm/audit.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "pkcs11/pool/pool_events.h"

namespace craton::hsm::pkcs11 {

// Thread-safety: every member may be called from any thread.
class AuditRelay {
 public:
  // Records `event`, or holds it until attach(). A failure to record is not reported here:
  // the trail then refuses the operation's own record, which fails the operation (fail-closed).
  void record(AuditEvent event);
  // The pool's events as audit events: LoggedIn / LoginFailed as Login, SessionRebuilt and
  // SessionRebuildFailed as PoolRebuild, SizeClamped as PoolRebuild with its sizes in `detail`.
  void pool_event(const PoolEvent& event);
  // From now on events go straight to `log`; the held ones are written first.
  void attach(std::shared_ptr<AuditLog> log);
  // Drops the trail (events are then discarded): lets the trail shut down before the backend
  // whose pool its token MAC may use.
  void detach();

 private:
  std::mutex mutex_;  // guards held_ and the switch to attached
  std::vector<AuditEvent> held_;
  std::shared_ptr<AuditLog> log_;  // set once, under mutex_
  bool detached_ = false;
  std::atomic<AuditLog*> attached_{nullptr};
};

}  // namespace craton::hsm::pkcs11
