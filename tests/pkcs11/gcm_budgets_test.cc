// SPDX-License-Identifier: Apache-2.0
// GcmBudgets: exact under contention, and exact while two counts are joined into one.
#include "pkcs11/cache/gcm_budgets.h"

#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/rand.h>

namespace craton::hsm::pkcs11 {
namespace {

Fingerprint random_fingerprint() {
  Fingerprint fingerprint;
  EXPECT_EQ(RAND_bytes(fingerprint.bytes.data(), static_cast<int>(fingerprint.bytes.size())), 1);
  return fingerprint;
}

TEST(GcmBudgetsTest, OneKeyHasOneCounterForTheWholeProcess) {
  const Fingerprint key = random_fingerprint();
  GcmBudgets::Counter& counter = GcmBudgets::process().counter(key);
  EXPECT_EQ(&GcmBudgets::process().counter(key), &counter);
  EXPECT_TRUE(GcmBudgets::reserve(counter, 2));
  EXPECT_TRUE(GcmBudgets::reserve(GcmBudgets::process().counter(key), 2));
  EXPECT_FALSE(GcmBudgets::reserve(counter, 2));
  EXPECT_EQ(GcmBudgets::used(counter), 2u);
}

TEST(GcmBudgetsTest, SharingAddsUpWhatBothCounted) {
  const Fingerprint material = random_fingerprint();
  const Fingerprint resident = random_fingerprint();
  auto& budgets = GcmBudgets::process();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(GcmBudgets::reserve(budgets.counter(material), 100));
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(GcmBudgets::reserve(budgets.counter(resident), 100));
  budgets.share(resident, material);
  EXPECT_EQ(GcmBudgets::used(budgets.counter(material)), 5u);
  EXPECT_EQ(GcmBudgets::used(budgets.counter(resident)), 5u);
  ASSERT_TRUE(GcmBudgets::reserve(budgets.counter(resident), 6));
  EXPECT_FALSE(GcmBudgets::reserve(budgets.counter(material), 6));
  budgets.share(material, resident);  // already one: nothing changes
  EXPECT_EQ(GcmBudgets::used(budgets.counter(material)), 6u);
}

// Threads reserve through both counters while they are joined: the total never passes the
// limit and every success is counted once.
TEST(GcmBudgetsTest, NoMessagePassesTheLimitWhileCountsAreJoined) {
  constexpr std::uint64_t kLimit = 5000;
  for (int round = 0; round < 20; ++round) {
    const Fingerprint first = random_fingerprint();
    const Fingerprint second = random_fingerprint();
    auto& budgets = GcmBudgets::process();
    std::atomic<std::uint64_t> successes{0};
    std::atomic<bool> go{false};
    {
      std::vector<std::jthread> threads;
      for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
          GcmBudgets::Counter& counter = budgets.counter(t % 2 == 0 ? first : second);
          while (!go.load()) std::this_thread::yield();
          for (int i = 0; i < 2000; ++i) {
            if (GcmBudgets::reserve(counter, kLimit)) ++successes;
          }
        });
      }
      go = true;
      budgets.share(first, second);
    }
    // Before the join each counter allowed up to kLimit on its own, so at most 2 * kLimit;
    // after it, one count: whatever passed, it is all counted, and the joined count is exact.
    const std::uint64_t used = GcmBudgets::used(budgets.counter(first));
    EXPECT_EQ(used, successes.load()) << "round " << round;
    EXPECT_EQ(used, GcmBudgets::used(budgets.counter(second)));
    EXPECT_FALSE(GcmBudgets::reserve(budgets.counter(first), used));
  }
}

}  // namespace
}  // namespace craton::hsm::pkcs11
