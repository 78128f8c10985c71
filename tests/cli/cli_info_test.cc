// SPDX-License-Identifier: Apache-2.0
// `craton-hsm info` end to end on SoftHSM2: text and JSON output, selectors, config files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include <fmt/format.h>

#include "cli/cli_runner.h"
#include "support/softhsm_token.h"
#include "support/text.h"

namespace craton::hsm::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The "* slot N" line marks the selected token; returns N, or "" when nothing is marked.
std::string selected_slot(const std::string& output) {
  std::smatch match;
  static const std::regex kSelected(R"(\n\* slot (\d+)\n)");
  return std::regex_search(output, match, kSelected) ? match[1].str() : "";
}

std::string config_toml(std::string_view selector_line, std::string_view extra = "") {
  return fmt::format("library_path = \"{}\"\n{}\n{}", kModulePath, selector_line, extra);
}

TEST(CliInfo, ListsLibraryTokenAndMechanismsForSelectedLabel) {
  const CommandResult result =
      run_cli(fmt::format("info {} --token-label ci-token", module_args()));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("SoftHSM"));
  EXPECT_THAT(result.output, HasSubstr("cryptoki version  2.40"));
  EXPECT_THAT(result.output, HasSubstr("ci-token"));
  EXPECT_THAT(result.output, HasSubstr("spare-token"));  // every token is listed
  EXPECT_THAT(result.output, HasSubstr("CKM_AES_GCM"));
  EXPECT_THAT(result.output, HasSubstr("CKM_ECDSA"));
  EXPECT_THAT(result.output, HasSubstr("MIN KEY"));
  EXPECT_THAT(result.output, HasSubstr("TOKEN_INITIALIZED"));
  EXPECT_NE(selected_slot(result.output), "");
}

// The capability table (docs/vendors.md, "The capability table"): SoftHSM2 signs RSA messages
// with its combined mechanisms, ECDSA messages by host prehash (it has no CKM_ECDSA_SHA*), and
// does no OAEP with SHA-2; its session objects are kept.
TEST(CliInfo, PrintsTheCapabilityTableForTheSelectedToken) {
  const CommandResult result =
      run_cli(fmt::format("info {} --token-label ci-token", module_args()), pin_env());
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("Capabilities of token 'ci-token'"));
  const std::regex ecdsa(R"(ECDSA-P256-SHA256 +sign +yes +host-prehash +CKM_ECDSA\n)");
  const std::regex rsa(R"(RSA-PKCS1v15-SHA256 +sign +yes +token +CKM_SHA256_RSA_PKCS\n)");
  const std::regex oaep(R"(RSA-OAEP-SHA-256 +encrypt +no +unsupported +-\n)");
  EXPECT_TRUE(std::regex_search(result.output, ecdsa)) << result.output;
  EXPECT_TRUE(std::regex_search(result.output, rsa)) << result.output;
  EXPECT_TRUE(std::regex_search(result.output, oaep)) << result.output;
  EXPECT_THAT(result.output, HasSubstr("Unsupported, and why"));
  EXPECT_THAT(result.output, HasSubstr("RSA-OAEP-SHA-256 encrypt: token 'ci-token'"));
  EXPECT_THAT(result.output, HasSubstr("Session objects (CKA_TOKEN=false): kept\n"));
  // The vendor profile, detected from the module's names, and its switches.
  EXPECT_THAT(result.output, HasSubstr("Vendor profile: softhsm2 (detected; docs/vendors/)\n"));
  EXPECT_THAT(result.output, HasSubstr("  quirk: oaep_sha1_only\n"));
  EXPECT_THAT(result.output, HasSubstr("  quirk: general_error_is_integrity_failure\n"));
  EXPECT_THAT(result.output,
              HasSubstr("  quirk: aes_key_wrap_pad = \"rfc5649_block_multiples\"\n"));
  // How keys reach the token (docs/import-by-unwrap.md): the default, before any refusal.
  EXPECT_THAT(result.output, HasSubstr("Key import (import_method = \"auto\"; "
                                       "docs/import-by-unwrap.md)\n  secret keys: create\n"
                                       "  private keys: create\n"));

  // Without a selector there is no token to describe.
  const CommandResult unselected = run_cli(fmt::format("info {}", module_args()), pin_env());
  ASSERT_EQ(unselected.exit_code, 0) << unselected.output;
  EXPECT_THAT(unselected.output, Not(HasSubstr("Capabilities of")));
}

