// SPDX-License-Identifier: Apache-2.0
// Unit tests of the operator commands' helpers: byte output and the terminal refusal, hex,
// base64, PEM, the name tables, destroy's confirmation rules and the exit-code policy.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <craton/hsm/config.h>

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cli/destroy_confirm.h"
#include "cli/exit_codes.h"
#include "cli/io.h"
#include "cli/options.h"
#include "cli/scheme_names.h"
#include "core/hex.h"
#include "support/matchers.h"
#include "support/softhsm_token.h"

namespace craton::hsm::cli {
namespace {

using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;
using ::craton::hsm::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::StartsWith;

const Bytes kBinary{0x00, 0xff, 0x10, 0x80};

std::string read_all(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(EmitBytes, RefusesRawBytesOnATerminalAndSuggestsAlternatives) {
  const Result<void> result =
      emit_bytes(kBinary, OutputOptions{}, Sensitivity::Public, /*stdout_is_tty=*/true, "data");
  ASSERT_THAT(result, HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_THAT(result.error().message(), HasSubstr("--out"));
  EXPECT_THAT(result.error().message(), HasSubstr("--hex"));
  EXPECT_THAT(result.error().message(), HasSubstr("--base64"));
  EXPECT_EQ(exit_code_for(result.error().code()), ExitCode::UsageError);
}

TEST(EmitBytes, WritesFilesEvenWhenStdoutIsATerminal) {
  const TempDir dir;
  OutputOptions options;
  options.out = dir.path() / "out.bin";
  ASSERT_THAT(emit_bytes(kBinary, options, Sensitivity::Public, true, "data"), IsOk());
  EXPECT_EQ(read_all(*options.out), std::string("\x00\xff\x10\x80", 4));
}

TEST(EmitBytes, SecretFilesAreOwnerOnlyEvenWhenTheFileExisted) {
  const TempDir dir;
  const auto existing = dir.write(
      "plain.txt", "old", std::filesystem::perms::owner_all | std::filesystem::perms::others_read);
  OutputOptions options;
  options.out = existing;
  ASSERT_THAT(emit_bytes(kBinary, options, Sensitivity::Secret, false, "plaintext"), IsOk());
  struct stat info {};
  ASSERT_EQ(::stat(existing.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(read_all(existing).size(), kBinary.size());  // truncated, not appended
}

std::vector<std::string> names_in(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::ranges::sort(names);
  return names;
}

TEST(WriteFile, RefusesSymlinksNonRegularFilesAndMissingDirectoriesAndCreatesNothing) {
  const TempDir dir;
  const auto victim = dir.write("victim", "precious");
  std::filesystem::create_symlink(victim, dir.path() / "link");
  std::filesystem::create_directory(dir.path() / "subdir");
  const std::vector<std::pair<std::filesystem::path, std::string>> refused = {
      {dir.path() / "link", "is a symbolic link"},
      {dir.path() / "subdir", "is not a regular file"},
      {"/dev/null", "is not a regular file"},
      {dir.path() / "missing" / "out", "does not exist"},
      {dir.path() / "victim" / "out", "does not exist"},  // a file where a directory should be
  };
  for (const auto& [target, reason] : refused) {
    const Result<void> checked = check_output_file(target);
    ASSERT_THAT(checked, HasErrorCode(ErrorCode::InvalidArgument)) << target;
    EXPECT_THAT(checked.error().message(), HasSubstr(reason)) << target;
    EXPECT_THAT(write_file(target, kBinary, Sensitivity::Secret),
                HasErrorCode(ErrorCode::InvalidArgument))
        << target;
  }
  EXPECT_EQ(read_all(victim), "precious");
  EXPECT_EQ(names_in(dir.path()), (std::vector<std::string>{"link", "subdir", "victim"}));
  EXPECT_THAT(check_output_file(dir.path() / "new"), IsOk());
  EXPECT_THAT(check_output_file(victim), IsOk());
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "new")) << "a check creates nothing";
}

// Concurrent writers of one target: each rename is atomic, so the file is always one writer's
// whole output, and no writer's temporary file is left behind.
TEST(WriteFile, ConcurrentWritersLeaveOneWholeFileAndNoTemporaryFiles) {
  const TempDir dir;
  const auto target = dir.path() / "shared.out";
  std::vector<std::string> contents;
  for (char c = 'a'; c < 'i'; ++c) contents.emplace_back(std::size_t{65536} + (c - 'a'), c);
  std::atomic<int> failures{0};
  {
    std::vector<std::jthread> writers;
    for (const std::string& content : contents) {
      writers.emplace_back([&, content] {
        const ByteView bytes(reinterpret_cast<const std::uint8_t*>(content.data()), content.size());
        for (int i = 0; i < 20; ++i) {
          if (!write_file(target, bytes, Sensitivity::Public)) ++failures;
        }
      });
    }
  }
  EXPECT_EQ(failures.load(), 0);
  EXPECT_THAT(contents, ::testing::Contains(read_all(target)));
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"shared.out"});
}

TEST(EmitBytes, HexAndBase64GoToAFileAsText) {
  const TempDir dir;
  OutputOptions options;
  options.out = dir.path() / "out.hex";
  options.hex = true;
  ASSERT_THAT(emit_bytes(kBinary, options, Sensitivity::Public, true, "data"), IsOk());
  EXPECT_EQ(read_all(*options.out), "00ff1080\n");
  options.hex = false;
  options.base64 = true;
  ASSERT_THAT(emit_bytes(kBinary, options, Sensitivity::Public, true, "data"), IsOk());
  EXPECT_EQ(read_all(*options.out), "AP8QgA==\n");
}

// A FIFO fed by a thread: an input whose length shows only at its end, like a pipe.
class Fifo {
 public:
  Fifo(const TempDir& dir, std::string_view name, std::size_t bytes) : path_(dir.path() / name) {
    EXPECT_EQ(::mkfifo(path_.c_str(), 0600), 0);
    writer_ = std::jthread([this, bytes] {
      // A reader that stops early makes write() fail with EPIPE; SIGPIPE, blocked here, would
      // otherwise end the whole test binary.
      sigset_t pipe_signal;
      sigemptyset(&pipe_signal);
      sigaddset(&pipe_signal, SIGPIPE);
      pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);
      const int fd = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
      const std::string block(4096, 'f');
      for (std::size_t done = 0; fd >= 0 && done < bytes;) {
        const ssize_t n = ::write(fd, block.data(), std::min(block.size(), bytes - done));
        if (n <= 0) break;
        done += static_cast<std::size_t>(n);
      }
      if (fd >= 0) ::close(fd);
    });
  }
  // Releases a writer still waiting for a reader to open the FIFO; the jthread then joins.
  ~Fifo() {
    const int fd = ::open(path_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0) ::close(fd);
  }
  Fifo(const Fifo&) = delete;
  Fifo& operator=(const Fifo&) = delete;
  [[nodiscard]] std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
  std::jthread writer_;
};

// The CLI's limit for inputs read whole is the library's default limit for one operation, so
// what the CLI accepts the default configuration does too.
TEST(ReadInput, TheWholeInputLimitIsTheLibrarysDefaultMaxMessageBytes) {
  EXPECT_EQ(kMaxWholeInputBytes, Pkcs11PassthroughConfig{}.max_message_bytes);
}

TEST(ReadInput, AFileUpToTheLimitIsReadAndOneByteMoreIsRefusedBeforeReading) {
  const TempDir dir;
  const auto exact = dir.write("exact.bin", std::string(100, 'e'));
  const auto over = dir.write("over.bin", std::string(101, 'o'));
  EXPECT_THAT(read_input(exact.string(), 100), ::testing::Optional(::testing::SizeIs(100)));
  EXPECT_THAT(read_secret_input(exact.string(), 100), IsOk());
  const Result<Bytes> refused = read_input(over.string(), 100);
  ASSERT_THAT(refused, HasErrorCode(ErrorCode::DataLenRange));
  EXPECT_THAT(refused.error().message(), HasSubstr("is 101 bytes, more than the 100 bytes"));
  EXPECT_THAT(read_secret_input(over.string(), 100), HasErrorCode(ErrorCode::DataLenRange));
}

TEST(ReadInput, AnEndlessDeviceOrALongPipeStopsOneBytePastTheLimit) {
  const Result<Bytes> zero = read_input("/dev/zero", 1000);
  ASSERT_THAT(zero, HasErrorCode(ErrorCode::DataLenRange));
  EXPECT_THAT(zero.error().message(), HasSubstr("\"/dev/zero\" holds more than the 1000 bytes"));
  const TempDir dir;
  {
    const Fifo long_pipe(dir, "long", 200000);
    EXPECT_THAT(read_input(long_pipe.path(), 100000), HasErrorCode(ErrorCode::DataLenRange));
  }
  const Fifo short_pipe(dir, "short", 100000);
  EXPECT_THAT(read_input(short_pipe.path(), 100000),
              ::testing::Optional(::testing::SizeIs(100000)));
}

TEST(ReadInput, MissingFilesAndDirectoriesAreInvalidArguments) {
  const TempDir dir;
  const Result<Bytes> missing = read_input((dir.path() / "absent").string());
  ASSERT_THAT(missing, HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_THAT(missing.error().message(), HasSubstr("cannot open"));
  const Result<Bytes> directory = read_input(dir.path().string());
  ASSERT_THAT(directory, HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_THAT(directory.error().message(), HasSubstr("is a directory"));
}

TEST(ReadHead, ALargeFileIsLeftUnreadAndALargePipeKeepsItsRestForStreaming) {
  const TempDir dir;
  const auto small = dir.write("small.bin", "abc");
  Result<InputHead> whole = read_head(small.string(), 10);
  ASSERT_THAT(whole, IsOk());
  EXPECT_TRUE(whole->complete);
  EXPECT_EQ(whole->head, (Bytes{'a', 'b', 'c'}));

  const auto large = dir.write("large.bin", "0123456789abcdef");
  Result<InputHead> unread = read_head(large.string(), 10);
  ASSERT_THAT(unread, IsOk());
  EXPECT_FALSE(unread->complete);
  EXPECT_TRUE(unread->head.empty()) << "a regular file past the limit is not read ahead";
  Bytes rest(32);
  EXPECT_EQ(unread->input.read(rest).value(), 16u);

  const Fifo pipe(dir, "pipe", 50000);
  Result<InputHead> streamed = read_head(pipe.path(), 1000);
  ASSERT_THAT(streamed, IsOk());
  EXPECT_FALSE(streamed->complete);
  std::size_t total = streamed->head.size();
  Bytes piece(4096);
  while (const std::size_t got = streamed->input.read(piece).value()) total += got;
  EXPECT_EQ(total, 50000u) << "head and rest together are the whole input";
}

TEST(Encodings, HexBase64AndPem) {
  EXPECT_EQ(to_hex(kBinary), "00ff1080");
  EXPECT_EQ(to_base64(Bytes{}), "");
  EXPECT_EQ(to_base64(Bytes{'f', 'o', 'o', 'b'}), "Zm9vYg==");
  const Bytes long_der(100, 0xab);
  const std::string pem = to_pem(long_der, "PUBLIC KEY");
  EXPECT_THAT(pem, StartsWith("-----BEGIN PUBLIC KEY-----\n"));
  EXPECT_THAT(pem, HasSubstr("\n-----END PUBLIC KEY-----\n"));
  // 100 bytes are 136 base64 characters: lines of 64, 64 and 8.
  std::istringstream lines(pem);
  std::string line;
  std::vector<std::size_t> lengths;
  while (std::getline(lines, line)) lengths.push_back(line.size());
  EXPECT_EQ(lengths, (std::vector<std::size_t>{26, 64, 64, 8, 24}));
}

TEST(ParseHex, AcceptsCommonSpellingsAndRejectsTheRest) {
  EXPECT_EQ(parse_hex("01AF", "--id").value(), (Bytes{0x01, 0xaf}));
  EXPECT_EQ(parse_hex("0x01af", "--id").value(), (Bytes{0x01, 0xaf}));
  EXPECT_EQ(parse_hex("01:af", "--id").value(), (Bytes{0x01, 0xaf}));
  for (const char* bad : {"", "0", "0g", "01a", "0x", "01 af"}) {
    const Result<Bytes> parsed = parse_hex(bad, "--id");
    ASSERT_THAT(parsed, HasErrorCode(ErrorCode::InvalidArgument)) << bad;
    EXPECT_THAT(parsed.error().message(), StartsWith("--id: "));
  }
}

TEST(SchemeNames, ParsesCliNamesAndLibraryNamesIgnoringCase) {
  EXPECT_EQ(parse_sign_scheme("ecdsa-p256-sha256").value(), SignScheme::EcdsaP256Sha256);
  EXPECT_EQ(parse_sign_scheme("ECDSA-P384-SHA384").value(), SignScheme::EcdsaP384Sha384);
  EXPECT_EQ(parse_sign_scheme("rsa-pkcs1-sha512").value(), SignScheme::RsaPkcs1v15Sha512);
  EXPECT_EQ(parse_sign_scheme("RSA-PKCS1v15-SHA256").value(), SignScheme::RsaPkcs1v15Sha256);
  EXPECT_EQ(parse_sign_scheme("rsa-pss-sha384").value(), SignScheme::RsaPssSha384);
  EXPECT_EQ(parse_sign_scheme("Ed25519").value(), SignScheme::Ed25519);
  const Result<SignScheme> unknown = parse_sign_scheme("ecdsa-p521-sha512");
  ASSERT_THAT(unknown, HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_THAT(unknown.error().message(), HasSubstr("ecdsa-p256-sha256"));

  EXPECT_EQ(parse_hash("sha384").value(), HashAlg::Sha384);
  EXPECT_EQ(parse_hash("SHA-512").value(), HashAlg::Sha512);
  EXPECT_THAT(parse_hash("sha224"), HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_THAT(parse_hash("md5"), HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_EQ(parse_wrap_scheme("kwp").value(), KeyWrapScheme::AesKwp);
  EXPECT_THAT(parse_wrap_scheme("aes-kw"), HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_EQ(parse_signature_format("raw").value(), SignatureEncoding::Raw);
  EXPECT_THAT(parse_signature_format("pem"), HasErrorCode(ErrorCode::InvalidArgument));

  EXPECT_EQ(parse_cipher("AES-GCM").value().kind, CipherKind::AesGcm);
  EXPECT_EQ(parse_cipher("aes-cbc-pad").value().kind, CipherKind::AesCbcPad);
  EXPECT_EQ(parse_cipher("AES-CTR").value().kind, CipherKind::AesCtr);
  EXPECT_EQ(parse_cipher("rsa-oaep-sha384").value().kind, CipherKind::RsaOaep);
  EXPECT_EQ(parse_cipher("rsa-oaep-sha384").value().oaep_hash, HashAlg::Sha384);
  // "aes-cbc" stays unknown: padded or not must be said, as PKCS#11 does (CKM_AES_CBC_PAD).
  for (const char* bad : {"aes-cbc", "aes-ctr-", "rsa-oaep-", "rsa-oaep-sha1", "rsa-oaep"}) {
    EXPECT_THAT(parse_cipher(bad), HasErrorCode(ErrorCode::InvalidArgument)) << bad;
  }
}

TEST(SchemeNames, KeyAlgorithmsFromTypeSizeAndCurve) {
  using enum KeyAlgorithm;
  EXPECT_EQ(parse_key_algorithm("aes", std::nullopt, std::nullopt).value(), Aes256);
  EXPECT_EQ(parse_key_algorithm("aes", 128, std::nullopt).value(), Aes128);
  EXPECT_EQ(parse_key_algorithm("rsa", std::nullopt, std::nullopt).value(), Rsa3072);
  EXPECT_EQ(parse_key_algorithm("rsa", 4096, std::nullopt).value(), Rsa4096);
  EXPECT_EQ(parse_key_algorithm("hmac", 512, std::nullopt).value(), Hmac512);
  EXPECT_EQ(parse_key_algorithm("hmac", std::nullopt, std::nullopt).value(), Hmac256);
  EXPECT_EQ(parse_key_algorithm("ec", std::nullopt, std::nullopt).value(), EcP256);
  EXPECT_EQ(parse_key_algorithm("EC", std::nullopt, "p384").value(), EcP384);
  EXPECT_EQ(parse_key_algorithm("ed25519", std::nullopt, std::nullopt).value(), Ed25519);

  const Result<KeyAlgorithm> odd_size = parse_key_algorithm("aes", 512, std::nullopt);
  ASSERT_THAT(odd_size, HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_THAT(odd_size.error().message(), HasSubstr("128, 192, 256"));
  EXPECT_THAT(parse_key_algorithm("rsa", 1024, std::nullopt),
              HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_THAT(parse_key_algorithm("ec", 256, std::nullopt),
              HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_THAT(parse_key_algorithm("ec", std::nullopt, "p521"),
              HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_THAT(parse_key_algorithm("aes", std::nullopt, "p256"),
              HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_THAT(parse_key_algorithm("dsa", std::nullopt, std::nullopt),
              HasErrorCode(ErrorCode::InvalidArgument));
}

TEST(DestroyConfirmation, NeedsYesOrATerminal) {
  EXPECT_THAT(check_destroy_allowed(true, false), IsOk());
  EXPECT_THAT(check_destroy_allowed(false, true), IsOk());
  const Result<void> refused = check_destroy_allowed(false, false);
  ASSERT_THAT(refused, HasErrorCode(ErrorCode::InvalidArgument));
  EXPECT_THAT(refused.error().message(), HasSubstr("--yes"));
  EXPECT_EQ(exit_code_for(refused.error().code()), ExitCode::UsageError);
}

TEST(DestroyConfirmation, TheLabelOrTheHexIdMustBeTypedExactly) {
  KeyRef by_label;
  by_label.label = "old-key";
  by_label.id = Bytes{0x01};
  EXPECT_EQ(confirmation_word(by_label), "old-key");
  KeyRef by_id;
  by_id.id = Bytes{0xca, 0xfe};
  EXPECT_EQ(confirmation_word(by_id), "cafe");

  EXPECT_TRUE(confirmation_matches("old-key\n", "old-key"));
  EXPECT_TRUE(confirmation_matches("  old-key \r\n", "old-key"));
  EXPECT_FALSE(confirmation_matches("y\n", "old-key"));
  EXPECT_FALSE(confirmation_matches("old-ke\n", "old-key"));
  EXPECT_FALSE(confirmation_matches("OLD-KEY\n", "old-key"));
  EXPECT_FALSE(confirmation_matches("", ""));
  EXPECT_FALSE(confirmation_matches("\n", "old-key"));
}

TEST(ExitCodes, InvalidArgumentIsAUsageErrorTokenRefusalsAreNot) {
  EXPECT_EQ(exit_code_for(ErrorCode::InvalidArgument), ExitCode::UsageError);
  EXPECT_EQ(exit_code_for(ErrorCode::KeyAlreadyExists), ExitCode::OperationFailed);
  EXPECT_EQ(exit_code_for(ErrorCode::KeyNotFound), ExitCode::OperationFailed);
  EXPECT_EQ(exit_code_for(ErrorCode::AuthenticationFailed), ExitCode::Invalid);
}

// Sets or clears CRATON_HSM_CONFIG for one test.
class ConfigEnv {
 public:
  explicit ConfigEnv(const char* value) {
    if (const char* old = std::getenv(kConfigEnv)) old_ = old;
    setenv(kConfigEnv, value, 1);
  }
  ~ConfigEnv() {
    if (old_) {
      setenv(kConfigEnv, old_->c_str(), 1);
    } else {
      unsetenv(kConfigEnv);
    }
  }
  ConfigEnv(const ConfigEnv&) = delete;
  ConfigEnv& operator=(const ConfigEnv&) = delete;

 private:
  std::optional<std::string> old_;
};

TEST(ConfigEnvironment, SuppliesTheConfigFileWhenNoOptionIsGiven) {
  const TempDir dir;
  const auto file = dir.write("hsm.toml", fmt::format("library_path = \"{}\"\n"
                                                      "token_label = \"from-env\"\n",
                                                      testing::kModulePath));
  const ConfigEnv env(file.c_str());
  const Result<CliConfig> config = build_config(GlobalOptions{});
  ASSERT_THAT(config, IsOk());
  EXPECT_EQ(config->config.token_label, std::optional<std::string>("from-env"));
  EXPECT_TRUE(config->has_selector);
}

TEST(ConfigEnvironment, TheOptionWinsAndEmptyMeansUnset) {
  const TempDir dir;
  const auto from_env = dir.write("env.toml", fmt::format("library_path = \"{}\"\n"
                                                          "token_label = \"from-env\"\n",
                                                          testing::kModulePath));
  const auto from_option = dir.write("opt.toml", fmt::format("library_path = \"{}\"\n"
                                                             "token_label = \"from-option\"\n",
                                                             testing::kModulePath));
  {
    const ConfigEnv env(from_env.c_str());
    GlobalOptions options;
    options.config_file = from_option;
    EXPECT_EQ(configured_config_file(options), from_option);
    const Result<CliConfig> config = build_config(options);
    ASSERT_THAT(config, IsOk());
    EXPECT_EQ(config->config.token_label, std::optional<std::string>("from-option"));
  }
  const ConfigEnv empty("");
  EXPECT_EQ(configured_config_file(GlobalOptions{}), std::nullopt);
  EXPECT_THAT(build_config(GlobalOptions{}), HasErrorCode(ErrorCode::ConfigInvalid));
}

TEST(ConfigEnvironment, AMissingFileNamedByTheEnvironmentIsAConfigError) {
  const TempDir dir;
  const ConfigEnv env((dir.path() / "absent.toml").c_str());
  EXPECT_THAT(build_config(GlobalOptions{}), HasErrorCode(ErrorCode::ConfigInvalid));
}

}  // namespace
}  // namespace craton::hsm::cli
