// SPDX-License-Identifier: Apache-2.0
// PIN resolution (pin_file, pin_env) and load_config's file handling.
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
using testing::kMinimalToml;
using testing::ScopedEnv;
using testing::TempDir;
using testing::unique_env_name;

constexpr auto kOwnerOnly = fs::perms::owner_read | fs::perms::owner_write;

// The minimal valid document plus `extra` lines.
std::string toml_with(std::string_view extra) {
  return fmt::format("{}{}\n", kMinimalToml, extra);
}

TEST(ConfigPin, ComesFromTheNamedEnvironmentVariable) {
  const ScopedEnv env(unique_env_name(), "env-pin-5521");
  const Result<Pkcs11PassthroughConfig> config =
      parse_config(toml_with(fmt::format("pin_env = \"{}\"", env.name())), "t");
  ASSERT_TRUE(config.has_value()) << config.error();
  ASSERT_TRUE(config->user_pin.has_value()) << "the variable is set, so the PIN must be";
  EXPECT_EQ(config->user_pin->expose(), "env-pin-5521");
}

TEST(ConfigPin, DefaultEnvironmentVariableIsCratonHsmPin) {
  const ScopedEnv env("CRATON_HSM_PIN", "default-var-pin");
  const Result<Pkcs11PassthroughConfig> config = parse_config(kMinimalToml, "t");
  ASSERT_TRUE(config.has_value()) << config.error();
  ASSERT_TRUE(config->user_pin.has_value());
  EXPECT_EQ(config->user_pin->expose(), "default-var-pin");
}

TEST(ConfigPin, UnsetOrEmptyEnvironmentVariableLeavesThePinUnset) {
  const ScopedEnv unset(unique_env_name(), std::nullopt);
  const std::string toml = toml_with(fmt::format("pin_env = \"{}\"", unset.name()));
  const Result<Pkcs11PassthroughConfig> without = parse_config(toml, "t");
  ASSERT_TRUE(without.has_value()) << without.error();
  EXPECT_FALSE(without->user_pin.has_value()) << "no PIN is allowed (e.g. for `info`)";

  const ScopedEnv empty(unset.name(), "");
  const Result<Pkcs11PassthroughConfig> with_empty = parse_config(toml, "t");
  ASSERT_TRUE(with_empty.has_value()) << with_empty.error();
  EXPECT_FALSE(with_empty->user_pin.has_value()) << "an empty variable counts as unset";
}

TEST(ConfigPin, OwnerOnlyPinFileIsAcceptedAndWinsOverTheEnvironment) {
  const TempDir dir;
  const fs::path pin = dir.write("pin", "file-pin-7734\n", kOwnerOnly);
  const ScopedEnv env(unique_env_name(), "env-pin-must-lose");
  const Result<Pkcs11PassthroughConfig> config = parse_config(
      toml_with(fmt::format("pin_env = \"{}\"\npin_file = \"{}\"", env.name(), pin.string())), "t");
  ASSERT_TRUE(config.has_value()) << config.error();
  ASSERT_TRUE(config->user_pin.has_value());
  EXPECT_EQ(config->user_pin->expose(), "file-pin-7734");
  EXPECT_EQ(config->pin_file, pin);
}

TEST(ConfigPin, ReadOnlyPinFileIsAccepted) {
  const TempDir dir;
  const fs::path pin = dir.write("pin", "4321", fs::perms::owner_read);
  const Result<SecretString> secret = read_pin_file(pin);
  ASSERT_TRUE(secret.has_value()) << secret.error();
  EXPECT_EQ(secret->expose(), "4321");
}

TEST(ConfigPin, ExactlyOneTrailingLineEndingIsStripped) {
  const TempDir dir;
  const struct {
    std::string_view content;
    std::string_view pin;
  } cases[] = {
      {"1234", "1234"},       {"1234\n", "1234"},       {"1234\r\n", "1234"},
      {"1234\n\n", "1234\n"}, {" 12 34 \n", " 12 34 "}, {"1234\r", "1234\r"},
  };
  for (const auto& c : cases) {
    const fs::path file = dir.write("pin", c.content, kOwnerOnly);
    const Result<SecretString> secret = read_pin_file(file);
    ASSERT_TRUE(secret.has_value()) << secret.error();
    EXPECT_EQ(secret->expose(), c.pin) << "file content: " << ::testing::PrintToString(c.content);
  }
}

class ConfigPinFileMode : public ::testing::TestWithParam<fs::perms> {};

TEST_P(ConfigPinFileMode, WithGroupOrOtherBitsIsRefused) {
  const TempDir dir;
  const fs::path pin = dir.write("pin", "mode-pin-0101\n", GetParam());
  const Result<SecretString> secret = read_pin_file(pin);
  const std::string mode = fmt::format("{:04o}", static_cast<unsigned>(GetParam()));
  ASSERT_TRUE(IsConfigInvalidMentioning(secret, "pin_file"));
  EXPECT_TRUE(IsConfigInvalidMentioning(secret, fmt::format("mode {}", mode)));
  EXPECT_EQ(secret.error().message().find("mode-pin-0101"), std::string::npos)
      << secret.error().message();

  const Result<Pkcs11PassthroughConfig> config =
      parse_config(toml_with(fmt::format("pin_file = \"{}\"", pin.string())), "t");
  EXPECT_TRUE(IsConfigInvalidMentioning(config, "pin_file")) << "load path refuses it too";
}

