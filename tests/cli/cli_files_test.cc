// SPDX-License-Identifier: Apache-2.0
// The CLI's inputs and outputs under hostile conditions: endless and oversized inputs fail with
// DataLenRange before they fill memory, digest/sign/verify stream inputs of any size in bounded
// memory (and sign as the one-shot path does), and --out appears whole or not at all.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <craton/hsm/pkcs11_backend.h>

#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "cli/cli_audit_util.h"
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

// What a CLI run on a large input may add to the peak RSS of a run on a tiny one: a 64 KiB
// piece, or the 1 MiB read ahead of a pipe, is far below it; reading a 64 or 100 MiB input
// whole is far above it. (Without sanitizers a tiny run peaks near 10 MiB, so the bound is
// about 42 MiB, below the 64 MiB the issue asks for.)
constexpr long kStreamingExtraKiB = 32L * 1024;

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
#if defined(__SANITIZE_ADDRESS__)
  // Freed memory would sit in ASan's quarantine (256 MiB) and count as resident.
  const std::string_view sanitizer =
      "ASAN_OPTIONS=\"$ASAN_OPTIONS:quarantine_size_mb=0\"; export ASAN_OPTIONS; ";
#else
  const std::string_view sanitizer;
#endif
  const std::string full =
      fmt::format("{}{{ {}; }} >'{}' 2>&1", sanitizer, capped(command_line), output.string());
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
  fs::path file = dir.write(name, "");
  fs::resize_file(file, size);
  return file;
}

class CliFilesTest : public ::testing::Test {
 protected:
  // The peak RSS of a digest of one byte: the binary, SoftHSM2 and OpenSSL, measured once.
  static long baseline_rss_kib() {
    static const long baseline = [] {
      const TempDir dir;
      const fs::path tiny = dir.write("tiny.bin", "t");
      const Measured run = run_measured(
          cli(fmt::format("digest --alg sha256 --in '{}'", tiny.string())), dir.path());
      EXPECT_EQ(run.exit_code, 0) << run.output;
      std::cout << fmt::format("digest of 1 byte: peak RSS {} KiB\n", run.max_rss_kib);
      return run.max_rss_kib;
    }();
    return baseline;
  }
  static long streaming_bound_kib() { return baseline_rss_kib() + kStreamingExtraKiB; }

  // Runs for each suite derived from this one too; the keys are made once per binary.
  static void SetUpTestSuite() {
    static bool made = false;
    if (std::exchange(made, true)) return;
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
    EXPECT_LT(run.max_rss_kib, streaming_bound_kib()) << args << ": the file was read";
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
  EXPECT_LT(digest.max_rss_kib, streaming_bound_kib());
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
    EXPECT_LT(signed_.max_rss_kib, streaming_bound_kib());
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
    EXPECT_LT(verified.max_rss_kib, streaming_bound_kib());
  }
  // Through a pipe, whose length shows only at its end.
  const Measured piped = run_measured(
      fmt::format("cat '{}' | {}", big.string(),
                  cli("sign --key 'pkcs11:object=files-rsa' --scheme rsa-pkcs1-sha256 --hex")),
      dir_.path());
  EXPECT_EQ(piped.exit_code, 0) << piped.output;
  const std::string from_file = read_bytes(path("rsa-pkcs1-sha256.sig"));
  EXPECT_EQ(piped.output, to_hex(Bytes(from_file.begin(), from_file.end())) + "\n");
  EXPECT_LT(piped.max_rss_kib, streaming_bound_kib());
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

// Every name in `dir`, sorted: a leftover temporary file shows up here.
std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::ranges::sort(names);
  return names;
}

