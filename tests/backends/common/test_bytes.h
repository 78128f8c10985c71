// SPDX-License-Identifier: Apache-2.0
// Byte helpers for the backend unit tests: hex vectors, text bytes, bit flips, secret bytes.
#pragma once

#include <craton/hsm/backend.h>
#include <craton/hsm/secret.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "core/hex.h"

namespace craton::hsm::testing {

inline Bytes hex(std::string_view text) {
  const auto nibble = [](char c) -> std::uint8_t {
    if (const std::optional<std::uint8_t> value = hex_digit_value(c)) return *value;
    throw std::invalid_argument("not a hex digit");
  };
  Bytes out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == ' ') {
      ++i;
      continue;
    }
    if (i + 1 >= text.size()) throw std::invalid_argument("odd number of hex digits");
    out.push_back(static_cast<std::uint8_t>(nibble(text[i]) << 4 | nibble(text[i + 1])));
    i += 2;
  }
  return out;
}

inline Bytes text_bytes(std::string_view text) {
  return Bytes(text.begin(), text.end());
}

// A copy of `bytes` with the lowest bit of byte `index` inverted.
inline Bytes flipped(ByteView bytes, std::size_t index) {
  Bytes out(bytes.begin(), bytes.end());
  out.at(index) ^= 0x01;
  return out;
}

inline Bytes bytes_of(const SecretBytes& secret) {
  return Bytes(secret.expose().begin(), secret.expose().end());
}

}  // namespace craton::hsm::testing
