// SPDX-License-Identifier: Apache-2.0
// LentSession: what the token-object primitives of this layer (object_search.h, readback.h)
// run their C_ calls through.
#pragma once

#include <craton/hsm/error.h>

#include <concepts>

#include "pkcs11/loader/functions.h"

namespace craton::hsm::pkcs11 {

// A session lent to one caller together with its owner's bookkeeping: `call<F>(args...)` runs
// C_<F> on it, maps the answer, and notes what the answer means for the session (an operation
// left active, a dead session); `note_failure` reports an error seen outside a call. The pool's
// Lease is one. The primitives are templates over it because the pool sits above this layer. A
// bare Session does not qualify: its calls skip that bookkeeping.
template <typename T>
concept LentSession = requires(T& lease, const HsmError& error) {
  { lease.template call<Fn::FindObjectsFinal>() } -> std::same_as<Result<void>>;
  lease.note_failure(error);
};

}  // namespace craton::hsm::pkcs11
