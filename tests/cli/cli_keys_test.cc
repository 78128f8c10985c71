// SPDX-License-Identifier: Apache-2.0
// keygen, list, export-pub and destroy end to end on the throwaway token: output formats,
// duplicate labels, malformed URIs, and destroy's refusal to act unconfirmed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "cli/cli_runner.h"
#include "support/softhsm_token.h"

namespace craton::hsm::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs a python3 snippet with the JSON file as sys.argv[1]; `d` is the parsed document.
CommandResult check_json(const std::filesystem::path& file, std::string_view assertions) {
  return run_command(
      fmt::format("python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); {}' '{}'",
                  assertions, file.string()));
}

void expect_one_error_line(const CommandResult& result, int exit_code, std::string_view code) {
  EXPECT_EQ(result.exit_code, exit_code) << result.output;
  EXPECT_EQ(line_count(result.output), 1u) << result.output;
  EXPECT_THAT(result.output, StartsWith("craton-hsm: error: "));
  EXPECT_THAT(result.output, HasSubstr(code));
}

TEST(CliKeygen, PrintsTheKeyUriAndListShowsBothHalves) {
  const CommandResult made =
      run_on_token("keygen --type ec --curve p256 --label keys-ec --id 0a0b");
  ASSERT_EQ(made.exit_code, 0) << made.output;
  EXPECT_THAT(made.output, StartsWith("pkcs11:token=ci-token;"));
  EXPECT_THAT(made.output, HasSubstr("object=keys-ec;id=%0A%0B"));
  EXPECT_EQ(line_count(made.output), 1u);

  const CommandResult list = run_on_token("list");
  ASSERT_EQ(list.exit_code, 0) << list.output;
  for (const char* header :
       {"LABEL", "ID", "CLASS", "TYPE", "BITS", "USAGE", "LOCAL", "EXTRACTABLE", "URI"}) {
    EXPECT_THAT(list.output, HasSubstr(header));
  }
  EXPECT_THAT(list.output, HasSubstr("keys-ec"));
  EXPECT_THAT(list.output, HasSubstr("0a0b"));
  EXPECT_THAT(list.output, HasSubstr("EC P-256"));
  EXPECT_THAT(list.output, HasSubstr("private"));
  EXPECT_THAT(list.output, HasSubstr("public"));
}

// The key object of list --json (docs/cli-json.md), for the key just made.
TEST(CliKeygen, JsonOutputParsesWithTheSpecFields) {
  const TempDir dir;
  const auto out = dir.path() / "keygen.json";
  const CommandResult made = run_on_token(fmt::format(
      "keygen --type aes --size 128 --label keys-json-aes --usage encrypt,wrap --json > '{}'",
      out.string()));
  ASSERT_EQ(made.exit_code, 0) << made.output;
  const CommandResult checked =
      check_json(out,
                 "assert d[\"label\"] == \"keys-json-aes\", d; "
                 "assert d[\"type\"] == \"AES\" and d[\"bits\"] == 128, d; "
                 "assert d[\"class\"] == \"secret-key\", d; "
                 "assert d[\"usage\"] == [\"encrypt\", \"wrap\"], d; "
                 "assert d[\"unexpected_usages\"] == [], d; "
                 "assert d[\"extractable\"] is False, d; "
                 "assert len(d[\"id\"]) == 16, d; "
                 "assert d[\"uri\"].startswith(\"pkcs11:token=ci-token;\"), d");
  EXPECT_EQ(checked.exit_code, 0) << checked.output << read_text(out);
}

TEST(CliList, JsonOutputParsesWithTheSpecFields) {
  ASSERT_EQ(run_on_token("keygen --type ed25519 --label keys-list-ed --extractable").exit_code, 0);
  const TempDir dir;
  const auto out = dir.path() / "list.json";
  const CommandResult listed = run_on_token(fmt::format("list --json > '{}'", out.string()));
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  const CommandResult checked = check_json(
      out,
      "keys = [k for k in d[\"keys\"] if k[\"label\"] == \"keys-list-ed\"]; "
      "assert sorted(k[\"class\"] for k in keys) == [\"private\", \"public\"], keys; "
      "p = [k for k in keys if k[\"class\"] == \"private\"][0]; "
      "assert p[\"type\"] == \"Ed25519\" and p[\"usage\"] == [\"sign\"], p; "
      "assert p[\"local\"] is True and p[\"extractable\"] is True, p; "
      "assert p[\"sensitive\"] is True and p[\"bits\"] > 0, p; "
      "assert \"object=keys-list-ed\" in p[\"uri\"] and \"type=private\" in p[\"uri\"], p");
  EXPECT_EQ(checked.exit_code, 0) << checked.output << read_text(out);
}

