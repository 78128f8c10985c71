// SPDX-License-Identifier: Apache-2.0
// open_budget_store: the [budget] table's store, by kind.
#include "budget/open_store.h"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "budget/postgres_store.h"
#include "budget/sqlite_store.h"

namespace craton::hsm::budget {

Result<std::unique_ptr<BudgetStore>> open_budget_store(const BudgetConfig& config) {
  const std::chrono::milliseconds timeout(std::max<std::uint32_t>(1, config.timeout_ms));
  switch (config.store) {
    case BudgetStoreKind::Memory:
      return fail(ErrorCode::InvalidArgument,
                  "budget.store = \"memory\": counts live in the process; there is no durable "
                  "store to open");
    case BudgetStoreKind::Sqlite:
      if (!config.path || config.path->empty()) {
        return fail(ErrorCode::ConfigInvalid,
                    "budget.path: required when budget.store = \"sqlite\" (the store's file)");
      }
      return open_sqlite_store(*config.path, timeout);
    case BudgetStoreKind::Postgresql:
      if (!config.url || config.url->empty()) {
        return fail(ErrorCode::ConfigInvalid,
                    "budget.url: required when budget.store = \"postgresql\" (a libpq "
                    "connection string)");
      }
      return open_postgres_store(config, timeout);
  }
  return fail(ErrorCode::InvalidArgument,
              fmt::format("budget.store: unknown kind {}", static_cast<int>(config.store)));
}

}  // namespace craton::hsm::budget
