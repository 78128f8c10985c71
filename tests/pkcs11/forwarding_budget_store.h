// SPDX-License-Identifier: Apache-2.0
// ForwardingBudgetStore: the budget store's fault shim. It forwards every call to a real SQLite
// store (a file in a temporary directory, one per name), counts the reservations that reach
// it, and answers BudgetStoreUnavailable while switched down, as an unreachable store would.
// Several instances over one Files stand for several processes sharing a store file.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "budget/budget_store.h"
#include "budget/open_store.h"
#include "support/softhsm_token.h"

namespace craton::hsm::testing {

class ForwardingBudgetStore final : public budget::BudgetStore {
 public:
  // What the instances made over one Files share: the store files, the switch, the count.
  struct Files {
    TempDir dir;
    std::atomic<bool> down{false};
    std::atomic<std::uint64_t> reserve_calls{0};
  };

  ForwardingBudgetStore(const std::string& name, std::shared_ptr<Files> files)
      : files_(std::move(files)) {
    BudgetConfig config;
    config.store = BudgetStoreKind::Sqlite;
    config.path = files_->dir.path() / (name + ".db");
    auto opened = budget::open_budget_store(config);
    EXPECT_TRUE(opened.has_value()) << opened.error();
    if (opened) real_ = std::move(*opened);
  }

  Result<budget::Reservation> reserve(const budget::KeyIdentity& key, std::uint64_t block,
                                      std::uint64_t limit) override {
    files_->reserve_calls.fetch_add(1);
    CRATON_RETURN_IF_ERROR(reachable());
    return real_->reserve(key, block, limit);
  }
  Result<std::vector<budget::BudgetRecord>> list() override {
    CRATON_RETURN_IF_ERROR(reachable());
    return real_->list();
  }
  Result<budget::BudgetRecord> show(const budget::KeyIdentity& key) override {
    CRATON_RETURN_IF_ERROR(reachable());
    return real_->show(key);
  }
  Result<void> retire(const budget::KeyIdentity& key) override {
    CRATON_RETURN_IF_ERROR(reachable());
    return real_->retire(key);
  }
  [[nodiscard]] std::string describe() const override { return real_->describe(); }

  // The key's durable count (0 for a key the store has never seen).
  std::uint64_t stored(const budget::KeyIdentity& key) {
    auto row = real_->show(key);
    return row ? row->used : 0;
  }
  // Every key's durable count, added up.
  std::uint64_t total_stored() {
    std::uint64_t sum = 0;
    auto rows = real_->list();
    EXPECT_TRUE(rows.has_value()) << rows.error();
    if (rows) {
      for (const budget::BudgetRecord& row : *rows) sum += row.used;
    }
    return sum;
  }

 private:
  Result<void> reachable() const {
    if (files_->down.load()) {
      return fail(ErrorCode::BudgetStoreUnavailable, "store switched down by the test");
    }
    return {};
  }

  std::shared_ptr<Files> files_;
  std::unique_ptr<budget::BudgetStore> real_;
};

}  // namespace craton::hsm::testing
