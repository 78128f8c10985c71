// SPDX-License-Identifier: Apache-2.0
// Exactness at the store: PROCESSES worker processes x THREADS threads reserve random blocks
// of one key against a small limit. Every count is handed out at most once and never past the
// limit; without kills the grants add up to the limit exactly; with SIGKILLs of random workers
// mid-run (and a fresh worker started in each one's place), the store's durable count never
// exceeds the limit, and what the killed workers held unspent (at most a block per thread) is
// all that is lost.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <thread>

#include <fmt/format.h>
#include <signal.h>

#include "budget/budget_test_util.h"
#include "budget/open_store.h"
#include "budget/store_targets.h"
#include "support/matchers.h"

namespace craton::hsm::budget {
namespace {

namespace fs = std::filesystem;
using testing::IsOk;

constexpr std::uint64_t kLimit = 10'000;
constexpr int kProcesses = 4;
constexpr int kThreads = 4;
constexpr std::uint64_t kBlockMax = 32;

struct RunPlan {
  int kills = 0;
  std::uint64_t spend_us = 0;  // per count: how long a worker takes to use what it reserved
};

class ExactnessTest : public ::testing::TestWithParam<BudgetStoreKind> {
 protected:
  void SetUp() override {
    target_ = testing::StoreTarget::make(GetParam());
    if (!target_) GTEST_SKIP() << testing::StoreTarget::skip_reason(GetParam());
  }

  void run_workers(const RunPlan& plan, std::uint8_t key_fill) {
    const KeyIdentity key = testing::test_key(key_fill);
    auto monitor = open_budget_store(target_->config());
    ASSERT_THAT(monitor, IsOk());
    testing::TempDir out_dir;
    std::vector<fs::path> outputs;
    const auto start_worker = [&] {
      outputs.push_back(out_dir.path() / fmt::format("grants-{}.txt", outputs.size()));
      std::vector<std::string> args{
          target_->kind_name(),          target_->location(),       key.hex(),
          std::to_string(kLimit),        std::to_string(kBlockMax), std::to_string(kThreads),
          std::to_string(plan.spend_us), outputs.back().string()};
      if (auto password = target_->password_file()) args.push_back(*password);
      return testing::spawn(testing::kBudgetWorkerPath, args);
    };

    const auto started = std::chrono::steady_clock::now();
    std::vector<pid_t> workers;
    for (int i = 0; i < kProcesses; ++i) workers.push_back(start_worker());

    // Kill a random worker each time the durable count passes the next step, and start a new
    // one in its place; check on every look that the count has not passed the limit.
    const unsigned seed = std::random_device{}();
    std::mt19937 random(seed);
    int killed = 0;
    std::uint64_t peak = 0;
    std::vector<pid_t> finished;
    const auto deadline = started + std::chrono::seconds(20);
    while (killed < plan.kills && std::chrono::steady_clock::now() < deadline) {
      auto row = (*monitor)->show(key);
      const std::uint64_t used = row ? row->used : 0;
      peak = std::max(peak, used);
      ASSERT_LE(used, kLimit);
      if (used >= kLimit) break;
      if (used >= kLimit * static_cast<std::uint64_t>(killed + 1) /
                      static_cast<std::uint64_t>(plan.kills + 1)) {
        const std::size_t victim =
            std::uniform_int_distribution<std::size_t>(0, workers.size() - 1)(random);
        ::kill(workers[victim], SIGKILL);
        EXPECT_EQ(testing::wait_exit(workers[victim]), -SIGKILL)
            << "the worker ended before the kill";
        workers[victim] = start_worker();
        ++killed;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    for (const pid_t worker : workers) EXPECT_EQ(testing::wait_exit(worker), 0);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    auto final_row = (*monitor)->show(key);
    ASSERT_THAT(final_row, IsOk());
    const testing::WorkerRecords records = testing::read_records(outputs);
    const testing::GrantSummary summary = testing::summarise(records.grants, kLimit);
    // Spent counts are the encryptions that happened; a killed worker loses at most the block
    // each of its threads held (reserved, recorded or not, and not yet spent).
    const std::uint64_t loss_bound = static_cast<std::uint64_t>(killed * kThreads) * kBlockMax;
    fmt::print(
        "[ exactness ] {}: {} processes x {} threads, limit {}, blocks 1..{}, {} kill(s) (seed "
        "{}): spent {} (bound: limit - {} <= spent <= limit), recorded grants {} in {} "
        "reservations, store's durable count {}, lost to kills {}, {:.2f} s\n",
        target_->kind_name(), kProcesses, kThreads, kLimit, kBlockMax, killed, seed, records.spent,
        loss_bound, summary.total, summary.reservations, final_row->used,
        kLimit > records.spent ? kLimit - records.spent : 0, seconds);
    EXPECT_TRUE(summary.disjoint) << "a count was handed out twice";
    EXPECT_TRUE(summary.below_limit) << "a count past the limit was handed out";
    EXPECT_EQ(final_row->used, kLimit) << "the workers stop only when the budget is spent";
    EXPECT_LE(summary.total, kLimit);
    EXPECT_LE(records.spent, summary.total);
    if (killed == 0) {
      EXPECT_EQ(summary.total, kLimit) << "without kills no count may be lost";
      EXPECT_EQ(records.spent, kLimit);
    } else {
      EXPECT_GE(records.spent + loss_bound, kLimit);
    }
    EXPECT_EQ(killed, plan.kills) << "the run ended before every kill (it ran too fast)";
  }

  std::optional<testing::StoreTarget> target_;
};

TEST_P(ExactnessTest, ProcessesAndThreadsShareTheLimitExactly) {
  run_workers({.kills = 0, .spend_us = 100}, 0x71);
}

TEST_P(ExactnessTest, KilledAndRestartedProcessesNeverPassTheLimit) {
  run_workers({.kills = 3, .spend_us = 1000}, 0x72);
}

INSTANTIATE_TEST_SUITE_P(Stores, ExactnessTest,
                         ::testing::Values(BudgetStoreKind::Sqlite, BudgetStoreKind::Postgresql),
                         [](const auto& info) {
                           return std::string(budget_store_name(info.param));
                         });

}  // namespace
}  // namespace craton::hsm::budget
