// SPDX-License-Identifier: Apache-2.0
// DurableBudgets: exact under contention within a process, blocks that grow with the rate,
// fail-closed and single round trip when the store is down, a latched spent budget, joined
// histories, and one instance per store.
#include "pkcs11/cache/durable_budgets.h"

#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/rand.h>

#include "pkcs11/forwarding_budget_store.h"
#include "support/matchers.h"

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::ForwardingBudgetStore;
using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;

budget::KeyIdentity random_identity() {
  budget::KeyIdentity key;
  EXPECT_EQ(RAND_bytes(key.bytes.data(), static_cast<int>(key.bytes.size())), 1);
  return key;
}

// DurableBudgets over a real SQLite store, through the forwarding store's switch and count.
struct Fixture {
  std::shared_ptr<ForwardingBudgetStore::Files> files =
      std::make_shared<ForwardingBudgetStore::Files>();
  ForwardingBudgetStore view;  // a second connection to the same file, to read what is stored
  std::shared_ptr<DurableBudgets> budgets;

  Fixture(const std::string& name, BlockSizing sizing) : view(name, files) {
    budgets = std::make_shared<DurableBudgets>(std::make_unique<ForwardingBudgetStore>(name, files),
                                               sizing);
  }
  std::uint64_t stored(const budget::KeyIdentity& key) { return view.stored(key); }
};

TEST(DurableBudgetsTest, EightThreadsGetExactlyTheLimitAndTheStoreAgrees) {
  constexpr std::uint64_t kLimit = 5000;
  Fixture fixture("exact", {.min = 4, .max = 64});
  const budget::KeyIdentity key = random_identity();
  DurableBudgets::Counter& counter = fixture.budgets->counter(key);
  std::atomic<std::uint64_t> successes{0};
  std::vector<std::jthread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      while (fixture.budgets->charge(counter, kLimit)) successes.fetch_add(1);
    });
  }
  threads.clear();
  // No crash: every reserved count was spent, none twice.
  EXPECT_EQ(successes.load(), kLimit);
  EXPECT_EQ(fixture.stored(key), kLimit);
  EXPECT_EQ(DurableBudgets::used(counter), kLimit);
  EXPECT_TRUE(DurableBudgets::exhausted(counter));
}

TEST(DurableBudgetsTest, BlocksGrowWithTheRateSoReservationsStayRare) {
  Fixture fixture("grow", {.min = 16, .max = 1024});
  DurableBudgets::Counter& counter = fixture.budgets->counter(random_identity());
  for (int i = 0; i < 100000; ++i) ASSERT_THAT(fixture.budgets->charge(counter, 1 << 30), IsOk());
  // 16, 32, ..., 1024 (7 blocks, 2032 counts), then blocks of 1024.
  const std::uint64_t expected = 7 + (100000 - 2032 + 1023) / 1024;
  EXPECT_EQ(fixture.budgets->reservations(), expected);
  EXPECT_EQ(fixture.files->reserve_calls.load(), expected);
}

TEST(DurableBudgetsTest, AStoreDownFailsClosedOnlyOnceTheBlockIsSpentAndRecovers) {
  Fixture fixture("down", {.min = 8, .max = 8});
  const budget::KeyIdentity key = random_identity();
  DurableBudgets::Counter& counter = fixture.budgets->counter(key);
  ASSERT_THAT(fixture.budgets->charge(counter, 100), IsOk());  // reserves 8, spends 1
  fixture.files->down = true;
  for (int i = 0; i < 7; ++i) ASSERT_THAT(fixture.budgets->charge(counter, 100), IsOk()) << i;
  EXPECT_THAT(fixture.budgets->charge(counter, 100),
              HasErrorCode(ErrorCode::BudgetStoreUnavailable));
  EXPECT_FALSE(DurableBudgets::exhausted(counter));
  fixture.files->down = false;
  EXPECT_THAT(fixture.budgets->charge(counter, 100), IsOk());
  EXPECT_EQ(fixture.stored(key), 16u);
}

TEST(DurableBudgetsTest, ThreadsWaitingBehindAFailedReservationDoNotEachRetryTheStore) {
  Fixture fixture("waiters", {.min = 1, .max = 1});
  DurableBudgets::Counter& counter = fixture.budgets->counter(random_identity());
  fixture.files->down = true;
  std::atomic<int> failures{0};
  std::vector<std::jthread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      if (!fixture.budgets->charge(counter, 100)) failures.fetch_add(1);
    });
  }
  threads.clear();
  EXPECT_EQ(failures.load(), 8);
  // Every thread fails; those that queued behind a failing call reuse its answer.
  EXPECT_LE(fixture.files->reserve_calls.load(), 8u);
  EXPECT_GE(fixture.files->reserve_calls.load(), 1u);
}

