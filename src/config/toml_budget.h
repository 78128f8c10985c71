// SPDX-License-Identifier: Apache-2.0
// The [budget] table of the configuration TOML into a BudgetConfig.
#pragma once

#include <craton/hsm/budget.h>
#include <craton/hsm/error.h>

#include <filesystem>

#include <toml++/toml.h>

namespace craton::hsm::config {

// Reads root["budget"] when present (absent: the defaults, store "memory"). Unknown keys,
// wrong types, an unknown store name and out-of-range integers are ConfigInvalid
// "budget.<key>: ...". Relative `path`, `password_file` and `identity_key_file` resolve
// against `base_dir`. The cross-field rules are validate()'s (check_budget).
[[nodiscard]] Result<BudgetConfig> parse_budget_table(const toml::table& root,
                                                      const std::filesystem::path& base_dir);

}  // namespace craton::hsm::config
