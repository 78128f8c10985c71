// SPDX-License-Identifier: Apache-2.0
// Login is never silent: commands that need the user refuse to run without a PIN (exit 2,
// saying how to give one) and leave the token untouched; list and info say when they see public
// objects only; scripts are never prompted; a terminal is prompted without echo.
#include <craton/hsm/pkcs11_backend.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/cli_runner.h"
#include "cli/options.h"
#include "cli/token_access.h"
#include "support/matchers.h"
#include "support/softhsm_config.h"
#include "support/softhsm_token.h"

namespace craton::hsm::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr std::string_view kPublicOnly = "not logged in: public objects only";

// The throwaway token with no PIN anywhere and no terminal on stdin.
CommandResult run_unlogged(std::string_view args) {
  return run_cli(fmt::format("{} {} </dev/null", token_args(), args), "env -u CRATON_HSM_PIN");
}

void expect_login_refusal(const CommandResult& result, std::string_view args) {
  EXPECT_EQ(result.exit_code, 2) << args << "\n" << result.output;
  EXPECT_EQ(line_count(result.output), 1u) << args << "\n" << result.output;
  EXPECT_THAT(result.output, StartsWith("craton-hsm: error: LoginRequired: ")) << args;
  EXPECT_THAT(result.output, HasSubstr("CRATON_HSM_PIN")) << args;
  EXPECT_THAT(result.output, HasSubstr("--pin-file")) << args;
  EXPECT_THAT(result.output, HasSubstr("pin_file")) << args;
  EXPECT_THAT(result.output, Not(HasSubstr("KeyNotFound"))) << args;
}

// Whether the token holds a key object with this label, asked through the public API with the
// PIN (so private and secret objects count too).
bool token_has_label(const std::string& label) {
  auto backend = make_pkcs11_backend(softhsm_config());
  EXPECT_THAT(backend, IsOk());
  if (!backend) return true;
  auto keys = (*backend)->list_keys();
  EXPECT_THAT(keys, IsOk());
  if (!keys) return true;
  for (const ResidentKeyInfo& info : *keys) {
    if (info.label == label) return true;
  }
  return false;
}

TEST(CliLogin, KeygenWithoutPinIsRefusedAndCreatesNothing) {
  for (const std::string type : {"aes", "ec", "hmac"}) {
    const std::string label = "login-none-" + type;
    const std::string args = fmt::format("keygen --type {} --label {}", type, label);
    expect_login_refusal(run_unlogged(args), args);
    EXPECT_FALSE(token_has_label(label)) << label;
  }
}

TEST(CliLogin, PinEnvNamingAnUnsetVariableIsRefused) {
  const TempDir dir;
  const auto config = dir.write("hsm.toml", fmt::format("library_path = \"{}\"\n"
                                                        "token_label = \"ci-token\"\n"
                                                        "pin_env = \"CRATON_LOGIN_TEST_PIN\"\n",
                                                        kModulePath));
  // CRATON_HSM_PIN is set but is not the variable the config names: it must not be used.
  const CommandResult result =
      run_cli(fmt::format("--config '{}' keygen --type aes --label login-pin-env </dev/null",
                          config.string()),
              fmt::format("env -u CRATON_LOGIN_TEST_PIN CRATON_HSM_PIN={}", kUserPin));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_THAT(result.output, HasSubstr("LoginRequired")) << result.output;
  EXPECT_THAT(result.output, HasSubstr("CRATON_LOGIN_TEST_PIN")) << result.output;
  EXPECT_THAT(result.output, HasSubstr("pin_env")) << result.output;
  EXPECT_FALSE(token_has_label("login-pin-env"));
}

TEST(CliLogin, EmptyPinVariableCountsAsNoPin) {
  const std::string args = "keygen --type aes --label login-empty-pin";
  const CommandResult result =
      run_cli(fmt::format("{} {} </dev/null", token_args(), args), "CRATON_HSM_PIN=");
  expect_login_refusal(result, args);
  EXPECT_FALSE(token_has_label("login-empty-pin"));
}

