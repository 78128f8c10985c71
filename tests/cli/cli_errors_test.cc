// SPDX-License-Identifier: Apache-2.0
// craton-hsm's failure contract: exit codes 2 vs 3, one error line, and no PIN in any output.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "cli/cli_runner.h"
#include "support/softhsm_token.h"

namespace craton::hsm::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

namespace fs = std::filesystem;

constexpr std::string_view kDistinctPin = "9731-distinct";

// Every failure is exactly one line: "craton-hsm: error: <ErrorCode>: ...".
void expect_one_error_line(const CommandResult& result, int exit_code, std::string_view code) {
  EXPECT_EQ(result.exit_code, exit_code) << result.output;
  EXPECT_EQ(line_count(result.output), 1u) << result.output;
  EXPECT_THAT(result.output, StartsWith("craton-hsm: error: "));
  EXPECT_THAT(result.output, HasSubstr(code));
}

TEST(CliErrors, UnknownTokenLabelIsUsageErrorListingTokens) {
  const CommandResult result = run_cli(fmt::format("info {} --token-label no-such", module_args()));
  expect_one_error_line(result, 2, "TokenNotFound");
  EXPECT_THAT(result.output, HasSubstr("no-such"));
  EXPECT_THAT(result.output, HasSubstr("ci-token"));
  EXPECT_THAT(result.output, HasSubstr("spare-token"));
}

TEST(CliErrors, ConfigOutOfRangeIsUsageError) {
  const TempDir dir;
  const auto config = dir.write("hsm.toml", fmt::format("library_path = \"{}\"\n"
                                                        "token_label = \"ci-token\"\n"
                                                        "pool_size = 0\n",
                                                        kModulePath));
  const CommandResult result = run_cli(fmt::format("info --config '{}'", config.string()));
  expect_one_error_line(result, 2, "ConfigInvalid");
  EXPECT_THAT(result.output, HasSubstr("pool_size"));
}

TEST(CliErrors, MissingConfigFileIsUsageError) {
  const TempDir dir;
  const CommandResult result =
      run_cli(fmt::format("info --config '{}'", (dir.path() / "absent.toml").string()));
  expect_one_error_line(result, 2, "ConfigInvalid");
}

TEST(CliErrors, MissingModuleWithoutConfigIsUsageError) {
  const CommandResult result = run_cli("info --token-label ci-token");
  expect_one_error_line(result, 2, "ConfigInvalid");
  EXPECT_THAT(result.output, HasSubstr("--module"));
}

TEST(CliErrors, RelativeModuleIsUsageError) {
  expect_one_error_line(run_cli("info --module libsofthsm2.so --token-label ci-token"), 2,
                        "ConfigInvalid");
  // Without a selector the loader's own path check applies, with the same outcome.
  expect_one_error_line(run_cli("info --module softhsm/libsofthsm2.so"), 2, "ConfigInvalid");
}

TEST(CliErrors, MissingModuleFileIsUsageError) {
  const TempDir dir;
  const CommandResult result = run_cli(fmt::format("info --module '{}' --token-label ci-token",
                                                   (dir.path() / "absent.so").string()));
  expect_one_error_line(result, 2, "LibraryLoad");
}

TEST(CliErrors, NonPkcs11LibraryIsUsageError) {
  const TempDir dir;
  const auto config = dir.write("hsm.toml",
                                "library_path = \"/usr/lib/x86_64-linux-gnu/libz.so.1\"\n"
                                "token_label = \"ci-token\"\n");
  const CommandResult result = run_cli(fmt::format("info --config '{}'", config.string()));
  expect_one_error_line(result, 2, "NotAPkcs11Module");
}

