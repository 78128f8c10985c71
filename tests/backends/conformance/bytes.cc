// SPDX-License-Identifier: Apache-2.0
// Hex decoding and bit-flip helpers for the conformance tests.
#include "backends/conformance/bytes.h"

#include <algorithm>
#include <optional>
#include <stdexcept>

namespace craton::hsm::conformance {
Bytes from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) throw std::invalid_argument("hex string of odd length");
  Bytes out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const std::optional<std::uint8_t> high = hex_digit_value(hex[i]);
    const std::optional<std::uint8_t> low = hex_digit_value(hex[i + 1]);
    if (!high || !low) throw std::invalid_argument("not a hex digit");
    out.push_back(static_cast<std::uint8_t>(*high * 16 + *low));
  }
  return out;
}

Bytes bytes_of(std::string_view text) {
  return Bytes(text.begin(), text.end());
}

Bytes flip_bit(ByteView bytes, std::size_t index) {
  Bytes out(bytes.begin(), bytes.end());
  out.at(index) ^= 0x01;
  return out;
}

Bytes concat(ByteView a, ByteView b) {
  Bytes out(a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

}  // namespace craton::hsm::conformance
