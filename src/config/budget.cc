// SPDX-License-Identifier: Apache-2.0
// The names of the budget stores, as the [budget] table spells them.
#include <craton/hsm/budget.h>

namespace craton::hsm {

std::string_view budget_store_name(BudgetStoreKind kind) noexcept {
  switch (kind) {
    case BudgetStoreKind::Memory:
      return "memory";
    case BudgetStoreKind::Sqlite:
      return "sqlite";
    case BudgetStoreKind::Postgresql:
      return "postgresql";
  }
  return "unknown";
}

}  // namespace craton::hsm
