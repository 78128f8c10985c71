// SPDX-License-Identifier: Apache-2.0
// build_config: how --config, the command-line overrides and the environment combine.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include <fmt/format.h>

#include "cli/options.h"
#include "support/matchers.h"
#include "support/softhsm_token.h"

namespace craton::hsm::cli {
namespace {

using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;
using ::craton::hsm::testing::kModulePath;
using ::craton::hsm::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

namespace fs = std::filesystem;

// Sets an environment variable for one test and restores the previous state afterwards.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(BuildConfig, RequiresModuleWithoutConfigFile) {
  const Result<CliConfig> config = build_config(GlobalOptions{});
  ASSERT_THAT(config, HasErrorCode(ErrorCode::ConfigInvalid));
  EXPECT_THAT(config.error().message(), HasSubstr("--module"));
}

TEST(BuildConfig, ModuleAloneHasNoSelectorAndDefaults) {
  const ScopedEnv no_pin("CRATON_HSM_PIN", "");
  GlobalOptions options;
  options.module = std::string(kModulePath);
  const Result<CliConfig> config = build_config(options);
  ASSERT_THAT(config, IsOk());
  EXPECT_FALSE(config->has_selector);
  EXPECT_EQ(config->config.library_path, fs::path(kModulePath));
  EXPECT_EQ(config->config.pool_size, Pkcs11PassthroughConfig{}.pool_size);
  EXPECT_FALSE(config->config.user_pin);
}

TEST(BuildConfig, ReadsPinFromEnvironmentWithoutConfigFile) {
  const ScopedEnv pin("CRATON_HSM_PIN", "9731-distinct");
  GlobalOptions options;
  options.module = std::string(kModulePath);
  options.token_label = "ci-token";
  const Result<CliConfig> config = build_config(options);
  ASSERT_THAT(config, IsOk());
  EXPECT_TRUE(config->has_selector);
  ASSERT_TRUE(config->config.user_pin);
  EXPECT_EQ(config->config.user_pin->expose(), "9731-distinct");
  EXPECT_THAT(fmt::format("{}", config->config), Not(HasSubstr("9731")));
}

TEST(BuildConfig, CommandLineSelectorClearsTheFileSelectors) {
  const TempDir dir;
  const auto file = dir.write("hsm.toml", fmt::format("library_path = \"{}\"\n"
                                                      "token_serial = \"abc\"\n"
                                                      "pool_size = 3\n",
                                                      kModulePath));
  GlobalOptions options;
  options.config_file = file;
  options.slot_id = 5;
  const Result<CliConfig> config = build_config(options);
  ASSERT_THAT(config, IsOk());
  EXPECT_EQ(config->config.slot_id, std::optional<std::uint64_t>{5});
  EXPECT_FALSE(config->config.token_serial);
  EXPECT_FALSE(config->config.token_label);
  EXPECT_EQ(config->config.pool_size, 3u);  // the rest of the file is kept
  EXPECT_THAT(config->config.validate(), IsOk()) << "exactly one selector remains";
}

TEST(BuildConfig, FileSelectorIsKeptWithoutCommandLineSelector) {
  const TempDir dir;
  const auto file = dir.write("hsm.toml", fmt::format("library_path = \"{}\"\n"
                                                      "token_label = \"ci-token\"\n",
                                                      kModulePath));
  GlobalOptions options;
  options.config_file = file;
  options.module = "/opt/vendor/libpkcs11.so";
  const Result<CliConfig> config = build_config(options);
  ASSERT_THAT(config, IsOk());
  EXPECT_TRUE(config->has_selector);
  EXPECT_EQ(config->config.token_label, std::optional<std::string>{"ci-token"});
  EXPECT_EQ(config->config.library_path, fs::path("/opt/vendor/libpkcs11.so"));
}

TEST(BuildConfig, PinFileOverridesEnvironment) {
  const ScopedEnv pin("CRATON_HSM_PIN", "from-env");
  const TempDir dir;
  const auto pin_file = dir.write("pin", "from-file\n");
  GlobalOptions options;
  options.module = std::string(kModulePath);
  options.pin_file = pin_file;
  const Result<CliConfig> config = build_config(options);
  ASSERT_THAT(config, IsOk());
  ASSERT_TRUE(config->config.user_pin);
  EXPECT_EQ(config->config.user_pin->expose(), "from-file");
  EXPECT_EQ(config->config.pin_file, std::optional<fs::path>{pin_file});
}

TEST(BuildConfig, UnreadablePinFileIsConfigInvalid) {
  const TempDir dir;
  GlobalOptions options;
  options.module = std::string(kModulePath);
  options.pin_file = dir.path() / "absent";
  const Result<CliConfig> config = build_config(options);
  EXPECT_THAT(config, HasErrorCode(ErrorCode::ConfigInvalid));
}

}  // namespace
}  // namespace craton::hsm::cli
