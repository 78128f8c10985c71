// SPDX-License-Identifier: Apache-2.0
// sign/verify, encrypt/decrypt, wrap/unwrap, random and digest end to end on the throwaway
// token: round trips, tampering, exit codes, the terminal refusal and every command's help.
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

namespace fs = std::filesystem;

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;
using ::testing::StartsWith;

std::string read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Flips one bit of the byte at `offset` (from the end when negative).
void flip_bit(const fs::path& file, long offset) {
  std::string bytes = read_bytes(file);
  const std::size_t at = offset >= 0 ? static_cast<std::size_t>(offset)
                                     : bytes.size() - static_cast<std::size_t>(-offset);
  bytes.at(at) = static_cast<char>(bytes.at(at) ^ 0x01);
  std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
}

class CliCryptoTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    for (const char* args : {"keygen --type ec --curve p256 --label crypto-ec",
                             "keygen --type ed25519 --label crypto-ed",
                             "keygen --type rsa --size 2048 --label crypto-rsa "
                             "--usage sign,verify,encrypt,decrypt",
                             "keygen --type aes --label crypto-aes --usage "
                             "encrypt,decrypt,wrap,unwrap"}) {
      const CommandResult made = run_on_token(args);
      ASSERT_EQ(made.exit_code, 0) << args << ": " << made.output;
    }
  }

  fs::path write(std::string_view name, std::string_view content) const {
    return dir_.write(name, content);
  }
  fs::path path(std::string_view name) const { return dir_.path() / name; }

  TempDir dir_;
};

TEST_F(CliCryptoTest, SignThenVerifyAndATamperedSignatureIsInvalidWithExit1) {
  const fs::path message = write("msg.txt", "release 1.0\n");
  for (const auto& [key, scheme] :
       {std::pair{"crypto-ec", "ecdsa-p256-sha256"}, std::pair{"crypto-ed", "ed25519"},
        std::pair{"crypto-rsa", "rsa-pss-sha256"}, std::pair{"crypto-rsa", "rsa-pkcs1-sha512"}}) {
    const fs::path sig = path(fmt::format("{}-{}.sig", key, scheme));
    const std::string common = fmt::format("--key 'pkcs11:object={}' --scheme {} --in '{}'", key,
                                           scheme, message.string());
    const CommandResult signed_ =
        run_on_token(fmt::format("sign {} --out '{}'", common, sig.string()));
    ASSERT_EQ(signed_.exit_code, 0) << signed_.output;
    const std::string verify = fmt::format("verify {} --signature '{}'", common, sig.string());
    const CommandResult valid = run_on_token(verify);
    EXPECT_EQ(valid.exit_code, 0) << valid.output;
    EXPECT_EQ(valid.output, "valid\n");

    flip_bit(sig, -1);
    const CommandResult invalid = run_on_token(verify);
    EXPECT_EQ(invalid.exit_code, 1) << scheme << ": " << invalid.output;
    EXPECT_THAT(invalid.output, StartsWith("invalid\ncraton-hsm: error: AuthenticationFailed: "));
  }
}

TEST_F(CliCryptoTest, EcdsaFormatsAndOpensslAgree) {
  const fs::path message = write("ossl.txt", "interop");
  const fs::path pem = path("ec.pem");
  const fs::path der_sig = path("sig.der");
  const fs::path raw_sig = path("sig.raw");
  ASSERT_EQ(run_on_token(
                fmt::format("export-pub --key 'pkcs11:object=crypto-ec' --out '{}'", pem.string()))
                .exit_code,
            0);
  const std::string sign =
      fmt::format("sign --key 'pkcs11:object=crypto-ec' --scheme ecdsa-p256-sha256 --in '{}'",
                  message.string());
  ASSERT_EQ(run_on_token(fmt::format("{} > '{}'", sign, der_sig.string())).exit_code, 0);
  ASSERT_EQ(
      run_on_token(fmt::format("{} --format raw --out '{}'", sign, raw_sig.string())).exit_code, 0);
  EXPECT_EQ(read_bytes(raw_sig).size(), 64u);
  const CommandResult openssl =
      run_command(fmt::format("openssl dgst -sha256 -verify '{}' -signature '{}' '{}'",
                              pem.string(), der_sig.string(), message.string()));
  EXPECT_EQ(openssl.exit_code, 0) << openssl.output;
  // A raw signature checked as DER is a wrong signature, not a crash.
  EXPECT_EQ(run_on_token(fmt::format("verify --key 'pkcs11:object=crypto-ec' --scheme "
                                     "ecdsa-p256-sha256 --in '{}' --signature '{}'",
                                     message.string(), raw_sig.string()))
                .exit_code,
            1);
}

TEST_F(CliCryptoTest, VerifyJsonSaysValid) {
  const fs::path message = write("json.txt", "json");
  const fs::path sig = path("json.sig");
  const std::string common =
      fmt::format("--key 'pkcs11:object=crypto-ed' --scheme ed25519 --in '{}'", message.string());
  ASSERT_EQ(run_on_token(fmt::format("sign {} --out '{}'", common, sig.string())).exit_code, 0);
  const CommandResult verified =
      run_on_token(fmt::format("verify {} --signature '{}' --json", common, sig.string()));
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  EXPECT_THAT(verified.output, StartsWith("{\"valid\":true,\"scheme\":\"Ed25519\""));
}

