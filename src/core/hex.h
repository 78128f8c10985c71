// SPDX-License-Identifier: Apache-2.0
// The one hex encoder: two digits per byte, no separators (fingerprints, MACs, key ids, the
// CLI's --hex output, lock file names, percent-escapes).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace craton::hsm {

// Lower case everywhere we choose; upper case where a standard asks for it (RFC 3986 §2.1
// percent-escapes).
enum class HexCase : std::uint8_t { Lower, Upper };

// Appends the hex of `bytes` to `out`, growing it once: the audit writer calls this for every
// record's fingerprint and MAC.
void append_hex(std::string& out, std::span<const std::uint8_t> bytes,
                HexCase letters = HexCase::Lower);

[[nodiscard]] std::string to_hex(std::span<const std::uint8_t> bytes,
                                 HexCase letters = HexCase::Lower);
// The hex of text's bytes (a token serial in a file name, a secret searched for in a test).
[[nodiscard]] std::string to_hex(std::string_view text, HexCase letters = HexCase::Lower);

// The value of one hex digit of either case, or nullopt. Decoders keep their own grammar
// around it (percent-escapes, the CLI's "0x01:af" ids), so there is no one decoder.
[[nodiscard]] constexpr std::optional<std::uint8_t> hex_digit_value(char c) noexcept {
  if (c >= '0' && c <= '9') return static_cast<std::uint8_t>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<std::uint8_t>(c - 'a' + 10);
  if (c >= 'A' && c <= 'F') return static_cast<std::uint8_t>(c - 'A' + 10);
  return std::nullopt;
}

}  // namespace craton::hsm
