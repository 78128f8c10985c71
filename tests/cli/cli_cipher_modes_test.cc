// SPDX-License-Identifier: Apache-2.0
// encrypt/decrypt with AES-CBC-PAD and AES-CTR on the token: byte-for-byte what `openssl enc`
// makes from the same key and IV, both ways, and typed errors for a missing or wrong --iv.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <craton/hsm/pkcs11_backend.h>

#include <fstream>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "cli/cli_runner.h"
#include "cli/io.h"
#include "support/softhsm_config.h"
#include "support/softhsm_token.h"

namespace craton::hsm::testing {
namespace {

namespace fs = std::filesystem;

using ::testing::HasSubstr;
using ::testing::StartsWith;

// A known key, so that openssl can compute what the token must: imported through the public
// API (sensitive and non-extractable on the token, like any imported key).
constexpr std::string_view kKeyHex =
    "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4";
constexpr std::string_view kIvHex = "000102030405060708090a0b0c0d0e0f";
constexpr std::string_view kKey = "--key 'pkcs11:object=modes-aes'";

std::string read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class CliCipherModesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto token = make_pkcs11_backend(softhsm_config());
    ASSERT_TRUE(token) << token.error();
    auto material = Key::aes(cli::parse_hex(kKeyHex, "key").value());
    ASSERT_TRUE(material) << material.error();
    ResidentKeySpec spec;
    spec.algorithm = KeyAlgorithm::Aes256;
    spec.label = "modes-aes";
    spec.id = {0x0d, 0xe5};
    spec.usages = KeyUsages{.encrypt = true, .decrypt = true};
    auto imported = (*token)->import_resident_key(*material, spec);
    ASSERT_TRUE(imported) << imported.error();
  }

  fs::path path(std::string_view name) const { return dir_.path() / name; }

  TempDir dir_;
};

TEST_F(CliCipherModesTest, CbcPadAndCtrMatchOpensslEncBothWays) {
  for (const auto& [alg, openssl_cipher] :
       {std::pair{"aes-cbc-pad", "aes-256-cbc"}, std::pair{"aes-ctr", "aes-256-ctr"}}) {
    for (const std::size_t length : {1U, 15U, 16U, 17U, 1000U, 70000U}) {
      SCOPED_TRACE(fmt::format("{}, {} bytes", alg, length));
      std::string text(length, '\0');
      for (std::size_t i = 0; i < length; ++i) text[i] = static_cast<char>('a' + i % 26);
      const fs::path plain = dir_.write(fmt::format("{}-{}.txt", alg, length), text);
      const fs::path ours = path(fmt::format("{}-{}.ours", alg, length));
      const fs::path theirs = path(fmt::format("{}-{}.openssl", alg, length));
      const fs::path opened = path(fmt::format("{}-{}.opened", alg, length));

      const CommandResult encrypted =
          run_on_token(fmt::format("encrypt {} --alg {} --iv {} --in '{}' --out '{}'", kKey, alg,
                                   kIvHex, plain.string(), ours.string()));
      ASSERT_EQ(encrypted.exit_code, 0) << encrypted.output;
      const CommandResult openssl =
          run_command(fmt::format("openssl enc -{} -K {} -iv {} -in '{}' -out '{}'", openssl_cipher,
                                  kKeyHex, kIvHex, plain.string(), theirs.string()));
      ASSERT_EQ(openssl.exit_code, 0) << openssl.output;
      EXPECT_EQ(read_bytes(ours), read_bytes(theirs)) << "the token and openssl disagree";

      // What openssl encrypted, the token decrypts (and the reverse is the check above).
      const CommandResult decrypted =
          run_on_token(fmt::format("decrypt {} --alg {} --iv {} --in '{}' --out '{}'", kKey, alg,
                                   kIvHex, theirs.string(), opened.string()));
      ASSERT_EQ(decrypted.exit_code, 0) << decrypted.output;
      EXPECT_EQ(read_bytes(opened), text);
      EXPECT_EQ(fs::status(opened).permissions() & fs::perms::all,
                fs::perms::owner_read | fs::perms::owner_write);
    }
  }
}

TEST_F(CliCipherModesTest, TheIvIsRequiredSixteenBytesAndOnlyWhereTheModeTakesOne) {
  const fs::path plain = dir_.write("iv.txt", "iv checks");
  const std::string in = fmt::format("--in '{}' --hex", plain.string());
  struct Case {
    std::string args;
    std::string reason;
  };
  const std::vector<Case> refused = {
      {fmt::format("encrypt {} --alg aes-cbc-pad {}", kKey, in), "needs --iv"},
      {fmt::format("decrypt {} --alg aes-ctr {}", kKey, in), "needs --iv"},
      {fmt::format("encrypt {} --alg aes-cbc-pad --iv 0001020304 {}", kKey, in),
       "--iv must be 16 bytes (32 hex digits), not 5"},
      {fmt::format("encrypt {} --alg aes-ctr --iv {}00 {}", kKey, kIvHex, in),
       "--iv must be 16 bytes (32 hex digits), not 17"},
      {fmt::format("encrypt {} --alg aes-ctr --iv nothex {}", kKey, in), "is not hex"},
      {fmt::format("encrypt {} --alg aes-gcm --iv {} {}", kKey, kIvHex, in),
       "--iv applies to aes-cbc-pad and aes-ctr only"},
      {fmt::format("encrypt {} --alg aes-cbc-pad --iv {} --aad x {}", kKey, kIvHex, in),
       "--aad and --aad-file apply to aes-gcm only"},
  };
  for (const Case& c : refused) {
    const CommandResult run = run_on_token(c.args);
    EXPECT_EQ(run.exit_code, 2) << c.args << ": " << run.output;
    EXPECT_THAT(run.output, StartsWith("craton-hsm: error: InvalidArgument: ")) << c.args;
    EXPECT_THAT(run.output, HasSubstr(c.reason)) << c.args;
    EXPECT_EQ(line_count(run.output), 1u) << run.output;
  }
  // Ciphertext that is not whole blocks is the token's typed refusal, with no plaintext.
  const fs::path ragged = dir_.write("ragged.bin", std::string(20, 'r'));
  const fs::path out = path("ragged.out");
  const CommandResult ragged_run =
      run_on_token(fmt::format("decrypt {} --alg aes-cbc-pad --iv {} --in '{}' --out '{}'", kKey,
                               kIvHex, ragged.string(), out.string()));
  EXPECT_EQ(ragged_run.exit_code, 1) << ragged_run.output;
  EXPECT_THAT(ragged_run.output, HasSubstr("EncryptedDataInvalid"));
  EXPECT_FALSE(fs::exists(out));
}

TEST(CliCipherModesHelp, EncryptAndDecryptHelpNameTheModesAndWarn) {
  for (const char* command : {"encrypt", "decrypt"}) {
    const CommandResult help = run_cli(fmt::format("{} --help", command));
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_THAT(help.output, HasSubstr("aes-cbc-pad")) << command;
    EXPECT_THAT(help.output, HasSubstr("aes-ctr")) << command;
    EXPECT_THAT(help.output, HasSubstr("--iv")) << command;
  }
  EXPECT_THAT(run_cli("encrypt --help").output, HasSubstr("Never reuse"));
}

}  // namespace
}  // namespace craton::hsm::testing