TEST_F(CliCryptoTest, AesGcmRoundTripBindsTheAadAndNeverEchoesPlaintext) {
  const std::string secret_text = "plaintext-7f3a-never-printed";
  const fs::path plain = write("plain.txt", secret_text);
  const fs::path aad = write("aad.bin", "context-v2");
  const fs::path sealed = path("sealed.bin");
  const fs::path opened = path("opened.txt");
  const std::string key = "--key 'pkcs11:object=crypto-aes' --alg aes-gcm";
  ASSERT_EQ(run_on_token(fmt::format("encrypt {} --aad-file '{}' --in '{}' --out '{}'", key,
                                     aad.string(), plain.string(), sealed.string()))
                .exit_code,
            0);
  EXPECT_EQ(read_bytes(sealed).size(), 12 + secret_text.size() + 16);  // iv ‖ ct ‖ tag
  const CommandResult decrypted = run_on_token(fmt::format(
      "decrypt {} --aad context-v2 --in '{}' --out '{}'", key, sealed.string(), opened.string()));
  ASSERT_EQ(decrypted.exit_code, 0) << decrypted.output;
  EXPECT_EQ(read_bytes(opened), secret_text);
  EXPECT_EQ(fs::status(opened).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);

  const fs::path refused = path("refused.txt");
  const CommandResult wrong_aad = run_on_token(fmt::format(
      "decrypt {} --aad context-v1 --in '{}' --out '{}'", key, sealed.string(), refused.string()));
  EXPECT_EQ(wrong_aad.exit_code, 1) << wrong_aad.output;
  EXPECT_THAT(wrong_aad.output, HasSubstr("AuthenticationFailed"));
  EXPECT_THAT(wrong_aad.output, Not(HasSubstr(secret_text)));
  EXPECT_FALSE(fs::exists(refused)) << "no plaintext file on failure";

  // Through standard input and output, as scripts use it. One process after the other:
  // SoftHSM2's file store is not safe for concurrent processes (a pipe would run both at once).
  const fs::path streamed = path("streamed.bin");
  ASSERT_EQ(
      run_on_token(fmt::format("encrypt {} < '{}' > '{}'", key, plain.string(), streamed.string()))
          .exit_code,
      0);
  const CommandResult piped =
      run_on_token(fmt::format("decrypt {} < '{}'", key, streamed.string()));
  EXPECT_EQ(piped.exit_code, 0) << piped.output;
  EXPECT_EQ(piped.output, secret_text);
}

TEST_F(CliCryptoTest, RsaOaepRoundTripsOrFailsTyped) {
  const fs::path plain = write("oaep.txt", "short secret");
  const fs::path sealed = path("oaep.bin");
  const std::string key = "--key 'pkcs11:object=crypto-rsa' --alg rsa-oaep-sha256";
  const CommandResult encrypted = run_on_token(
      fmt::format("encrypt {} --in '{}' --out '{}'", key, plain.string(), sealed.string()));
  if (encrypted.exit_code != 0) {
    EXPECT_EQ(encrypted.exit_code, 3) << encrypted.output;
    EXPECT_THAT(encrypted.output, HasSubstr("MechanismUnsupported"));
  } else {
    EXPECT_EQ(read_bytes(sealed).size(), 256u);
    const CommandResult opened =
        run_on_token(fmt::format("decrypt {} --in '{}' --hex", key, sealed.string()));
    EXPECT_EQ(opened.exit_code, 0) << opened.output;
    EXPECT_EQ(opened.output, "73686f727420736563726574\n");  // "short secret"
  }
  EXPECT_EQ(run_on_token(fmt::format("encrypt {} --aad x --in '{}' --hex", key, plain.string()))
                .exit_code,
            2)
      << "--aad is for aes-gcm only";
}

