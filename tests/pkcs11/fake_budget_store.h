// SPDX-License-Identifier: Apache-2.0
// A BudgetStore in memory for the counter's own tests: the store's contract (reserve adds
// min(block, limit - used), refuses at the limit or when retired) with a switch that makes it
// unreachable and a count of the calls that reached it. The real stores are tested against
// real SQLite files and a real PostgreSQL server (tests/budget).
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "budget/budget_store.h"

namespace craton::hsm::testing {

class FakeBudgetStore final : public budget::BudgetStore {
 public:
  // What every FakeBudgetStore made with the same name shares: as processes share a file.
  struct Rows {
    std::mutex mutex;
    std::map<std::array<std::uint8_t, 32>, budget::BudgetRecord> rows;
    std::atomic<bool> down{false};
    std::atomic<std::uint64_t> reserve_calls{0};
  };

  FakeBudgetStore(std::string name, std::shared_ptr<Rows> rows)
      : name_(std::move(name)), rows_(std::move(rows)) {}

  Result<budget::Reservation> reserve(const budget::KeyIdentity& key, std::uint64_t block,
                                      std::uint64_t limit) override {
    rows_->reserve_calls.fetch_add(1);
    if (rows_->down.load()) return fail(ErrorCode::BudgetStoreUnavailable, "fake store down");
    const std::lock_guard lock(rows_->mutex);
    budget::BudgetRecord& row = rows_->rows[key.bytes];
    row.key = key;
    row.limit = limit;
    if (row.retired || row.used >= limit) {
      return fail(ErrorCode::KeyUsageLimitExceeded, "fake store: budget spent");
    }
    const budget::Reservation reservation{.first = row.used,
                                          .count = std::min(block, limit - row.used)};
    row.used += reservation.count;
    return reservation;
  }
  Result<std::vector<budget::BudgetRecord>> list() override {
    if (rows_->down.load()) return fail(ErrorCode::BudgetStoreUnavailable, "fake store down");
    const std::lock_guard lock(rows_->mutex);
    std::vector<budget::BudgetRecord> out;
    for (const auto& [bytes, row] : rows_->rows) out.push_back(row);
    return out;
  }
  Result<budget::BudgetRecord> show(const budget::KeyIdentity& key) override {
    if (rows_->down.load()) return fail(ErrorCode::BudgetStoreUnavailable, "fake store down");
    const std::lock_guard lock(rows_->mutex);
    const auto found = rows_->rows.find(key.bytes);
    if (found == rows_->rows.end()) return fail(ErrorCode::KeyNotFound, "no row");
    return found->second;
  }
  Result<void> retire(const budget::KeyIdentity& key) override {
    if (rows_->down.load()) return fail(ErrorCode::BudgetStoreUnavailable, "fake store down");
    const std::lock_guard lock(rows_->mutex);
    budget::BudgetRecord& row = rows_->rows[key.bytes];
    row.key = key;
    row.retired = true;
    return {};
  }
  [[nodiscard]] std::string describe() const override { return "fake:" + name_; }

 private:
  std::string name_;
  std::shared_ptr<Rows> rows_;
};

}  // namespace craton::hsm::testing
