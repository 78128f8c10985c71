// SPDX-License-Identifier: Apache-2.0
// The BudgetStore contract, the same tests on each store: an SQLite file, and the PostgreSQL
// server of tests/support/postgres_server.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "budget/budget_test_util.h"
#include "budget/open_store.h"
#include "budget/store_targets.h"
#include "support/matchers.h"
#include "support/postgres_server.h"

namespace craton::hsm::budget {
namespace {

using testing::HasErrorCode;
using ::testing::HasSubstr;
using testing::IsOk;
using ::testing::Not;

class StoreContractTest : public ::testing::TestWithParam<BudgetStoreKind> {
 protected:
  void SetUp() override {
    target_ = testing::StoreTarget::make(GetParam());
    if (!target_) GTEST_SKIP() << testing::StoreTarget::skip_reason(GetParam());
    auto store = open_budget_store(target_->config());
    ASSERT_THAT(store, IsOk());
    store_ = std::move(*store);
  }

  // Keys no other test of this binary uses: the PostgreSQL table is shared by the tests.
  static KeyIdentity fresh_key() {
    static std::atomic<int> next{1};
    KeyIdentity key = testing::test_key(0x5a);
    const int n = next.fetch_add(1);
    key.bytes[0] = static_cast<std::uint8_t>(n);
    key.bytes[1] = static_cast<std::uint8_t>(n >> 8);
    key.bytes[2] = static_cast<std::uint8_t>(GetParam() == BudgetStoreKind::Sqlite ? 1 : 2);
    return key;
  }

