// SPDX-License-Identifier: Apache-2.0
// Hex encoding from one digit table.
#include "core/hex.h"

namespace craton::hsm {
namespace {

constexpr std::string_view kLowerDigits = "0123456789abcdef";
constexpr std::string_view kUpperDigits = "0123456789ABCDEF";

}  // namespace

void append_hex(std::string& out, std::span<const std::uint8_t> bytes, HexCase letters) {
  const std::string_view digits = letters == HexCase::Lower ? kLowerDigits : kUpperDigits;
  const std::size_t start = out.size();
  out.resize(start + 2 * bytes.size());
  char* next = out.data() + start;
  for (const std::uint8_t b : bytes) {
    *next++ = digits[b >> 4];
    *next++ = digits[b & 0xf];
  }
}

std::string to_hex(std::span<const std::uint8_t> bytes, HexCase letters) {
  std::string out;
  append_hex(out, bytes, letters);
  return out;
}

std::string to_hex(std::string_view text, HexCase letters) {
  return to_hex(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()),
                letters);
}

}  // namespace craton::hsm