// A token that refuses a generation template naming usages false (docs/vendors/README.md,
// "Strict key templates"): keygen --type ec works, as pkcs11-tool --keypairgen does there, and
// says what the token granted on its own; list flags it in text and JSON.
TEST(CliKeygen, EcOnAStrictTokenWorksAndListFlagsWhatTheTokenAdded) {
  const TempDir dir;
  const CommandResult made = run_cli(
      fmt::format("--config '{}' keygen --type ec --label keys-strict-ec", shim_config(dir)),
      pin_env() + " CRATON_FAULT=strict_usage_templates=0x13");  // ATTRIBUTE_VALUE_INVALID
  ASSERT_EQ(made.exit_code, 0) << made.output;
  EXPECT_THAT(made.output, HasSubstr("object=keys-strict-ec"));
  // SoftHSM2, told only sign (private) and verify (public), sets the other usages true itself.
  EXPECT_THAT(made.output, HasSubstr("warning: the token granted usages that were not asked "
                                     "for: encrypt,decrypt,wrap,unwrap"));

  const CommandResult list = run_on_token("list --label keys-strict-ec");
  ASSERT_EQ(list.exit_code, 0) << list.output;
  EXPECT_THAT(list.output, HasSubstr("usages the token granted on its own: decrypt,unwrap"));
  const auto out = dir.path() / "strict.json";
  ASSERT_EQ(run_on_token(fmt::format("list --label keys-strict-ec --json > '{}'", out.string()))
                .exit_code,
            0);
  const CommandResult checked =
      check_json(out,
                 "p = [k for k in d[\"keys\"] if k[\"class\"] == \"private\"][0]; "
                 "assert p[\"unexpected_usages\"] == [\"decrypt\", \"unwrap\"], p; "
                 "assert p[\"sensitive\"] is True and p[\"extractable\"] is False, p");
  EXPECT_EQ(checked.exit_code, 0) << checked.output << read_text(out);
}

TEST(CliKeygen, DuplicateLabelIsKeyAlreadyExists) {
  ASSERT_EQ(run_on_token("keygen --type aes --label keys-dup").exit_code, 0);
  expect_one_error_line(run_on_token("keygen --type aes --label keys-dup"), 3, "KeyAlreadyExists");
}

TEST(CliKeygen, BadTypeSizeOrUsageIsAUsageErrorBeforeLogin) {
  // No PIN in the environment: these must fail on the arguments, not at C_Login.
  for (const char* args :
       {"keygen --type dsa --label x", "keygen --type aes --size 512 --label x",
        "keygen --type ec --curve p521 --label x", "keygen --type ec --label x --usage sign,fly",
        "keygen --type aes --label x --id 0xZZ"}) {
    expect_one_error_line(run_cli(fmt::format("{} {}", token_args(), args)), 2, "InvalidArgument");
  }
  EXPECT_EQ(run_cli(fmt::format("{} keygen --label no-type", token_args())).exit_code, 2);
}

TEST(CliKeys, MalformedKeyUriIsInvalidArgumentWithExitCode2) {
  const std::vector<std::string> invocations = {
      "sign --key 'object=no-scheme' --scheme ed25519 --in /dev/null",
      "verify --key 'pkcs11:object=%zz' --scheme ed25519 --in /dev/null --signature /dev/null",
      "export-pub --key 'pkcs11:type=private'",  // names no key
      "destroy --key 'pkcs11:object=x;object=y' --yes",
      "encrypt --key 'pkcs11:object=x;pin-value=1234' --alg aes-gcm --in /dev/null",
      "wrap --kek 'pkcs11:object=x;type=cert' --scheme kw --in /dev/null",
  };
  for (const std::string& args : invocations) {
    const CommandResult result = run_cli(fmt::format("{} {}", token_args(), args));
    expect_one_error_line(result, 2, "InvalidArgument");
    EXPECT_THAT(result.output, Not(HasSubstr("1234"))) << args;
  }
}