// `text` as one single-quoted shell word.
std::string shell_quote(std::string_view text) {
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// A 1 MiB tmpfs for one test: a disk that fills up. Mounting needs root (CI runs as root);
// mounted() says whether it worked.
class SmallTmpfs {
 public:
  explicit SmallTmpfs(fs::path where) : where_(std::move(where)) {
    fs::create_directory(where_);
    mounted_ = ::mount("tmpfs", where_.c_str(), "tmpfs", 0, "size=1m,mode=0755") == 0;
  }
  ~SmallTmpfs() {
    if (mounted_) ::umount2(where_.c_str(), MNT_DETACH);
  }
  SmallTmpfs(const SmallTmpfs&) = delete;
  SmallTmpfs& operator=(const SmallTmpfs&) = delete;
  [[nodiscard]] bool mounted() const noexcept { return mounted_; }
  [[nodiscard]] const fs::path& path() const noexcept { return where_; }

 private:
  fs::path where_;
  bool mounted_ = false;
};

class CliOutTest : public CliFilesTest {
 protected:
  // A 2 MiB message sealed with files-aes: its plaintext is more than the small disks take.
  fs::path sealed_two_mib() const {
    const fs::path plain = dir_.write("two-mib.txt", std::string(2 * kMiB, 'p'));
    fs::path sealed = path("two-mib.sealed");
    const CommandResult made = run_on_token(
        fmt::format("encrypt {} --in '{}' --out '{}'", kAesGcm, plain.string(), sealed.string()));
    EXPECT_EQ(made.exit_code, 0) << made.output;
    return sealed;
  }

  static constexpr std::string_view kAesGcm = "--key 'pkcs11:object=files-aes' --alg aes-gcm";
};

// The review's reproduction: sign --out into a missing directory signed, recorded the
// signature in the audit trail and then failed with Internal. Every command with an output
// file now checks it before it opens the token: no login, no record, exit 2.
TEST_F(CliOutTest, OutIntoAMissingDirectoryFailsBeforeTheTokenIsUsed) {
  const TempDir audit_dir;
  const fs::path config =
      audited_config(audit_dir, fmt::format("key_file = \"{}\"", key_file(audit_dir).string()));
  const fs::path trail = audit_dir.path() / "audit.jsonl";
  ASSERT_EQ(run_configured(config, "random --bytes 4 --hex").exit_code, 0);
  const std::size_t records = read_lines(trail).size();
  ASSERT_GT(records, 0u);

  const std::string message = dir_.write("m.txt", "message").string();
  const std::string key_bytes = dir_.write("k.bin", std::string(32, 'k')).string();
  const std::string missing = (dir_.path() / "no-such-dir" / "out.bin").string();
  for (const std::string& args : {
           fmt::format("random --bytes 16 --out '{}'", missing),
           fmt::format("digest --alg sha256 --in '{}' --out '{}'", message, missing),
           fmt::format("sign --key 'pkcs11:object=files-ec' --scheme ecdsa-p256-sha256 --in "
                       "'{}' --out '{}'",
                       message, missing),
           fmt::format("encrypt {} --in '{}' --out '{}'", kAesGcm, message, missing),
           fmt::format("decrypt {} --in '{}' --out '{}'", kAesGcm, message, missing),
           fmt::format("export-pub --key 'pkcs11:object=files-ec' --out '{}'", missing),
           fmt::format("wrap --kek 'pkcs11:object=files-aes' --scheme kw --in '{}' --out '{}'",
                       key_bytes, missing),
           fmt::format("unwrap --kek 'pkcs11:object=files-aes' --scheme kw --in '{}' --out '{}'",
                       key_bytes, missing),
       }) {
    const CommandResult run = run_configured(config, args);
    EXPECT_EQ(run.exit_code, 2) << args << ": " << run.output;
    EXPECT_THAT(run.output, StartsWith("craton-hsm: error: InvalidArgument: --out ")) << args;
    EXPECT_THAT(run.output, HasSubstr("does not exist")) << args;
    EXPECT_EQ(read_lines(trail).size(), records) << args << ": the token was used";
  }
}

// --out followed symlinks (and chmod'ed their target to 0600 for secrets). A symlink is now
// refused, dangling or not, and what it points to is never written.
TEST_F(CliOutTest, ASymlinkAsOutIsRefusedAndItsTargetStaysUntouched) {
  const fs::perms readable = fs::perms::owner_read | fs::perms::owner_write |
                             fs::perms::group_read | fs::perms::others_read;
  const fs::path victim = dir_.write("victim.txt", "precious", readable);
  const fs::path link = path("link.out");
  fs::create_symlink(victim, link);
  const fs::path dangling = path("dangling.out");
  fs::create_symlink(path("never-created"), dangling);
  const fs::path plain = dir_.write("secret.txt", "plaintext");
  const fs::path sealed = path("secret.sealed");
  ASSERT_EQ(run_on_token(fmt::format("encrypt {} --in '{}' --out '{}'", kAesGcm, plain.string(),
                                     sealed.string()))
                .exit_code,
            0);
  for (const fs::path& out : {link, dangling}) {
    for (const std::string& args :
         {fmt::format("random --bytes 16 --out '{}'", out.string()),
          fmt::format("decrypt {} --in '{}' --out '{}'", kAesGcm, sealed.string(), out.string()),
          fmt::format("export-pub --key 'pkcs11:object=files-ec' --out '{}'", out.string())}) {
      const CommandResult run = run_on_token(args);
      EXPECT_EQ(run.exit_code, 2) << args << ": " << run.output;
      EXPECT_THAT(run.output, HasSubstr("is a symbolic link")) << args;
      EXPECT_TRUE(fs::is_symlink(out));
    }
  }
  EXPECT_EQ(read_bytes(victim), "precious");
  EXPECT_EQ(fs::status(victim).permissions() & fs::perms::all, readable);
  EXPECT_FALSE(fs::exists(path("never-created")));
}

// A full disk: decrypt left a 1 MiB plaintext prefix, random an empty file, both in place of
// what was there. Now the old file stays and no temporary file is left.
TEST_F(CliOutTest, AFullDiskLeavesNoPrefixAndNoTemporaryFile) {
  const fs::path sealed = sealed_two_mib();
  const SmallTmpfs disk(path("small-disk"));
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (needs root)";
  const fs::path existing = disk.path() / "plain.out";
  std::ofstream(existing) << "old content";

  for (const fs::path& out : {existing, disk.path() / "new.out"}) {
    const CommandResult run = run_on_token(
        fmt::format("decrypt {} --in '{}' --out '{}'", kAesGcm, sealed.string(), out.string()));
    EXPECT_NE(run.exit_code, 0) << run.output;
    EXPECT_THAT(run.output, HasSubstr("No space left on device"));
    EXPECT_EQ(names_in(disk.path()), std::vector<std::string>{"plain.out"});
    EXPECT_EQ(read_bytes(existing), "old content");
  }

  // Fill the disk to its last few KiB: random's 64 KiB no longer fit.
  std::ofstream(disk.path() / "filler", std::ios::binary)
      << std::string(1024 * 1024 - 16 * 1024, 'f');
  const CommandResult random = run_on_token(
      fmt::format("random --bytes 65536 --out '{}'", (disk.path() / "r.key").string()));
  EXPECT_NE(random.exit_code, 0) << random.output;
  EXPECT_EQ(names_in(disk.path()), (std::vector<std::string>{"filler", "plain.out"}));
}

// The same through RLIMIT_FSIZE, which needs no root. craton-hsm ignores SIGXFSZ itself (the
// shell here does not), so the write fails with EFBIG and the command cleans up as for a full
// disk instead of being killed with its temporary file left behind.
TEST_F(CliOutTest, AFileSizeLimitLeavesNoPrefixAndNoTemporaryFile) {
  const fs::path sealed = sealed_two_mib();
  const fs::path out_dir = path("limited");
  fs::create_directory(out_dir);
  const fs::path existing = out_dir / "plain.out";
  std::ofstream(existing) << "old content";
  const auto limited = [&](std::string_view kib, std::string_view args) {
    return run_command(
        fmt::format("bash -c {}", shell_quote(fmt::format("ulimit -f {}; {}", kib, cli(args)))));
  };
  const CommandResult decrypted = limited(
      "1024",
      fmt::format("decrypt {} --in '{}' --out '{}'", kAesGcm, sealed.string(), existing.string()));
  EXPECT_NE(decrypted.exit_code, 0) << decrypted.output;
  EXPECT_THAT(decrypted.output, HasSubstr("File too large"));
  EXPECT_EQ(read_bytes(existing), "old content");
  const CommandResult random =
      limited("16", fmt::format("random --bytes 65536 --out '{}'", (out_dir / "r.key").string()));
  EXPECT_NE(random.exit_code, 0) << random.output;
  EXPECT_EQ(names_in(out_dir), std::vector<std::string>{"plain.out"});
}

// Success replaces the target whole, with the mode its sensitivity asks for, and leaves no
// temporary file.
TEST_F(CliOutTest, AWrittenOutIsTheWholeResultAndNothingElse) {
  const fs::path out_dir = path("written");
  fs::create_directory(out_dir);
  const fs::path plain = dir_.write("p.txt", "plaintext for out");
  const fs::path sealed = out_dir / "p.sealed";
  const fs::path opened = out_dir / "p.opened";
  std::ofstream(opened) << "a longer old content that must not survive as a suffix";
  fs::permissions(opened, fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read);
  ASSERT_EQ(run_on_token(fmt::format("encrypt {} --in '{}' --out '{}'", kAesGcm, plain.string(),
                                     sealed.string()))
                .exit_code,
            0);
  ASSERT_EQ(run_on_token(fmt::format("decrypt {} --in '{}' --out '{}'", kAesGcm, sealed.string(),
                                     opened.string()))
                .exit_code,
            0);
  EXPECT_EQ(read_bytes(opened), "plaintext for out");
  EXPECT_EQ(fs::status(opened).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(fs::status(sealed).permissions() & (fs::perms::group_write | fs::perms::others_write),
            fs::perms::none);
  EXPECT_EQ(names_in(out_dir), (std::vector<std::string>{"p.opened", "p.sealed"}));
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