TEST(CliInfo, GlobalOptionsMayPrecedeTheSubcommand) {
  const CommandResult result =
      run_cli(fmt::format("{} --token-label ci-token info", module_args()));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("CKM_AES_GCM"));
}

TEST(CliInfo, WithoutSelectorListsTokensButNoMechanisms) {
  const CommandResult result = run_cli(fmt::format("info {}", module_args()));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("ci-token"));
  EXPECT_THAT(result.output, HasSubstr("spare-token"));
  EXPECT_THAT(result.output, Not(HasSubstr("CKM_")));
  EXPECT_THAT(result.output, HasSubstr("No token selected: add --token-label"));
  EXPECT_EQ(selected_slot(result.output), "");
}

TEST(CliInfo, SlotAndSerialSelectTheSameToken) {
  const CommandResult by_label =
      run_cli(fmt::format("info {} --token-label ci-token", module_args()));
  ASSERT_EQ(by_label.exit_code, 0) << by_label.output;
  const std::string slot = selected_slot(by_label.output);
  ASSERT_NE(slot, "");
  std::smatch serial;
  const std::regex serial_after_selected(R"(\n\* slot \d+\n +label +ci-token\n +serial +(\S+)\n)");
  ASSERT_TRUE(std::regex_search(by_label.output, serial, serial_after_selected)) << by_label.output;

  const CommandResult by_slot = run_cli(fmt::format("info {} --slot {}", module_args(), slot));
  ASSERT_EQ(by_slot.exit_code, 0) << by_slot.output;
  EXPECT_EQ(selected_slot(by_slot.output), slot);
  EXPECT_THAT(by_slot.output, HasSubstr("CKM_AES_GCM"));

  const CommandResult by_serial =
      run_cli(fmt::format("info {} --token-serial {}", module_args(), serial[1].str()));
  ASSERT_EQ(by_serial.exit_code, 0) << by_serial.output;
  EXPECT_EQ(selected_slot(by_serial.output), slot);
}

TEST(CliInfo, ReadsConfigFile) {
  const TempDir dir;
  const auto config = dir.write("hsm.toml", config_toml("token_label = \"ci-token\""));
  const CommandResult result = run_cli(fmt::format("info --config '{}'", config.string()));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("ci-token"));
  EXPECT_THAT(result.output, HasSubstr("CKM_AES_GCM"));
  EXPECT_THAT(result.output, HasSubstr("CKM_ECDSA"));
}

TEST(CliInfo, CommandLineSelectorReplacesTheConfigSelector) {
  const TempDir dir;
  // slot_id would conflict with --token-label if it were kept: exactly one selector is allowed.
  const auto config = dir.write("hsm.toml", config_toml("slot_id = 999999"));
  const CommandResult result =
      run_cli(fmt::format("info --config '{}' --token-label spare-token", config.string()));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  std::smatch label;
  ASSERT_TRUE(
      std::regex_search(result.output, label, std::regex(R"(\n\* slot \d+\n +label +(\S+)\n)")))
      << result.output;
  EXPECT_EQ(label[1].str(), "spare-token");
}

TEST(CliInfo, ModuleOptionOverridesConfigLibraryPath) {
  const TempDir dir;
  const auto config = dir.write("hsm.toml",
                                "library_path = \"/usr/lib/x86_64-linux-gnu/libz.so.1\"\n"
                                "token_label = \"ci-token\"\n");
  const CommandResult result =
      run_cli(fmt::format("info --config '{}' {}", config.string(), module_args()));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("CKM_AES_GCM"));
}

