// SPDX-License-Identifier: Apache-2.0
// Range checks and name rules shared by the TOML parser and validate().
#include "config/rules.h"

#include <algorithm>
#include <array>
#include <utility>

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

namespace {

constexpr std::array<std::pair<AuditDurability, std::string_view>, 3> kDurabilityNames{{
    {AuditDurability::PerRecord, "per_record"},
    {AuditDurability::PerBatch, "per_batch"},
    {AuditDurability::None, "none"},
}};
constexpr std::array<std::pair<AuditFailurePolicy, std::string_view>, 2> kFailurePolicyNames{{
    {AuditFailurePolicy::FailClosed, "fail_closed"},
    {AuditFailurePolicy::FailOpen, "fail_open"},
}};

template <typename Enum, std::size_t N>
std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, N>& table,
                         Enum value) noexcept {
  for (const auto& [candidate, name] : table) {
    if (candidate == value) return name;
  }
  return "unknown";
}

template <typename Enum, std::size_t N>
std::optional<Enum> value_of(const std::array<std::pair<Enum, std::string_view>, N>& table,
                             std::string_view name) noexcept {
  for (const auto& [value, candidate] : table) {
    if (candidate == name) return value;
  }
  return std::nullopt;
}

}  // namespace

std::string_view durability_name(AuditDurability durability) noexcept {
  return name_of(kDurabilityNames, durability);
}

std::optional<AuditDurability> durability_from_name(std::string_view name) noexcept {
  return value_of(kDurabilityNames, name);
}

std::string_view failure_policy_name(AuditFailurePolicy policy) noexcept {
  return name_of(kFailurePolicyNames, policy);
}

std::optional<AuditFailurePolicy> failure_policy_from_name(std::string_view name) noexcept {
  return value_of(kFailurePolicyNames, name);
}

std::filesystem::path effective_library_path(const Pkcs11PassthroughConfig& config) {
  if (config.library_path.empty() && config.token_uri && config.token_uri->module_path) {
    return *config.token_uri->module_path;
  }
  return config.library_path;
}

}  // namespace craton::hsm::config
