// SPDX-License-Identifier: Apache-2.0
// Hex decoding, base64 and bit-flip helpers for the conformance tests.
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

std::string base64(ByteView bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
    std::uint32_t chunk = std::uint32_t{bytes[i]} << 16;
    if (n > 1) chunk |= std::uint32_t{bytes[i + 1]} << 8;
    if (n > 2) chunk |= bytes[i + 2];
    out.push_back(kAlphabet[(chunk >> 18) & 0x3f]);
    out.push_back(kAlphabet[(chunk >> 12) & 0x3f]);
    out.push_back(n > 1 ? kAlphabet[(chunk >> 6) & 0x3f] : '=');
    out.push_back(n > 2 ? kAlphabet[chunk & 0x3f] : '=');
  }
  return out;
}

}  // namespace craton::hsm::conformance
