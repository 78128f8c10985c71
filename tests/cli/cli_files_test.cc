// SPDX-License-Identifier: Apache-2.0
// The CLI's inputs and outputs under hostile conditions: endless and oversized inputs fail with
// DataLenRange before they fill memory, digest/sign/verify stream inputs of any size in bounded
// memory (and sign as the one-shot path does), and --out appears whole or not at all.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <craton/hsm/pkcs11_backend.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "cli/cli_runner.h"
#include "cli/exit_codes.h"
#include "core/hex.h"
#include "support/softhsm_config.h"
#include "support/softhsm_token.h"

namespace craton::hsm::testing {
namespace {

namespace fs = std::filesystem;

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;
const int kDataLenRangeExit = cli::to_int(cli::exit_code_for(ErrorCode::DataLenRange));

// Memory a CLI run that streams its input may use (the binary, SoftHSM2, OpenSSL and a 64 KiB
// piece; about 12 MiB in practice), far below the 100 MiB inputs the tests give it.
constexpr long kStreamingRssKiB = 64 * 1024;

std::string read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The shell words that run the CLI on the throwaway token with its PIN.
std::string cli(std::string_view args) {
  return fmt::format("{} '{}' {} {}", pin_env(), kCliPath, token_args(), args);
}

// A regression that reads an endless input whole must fail, not take the machine's memory with
// it (a sanitizer's shadow memory needs an unlimited address space).
std::string capped(std::string_view command_line) {
#if defined(__SANITIZE_ADDRESS__)
  return std::string(command_line);
#else
  return fmt::format("ulimit -v 4194304; {}", command_line);
#endif
}

CommandResult run_capped(std::string_view command_line) {
  return run_command(capped(command_line));
}

struct Measured {
  int exit_code = -1;
  std::string output;  // stdout and stderr
  long max_rss_kib = 0;
};

// Runs `command_line` through sh in a child of its own and reports, besides what run_command
// does, the largest resident set of the child and of the processes it waited for (wait4).
Measured run_measured(const std::string& command_line, const fs::path& scratch) {
  const fs::path output = scratch / "measured.out";
  const std::string full =
      fmt::format("{{ {}; }} >'{}' 2>&1", capped(command_line), output.string());
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execl("/bin/sh", "sh", "-c", full.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  Measured result;
  int status = 0;
  struct rusage usage {};
  if (pid > 0 && ::wait4(pid, &status, 0, &usage) == pid) {
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    result.max_rss_kib = usage.ru_maxrss;
  }
  result.output = read_bytes(output);
  return result;
}

// A file of `size` zero bytes that takes no disk space (reading it costs the same).
fs::path sparse_file(const TempDir& dir, std::string_view name, std::uint64_t size) {
  const fs::path file = dir.write(name, "");
  fs::resize_file(file, size);
  return file;
}

class CliFilesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    for (const char* args : {"keygen --type rsa --size 2048 --label files-rsa",
                             "keygen --type ec --curve p256 --label files-ec",
                             "keygen --type ed25519 --label files-ed",
                             "keygen --type aes --label files-aes --usage "
                             "encrypt,decrypt,wrap,unwrap"}) {
      const CommandResult made = run_on_token(args);
      ASSERT_EQ(made.exit_code, 0) << args << ": " << made.output;
    }
  }

  fs::path path(std::string_view name) const { return dir_.path() / name; }

  void expect_data_len_range(const CommandResult& result, std::string_view limit,
                             std::string_view what) const {
    EXPECT_EQ(result.exit_code, kDataLenRangeExit) << what << ": " << result.output;
    EXPECT_THAT(result.output, StartsWith("craton-hsm: error: DataLenRange: ")) << what;
    EXPECT_THAT(result.output, HasSubstr(limit)) << what << ": the message names the limit";
    EXPECT_EQ(line_count(result.output), 1u) << what << ": " << result.output;
  }

