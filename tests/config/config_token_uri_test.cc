// SPDX-License-Identifier: Apache-2.0
// token_uri: the fourth token selector, parsed from TOML, validated, and printed.
#include <craton/hsm/config.h>

#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "config/config_test_util.h"

namespace craton::hsm {
namespace {

using testing::IsConfigInvalidMentioning;
using testing::ScopedEnv;

constexpr std::string_view kLibrary = "/usr/lib/softhsm/libsofthsm2.so";

Result<Pkcs11PassthroughConfig> parse_with_uri(std::string_view uri, bool with_library = true) {
  std::string toml;
  if (with_library) toml += fmt::format("library_path = \"{}\"\n", kLibrary);
  toml += fmt::format("token_uri = \"{}\"\n", uri);
  return parse_config(toml, "uri.toml");
}

Pkcs11PassthroughConfig config_with_uri(std::string_view text) {
  Pkcs11PassthroughConfig config;
  config.library_path = kLibrary;
  config.token_uri = Pkcs11Uri::parse(text).value();
  return config;
}

TEST(ConfigTokenUri, ParsesAsTheTokenSelector) {
  const ScopedEnv no_pin("CRATON_HSM_PIN", std::nullopt);
  const auto config = parse_with_uri("pkcs11:token=ci-token;manufacturer=SoftHSM%20project");
  ASSERT_TRUE(config.has_value()) << config.error();
  ASSERT_TRUE(config->token_uri.has_value());
  EXPECT_EQ(config->token_uri->token, "ci-token");
  EXPECT_EQ(config->token_uri->manufacturer, "SoftHSM project");
  EXPECT_FALSE(config->token_label.has_value());
  EXPECT_EQ(config->library_path, kLibrary);
}

TEST(ConfigTokenUri, ModulePathStandsInForAMissingLibraryPath) {
  const ScopedEnv no_pin("CRATON_HSM_PIN", std::nullopt);
  const auto config =
      parse_with_uri("pkcs11:token=ci-token?module-path=/usr/lib/softhsm/libsofthsm2.so", false);
  ASSERT_TRUE(config.has_value()) << config.error();
  EXPECT_EQ(config->library_path, kLibrary);

  // Built in code: validate() accepts the URI's module-path in place of library_path too.
  Pkcs11PassthroughConfig built;
  built.token_uri = Pkcs11Uri::parse("pkcs11:token=ci-token?module-path=/opt/x/libx.so").value();
  EXPECT_TRUE(built.validate().has_value());
}

TEST(ConfigTokenUri, AModulePathThatDisagreesWithLibraryPathIsRefused) {
  EXPECT_TRUE(IsConfigInvalidMentioning(
      parse_with_uri("pkcs11:token=ci-token?module-path=/opt/other/libother.so"),
      "token_uri: module-path \"/opt/other/libother.so\" disagrees with library_path"));
  // The same file spelled differently is the same module.
  EXPECT_TRUE(
      config_with_uri("pkcs11:token=t?module-path=/usr/lib/softhsm/../softhsm/libsofthsm2.so")
          .validate()
          .has_value());
}

TEST(ConfigTokenUri, ModuleNameMustNameTheLibrary) {
  EXPECT_TRUE(config_with_uri("pkcs11:token=t?module-name=softhsm2").validate().has_value());
  EXPECT_TRUE(IsConfigInvalidMentioning(
      config_with_uri("pkcs11:token=t?module-name=opensc-pkcs11").validate(),
      "token_uri: module-name \"opensc-pkcs11\" does not name library_path"));
}

TEST(ConfigTokenUri, MustNameATokenAndNoObject) {
  EXPECT_TRUE(IsConfigInvalidMentioning(parse_with_uri("pkcs11:token=ci-token;object=signing-1"),
                                        "token_uri: must name a token, not an object"));
  EXPECT_TRUE(IsConfigInvalidMentioning(parse_with_uri("pkcs11:token=ci-token;type=private"),
                                        "not an object"));
  EXPECT_TRUE(IsConfigInvalidMentioning(parse_with_uri("pkcs11:serial=1;id=%01"), "not an object"));
  EXPECT_TRUE(IsConfigInvalidMentioning(parse_with_uri("pkcs11:"), "token_uri: names no token"));
  EXPECT_TRUE(IsConfigInvalidMentioning(parse_with_uri("pkcs11:library-manufacturer=SoftHSM"),
                                        "names no token attribute"));
}

TEST(ConfigTokenUri, FieldsLongerThanThePkcs11FieldsAreRefused) {
  EXPECT_TRUE(IsConfigInvalidMentioning(
      parse_with_uri("pkcs11:token=" + std::string(33, 'a')),
      "token_uri: token must be at most 32 bytes (the PKCS#11 field size), got 33"));
  EXPECT_TRUE(IsConfigInvalidMentioning(parse_with_uri("pkcs11:serial=" + std::string(17, '1')),
                                        "serial must be at most 16 bytes"));
  EXPECT_TRUE(
      IsConfigInvalidMentioning(parse_with_uri("pkcs11:slot-description=" + std::string(65, 'd')),
                                "slot-description must be at most 64 bytes"));
}

TEST(ConfigTokenUri, SyntaxErrorsAreConfigInvalidAndNeverShowAPin) {
  EXPECT_TRUE(
      IsConfigInvalidMentioning(parse_with_uri("pkcs11:token=%G1"),
                                "token_uri: PKCS#11 URI: attribute 'token' at position 14"));
  EXPECT_TRUE(IsConfigInvalidMentioning(parse_with_uri("token=ci-token"), "token_uri:"));
  const auto pin = parse_with_uri("pkcs11:token=ci-token?pin-value=8642-secret");
  ASSERT_TRUE(IsConfigInvalidMentioning(pin, "pin-value"));
  EXPECT_EQ(pin.error().to_string().find("8642-secret"), std::string::npos) << pin.error();
  EXPECT_TRUE(IsConfigInvalidMentioning(
      parse_config("library_path = \"/x.so\"\ntoken_uri = 7\n", "uri.toml"),
      "token_uri: expected a string, got an integer"));
}

TEST(ConfigTokenUri, IsOneSelectorAmongFour) {
  Pkcs11PassthroughConfig two = config_with_uri("pkcs11:token=ci-token");
  two.token_label = "ci-token";
  EXPECT_TRUE(IsConfigInvalidMentioning(
      two.validate(),
      "token_label, token_uri: exactly one of slot_id, token_label, token_serial, "
      "token_uri may be set"));
  Pkcs11PassthroughConfig none;
  none.library_path = "/x.so";
  EXPECT_TRUE(
      IsConfigInvalidMentioning(none.validate(), "slot_id/token_label/token_serial/token_uri"));
}

TEST(ConfigTokenUri, PrintsInCanonicalForm) {
  const std::string text =
      to_string(config_with_uri("pkcs11:manufacturer=SoftHSM%20project;token=ci-token"));
  EXPECT_NE(text.find("token_uri=\"pkcs11:token=ci-token;manufacturer=SoftHSM%20project\""),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace craton::hsm
