// SPDX-License-Identifier: Apache-2.0
// Where a libpq connection string carries a password, found without libpq (the config layer
// does not link it; the store checks again with libpq's own parser when it opens).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace craton::hsm::config {

// The spans (offset, length) of every password value in `url`: a `password` keyword's value
// in the keyword=value form; the user:PASSWORD@ of a postgresql:// (or postgres://) URI and a
// `password` query parameter. nullopt when the keyword=value form does not parse: the caller
// must then assume the worst.
struct TextSpan {
  std::size_t offset;
  std::size_t length;
};
[[nodiscard]] std::optional<std::vector<TextSpan>> conninfo_password_spans(std::string_view url);

// `url` with every password value replaced by "<redacted>"; "<redacted: unparsable connection
// string>" when it does not parse.
[[nodiscard]] std::string redact_conninfo(std::string_view url);

}  // namespace craton::hsm::config