  TempDir dir_;
};

// The review's reproduction: /dev/zero or endless standard input ended in std::bad_alloc
// (exit 134 before main caught exceptions). Every command that reads an input whole stops one
// byte past its limit instead.
TEST_F(CliFilesTest, EndlessInputsFailWithDataLenRangeNamingTheLimit) {
  const std::string aes = "--key 'pkcs11:object=files-aes'";
  const std::string signature = dir_.write("any.sig", std::string(64, 's')).string();
  const std::string message = dir_.write("message.txt", "message").string();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {cli(fmt::format("encrypt {} --alg aes-gcm --in /dev/zero --hex", aes)), "67108864"},
      {"yes | " + cli(fmt::format("encrypt {} --alg aes-gcm --hex", aes)), "67108864"},
      {cli(fmt::format("encrypt {} --alg aes-gcm --aad-file /dev/zero --in '{}' --hex", aes,
                       message)),
       "67108864"},
      {cli(fmt::format("decrypt {} --alg aes-gcm --in /dev/zero --hex", aes)), "67108864"},
      {cli(fmt::format("wrap --kek 'pkcs11:object=files-aes' --scheme kw --in /dev/zero --hex")),
       "67108864"},
      {cli(fmt::format("unwrap --kek 'pkcs11:object=files-aes' --scheme kw --in - --out '{}' "
                       "< /dev/zero",
                       path("unwrapped.key").string())),
       "67108864"},
      {cli("sign --key 'pkcs11:object=files-ed' --scheme ed25519 --in /dev/zero --hex"),
       "67108864"},
      {"yes | " + cli("verify --key 'pkcs11:object=files-ed' --scheme ed25519 --signature '" +
                      signature + "'"),
       "67108864"},
      {cli(fmt::format("verify --key 'pkcs11:object=files-ec' --scheme ecdsa-p256-sha256 --in "
                       "'{}' --signature /dev/zero",
                       message)),
       "65536"},
  };
  for (const auto& [command, limit] : cases) {
    expect_data_len_range(run_capped(command), limit, command);
  }
  EXPECT_FALSE(fs::exists(path("unwrapped.key")));
}

// A regular file is measured before it is read: one byte over the limit is refused without the
// process ever holding it (before, encrypt read 65 MiB and more before the backend refused).
TEST_F(CliFilesTest, AnOversizedFileIsRefusedBeforeItIsRead) {
  const fs::path big = sparse_file(dir_, "big.bin", 64 * kMiB + 1);
  for (const std::string args :
       {"encrypt --key 'pkcs11:object=files-aes' --alg aes-gcm --hex --in",
        "sign --key 'pkcs11:object=files-ed' --scheme ed25519 --hex --in"}) {
    const Measured run = run_measured(cli(fmt::format("{} '{}'", args, big.string())), dir_.path());
    expect_data_len_range({run.exit_code, run.output}, "67108864", args);
    EXPECT_THAT(run.output, HasSubstr("67108865 bytes")) << "the message says how large it is";
    EXPECT_LT(run.max_rss_kib, 32 * 1024) << args << ": the file was read";
  }
}

// digest --help promised files of any size; a 100 MiB file failed at 64 MiB. digest, sign and
// verify now stream: memory stays flat and the results are those of sha256sum and openssl.
TEST_F(CliFilesTest, AHundredMiBFileDigestsSignsAndVerifiesInBoundedMemory) {
  const fs::path big = sparse_file(dir_, "hundred.bin", 100 * kMiB);
  const Measured digest =
      run_measured(cli(fmt::format("digest --alg sha256 --in '{}'", big.string())), dir_.path());
  ASSERT_EQ(digest.exit_code, 0) << digest.output;
  EXPECT_EQ(digest.output,
            run_command(fmt::format("sha256sum < '{}' | cut -d' ' -f1", big.string())).output);
  EXPECT_LT(digest.max_rss_kib, kStreamingRssKiB);
  std::cout << fmt::format("digest of 100 MiB: peak RSS {} KiB\n", digest.max_rss_kib);

  for (const auto& [key, scheme] :
       {std::pair{"files-rsa", "rsa-pkcs1-sha256"}, std::pair{"files-rsa", "rsa-pss-sha256"},
        std::pair{"files-ec", "ecdsa-p256-sha256"}}) {
    SCOPED_TRACE(scheme);
    const fs::path pem = path(fmt::format("{}.pem", key));
    const fs::path sig = path(fmt::format("{}.sig", scheme));
    ASSERT_EQ(run_on_token(
                  fmt::format("export-pub --key 'pkcs11:object={}' --out '{}'", key, pem.string()))
                  .exit_code,
              0);
    const std::string common =
        fmt::format("--key 'pkcs11:object={}' --scheme {} --in '{}'", key, scheme, big.string());
    const Measured signed_ =
        run_measured(cli(fmt::format("sign {} --out '{}'", common, sig.string())), dir_.path());
    ASSERT_EQ(signed_.exit_code, 0) << signed_.output;
    EXPECT_LT(signed_.max_rss_kib, kStreamingRssKiB);
    std::cout << fmt::format("sign {} of 100 MiB: peak RSS {} KiB\n", scheme, signed_.max_rss_kib);
    const std::string pss =
        std::string_view(scheme).starts_with("rsa-pss")
            ? " -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:-1 -sigopt rsa_mgf1_md:sha256"
            : "";
    const CommandResult openssl =
        run_command(fmt::format("openssl dgst -sha256{} -verify '{}' -signature '{}' '{}'", pss,
                                pem.string(), sig.string(), big.string()));
    EXPECT_EQ(openssl.exit_code, 0) << openssl.output;
    EXPECT_THAT(openssl.output, HasSubstr("Verified OK"));

    const Measured verified = run_measured(
        cli(fmt::format("verify {} --signature '{}'", common, sig.string())), dir_.path());
    EXPECT_EQ(verified.exit_code, 0) << verified.output;
    EXPECT_EQ(verified.output, "valid\n");
    EXPECT_LT(verified.max_rss_kib, kStreamingRssKiB);
  }
  // Through a pipe, whose length shows only at its end.
  const Measured piped = run_measured(
      fmt::format("cat '{}' | {}", big.string(),
                  cli("sign --key 'pkcs11:object=files-rsa' --scheme rsa-pkcs1-sha256 --hex")),
      dir_.path());
  EXPECT_EQ(piped.exit_code, 0) << piped.output;
  const std::string from_file = read_bytes(path("rsa-pkcs1-sha256.sig"));
  EXPECT_EQ(piped.output, to_hex(Bytes(from_file.begin(), from_file.end())) + "\n");
  EXPECT_LT(piped.max_rss_kib, kStreamingRssKiB);
  std::cout << fmt::format("sign of 100 MiB from a pipe: peak RSS {} KiB\n", piped.max_rss_kib);
}

