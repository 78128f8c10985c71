// SPDX-License-Identifier: Apache-2.0
// The [budget] rules: a durable store names where it lives and how keys are named in it, and
// keeps passwords out of the config.
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "config/conninfo_text.h"
#include "config/rules.h"
#include "config/validate_parts.h"

namespace craton::hsm::config {
namespace {

// A location or password the chosen store does not read is a mistake (a store name typed
// wrong, a table copied from another host), not something to ignore. The identity key is not
// refused with the memory store: in-process budgets may be keyed by it as well.
Result<void> check_unused(const BudgetConfig& budget) {
  std::vector<std::string_view> unused;
  if (budget.store != BudgetStoreKind::Sqlite && budget.path) unused.emplace_back("path");
  if (budget.store != BudgetStoreKind::Postgresql) {
    if (budget.url) unused.emplace_back("url");
    if (budget.password_env) unused.emplace_back("password_env");
    if (budget.password_file) unused.emplace_back("password_file");
  }
  if (unused.empty()) return {};
  return fail(ErrorCode::ConfigInvalid,
              fmt::format("budget.{}: not used by budget.store = \"{}\"",
                          fmt::join(unused, ", budget."), budget_store_name(budget.store)));
}

Result<void> check_postgresql(const BudgetConfig& budget) {
  if (!budget.url || budget.url->empty()) {
    return fail(ErrorCode::ConfigInvalid,
                "budget.url: required when budget.store = \"postgresql\" (a libpq connection "
                "string, e.g. \"host=db.example dbname=craton user=signer sslmode=verify-full\")");
  }
  const auto spans = conninfo_password_spans(*budget.url);
  if (!spans) {
    return fail(ErrorCode::ConfigInvalid,
                "budget.url: not a libpq connection string (keyword=value pairs or a "
                "postgresql:// URI)");
  }
  if (!spans->empty()) {
    return fail(ErrorCode::ConfigInvalid,
                "budget.url: must not contain a password; use budget.password_env or "
                "budget.password_file (a 0600 file)");
  }
  if (budget.password_env && budget.password_file) {
    return fail(ErrorCode::ConfigInvalid,
                "budget.password_env/budget.password_file: at most one may be set, both are");
  }
  if (budget.password_env && !is_env_name(*budget.password_env)) {
    return fail(ErrorCode::ConfigInvalid,
                fmt::format("budget.password_env: must be an environment variable name "
                            "([A-Za-z_][A-Za-z0-9_]*), got {:?}",
                            *budget.password_env));
  }
  if (budget.password_file && budget.password_file->empty()) {
    return fail(ErrorCode::ConfigInvalid, "budget.password_file: must not be empty when set");
  }
  return {};
}

// Keys are named in a durable store by an HMAC under the identity key; without one, a random
// per-process key would silently give every process a budget of its own.
Result<void> check_identity_key(const BudgetConfig& budget) {
  if (budget.identity_key_file.has_value() == budget.identity_key_label.has_value()) {
    return fail(ErrorCode::ConfigInvalid,
                fmt::format("budget.identity_key_file/budget.identity_key_label: exactly one "
                            "must be set for a durable store, {}",
                            budget.identity_key_file ? "both are" : "none is"));
  }
  if (budget.identity_key_file && budget.identity_key_file->empty()) {
    return fail(ErrorCode::ConfigInvalid, "budget.identity_key_file: must not be empty when set");
  }
  if (budget.identity_key_label && (budget.identity_key_label->empty() ||
                                    budget.identity_key_label->size() > kKeyLabelMaxBytes)) {
    return fail(ErrorCode::ConfigInvalid,
                fmt::format("budget.identity_key_label: must be 1..{} bytes, got {}",
                            kKeyLabelMaxBytes, budget.identity_key_label->size()));
  }
  return {};
}

}  // namespace

Result<void> check_budget(const BudgetConfig& budget) {
  CRATON_RETURN_IF_ERROR(check_unused(budget));
  if (budget.store == BudgetStoreKind::Sqlite && (!budget.path || budget.path->empty())) {
    return fail(ErrorCode::ConfigInvalid,
                "budget.path: required when budget.store = \"sqlite\" (the store's file, "
                "created 0600)");
  }
  if (budget.store == BudgetStoreKind::Postgresql) CRATON_RETURN_IF_ERROR(check_postgresql(budget));
  if (budget.store != BudgetStoreKind::Memory) CRATON_RETURN_IF_ERROR(check_identity_key(budget));
  CRATON_RETURN_IF_ERROR(check_range("budget.block_min", budget.block_min, kBudgetBlockRange));
  CRATON_RETURN_IF_ERROR(check_range("budget.block_max", budget.block_max, kBudgetBlockRange));
  if (budget.block_min > budget.block_max) {
    return fail(ErrorCode::ConfigInvalid,
                fmt::format("budget.block_min: must not exceed budget.block_max ({}), got {}",
                            budget.block_max, budget.block_min));
  }
  CRATON_RETURN_IF_ERROR(
      check_range("budget.timeout_ms", std::uint64_t{budget.timeout_ms}, kBudgetTimeoutMsRange));
  return {};
}

}  // namespace craton::hsm::config
