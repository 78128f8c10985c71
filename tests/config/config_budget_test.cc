// SPDX-License-Identifier: Apache-2.0
// The [budget] table: every key parsed, defaults, each refusal naming its field, passwords
// refused in the url and never printed.
#include <craton/hsm/config.h>

#include <string>
#include <string_view>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config_test_util.h"

namespace craton::hsm {
namespace {

using ::testing::HasSubstr;
using testing::IsConfigInvalidMentioning;
using testing::kMinimalToml;
using ::testing::Not;
using testing::ScopedEnv;

Result<Pkcs11PassthroughConfig> parse_budget(std::string_view table_body) {
  return parse_config(std::string(kMinimalToml) + "[budget]\n" + std::string(table_body) + "\n",
                      "budget.toml");
}

// A sqlite table that validates, to which a test adds the key it is about.
constexpr std::string_view kSqlite =
    "store = \"sqlite\"\npath = \"/var/lib/craton/budgets.db\"\n"
    "identity_key_file = \"/etc/craton/budget.key\"\n";
constexpr std::string_view kPostgres =
    "store = \"postgresql\"\nurl = \"host=/run/postgresql dbname=craton user=signer\"\n"
    "identity_key_label = \"budget-id\"\n";

TEST(ConfigBudget, AbsentTableMeansTheMemoryStoreWithDefaults) {
  const ScopedEnv no_pin("CRATON_HSM_PIN", std::nullopt);
  const auto config = parse_config(kMinimalToml, "minimal.toml");
  ASSERT_TRUE(config.has_value()) << config.error();
  const BudgetConfig defaults;
  EXPECT_EQ(config->budget.store, BudgetStoreKind::Memory);
  EXPECT_EQ(config->budget.block_min, defaults.block_min);
  EXPECT_EQ(config->budget.block_max, defaults.block_max);
  EXPECT_EQ(config->budget.timeout_ms, defaults.timeout_ms);
  EXPECT_TRUE(parse_budget("store = \"memory\"").has_value());
}

TEST(ConfigBudget, ParsesEveryKeyOfASqliteStore) {
  const ScopedEnv no_pin("CRATON_HSM_PIN", std::nullopt);
  const auto config =
      parse_budget(std::string(kSqlite) + "block_min = 8\nblock_max = 65536\ntimeout_ms = 750");
  ASSERT_TRUE(config.has_value()) << config.error();
  const BudgetConfig& budget = config->budget;
  EXPECT_EQ(budget.store, BudgetStoreKind::Sqlite);
  EXPECT_EQ(budget.path, "/var/lib/craton/budgets.db");
  EXPECT_EQ(budget.identity_key_file, "/etc/craton/budget.key");
  EXPECT_FALSE(budget.identity_key_label.has_value());
  EXPECT_EQ(budget.block_min, 8u);
  EXPECT_EQ(budget.block_max, 65536u);
  EXPECT_EQ(budget.timeout_ms, 750u);
}

TEST(ConfigBudget, ParsesEveryKeyOfAPostgresqlStore) {
  const ScopedEnv no_pin("CRATON_HSM_PIN", std::nullopt);
  const auto with_file = parse_budget(std::string(kPostgres) + "password_file = \"/etc/pw\"");
  ASSERT_TRUE(with_file.has_value()) << with_file.error();
  EXPECT_EQ(with_file->budget.store, BudgetStoreKind::Postgresql);
  EXPECT_EQ(with_file->budget.url, "host=/run/postgresql dbname=craton user=signer");
  EXPECT_EQ(with_file->budget.password_file, "/etc/pw");
  EXPECT_EQ(with_file->budget.identity_key_label, "budget-id");
  const auto with_env = parse_budget(std::string(kPostgres) + "password_env = \"BUDGET_PW\"");
  ASSERT_TRUE(with_env.has_value()) << with_env.error();
  EXPECT_EQ(with_env->budget.password_env, "BUDGET_PW");
  // A URI and no password at all (peer or certificate authentication) are fine too.
  EXPECT_TRUE(parse_budget("store = \"postgresql\"\nurl = \"postgresql://signer@db/craton?"
                           "sslmode=verify-full\"\nidentity_key_label = \"id\"")
                  .has_value());
}

TEST(ConfigBudget, RelativePathsFollowTheConfig) {
  const ScopedEnv no_pin("CRATON_HSM_PIN", std::nullopt);
  const auto config = parse_budget(
      "store = \"sqlite\"\npath = \"state/budgets.db\"\nidentity_key_file = \"keys/id.key\"");
  ASSERT_TRUE(config.has_value()) << config.error();
  EXPECT_TRUE(config->budget.path->is_absolute());
  EXPECT_TRUE(config->budget.identity_key_file->is_absolute());
}

TEST(ConfigBudget, UnknownKeysAndStoresAreRefusedWithASuggestion) {
  EXPECT_TRUE(IsConfigInvalidMentioning(parse_budget(std::string(kSqlite) + "blok_max = 64"),
                                        "did you mean budget.block_max?"));
  EXPECT_TRUE(IsConfigInvalidMentioning(parse_budget("store = \"redis\""), "budget.store"));
  EXPECT_TRUE(IsConfigInvalidMentioning(parse_budget("store = 1"), "budget.store"));
  EXPECT_TRUE(IsConfigInvalidMentioning(
      parse_config(std::string(kMinimalToml) + "budget = \"sqlite\"\n", "b.toml"), "budget"));
  EXPECT_TRUE(IsConfigInvalidMentioning(
      parse_config(std::string(kMinimalToml) + "budgte = 1\n", "b.toml"), "did you mean budget"));
}

TEST(ConfigBudget, ADurableStoreNeedsItsLocation) {
  EXPECT_TRUE(IsConfigInvalidMentioning(
      parse_budget("store = \"sqlite\"\nidentity_key_file = \"/k\""), "budget.path: required"));
  EXPECT_TRUE(IsConfigInvalidMentioning(
      parse_budget("store = \"postgresql\"\nidentity_key_file = \"/k\""), "budget.url: required"));
}

TEST(ConfigBudget, ADurableStoreNeedsExactlyOneIdentityKey) {
  EXPECT_TRUE(
      IsConfigInvalidMentioning(parse_budget("store = \"sqlite\"\npath = \"/b.db\""), "none is"));
  EXPECT_TRUE(IsConfigInvalidMentioning(
      parse_budget(std::string(kSqlite) + "identity_key_label = \"id\""), "both are"));
  EXPECT_TRUE(IsConfigInvalidMentioning(
      parse_budget("store = \"sqlite\"\npath = \"/b.db\"\nidentity_key_label = \"\""),
      "budget.identity_key_label"));
  EXPECT_TRUE(IsConfigInvalidMentioning(
      parse_budget("store = \"sqlite\"\npath = \"/b.db\"\nidentity_key_label = \"" +
                   std::string(129, 'x') + "\""),
      "budget.identity_key_label"));
}

TEST(ConfigBudget, SettingsTheStoreDoesNotReadAreRefused) {
  EXPECT_TRUE(IsConfigInvalidMentioning(parse_budget("path = \"/b.db\""),
                                        "budget.path: not used by budget.store = \"memory\""));
  EXPECT_TRUE(IsConfigInvalidMentioning(parse_budget(std::string(kSqlite) + "url = \"host=x\""),
                                        "budget.url: not used"));
  EXPECT_TRUE(IsConfigInvalidMentioning(parse_budget(std::string(kPostgres) + "path = \"/b.db\""),
                                        "budget.path: not used"));
}

TEST(ConfigBudget, BlockBoundsAndTimeoutAreRangeChecked) {
  for (const std::string_view bad :
       {"block_min = 0", "block_max = 0", "block_max = 1048577", "block_min = -1",
        "block_min = 100\nblock_max = 50", "timeout_ms = 0", "timeout_ms = 600001"}) {
    const auto config = parse_budget(std::string(kSqlite) + std::string(bad));
    EXPECT_TRUE(IsConfigInvalidMentioning(config, "budget.")) << bad;
  }
  EXPECT_TRUE(
      parse_budget(std::string(kSqlite) + "block_min = 1048576\nblock_max = 1048576").has_value());
  EXPECT_TRUE(parse_budget(std::string(kSqlite) + "block_min = 1\nblock_max = 1").has_value());
  // Defaults apply to the memory store too: its bounds are checked the same way.
  Pkcs11PassthroughConfig built = parse_config(kMinimalToml, "m.toml").value();
  built.budget.block_min = 70000;  // above the default block_max
  EXPECT_TRUE(IsConfigInvalidMentioning(built.validate(), "budget.block_min"));
}

TEST(ConfigBudget, APasswordInTheUrlIsRefusedAndNeverRepeated) {
  for (const std::string_view url :
       {"host=db dbname=craton user=signer password=s3cr3t-pw",
        "host=db password = 's3cr3t-pw with spaces' user=signer", "password=s3cr3t-pw",
        "postgresql://signer:s3cr3t-pw@db/craton",
        "postgres://signer:s3cr3t-pw@db:5432,db2:5432/craton",
        "postgresql://signer@db/craton?sslmode=require&password=s3cr3t-pw",
        "postgresql://db/craton?pass%77ord=s3cr3t-pw"}) {
    const auto config = parse_budget(
        fmt::format("store = \"postgresql\"\nurl = \"{}\"\nidentity_key_label = \"id\"", url));
    ASSERT_TRUE(IsConfigInvalidMentioning(config, "budget.url: must not contain a password"))
        << url;
    EXPECT_THAT(config.error().message(), Not(HasSubstr("s3cr3t")));
  }
  EXPECT_TRUE(IsConfigInvalidMentioning(
      parse_budget("store = \"postgresql\"\nurl = \"host='unterminated\"\nidentity_key_label = "
                   "\"id\""),
      "not a libpq connection string"));
  // "password" as part of another word, or as a value, is no password.
  EXPECT_TRUE(parse_budget("store = \"postgresql\"\nurl = \"host=db user=password "
                           "application_name=nopassword=x\"\nidentity_key_label = \"id\"")
                  .has_value());
  EXPECT_TRUE(parse_budget("store = \"postgresql\"\nurl = \"host=db user=password\"\n"
                           "identity_key_label = \"id\"")
                  .has_value());
}

TEST(ConfigBudget, PasswordSourcesAreCheckedAndExclusive) {
  EXPECT_TRUE(IsConfigInvalidMentioning(
      parse_budget(std::string(kPostgres) + "password_env = \"A\"\npassword_file = \"/p\""),
      "at most one"));
  EXPECT_TRUE(IsConfigInvalidMentioning(
      parse_budget(std::string(kPostgres) + "password_env = \"NOT A NAME\""),
      "budget.password_env"));
}

TEST(ConfigBudget, PrintsEveryFieldAndNeverAPassword) {
  const ScopedEnv no_pin("CRATON_HSM_PIN", std::nullopt);
  const auto config =
      parse_budget(std::string(kPostgres) + "password_file = \"/etc/pw\"\nblock_max = 512");
  ASSERT_TRUE(config.has_value()) << config.error();
  const std::string text = to_string(*config);
  EXPECT_THAT(text, HasSubstr("budget={store=postgresql"));
  EXPECT_THAT(text, HasSubstr("url=\"host=/run/postgresql dbname=craton user=signer\""));
  EXPECT_THAT(text, HasSubstr("password_file=\"/etc/pw\""));
  EXPECT_THAT(text, HasSubstr("identity_key_label=\"budget-id\""));
  EXPECT_THAT(text, HasSubstr("block_min=16, block_max=512, timeout_ms=2000}"));
  // A config built in code skips the parser's check: printing it still hides the password.
  Pkcs11PassthroughConfig built = config->clone();
  EXPECT_EQ(built.budget.url, config->budget.url) << "clone() copies [budget]";
  built.budget.url = "host=db password='p4ss w0rd' user=x";
  EXPECT_THAT(to_string(built), Not(HasSubstr("p4ss")));
  EXPECT_THAT(to_string(built), HasSubstr("password=<redacted> user=x"));
  built.budget.url = "postgresql://u:p4ss@db/x?password=p4ss2";
  EXPECT_THAT(to_string(built), Not(HasSubstr("p4ss")));
  built.budget.url = "host='unterminated p4ss";
  EXPECT_THAT(to_string(built), Not(HasSubstr("p4ss")));
  EXPECT_FALSE(built.validate().has_value());
}

}  // namespace
}  // namespace craton::hsm
