// SPDX-License-Identifier: Apache-2.0
// The import_method key: how secret and private keys reach the token.
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

TEST(ConfigImportMethod, DefaultsToAuto) {
  const Result<Pkcs11PassthroughConfig> config = parse_config(kMinimalToml, "min.toml");
  ASSERT_TRUE(config.has_value()) << config.error();
  EXPECT_EQ(config->import_method, ImportMethod::Auto);
}

TEST(ConfigImportMethod, ReadsEachNameAndPrintsIt) {
  for (const auto method : {ImportMethod::Auto, ImportMethod::Create, ImportMethod::Unwrap}) {
    const std::string name(import_method_name(method));
    const Result<Pkcs11PassthroughConfig> config =
        parse_config(with_minimal("import_method = \"" + name + "\""), "m.toml");
    ASSERT_TRUE(config.has_value()) << config.error();
    EXPECT_EQ(config->import_method, method);
    EXPECT_NE(to_string(*config).find("import_method=" + name), std::string::npos);
    EXPECT_EQ(config->clone().import_method, method);
  }
}

TEST(ConfigImportMethod, UnknownNameIsRefusedWithASuggestion) {
  const auto typo = parse_config(with_minimal("import_method = \"unwarp\""), "typo.toml");
  EXPECT_TRUE(IsConfigInvalidMentioning(typo, "import_method"));
  ASSERT_FALSE(typo.has_value());
  EXPECT_NE(typo.error().message().find("did you mean \"unwrap\""), std::string::npos)
      << typo.error().message();
  EXPECT_TRUE(IsConfigInvalidMentioning(
      parse_config(with_minimal("import_method = true"), "bool.toml"), "import_method"));
}

TEST(ConfigImportMethod, MisspeltKeyIsSuggested) {
  const auto typo = parse_config(with_minimal("import_methd = \"unwrap\""), "key.toml");
  ASSERT_FALSE(typo.has_value());
  EXPECT_NE(typo.error().message().find("import_method"), std::string::npos)
      << typo.error().message();
}

}  // namespace
}  // namespace craton::hsm
