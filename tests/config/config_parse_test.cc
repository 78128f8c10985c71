// SPDX-License-Identifier: Apache-2.0
// parse_config: the TOML schema, its defaults, and one ConfigInvalid per kind of bad value.
#include <craton/hsm/config.h>

#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "config/config_test_util.h"

namespace craton::hsm {
namespace {

using testing::IsConfigInvalidMentioning;
using testing::kMinimalToml;
using testing::ScopedEnv;
using testing::with_minimal;

TEST(ConfigParse, FullConfigRoundTripsEveryField) {
  const std::string toml = R"(
library_path = "/opt/vendor/lib/libvendorpkcs11.so"
token_serial = "0123456789abcdef"
pin_env = "MY_SERVICE_PIN"
allow_software_keygen_fallback = true
allow_unprotected_library_path = true
strict_usages = true
pool_size = 16
acquire_timeout_ms = 250
operation_timeout_ms = 1500
breaker_threshold = 7
breaker_cooldown_ms = 900
cache_capacity = 1024
gcm_max_messages_per_key = 1000000
max_message_bytes = 1048576
)";
  const ScopedEnv no_pin("MY_SERVICE_PIN", std::nullopt);
  const Result<Pkcs11PassthroughConfig> config = parse_config(toml, "full.toml");
  ASSERT_TRUE(config.has_value()) << config.error();
  EXPECT_EQ(config->library_path, "/opt/vendor/lib/libvendorpkcs11.so");
  EXPECT_FALSE(config->slot_id.has_value());
  EXPECT_FALSE(config->token_label.has_value());
  EXPECT_EQ(config->token_serial, "0123456789abcdef");
  EXPECT_FALSE(config->user_pin.has_value()) << "MY_SERVICE_PIN is unset, so no PIN";
  EXPECT_EQ(config->pin_env, "MY_SERVICE_PIN");
  EXPECT_FALSE(config->pin_file.has_value());
  EXPECT_TRUE(config->allow_software_keygen_fallback);
  EXPECT_TRUE(config->allow_unprotected_library_path);
  EXPECT_TRUE(config->strict_usages);
  EXPECT_EQ(config->pool_size, 16u);
  EXPECT_EQ(config->acquire_timeout, std::chrono::milliseconds(250));
  EXPECT_EQ(config->operation_timeout, std::chrono::milliseconds(1500));
  EXPECT_EQ(config->breaker_threshold, 7u);
  EXPECT_EQ(config->breaker_cooldown, std::chrono::milliseconds(900));
  EXPECT_EQ(config->cache_capacity, 1024u);
  EXPECT_EQ(config->gcm_max_messages_per_key, 1'000'000u);
  EXPECT_EQ(config->max_message_bytes, 1'048'576u);
  EXPECT_TRUE(config->validate().has_value()) << "a loaded config is always valid";
}

TEST(ConfigParse, OmittedKeysTakeTheDocumentedDefaults) {
  const ScopedEnv no_pin("CRATON_HSM_PIN", std::nullopt);
  const Result<Pkcs11PassthroughConfig> config = parse_config(kMinimalToml, "minimal.toml");
  ASSERT_TRUE(config.has_value()) << config.error();
  EXPECT_EQ(config->library_path, "/usr/lib/softhsm/libsofthsm2.so");
  EXPECT_EQ(config->token_label, "ci-token");
  EXPECT_FALSE(config->slot_id.has_value());
  EXPECT_FALSE(config->token_serial.has_value());
  EXPECT_FALSE(config->user_pin.has_value());
  EXPECT_EQ(config->pin_env, "CRATON_HSM_PIN");
  EXPECT_FALSE(config->pin_file.has_value());
  EXPECT_FALSE(config->allow_software_keygen_fallback);
  EXPECT_FALSE(config->allow_unprotected_library_path);
  EXPECT_FALSE(config->strict_usages);
  EXPECT_EQ(config->pool_size, 8u);
  EXPECT_EQ(config->acquire_timeout, std::chrono::milliseconds(5000));
  EXPECT_EQ(config->operation_timeout, std::chrono::milliseconds(0));
  EXPECT_EQ(config->breaker_threshold, 5u);
  EXPECT_EQ(config->breaker_cooldown, std::chrono::milliseconds(2000));
  EXPECT_EQ(config->cache_capacity, 256u);
  EXPECT_EQ(config->gcm_max_messages_per_key, std::uint64_t{1} << 32);
  EXPECT_EQ(config->max_message_bytes, std::uint64_t{64} << 20);
}

TEST(ConfigParse, SlotIdSelectsTheToken) {
  const Result<Pkcs11PassthroughConfig> config =
      parse_config("library_path = \"/usr/lib/softhsm/libsofthsm2.so\"\nslot_id = 0\n", "t");
  ASSERT_TRUE(config.has_value()) << config.error();
  EXPECT_EQ(config->slot_id, 0u);
  EXPECT_FALSE(config->token_label.has_value());
}

TEST(ConfigParse, BoundaryValuesAreAccepted) {
  const std::string toml = R"(
library_path = "/usr/lib/softhsm/libsofthsm2.so"
token_label = "12345678901234567890123456789012"
pool_size = 256
acquire_timeout_ms = 600000
cache_capacity = 65536
gcm_max_messages_per_key = 4294967296
)";
  const Result<Pkcs11PassthroughConfig> config = parse_config(toml, "t");
  ASSERT_TRUE(config.has_value()) << config.error();
  EXPECT_EQ(config->token_label->size(), 32u);
  EXPECT_EQ(config->pool_size, 256u);
  EXPECT_EQ(config->acquire_timeout, std::chrono::milliseconds(600'000));
  EXPECT_EQ(config->cache_capacity, 65'536u);
  EXPECT_EQ(config->gcm_max_messages_per_key, 4'294'967'296u);

  const Result<Pkcs11PassthroughConfig> lower =
      parse_config(with_minimal("pool_size = 1\nacquire_timeout_ms = 1\ncache_capacity = 1\n"
                                "gcm_max_messages_per_key = 1"),
                   "t");
  ASSERT_TRUE(lower.has_value()) << lower.error();
  EXPECT_EQ(lower->pool_size, 1u);
  EXPECT_EQ(lower->gcm_max_messages_per_key, 1u);
}

// One bad document and the text its ConfigInvalid message must contain (the field name).
struct BadConfig {
  std::string name;
  std::string toml;
  std::string field;
};

void PrintTo(const BadConfig& bad, std::ostream* out) {
  *out << bad.name;
}

constexpr std::string_view kLib = "library_path = \"/usr/lib/softhsm/libsofthsm2.so\"\n";

std::string lib_and(std::string_view rest) {
  return std::string(kLib) + std::string(rest) + "\n";
}

std::vector<BadConfig> bad_configs() {
  return {
      {"missing_library_path", "token_label = \"ci-token\"\n", "library_path"},
      {"empty_library_path", "library_path = \"\"\ntoken_label = \"ci-token\"\n", "library_path"},
      {"relative_library_path", "library_path = \"libsofthsm2.so\"\ntoken_label = \"t\"\n",
       "library_path"},
      {"dot_relative_library_path", "library_path = \"./lib/x.so\"\ntoken_label = \"t\"\n",
       "library_path"},
      {"no_selector", std::string(kLib), "token_label"},
      {"two_selectors", lib_and("slot_id = 0\ntoken_label = \"ci-token\""), "slot_id, token_label"},
      {"three_selectors", lib_and("slot_id = 1\ntoken_label = \"a\"\ntoken_serial = \"b\""),
       "token_serial"},
      {"slot_id_negative", lib_and("slot_id = -1"), "slot_id"},
      {"label_too_long", lib_and("token_label = \"123456789012345678901234567890123\""),
       "token_label"},
      {"label_empty", lib_and("token_label = \"\""), "token_label"},
      {"serial_too_long", lib_and("token_serial = \"12345678901234567\""), "token_serial"},
      {"serial_empty", lib_and("token_serial = \"\""), "token_serial"},
      {"pool_size_zero", with_minimal("pool_size = 0"), "pool_size"},
      {"pool_size_257", with_minimal("pool_size = 257"), "pool_size"},
      {"pool_size_wraps_uint32", with_minimal("pool_size = 4294967297"), "pool_size"},
      {"pool_size_negative", with_minimal("pool_size = -8"), "pool_size"},
      {"acquire_timeout_zero", with_minimal("acquire_timeout_ms = 0"), "acquire_timeout_ms"},
      {"acquire_timeout_too_long", with_minimal("acquire_timeout_ms = 600001"),
       "acquire_timeout_ms"},
      {"operation_timeout_negative", with_minimal("operation_timeout_ms = -1"),
       "operation_timeout_ms"},
      {"operation_timeout_too_long", with_minimal("operation_timeout_ms = 600001"),
       "operation_timeout_ms"},
      {"breaker_threshold_negative", with_minimal("breaker_threshold = -1"), "breaker_threshold"},
      {"breaker_threshold_too_big", with_minimal("breaker_threshold = 1001"), "breaker_threshold"},
      {"breaker_cooldown_zero", with_minimal("breaker_cooldown_ms = 0"), "breaker_cooldown_ms"},
      {"cache_capacity_zero", with_minimal("cache_capacity = 0"), "cache_capacity"},
      {"cache_capacity_too_big", with_minimal("cache_capacity = 65537"), "cache_capacity"},
      {"gcm_zero", with_minimal("gcm_max_messages_per_key = 0"), "gcm_max_messages_per_key"},
      {"gcm_above_nist_bound", with_minimal("gcm_max_messages_per_key = 4294967297"),
       "gcm_max_messages_per_key"},
      {"max_message_bytes_zero", with_minimal("max_message_bytes = 0"), "max_message_bytes"},
      {"max_message_bytes_above_1gib", with_minimal("max_message_bytes = 1073741825"),
       "max_message_bytes"},
      {"pin_env_starts_with_digit", with_minimal("pin_env = \"1PIN\""), "pin_env"},
      {"pin_env_has_dash", with_minimal("pin_env = \"MY-PIN\""), "pin_env"},
      {"pin_env_empty", with_minimal("pin_env = \"\""), "pin_env"},
      {"pin_file_empty", with_minimal("pin_file = \"\""), "pin_file"},
      {"library_path_integer", "library_path = 42\ntoken_label = \"t\"\n",
       "library_path: expected a string, got an integer"},
      {"pool_size_string", with_minimal("pool_size = \"8\""),
       "pool_size: expected an integer, got a string"},
      {"pool_size_float", with_minimal("pool_size = 8.0"),
       "pool_size: expected an integer, got a floating-point number"},
      {"slot_id_string", lib_and("slot_id = \"0\""), "slot_id: expected an integer"},
      {"label_boolean", lib_and("token_label = true"),
       "token_label: expected a string, got a boolean"},
      {"fallback_string", with_minimal("allow_software_keygen_fallback = \"yes\""),
       "allow_software_keygen_fallback: expected a boolean, got a string"},
      {"unprotected_integer", with_minimal("allow_unprotected_library_path = 1"),
       "allow_unprotected_library_path: expected a boolean, got an integer"},
      {"pin_env_array", with_minimal("pin_env = [\"A\"]"),
       "pin_env: expected a string, got an array"},
      {"pin_file_table", with_minimal("pin_file = { path = \"/x\" }"),
       "pin_file: expected a string, got a table"},
      {"gcm_float", with_minimal("gcm_max_messages_per_key = 1e9"),
       "gcm_max_messages_per_key: expected an integer"},
      {"acquire_timeout_date", with_minimal("acquire_timeout_ms = 2024-01-01"),
       "acquire_timeout_ms: expected an integer, got a date"},
      {"unknown_key", with_minimal("pol_size = 8"), "pol_size"},
      {"strict_usages_string", with_minimal("strict_usages = \"yes\""),
       "strict_usages: expected a boolean"},
      {"unknown_table", with_minimal("[pkcs11]\nlibrary = \"/x\""), "pkcs11"},
      {"user_pin_present", with_minimal("user_pin = \"1234\""), "user_pin"},
      {"pin_present", with_minimal("pin = \"1234\""), "pin: PINs never live in the config file"},
      {"so_pin_present", with_minimal("so_pin = \"12345678\""), "so_pin"},
      {"syntax_error", with_minimal("pool_size = = 8"), "line 3"},
      {"unterminated_string", "library_path = \"/usr/lib/x.so\ntoken_label = \"t\"\n", "line 1"},
      {"duplicate_key", with_minimal("pool_size = 1\npool_size = 2"), "line 4"},
  };
}

class ConfigParseRejects : public ::testing::TestWithParam<BadConfig> {};

TEST_P(ConfigParseRejects, WithConfigInvalidNamingTheField) {
  const BadConfig& bad = GetParam();
  const Result<Pkcs11PassthroughConfig> config = parse_config(bad.toml, "bad.toml");
  EXPECT_TRUE(IsConfigInvalidMentioning(config, bad.field)) << "document:\n" << bad.toml;
  EXPECT_TRUE(IsConfigInvalidMentioning(config, "bad.toml: "))
      << "every message starts with the origin";
}

INSTANTIATE_TEST_SUITE_P(BadValues, ConfigParseRejects, ::testing::ValuesIn(bad_configs()),
                         [](const ::testing::TestParamInfo<BadConfig>& info) {
                           return info.param.name;
                         });

TEST(ConfigParse, PinKeysAreRefusedWithoutEchoingTheValue) {
  const Result<Pkcs11PassthroughConfig> config =
      parse_config(with_minimal("user_pin = \"s3cret-Pin-9931\""), "t");
  ASSERT_TRUE(IsConfigInvalidMentioning(config, "use pin_env or pin_file"));
  EXPECT_EQ(config.error().message().find("s3cret-Pin-9931"), std::string::npos)
      << config.error().message();
}

TEST(ConfigParse, PinKeyInABrokenDocumentIsRefusedWithoutEchoingTheValue) {
  // toml++ quotes the unparsable token in its error text; for a PIN that must not happen.
  for (const std::string_view line :
       {"user_pin = 12ab34cd", "  \"so_pin\"=12ab34cd", "pin =1.2.3"}) {
    const Result<Pkcs11PassthroughConfig> config = parse_config(with_minimal(line), "t");
    ASSERT_TRUE(IsConfigInvalidMentioning(config, "PINs never live in the config file"))
        << "line: " << line;
    EXPECT_EQ(config.error().message().find("12ab34cd"), std::string::npos)
        << config.error().message();
    EXPECT_EQ(config.error().message().find("1.2.3"), std::string::npos)
        << config.error().message();
    EXPECT_TRUE(IsConfigInvalidMentioning(config, "(line 3)")) << "line: " << line;
  }
}

TEST(ConfigParse, SyntaxErrorsCarryLineAndColumn) {
  const Result<Pkcs11PassthroughConfig> config =
      parse_config(with_minimal("pool_size = = 8"), "broken.toml");
  ASSERT_TRUE(IsConfigInvalidMentioning(config, "broken.toml: line 3, column 13: invalid TOML"));
}

TEST(ConfigParse, UnknownKeySuggestsTheClosestKnownKey) {
  EXPECT_TRUE(IsConfigInvalidMentioning(parse_config(with_minimal("pol_size = 8"), "t"),
                                        "\"pol_size\": unknown key (did you mean pool_size?)"));
  EXPECT_TRUE(IsConfigInvalidMentioning(parse_config(with_minimal("tokenlabel = \"x\""), "t"),
                                        "did you mean token_label?"));
  const Result<Pkcs11PassthroughConfig> unrelated =
      parse_config(with_minimal("colour = \"blue\""), "t");
  ASSERT_TRUE(IsConfigInvalidMentioning(unrelated, "\"colour\": unknown key"));
  EXPECT_EQ(unrelated.error().message().find("did you mean"), std::string::npos)
      << "no suggestion for a key unlike any known one: " << unrelated.error().message();
}

TEST(ConfigParse, RelativePinFileResolvesAgainstTheWorkingDirectory) {
  const Result<Pkcs11PassthroughConfig> config =
      parse_config(with_minimal("pin_file = \"does-not-exist/pin\""), "t");
  // The PIN file is missing, so the load fails; the message shows the resolved absolute path.
  ASSERT_TRUE(IsConfigInvalidMentioning(config, "pin_file"));
  const std::string expected = (std::filesystem::current_path() / "does-not-exist/pin").string();
  EXPECT_TRUE(IsConfigInvalidMentioning(config, expected));
}

}  // namespace
}  // namespace craton::hsm
