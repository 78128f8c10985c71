// SPDX-License-Identifier: Apache-2.0
// The one JSON string escaper (audit records, CLI output, bench reports), the UTF-8 validator
// it uses (also the CLI's terminal escaper's), and UTF-8-safe clipping.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace craton::hsm {

// Appends `text` to `out` as the inside of a JSON string (no surrounding quotes):
//  - '"' and '\\' are backslash-escaped; \b \f \n \r \t use their short forms; every other
//    byte below 0x20 and DEL (0x7f) becomes \u00XX, so a record is always exactly one line
//    and carries no terminal control sequences;
//  - well-formed UTF-8 is kept verbatim (readable, and the bytes are what is MAC'd);
//  - every byte of an ill-formed UTF-8 sequence (overlong forms, surrogates, code points past
//    U+10FFFF, truncated sequences) becomes \ufffd, so the output is always valid UTF-8 JSON.
// Never allocates beyond growing `out`.
void append_json_escaped(std::string& out, std::string_view text);

// `text` as a quoted JSON string literal: '"', the escaped text, '"'.
void append_json_quoted(std::string& out, std::string_view text);
[[nodiscard]] std::string json_quote(std::string_view text);

// Length of the well-formed UTF-8 sequence starting at text[i] (Unicode 15, table 3-7), or
// 0 when the bytes there are not one (overlong, surrogate, past U+10FFFF, truncated). i must be
// below text.size().
[[nodiscard]] std::size_t utf8_sequence_length(std::string_view text, std::size_t i) noexcept;

// At most `limit` bytes of `text`, cut back to a UTF-8 character boundary, so that a long
// detail cannot make a record unbounded (the trail's reader keeps lines below 64 KiB).
[[nodiscard]] std::string_view clip_utf8(std::string_view text, std::size_t limit) noexcept;

}  // namespace craton::hsm
