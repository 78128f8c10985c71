// SPDX-License-Identifier: Apache-2.0
// `craton-hsm budget list|show|retire` on a real SQLite store: text and JSON, the retire
// confirmation rules (nothing prompts without a terminal), and the refusals.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

#include <fmt/format.h>

#include "budget/open_store.h"
#include "cli/cli_runner.h"
#include "support/postgres_server.h"
#include "support/softhsm_token.h"

namespace craton::hsm::testing {
namespace {

using Json = nlohmann::json;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

budget::KeyIdentity key_with(std::uint8_t fill) {
  budget::KeyIdentity key;
  key.bytes.fill(fill);
  return key;
}

class CliBudgetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_path_ = (dir_.path() / "budgets.db").string();
    config_ = dir_.write("budget.toml",
                         fmt::format("library_path = \"{}\"\n"
                                     "token_label = \"{}\"\n"
                                     "[budget]\nstore = \"sqlite\"\n"
                                     "path = \"{}\"\n"
                                     "identity_key_file = \"{}/id.key\"\n",
                                     kModulePath, kTokenLabel, store_path_, dir_.path().string()))
                  .string();
    BudgetConfig config;
    config.store = BudgetStoreKind::Sqlite;
    config.path = store_path_;
    auto store = budget::open_budget_store(config);
    ASSERT_TRUE(store.has_value()) << store.error();
    ASSERT_TRUE((*store)->reserve(key_with(0xa1), 100, 1000).has_value());
    ASSERT_TRUE((*store)->reserve(key_with(0xb2), 50, 50).has_value());
  }

  CommandResult run_budget(std::string_view args) const {
    return run_cli(fmt::format("budget {} --config '{}' </dev/null", args, config_));
  }

  TempDir dir_;
  std::string store_path_;
  std::string config_;
};

TEST_F(CliBudgetTest, ListPrintsEveryKeyAsATable) {
  const CommandResult listed = run_budget("list");
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_THAT(listed.output, HasSubstr("IDENTITY"));
  EXPECT_THAT(listed.output, HasSubstr("LAST RESERVED (UTC)"));
  EXPECT_THAT(listed.output, HasSubstr(key_with(0xa1).hex()));
  EXPECT_THAT(listed.output, HasSubstr(key_with(0xb2).hex()));
  EXPECT_THAT(listed.output, HasSubstr("active"));
  EXPECT_THAT(listed.output, HasSubstr("exhausted"));
  EXPECT_EQ(line_count(listed.output), 3u);
}

TEST_F(CliBudgetTest, ListAndShowAsJson) {
  const CommandResult listed = run_budget("list --json");
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  const Json list = Json::parse(listed.output);
  EXPECT_EQ(list["store"], "sqlite:" + store_path_);
  ASSERT_EQ(list["keys"].size(), 2u);
  const Json& first = list["keys"][0];
  EXPECT_EQ(first["identity"], key_with(0xa1).hex());
  EXPECT_EQ(first["used"], 100);
  EXPECT_EQ(first["limit"], 1000);
  EXPECT_EQ(first["remaining"], 900);
  EXPECT_EQ(first["state"], "active");
  EXPECT_TRUE(first["last_reserved"].get<std::string>().ends_with("Z"));
  EXPECT_FALSE(first["last_host"].get<std::string>().empty());
  EXPECT_EQ(list["keys"][1]["state"], "exhausted");

  const CommandResult shown = run_budget("show " + key_with(0xb2).hex() + " --json");
  ASSERT_EQ(shown.exit_code, 0) << shown.output;
  const Json show = Json::parse(shown.output);
  EXPECT_EQ(show["key"]["identity"], key_with(0xb2).hex());
  EXPECT_EQ(show["key"]["remaining"], 0);
  const CommandResult text = run_budget("show " + key_with(0xa1).hex());
  ASSERT_EQ(text.exit_code, 0) << text.output;
  EXPECT_THAT(text.output, HasSubstr("remaining"));
  EXPECT_THAT(text.output, HasSubstr("900"));
}

TEST_F(CliBudgetTest, ShowRefusesBadIdentitiesAndReportsUnknownOnes) {
  const CommandResult bad = run_budget("show not-hex");
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_THAT(bad.output, HasSubstr("64 hex digits"));
  const CommandResult unknown = run_budget("show " + key_with(0xcc).hex());
  EXPECT_EQ(unknown.exit_code, 3) << unknown.output;
  EXPECT_THAT(unknown.output, HasSubstr("KeyNotFound"));
}

