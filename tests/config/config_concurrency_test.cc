// SPDX-License-Identifier: Apache-2.0
// The concurrency setting: the key for every class, the [concurrency] table per class, each
// bad spelling a ConfigInvalid naming the field, and the setting in the printed config.
#include <craton/hsm/config.h>

#include <string>
#include <string_view>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "config/config_test_util.h"

namespace craton::hsm {
namespace {

using testing::IsConfigInvalidMentioning;
using testing::kMinimalToml;

Result<Pkcs11PassthroughConfig> parse_with(std::string_view extra) {
  return parse_config(std::string(kMinimalToml) + std::string(extra) + "\n", "test.toml");
}

TEST(ConfigConcurrency, AbsentMeansUnlimitedForEveryClass) {
  const auto config = parse_with("");
  ASSERT_TRUE(config.has_value()) << config.error();
  EXPECT_EQ(config->concurrency, ConcurrencyConfig::all(ConcurrencyLimit::unlimited()));
}

TEST(ConfigConcurrency, TheKeySetsEveryClass) {
  const auto adaptive = parse_with(R"(concurrency = "adaptive")");
  ASSERT_TRUE(adaptive.has_value()) << adaptive.error();
  EXPECT_EQ(adaptive->concurrency, ConcurrencyConfig::all(ConcurrencyLimit::adaptive()));
  const auto four = parse_with("concurrency = 4");
  ASSERT_TRUE(four.has_value()) << four.error();
  EXPECT_EQ(four->concurrency, ConcurrencyConfig::all(ConcurrencyLimit::at_most(4)));
  const auto unlimited = parse_with(R"(concurrency = "unlimited")");
  ASSERT_TRUE(unlimited.has_value()) << unlimited.error();
  EXPECT_EQ(unlimited->concurrency, ConcurrencyConfig{});
}

TEST(ConfigConcurrency, TheTableSetsClassesOverItsDefault) {
  const auto config = parse_with(R"(
[concurrency]
default = "adaptive"
ec = 3
rsa = "unlimited")");
  ASSERT_TRUE(config.has_value()) << config.error();
  EXPECT_EQ(config->concurrency[OperationClass::Symmetric], ConcurrencyLimit::adaptive());
  EXPECT_EQ(config->concurrency[OperationClass::Ec], ConcurrencyLimit::at_most(3));
  EXPECT_EQ(config->concurrency[OperationClass::Rsa], ConcurrencyLimit::unlimited());
  EXPECT_EQ(config->concurrency[OperationClass::Other], ConcurrencyLimit::adaptive());
  EXPECT_EQ(config->concurrency.to_string(),
            "symmetric=adaptive, ec=3, rsa=unlimited, other=adaptive");
}

TEST(ConfigConcurrency, BadValuesAreConfigInvalidNamingTheField) {
  EXPECT_TRUE(IsConfigInvalidMentioning(parse_with("concurrency = 0"), "concurrency: must be"));
  EXPECT_TRUE(IsConfigInvalidMentioning(parse_with("concurrency = 257"), "1..256"));
  EXPECT_TRUE(IsConfigInvalidMentioning(parse_with("concurrency = -1"), "concurrency: must be"));
  EXPECT_TRUE(IsConfigInvalidMentioning(parse_with(R"(concurrency = "fast")"), R"(got "fast")"));
  EXPECT_TRUE(IsConfigInvalidMentioning(parse_with(R"(concurrency = "4 ")"), "concurrency"));
  EXPECT_TRUE(IsConfigInvalidMentioning(parse_with("concurrency = true"), "concurrency: expected"));
  EXPECT_TRUE(IsConfigInvalidMentioning(parse_with("concurrency = 2.5"), "concurrency: expected"));
  EXPECT_TRUE(IsConfigInvalidMentioning(parse_with("[concurrency]\nsymetric = 2"),
                                        "did you mean concurrency.symmetric?"));
  EXPECT_TRUE(IsConfigInvalidMentioning(parse_with("[concurrency]\nrsa = \"many\""),
                                        "concurrency.rsa: must be"));
}

TEST(ConfigConcurrency, ValidateRefusesAFixedLimitOutsideItsRange) {
  auto config = parse_with("");
  ASSERT_TRUE(config.has_value()) << config.error();
  config->concurrency[OperationClass::Rsa] = ConcurrencyLimit::at_most(0);
  EXPECT_TRUE(IsConfigInvalidMentioning(config->validate(), "concurrency.rsa"));
  config->concurrency[OperationClass::Rsa] = ConcurrencyLimit::at_most(257);
  EXPECT_TRUE(IsConfigInvalidMentioning(config->validate(), "concurrency.rsa"));
  config->concurrency[OperationClass::Rsa] = ConcurrencyLimit::at_most(256);
  EXPECT_TRUE(config->validate().has_value());
}

TEST(ConfigConcurrency, ThePrintedConfigAndItsCloneCarryTheSetting) {
  auto config = parse_with("[concurrency]\nsymmetric = 1");
  ASSERT_TRUE(config.has_value()) << config.error();
  EXPECT_NE(fmt::format("{}", *config)
                .find(R"(concurrency="symmetric=1, ec=unlimited, rsa=unlimited, other=unlimited")"),
            std::string::npos)
      << fmt::format("{}", *config);
  EXPECT_EQ(config->clone().concurrency, config->concurrency);
}

}  // namespace
}  // namespace craton::hsm