using enum fs::perms;
INSTANTIATE_TEST_SUITE_P(
    Modes, ConfigPinFileMode,
    ::testing::Values(owner_read | owner_write | group_read,                // 0640
                      owner_read | owner_write | others_read,               // 0604
                      owner_read | owner_write | group_write,               // 0620
                      owner_read | others_write,                            // 0402
                      owner_read | owner_write | group_exec,                // 0610
                      owner_read | owner_write | group_read | others_read,  // 0644
                      owner_read | owner_write | group_all | others_all),   // 0677
    [](const ::testing::TestParamInfo<fs::perms>& info) {
      return fmt::format("mode_{:04o}", static_cast<unsigned>(info.param));
    });

TEST(ConfigPin, MissingPinFileIsRefused) {
  const TempDir dir;
  const fs::path missing = dir.path() / "no-such-pin";
  EXPECT_TRUE(IsConfigInvalidMentioning(read_pin_file(missing), "pin_file"));
  const Result<Pkcs11PassthroughConfig> config =
      parse_config(toml_with(fmt::format("pin_file = \"{}\"", missing.string())), "t");
  EXPECT_TRUE(IsConfigInvalidMentioning(config, "pin_file: cannot open"));
}

TEST(ConfigPin, SymlinkedPinFileIsRefused) {
  const TempDir dir;
  const fs::path target = dir.write("real-pin", "1234", kOwnerOnly);
  const fs::path link = dir.path() / "pin-link";
  fs::create_symlink(target, link);
  EXPECT_TRUE(IsConfigInvalidMentioning(read_pin_file(link), "pin_file"));
  EXPECT_TRUE(IsConfigInvalidMentioning(read_pin_file(link), "symbolic link"));
}

TEST(ConfigPin, DirectoryAsPinFileIsRefused) {
  const TempDir dir;
  const fs::path sub = dir.path() / "sub";
  fs::create_directory(sub);
  fs::permissions(sub, fs::perms::owner_all);
  EXPECT_TRUE(IsConfigInvalidMentioning(read_pin_file(sub), "not a regular file"));
}

TEST(ConfigPin, EmptyPinFileIsRefused) {
  const TempDir dir;
  EXPECT_TRUE(
      IsConfigInvalidMentioning(read_pin_file(dir.write("empty", "", kOwnerOnly)), "pin_file"));
  EXPECT_TRUE(
      IsConfigInvalidMentioning(read_pin_file(dir.write("newline", "\n", kOwnerOnly)), "is empty"))
      << "a lone newline leaves an empty PIN";
}

TEST(ConfigPin, OversizedPinFileIsRefused) {
  const TempDir dir;
  const fs::path big = dir.write("big", std::string(5000, 'x'), kOwnerOnly);
  EXPECT_TRUE(IsConfigInvalidMentioning(read_pin_file(big), "larger than"));
}

TEST(ConfigLoad, ReadsAFileAndResolvesARelativePinFileNextToIt) {
  const TempDir dir;
  dir.write("pin", "relative-pin-8080\n", kOwnerOnly);
  const fs::path file = dir.write("craton.toml", toml_with("pin_file = \"pin\"\npool_size = 4"),
                                  kOwnerOnly | fs::perms::group_read | fs::perms::others_read);
  const Result<Pkcs11PassthroughConfig> config = load_config(file);
  ASSERT_TRUE(config.has_value()) << config.error();
  EXPECT_EQ(config->pin_file, dir.path() / "pin") << "relative to the config file's directory";
  ASSERT_TRUE(config->user_pin.has_value());
  EXPECT_EQ(config->user_pin->expose(), "relative-pin-8080");
  EXPECT_EQ(config->pool_size, 4u);
}

TEST(ConfigLoad, MissingFileIsConfigInvalid) {
  const TempDir dir;
  const fs::path missing = dir.path() / "absent.toml";
  EXPECT_TRUE(IsConfigInvalidMentioning(load_config(missing), missing.string()));
}

TEST(ConfigLoad, DirectoryIsConfigInvalid) {
  const TempDir dir;
  EXPECT_TRUE(IsConfigInvalidMentioning(load_config(dir.path()), "not a regular file"));
}

TEST(ConfigLoad, ErrorsNameTheFileAndTheField) {
  const TempDir dir;
  const fs::path file = dir.write("bad.toml", toml_with("pool_size = 0"), kOwnerOnly);
  EXPECT_TRUE(IsConfigInvalidMentioning(
      load_config(file),
      fmt::format("{}: pool_size: must be between 1 and 256, got 0", file.string())));
}

TEST(ConfigLoad, InvalidConfigIsReportedBeforeThePinFileIsRead) {
  const TempDir dir;
  const fs::path pin = dir.write("pin", "1234", fs::perms::owner_read | fs::perms::others_read);
  const fs::path file = dir.write(
      "bad.toml", toml_with(fmt::format("pin_file = \"{}\"\ncache_capacity = 0", pin.string())),
      kOwnerOnly);
  EXPECT_TRUE(IsConfigInvalidMentioning(load_config(file), "cache_capacity"));
}

}  // namespace
}  // namespace craton::hsm
