// SPDX-License-Identifier: Apache-2.0
// What every store checks and says the same way around a reservation.
#pragma once

#include <craton/hsm/error.h>

#include <cstdint>

#include "budget/budget_store.h"

namespace craton::hsm::budget {

// Before any store call: InvalidArgument for block 0 or a block or limit beyond the stores'
// signed 64-bit columns; KeyUsageLimitExceeded for limit 0 (nothing may be reserved).
[[nodiscard]] Result<void> check_reserve_arguments(std::uint64_t block, std::uint64_t limit);

// KeyUsageLimitExceeded for a reservation the store refused: the key is retired, or its
// count has reached `limit`.
[[nodiscard]] std::unexpected<HsmError> exhausted(const BudgetRecord& record, std::uint64_t limit);

}  // namespace craton::hsm::budget
