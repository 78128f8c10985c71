// SPDX-License-Identifier: Apache-2.0
// `craton-hsm bench` as an operator meets it: a case name that selects nothing is refused as a
// usage error.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include <fmt/format.h>

#include "cli/cli_runner.h"
#include "support/softhsm_token.h"

namespace craton::hsm::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(CliBench, ACaseNameThatSelectsNothingIsAUsageError) {
  const CommandResult result =
      run_on_token("bench --cases ecdsa,nosuch --threads 1 --rounds 1 --duration 0.01");
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_THAT(result.output, HasSubstr("nosuch"));
  EXPECT_THAT(result.output, HasSubstr("ecdsa-p256-sign"));     // the names it could have been
  EXPECT_THAT(result.output, Not(HasSubstr("Token backend")));  // nothing was measured
}

}  // namespace
}  // namespace craton::hsm::testing
