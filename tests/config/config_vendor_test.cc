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

std::string with_minimal(std::string_view extra) {
  return std::string(kMinimalToml) + std::string(extra) + "\n";
}

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

}  // namespace
}  // namespace craton::hsm
