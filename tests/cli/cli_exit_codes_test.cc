// SPDX-License-Identifier: Apache-2.0
// One exit-code table for every command (src/cli/exit_codes.h): each command is run failing in
// each way that applies to it (usage, token, invalid data, audit trail) and the code is checked,
// and every command's --help states the table.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/cli_audit_util.h"
#include "cli/cli_runner.h"
#include "support/fault_shim.h"
#include "support/softhsm_token.h"

namespace craton::hsm::testing {
namespace {

namespace fs = std::filesystem;

using ::testing::HasSubstr;

// The documented table (README "The craton-hsm CLI"), spelled out here rather than taken from
// src/cli/exit_codes.h: a renumbering there must fail this test.
enum class ExitCode : int {
  Ok = 0,
  Invalid = 1,
  UsageError = 2,
  OperationFailed = 3,
  AuditUnavailable = 4,
};

int to_int(ExitCode code) {
  return static_cast<int>(code);
}

// A command as a script would run it, with the key and files it needs; `audited`: it opens the
// token through the configured audit trail.
struct Command {
  std::string name;
  std::string args;
  bool logs_in = true;
  bool audited = true;
};

class CliExitCodesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>();
    for (const char* args :
         {"keygen --type ec --label exit-ec",
          "keygen --type aes --label exit-aes --usage encrypt,decrypt,wrap,unwrap"}) {
      const CommandResult made = run_on_token(args);
      ASSERT_EQ(made.exit_code, 0) << args << ": " << made.output;
    }
    dir_->write("message", "exit codes\n");
    dir_->write("key-bytes", std::string(32, '\x42'));
    for (const std::string& args :
         {fmt::format("sign --key 'pkcs11:object=exit-ec' --scheme ecdsa-p256-sha256 --in '{}' "
                      "--out '{}'",
                      file("message"), file("signature")),
          fmt::format("encrypt --key 'pkcs11:object=exit-aes' --alg aes-gcm --aad right --in '{}' "
                      "--out '{}'",
                      file("message"), file("sealed")),
          fmt::format("wrap --kek 'pkcs11:object=exit-aes' --scheme kw --in '{}' --out '{}'",
                      file("key-bytes"), file("wrapped"))}) {
      const CommandResult made = run_on_token(args);
      ASSERT_EQ(made.exit_code, 0) << args << ": " << made.output;
    }
  }
  static void TearDownTestSuite() { dir_.reset(); }

  static std::string file(std::string_view name) { return (dir_->path() / name).string(); }

  // Every command, with arguments that succeed on ci-token once its keys exist.
  static std::vector<Command> commands() {
    const std::string sign_common = fmt::format(
        "--key 'pkcs11:object=exit-ec' --scheme ecdsa-p256-sha256 --in '{}'", file("message"));
    return {
        {"info", "info", false, false},
        {"demo", "demo --no-audit"},
        {"keygen", "keygen --type ec --label exit-never-made"},
        {"list", "list"},
        {"export-pub",
         fmt::format("export-pub --key 'pkcs11:object=exit-ec' --out '{}'", file("out.pem"))},
        {"destroy", "destroy --key 'pkcs11:object=exit-aes' --yes"},
        {"sign", fmt::format("sign {} --out '{}'", sign_common, file("out.sig"))},
        {"verify", fmt::format("verify {} --signature '{}'", sign_common, file("signature"))},
        {"encrypt", fmt::format("encrypt --key 'pkcs11:object=exit-aes' --alg aes-gcm --in '{}' "
                                "--out '{}'",
                                file("message"), file("out.enc"))},
        {"decrypt", fmt::format("decrypt --key 'pkcs11:object=exit-aes' --alg aes-gcm --aad right "
                                "--in '{}' --out '{}'",
                                file("sealed"), file("out.dec"))},
        {"wrap", fmt::format("wrap --kek 'pkcs11:object=exit-aes' --scheme kw --in '{}' --out '{}'",
                             file("key-bytes"), file("out.wrapped"))},
        {"unwrap", fmt::format("unwrap --kek 'pkcs11:object=exit-aes' --scheme kw --in '{}' "
                               "--out '{}'",
                               file("wrapped"), file("out.key"))},
        {"random", "random --bytes 8 --hex"},
        {"digest", fmt::format("digest --alg sha256 --in '{}'", file("message"))},
        {"bench", "bench --cases sha256 --threads 1 --rounds 1 --duration 0.01 --no-software", true,
         false},
    };
  }

  static std::unique_ptr<TempDir> dir_;
};

std::unique_ptr<TempDir> CliExitCodesTest::dir_;

void expect_exit(const CommandResult& result, ExitCode expected, std::string_view what) {
  EXPECT_EQ(result.exit_code, to_int(expected)) << what << ": " << result.output;
}