TEST(DurableBudgetsTest, ASpentBudgetIsLatchedWithoutAnotherRoundTrip) {
  Fixture fixture("spent", {.min = 4, .max = 4});
  DurableBudgets::Counter& counter = fixture.budgets->counter(random_identity());
  for (int i = 0; i < 6; ++i) ASSERT_THAT(fixture.budgets->charge(counter, 6), IsOk());
  EXPECT_THAT(fixture.budgets->charge(counter, 6), HasErrorCode(ErrorCode::KeyUsageLimitExceeded));
  const std::uint64_t calls = fixture.files->reserve_calls.load();
  EXPECT_THAT(fixture.budgets->charge(counter, 6), HasErrorCode(ErrorCode::KeyUsageLimitExceeded));
  EXPECT_EQ(fixture.files->reserve_calls.load(), calls);
}

TEST(DurableBudgetsTest, ARetiredKeyIsRefusedOnItsNextReservation) {
  Fixture fixture("retired", {.min = 2, .max = 2});
  const budget::KeyIdentity key = random_identity();
  DurableBudgets::Counter& counter = fixture.budgets->counter(key);
  ASSERT_THAT(fixture.budgets->charge(counter, 100), IsOk());
  ASSERT_THAT(fixture.view.retire(key), IsOk());
  EXPECT_THAT(fixture.budgets->charge(counter, 100), IsOk());  // the block's second count
  EXPECT_THAT(fixture.budgets->charge(counter, 100),
              HasErrorCode(ErrorCode::KeyUsageLimitExceeded));
}

TEST(DurableBudgetsTest, AJoinedKeyCarriesItsHistoryIntoTheCopysRow) {
  Fixture fixture("share", {.min = 4, .max = 4});
  const budget::KeyIdentity material = random_identity();
  const budget::KeyIdentity copy = random_identity();
  DurableBudgets::Counter& from = fixture.budgets->counter(material);
  DurableBudgets::Counter& into = fixture.budgets->counter(copy);
  for (int i = 0; i < 5; ++i) ASSERT_THAT(fixture.budgets->charge(from, 100), IsOk());
  ASSERT_EQ(fixture.stored(material), 8u);  // two blocks, three counts unspent
  fixture.budgets->share(from, into);
  fixture.budgets->share(from, into);  // idempotent
  // The three unspent counts moved over; then the copy's row takes the material's 8.
  for (int i = 0; i < 4; ++i) ASSERT_THAT(fixture.budgets->charge(from, 100), IsOk());
  EXPECT_EQ(fixture.stored(material), 8u);
  EXPECT_EQ(fixture.stored(copy), 8u + 4u);
  EXPECT_EQ(DurableBudgets::used(from), DurableBudgets::used(into));
  // Near the limit the history is what stops it: 8 carried + 4 reserved of 13.
  Fixture near("share-near", {.min = 4, .max = 4});
  DurableBudgets::Counter& a = near.budgets->counter(material);
  DurableBudgets::Counter& b = near.budgets->counter(copy);
  for (int i = 0; i < 8; ++i) ASSERT_THAT(near.budgets->charge(a, 13), IsOk());
  near.budgets->share(a, b);
  int more = 0;
  while (near.budgets->charge(b, 13)) ++more;
  EXPECT_EQ(more, 5);  // the 13 - 8 the copy's row has left
}

TEST(DurableBudgetsTest, OneInstancePerStoreAndDifferentStoresNeverMix) {
  auto files = std::make_shared<ForwardingBudgetStore::Files>();
  auto first = DurableBudgets::for_store(std::make_unique<ForwardingBudgetStore>("one", files), {});
  auto again = DurableBudgets::for_store(std::make_unique<ForwardingBudgetStore>("one", files), {});
  auto other = DurableBudgets::for_store(std::make_unique<ForwardingBudgetStore>("two", files), {});
  EXPECT_EQ(first.get(), again.get());
  EXPECT_NE(first.get(), other.get());
  const budget::KeyIdentity key = random_identity();
  EXPECT_EQ(&first->counter(key), &again->counter(key));
  EXPECT_NE(&first->counter(key), &other->counter(key));
  EXPECT_EQ(first->describe(), "sqlite:" + (files->dir.path() / "one.db").string());
}

}  // namespace
}  // namespace craton::hsm::pkcs11
