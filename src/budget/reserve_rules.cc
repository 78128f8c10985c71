// SPDX-License-Identifier: Apache-2.0
// The argument checks and the refusal message shared by the stores.
#include "budget/reserve_rules.h"

#include <limits>

#include <fmt/format.h>

namespace craton::hsm::budget {

Result<void> check_reserve_arguments(std::uint64_t block, std::uint64_t limit) {
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (block == 0 || block > kMax || limit > kMax) {
    return fail(ErrorCode::InvalidArgument,
                fmt::format("budget reservation: block must be 1..{} and limit at most {}, got "
                            "block {} and limit {}",
                            kMax, kMax, block, limit));
  }
  if (limit == 0) {
    return fail(ErrorCode::KeyUsageLimitExceeded, "budget reservation: the limit is 0");
  }
  return {};
}

std::unexpected<HsmError> exhausted(const BudgetRecord& record, std::uint64_t limit) {
  if (record.retired) {
    return fail(ErrorCode::KeyUsageLimitExceeded,
                fmt::format("key {}: retired in the budget store; it must not encrypt again",
                            record.key.hex()));
  }
  return fail(ErrorCode::KeyUsageLimitExceeded,
              fmt::format("key {}: GCM message budget exhausted ({} of {} used)", record.key.hex(),
                          record.used, limit));
}

}  // namespace craton::hsm::budget
