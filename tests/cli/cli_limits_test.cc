// SPDX-License-Identifier: Apache-2.0
// Small promises the CLI made and did not keep: a negative --bytes, the key-wrap lengths its
// help states, and destroy's prompt naming what it destroys.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include <fmt/format.h>

#include "cli/cli_runner.h"
#include "support/softhsm_token.h"

namespace craton::hsm::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(CliLimits, ANegativeRandomByteCountIsAUsageErrorNotAHugeNumber) {
  for (const char* bytes : {"-1", "-65536", "0", "65537"}) {
    const CommandResult result = run_on_token(fmt::format("random --bytes {} --hex", bytes));
    EXPECT_EQ(result.exit_code, 2) << bytes << ": " << result.output;
    EXPECT_THAT(result.output, HasSubstr("--bytes must be from 1 to 65536")) << bytes;
    EXPECT_THAT(result.output, Not(HasSubstr("18446744073709551615"))) << bytes;
  }
  EXPECT_EQ(run_on_token("random --bytes 65536 --hex").exit_code, 0);
}

TEST(CliLimits, WrapHelpStatesTheLengthsTheTokenTakes) {
  ASSERT_EQ(run_on_token("keygen --type aes --label limits-kek --usage wrap,unwrap").exit_code, 0);
  const TempDir dir;
  const auto wrap = [&](std::size_t size) {
    const auto in = dir.write(fmt::format("key-{}", size), std::string(size, '\x11'));
    return run_on_token(
        fmt::format("wrap --kek 'pkcs11:object=limits-kek' --scheme kw --in '{}' "
                    "--hex",
                    in.string()));
  };
  const std::string help = run_cli("wrap --help").output;
  EXPECT_THAT(help, HasSubstr("kw (RFC 3394: a multiple of 8 bytes, at least 16)"));
  // There is no 4096-byte ceiling: the configuration's max_message_bytes bounds the input.
  EXPECT_THAT(help, Not(HasSubstr("4096")));
  EXPECT_THAT(help, HasSubstr("max_message_bytes"));
  EXPECT_EQ(wrap(16).exit_code, 0);
  EXPECT_EQ(wrap(4104).exit_code, 0);
  EXPECT_EQ(wrap(8).exit_code, 2);
  EXPECT_EQ(wrap(20).exit_code, 2);
}

// On a pseudo-terminal made by script(1): the prompt says what goes, and a secret key has no
// other half.
TEST(CliLimits, DestroyPromptNamesWhatIsDestroyed) {
  if (run_command("command -v script").exit_code != 0) GTEST_SKIP() << "script(1) not installed";
  ASSERT_EQ(run_on_token("keygen --type aes --label limits-aes").exit_code, 0);
  ASSERT_EQ(run_on_token("keygen --type ec --label limits-ec").exit_code, 0);
  const auto prompt = [](std::string_view label) {
    return run_command(fmt::format(
        "printf 'no\\n' | {} script -qec \"'{}' {} destroy --key 'pkcs11:object={}'\" /dev/null",
        pin_env(), kCliPath, token_args(), label));
  };
  const CommandResult aes = prompt("limits-aes");
  EXPECT_THAT(aes.output, HasSubstr("This destroys the secret key pkcs11:"));
  EXPECT_THAT(aes.output, Not(HasSubstr("both halves")));
  EXPECT_THAT(aes.output, Not(HasSubstr("public half")));
  const CommandResult ec = prompt("limits-ec");
  EXPECT_THAT(ec.output, HasSubstr("This destroys the private key and its public half pkcs11:"));
  const CommandResult public_half = prompt("limits-ec;type=public");
  EXPECT_THAT(public_half.output, HasSubstr("This destroys the public key pkcs11:"));
  EXPECT_THAT(run_on_token("list").output, HasSubstr("limits-aes")) << "nothing was confirmed";
}

}  // namespace
}  // namespace craton::hsm::testing
