// SPDX-License-Identifier: Apache-2.0
// The key-wrap length rules on their own, at their edges: both backends refuse by them before
// any cryptography, so the smallest legal lengths must pass as surely as the others fail.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backends/common/key_wrap_rules.h"
#include "support/matchers.h"

namespace craton::hsm::testing {
namespace {

using common::check_wrapped_length;
using common::wrap_scheme_name;
using common::wrapped_size;
using ::testing::Optional;

TEST(KeyWrapRulesTest, KwAddsOneSemiblockToWholeSemiblocks) {
  EXPECT_THAT(wrapped_size(KeyWrapScheme::AesKw, 16), Optional(24U));
  EXPECT_THAT(wrapped_size(KeyWrapScheme::AesKw, 24), Optional(32U));
  EXPECT_THAT(wrapped_size(KeyWrapScheme::AesKw, 32), Optional(40U));
}

TEST(KeyWrapRulesTest, KwpPadsToASemiblockThenAddsOne) {
  EXPECT_THAT(wrapped_size(KeyWrapScheme::AesKwp, 1), Optional(16U));
  EXPECT_THAT(wrapped_size(KeyWrapScheme::AesKwp, 8), Optional(16U));
  EXPECT_THAT(wrapped_size(KeyWrapScheme::AesKwp, 9), Optional(24U));
  EXPECT_THAT(wrapped_size(KeyWrapScheme::AesKwp, 20), Optional(32U));
}

TEST(KeyWrapRulesTest, KwRefusesFewerThanTwoSemiblocksAndPartialOnes) {
  for (const std::size_t size : {0, 1, 8, 15, 17, 23}) {
    SCOPED_TRACE(size);
    EXPECT_THAT(wrapped_size(KeyWrapScheme::AesKw, size), HasErrorCode(ErrorCode::InvalidArgument));
  }
  EXPECT_THAT(wrapped_size(KeyWrapScheme::AesKwp, 0), HasErrorCode(ErrorCode::InvalidArgument));
}

TEST(KeyWrapRulesTest, TheShortestWrappedOutputsAreAccepted) {
  EXPECT_THAT(check_wrapped_length(KeyWrapScheme::AesKw, 24), IsOk());
  EXPECT_THAT(check_wrapped_length(KeyWrapScheme::AesKw, 4096), IsOk());
  EXPECT_THAT(check_wrapped_length(KeyWrapScheme::AesKwp, 16), IsOk());
}

TEST(KeyWrapRulesTest, LengthsNoWrapCouldProduceAreWrappedKeyInvalid) {
  for (const std::size_t size : {0, 8, 16, 23, 25}) {
    SCOPED_TRACE(size);
    EXPECT_THAT(check_wrapped_length(KeyWrapScheme::AesKw, size),
                HasErrorCode(ErrorCode::WrappedKeyInvalid));
  }
  for (const std::size_t size : {0, 8, 15, 17}) {
    SCOPED_TRACE(size);
    EXPECT_THAT(check_wrapped_length(KeyWrapScheme::AesKwp, size),
                HasErrorCode(ErrorCode::WrappedKeyInvalid));
  }
}

TEST(KeyWrapRulesTest, SchemesAreNamedForMessages) {
  EXPECT_EQ(wrap_scheme_name(KeyWrapScheme::AesKw), "AES-KW");
  EXPECT_EQ(wrap_scheme_name(KeyWrapScheme::AesKwp), "AES-KWP");
}

}  // namespace
}  // namespace craton::hsm::testing
