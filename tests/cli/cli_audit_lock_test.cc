// SPDX-License-Identifier: Apache-2.0
// The audit trail's lock as operators meet it: audited commands of two processes take turns
// instead of failing, a holder that stays past lock_timeout_ms gives a clear typed error, and a
// destroy waiting at its confirmation prompt holds no lock.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "cli/cli_audit_util.h"
#include "cli/cli_runner.h"
#include "support/softhsm_token.h"
#include "support/text.h"

namespace craton::hsm::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

// Polls until `file` contains `text` (or ten seconds pass).
bool wait_for_text(const fs::path& file, std::string_view text) {
  for (int i = 0; i < 1000; ++i) {
    if (read_file(file).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

class CliAuditLock : public ::testing::Test {
 protected:
  fs::path configure(std::string_view extra = "") {
    return audited_config(dir_, fmt::format("key_file = \"{}\"", key_file(dir_).string()), extra);
  }
  fs::path trail() const { return dir_.path() / "audit.jsonl"; }
  CommandResult verify() const {
    return run_cli(fmt::format("audit verify --audit-key-file '{}' '{}'",
                               (dir_.path() / "audit.key").string(), trail().string()));
  }

  TempDir dir_;
};

TEST_F(CliAuditLock, TwoProcessesInParallelLoopsAllSucceed) {
  const fs::path config = configure();  // the default lock_timeout_ms
  constexpr int kRounds = 8;
  const std::string env = fmt::format("{} CRATON_HSM_CONFIG='{}'", pin_env(), config.string());
  const auto loop = [&](std::string_view args, std::string_view tag) {
    return fmt::format(
        "(for i in $(seq {}); do {} '{}' {} >/dev/null 2>>'{}' || echo 'FAILED {}'; done)", kRounds,
        env, kCliPath, args, (dir_.path() / "errors").string(), tag);
  };
  // One trail, two tokens: SoftHSM2 processes sharing one token's files race among themselves
  // (a token briefly missing from the slot list), which is not what this test is about.
  const CommandResult both = run_command(
      fmt::format("{} & {} & wait", loop("random --bytes 4 --hex", "random"),
                  loop(fmt::format("--token-label {} list", kSpareTokenLabel), "list")));
  EXPECT_THAT(both.output, Not(HasSubstr("FAILED"))) << read_file(dir_.path() / "errors");
  EXPECT_EQ(records_of(trail(), "random"), static_cast<std::size_t>(kRounds));
  EXPECT_EQ(records_of(trail(), "list_objects"), static_cast<std::size_t>(kRounds));
  const CommandResult verified = verify();
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
}

TEST_F(CliAuditLock, AHolderPastLockTimeoutIsExit4NamingTheSetting) {
  const fs::path config = configure("lock_timeout_ms = 300");
  ASSERT_EQ(run_configured(config, "random --bytes 4 --hex").exit_code, 0);  // the trail exists
  const int fd = ::open(trail().c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);  // another writer, as far as the CLI can tell
  const auto start = std::chrono::steady_clock::now();
  const CommandResult blocked = run_configured(config, "random --bytes 4 --hex");
  const auto waited = std::chrono::steady_clock::now() - start;
  ::close(fd);
  EXPECT_EQ(blocked.exit_code, 4) << blocked.output;
  EXPECT_THAT(blocked.output, HasSubstr("AuditUnavailable"));
  EXPECT_THAT(blocked.output, HasSubstr("already in use by another audit writer"));
  EXPECT_THAT(blocked.output, HasSubstr("lock_timeout_ms"));
  EXPECT_GE(waited, std::chrono::milliseconds(300));
  EXPECT_EQ(run_configured(config, "random --bytes 4 --hex").exit_code, 0) << "released";
}

// The operator sits at destroy's prompt; meanwhile other audited commands run. The prompt comes
// before the trail is opened for the destruction, so they do not wait for the human.
TEST_F(CliAuditLock, DestroyAtItsPromptHoldsNoLock) {
  if (run_command("command -v script").exit_code != 0) GTEST_SKIP() << "script(1) not installed";
  const fs::path config = configure("lock_timeout_ms = 1000");
  ASSERT_EQ(run_configured(config, "keygen --type aes --label lock-prompted").exit_code, 0);
  const fs::path typed = dir_.path() / "typed";
  const fs::path transcript = dir_.path() / "transcript";
  ASSERT_EQ(::mkfifo(typed.c_str(), 0600), 0);
  // Read-write, so that neither side's open waits for the other (Linux).
  const int keyboard = ::open(typed.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(keyboard, 0);
  // script(1) gives destroy a terminal; its keyboard is the FIFO, written once we are done.
  const CommandResult started = run_command(
      fmt::format("(script -qec \"{} CRATON_HSM_CONFIG='{}' '{}' destroy --key "
                  "'pkcs11:object=lock-prompted'\" /dev/null < '{}' > '{}' 2>&1 &)",
                  pin_env(), config.string(), kCliPath, typed.string(), transcript.string()));
  ASSERT_EQ(started.exit_code, 0) << started.output;
  const bool prompted = wait_for_text(transcript, "to confirm: ");

  const CommandResult meanwhile = run_configured(config, "random --bytes 4 --hex");

  constexpr std::string_view kTyped = "lock-prompted\n";
  EXPECT_EQ(::write(keyboard, kTyped.data(), kTyped.size()), static_cast<ssize_t>(kTyped.size()));
  ::close(keyboard);
  ASSERT_TRUE(prompted) << read_file(transcript);
  EXPECT_EQ(meanwhile.exit_code, 0) << meanwhile.output;
  EXPECT_TRUE(wait_for_text(transcript, "destroyed pkcs11:")) << read_file(transcript);
  EXPECT_THAT(run_on_token("list").output, Not(HasSubstr("lock-prompted")));
  EXPECT_EQ(records_of(trail(), "key_destroy"), 1u);
  const CommandResult verified = verify();
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
}

}  // namespace
}  // namespace craton::hsm::testing
