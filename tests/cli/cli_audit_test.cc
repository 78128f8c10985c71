// SPDX-License-Identifier: Apache-2.0
// `craton-hsm audit verify` on trails the CLI's own commands wrote: intact chains, a
// tampered line located by file and line, token-held chain keys, and the demo's trail.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/cli_audit_util.h"
#include "support/softhsm_token.h"

namespace craton::hsm::testing {
namespace {

namespace fs = std::filesystem;

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

TEST(CliAudit, CommandsWriteATrailThatVerifies) {
  const TempDir dir;
  const fs::path key = key_file(dir);
  const fs::path config = audited_config(dir, fmt::format("key_file = \"{}\"", key.string()));
  ASSERT_EQ(run_configured(config, "keygen --type ec --label audit-ec").exit_code, 0);
  ASSERT_EQ(run_configured(config, "random --bytes 8 --hex").exit_code, 0);
  ASSERT_EQ(run_configured(config,
                           "sign --key 'pkcs11:object=audit-ec' --scheme "
                           "ecdsa-p256-sha256 --in /dev/null > /dev/null")
                .exit_code,
            0);
  const fs::path trail = dir.path() / "audit.jsonl";
  const std::size_t records = read_lines(trail).size();
  ASSERT_GT(records, 6u);

  // The key from the configuration, then from --audit-key-file without any configuration.
  const CommandResult by_config =
      run_configured(config, fmt::format("audit verify '{}'", trail.string()));
  EXPECT_EQ(by_config.exit_code, 0) << by_config.output;
  EXPECT_EQ(by_config.output, fmt::format("{} records, chain intact\n", records));
  const CommandResult by_key_file = run_cli(
      fmt::format("audit verify --audit-key-file '{}' '{}' --json", key.string(), trail.string()));
  EXPECT_EQ(by_key_file.exit_code, 0) << by_key_file.output;
  EXPECT_THAT(by_key_file.output,
              HasSubstr(fmt::format("\"records\":{},\"intact\":true", records)));
  // The trail has the operations and never the PIN.
  std::ifstream in(trail);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_THAT(text, HasSubstr("key_generate"));
  EXPECT_THAT(text, Not(HasSubstr(fmt::format("\"{}\"", kUserPin))));
}

TEST(CliAudit, ATamperedRecordIsReportedByFileAndLine) {
  const TempDir dir;
  const fs::path key = key_file(dir);
  const fs::path config = audited_config(dir, fmt::format("key_file = \"{}\"", key.string()));
  ASSERT_EQ(run_configured(config, "random --bytes 8 --hex").exit_code, 0);
  ASSERT_EQ(run_configured(config, "random --bytes 9 --hex").exit_code, 0);
  const fs::path trail = dir.path() / "audit.jsonl";
  std::vector<std::string> lines = read_lines(trail);
  ASSERT_GE(lines.size(), 4u);
  // Rewrite the size in the first random record and keep the JSON well-formed: only the MAC
  // can tell.
  const auto random = std::ranges::find_if(
      lines, [](const std::string& line) { return line.find("\"op\":\"random\"") != line.npos; });
  ASSERT_NE(random, lines.end()) << "the record format changed; adapt the tamper";
  const std::size_t line_number = static_cast<std::size_t>(random - lines.begin()) + 1;
  *random = std::regex_replace(*random, std::regex("\"out\":[0-9]+"), "\"out\":4242",
                               std::regex_constants::format_first_only);
  ASSERT_THAT(*random, HasSubstr("\"out\":4242")) << "the record format changed; adapt the tamper";
  write_lines(trail, lines);

  const CommandResult result =
      run_cli(fmt::format("audit verify --audit-key-file '{}' '{}'", key.string(), trail.string()));
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_THAT(result.output, HasSubstr(fmt::format("{}:{}: ", trail.string(), line_number)));
  EXPECT_THAT(result.output, HasSubstr("craton-hsm: error: AuthenticationFailed"));
}

TEST(CliAudit, ChainKeyOnTheTokenIsUsedThroughTheConfiguration) {
  ASSERT_EQ(run_on_token("keygen --type hmac --size 256 --label audit-hmac-key").exit_code, 0);
  const TempDir dir;
  const fs::path config = audited_config(dir, "key_label = \"audit-hmac-key\"");
  ASSERT_EQ(run_configured(config, "random --bytes 4 --hex").exit_code, 0);
  const fs::path trail = dir.path() / "audit.jsonl";
  const std::size_t records = read_lines(trail).size();
  ASSERT_GT(records, 2u);
  const CommandResult verified =
      run_configured(config, fmt::format("audit verify '{}'", trail.string()));
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  EXPECT_EQ(verified.output, fmt::format("{} records, chain intact\n", records));
  EXPECT_EQ(read_lines(trail).size(), records) << "verifying must not append to the trail";
}

TEST(CliAudit, WithoutAnyKeyItIsAUsageError) {
  const TempDir dir;
  const fs::path trail = dir.write("audit.jsonl", "");
  const CommandResult result = run_cli(fmt::format("audit verify '{}'", trail.string()));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_THAT(result.output, HasSubstr("ConfigInvalid"));
  EXPECT_THAT(result.output, HasSubstr("--audit-key-file"));
  EXPECT_EQ(run_cli("audit").exit_code, 2) << "audit needs a subcommand";
}

TEST(CliDemoAudit, KeepsAVerifiableTrailInAuditDir) {
  const TempDir dir;
  const fs::path audit_dir = dir.path() / "demo-audit";
  const CommandResult demo =
      run_cli(fmt::format("demo {} --audit-dir '{}'", token_args(), audit_dir.string()), pin_env());
  ASSERT_EQ(demo.exit_code, 0) << demo.output;
  const fs::path trail = audit_dir / "audit.jsonl";
  EXPECT_THAT(demo.output, HasSubstr(fmt::format("records, chain intact ({})", trail.string())));
  EXPECT_EQ(fs::status(audit_dir / "audit.key").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  const CommandResult verified =
      run_cli(fmt::format("audit verify --audit-key-file '{}' '{}'",
                          (audit_dir / "audit.key").string(), trail.string()));
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  EXPECT_THAT(verified.output, MatchesRegex("[0-9]+ records, chain intact\n"));
}

TEST(CliDemoAudit, NoAuditRunsWithoutATrail) {
  const CommandResult demo = run_cli(fmt::format("demo {} --no-audit", token_args()), pin_env());
  ASSERT_EQ(demo.exit_code, 0) << demo.output;
  EXPECT_THAT(demo.output, HasSubstr("audit trail: off"));
  EXPECT_THAT(demo.output, Not(HasSubstr("chain intact")));
}

}  // namespace
}  // namespace craton::hsm::testing
