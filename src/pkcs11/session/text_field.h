// SPDX-License-Identifier: Apache-2.0
// The fixed-width text fields of CK_INFO, CK_SLOT_INFO and CK_TOKEN_INFO (labels, manufacturer
// ids, models, serial numbers, descriptions) made into safe strings, whatever the module put
// in them.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "pkcs11/loader/cryptoki.h"

namespace craton::hsm::pkcs11 {

// The field as printable text. PKCS#11 v2.40 §3.1 says these are UTF-8, padded with blanks and
// not NUL-terminated; modules also ship C strings and junk. So, in this order:
// - the text ends at the first NUL (a module that wrote a C string left nothing after it);
// - every byte that is not part of a printable UTF-8 character (C0 controls, DEL, C1 controls,
//   invalid or overlong UTF-8) becomes '?', so no terminal escape or invalid UTF-8 reaches a
//   log, a URI or a JSON document;
// - trailing blanks (the padding) are trimmed.
// Never reads outside `field`; the result is never longer than `field` (one '?' per byte).
[[nodiscard]] std::string text_field(std::span<const std::uint8_t> field);

template <std::size_t N>
[[nodiscard]] std::string text_field(const CK_UTF8CHAR (&field)[N]) {
  return text_field(std::span<const std::uint8_t>(field, N));
}
// CK_INFO and friends declare some fields as CK_CHAR (unsigned char, like CK_UTF8CHAR), a few
// headers as char.
template <std::size_t N>
[[nodiscard]] std::string text_field(const char (&field)[N]) {
  return text_field(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(field), N));
}

}  // namespace craton::hsm::pkcs11
