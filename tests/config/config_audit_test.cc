// SPDX-License-Identifier: Apache-2.0
// The [audit] table: every key parsed, defaults, each refusal naming its field, and printing.
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
using testing::ScopedEnv;

Result<Pkcs11PassthroughConfig> parse_audit(std::string_view table_body) {
  return parse_config(std::string(kMinimalToml) + "[audit]\n" + std::string(table_body) + "\n",
                      "audit.toml");
}

TEST(ConfigAudit, AbsentTableMeansNoAuditTrail) {
  const ScopedEnv no_pin("CRATON_HSM_PIN", std::nullopt);
  const auto config = parse_config(kMinimalToml, "minimal.toml");
  ASSERT_TRUE(config.has_value()) << config.error();
  EXPECT_FALSE(config->audit.has_value());
}

TEST(ConfigAudit, ParsesEveryKey) {
  const ScopedEnv no_pin("CRATON_HSM_PIN", std::nullopt);
  const auto config = parse_audit(R"(
file = "/var/log/craton/audit.jsonl"
key_label = "audit-hmac"
durability = "per_record"
on_failure = "fail_open"
queue_capacity = 1024
max_wait_ms = 50
rotate_bytes = 1048576
lock_timeout_ms = 750)");
  ASSERT_TRUE(config.has_value()) << config.error();
  ASSERT_TRUE(config->audit.has_value());
  const AuditConfig& audit = *config->audit;
  EXPECT_EQ(audit.file, "/var/log/craton/audit.jsonl");
  EXPECT_FALSE(audit.key_file.has_value());
  EXPECT_EQ(audit.key_label, "audit-hmac");
  EXPECT_EQ(audit.durability, AuditDurability::PerRecord);
  EXPECT_EQ(audit.on_failure, AuditFailurePolicy::FailOpen);
  EXPECT_EQ(audit.queue_capacity, 1024u);
  EXPECT_EQ(audit.max_wait, std::chrono::milliseconds(50));
  EXPECT_EQ(audit.rotate_bytes, 1'048'576u);
  EXPECT_EQ(audit.lock_timeout, std::chrono::milliseconds(750));
}

TEST(ConfigAudit, OmittedKeysTakeTheDefaultsAndRelativePathsFollowTheConfig) {
  const ScopedEnv no_pin("CRATON_HSM_PIN", std::nullopt);
  const auto config = parse_audit("file = \"/var/log/a.jsonl\"\nkey_file = \"/etc/craton/k\"");
  ASSERT_TRUE(config.has_value()) << config.error();
  const AuditConfig& audit = *config->audit;
  const AuditConfig defaults;
  EXPECT_EQ(audit.key_file, "/etc/craton/k");
  EXPECT_EQ(audit.durability, AuditDurability::PerBatch);
  EXPECT_EQ(audit.on_failure, AuditFailurePolicy::FailClosed);
  EXPECT_EQ(audit.queue_capacity, defaults.queue_capacity);
  EXPECT_EQ(audit.max_wait, defaults.max_wait);
  EXPECT_EQ(audit.rotate_bytes, 0u);
  EXPECT_EQ(audit.lock_timeout, defaults.lock_timeout);
  EXPECT_EQ(parse_audit("file = \"/a\"\nkey_label = \"k\"\ndurability = \"none\"")
                .value()
                .audit->durability,
            AuditDurability::None);

  // parse_config resolves relative paths against the working directory (load_config: against
  // the config file's directory), like pin_file.
  const auto relative = parse_audit("file = \"logs/audit.jsonl\"\nkey_file = \"keys/audit.key\"");
  ASSERT_TRUE(relative.has_value()) << relative.error();
  EXPECT_TRUE(relative->audit->file.is_absolute()) << relative->audit->file;
  EXPECT_TRUE(relative->audit->key_file->is_absolute());
  EXPECT_EQ(relative->audit->file.filename(), "audit.jsonl");
}

TEST(ConfigAudit, FileIsRequiredAndExactlyOneKeySource) {
  EXPECT_TRUE(IsConfigInvalidMentioning(parse_audit("key_label = \"k\""),
                                        "audit.file: required when [audit] is present"));
  EXPECT_TRUE(IsConfigInvalidMentioning(parse_audit("file = \"/a\""),
                                        "audit.key_file/audit.key_label: exactly one must be "
                                        "set, none is"));
  EXPECT_TRUE(IsConfigInvalidMentioning(
      parse_audit("file = \"/a\"\nkey_file = \"/k\"\nkey_label = \"k\""), "both are"));
  EXPECT_TRUE(IsConfigInvalidMentioning(parse_audit("file = \"/a\"\nkey_label = \"\""),
                                        "audit.key_label: must not be empty"));
  EXPECT_TRUE(IsConfigInvalidMentioning(
      parse_audit("file = \"/a\"\nkey_label = \"" + std::string(129, 'k') + "\""),
      "audit.key_label: must be at most 128 bytes"));
}

