// SPDX-License-Identifier: Apache-2.0
// to_string / fmt / operator<<: one line, every field, and the PIN always redacted.
#include <craton/hsm/config.h>

#include <sstream>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace craton::hsm {
namespace {

constexpr std::string_view kPin = "do-not-print-2468";

Pkcs11PassthroughConfig config_with_pin() {
  Pkcs11PassthroughConfig config;
  config.library_path = "/usr/lib/softhsm/libsofthsm2.so";
  config.token_label = "ci-token";
  config.user_pin = SecretString(kPin);
  return config;
}

TEST(ConfigFormat, ListsEveryFieldOnOneLine) {
  const std::string text = to_string(config_with_pin());
  EXPECT_EQ(text,
            "Pkcs11PassthroughConfig{library_path=\"/usr/lib/softhsm/libsofthsm2.so\", "
            "token_label=\"ci-token\", user_pin=<redacted>, pin_env=CRATON_HSM_PIN, "
            "pin_file=<unset>, init_reserved=<unset>, serialize_calls=<profile>, "
            "vendor_profile=\"auto\", vendor_quirks={}, import_method=auto, "
            "allow_software_keygen_fallback=false, "
            "allow_unprotected_library_path=false, allow_keys_without_login=false, "
            "strict_usages=false, pool_size=8, "
            "acquire_timeout_ms=5000, operation_timeout_ms=0, breaker_threshold=5, "
            "breaker_cooldown_ms=2000, cache_capacity=256, gcm_max_messages_per_key=4294967296, "
            "max_message_bytes=67108864, concurrency=\"unlimited\", "
            "budget={store=memory, block_min=16, block_max=65536, timeout_ms=2000}, "
            "audit=<unset>}");
}

TEST(ConfigClone, CopiesEveryFieldAndThePin) {
  Pkcs11PassthroughConfig config = config_with_pin();
  config.token_label.reset();
  config.token_uri = Pkcs11Uri::parse("pkcs11:token=ci-token").value();
  config.slot_id = 7;
  config.token_serial = "0123";
  config.pin_env = "OTHER_PIN";
  config.pin_file = "/etc/craton/pin";
  config.init_reserved = "configdir='sql:/tmp/nssdb'";
  config.serialize_calls = true;
  config.vendor_profile = "luna";
  config.vendor_quirks = {{"max_sessions", std::int64_t{4}}, {"oaep_sha1_only", true}};
  config.import_method = ImportMethod::Unwrap;
  config.allow_software_keygen_fallback = true;
  config.allow_unprotected_library_path = true;
  config.allow_keys_without_login = true;
  config.strict_usages = true;
  config.pool_size = 3;
  config.acquire_timeout = std::chrono::milliseconds(17);
  config.cache_capacity = 5;
  config.gcm_max_messages_per_key = 11;
  config.max_message_bytes = 13;
  AuditConfig audit;
  audit.file = "/var/log/audit.jsonl";
  audit.key_label = "audit-key";
  config.audit = audit;
  const Pkcs11PassthroughConfig copy = config.clone();
  // to_string lists every field, so a field clone() forgot shows up as a difference.
  EXPECT_EQ(to_string(copy), to_string(config));
  ASSERT_TRUE(copy.user_pin.has_value());
  EXPECT_EQ(copy.user_pin->expose(), kPin);
}

TEST(ConfigFormat, FmtAndOstreamNeverShowThePin) {
  const Pkcs11PassthroughConfig config = config_with_pin();
  const std::string via_fmt = fmt::format("{}", config);
  std::ostringstream stream;
  stream << config;
  const std::string via_stream = stream.str();

  for (const std::string& text : {via_fmt, via_stream}) {
    EXPECT_EQ(text.find(kPin), std::string::npos) << "PIN leaked: " << text;
    EXPECT_NE(text.find("user_pin=<redacted>"), std::string::npos) << text;
  }
  EXPECT_EQ(via_fmt, via_stream) << "both paths print the same line";
  EXPECT_EQ(via_fmt, to_string(config));
}

TEST(ConfigFormat, UnsetPinAndOtherSelectorsPrintAsSuch) {
  Pkcs11PassthroughConfig config;
  config.library_path = "/lib/x.so";
  config.slot_id = 3;
  config.token_serial = "abc";
  config.pin_file = "/etc/craton/pin";
  const std::string text = fmt::format("{}", config);
  EXPECT_NE(text.find("user_pin=<unset>"), std::string::npos) << text;
  EXPECT_NE(text.find("slot_id=3, token_serial=\"abc\""), std::string::npos) << text;
  EXPECT_NE(text.find("pin_file=\"/etc/craton/pin\""), std::string::npos) << text;
}

TEST(ConfigFormat, ControlCharactersCannotBreakTheLine) {
  Pkcs11PassthroughConfig config = config_with_pin();
  config.token_label = "evil\nuser_pin=1234";
  config.pin_env = "BAD\nNAME";
  const std::string text = to_string(config);
  EXPECT_EQ(text.find('\n'), std::string::npos) << text;
  EXPECT_NE(text.find("token_label=\"evil\\nuser_pin=1234\""), std::string::npos) << text;
  EXPECT_NE(text.find("pin_env=\"BAD\\nNAME\""), std::string::npos) << text;
}

}  // namespace
}  // namespace craton::hsm
