// SPDX-License-Identifier: Apache-2.0
// A store for one test to open: a fresh SQLite file, or the binary's PostgreSQL server.
#pragma once

#include <craton/hsm/budget.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "support/softhsm_token.h"

namespace craton::hsm::testing {

class StoreTarget {
 public:
  // nullopt when the kind cannot be tested here (skip_reason says why).
  [[nodiscard]] static std::optional<StoreTarget> make(BudgetStoreKind kind);
  [[nodiscard]] static std::string skip_reason(BudgetStoreKind kind);

  // What open_budget_store needs to open this store.
  [[nodiscard]] BudgetConfig config() const;
  // "sqlite" or "postgresql", the worker's first argument; then its second (path or url) and
  // its optional password file.
  [[nodiscard]] std::string kind_name() const;
  [[nodiscard]] std::string location() const;
  [[nodiscard]] std::optional<std::string> password_file() const;

 private:
  BudgetStoreKind kind_ = BudgetStoreKind::Sqlite;
  std::shared_ptr<TempDir> dir_;  // the SQLite file, or the PostgreSQL password file
  std::string url_;               // PostgreSQL: the server's connection string
};

}  // namespace craton::hsm::testing
