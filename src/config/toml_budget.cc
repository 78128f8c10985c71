// SPDX-License-Identifier: Apache-2.0
// Reads the [budget] table; the schema is in toml_parse.cc with the rest of the file's.
#include "config/toml_budget.h"

#include <array>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "config/rules.h"
#include "config/toml_read.h"

namespace craton::hsm::config {
namespace {

constexpr std::array<std::string_view, 10> kBudgetKeys{
    "store",
    "path",
    "url",
    "password_env",
    "password_file",
    "identity_key_file",
    "identity_key_label",
    "block_min",
    "block_max",
    "timeout_ms",
};

Result<BudgetStoreKind> read_store(const toml::table& table) {
  CRATON_ASSIGN_OR_RETURN(const auto name, read_string(table, "store", "budget.store"));
  if (!name) return BudgetStoreKind::Memory;
  for (const BudgetStoreKind kind :
       {BudgetStoreKind::Memory, BudgetStoreKind::Sqlite, BudgetStoreKind::Postgresql}) {
    if (*name == budget_store_name(kind)) return kind;
  }
  return fail(
      ErrorCode::ConfigInvalid,
      fmt::format("budget.store: must be one of memory, sqlite, postgresql, got {:?}", *name));
}

Result<std::optional<std::filesystem::path>> read_path(const toml::table& table,
                                                       std::string_view key,
                                                       const std::filesystem::path& base_dir) {
  CRATON_ASSIGN_OR_RETURN(const auto text, read_string(table, key, fmt::format("budget.{}", key)));
  if (!text) return std::optional<std::filesystem::path>();
  return std::optional<std::filesystem::path>(path_value(*text, base_dir));
}

}  // namespace

Result<BudgetConfig> parse_budget_table(const toml::table& root,
                                        const std::filesystem::path& base_dir) {
  const toml::node* node = root.get("budget");
  if (node == nullptr) return BudgetConfig{};
  const toml::table* table = node->as_table();
  if (table == nullptr) return wrong_type("budget", "a table ([budget])", *node);
  CRATON_RETURN_IF_ERROR(check_known_keys(*table, kBudgetKeys, "budget."));

  BudgetConfig budget;
  CRATON_ASSIGN_OR_RETURN(budget.store, read_store(*table));
  CRATON_ASSIGN_OR_RETURN(budget.path, read_path(*table, "path", base_dir));
  CRATON_ASSIGN_OR_RETURN(budget.url, read_string(*table, "url", "budget.url"));
  CRATON_ASSIGN_OR_RETURN(budget.password_env,
                          read_string(*table, "password_env", "budget.password_env"));
  CRATON_ASSIGN_OR_RETURN(budget.password_file, read_path(*table, "password_file", base_dir));
  CRATON_ASSIGN_OR_RETURN(budget.identity_key_file,
                          read_path(*table, "identity_key_file", base_dir));
  CRATON_ASSIGN_OR_RETURN(budget.identity_key_label,
                          read_string(*table, "identity_key_label", "budget.identity_key_label"));
  CRATON_ASSIGN_OR_RETURN(const auto block_min,
                          read_integer(*table, "block_min", "budget.block_min", kBudgetBlockRange));
  if (block_min) budget.block_min = static_cast<std::uint64_t>(*block_min);
  CRATON_ASSIGN_OR_RETURN(const auto block_max,
                          read_integer(*table, "block_max", "budget.block_max", kBudgetBlockRange));
  if (block_max) budget.block_max = static_cast<std::uint64_t>(*block_max);
  CRATON_ASSIGN_OR_RETURN(
      const auto timeout_ms,
      read_integer(*table, "timeout_ms", "budget.timeout_ms", kBudgetTimeoutMsRange));
  if (timeout_ms) budget.timeout_ms = static_cast<std::uint32_t>(*timeout_ms);
  return budget;
}

}  // namespace craton::hsm::config