// The keys exist; without the PIN every command that uses them says so, not KeyNotFound (the
// answer that made a missing login look like a missing key), and nothing changes on the token.
TEST(CliLogin, KeyCommandsWithoutPinGiveTheLoginErrorNotKeyNotFound) {
  ASSERT_EQ(run_on_token("keygen --type ec --label login-ec").exit_code, 0);
  ASSERT_EQ(run_on_token("keygen --type aes --label login-aes --usage encrypt,decrypt,wrap,unwrap")
                .exit_code,
            0);
  const TempDir dir;
  const auto data = dir.write("data", "sixteen byte key");
  const std::string sealed = (dir.path() / "sealed").string();
  const std::string wrapped = (dir.path() / "wrapped").string();
  ASSERT_EQ(run_on_token(fmt::format("encrypt --key 'pkcs11:object=login-aes' --alg aes-gcm "
                                     "--in '{}' --out '{}'",
                                     data.string(), sealed))
                .exit_code,
            0);
  ASSERT_EQ(run_on_token(fmt::format("wrap --kek 'pkcs11:object=login-aes' --scheme kw --in '{}' "
                                     "--out '{}'",
                                     data.string(), wrapped))
                .exit_code,
            0);

  const std::vector<std::string> invocations = {
      fmt::format("sign --key 'pkcs11:object=login-ec' --scheme ecdsa-p256-sha256 --in '{}' --hex",
                  data.string()),
      fmt::format("encrypt --key 'pkcs11:object=login-aes' --alg aes-gcm --in '{}' --hex",
                  data.string()),
      fmt::format("decrypt --key 'pkcs11:object=login-aes' --alg aes-gcm --in '{}' --hex", sealed),
      fmt::format("wrap --kek 'pkcs11:object=login-aes' --scheme kw --in '{}' --hex",
                  data.string()),
      fmt::format("unwrap --kek 'pkcs11:object=login-aes' --scheme kw --in '{}' --out '{}'",
                  wrapped, (dir.path() / "unwrapped").string()),
      "destroy --key 'pkcs11:object=login-ec' --yes",
      "destroy --key 'pkcs11:object=login-aes' --yes",
  };
  for (const std::string& args : invocations) expect_login_refusal(run_unlogged(args), args);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "unwrapped"));
  EXPECT_TRUE(token_has_label("login-ec")) << "an unlogged destroy must not reach the token";
  EXPECT_TRUE(token_has_label("login-aes"));
  EXPECT_EQ(run_on_token("destroy --key 'pkcs11:object=login-ec' --yes").exit_code, 0);
  EXPECT_EQ(run_on_token("destroy --key 'pkcs11:object=login-aes' --yes").exit_code, 0);
}

TEST(CliLogin, ListWithoutPinSaysItSeesPublicObjectsOnly) {
  ASSERT_EQ(run_on_token("keygen --type ec --label login-list").exit_code, 0);
  const CommandResult unlogged = run_unlogged("list");
  EXPECT_EQ(unlogged.exit_code, 0) << unlogged.output;
  EXPECT_THAT(unlogged.output, HasSubstr(kPublicOnly));
  EXPECT_THAT(unlogged.output, HasSubstr("CRATON_HSM_PIN"));
  EXPECT_THAT(unlogged.output, HasSubstr("login-list"));  // the public half is public

  const CommandResult logged_in = run_on_token("list");
  EXPECT_EQ(logged_in.exit_code, 0) << logged_in.output;
  EXPECT_THAT(logged_in.output, Not(HasSubstr(kPublicOnly)));

  // The note goes to stderr: --json output stays one parseable document.
  const CommandResult json = run_command(
      fmt::format("env -u CRATON_HSM_PIN '{}' {} list --json </dev/null 2>/dev/null | python3 -c "
                  "'import json,sys; d=json.load(sys.stdin); assert isinstance(d[\"keys\"], list)'",
                  kCliPath, token_args()));
  EXPECT_EQ(json.exit_code, 0) << json.output;
  EXPECT_EQ(run_on_token("destroy --key 'pkcs11:object=login-list' --yes").exit_code, 0);
}

TEST(CliLogin, InfoWithoutPinSaysSo) {
  const CommandResult unlogged = run_unlogged("info");
  EXPECT_EQ(unlogged.exit_code, 0) << unlogged.output;
  EXPECT_THAT(unlogged.output, HasSubstr(kPublicOnly));
  const CommandResult with_pin = run_on_token("info");
  EXPECT_EQ(with_pin.exit_code, 0) << with_pin.output;
  EXPECT_THAT(with_pin.output, Not(HasSubstr(kPublicOnly)));
}

// Commands without key objects need no login and say nothing about it.
TEST(CliLogin, RandomAndDigestRunWithoutPin) {
  const CommandResult random = run_unlogged("random --bytes 8 --hex");
  EXPECT_EQ(random.exit_code, 0) << random.output;
  EXPECT_EQ(line_count(random.output), 1u) << random.output;
  const CommandResult digest = run_unlogged("digest --alg sha256 --in /dev/null");
  EXPECT_EQ(digest.exit_code, 0) << digest.output;
  EXPECT_EQ(line_count(digest.output), 1u) << digest.output;
}

