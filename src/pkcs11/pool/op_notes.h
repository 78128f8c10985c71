// SPDX-License-Identifier: Apache-2.0
// OpNotes: what happened inside the operation the current thread is running (the mechanism it
// used, whether its session was rebuilt, how often it was retried), noted where it happens
// and read by the audit trail when the operation ends.
#pragma once

#include <cstdint>
#include <optional>

#include "pkcs11/loader/cryptoki.h"

namespace craton::hsm::pkcs11 {

struct OpNotes {
  std::optional<CK_MECHANISM_TYPE> mechanism;  // the last mechanism passed to a C_*Init call
  bool session_recovered = false;              // a dead session was rebuilt for this operation
  std::uint32_t retries = 0;       // times the operation was re-run on a rebuilt session
  bool software_fallback = false;  // the operation ran in software (keygen fallback)
};

// This thread's notes. Reset them before an operation; they are plain thread-local data, so
// noting costs a store and nothing else.
[[nodiscard]] inline OpNotes& op_notes() noexcept {
  thread_local OpNotes notes;
  return notes;
}

}  // namespace craton::hsm::pkcs11
