// SPDX-License-Identifier: Apache-2.0
// One benchmark operation through any CryptoBackend, the counterpart of a raw baseline run.
#pragma once

#include <craton/hsm/backend.h>

#include "bench/cases.h"

namespace craton::hsm::bench {

struct OperationInputs {
  ByteView message;
  ByteView signature;  // ECDSA verify: r ‖ s
};

// Runs `op` once with `key` (null for digest and random) and drops the output. A
// verification that answers Invalid is an error: the benchmark must measure the valid path.
[[nodiscard]] Result<void> run_backend_op(CryptoBackend& backend, RawOp op, const Key* key,
                                          const OperationInputs& inputs);

}  // namespace craton::hsm::bench
