// SPDX-License-Identifier: Apache-2.0
// One process of the exactness tests: THREADS threads reserve random blocks of 1..BLOCK_MAX
// counts of KEY against LIMIT until the store refuses, "spend" each block (SPEND_US
// microseconds per count), and record every grant as one "G first count" line appended to OUT
// with a single write() *before* spending it, and "S count" once it is spent (the encryptions
// that happened). A SIGKILL loses what was granted and not spent, which the store has already
// counted as used.
//
// Usage: budget_worker sqlite|postgresql PATH_OR_URL KEY_HEX LIMIT BLOCK_MAX THREADS SPEND_US
//                      OUT [PASSWORD_FILE]
// Exit status: 0 when the budget is spent, 2 on any other store error, 64 on bad usage.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include "budget/open_store.h"

namespace {

using craton::hsm::BudgetConfig;
using craton::hsm::BudgetStoreKind;
using craton::hsm::ErrorCode;
using craton::hsm::budget::BudgetStore;
using craton::hsm::budget::KeyIdentity;

struct Plan {
  KeyIdentity key;
  std::uint64_t limit = 0;
  std::uint64_t block_max = 0;
  unsigned threads = 0;
  unsigned spend_us = 0;
  int out = -1;
};

std::atomic<bool> failed{false};

// One line, one write(): lines of several threads never interleave in the O_APPEND file.
bool record(int out, const std::string& line) {
  if (::write(out, line.data(), line.size()) == static_cast<ssize_t>(line.size())) return true;
  std::perror("budget_worker: write");
  failed = true;
  return false;
}

void run(BudgetStore& store, const Plan& plan, unsigned seed) {
  std::mt19937_64 random(seed);
  std::uniform_int_distribution<std::uint64_t> block_size(1, plan.block_max);
  int unavailable_in_a_row = 0;
  while (!failed.load()) {
    auto granted = store.reserve(plan.key, block_size(random), plan.limit);
    if (!granted) {
      if (granted.error().code() == ErrorCode::KeyUsageLimitExceeded) return;
      // Heavy contention can outlast one timeout; a store that stays away is a failure.
      if (granted.error().code() == ErrorCode::BudgetStoreUnavailable &&
          ++unavailable_in_a_row < 20) {
        continue;
      }
      fmt::print(stderr, "budget_worker: {}\n", granted.error());
      failed = true;
      return;
    }
    unavailable_in_a_row = 0;
    if (!record(plan.out, fmt::format("G {} {}\n", granted->first, granted->count))) return;
    std::this_thread::sleep_for(std::chrono::microseconds(granted->count * plan.spend_us));
    if (!record(plan.out, fmt::format("S {}\n", granted->count))) return;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 9 && argc != 10) {
    std::fputs(
        "usage: budget_worker sqlite|postgresql PATH_OR_URL KEY_HEX LIMIT BLOCK_MAX "
        "THREADS SPEND_US OUT [PASSWORD_FILE]\n",
        stderr);
    return 64;
  }
  BudgetConfig config;
  const std::string kind = argv[1];
  config.store = kind == "sqlite" ? BudgetStoreKind::Sqlite : BudgetStoreKind::Postgresql;
  if (config.store == BudgetStoreKind::Sqlite) {
    config.path = argv[2];
  } else {
    config.url = argv[2];
  }
  if (argc == 10) config.password_file = argv[9];
  config.timeout_ms = 5000;
  Plan plan;
  const auto key = KeyIdentity::from_hex(argv[3]);
  if (!key) return 64;
  plan.key = *key;
  plan.limit = std::strtoull(argv[4], nullptr, 10);
  plan.block_max = std::strtoull(argv[5], nullptr, 10);
  plan.threads = static_cast<unsigned>(std::strtoul(argv[6], nullptr, 10));
  plan.spend_us = static_cast<unsigned>(std::strtoul(argv[7], nullptr, 10));
  plan.out = ::open(argv[8], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (plan.out < 0 || plan.block_max == 0 || plan.threads == 0) return 64;

  auto store = craton::hsm::budget::open_budget_store(config);
  if (!store) {
    fmt::print(stderr, "budget_worker: {}\n", store.error());
    return 2;
  }
  std::vector<std::thread> threads;
  for (unsigned i = 0; i < plan.threads; ++i) {
    threads.emplace_back(run, std::ref(**store), std::cref(plan),
                         static_cast<unsigned>(::getpid()) * 131 + i);
  }
  for (std::thread& thread : threads) thread.join();
  return failed ? 2 : 0;
}
