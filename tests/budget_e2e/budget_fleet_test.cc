// SPDX-License-Identifier: Apache-2.0
// Exactness across processes (docs/budgets.md, "Safety"): N worker processes x M threads
// encrypt with one key against a small limit on one store. Undisturbed, the total is at most
// the limit and at least the limit less one block per process; with processes killed (SIGKILL)
// and restarted mid-run it still never passes the limit.
#include <gtest/gtest.h>

#include "budget_e2e/fleet.h"
#include "budget_e2e/fleet_runs.h"

namespace craton::hsm::testing {
namespace {

TEST(BudgetFleetTest, SqliteProcessesTogetherStayWithinTheLimit) {
  TempDir dir;
  FleetOptions options;
  options.target = (dir.path() / "budgets.db").string();
  run_undisturbed(dir, options, "sqlite");
}

TEST(BudgetFleetTest, SqliteProcessesKilledAndRestartedNeverPassTheLimit) {
  TempDir dir;
  FleetOptions options;
  options.target = (dir.path() / "budgets.db").string();
  options.softhsm_conf = private_softhsm(dir);
  run_with_kills(dir, options, "sqlite");
}

}  // namespace
}  // namespace craton::hsm::testing
