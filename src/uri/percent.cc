// SPDX-License-Identifier: Apache-2.0
// Percent-decoding that refuses what RFC 7512 does not allow, and the canonical encoder.
#include "uri/percent.h"

#include <optional>

#include "core/hex.h"
#include "uri/uri_error.h"

namespace craton::hsm::uri {
namespace {

// RFC 3986 §2.1: percent-encodings use upper-case hex digits.
void append_escape(std::string& out, std::uint8_t byte) {
  out += '%';
  append_hex(out, std::span(&byte, 1), HexCase::Upper);
}

}  // namespace

bool is_literal(char c, Part part) noexcept {
  // Locale-independent on purpose: isalnum() would accept more under some locales.
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  // RFC 3986 §2.3 unreserved, then RFC 7512 pk11-res-avail; '&' and ';' stay out because they
  // separate attributes, '/' and '?' because they are special in a path.
  constexpr std::string_view kPathExtra = "-._~:[]@!$'()*+,=";
  if (kPathExtra.find(c) != std::string_view::npos) return true;
  // pk11-res-avail-ex adds these for the query (module-path=/usr/lib/...).
  constexpr std::string_view kQueryExtra = "/?|";
  return part == Part::Query && kQueryExtra.find(c) != std::string_view::npos;
}

Result<std::string> percent_decode(std::string_view raw, Part part, std::string_view attribute,
                                   std::size_t offset) {
  std::string decoded;
  decoded.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const std::size_t position = offset + i + 1;
    const char c = raw[i];
    if (c == '%') {
      const auto high = i + 1 < raw.size() ? hex_digit_value(raw[i + 1]) : std::nullopt;
      const auto low = i + 2 < raw.size() ? hex_digit_value(raw[i + 2]) : std::nullopt;
      if (!high || !low) {
        return uri_error(attribute, position,
                         "malformed percent-escape (expected '%' and two hex digits)");
      }
      decoded += static_cast<char>((*high << 4) | *low);
      i += 2;
      continue;
    }
    if (!is_literal(c, part)) {
      return uri_error(
          attribute, position,
          fmt::format("character 0x{:02X} must be percent-encoded", static_cast<unsigned char>(c)));
    }
    decoded += c;
  }
  return decoded;
}

void append_encoded(std::string& out, std::string_view value, Part part) {
  for (const char c : value) {
    if (is_literal(c, part)) {
      out += c;
    } else {
      append_escape(out, static_cast<std::uint8_t>(c));
    }
  }
}

void append_all_encoded(std::string& out, std::span<const std::uint8_t> bytes) {
  for (const std::uint8_t byte : bytes) append_escape(out, byte);
}

}  // namespace craton::hsm::uri