  std::optional<testing::StoreTarget> target_;
  std::unique_ptr<BudgetStore> store_;
};

TEST_P(StoreContractTest, ReserveHandsOutConsecutiveBlocksFromZero) {
  const KeyIdentity key = fresh_key();
  auto first = store_->reserve(key, 10, 1000);
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(first->first, 0u);
  EXPECT_EQ(first->count, 10u);
  auto second = store_->reserve(key, 7, 1000);
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ(second->first, 10u);
  EXPECT_EQ(second->count, 7u);
  auto record = store_->show(key);
  ASSERT_THAT(record, IsOk());
  EXPECT_EQ(record->used, 17u);
  EXPECT_EQ(record->limit, 1000u);
  EXPECT_FALSE(record->retired);
}

TEST_P(StoreContractTest, AtTheLimitGrantsThePartialRestThenRefuses) {
  const KeyIdentity key = fresh_key();
  ASSERT_THAT(store_->reserve(key, 10, 25), IsOk());
  ASSERT_THAT(store_->reserve(key, 10, 25), IsOk());
  auto rest = store_->reserve(key, 10, 25);
  ASSERT_THAT(rest, IsOk());
  EXPECT_EQ(rest->first, 20u);
  EXPECT_EQ(rest->count, 5u);
  auto refused = store_->reserve(key, 1, 25);
  ASSERT_THAT(refused, HasErrorCode(ErrorCode::KeyUsageLimitExceeded));
  EXPECT_THAT(refused.error().message(), HasSubstr("25 of 25"));
  // Nothing was added by the refusal.
  EXPECT_EQ(store_->show(key)->used, 25u);
  // A block larger than the whole limit gets the limit.
  const KeyIdentity small = fresh_key();
  auto whole = store_->reserve(small, 1000, 3);
  ASSERT_THAT(whole, IsOk());
  EXPECT_EQ(whole->count, 3u);
}

TEST_P(StoreContractTest, ALowerLimitThanTheCountRefusesWithoutChangingIt) {
  const KeyIdentity key = fresh_key();
  ASSERT_THAT(store_->reserve(key, 50, 100), IsOk());
  EXPECT_THAT(store_->reserve(key, 1, 40), HasErrorCode(ErrorCode::KeyUsageLimitExceeded));
  EXPECT_EQ(store_->show(key)->used, 50u);
}

TEST_P(StoreContractTest, KeysCountSeparately) {
  const KeyIdentity a = fresh_key();
  const KeyIdentity b = fresh_key();
  ASSERT_THAT(store_->reserve(a, 30, 30), IsOk());
  EXPECT_THAT(store_->reserve(a, 1, 30), HasErrorCode(ErrorCode::KeyUsageLimitExceeded));
  auto other = store_->reserve(b, 30, 30);
  ASSERT_THAT(other, IsOk());
  EXPECT_EQ(other->first, 0u);
}

TEST_P(StoreContractTest, BadArgumentsAreRefusedBeforeTheStore) {
  const KeyIdentity key = fresh_key();
  EXPECT_THAT(store_->reserve(key, 0, 10), HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_THAT(store_->reserve(key, 1, std::uint64_t{1} << 63),
              HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_THAT(store_->reserve(key, 1, 0), HasErrorCode(ErrorCode::KeyUsageLimitExceeded));
  EXPECT_THAT(store_->show(key), HasErrorCode(ErrorCode::KeyNotFound));
}

TEST_P(StoreContractTest, RetireStopsAKeyForGood) {
  const KeyIdentity key = fresh_key();
  ASSERT_THAT(store_->reserve(key, 5, 100), IsOk());
  ASSERT_THAT(store_->retire(key), IsOk());
  ASSERT_THAT(store_->retire(key), IsOk());  // idempotent
  auto refused = store_->reserve(key, 1, 100);
  ASSERT_THAT(refused, HasErrorCode(ErrorCode::KeyUsageLimitExceeded));
  EXPECT_THAT(refused.error().message(), HasSubstr("retired"));
  auto record = store_->show(key);
  ASSERT_THAT(record, IsOk());
  EXPECT_TRUE(record->retired);
  EXPECT_EQ(record->used, 5u);
  // Retiring a key the store has never seen leaves a retired row: it can never start.
  const KeyIdentity unseen = fresh_key();
  ASSERT_THAT(store_->retire(unseen), IsOk());
  EXPECT_TRUE(store_->show(unseen)->retired);
  EXPECT_THAT(store_->reserve(unseen, 1, 100), HasErrorCode(ErrorCode::KeyUsageLimitExceeded));
}

TEST_P(StoreContractTest, ListAndShowReportEveryRow) {
  const KeyIdentity a = fresh_key();
  const KeyIdentity b = fresh_key();
  ASSERT_THAT(store_->reserve(b, 3, 10), IsOk());
  ASSERT_THAT(store_->reserve(a, 4, 20), IsOk());
  const auto before = std::time(nullptr);
  auto rows = store_->list();
  ASSERT_THAT(rows, IsOk());
  std::map<std::string, BudgetRecord> by_key;
  std::string previous;
  for (const BudgetRecord& row : *rows) {
    EXPECT_LT(previous, row.key.hex()) << "list() is ordered by identity";
    previous = row.key.hex();
    by_key[row.key.hex()] = row;
  }
  ASSERT_EQ(by_key.count(a.hex()), 1u);
  ASSERT_EQ(by_key.count(b.hex()), 1u);
  EXPECT_EQ(by_key[a.hex()].used, 4u);
  EXPECT_EQ(by_key[a.hex()].limit, 20u);
  EXPECT_EQ(by_key[b.hex()].used, 3u);
  EXPECT_NEAR(static_cast<double>(by_key[a.hex()].last_reserved_unix), static_cast<double>(before),
              5.0);
  EXPECT_FALSE(by_key[a.hex()].last_host.empty());
  auto shown = store_->show(a);
  ASSERT_THAT(shown, IsOk());
  EXPECT_EQ(shown->key, a);
  EXPECT_EQ(shown->used, 4u);
  EXPECT_THAT(store_->show(fresh_key()), HasErrorCode(ErrorCode::KeyNotFound));
}

TEST_P(StoreContractTest, CountsSurviveReopeningTheStore) {
  const KeyIdentity key = fresh_key();
  ASSERT_THAT(store_->reserve(key, 40, 100), IsOk());
  store_.reset();
  auto reopened = open_budget_store(target_->config());
  ASSERT_THAT(reopened, IsOk());
  auto next = (*reopened)->reserve(key, 40, 100);
  ASSERT_THAT(next, IsOk());
  EXPECT_EQ(next->first, 40u);
}

TEST_P(StoreContractTest, ThreadsOfOneProcessShareTheLimitExactly) {
  const KeyIdentity key = fresh_key();
  constexpr std::uint64_t kLimit = 3000;
  std::mutex mutex;
  std::vector<testing::Grant> grants;
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (std::uint64_t block = 1 + t;; block = block % 37 + 1) {
        auto granted = store_->reserve(key, block, kLimit);
        if (!granted) {
          if (granted.error().code() != ErrorCode::KeyUsageLimitExceeded) ++errors;
          return;
        }
        const std::lock_guard lock(mutex);
        grants.push_back({granted->first, granted->count});
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(errors.load(), 0);
  const testing::GrantSummary summary = testing::summarise(grants, kLimit);
  EXPECT_TRUE(summary.disjoint);
  EXPECT_TRUE(summary.below_limit);
  EXPECT_EQ(summary.total, kLimit);
  EXPECT_EQ(store_->show(key)->used, kLimit);
}

TEST_P(StoreContractTest, DescribeNamesTheStoreAndNeverAPassword) {
  const std::string text = store_->describe();
  EXPECT_THAT(text, HasSubstr(std::string(budget_store_name(GetParam()))));
  EXPECT_THAT(text, Not(HasSubstr(testing::PostgresServer::password())));
  EXPECT_THAT(text, Not(HasSubstr("password")));
}

INSTANTIATE_TEST_SUITE_P(Stores, StoreContractTest,
                         ::testing::Values(BudgetStoreKind::Sqlite, BudgetStoreKind::Postgresql),
                         [](const auto& info) {
                           return std::string(budget_store_name(info.param));
                         });

}  // namespace
}  // namespace craton::hsm::budget