TEST(CliKeys, KeyUriOfAnotherTokenIsRefused) {
  ASSERT_EQ(run_on_token("keygen --type aes --label keys-other-token").exit_code, 0);
  const CommandResult result = run_on_token(
      "encrypt --key 'pkcs11:token=spare-token;object=keys-other-token' --alg aes-gcm "
      "--in /dev/null --hex");
  expect_one_error_line(result, 2, "InvalidArgument");
  EXPECT_THAT(result.output, HasSubstr("spare-token"));
}

TEST(CliExportPub, WritesPemThatOpensslReadsAndDerOnRequest) {
  ASSERT_EQ(run_on_token("keygen --type ec --curve p384 --label keys-export").exit_code, 0);
  const TempDir dir;
  const auto pem = dir.path() / "pub.pem";
  const auto der = dir.path() / "pub.der";
  ASSERT_EQ(run_on_token(fmt::format("export-pub --key 'pkcs11:object=keys-export' --out '{}'",
                                     pem.string()))
                .exit_code,
            0);
  EXPECT_THAT(read_text(pem), StartsWith("-----BEGIN PUBLIC KEY-----\n"));
  ASSERT_EQ(run_on_token(fmt::format("export-pub --key 'pkcs11:object=keys-export' --der > '{}'",
                                     der.string()))
                .exit_code,
            0);
  const CommandResult same = run_command(
      fmt::format("openssl pkey -pubin -in '{}' -outform DER | cmp - '{}' && "
                  "openssl pkey -pubin -in '{}' -noout -text | grep -q 'NIST CURVE: P-384'",
                  pem.string(), der.string(), pem.string()));
  EXPECT_EQ(same.exit_code, 0) << same.output;

  ASSERT_EQ(run_on_token("keygen --type aes --label keys-export-aes").exit_code, 0);
  EXPECT_EQ(run_on_token("export-pub --key 'pkcs11:object=keys-export-aes'").exit_code, 3);
}

TEST(CliDestroy, WithoutYesAndWithoutTerminalRefusesAndDestroysNothing) {
  ASSERT_EQ(run_on_token("keygen --type ec --label keys-keep").exit_code, 0);
  const CommandResult refused = run_on_token("destroy --key 'pkcs11:object=keys-keep' < /dev/null");
  expect_one_error_line(refused, 2, "InvalidArgument");
  EXPECT_THAT(refused.output, HasSubstr("--yes"));
  EXPECT_EQ(run_on_token("export-pub --key 'pkcs11:object=keys-keep' > /dev/null").exit_code, 0)
      << "the key must still be there";

  const CommandResult destroyed = run_on_token("destroy --key 'pkcs11:object=keys-keep' --yes");
  ASSERT_EQ(destroyed.exit_code, 0) << destroyed.output;
  EXPECT_THAT(destroyed.output, HasSubstr("destroyed pkcs11:"));
  const CommandResult list = run_on_token("list");
  EXPECT_THAT(list.output, Not(HasSubstr("keys-keep")));  // both halves are gone
  expect_one_error_line(run_on_token("destroy --key 'pkcs11:object=keys-keep' --yes"), 3,
                        "KeyNotFound");
}

// The interactive path, on a pseudo-terminal made by script(1): the label confirms, anything
// else leaves the key alone.
TEST(CliDestroy, OnATerminalTheTypedLabelConfirms) {
  if (run_command("command -v script").exit_code != 0) GTEST_SKIP() << "script(1) not installed";
  ASSERT_EQ(run_on_token("keygen --type aes --label keys-typed").exit_code, 0);
  const auto on_tty = [](std::string_view typed) {
    return run_command(fmt::format(
        "printf '{}\\n' | {} script -qec \"'{}' {} destroy --key 'pkcs11:object=keys-typed'\" "
        "/dev/null",
        typed, pin_env(), kCliPath, token_args()));
  };
  const CommandResult wrong = on_tty("keys-type");
  EXPECT_EQ(wrong.exit_code, 2) << wrong.output;
  EXPECT_THAT(wrong.output, HasSubstr("Type the key's label (keys-typed)"));
  EXPECT_THAT(wrong.output, HasSubstr("nothing was destroyed"));
  EXPECT_THAT(run_on_token("list").output, HasSubstr("keys-typed"));

  const CommandResult right = on_tty("keys-typed");
  EXPECT_EQ(right.exit_code, 0) << right.output;
  EXPECT_THAT(run_on_token("list").output, Not(HasSubstr("keys-typed")));
}

}  // namespace
}  // namespace craton::hsm::testing
