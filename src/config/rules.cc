// SPDX-License-Identifier: Apache-2.0
// Range checks and name rules shared by the TOML parser and validate().
#include "config/rules.h"

#include <algorithm>

#include <fmt/format.h>

namespace craton::hsm::config {

Result<void> check_range(std::string_view field, std::int64_t value, IntRange range) {
  if (value >= range.min && value <= range.max) return {};
  if (range.max == std::numeric_limits<std::int64_t>::max()) {
    return fail(ErrorCode::ConfigInvalid,
                fmt::format("{}: must be at least {}, got {}", field, range.min, value));
  }
  return fail(ErrorCode::ConfigInvalid, fmt::format("{}: must be between {} and {}, got {}", field,
                                                    range.min, range.max, value));
}

Result<void> check_range(std::string_view field, std::uint64_t value, IntRange range) {
  if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return fail(ErrorCode::ConfigInvalid, fmt::format("{}: must be between {} and {}, got {}",
                                                      field, range.min, range.max, value));
  }
  return check_range(field, static_cast<std::int64_t>(value), range);
}

bool is_env_name(std::string_view name) noexcept {
  // Locale-independent on purpose: isalpha() would accept more under some locales.
  const auto is_alpha = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
  const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  if (name.empty() || is_digit(name.front())) return false;
  return std::ranges::all_of(name, [&](char c) { return is_alpha(c) || is_digit(c) || c == '_'; });
}

}  // namespace craton::hsm::config
