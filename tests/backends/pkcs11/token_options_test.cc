// SPDX-License-Identifier: Apache-2.0
// From a configuration to the session layer's options: the module, the selector, validation
// first; and the configured path end to end.
#include "backends/pkcs11/token_options.h"

#include <craton/hsm/config.h>

#include <string>
#include <variant>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/matchers.h"
#include "support/softhsm_module.h"
#include "support/softhsm_token.h"

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;
using ::craton::hsm::testing::kModulePath;
using ::craton::hsm::testing::kTokenLabel;
using ::craton::hsm::testing::slot_of;
using ::craton::hsm::testing::softhsm_module;
using ::testing::HasSubstr;

Pkcs11Uri uri(std::string_view text) {
  return Pkcs11Uri::parse(text).value();
}

// Moved from tests/pkcs11/token_test.cc with the translation: the URI's module-path stands in
// for library_path, and its token attributes choose the slot.
TEST(TokenOptions, OpenConfiguredTokenFollowsTheConfiguredTokenUri) {
  Pkcs11PassthroughConfig config;
  config.token_uri = uri(fmt::format("pkcs11:token=ci-token?module-path={}", kModulePath));
  auto target = open_configured_token(config);
  ASSERT_THAT(target, IsOk());
  EXPECT_EQ(target->slot, slot_of(*softhsm_module()));

  config.token_uri = uri("pkcs11:token=ci-token;serial=0000000000000000");
  config.library_path = std::string(kModulePath);
  EXPECT_THAT(open_configured_token(config), HasErrorCode(ErrorCode::TokenNotFound));
  config.token_uri = uri("pkcs11:token=ci-token;object=signing-1");
  EXPECT_THAT(open_configured_token(config), HasErrorCode(ErrorCode::ConfigInvalid));
}

TEST(TokenOptions, CarryTheModuleAndTheSelector) {
  Pkcs11PassthroughConfig config;
  config.library_path = std::string(kModulePath);
  config.allow_unprotected_library_path = true;
  config.token_label = std::string(kTokenLabel);
  config.user_pin = SecretString("1234");
  auto options = token_options(config);
  ASSERT_THAT(options, IsOk());
  EXPECT_EQ(options->module.library_path, kModulePath);
  EXPECT_TRUE(options->module.allow_unprotected_library_path);
  EXPECT_FALSE(options->module.init_reserved.has_value());
  ASSERT_TRUE(std::holds_alternative<ByLabel>(options->selector));
  EXPECT_EQ(std::get<ByLabel>(options->selector).label, kTokenLabel);

  config.token_label.reset();
  config.slot_id = 7;
  options = token_options(config);
  ASSERT_THAT(options, IsOk());
  ASSERT_TRUE(std::holds_alternative<BySlotId>(options->selector));
  EXPECT_EQ(std::get<BySlotId>(options->selector).slot_id, 7u);
}

TEST(TokenOptions, TheConfigIsValidatedBeforeAnyModuleIsLoaded) {
  Pkcs11PassthroughConfig config;
  config.library_path = "/nonexistent/libpkcs11.so";
  config.token_label = std::string(kTokenLabel);
  config.pool_size = 0;
  auto target = open_configured_token(config);
  EXPECT_THAT(target, HasErrorCode(ErrorCode::ConfigInvalid));
  EXPECT_THAT(target.error().message(), HasSubstr("pool_size"));

  config.pool_size = 1;
  config.token_serial = "0123";
  EXPECT_THAT(token_options(config), HasErrorCode(ErrorCode::ConfigInvalid)) << "two selectors";
  config.token_label.reset();
  config.token_serial.reset();
  EXPECT_THAT(token_selector(config), HasErrorCode(ErrorCode::ConfigInvalid)) << "no selector";
}

}  // namespace
}  // namespace craton::hsm::pkcs11
