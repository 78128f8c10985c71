// SPDX-License-Identifier: Apache-2.0
// Fixed-width PKCS#11 text fields as printable UTF-8.
#include "pkcs11/session/text_field.h"

#include <algorithm>

namespace craton::hsm::pkcs11 {
namespace {

constexpr char kReplacement = '?';

bool continuation(std::uint8_t byte) noexcept {
  return (byte & 0xc0U) == 0x80U;
}

// The length of the well-formed, printable UTF-8 character at the start of `text` (RFC 3629 §4:
// no overlong forms, no surrogates, nothing above U+10FFFF), or 0 when there is none.
std::size_t printable_character(std::span<const std::uint8_t> text) noexcept {
  const std::uint8_t lead = text[0];
  if (lead >= 0x20 && lead < 0x7f) return 1;  // printable ASCII
  std::size_t length = 0;
  std::uint8_t low = 0x80;  // the range the second byte must be in
  std::uint8_t high = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead == 0xe0) low = 0xa0;   // overlong
    if (lead == 0xed) high = 0x9f;  // surrogates
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead == 0xf0) low = 0x90;   // overlong
    if (lead == 0xf4) high = 0x8f;  // above U+10FFFF
  } else {
    return 0;  // C0 controls, DEL, stray continuation bytes, 0xc0/0xc1, 0xf5..0xff
  }
  if (text.size() < length || text[1] < low || text[1] > high) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if (!continuation(text[i])) return 0;
  }
  if (lead == 0xc2 && text[1] < 0xa0) return 0;  // C1 controls U+0080..U+009F
  return length;
}

}  // namespace

std::string text_field(std::span<const std::uint8_t> field) {
  const auto nul = std::ranges::find(field, std::uint8_t{0});
  const std::span<const std::uint8_t> text =
      field.first(static_cast<std::size_t>(nul - field.begin()));
  std::string out;
  out.reserve(text.size());
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t length = printable_character(text.subspan(at));
    if (length == 0) {
      out.push_back(kReplacement);
      ++at;
      continue;
    }
    out.append(reinterpret_cast<const char*>(text.data() + at), length);
    at += length;
  }
  out.erase(out.find_last_not_of(' ') + 1);  // npos + 1 == 0: all blanks
  return out;
}

}  // namespace craton::hsm::pkcs11
