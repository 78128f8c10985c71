// SPDX-License-Identifier: Apache-2.0
// Reading records back: the few fields the chain needs, from one line of the trail, by a
// purpose-built scanner for the flat JSON objects the writer produces (no JSON library).
#pragma once

#include <craton/hsm/audit.h>

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace craton::hsm::audit {

// Every record ends with `,"mac":"<64 hex>"}`; the MAC covers every byte before that suffix.
inline constexpr std::string_view kMacFieldOpen = ",\"mac\":\"";
inline constexpr std::size_t kMacHexLength = 64;
inline constexpr std::size_t kMacSuffixLength = kMacFieldOpen.size() + kMacHexLength + 2;

// The chain-relevant fields. String values are raw (escapes left in place): the fields read
// here are hex, numbers and fixed names, so an escape in one of them is itself a defect.
struct RecordFields {
  std::optional<std::uint64_t> seq;
  std::string_view op;
  std::optional<std::string_view> prev;
  std::optional<std::string_view> prev_file;
  std::optional<std::string_view> mac;
  std::optional<std::string_view> last;  // the anchor's MAC of the last record
  std::string_view outcome;              // "ok", "error", "intent", or empty
  std::optional<std::uint64_t> intent;   // an outcome's intent record (seq)
  std::optional<std::string_view> key;
};

// Scans a one-line flat JSON object (string, number, true/false/null values). Rejects nested
// values, duplicate chain fields, trailing bytes. Error: a short description of the defect.
[[nodiscard]] std::expected<RecordFields, std::string> parse_record_fields(std::string_view line);

// The bytes the record's own MAC covers, or nullopt when `line` does not end with a MAC.
[[nodiscard]] std::optional<std::string_view> mac_covered_prefix(std::string_view line) noexcept;

// The MAC hex a sealed line carries (the last field); empty when not sealed.
[[nodiscard]] std::string_view sealed_mac(std::string_view line) noexcept;

// Recomputes the MAC over the covered prefix and compares it with the stored one.
// Ok(false) when the line is not sealed or the MAC differs; errors only from `mac` itself.
[[nodiscard]] Result<bool> seal_verifies(std::string_view line, AuditMac& mac);

}  // namespace craton::hsm::audit