// A script with no terminal is never prompted, even when its stdin stays open (a FIFO whose
// writer sleeps): the CLI fails at once instead of waiting for a PIN nobody will type.
TEST(CliLogin, WithoutATerminalNeverPromptsNorHangs) {
  const TempDir dir;
  const std::string fifo = (dir.path() / "stdin").string();
  const auto start = std::chrono::steady_clock::now();
  const CommandResult result = run_command(fmt::format(
      "mkfifo '{0}' && (sleep 30 >'{0}' 2>/dev/null &) && env -u CRATON_HSM_PIN timeout 20 "
      "'{1}' {2} keygen --type aes --label login-pipe <'{0}'",
      fifo, kCliPath, token_args()));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_THAT(result.output, HasSubstr("LoginRequired"));
  EXPECT_THAT(result.output, Not(HasSubstr("enter the user PIN")));  // no prompt was written
  EXPECT_LT(elapsed, std::chrono::seconds(10));
  EXPECT_FALSE(token_has_label("login-pipe"));
}

// A trail chained under an HMAC key on the token can only be checked with that secret key,
// which an unlogged session cannot see: say so, not "key not found".
TEST(CliLogin, AuditVerifyWithATokenChainKeyNeedsThePin) {
  ASSERT_EQ(run_on_token("keygen --type hmac --label login-audit-key").exit_code, 0);
  const TempDir dir;
  const auto trail = dir.path() / "audit.jsonl";
  const auto config = dir.write("hsm.toml", fmt::format("library_path = \"{}\"\n"
                                                        "token_label = \"ci-token\"\n"
                                                        "[audit]\n"
                                                        "file = \"{}\"\n"
                                                        "key_label = \"login-audit-key\"\n",
                                                        kModulePath, trail.string()));
  const std::string with_config = fmt::format("--config '{}'", config.string());
  ASSERT_EQ(run_cli(fmt::format("{} random --bytes 4 --hex", with_config), pin_env()).exit_code, 0);
  const std::string verify = fmt::format("{} audit verify '{}'", with_config, trail.string());
  EXPECT_EQ(run_cli(verify, pin_env()).exit_code, 0) << run_cli(verify, pin_env()).output;
  const CommandResult unlogged =
      run_cli(fmt::format("{} </dev/null", verify), "env -u CRATON_HSM_PIN");
  EXPECT_EQ(unlogged.exit_code, 2) << unlogged.output;
  EXPECT_THAT(unlogged.output, HasSubstr("LoginRequired")) << unlogged.output;
  EXPECT_THAT(unlogged.output, HasSubstr("CRATON_HSM_PIN")) << unlogged.output;
}

TEST(LoginNeed, KeyUsersNeedTheUserAndUnknownCommandsFailClosed) {
  using cli::LoginNeed;
  for (const char* command :
       {"keygen", "import", "destroy", "sign", "encrypt", "decrypt", "wrap", "unwrap", "audit"}) {
    EXPECT_EQ(cli::login_need(command), LoginNeed::User) << command;
  }
  for (const char* command : {"list", "info", "export-pub", "verify"}) {
    EXPECT_EQ(cli::login_need(command), LoginNeed::PublicObjects) << command;
  }
  for (const char* command : {"random", "digest", "demo", "bench"}) {
    EXPECT_EQ(cli::login_need(command), LoginNeed::None) << command;
  }
  EXPECT_EQ(cli::login_need("some-new-command"), LoginNeed::User);
  EXPECT_EQ(cli::login_need(""), LoginNeed::User);
}

// argv-like arrays of string literals; find_pin_argument only reads them.
template <std::size_t N>
std::optional<std::string_view> find_pin(std::array<const char*, N> args) {
  return cli::find_pin_argument(std::span<char* const>(const_cast<char* const*>(args.data()), N));
}

TEST(FindPinArgument, NamesEveryPinLikeOptionWithoutItsValue) {
  EXPECT_EQ(find_pin(std::array{"info", "-p", "1234"}), "-p");
  EXPECT_EQ(find_pin(std::array{"info", "-p1234"}), "-p");
  EXPECT_EQ(find_pin(std::array{"info", "--so-pin", "1234"}), "--so-pin");
  EXPECT_EQ(find_pin(std::array{"info", "--user-pin=1234"}), "--user-pin");
  EXPECT_EQ(find_pin(std::array{"--set-pin", "info"}), "--set-pin");
  EXPECT_EQ(find_pin(std::array{"info", "--pin-file", "/p"}), std::nullopt);
  EXPECT_EQ(find_pin(std::array{"info", "--pim", "1234"}), std::nullopt);  // not a PIN option
  EXPECT_EQ(find_pin(std::array{"info", "--pinnacle"}), std::nullopt);
  EXPECT_EQ(find_pin(std::array{"info", "--", "-p"}), std::nullopt);
}

}  // namespace
}  // namespace craton::hsm::testing
