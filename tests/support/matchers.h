// SPDX-License-Identifier: Apache-2.0
// Matchers that read like the specification: EXPECT_THAT(result, HasErrorCode(PinIncorrect)).
#pragma once

#include <craton/hsm/error.h>

#include <gmock/gmock.h>

namespace craton::hsm::testing {

MATCHER_P(HasErrorCode, code, fmt::format("fails with {}", code)) {
  if (arg.has_value()) {
    *result_listener << "succeeded";
    return false;
  }
  *result_listener << "failed with " << arg.error().to_string();
  return arg.error().code() == code;
}

MATCHER(IsOk, "succeeds") {
  if (!arg.has_value()) *result_listener << "failed with " << arg.error().to_string();
  return arg.has_value();
}

}  // namespace craton::hsm::testing
