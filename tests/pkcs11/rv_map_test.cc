// SPDX-License-Identifier: Apache-2.0
// The CK_RV table and the verification decoder.
#include "pkcs11/loader/rv_map.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/matchers.h"

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::HasErrorCode;

TEST(RvMapTest, NamesEveryStandardValue) {
  EXPECT_EQ(rv_name(CKR_PIN_INCORRECT), "CKR_PIN_INCORRECT");
  EXPECT_EQ(rv_name(CKR_SESSION_HANDLE_INVALID), "CKR_SESSION_HANDLE_INVALID");
  EXPECT_EQ(rv_name(CKR_FUNCTION_REJECTED), "CKR_FUNCTION_REJECTED");
  EXPECT_EQ(rv_name(kCkrOperationCancelFailed), "CKR_OPERATION_CANCEL_FAILED");
  EXPECT_EQ(rv_name(CKR_VENDOR_DEFINED + 7), "");
}

TEST(RvMapTest, MapsToTheCodesCallersActOn) {
  EXPECT_EQ(error_code_for(CKR_PIN_INCORRECT), ErrorCode::PinIncorrect);
  EXPECT_EQ(error_code_for(CKR_PIN_LOCKED), ErrorCode::PinLocked);
  EXPECT_EQ(error_code_for(CKR_SESSION_CLOSED), ErrorCode::SessionInvalid);
  EXPECT_EQ(error_code_for(CKR_USER_NOT_LOGGED_IN), ErrorCode::NotLoggedIn);
  EXPECT_EQ(error_code_for(CKR_DEVICE_REMOVED), ErrorCode::DeviceRemoved);
  EXPECT_EQ(error_code_for(CKR_TOKEN_NOT_PRESENT), ErrorCode::TokenNotPresent);
  EXPECT_EQ(error_code_for(CKR_MECHANISM_INVALID), ErrorCode::MechanismInvalid);
  EXPECT_EQ(error_code_for(CKR_VENDOR_DEFINED + 7), ErrorCode::Pkcs11Failure);
}

TEST(RvMapTest, ErrorsCarryFunctionNameAndValue) {
  const HsmError error = error_from_rv(CKR_PIN_INCORRECT, Fn::Login);
  EXPECT_EQ(error.code(), ErrorCode::PinIncorrect);
  EXPECT_EQ(error.function(), "C_Login");
  EXPECT_EQ(error.rv(), CKR_PIN_INCORRECT);
  EXPECT_EQ(error.rv_name(), "CKR_PIN_INCORRECT");
  EXPECT_FALSE(error.is_transient()) << "PIN errors are never retried";

  const HsmError vendor = error_from_rv(CKR_VENDOR_DEFINED + 0x42, Fn::Sign);
  EXPECT_EQ(vendor.to_string(), "Pkcs11Failure: C_Sign -> vendor-defined CKR 0x80000042");
}

TEST(RvMapTest, SessionLevelErrorsAskForARebuild) {
  for (const CK_RV rv : {CKR_SESSION_HANDLE_INVALID, CKR_SESSION_CLOSED, CKR_USER_NOT_LOGGED_IN,
                         CKR_DEVICE_REMOVED, CKR_TOKEN_NOT_PRESENT, CKR_DEVICE_ERROR}) {
    EXPECT_EQ(error_from_rv(rv, Fn::Sign).action(), ErrorAction::RebuildSession) << rv_name(rv);
  }
}

TEST(RvMapTest, GeneralErrorIsATagFailureOnlyWhereTheModuleMeansIt) {
  for (const GeneralErrorReading reading :
       {GeneralErrorReading::DeviceFailure, GeneralErrorReading::IntegrityFailure}) {
    EXPECT_TRUE(is_aead_tag_failure(CKR_ENCRYPTED_DATA_INVALID, reading));
    EXPECT_TRUE(is_aead_tag_failure(CKR_ENCRYPTED_DATA_LEN_RANGE, reading));
    EXPECT_FALSE(is_aead_tag_failure(CKR_DEVICE_ERROR, reading));
    EXPECT_FALSE(is_aead_tag_failure(CKR_OK, reading));
  }
  EXPECT_TRUE(is_aead_tag_failure(CKR_GENERAL_ERROR, GeneralErrorReading::IntegrityFailure));
  EXPECT_FALSE(is_aead_tag_failure(CKR_GENERAL_ERROR, GeneralErrorReading::DeviceFailure));
  EXPECT_EQ(error_code_for(CKR_GENERAL_ERROR), ErrorCode::Pkcs11Failure);
}

TEST(ClassifyVerifyResultTest, DecidesOnTheReturnValueOnly) {
  EXPECT_EQ(classify_verify_result(CKR_OK, Fn::Verify).value(), VerifyOutcome::Valid);
  EXPECT_EQ(classify_verify_result(CKR_SIGNATURE_INVALID, Fn::Verify).value(),
            VerifyOutcome::Invalid);
  EXPECT_EQ(classify_verify_result(CKR_SIGNATURE_LEN_RANGE, Fn::Verify).value(),
            VerifyOutcome::Invalid);
  EXPECT_THAT(classify_verify_result(CKR_DEVICE_ERROR, Fn::Verify),
              HasErrorCode(ErrorCode::DeviceError));
  EXPECT_THAT(classify_verify_result(CKR_KEY_HANDLE_INVALID, Fn::Verify),
              HasErrorCode(ErrorCode::KeyHandleInvalid));
}

}  // namespace
}  // namespace craton::hsm::pkcs11
