// SPDX-License-Identifier: Apache-2.0
// The two fleet runs every store must pass (SQLite and PostgreSQL share them).
#pragma once

#include <string_view>

#include "budget_e2e/fleet.h"

namespace craton::hsm::testing {

inline constexpr int kProcesses = 4;

// kProcesses workers run to the end: limit - processes x block_max <= total <= limit.
void run_undisturbed(const TempDir& dir, const FleetOptions& options, std::string_view store);
// Workers killed with SIGKILL at random moments (each past its login) and replaced, until
// `kills` kills; then the survivors run to the end: total (upper bound) <= limit.
void run_with_kills(const TempDir& dir, const FleetOptions& options, std::string_view store,
                    int kills = 4);

}  // namespace craton::hsm::testing
