// SPDX-License-Identifier: Apache-2.0
// Byte helpers for the conformance tests: hex vectors in (out is core/hex.h), text as bytes,
// bit flips.
#pragma once

#include <craton/hsm/backend.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "core/hex.h"

namespace craton::hsm::conformance {

// Lowercase or uppercase hex, no separators. Throws std::invalid_argument on anything else
// (test vectors are data the suite trusts only after checking).
[[nodiscard]] Bytes from_hex(std::string_view hex);
[[nodiscard]] Bytes bytes_of(std::string_view text);
// A copy of `bytes` with bit 0 of byte `index` inverted.
[[nodiscard]] Bytes flip_bit(ByteView bytes, std::size_t index);
[[nodiscard]] Bytes concat(ByteView a, ByteView b);

}  // namespace craton::hsm::conformance
