// SPDX-License-Identifier: Apache-2.0
// Token selection by slot id, label, serial and PKCS#11 URI, and what the token says about
// itself.
#include "pkcs11/session/token.h"

#include <algorithm>
#include <string>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pkcs11/session/token_target.h"
#include "support/matchers.h"
#include "support/softhsm_module.h"

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;
using ::craton::hsm::testing::kModulePath;
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

Pkcs11Uri uri(std::string_view text) {
  return Pkcs11Uri::parse(text).value();
}

TEST_F(TokenTest, SelectsByATokenUri) {
  auto token = describe_token(*module_, slot_);
  ASSERT_THAT(token, IsOk());
  EXPECT_EQ(select_token(*module_, ByUri{uri("pkcs11:token=ci-token")}).value(), slot_);
  // Every attribute the URI sets must match, and then they all narrow to the same token.
  Pkcs11Uri full = uri("pkcs11:token=ci-token;manufacturer=SoftHSM%20project");
  full.serial = token->serial;
  full.model = token->model;  // "SoftHSM v2": the space travels as %20
  full.slot_id = slot_;
  EXPECT_EQ(select_token(*module_, ByUri{uri(full.to_string())}).value(), slot_);
  // PKCS#11 pads these fields with blanks; a padded value in the URI is the same value.
  EXPECT_EQ(select_token(*module_, ByUri{uri("pkcs11:token=ci-token%20%20")}).value(), slot_);
}

TEST_F(TokenTest, ATokenUriWithOneWrongAttributeFindsNothing) {
  auto wrong_serial = select_token(*module_, ByUri{uri("pkcs11:token=ci-token;serial=0000")});
  EXPECT_THAT(wrong_serial, HasErrorCode(ErrorCode::TokenNotFound));
  EXPECT_THAT(wrong_serial.error().message(), HasSubstr("serial=0000"));
  EXPECT_THAT(wrong_serial.error().message(), HasSubstr(std::string(kSpareTokenLabel)));
  EXPECT_THAT(select_token(*module_, ByUri{uri("pkcs11:token=ci-token;model=nope")}),
              HasErrorCode(ErrorCode::TokenNotFound));
  EXPECT_THAT(select_token(*module_, ByUri{uri("pkcs11:token=ci-token;slot-id=3735928559")}),
              HasErrorCode(ErrorCode::TokenNotFound));
  EXPECT_THAT(select_token(*module_, ByUri{uri("pkcs11:token=ci-token;slot-description=nope")}),
              HasErrorCode(ErrorCode::TokenNotFound));
}

TEST_F(TokenTest, ATokenUriMatchingSeveralTokensIsAConfigError) {
  // Both initialised tokens, and SoftHSM2's empty slot for the next token, are SoftHSM's.
  auto tokens = describe_tokens(*module_);
  ASSERT_THAT(tokens, IsOk());
  const auto softhsm = std::count_if(tokens->begin(), tokens->end(), [](const auto& token) {
    return token.manufacturer == "SoftHSM project";
  });
  ASSERT_GE(softhsm, 2);
  auto all = select_token(*module_, ByUri{uri("pkcs11:manufacturer=SoftHSM%20project")});
  EXPECT_THAT(all, HasErrorCode(ErrorCode::ConfigInvalid));
  EXPECT_THAT(all.error().message(),
              HasSubstr(fmt::format("token URI matches {} tokens; add serial=", softhsm)));
}

TEST_F(TokenTest, ATokenUriMatchesSlotAndLibraryAttributes) {
  auto slot = describe_slot(*module_, slot_);
  ASSERT_THAT(slot, IsOk());
  EXPECT_FALSE(slot->description.empty());
  auto library = describe_library(*module_);
  ASSERT_THAT(library, IsOk());
  Pkcs11Uri by_slot = uri("pkcs11:token=ci-token");
  by_slot.slot_description = slot->description;
  by_slot.slot_manufacturer = slot->manufacturer;
  by_slot.library_manufacturer = library->manufacturer;
  by_slot.library_version =
      fmt::format("{}.{}", library->library_version.major, library->library_version.minor);
  EXPECT_EQ(select_token(*module_, ByUri{by_slot}).value(), slot_);

  auto other_library = select_token(
      *module_, ByUri{uri("pkcs11:token=ci-token;library-manufacturer=Snake%20Oil,%20Inc.")});
  EXPECT_THAT(other_library, HasErrorCode(ErrorCode::TokenNotFound));
  EXPECT_THAT(other_library.error().message(), HasSubstr("names another library"));
  EXPECT_THAT(select_token(*module_, ByUri{uri("pkcs11:token=ci-token;library-version=99.1")}),
              HasErrorCode(ErrorCode::TokenNotFound));
}

// The session layer's options: a module and a selector, no configuration and no PIN. (From a
// configuration to these options: tests/backends/pkcs11/token_options_test.cc.)
TEST_F(TokenTest, OpenTokenLoadsTheModuleAndSelectsTheToken) {
  TokenOptions options{.module = {.library_path = std::string(kModulePath),
                                  .allow_unprotected_library_path = false,
                                  .init_reserved = std::nullopt},
                       .selector = ByLabel{std::string(kTokenLabel)}};
  auto target = open_token(options);
  ASSERT_THAT(target, IsOk());
  EXPECT_EQ(target->slot, slot_);
  EXPECT_EQ(target->module, module_) << "the process-wide module, shared";

  options.selector = ByUri{uri("pkcs11:token=ci-token;serial=0000000000000000")};
  EXPECT_THAT(open_token(options), HasErrorCode(ErrorCode::TokenNotFound));
  options.module.library_path = "relative/libsofthsm2.so";
  EXPECT_THAT(open_token(options), HasErrorCode(ErrorCode::ConfigInvalid))
      << "the loader's path rules still apply";
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