TEST_F(CliExitCodesTest, AConfigurationErrorIsExit2ForEveryCommand) {
  // A relative module path is refused while the configuration is built, before any token call.
  for (const Command& command : commands()) {
    expect_exit(run_cli(fmt::format("--module libsofthsm2.so --token-label {} {}", kTokenLabel,
                                    command.args),
                        pin_env()),
                ExitCode::UsageError, command.name);
  }
  expect_exit(run_cli(fmt::format("audit verify --audit-key-file '{}' '{}'", file("absent.key"),
                                  file("absent.jsonl"))),
              ExitCode::UsageError, "audit verify without its key");
}

TEST_F(CliExitCodesTest, AMistypedArgumentIsExit2ForEveryCommand) {
  const std::vector<std::pair<std::string, std::string>> refused{
      {"info", "info --slot not-a-number"},
      {"demo", "demo --audit-dir x --no-audit"},
      {"keygen", "keygen --type dsa --label exit-dsa"},
      {"list", "list --no-such-flag"},
      {"export-pub", "export-pub --key 'not-a-uri'"},
      {"destroy", "destroy --key 'pkcs11:object=exit-ec;x-vendor=1' --yes"},
      {"sign", fmt::format("sign --key 'pkcs11:object=exit-ec' --scheme ecdsa-p999 --in '{}'",
                           file("message"))},
      {"verify", fmt::format("verify --key 'pkcs11:object=exit-ec' --scheme ecdsa-p256-sha256 "
                             "--format pem --in '{}' --signature '{}'",
                             file("message"), file("signature"))},
      {"encrypt",
       fmt::format("encrypt --key 'pkcs11:object=exit-aes' --alg des --in '{}'", file("message"))},
      {"decrypt", fmt::format("decrypt --key 'pkcs11:object=exit-aes' --alg aes-gcm --in '{}'",
                              file("absent"))},
      {"wrap", fmt::format("wrap --kek 'pkcs11:object=exit-aes' --scheme kwz --in '{}'",
                           file("key-bytes"))},
      {"unwrap", "unwrap --kek 'pkcs11:object=exit-aes' --scheme kw"},
      {"random", "random --bytes 0"},
      {"digest", fmt::format("digest --alg md5 --in '{}'", file("message"))},
      {"audit verify", "audit verify"},
      {"bench", "bench --cases no-such-case --threads 1 --rounds 1 --duration 0.01"},
  };
  for (const auto& [name, args] : refused) {
    expect_exit(run_on_token(args), ExitCode::UsageError, name);
  }
}

TEST_F(CliExitCodesTest, AWrongPinIsExit3ForEveryCommandThatLogsIn) {
  // On the spare token, so that ci-token's login state is never disturbed.
  for (const Command& command : commands()) {
    if (!command.logs_in) continue;
    expect_exit(run_cli(fmt::format("--module '{}' --token-label {} {}", kModulePath,
                                    kSpareTokenLabel, command.args),
                        "CRATON_HSM_PIN=0000-wrong"),
                ExitCode::OperationFailed, command.name);
  }
}

TEST_F(CliExitCodesTest, AKeyThatIsNotThereIsExit3) {
  for (const Command& command : commands()) {
    std::string args = command.args;
    for (const std::string_view label : {"exit-ec", "exit-aes"}) {
      for (std::size_t at = args.find(label); at != std::string::npos; at = args.find(label)) {
        args.replace(at, label.size(), "exit-absent");
      }
    }
    if (args == command.args) continue;  // names no key
    expect_exit(run_on_token(args), ExitCode::OperationFailed, command.name);
  }
}

TEST_F(CliExitCodesTest, VerifyThatCannotCheckIsNeverExit1) {
  const std::string in =
      fmt::format("--in '{}' --signature '{}'", file("message"), file("signature"));
  // An AES key cannot check an ECDSA signature: the check was not made.
  expect_exit(run_on_token(fmt::format(
                  "verify --key 'pkcs11:object=exit-aes' --scheme ecdsa-p256-sha256 {}", in)),
              ExitCode::OperationFailed, "wrong key type");
  expect_exit(
      run_on_token(fmt::format("verify --key 'pkcs11:object=exit-gone' --scheme ecdsa-p256-sha256 "
                               "{}",
                               in)),
      ExitCode::OperationFailed, "key not found");
  expect_exit(
      run_cli(fmt::format("--module '{}' --token-label {} verify --key 'pkcs11:object=exit-ec' "
                          "--scheme ecdsa-p256-sha256 {}",
                          kModulePath, kSpareTokenLabel, in),
              "CRATON_HSM_PIN=0000-wrong"),
      ExitCode::OperationFailed, "wrong PIN");
  expect_exit(run_on_token(fmt::format(
                  "verify --key 'pkcs11:object=exit-ec' --scheme ecdsa-p256-sha256 {}", in)),
              ExitCode::Ok, "the valid signature");
}

