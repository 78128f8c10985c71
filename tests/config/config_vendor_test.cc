// SPDX-License-Identifier: Apache-2.0
// The module-behaviour keys: init_reserved (C_Initialize's pReserved) and serialize_calls.
#include <craton/hsm/config.h>

#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "config/config_test_util.h"

namespace craton::hsm {
namespace {

using testing::IsConfigInvalidMentioning;
using testing::kMinimalToml;
using testing::with_minimal;

TEST(ConfigVendor, InitReservedAndSerializeCallsAreUnsetByDefault) {
  const Result<Pkcs11PassthroughConfig> config = parse_config(kMinimalToml, "min.toml");
  ASSERT_TRUE(config.has_value()) << config.error();
  EXPECT_FALSE(config->init_reserved.has_value());
  EXPECT_FALSE(config->serialize_calls.has_value());
}

TEST(ConfigVendor, InitReservedIsReadVerbatimAndPrinted) {
  constexpr std::string_view kNss =
      "configdir='sql:/tmp/nssdb' certPrefix='' keyPrefix='' secmod='secmod.db' flags=";
  const Result<Pkcs11PassthroughConfig> config = parse_config(
      with_minimal(std::string("init_reserved = \"") + std::string(kNss) + "\""), "nss.toml");
  ASSERT_TRUE(config.has_value()) << config.error();
  EXPECT_EQ(config->init_reserved, kNss);
  EXPECT_NE(to_string(*config).find("init_reserved=\"configdir='sql:/tmp/nssdb'"),
            std::string::npos)
      << to_string(*config);
}

TEST(ConfigVendor, SerializeCallsIsABoolean) {
  const Result<Pkcs11PassthroughConfig> on =
      parse_config(with_minimal("serialize_calls = true"), "on.toml");
  ASSERT_TRUE(on.has_value()) << on.error();
  EXPECT_EQ(on->serialize_calls, true);
  const Result<Pkcs11PassthroughConfig> off =
      parse_config(with_minimal("serialize_calls = false"), "off.toml");
  ASSERT_TRUE(off.has_value()) << off.error();
  EXPECT_EQ(off->serialize_calls, false);
  EXPECT_TRUE(IsConfigInvalidMentioning(
      parse_config(with_minimal("serialize_calls = 1"), "int.toml"), "serialize_calls"));
}

// docs/vendors/README.md, "Strict key templates": the quirk is a [vendor_quirks] boolean.
TEST(ConfigVendor, MinimalKeyTemplatesIsAVendorQuirk) {
  const Result<Pkcs11PassthroughConfig> on =
      parse_config(with_minimal("[vendor_quirks]\nminimal_key_templates = true"), "strict.toml");
  ASSERT_TRUE(on.has_value()) << on.error();
  EXPECT_TRUE(on->validate().has_value());
  EXPECT_TRUE(IsConfigInvalidMentioning(
      parse_config(with_minimal("[vendor_quirks]\nminimal_key_templates = 1"), "int.toml"),
      "minimal_key_templates"));
  EXPECT_TRUE(IsConfigInvalidMentioning(
      parse_config(with_minimal("[vendor_quirks]\nminimal_key_template = true"), "typo.toml"),
      "minimal_key_templates"))
      << "suggests the closest switch";
}

TEST(ConfigVendor, InitReservedMustBeANonEmptyCString) {
  EXPECT_TRUE(IsConfigInvalidMentioning(
      parse_config(with_minimal("init_reserved = \"\""), "empty.toml"), "init_reserved"));
  Pkcs11PassthroughConfig config;
  config.library_path = "/usr/lib/softhsm/libsofthsm2.so";
  config.token_label = "ci-token";
  config.init_reserved = std::string("configdir=a\0b", 13);
  EXPECT_TRUE(IsConfigInvalidMentioning(config.validate(), "NUL"));
  config.init_reserved = std::string(4097, 'x');
  EXPECT_TRUE(IsConfigInvalidMentioning(config.validate(), "init_reserved"));
  config.init_reserved = std::string(4096, 'x');
  EXPECT_TRUE(config.validate().has_value());
}

TEST(ConfigVendor, VendorProfileDefaultsToAutoWithNoOverrides) {
  const Result<Pkcs11PassthroughConfig> config = parse_config(kMinimalToml, "min.toml");
  ASSERT_TRUE(config.has_value()) << config.error();
  EXPECT_EQ(config->vendor_profile, "auto");
  EXPECT_TRUE(config->vendor_quirks.empty());
}

TEST(ConfigVendor, ProfileAndQuirksAreReadAndRoundTripThroughTheTextForm) {
  const Result<Pkcs11PassthroughConfig> config = parse_config(with_minimal(R"(
vendor_profile = "yubihsm2"
[vendor_quirks]
max_sessions = 12
serialize_calls = true
aes_key_wrap_pad = "rfc5649"
)"),
                                                              "yubi.toml");
  ASSERT_TRUE(config.has_value()) << config.error();
  EXPECT_EQ(config->vendor_profile, "yubihsm2");
  ASSERT_EQ(config->vendor_quirks.size(), 3u);
  EXPECT_EQ(config->vendor_quirks.at("max_sessions"), VendorQuirkValue(std::int64_t{12}));
  EXPECT_EQ(config->vendor_quirks.at("serialize_calls"), VendorQuirkValue(true));
  EXPECT_EQ(config->vendor_quirks.at("aes_key_wrap_pad"), VendorQuirkValue(std::string("rfc5649")));
  const std::string text = to_string(*config);
  EXPECT_NE(text.find("vendor_profile=\"yubihsm2\", vendor_quirks={aes_key_wrap_pad=\"rfc5649\", "
                      "max_sessions=12, serialize_calls=true}"),
            std::string::npos)
      << text;
  EXPECT_EQ(to_string(config->clone()), text);
}

TEST(ConfigVendor, UnknownProfileIsRefusedWithASuggestion) {
  const auto config = parse_config(with_minimal("vendor_profile = \"softhsm\""), "typo.toml");
  EXPECT_TRUE(IsConfigInvalidMentioning(config, "vendor_profile"));
  EXPECT_TRUE(IsConfigInvalidMentioning(config, "did you mean \"softhsm2\"?"));
  EXPECT_TRUE(IsConfigInvalidMentioning(
      parse_config(with_minimal("vendor_profile = \"thales\""), "other.toml"), "one of auto, "));
}

TEST(ConfigVendor, UnknownQuirkIsRefusedWithASuggestion) {
  const auto config =
      parse_config(with_minimal("[vendor_quirks]\nserialise_calls = true"), "typo.toml");
  EXPECT_TRUE(IsConfigInvalidMentioning(config, "vendor_quirks.serialise_calls"));
  EXPECT_TRUE(IsConfigInvalidMentioning(config, "serialize_calls"));
  // The same rule for a config built in code.
  Pkcs11PassthroughConfig built;
  built.library_path = "/usr/lib/softhsm/libsofthsm2.so";
  built.token_label = "ci-token";
  built.vendor_quirks.emplace("max_session", std::int64_t{4});
  EXPECT_TRUE(IsConfigInvalidMentioning(built.validate(), "did you mean \"max_sessions\"?"));
}

TEST(ConfigVendor, QuirkValuesMustHaveTheirSwitchType) {
  EXPECT_TRUE(IsConfigInvalidMentioning(
      parse_config(with_minimal("[vendor_quirks]\noaep_sha1_only = 1"), "a.toml"),
      "vendor_quirks.oaep_sha1_only: must be true or false"));
  EXPECT_TRUE(IsConfigInvalidMentioning(
      parse_config(with_minimal("[vendor_quirks]\nmax_sessions = -1"), "b.toml"),
      "vendor_quirks.max_sessions"));
  EXPECT_TRUE(IsConfigInvalidMentioning(
      parse_config(with_minimal("[vendor_quirks]\naes_key_wrap_pad = \"rfc3394\""), "c.toml"),
      "vendor_quirks.aes_key_wrap_pad"));
  EXPECT_TRUE(IsConfigInvalidMentioning(
      parse_config(with_minimal("[vendor_quirks]\nmax_sessions = 1.5"), "d.toml"),
      "vendor_quirks.max_sessions"));
  EXPECT_TRUE(IsConfigInvalidMentioning(parse_config(with_minimal("vendor_quirks = 3"), "e.toml"),
                                        "vendor_quirks"));
}

}  // namespace
}  // namespace craton::hsm
