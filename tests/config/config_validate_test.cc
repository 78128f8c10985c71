// SPDX-License-Identifier: Apache-2.0
// Pkcs11PassthroughConfig::validate() on configs built in code rather than parsed.
#include <craton/hsm/config.h>

#include <cstdint>

#include <gtest/gtest.h>

#include "config/config_test_util.h"

namespace craton::hsm {
namespace {

using testing::IsConfigInvalidMentioning;

Pkcs11PassthroughConfig valid_config() {
  Pkcs11PassthroughConfig config;
  config.library_path = "/usr/lib/softhsm/libsofthsm2.so";
  config.token_label = "ci-token";
  return config;
}

TEST(ConfigValidate, AcceptsAMinimalConfig) {
  const Result<void> valid = valid_config().validate();
  EXPECT_TRUE(valid.has_value()) << valid.error();
}

TEST(ConfigValidate, DefaultConstructedConfigNeedsALibraryPath) {
  EXPECT_TRUE(IsConfigInvalidMentioning(Pkcs11PassthroughConfig{}.validate(), "library_path"));
}

TEST(ConfigValidate, RejectsARelativeLibraryPath) {
  Pkcs11PassthroughConfig config = valid_config();
  config.library_path = "softhsm/libsofthsm2.so";
  EXPECT_TRUE(IsConfigInvalidMentioning(config.validate(), "library_path: must be an absolute"));
}

TEST(ConfigValidate, RequiresExactlyOneSelector) {
  Pkcs11PassthroughConfig none = valid_config();
  none.token_label.reset();
  EXPECT_TRUE(IsConfigInvalidMentioning(none.validate(), "none is"));

  Pkcs11PassthroughConfig two = valid_config();
  two.token_serial = "1234";
  EXPECT_TRUE(IsConfigInvalidMentioning(two.validate(), "token_label, token_serial"));

  Pkcs11PassthroughConfig slot = valid_config();
  slot.token_label.reset();
  slot.slot_id = 7;
  EXPECT_TRUE(slot.validate().has_value()) << "slot_id alone is a valid selector";
}

TEST(ConfigValidate, ChecksRangesOnStructFields) {
  Pkcs11PassthroughConfig pool = valid_config();
  pool.pool_size = 0;
  EXPECT_TRUE(IsConfigInvalidMentioning(pool.validate(), "pool_size: must be between 1 and 256"));

  Pkcs11PassthroughConfig timeout = valid_config();
  timeout.acquire_timeout = std::chrono::milliseconds(-5);
  EXPECT_TRUE(IsConfigInvalidMentioning(timeout.validate(), "acquire_timeout_ms"));

  Pkcs11PassthroughConfig cache = valid_config();
  cache.cache_capacity = 100'000;
  EXPECT_TRUE(IsConfigInvalidMentioning(cache.validate(), "cache_capacity"));

  Pkcs11PassthroughConfig gcm = valid_config();
  gcm.gcm_max_messages_per_key = (std::uint64_t{1} << 32) + 1;
  EXPECT_TRUE(IsConfigInvalidMentioning(gcm.validate(), "gcm_max_messages_per_key"));
  gcm.gcm_max_messages_per_key = UINT64_MAX;
  EXPECT_TRUE(IsConfigInvalidMentioning(gcm.validate(), "gcm_max_messages_per_key"))
      << "values above INT64_MAX must not wrap into range";
}

TEST(ConfigValidate, ChecksThePinEnvName) {
  Pkcs11PassthroughConfig config = valid_config();
  config.pin_env = "PIN=1234";
  EXPECT_TRUE(IsConfigInvalidMentioning(config.validate(), "pin_env"));
  config.pin_env = "_Lower_case_9";
  EXPECT_TRUE(config.validate().has_value()) << "underscores, lower case and digits are fine";
}

}  // namespace
}  // namespace craton::hsm