TEST_F(CliExitCodesTest, DataThatFailsItsCheckIsExit1) {
  expect_exit(
      run_on_token(fmt::format("verify --key 'pkcs11:object=exit-ec' --scheme ecdsa-p256-sha256 "
                               "--format raw --in '{}' --signature '{}'",
                               file("message"), file("signature"))),
      ExitCode::Invalid, "a DER signature read as raw does not verify");
  expect_exit(run_on_token(fmt::format("decrypt --key 'pkcs11:object=exit-aes' --alg aes-gcm "
                                       "--aad wrong --in '{}' --out '{}'",
                                       file("sealed"), file("never.dec"))),
              ExitCode::Invalid, "GCM tag under another --aad");
  EXPECT_FALSE(fs::exists(file("never.dec")));
  std::string wrapped = [] {
    std::ifstream in(file("wrapped"), std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  wrapped[3] = static_cast<char>(wrapped[3] ^ 1);
  dir_->write("tampered.wrapped", wrapped);
  expect_exit(run_on_token(fmt::format("unwrap --kek 'pkcs11:object=exit-aes' --scheme kw --in "
                                       "'{}' --out '{}'",
                                       file("tampered.wrapped"), file("never.key"))),
              ExitCode::Invalid, "a tampered wrapped key");

  // An audit trail whose record was altered.
  const TempDir audit_dir;
  const fs::path config =
      audited_config(audit_dir, fmt::format("key_file = \"{}\"", key_file(audit_dir).string()));
  ASSERT_EQ(run_configured(config, "random --bytes 4 --hex").exit_code, 0);
  std::vector<std::string> lines = read_lines(audit_dir.path() / "audit.jsonl");
  ASSERT_GE(lines.size(), 2u);
  const std::size_t at = lines[1].find("\"seq\":");
  ASSERT_NE(at, std::string::npos);
  lines[1].replace(at, 6, "\"seq\": ");
  write_lines(audit_dir.path() / "audit.jsonl", lines);
  expect_exit(run_cli(fmt::format("audit verify --audit-key-file '{}' '{}'",
                                  (audit_dir.path() / "audit.key").string(),
                                  (audit_dir.path() / "audit.jsonl").string())),
              ExitCode::Invalid, "a tampered trail");
}

TEST_F(CliExitCodesTest, ATokenFailureIsExit3ForInfoAndAuditVerify) {
  // info needs no login: its token failure comes from the fault shim (CKR_DEVICE_ERROR).
  const TempDir dir;
  const std::string config = shim_config(dir);
  expect_exit(
      run_cli(fmt::format("info --config '{}'", config), "CRATON_FAULT_FAIL=C_GetTokenInfo=0x30"),
      ExitCode::OperationFailed, "info on a failing device");
  // audit verify with the chain key on the token: the login fails.
  const fs::path audit_config = dir.write(
      "audit.toml", fmt::format("library_path = \"{}\"\ntoken_label = \"{}\"\n[audit]\n"
                                "file = \"{}\"\nkey_label = \"exit-audit-hmac\"\n",
                                kModulePath, kSpareTokenLabel, (dir.path() / "a.jsonl").string()));
  dir.write("a.jsonl", "");
  expect_exit(run_cli(fmt::format("audit verify --config '{}' '{}'", audit_config.string(),
                                  (dir.path() / "a.jsonl").string()),
                      "CRATON_HSM_PIN=0000-wrong"),
              ExitCode::OperationFailed, "audit verify with a wrong PIN");
}

TEST_F(CliExitCodesTest, AnAuditTrailThatCannotBeOpenedIsExit4ForEveryAuditedCommand) {
  const TempDir audit_dir;
  const fs::path config =
      audited_config(audit_dir, fmt::format("key_file = \"{}\"", key_file(audit_dir).string()));
  // Group-readable: the trail refuses to open, so nothing may run unrecorded.
  audit_dir.write("audit.jsonl", "",
                  fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  for (const Command& command : commands()) {
    if (!command.audited) continue;
    expect_exit(run_configured(config, command.args), ExitCode::AuditUnavailable, command.name);
  }
  // Nothing ran: the key the destroy named is still there.
  EXPECT_EQ(run_on_token("export-pub --key 'pkcs11:object=exit-ec' --hex").exit_code, 0);
}

TEST_F(CliExitCodesTest, EveryCommandsHelpStatesTheTable) {
  std::vector<std::string> names;
  for (const Command& command : commands()) names.push_back(command.name);
  names.emplace_back("audit verify");
  names.emplace_back("audit");
  names.emplace_back("");
  for (const std::string& name : names) {
    const CommandResult help = run_cli(fmt::format("{} --help", name));
    EXPECT_EQ(help.exit_code, 0) << name;
    EXPECT_THAT(help.output, HasSubstr("Exit codes (every command):\n"
                                       "  0  success; a check (verify, audit verify) found the "
                                       "data valid\n"
                                       "  1  the data failed its check"))
        << name;
    EXPECT_THAT(help.output, HasSubstr("  4  the audit trail could not record")) << name;
  }
}

}  // namespace
}  // namespace craton::hsm::testing
