// SPDX-License-Identifier: Apache-2.0
// One benchmark operation through any CryptoBackend, the counterpart of a raw baseline run.
#pragma once

#include <craton/hsm/backend.h>

#include <cstddef>
#include <cstdint>
#include <span>

#include "bench/cases.h"

namespace craton::hsm::bench {

struct OperationInputs {
  ByteView message;
  ByteView signature;  // ECDSA verify: r ‖ s
};

// The size of the output buffer `op` on a `message_size`-byte message writes into, 0 for the
// operations that return their output. Each thread's operation allocates it once, before the
// clock starts, and reuses it, like the raw baseline and a caller's hot loop do.
[[nodiscard]] std::size_t output_capacity(RawOp op, std::size_t message_size) noexcept;

// Runs `op` once with `key` (null for digest and random) and drops the output. AES-GCM writes
// into `output` (output_capacity bytes, aes_gcm_encrypt_into). A verification that answers
// Invalid is an error: the benchmark must measure the valid path.
[[nodiscard]] Result<void> run_backend_op(CryptoBackend& backend, RawOp op, const Key* key,
                                          const OperationInputs& inputs,
                                          std::span<std::uint8_t> output);

}  // namespace craton::hsm::bench
