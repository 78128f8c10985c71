// SPDX-License-Identifier: Apache-2.0
// Percent-encoding (RFC 3986 §2.1) with the character sets RFC 7512 §2.3 allows unescaped.
#pragma once

#include <craton/hsm/error.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "uri/attributes.h"

namespace craton::hsm::uri {

// True when `c` may appear unescaped in a value in `part`: RFC 3986 unreserved characters and
// RFC 7512's pk11-res-avail (path) or pk11-res-avail-ex (query). '%' is never literal.
[[nodiscard]] bool is_literal(char c, Part part) noexcept;

// Decodes the raw value of `attribute`, which starts at 0-based `offset` in the URI. Errors:
// InvalidArgument naming the attribute and position for a truncated or non-hex escape ("%1",
// "%G1") and for a character that must have been escaped (a space, ';' in the path, ...).
[[nodiscard]] Result<std::string> percent_decode(std::string_view raw, Part part,
                                                 std::string_view attribute, std::size_t offset);

// Appends `value`, escaping as %XX (uppercase hex) every byte that is not literal in `part`.
void append_encoded(std::string& out, std::string_view value, Part part);
// Appends every byte as %XX: the canonical form of "id", which is binary.
void append_all_encoded(std::string& out, std::span<const std::uint8_t> bytes);

}  // namespace craton::hsm::uri
