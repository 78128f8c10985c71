// SPDX-License-Identifier: Apache-2.0
// No argument value ever appears in a craton-hsm error: a PIN typed where it does not belong
// (a PIN option, a stray argument, a file name) must not travel on to stderr and from there into
// logs. Plus the parse errors that used to say "A subcommand is required" for everything:
// --version, a mistyped command and an unknown global option.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/cli_runner.h"
#include "support/softhsm_token.h"

namespace craton::hsm::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr std::string_view kSecret = "Zq7-SECRET-pin-481";

// Without a PIN in the environment and without a terminal, so nothing can prompt or log in.
CommandResult run_bare(std::string_view args) {
  return run_cli(fmt::format("{} </dev/null", args), "env -u CRATON_HSM_PIN");
}

TEST(CliPinEcho, NoArgumentValueAppearsInAnyParseError) {
  const std::vector<std::string> forms = {
      fmt::format("-p {} info", kSecret),
      fmt::format("info -p {}", kSecret),
      fmt::format("info -p{}", kSecret),
      fmt::format("info --so-pin {}", kSecret),
      fmt::format("info --so-pin={}", kSecret),
      fmt::format("info --user-pin {}", kSecret),
      fmt::format("--user-pin {} info", kSecret),
      fmt::format("info --set-pin {}", kSecret),
      fmt::format("info --set-pin={}", kSecret),
      fmt::format("info --new-pin {}", kSecret),
      fmt::format("info --pim {}", kSecret),
      fmt::format("info --pim={}", kSecret),
      fmt::format("info {}", kSecret),
      fmt::format("info {} {}", module_args(), kSecret),
      fmt::format("{}", kSecret),
      fmt::format("{} info", kSecret),
      fmt::format("info {} --pin-file {}", module_args(), kSecret),
      fmt::format("info {} --pin-file={}", module_args(), kSecret),
      fmt::format("--pin-file {} {} info", kSecret, module_args()),
      fmt::format("info --config {}", kSecret),
      fmt::format("info --config={}", kSecret),
      fmt::format("--config {} list", kSecret),
      fmt::format("info {} --slot {}", module_args(), kSecret),
      fmt::format("random {} --token-label ci-token --bytes {}", module_args(), kSecret),
      fmt::format("info --bogus={}", kSecret),
      fmt::format("info --bogus {}", kSecret),
      fmt::format("--bogus {} info", kSecret),
      fmt::format("keygen {} --token-label ci-token --type aes --label x {}", module_args(),
                  kSecret),
  };
  for (const std::string& args : forms) {
    const CommandResult result = run_bare(args);
    EXPECT_EQ(result.exit_code, 2) << args << "\n" << result.output;
    EXPECT_THAT(result.output, StartsWith("craton-hsm: error: ")) << args;
    EXPECT_THAT(result.output, Not(HasSubstr(kSecret))) << args << "\n" << result.output;
    EXPECT_THAT(result.output, Not(HasSubstr("Zq7"))) << args << "\n" << result.output;
  }
}

TEST(CliPinEcho, PinOptionsAreRefusedByNameWithTheWayToGiveThePin) {
  for (const auto& [args, name] : std::vector<std::pair<std::string, std::string>>{
           {fmt::format("info -p {}", kSecret), "-p"},
           {fmt::format("info -p{}", kSecret), "-p"},
           {fmt::format("info --so-pin {}", kSecret), "--so-pin"},
           {fmt::format("info --user-pin={}", kSecret), "--user-pin"},
           {fmt::format("info --set-pin {}", kSecret), "--set-pin"},
       }) {
    const CommandResult result = run_bare(args);
    EXPECT_EQ(result.exit_code, 2) << args;
    EXPECT_THAT(result.output, HasSubstr(name + ": PINs are never accepted")) << result.output;
    EXPECT_THAT(result.output, HasSubstr("CRATON_HSM_PIN")) << result.output;
    EXPECT_EQ(line_count(result.output), 1u) << result.output;
  }
}

TEST(CliPinEcho, UnknownOptionsAreNamedWithoutTheirValue) {
  for (const auto& [args, name] : std::vector<std::pair<std::string, std::string>>{
           {fmt::format("info --pim {}", kSecret), "--pim"},
           {fmt::format("info --pim={}", kSecret), "--pim"},
           {fmt::format("--bogus={} info", kSecret), "--bogus"},
           {"--bogus info", "--bogus"},
       }) {
    const CommandResult result = run_bare(args);
    EXPECT_EQ(result.exit_code, 2) << args;
    EXPECT_THAT(result.output, HasSubstr(fmt::format("unknown option {}", name))) << args << "\n"
                                                                                  << result.output;
    EXPECT_THAT(result.output, Not(HasSubstr("subcommand is required"))) << result.output;
    EXPECT_EQ(line_count(result.output), 1u) << result.output;
  }
}

TEST(CliPinEcho, MissingPinFileOrConfigIsNamedByOptionNotByPath) {
  const CommandResult pin_file =
      run_bare(fmt::format("info {} --pin-file {}", module_args(), kSecret));
  EXPECT_THAT(pin_file.output, HasSubstr("--pin-file")) << pin_file.output;
  EXPECT_THAT(pin_file.output, HasSubstr("ConfigInvalid")) << pin_file.output;
  const CommandResult config = run_bare(fmt::format("info --config {}", kSecret));
  EXPECT_THAT(config.output, HasSubstr("--config")) << config.output;
  EXPECT_THAT(config.output, HasSubstr("ConfigInvalid")) << config.output;
}

TEST(CliPinEcho, VersionPrintsLibraryOpenSslAndBuildType) {
  const CommandResult result = run_bare("--version");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, StartsWith("craton-hsm 0."));
  EXPECT_THAT(result.output, HasSubstr("OpenSSL 3"));
  EXPECT_THAT(result.output, HasSubstr("build type"));
}

TEST(CliPinEcho, MistypedCommandGetsASuggestion) {
  for (const auto& [typed, meant] : std::vector<std::pair<std::string, std::string>>{
           {"infoo", "info"}, {"lsit", "list"}, {"keygne", "keygen"}, {"destory", "destroy"}}) {
    const CommandResult result = run_bare(typed);
    EXPECT_EQ(result.exit_code, 2) << result.output;
    EXPECT_THAT(result.output,
                HasSubstr(fmt::format("unknown command '{}'; did you mean '{}'?", typed, meant)))
        << result.output;
    EXPECT_EQ(line_count(result.output), 1u) << result.output;
  }
  // Nothing close: the word could be anything (a PIN typed first), so it is not repeated.
  const CommandResult far = run_bare("frobnicate");
  EXPECT_EQ(far.exit_code, 2);
  EXPECT_THAT(far.output, HasSubstr("unknown command"));
  EXPECT_THAT(far.output, Not(HasSubstr("frobnicate")));
  EXPECT_THAT(far.output, HasSubstr("craton-hsm --help"));
}

TEST(CliPinEcho, NoCommandAtAllSaysWhichExist) {
  const CommandResult result = run_bare("");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.output, HasSubstr("a command is required"));
  EXPECT_THAT(result.output, HasSubstr("keygen"));
}

}  // namespace
}  // namespace craton::hsm::testing
