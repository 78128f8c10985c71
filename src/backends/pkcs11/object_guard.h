// SPDX-License-Identifier: Apache-2.0
// ObjectGuard: destroys a temporary session object (an unwrapped or derived key, a key being
// wrapped, a freshly generated key read back) on every exit path, or a new token object when
// the operation creating it fails half-way.
#pragma once

#include <craton/hsm/diagnostics.h>

#include <utility>

#include "pkcs11/pool/session_pool.h"

namespace craton::hsm::pkcs11 {

class ObjectGuard {
 public:
  ObjectGuard(Lease& lease, CK_OBJECT_HANDLE object) : lease_(lease), object_(object) {}
  ObjectGuard(const ObjectGuard&) = delete;
  ObjectGuard& operator=(const ObjectGuard&) = delete;
  ~ObjectGuard() {
    if (object_ == CK_INVALID_HANDLE) return;
    if (auto destroyed = lease_.call<Fn::DestroyObject>(object_); !destroyed) {
      report_diagnostic(destroyed.error());
    }
  }
  [[nodiscard]] CK_OBJECT_HANDLE get() const noexcept { return object_; }
  // Keeps the object: for objects that are meant to outlive the operation once it succeeded.
  CK_OBJECT_HANDLE release() noexcept { return std::exchange(object_, CK_INVALID_HANDLE); }

 private:
  Lease& lease_;
  CK_OBJECT_HANDLE object_;
};

}  // namespace craton::hsm::pkcs11
