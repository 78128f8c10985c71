// SPDX-License-Identifier: Apache-2.0
// The envelope of every call: counting, the plan's decision, and the device's state.
#include "call.h"

#include "counters.h"
#include "switches.h"

namespace craton::hsm::fault_shim {

Call::Call(Fn fn) : fn_(fn) {
  counters().call(fn);
}

Call::~Call() {
  if (alone_) counters().leave_alone();
}

CK_RV Call::begin() {
  // A module that is not thread-safe: the second call inside it at once is refused (a real one
  // would corrupt its state instead), from here to the end of the call.
  if (switches().not_thread_safe) {
    if (!counters().enter_alone()) {
      counters().fault();
      return CKR_GENERAL_ERROR;
    }
    alone_ = true;
  }
  device().tick();
  decision_ = plan().decide(fn_);
  if (decision_.restart) device().restart();
  if (decision_.vanish_ms != 0) device().vanish(decision_.vanish_ms);
  if (decision_.sleep_ms != 0) device().sleep(decision_.sleep_ms);
  const Scope scope = scope_of(fn_);
  if (scope != Scope::Module && device().vanished()) {
    counters().fault();
    return scope == Scope::Session ? CKR_DEVICE_REMOVED : CKR_TOKEN_NOT_PRESENT;
  }
  if (decision_.rv != CKR_OK) {
    counters().fault();
    if (!switches().fail_after_call) return decision_.rv;
  }
  return CKR_OK;
}

CK_RV Call::end(CK_RV rv) const {
  return decision_.rv != CKR_OK ? decision_.rv : rv;
}

}  // namespace craton::hsm::fault_shim