TEST(CliErrors, PinOnCommandLineIsRefusedWithoutEchoingIt) {
  for (const std::string pin_args : {"--pin 1234", "--pin=1234"}) {
    const CommandResult result =
        run_cli(fmt::format("info {} --token-label ci-token {}", module_args(), pin_args));
    EXPECT_EQ(result.exit_code, 2) << result.output;
    EXPECT_THAT(result.output, HasSubstr("--pin-file"));
    EXPECT_THAT(result.output, Not(HasSubstr("1234"))) << pin_args;
  }
}

TEST(CliErrors, ParseErrorsAreUsageErrors) {
  EXPECT_EQ(run_cli("").exit_code, 2);                       // no subcommand
  EXPECT_EQ(run_cli("info --no-such-option").exit_code, 2);  // unknown option
  const CommandResult both =
      run_cli(fmt::format("info {} --slot 1 --token-label ci-token", module_args()));
  EXPECT_EQ(both.exit_code, 2) << both.output;  // selectors exclude each other
  EXPECT_EQ(run_cli(fmt::format("info {} --slot minus-one", module_args())).exit_code, 2);
}

// Scripts read the exit code even when stderr is closed or full: the error line that cannot be
// written must not turn a usage error into an abort (fmt::print throws on a failed write).
TEST(CliErrors, UnwritableStderrKeepsTheExitCode) {
  for (const std::string_view redirect : {"2>/dev/full", "2>&-"}) {
    // The braces give the shell's own stderr (where it reports an abort) back to the pipe.
    const CommandResult result =
        run_command(fmt::format("{{ '{}' --no-such-option {}; }}", kCliPath, redirect));
    EXPECT_EQ(result.exit_code, 2) << redirect << ": " << result.output;
    EXPECT_EQ(result.output, "") << redirect;
  }
}

TEST(CliErrors, GroupReadablePinFileIsUsageError) {
  const TempDir dir;
  const auto pin = dir.write("pin", "1234\n", fs::perms::owner_read | fs::perms::group_read);
  const CommandResult result = run_cli(
      fmt::format("info {} --token-label ci-token --pin-file '{}'", module_args(), pin.string()));
  expect_one_error_line(result, 2, "ConfigInvalid");
  EXPECT_THAT(result.output, HasSubstr("pin_file"));
}

// The PIN may reach the process from the environment or a file; no path prints it, whether
// the command succeeds or fails.
TEST(CliErrors, PinNeverAppearsInAnyOutput) {
  const TempDir dir;
  const std::string env = fmt::format("CRATON_HSM_PIN='{}'", kDistinctPin);
  const auto config = dir.write("hsm.toml", fmt::format("library_path = \"{}\"\n"
                                                        "token_label = \"ci-token\"\n",
                                                        kModulePath));
  const auto bad_config = dir.write("bad.toml", fmt::format("library_path = \"{}\"\n"
                                                            "token_label = \"ci-token\"\n"
                                                            "cache_capacity = 0\n",
                                                            kModulePath));
  const auto pin_file = dir.write("pin", fmt::format("{}\n", kDistinctPin));
  const std::string pin_file_arg = fmt::format("--pin-file '{}'", pin_file.string());
  const std::vector<std::string> invocations = {
      fmt::format("info {} --token-label ci-token", module_args()),
      fmt::format("info {} --token-label ci-token --json", module_args()),
      fmt::format("info {} --token-label nope", module_args()),
      fmt::format("info --config '{}'", config.string()),
      fmt::format("info --config '{}' --json", config.string()),
      fmt::format("info --config '{}'", bad_config.string()),
      fmt::format("info --config '{}' --module relative.so", config.string()),
      fmt::format("info {} --token-label ci-token {}", module_args(), pin_file_arg),
      fmt::format("info --config '{}' {} --token-label nope", config.string(), pin_file_arg),
  };
  for (const std::string& args : invocations) {
    const CommandResult result = run_cli(args, env);
    EXPECT_THAT(result.output, Not(HasSubstr(kDistinctPin))) << args;
  }
}

}  // namespace
}  // namespace craton::hsm::testing
