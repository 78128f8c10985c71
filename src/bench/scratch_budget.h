// SPDX-License-Identifier: Apache-2.0
// ScratchBudget: a throwaway directory holding a budget identity key and an SQLite budget
// store, so the benchmark can measure AES-GCM with a durable budget (docs/budgets.md) without
// touching any configured store. Removed with the object.
#pragma once

#include <craton/hsm/budget.h>
#include <craton/hsm/error.h>

#include <filesystem>
#include <memory>
#include <string>

namespace craton::hsm::bench {

class ScratchBudget {
 public:
  // Errors: BudgetStoreUnavailable when the directory or the key cannot be made.
  static Result<std::unique_ptr<ScratchBudget>> create();
  ScratchBudget(const ScratchBudget&) = delete;
  ScratchBudget& operator=(const ScratchBudget&) = delete;
  ~ScratchBudget();

  // The [budget] table for the scratch SQLite file.
  [[nodiscard]] BudgetConfig sqlite() const;
  // The [budget] table for a PostgreSQL server (`url`: a libpq connection string without a
  // password; libpq's PGPASSWORD / .pgpass supply one). The identity key is the scratch one:
  // every run names its fresh keys in rows of their own.
  [[nodiscard]] BudgetConfig postgresql(const std::string& url) const;

 private:
  explicit ScratchBudget(std::filesystem::path directory);
  [[nodiscard]] BudgetConfig common() const;

  std::filesystem::path directory_;
};

}  // namespace craton::hsm::bench
