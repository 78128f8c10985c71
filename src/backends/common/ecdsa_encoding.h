// SPDX-License-Identifier: Apache-2.0
// Conversion between the two ECDSA signature encodings: r‖s fixed-width (IEEE P1363, what
// PKCS#11 tokens produce) and the DER SEQUENCE { INTEGER r, INTEGER s } of RFC 3279 §2.2.3.
// Backend-neutral: the PKCS#11 backend converts its tokens' output with the same functions.
#pragma once

#include <craton/hsm/backend.h>
#include <craton/hsm/error.h>

#include <cstddef>

namespace craton::hsm::common {

// `raw` must be exactly 2 × `field_bytes` (r then s, big-endian, zero-padded). Returns the
// minimal DER encoding. Errors: DataLenRange for any other length.
[[nodiscard]] Result<Bytes> ecdsa_raw_to_der(ByteView raw, std::size_t field_bytes);

// Accepts strict DER only: the input must be exactly what re-encoding the parsed value gives,
// so non-minimal integers, long-form lengths that could be short, negative integers, BER and
// trailing bytes are all refused. Both integers must fit in `field_bytes`. Returns r‖s, each
// left-padded to `field_bytes`. Errors: DataInvalid.
[[nodiscard]] Result<Bytes> ecdsa_der_to_raw(ByteView der, std::size_t field_bytes);

}  // namespace craton::hsm::common
