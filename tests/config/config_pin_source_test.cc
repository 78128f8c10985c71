// SPDX-License-Identifier: Apache-2.0
// RFC 7512 pin-source in token_uri: read like pin_file (same permission rules), never echoed,
// and never together with pin_file.
#include <craton/hsm/config.h>

#include <filesystem>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "config/config_test_util.h"
#include "support/softhsm_token.h"

namespace craton::hsm {
namespace {

namespace fs = std::filesystem;
using testing::IsConfigInvalidMentioning;
using testing::ScopedEnv;
using testing::TempDir;

constexpr auto kOwnerOnly = fs::perms::owner_read | fs::perms::owner_write;
constexpr std::string_view kPin = "uri-pin-6620";

std::string toml_with_pin_source(std::string_view pin_source, std::string_view extra = "") {
  return fmt::format(
      "library_path = \"/usr/lib/softhsm/libsofthsm2.so\"\n"
      "token_uri = \"pkcs11:token=ci-token?pin-source={}\"\n{}\n",
      pin_source, extra);
}

TEST(ConfigPinSource, FileUriAndPlainPathGiveThePinAndWinOverTheEnvironment) {
  const TempDir dir;
  const fs::path pin = dir.write("pin", fmt::format("{}\n", kPin), kOwnerOnly);
  const ScopedEnv env("CRATON_HSM_PIN", "env-pin-must-lose");
  for (const std::string& source : {fmt::format("file:{}", pin.string()), pin.string()}) {
    const Result<Pkcs11PassthroughConfig> config = parse_config(toml_with_pin_source(source), "t");
    ASSERT_TRUE(config.has_value()) << source << ": " << config.error();
    ASSERT_TRUE(config->user_pin.has_value()) << source;
    EXPECT_EQ(config->user_pin->expose(), kPin) << source;
    // The printed config names the path, never the PIN.
    EXPECT_EQ(to_string(*config).find(kPin), std::string::npos) << to_string(*config);
  }
}

TEST(ConfigPinSource, PinFileRulesApplyAndTheContentsAreNeverInTheError) {
  const TempDir dir;
  const fs::path readable =
      dir.write("readable", kPin, kOwnerOnly | fs::perms::group_read | fs::perms::others_read);
  const fs::path target = dir.write("target", kPin, kOwnerOnly);
  const fs::path link = dir.path() / "link";
  fs::create_symlink(target, link);
  const fs::path empty = dir.write("empty", "", kOwnerOnly);
  const struct {
    fs::path path;
    std::string_view says;
  } cases[] = {
      {readable, "must have no group or other permissions"},
      {link, "is a symbolic link"},
      {dir.path() / "missing", "cannot open"},
      {empty, "is empty"},
      {dir.path(), "not a regular file"},
  };
  for (const auto& c : cases) {
    const Result<Pkcs11PassthroughConfig> config =
        parse_config(toml_with_pin_source(fmt::format("file:{}", c.path.string())), "t");
    EXPECT_TRUE(IsConfigInvalidMentioning(config, "token_uri pin-source")) << c.path;
    EXPECT_TRUE(IsConfigInvalidMentioning(config, c.says)) << c.path;
    EXPECT_TRUE(IsConfigInvalidMentioning(config, c.path.string())) << c.path;
    if (!config) {
      EXPECT_EQ(config.error().message().find(kPin), std::string::npos);
    }
  }
}

TEST(ConfigPinSource, TogetherWithPinFileIsRefusedBeforeEitherIsRead) {
  const TempDir dir;
  const fs::path pin = dir.write("pin", kPin, kOwnerOnly);
  const Result<Pkcs11PassthroughConfig> config = parse_config(
      toml_with_pin_source(pin.string(), fmt::format("pin_file = \"{}\"", pin.string())), "t");
  EXPECT_TRUE(IsConfigInvalidMentioning(config, "pin-source and pin_file"));
}

TEST(ConfigPinSource, RelativePathsProgramsAndOtherSchemesAreRefusedUnquoted) {
  for (const std::string_view source : {"relative/uri-pin-6620", "%7C/bin/echo%20uri-pin-6620",
                                        "https://x/uri-pin-6620", "file:uri-pin-6620"}) {
    const Result<Pkcs11PassthroughConfig> config = parse_config(toml_with_pin_source(source), "t");
    EXPECT_TRUE(IsConfigInvalidMentioning(config, "pin-source")) << source;
    if (!config) {
      EXPECT_EQ(config.error().message().find(kPin), std::string::npos);
    }
  }
}

TEST(ConfigPinSource, PinValueStaysRefused) {
  const Result<Pkcs11PassthroughConfig> config = parse_config(
      "library_path = \"/usr/lib/softhsm/libsofthsm2.so\"\n"
      "token_uri = \"pkcs11:token=ci-token?pin-value=uri-pin-6620\"\n",
      "t");
  EXPECT_TRUE(IsConfigInvalidMentioning(config, "pin-value"));
  if (!config) {
    EXPECT_EQ(config.error().message().find(kPin), std::string::npos);
  }
}

// A config built in code is validated the same way: a pin-source that parse() would refuse
// cannot slip in through the struct.
TEST(ConfigPinSource, ValidateRefusesAHandBuiltPinSourceThatIsNoAbsolutePath) {
  Pkcs11PassthroughConfig config;
  config.library_path = "/usr/lib/softhsm/libsofthsm2.so";
  config.token_uri = Pkcs11Uri{};
  config.token_uri->token = "ci-token";
  config.token_uri->pin_source = "|/bin/echo 1234";
  const Result<void> valid = config.validate();
  ASSERT_FALSE(valid.has_value());
  EXPECT_EQ(valid.error().code(), ErrorCode::ConfigInvalid);
  EXPECT_EQ(valid.error().message().find("1234"), std::string::npos) << valid.error().message();
}

}  // namespace
}  // namespace craton::hsm