TEST(ConfigAudit, EnumsAcceptOnlyTheirSpellings) {
  EXPECT_TRUE(IsConfigInvalidMentioning(
      parse_audit("file = \"/a\"\nkey_label = \"k\"\ndurability = \"always\""),
      "audit.durability: must be one of per_record, per_batch, none, got \"always\""));
  EXPECT_TRUE(IsConfigInvalidMentioning(
      parse_audit("file = \"/a\"\nkey_label = \"k\"\non_failure = \"FailOpen\""),
      "audit.on_failure: must be one of fail_closed, fail_open"));
  EXPECT_TRUE(
      IsConfigInvalidMentioning(parse_audit("file = \"/a\"\nkey_label = \"k\"\ndurability = 1"),
                                "audit.durability: expected a string, got an integer"));
}

struct RangeCase {
  std::string_view line;
  std::string_view message;
};

TEST(ConfigAudit, IntegersOutsideTheirRangesAreRefused) {
  const RangeCase cases[] = {
      {"queue_capacity = 0", "audit.queue_capacity: must be between 1 and 1048576, got 0"},
      {"queue_capacity = 1048577", "audit.queue_capacity: must be between 1 and 1048576"},
      {"max_wait_ms = 0", "audit.max_wait_ms: must be between 1 and 60000, got 0"},
      {"max_wait_ms = 60001", "audit.max_wait_ms: must be between 1 and 60000"},
      {"rotate_bytes = 4095", "audit.rotate_bytes: must be 0 (never rotate) or at least 4096"},
      {"rotate_bytes = 1", "audit.rotate_bytes"},
      {"lock_timeout_ms = -1", "audit.lock_timeout_ms: must be between 0 and 600000, got -1"},
      {"lock_timeout_ms = 600001", "audit.lock_timeout_ms: must be between 0 and 600000"},
      {"rotate_bytes = -1", "audit.rotate_bytes: must be at least 0"},
      {"queue_capacity = \"8\"", "audit.queue_capacity: expected an integer, got a string"},
  };
  for (const auto& [line, message] : cases) {
    EXPECT_TRUE(IsConfigInvalidMentioning(
        parse_audit("file = \"/a\"\nkey_label = \"k\"\n" + std::string(line)), message))
        << line;
  }
  const ScopedEnv no_pin("CRATON_HSM_PIN", std::nullopt);
  EXPECT_TRUE(parse_audit("file = \"/a\"\nkey_label = \"k\"\nrotate_bytes = 4096\n"
                          "queue_capacity = 1048576\nmax_wait_ms = 60000")
                  .has_value());
}

TEST(ConfigAudit, UnknownKeysAreRefusedWithASuggestion) {
  EXPECT_TRUE(IsConfigInvalidMentioning(
      parse_audit("file = \"/a\"\nkey_label = \"k\"\ndurabilty = \"none\""),
      "\"audit.durabilty\": unknown key (did you mean audit.durability?)"));
  EXPECT_TRUE(IsConfigInvalidMentioning(
      parse_config(fmt::format("{}audit = 1\n", kMinimalToml), "audit.toml"),
      "audit: expected a table ([audit]), got an integer"));
  EXPECT_TRUE(IsConfigInvalidMentioning(
      parse_config(fmt::format("{}[audt]\nfile = \"/a\"\n", kMinimalToml), "audit.toml"),
      "did you mean audit?"));
  // Two swapped letters are one slip, even in a short word.
  EXPECT_TRUE(IsConfigInvalidMentioning(parse_audit("fiel = \"/a\"\nkey_label = \"k\""),
                                        "did you mean audit.file?"));
}

TEST(ConfigAudit, ValidateChecksConfigsBuiltInCode) {
  Pkcs11PassthroughConfig config;
  config.library_path = "/usr/lib/softhsm/libsofthsm2.so";
  config.token_label = "ci-token";
  config.audit.emplace();
  config.audit->file = "/a";
  config.audit->key_label = "k";
  EXPECT_TRUE(config.validate().has_value());
  config.audit->queue_capacity = 0;
  EXPECT_TRUE(IsConfigInvalidMentioning(config.validate(), "audit.queue_capacity"));
  config.audit->queue_capacity = 8;
  config.audit->max_wait = std::chrono::milliseconds(-1);
  EXPECT_TRUE(IsConfigInvalidMentioning(config.validate(), "audit.max_wait_ms"));
  config.audit->max_wait = std::chrono::milliseconds(200);
  config.audit->lock_timeout = std::chrono::milliseconds(-1);
  EXPECT_TRUE(IsConfigInvalidMentioning(config.validate(), "audit.lock_timeout_ms"));
}

TEST(ConfigAudit, PrintsEveryFieldOnTheConfigLine) {
  Pkcs11PassthroughConfig config;
  config.library_path = "/lib/x.so";
  config.token_label = "t";
  config.audit.emplace();
  config.audit->file = "/var/log/a.jsonl";
  config.audit->key_file = "/etc/craton/k";
  const std::string text = to_string(config);
  EXPECT_NE(text.find(", audit={file=\"/var/log/a.jsonl\", key_file=\"/etc/craton/k\", "
                      "durability=per_batch, on_failure=fail_closed, queue_capacity=8192, "
                      "max_wait_ms=200, rotate_bytes=0, lock_timeout_ms=5000}}"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find('\n'), std::string::npos);
  config.audit->key_file.reset();
  config.audit->key_label = "audit-hmac";
  EXPECT_NE(to_string(config).find("key_label=\"audit-hmac\""), std::string::npos);
}

}  // namespace
}  // namespace craton::hsm