TEST_F(CliCryptoTest, WrapAndUnwrapRoundTripAndDetectTampering) {
  const fs::path key_bytes = write("data.key", std::string(32, '\x42'));
  const fs::path odd_key = write("odd.key", std::string(20, '\x42'));
  const fs::path wrapped = path("data.key.wrapped");
  const fs::path back = path("data.key.back");
  const std::string kek = "--kek 'pkcs11:object=crypto-aes'";
  const CommandResult odd =
      run_on_token(fmt::format("wrap {} --scheme kw --in '{}' --hex", kek, odd_key.string()));
  EXPECT_EQ(odd.exit_code, 2) << "20 bytes are not a multiple of 8: " << odd.output;
  EXPECT_THAT(odd.output, HasSubstr("InvalidArgument"));

  ASSERT_EQ(run_on_token(fmt::format("wrap {} --scheme kw --in '{}' --out '{}'", kek,
                                     key_bytes.string(), wrapped.string()))
                .exit_code,
            0);
  EXPECT_EQ(read_bytes(wrapped).size(), 40u);
  const CommandResult unwrapped = run_on_token(fmt::format(
      "unwrap {} --scheme kw --in '{}' --out '{}'", kek, wrapped.string(), back.string()));
  ASSERT_EQ(unwrapped.exit_code, 0) << unwrapped.output;
  EXPECT_EQ(read_bytes(back), read_bytes(key_bytes));
  EXPECT_EQ(fs::status(back).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);

  flip_bit(wrapped, 3);
  const CommandResult tampered = run_on_token(fmt::format(
      "unwrap {} --scheme kw --in '{}' --out '{}'", kek, wrapped.string(), back.string()));
  EXPECT_EQ(tampered.exit_code, 1);
  EXPECT_THAT(tampered.output, HasSubstr("WrappedKeyInvalid"));

  // SoftHSM2 has no CKM_AES_KEY_WRAP_KWP: there kwp must fail typed, elsewhere round-trip.
  const CommandResult padded = run_on_token(fmt::format("wrap {} --scheme kwp --in '{}' --out '{}'",
                                                        kek, odd_key.string(), wrapped.string()));
  if (padded.exit_code == 0) {
    ASSERT_EQ(run_on_token(fmt::format("unwrap {} --scheme kwp --in '{}' --out '{}'", kek,
                                       wrapped.string(), back.string()))
                  .exit_code,
              0);
    EXPECT_EQ(read_bytes(back), read_bytes(odd_key));
  } else {
    EXPECT_EQ(padded.exit_code, 3) << padded.output;
    EXPECT_THAT(padded.output, HasSubstr("MechanismUnsupported"));
  }
}

TEST_F(CliCryptoTest, RandomAsHexBase64JsonAndRawBytes) {
  const CommandResult hex = run_on_token("random --bytes 16 --hex");
  ASSERT_EQ(hex.exit_code, 0) << hex.output;
  EXPECT_THAT(hex.output, MatchesRegex("[0-9a-f]{32}\n"));
  EXPECT_THAT(run_on_token("random --bytes 3 --base64").output, MatchesRegex("[A-Za-z0-9+/]{4}\n"));
  EXPECT_THAT(run_on_token("random --bytes 3 --json").output,
              MatchesRegex("\\{\"bytes\":3,\"random\":\"[A-Za-z0-9+/]{4}\"\\}\n"));
  EXPECT_EQ(run_on_token("random --bytes 100 | wc -c").output, "100\n");
  EXPECT_EQ(run_on_token("random --bytes 0").exit_code, 2);
  EXPECT_EQ(run_on_token("random --bytes 65537").exit_code, 2);
}

// script(1) gives the command a pseudo-terminal as standard output.
TEST_F(CliCryptoTest, BinaryOutputToATerminalIsRefused) {
  if (run_command("command -v script").exit_code != 0) GTEST_SKIP() << "script(1) not installed";
  const CommandResult on_tty = run_command(fmt::format(
      "{} script -qec \"'{}' {} random --bytes 16\" /dev/null", pin_env(), kCliPath, token_args()));
  EXPECT_EQ(on_tty.exit_code, 2) << on_tty.output;
  EXPECT_THAT(on_tty.output, HasSubstr("InvalidArgument"));
  EXPECT_THAT(on_tty.output, HasSubstr("--out FILE, --hex or --base64"));
  // Text stays allowed on a terminal.
  EXPECT_EQ(run_command(fmt::format("{} script -qec \"'{}' {} random --bytes 16 --hex\" /dev/null",
                                    pin_env(), kCliPath, token_args()))
                .exit_code,
            0);
}

TEST_F(CliCryptoTest, DigestMatchesCoreutils) {
  const fs::path file = write("big.bin", std::string(200000, 'x'));  // several 64 KiB pieces
  for (const auto& [alg, tool] :
       {std::pair{"sha256", "sha256sum"}, std::pair{"sha384", "sha384sum"},
        std::pair{"sha512", "sha512sum"}}) {
    const CommandResult ours =
        run_on_token(fmt::format("digest --alg {} --in '{}'", alg, file.string()));
    const CommandResult reference =
        run_command(fmt::format("{} < '{}' | cut -d' ' -f1", tool, file.string()));
    ASSERT_EQ(ours.exit_code, 0) << ours.output;
    EXPECT_EQ(ours.output, reference.output) << alg;
  }
  EXPECT_EQ(run_on_token(fmt::format("digest --alg md5 --in '{}'", file.string())).exit_code, 2);
}

TEST(CliHelp, EveryCommandHasAnExample) {
  for (const char* command :
       {"info", "demo", "keygen", "list", "export-pub", "destroy", "sign", "verify", "encrypt",
        "decrypt", "wrap", "unwrap", "random", "digest", "audit", "audit verify"}) {
    const CommandResult help = run_cli(fmt::format("{} --help", command));
    EXPECT_EQ(help.exit_code, 0) << command << ": " << help.output;
    EXPECT_THAT(help.output, HasSubstr("Example")) << command;
    EXPECT_THAT(help.output, HasSubstr("craton-hsm ")) << command;
  }
}

}  // namespace
}  // namespace craton::hsm::testing
