// SPDX-License-Identifier: Apache-2.0
// The undisturbed and the SIGKILL fleet runs, with their totals printed.
#include "budget_e2e/fleet_runs.h"

#include <csignal>
#include <iostream>
#include <random>
#include <thread>

#include <craton/hsm/audit.h>
#include <craton/hsm/keys.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "budget/open_store.h"
#include "keys/fingerprint.h"
#include "support/matchers.h"

namespace craton::hsm::testing {
namespace {

// The store's own count for the fleet's key: every encryption used one of its counts, so
// successes <= used <= limit whatever the logs could not tell.
std::uint64_t stored_count(const Fleet& fleet, const FleetOptions& options) {
  BudgetConfig config;
  if (options.store == "postgresql") {
    config.store = BudgetStoreKind::Postgresql;
    config.url = options.target;
    if (!options.password_env.empty()) config.password_env = options.password_env;
  } else {
    config.store = BudgetStoreKind::Sqlite;
    config.path = options.target;
  }
  auto store = budget::open_budget_store(config);
  EXPECT_THAT(store, IsOk());
  auto mac = make_key_file_audit_mac(fleet.identity());
  EXPECT_THAT(mac, IsOk());
  if (!store || !mac) return 0;
  std::vector<std::uint8_t> bytes;
  for (std::size_t i = 0; i + 1 < fleet.key_hex().size(); i += 2) {
    bytes.push_back(
        static_cast<std::uint8_t>(std::stoi(fleet.key_hex().substr(i, 2), nullptr, 16)));
  }
  const Key key = Key::aes(bytes).value();
  auto identity = (*mac)->mac(keys::fingerprint_input(key.material()).expose());
  EXPECT_THAT(identity, IsOk());
  if (!identity) return 0;
  budget::KeyIdentity name;
  name.bytes = *identity;
  auto row = (*store)->show(name);
  EXPECT_THAT(row, IsOk());
  return row ? row->used : 0;
}

}  // namespace

void run_undisturbed(const TempDir& dir, const FleetOptions& options, std::string_view store) {
  Fleet fleet(dir, options);
  std::vector<pid_t> workers;
  for (int i = 0; i < kProcesses; ++i) workers.push_back(fleet.spawn());
  for (const pid_t pid : workers) EXPECT_EQ(Fleet::wait(pid), 0) << "worker " << pid;
  const Tally tally = fleet.tally();
  const std::uint64_t floor = options.limit - kProcesses * options.block_max;
  std::cout << fmt::format(
      "{}: {} processes x {} threads, limit {}: {} encryptions (at most {} counting cut-off "
      "calls); must be <= {} and >= {} (limit - processes x block_max)\n",
      store, kProcesses, options.threads, options.limit, tally.successes, tally.upper_bound,
      options.limit, floor);
  EXPECT_EQ(tally.successes, tally.upper_bound) << "no worker was killed";
  EXPECT_LE(tally.upper_bound, options.limit);
  EXPECT_EQ(stored_count(fleet, options), options.limit);
  EXPECT_GE(tally.successes, floor);
}

void run_with_kills(const TempDir& dir, const FleetOptions& options, std::string_view store,
                    int kills) {
  // Paced (1 ms rest per success and thread): flat out, a SQLite fleet can spend the whole
  // limit before the first kill lands, and a run with no kill proves nothing.
  FleetOptions paced = options;
  paced.pause_us = 1000;
  Fleet fleet(dir, paced);
  std::vector<pid_t> live;
  for (int i = 0; i < kProcesses; ++i) live.push_back(fleet.spawn());
  std::mt19937 random(std::random_device{}());
  int killed = 0;
  int finished_early = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (killed < kills && !live.empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + random() % 60));
    const std::size_t pick = random() % live.size();
    const pid_t victim = live[pick];
    // Only past its login: SoftHSM2 rewrites its token file in place while logging in.
    if (!fleet.has_succeeded(victim)) continue;
    ::kill(victim, SIGKILL);  // harmless when it has just exited: it is not reaped yet
    const int status = Fleet::wait(victim);
    if (status == 128 + SIGKILL) {
      ++killed;
    } else {
      ++finished_early;  // the budget ran out before the kill: nothing to restart for
    }
    live.erase(live.begin() + static_cast<std::ptrdiff_t>(pick));
    if (status == 128 + SIGKILL) live.push_back(fleet.spawn());  // restarted: continues
  }
  for (const pid_t pid : live) EXPECT_EQ(Fleet::wait(pid), 0) << "worker " << pid;
  const Tally tally = fleet.tally();
  // A killed worker loses its block's unspent rest and may have had one call per thread on
  // the token whose success it never logged.
  const std::uint64_t floor = options.limit - (kProcesses + killed) * options.block_max -
                              static_cast<std::uint64_t>(killed * options.threads);
  std::cout << fmt::format(
      "{}: {} processes x {} threads, limit {}, {} killed with SIGKILL and restarted ({} ran "
      "out first): {} encryptions seen, at most {} counting calls cut off by a kill; must be "
      "<= {} (and is >= {}: limit - (processes + kills) x block_max - kills x threads)\n",
      store, kProcesses, options.threads, options.limit, killed, finished_early, tally.successes,
      tally.upper_bound, options.limit, floor);
  EXPECT_GT(killed, 0) << "every worker finished before it could be killed";
  const std::uint64_t used = stored_count(fleet, options);
  std::cout << fmt::format("{}: the store counts {} of {} used\n", store, used, options.limit);
  EXPECT_LE(used, options.limit);
  EXPECT_LE(tally.successes, used);
  // A call a kill cut off (its 'a' logged, no outcome) was either an encryption whose success
  // went unlogged (it used a count of the limit, like a logged one) or a call that got no
  // count (waiting for a block, or refused): the logs cannot tell which, so the bound they
  // prove is the limit plus one call per thread of each killed process.
  EXPECT_LE(tally.upper_bound,
            options.limit + static_cast<std::uint64_t>(killed * options.threads));
  EXPECT_GE(tally.successes, floor);
}

}  // namespace craton::hsm::testing
