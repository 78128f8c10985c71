// SPDX-License-Identifier: Apache-2.0
// Token selection by slot id, label and serial, and what the token says about itself.
#include "pkcs11/session/token.h"

#include <algorithm>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/matchers.h"
#include "support/softhsm_module.h"

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;
using ::craton::hsm::testing::kSpareTokenLabel;
using ::craton::hsm::testing::kTokenLabel;
using ::craton::hsm::testing::softhsm_module;
using ::testing::HasSubstr;

class TokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    module_ = softhsm_module();
    ASSERT_NE(module_, nullptr);
    auto slot = select_token(*module_, ByLabel{std::string(kTokenLabel)});
    ASSERT_THAT(slot, IsOk());
    slot_ = *slot;
  }
  std::shared_ptr<const Module> module_;
  std::uint64_t slot_ = 0;
};

TEST_F(TokenTest, DescribesTheTokenWithTrimmedFields) {
  auto token = describe_token(*module_, slot_);
  ASSERT_THAT(token, IsOk());
  EXPECT_EQ(token->label, kTokenLabel);
  EXPECT_EQ(token->manufacturer, "SoftHSM project");
  EXPECT_FALSE(token->serial.empty());
  EXPECT_EQ(token->serial.find(' '), std::string::npos);
  EXPECT_NE(token->flags & CKF_TOKEN_INITIALIZED, 0u);
  const auto flags = token_flag_names(token->flags);
  EXPECT_NE(std::find(flags.begin(), flags.end(), "TOKEN_INITIALIZED"), flags.end());
}

TEST_F(TokenTest, SelectsTheSameTokenBySlotLabelAndSerial) {
  auto token = describe_token(*module_, slot_);
  ASSERT_THAT(token, IsOk());
  EXPECT_EQ(select_token(*module_, BySlotId{slot_}).value(), slot_);
  EXPECT_EQ(select_token(*module_, BySerial{token->serial}).value(), slot_);
  auto spare = select_token(*module_, ByLabel{std::string(kSpareTokenLabel)});
  ASSERT_THAT(spare, IsOk());
  EXPECT_NE(*spare, slot_);
}

TEST_F(TokenTest, AnUnknownTokenListsTheTokensThatExist) {
  auto missing = select_token(*module_, ByLabel{"no-such-token"});
  EXPECT_THAT(missing, HasErrorCode(ErrorCode::TokenNotFound));
  EXPECT_THAT(missing.error().message(), HasSubstr("no-such-token"));
  EXPECT_THAT(missing.error().message(), HasSubstr(std::string(kTokenLabel)));
  EXPECT_THAT(missing.error().message(), HasSubstr(std::string(kSpareTokenLabel)));

  EXPECT_THAT(select_token(*module_, BySerial{"0000000000000000"}),
              HasErrorCode(ErrorCode::TokenNotFound));
  EXPECT_THAT(select_token(*module_, BySlotId{0xdeadbeef}), HasErrorCode(ErrorCode::TokenNotFound));
}

TEST_F(TokenTest, ListsMechanismsWithNamesAndFlags) {
  auto mechanisms = describe_mechanisms(*module_, slot_);
  ASSERT_THAT(mechanisms, IsOk());
  const auto find = [&](std::string_view name) {
    return std::find_if(mechanisms->begin(), mechanisms->end(),
                        [&](const MechanismDescription& m) { return m.name == name; });
  };
  const auto gcm = find("CKM_AES_GCM");
  ASSERT_NE(gcm, mechanisms->end());
  EXPECT_NE(gcm->flags & CKF_ENCRYPT, 0u);
  EXPECT_EQ(gcm->min_key_size, 16u);
  EXPECT_EQ(gcm->max_key_size, 32u);
  const auto ecdsa = find("CKM_ECDSA");
  ASSERT_NE(ecdsa, mechanisms->end());
  const auto flags = mechanism_flag_names(ecdsa->flags);
  EXPECT_NE(std::find(flags.begin(), flags.end(), "SIGN"), flags.end());
  EXPECT_NE(find("CKM_EC_KEY_PAIR_GEN"), mechanisms->end());
}

TEST_F(TokenTest, DescribesTheLibrary) {
  auto library = describe_library(*module_);
  ASSERT_THAT(library, IsOk());
  EXPECT_EQ(library->manufacturer, "SoftHSM");
  EXPECT_FALSE(library->description.empty());
}

}  // namespace
}  // namespace craton::hsm::pkcs11
