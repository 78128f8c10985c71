// SPDX-License-Identifier: Apache-2.0
// Reads the concurrency key or table; the schema is in toml_parse.cc with the rest of the file's.
#include "config/toml_concurrency.h"

#include <array>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "config/rules.h"
#include "config/toml_read.h"

namespace craton::hsm::config {
namespace {

constexpr std::array<std::string_view, 5> kConcurrencyKeys{"default", "symmetric", "ec", "rsa",
                                                           "other"};

// "adaptive", "unlimited" or an integer (the TOML integer 4 and the string "4" alike).
Result<ConcurrencyLimit> read_limit(const toml::node& node, std::string_view field) {
  if (const auto* text = node.as_string()) return ConcurrencyLimit::parse(text->get(), field);
  if (const auto* number = node.as_integer()) {
    return ConcurrencyLimit::parse(std::to_string(number->get()), field);
  }
  return wrong_type(field, "\"adaptive\", \"unlimited\" or an integer", node);
}

}  // namespace

Result<ConcurrencyConfig> parse_concurrency(const toml::table& root) {
  const toml::node* node = root.get("concurrency");
  if (node == nullptr) return ConcurrencyConfig{};
  const toml::table* table = node->as_table();
  if (table == nullptr) {
    CRATON_ASSIGN_OR_RETURN(const ConcurrencyLimit limit, read_limit(*node, "concurrency"));
    return ConcurrencyConfig::all(limit);
  }
  CRATON_RETURN_IF_ERROR(check_known_keys(*table, kConcurrencyKeys, "concurrency."));
  ConcurrencyConfig config;
  if (const toml::node* fallback = table->get("default")) {
    CRATON_ASSIGN_OR_RETURN(const ConcurrencyLimit limit,
                            read_limit(*fallback, "concurrency.default"));
    config = ConcurrencyConfig::all(limit);
  }
  for (std::size_t i = 0; i < kOperationClassCount; ++i) {
    const std::string_view name = operation_class_name(static_cast<OperationClass>(i));
    if (const toml::node* value = table->get(name)) {
      CRATON_ASSIGN_OR_RETURN(config.limits[i],
                              read_limit(*value, fmt::format("concurrency.{}", name)));
    }
  }
  return config;
}

}  // namespace craton::hsm::config