TEST(CliInfo, JsonOutputIsValidAndComplete) {
  const TempDir dir;
  const auto out = dir.path() / "info.json";
  // With the PIN: without one, the "not logged in" note on stderr would join the file here
  // (run_cli sends stderr where stdout goes).
  const CommandResult result = run_cli(
      fmt::format("info {} --token-label ci-token --json > '{}'", module_args(), out.string()),
      pin_env());
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const std::string json = read_file(out);
  EXPECT_THAT(json, HasSubstr("\"label\":\"ci-token\""));
  EXPECT_THAT(json, HasSubstr("\"name\":\"CKM_AES_GCM\""));
  EXPECT_THAT(json, HasSubstr("\"selected\":true"));
  EXPECT_THAT(json, HasSubstr("\"cryptoki_version\":\"2.40\""));

  const CommandResult parsed =
      run_command(fmt::format("python3 -m json.tool '{}' > /dev/null", out.string()));
  EXPECT_EQ(parsed.exit_code, 0) << parsed.output << "\n" << json;

  // The structure, not only the syntax: one selected token whose label is ci-token.
  const CommandResult checked = run_command(
      fmt::format("python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); "
                  "s=[t for t in d[\"tokens\"] if t[\"selected\"]]; "
                  "assert len(s)==1 and s[0][\"label\"]==\"ci-token\" and "
                  "d[\"selected_slot\"]==s[0][\"slot_id\"]; "
                  "assert any(m[\"name\"]==\"CKM_AES_GCM\" for m in d[\"mechanisms\"])' '{}'",
                  out.string()));
  EXPECT_EQ(checked.exit_code, 0) << checked.output << "\n" << json;

  // The capability table: every row complete, and SoftHSM2's ECDSA and OAEP answers.
  const CommandResult capabilities = run_command(
      fmt::format("python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))[\"capabilities\"]; "
                  "assert c[\"token_label\"]==\"ci-token\" and c[\"session_objects\"]==\"kept\"; "
                  "v=c[\"vendor_profile\"]; "
                  "assert v[\"name\"]==\"softhsm2\" and v[\"source\"]==\"detected\" and "
                  "v[\"overridden\"] is False and \"oaep_sha1_only\" in v[\"quirks\"]; "
                  "rows={{(r[\"scheme\"],r[\"operation\"]):r for r in c[\"schemes\"]}}; "
                  "assert all(r[\"supported\"]==(r[\"how\"]!=\"unsupported\") and "
                  "(r[\"reason\"] is None)==r[\"supported\"] for r in c[\"schemes\"]); "
                  "e=rows[(\"ECDSA-P256-SHA256\",\"sign\")]; "
                  "assert e[\"how\"]==\"host-prehash\" and e[\"mechanism\"]==\"CKM_ECDSA\"; "
                  "o=rows[(\"RSA-OAEP-SHA-256\",\"decrypt\")]; "
                  "assert o[\"how\"]==\"unsupported\" and o[\"mechanism\"] is None and "
                  "\"ci-token\" in o[\"reason\"]' '{}'",
                  out.string()));
  EXPECT_EQ(capabilities.exit_code, 0) << capabilities.output << "\n" << json;
}

TEST(CliInfo, JsonWithoutSelectorHasNullMechanisms) {
  const TempDir dir;
  const auto out = dir.path() / "info.json";
  const CommandResult result =
      run_cli(fmt::format("info {} --json > '{}'", module_args(), out.string()));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const std::string json = read_file(out);
  EXPECT_THAT(json, HasSubstr("\"mechanisms\":null"));
  EXPECT_THAT(json, HasSubstr("\"capabilities\":null"));
  EXPECT_THAT(json, HasSubstr("\"selected_slot\":null"));
  const CommandResult parsed =
      run_command(fmt::format("python3 -m json.tool '{}' > /dev/null", out.string()));
  EXPECT_EQ(parsed.exit_code, 0) << parsed.output << "\n" << json;
}

TEST(CliInfo, HelpShowsAnExample) {
  const CommandResult result = run_cli("info --help");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("Examples:"));
  EXPECT_THAT(result.output, HasSubstr("craton-hsm info --module"));
  const CommandResult top = run_cli("--help");
  EXPECT_EQ(top.exit_code, 0) << top.output;
  EXPECT_THAT(top.output, HasSubstr("--pin-file"));
  EXPECT_THAT(top.output, HasSubstr("Exit codes"));
}

}  // namespace
}  // namespace craton::hsm::testing
