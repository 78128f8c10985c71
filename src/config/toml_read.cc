// SPDX-License-Identifier: Apache-2.0
// Typed TOML reads shared by the top-level schema and its [audit] table.
#include "config/toml_read.h"

#include <algorithm>

#include <fmt/format.h>

#include "config/suggest.h"

namespace craton::hsm::config {
namespace {

std::string_view type_name(toml::node_type type) {
  switch (type) {
    case toml::node_type::none:
      return "nothing";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
  }
  return "an unknown type";
}

}  // namespace

std::unexpected<HsmError> wrong_type(std::string_view field, std::string_view expected,
                                     const toml::node& node) {
  return fail(ErrorCode::ConfigInvalid,
              fmt::format("{}: expected {}, got {}", field, expected, type_name(node.type())));
}

Result<void> check_known_keys(const toml::table& table, std::span<const std::string_view> known,
                              std::string_view prefix) {
  for (const auto& [key, node] : table) {
    if (std::ranges::find(known, key.str()) != known.end()) continue;
    const std::optional<std::string_view> guess = closest_match(key.str(), known);
    return fail(
        ErrorCode::ConfigInvalid,
        fmt::format("{:?}: unknown key{}", fmt::format("{}{}", prefix, key.str()),
                    guess ? fmt::format(" (did you mean {}{}?)", prefix, *guess) : std::string()));
  }
  return {};
}

Result<std::optional<std::string>> read_string(const toml::table& table, std::string_view key,
                                               std::string_view field) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return std::optional<std::string>();
  const toml::value<std::string>* value = node->as_string();
  if (value == nullptr) return wrong_type(field, "a string", *node);
  return std::optional<std::string>(value->get());
}

Result<std::optional<bool>> read_bool(const toml::table& table, std::string_view key,
                                      std::string_view field) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return std::optional<bool>();
  const toml::value<bool>* value = node->as_boolean();
  if (value == nullptr) return wrong_type(field, "a boolean", *node);
  return std::optional<bool>(value->get());
}

// Checks the range here, before the caller narrows into a smaller struct field: otherwise
// pool_size = 4294967297 would wrap to 1 and pass validate().
Result<std::optional<std::int64_t>> read_integer(const toml::table& table, std::string_view key,
                                                 std::string_view field, IntRange range) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return std::optional<std::int64_t>();
  const toml::value<std::int64_t>* value = node->as_integer();
  if (value == nullptr) return wrong_type(field, "an integer", *node);
  CRATON_RETURN_IF_ERROR(check_range(field, value->get(), range));
  return std::optional<std::int64_t>(value->get());
}

std::filesystem::path path_value(const std::string& text, const std::filesystem::path& base_dir) {
  std::filesystem::path path(text);
  if (!path.empty() && path.is_relative() && !base_dir.empty()) {
    path = (base_dir / path).lexically_normal();
  }
  return path;
}

}  // namespace craton::hsm::config