// The same signature whichever way the CLI takes: one call for a small message, the token's
// digest stream and sign_digest for a long one, a pipe of unknown length or a file. RSA
// PKCS#1 v1.5 and Ed25519 are deterministic, so equal inputs must give equal bytes.
TEST_F(CliFilesTest, StreamedAndOneShotSignaturesAreTheSameBytes) {
  std::string long_text(3 * kMiB + 12345, '\0');
  for (std::size_t i = 0; i < long_text.size(); ++i) {
    long_text[i] = static_cast<char>((i * 131) >> 3);
  }
  const fs::path long_message = dir_.write("long.bin", long_text);
  const fs::path short_message = dir_.write("short.bin", long_text.substr(0, 1000));

  auto token = make_pkcs11_backend(softhsm_config());
  ASSERT_TRUE(token) << token.error();
  KeyRef ref;
  ref.label = "files-rsa";
  auto key = (*token)->find_key(ref);
  ASSERT_TRUE(key) << key.error();
  const auto bytes = [](const std::string& text) { return Bytes(text.begin(), text.end()); };
  const auto cli_signature = [&](const std::string& redirect) {
    const CommandResult run = run_command(
        cli("sign --key 'pkcs11:object=files-rsa' --scheme rsa-pkcs1-sha256 --hex " + redirect));
    EXPECT_EQ(run.exit_code, 0) << run.output;
    return run.output;
  };

  // A long message: streamed by the CLI, signed whole by the library.
  auto one_shot = (*token)->sign(*key, SignScheme::RsaPkcs1v15Sha256, bytes(long_text));
  ASSERT_TRUE(one_shot) << one_shot.error();
  const std::string expected_long = to_hex(*one_shot) + "\n";
  EXPECT_EQ(cli_signature(fmt::format("--in '{}'", long_message.string())), expected_long);
  EXPECT_EQ(cli_signature(fmt::format("< '{}'", long_message.string())), expected_long);
  EXPECT_EQ(run_command(fmt::format("cat '{}' | {}", long_message.string(),
                                    cli("sign --key 'pkcs11:object=files-rsa' --scheme "
                                        "rsa-pkcs1-sha256 --hex")))
                .output,
            expected_long)
      << "a pipe: its first MiB read ahead, the rest streamed";

  // A short message: signed whole by the CLI, through its digest by the library.
  auto digest = (*token)->digest(HashAlg::Sha256, bytes(long_text.substr(0, 1000)));
  ASSERT_TRUE(digest);
  auto from_digest = (*token)->sign_digest(*key, SignScheme::RsaPkcs1v15Sha256, *digest);
  ASSERT_TRUE(from_digest) << from_digest.error();
  EXPECT_EQ(cli_signature(fmt::format("--in '{}'", short_message.string())),
            to_hex(*from_digest) + "\n");
}

TEST(CliFilesHelp, DigestSignAndVerifyHelpSayWhatSizesWork) {
  const CommandResult digest = run_cli("digest --help");
  EXPECT_EQ(digest.exit_code, 0);
  EXPECT_THAT(digest.output, HasSubstr("any size"));
  for (const char* command : {"sign", "verify"}) {
    const CommandResult help = run_cli(fmt::format("{} --help", command));
    EXPECT_THAT(help.output, HasSubstr("any size")) << command;
    EXPECT_THAT(help.output, HasSubstr("64 MiB")) << command;
  }
  EXPECT_THAT(run_cli("encrypt --help").output, HasSubstr("64 MiB"));
}

}  // namespace
}  // namespace craton::hsm::testing
