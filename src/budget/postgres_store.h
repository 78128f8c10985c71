// SPDX-License-Identifier: Apache-2.0
// The budget store of a fleet: one PostgreSQL table shared by every host (docs/budget-stores.md).
#pragma once

#include <craton/hsm/budget.h>
#include <craton/hsm/error.h>

#include <chrono>
#include <memory>

#include "budget/budget_store.h"

namespace craton::hsm::budget {

// Connects with config.url plus the password from password_env or password_file, creates the
// table when missing, and returns the store. Errors: ConfigInvalid for a password in the url,
// a missing password variable or a password file with group/other permissions;
// BudgetStoreUnavailable when the server cannot be reached in `timeout`.
[[nodiscard]] Result<std::unique_ptr<BudgetStore>> open_postgres_store(
    const BudgetConfig& config, std::chrono::milliseconds timeout);

}  // namespace craton::hsm::budget