TEST_F(CliBudgetTest, RetireWithoutATerminalNeedsYesAndNeverPrompts) {
  const std::string hex = key_with(0xa1).hex();
  const CommandResult refused = run_budget("retire " + hex);
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_THAT(refused.output, HasSubstr("nothing was retired"));
  EXPECT_THAT(refused.output, Not(HasSubstr("Type the first")));
  EXPECT_THAT(run_budget("show " + hex).output, HasSubstr("active"));

  const CommandResult retired = run_budget("retire " + hex + " --yes --json");
  ASSERT_EQ(retired.exit_code, 0) << retired.output;
  EXPECT_EQ(Json::parse(retired.output)["retired"], true);
  EXPECT_THAT(run_budget("show " + hex).output, HasSubstr("retired"));
  // A key never seen (a mistyped identity, say) is refused: it must not look retired while
  // the real key keeps encrypting. On purpose, it can be retired ahead of its first use.
  const CommandResult unseen = run_budget("retire " + key_with(0xdd).hex() + " --yes");
  EXPECT_EQ(unseen.exit_code, 3) << unseen.output;
  EXPECT_THAT(unseen.output, HasSubstr("--before-first-use"));
  EXPECT_THAT(unseen.output, HasSubstr("nothing was retired"));
  EXPECT_EQ(run_budget("show " + key_with(0xdd).hex()).exit_code, 3);
  const CommandResult ahead =
      run_budget("retire " + key_with(0xdd).hex() + " --yes --before-first-use");
  ASSERT_EQ(ahead.exit_code, 0) << ahead.output;
  EXPECT_EQ(ahead.output, "retired " + key_with(0xdd).hex() + "\n");
  EXPECT_THAT(run_budget("show " + key_with(0xdd).hex()).output, HasSubstr("never"));
}

TEST_F(CliBudgetTest, AMemoryStoreOrNoConfigurationIsAClearError) {
  const std::string memory =
      dir_.write("memory.toml", fmt::format("library_path = \"{}\"\ntoken_label = \"{}\"\n",
                                            kModulePath, kTokenLabel))
          .string();
  const CommandResult none = run_cli(fmt::format("budget list --config '{}'", memory));
  EXPECT_EQ(none.exit_code, 2) << none.output;
  EXPECT_THAT(none.output, HasSubstr("\"memory\""));
  EXPECT_THAT(none.output, HasSubstr("nothing durable"));
  const CommandResult no_config = run_cli("budget list", "CRATON_HSM_CONFIG=");
  EXPECT_EQ(no_config.exit_code, 2) << no_config.output;
  EXPECT_THAT(no_config.output, HasSubstr("--config"));
}

TEST_F(CliBudgetTest, AnUnreachableStoreFailsWithItsTypedError) {
  std::filesystem::permissions(store_path_, std::filesystem::perms::owner_read |
                                                std::filesystem::perms::owner_write |
                                                std::filesystem::perms::group_read);
  const CommandResult refused = run_budget("list");
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_THAT(refused.output, HasSubstr("chmod 600"));
}

// The fleet store through the CLI: the password comes from the 0600 file the config names and
// appears nowhere in what the commands print.
TEST(CliBudgetPostgresTest, ListAndRetireNeverPrintThePassword) {
  PostgresServer* server = PostgresServer::get();
  if (server == nullptr) GTEST_SKIP() << PostgresServer::skip_reason();
  TempDir dir;
  const std::string password_file =
      dir.write("store.pw", PostgresServer::password() + "\n").string();
  const std::string config =
      dir.write("pg.toml", fmt::format("library_path = \"{}\"\ntoken_label = \"{}\"\n"
                                       "[budget]\nstore = \"postgresql\"\nurl = \"{}\"\n"
                                       "password_file = \"{}\"\nidentity_key_label = \"id\"\n",
                                       kModulePath, kTokenLabel, server->url(), password_file))
          .string();
  const std::string hex = key_with(0xe5).hex();
  const CommandResult retired = run_cli(fmt::format(
      "budget retire {} --yes --before-first-use --config '{}' </dev/null", hex, config));
  ASSERT_EQ(retired.exit_code, 0) << retired.output;
  for (const char* args : {"list", "list --json"}) {
    const CommandResult listed = run_cli(fmt::format("budget {} --config '{}'", args, config));
    ASSERT_EQ(listed.exit_code, 0) << listed.output;
    EXPECT_THAT(listed.output, HasSubstr(hex));
    EXPECT_THAT(listed.output, Not(HasSubstr(PostgresServer::password())));
  }
  EXPECT_THAT(run_cli(fmt::format("budget list --json --config '{}'", config)).output,
              AllOf(HasSubstr("\"store\":\"postgresql:"), HasSubstr("dbname=craton")));
  server->stop();
  const CommandResult down = run_cli(fmt::format("budget list --config '{}'", config));
  server->start();
  EXPECT_EQ(down.exit_code, 3) << down.output;
  EXPECT_THAT(down.output, HasSubstr("BudgetStoreUnavailable"));
  EXPECT_THAT(down.output, Not(HasSubstr(PostgresServer::password())));
}

// The server, if a test started it, stops after the last test.
class PostgresEnvironment : public ::testing::Environment {
 public:
  void TearDown() override { PostgresServer::shut_down(); }
};
[[maybe_unused]] const ::testing::Environment* const kPostgresEnvironment =
    ::testing::AddGlobalTestEnvironment(new PostgresEnvironment);  // gtest takes ownership

}  // namespace
}  // namespace craton::hsm::testing
