// SPDX-License-Identifier: Apache-2.0
// output_length and attribute_length: the one check of the lengths modules report back, and
// query_list (the two-call list convention) built on it.
#include "pkcs11/session/output_length.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pkcs11/session/size_query.h"
#include "support/matchers.h"

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;
using ::testing::HasSubstr;

TEST(OutputLengthTest, ALengthInsideTheBufferAndTheExpectationIsTheLength) {
  auto exact = output_length(Fn::Sign, 64, 64, ExpectedLength::exactly(64));
  ASSERT_THAT(exact, IsOk());
  EXPECT_EQ(*exact, 64U);
  auto shorter = output_length(Fn::Decrypt, 20, 32, ExpectedLength::between(16, 31));
  ASSERT_THAT(shorter, IsOk());
  EXPECT_EQ(*shorter, 20U);
  auto none = output_length(Fn::FindObjects, 0, 64);
  ASSERT_THAT(none, IsOk());
  EXPECT_EQ(*none, 0U);
}

TEST(OutputLengthTest, ALengthPastTheBufferIsAFailureNamingTheFunction) {
  for (const CK_ULONG reported : {CK_ULONG{65}, CK_ULONG{80}, CK_UNAVAILABLE_INFORMATION}) {
    auto length = output_length(Fn::Sign, reported, 64);
    ASSERT_THAT(length, HasErrorCode(ErrorCode::Pkcs11Failure));
    EXPECT_EQ(length.error().function(), "C_Sign");
    EXPECT_THAT(length.error().message(), HasSubstr("buffer of 64"));
  }
}

TEST(OutputLengthTest, NothingWrittenIsAFailureWhenOutputIsRequired) {
  auto empty = output_length(Fn::Digest, 0, 32, ExpectedLength::exactly(32));
  ASSERT_THAT(empty, HasErrorCode(ErrorCode::Pkcs11Failure));
  EXPECT_EQ(empty.error().function(), "C_Digest");
  EXPECT_THAT(output_length(Fn::Sign, 0, 132, ExpectedLength::some()),
              HasErrorCode(ErrorCode::Pkcs11Failure));
  EXPECT_THAT(output_length(Fn::Decrypt, 0, 32, ExpectedLength::at_most(30)), IsOk());
  EXPECT_THAT(output_length(Fn::Decrypt, 31, 32, ExpectedLength::at_most(30)),
              HasErrorCode(ErrorCode::Pkcs11Failure));
}

TEST(AttributeLengthTest, UnavailableWithOkIsAFailureNamingTheAttribute) {
  auto reported = attribute_length::reported(CKA_EC_POINT, CK_UNAVAILABLE_INFORMATION);
  ASSERT_THAT(reported, HasErrorCode(ErrorCode::Pkcs11Failure));
  EXPECT_EQ(reported.error().function(), "C_GetAttributeValue");
  EXPECT_THAT(reported.error().message(), HasSubstr("CKA_EC_POINT"));
  EXPECT_THAT(attribute_length::written(CKA_VALUE, CK_UNAVAILABLE_INFORMATION, 32),
              HasErrorCode(ErrorCode::Pkcs11Failure));
  auto fixed = attribute_length::fixed(CKA_CLASS, CK_UNAVAILABLE_INFORMATION, sizeof(CK_ULONG));
  ASSERT_THAT(fixed, HasErrorCode(ErrorCode::Pkcs11Failure));
  EXPECT_THAT(fixed.error().message(), HasSubstr("CKA_CLASS"));
  EXPECT_THAT(attribute_length::reported(0x80001234, CK_UNAVAILABLE_INFORMATION).error().message(),
              HasSubstr("attribute 0x80001234"));
}

TEST(AttributeLengthTest, AnUnbelievableLengthIsNeverAllocated) {
  EXPECT_THAT(attribute_length::reported(CKA_VALUE, kMaxAttributeBytes), IsOk());
  EXPECT_THAT(attribute_length::reported(CKA_VALUE, kMaxAttributeBytes + 1),
              HasErrorCode(ErrorCode::Pkcs11Failure));
  EXPECT_THAT(attribute_length::reported(CKA_VALUE, CK_UNAVAILABLE_INFORMATION - 1),
              HasErrorCode(ErrorCode::Pkcs11Failure));
}

TEST(AttributeLengthTest, AValueThatGrewOrLiesIsAFailure) {
  EXPECT_THAT(attribute_length::written(CKA_VALUE, 33, 32), HasErrorCode(ErrorCode::Pkcs11Failure));
  auto written = attribute_length::written(CKA_VALUE, 16, 32);
  ASSERT_THAT(written, IsOk());
  EXPECT_EQ(*written, 16U);
  EXPECT_THAT(attribute_length::fixed(CKA_SIGN, 1, 1), IsOk());
  EXPECT_THAT(attribute_length::fixed(CKA_CLASS, 4, 8), HasErrorCode(ErrorCode::Pkcs11Failure));
}

// A module whose list answers report more items than the buffer they were given holds.
TEST(QueryListTest, ACountPastTheBufferIsAFailureNotAGrownList) {
  const auto lying = [](CK_SLOT_ID* buffer, CK_ULONG* count) -> CK_RV {
    if (buffer == nullptr) {
      *count = 2;
      return CKR_OK;
    }
    buffer[0] = 7;
    buffer[1] = 9;
    *count = 2 + 16;
    return CKR_OK;
  };
  auto slots = query_list<CK_SLOT_ID>(Fn::GetSlotList, lying);
  ASSERT_THAT(slots, HasErrorCode(ErrorCode::Pkcs11Failure));
  EXPECT_EQ(slots.error().function(), "C_GetSlotList");

  const auto honest = [](CK_SLOT_ID* buffer, CK_ULONG* count) -> CK_RV {
    if (buffer != nullptr) buffer[0] = 7;
    *count = 1;
    return CKR_OK;
  };
  auto one = query_list<CK_SLOT_ID>(Fn::GetSlotList, honest);
  ASSERT_THAT(one, IsOk());
  EXPECT_EQ(*one, std::vector<CK_SLOT_ID>{7});
}

}  // namespace
}  // namespace craton::hsm::pkcs11
