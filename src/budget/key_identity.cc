// SPDX-License-Identifier: Apache-2.0
// KeyIdentity as text: the 64 hex digits the stores key their rows by and the CLI accepts.
#include <cstddef>

#include "budget/budget_store.h"
#include "core/hex.h"

namespace craton::hsm::budget {

std::string KeyIdentity::hex() const {
  return to_hex(std::span<const std::uint8_t>(bytes));
}

// Upper-case digits are accepted too (an operator may paste them); hex() always writes lower
// case, so a row is always found under one spelling.
std::optional<KeyIdentity> KeyIdentity::from_hex(std::string_view text) {
  KeyIdentity identity;
  if (text.size() != 2 * identity.bytes.size()) return std::nullopt;
  for (std::size_t i = 0; i < identity.bytes.size(); ++i) {
    const std::optional<std::uint8_t> high = hex_digit_value(text[2 * i]);
    const std::optional<std::uint8_t> low = hex_digit_value(text[2 * i + 1]);
    if (!high || !low) return std::nullopt;
    identity.bytes[i] = static_cast<std::uint8_t>(*high << 4 | *low);
  }
  return identity;
}

}  // namespace craton::hsm::budget
