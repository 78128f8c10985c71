// SPDX-License-Identifier: Apache-2.0
// Opens the durable budget store a [budget] table names.
#pragma once

#include <craton/hsm/budget.h>
#include <craton/hsm/error.h>

#include <memory>

#include "budget/budget_store.h"

namespace craton::hsm::budget {

// The store of config.store: sqlite (creates the file and its table when missing) or postgresql
// (connects, creates the table when missing). The store is ready to reserve when this returns.
// Errors: InvalidArgument for BudgetStoreKind::Memory (nothing to open: counts stay in the
// process); ConfigInvalid for a missing path/url, a password in the url, a password file that
// is group/world readable, a store file with group/world permissions; BudgetStoreUnavailable
// for a store that cannot be opened, read or written (corrupt or read-only file, server down,
// timeout).
[[nodiscard]] Result<std::unique_ptr<BudgetStore>> open_budget_store(const BudgetConfig& config);

}  // namespace craton::hsm::budget
