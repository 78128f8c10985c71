// SPDX-License-Identifier: Apache-2.0
// The CLI killed with SIGKILL at arbitrary points: every signature it released (an --out file
// that exists) has its record in the trail, the trail stays usable (a torn tail is cut off by
// the next run), and a resident keygen killed after its intent shows in `audit verify`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "cli/cli_audit_util.h"
#include "support/softhsm_token.h"

extern char** environ;

namespace craton::hsm::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

using ::testing::HasSubstr;

// craton-hsm with `args`, the PIN, `config` and `softhsm_conf` in its environment, output to
// /dev/null; not waited for.
pid_t spawn_cli(const fs::path& config, const fs::path& softhsm_conf,
                const std::vector<std::string>& args) {
  std::vector<std::string> env_text;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (!std::string_view(*entry).starts_with("SOFTHSM2_CONF=")) env_text.emplace_back(*entry);
  }
  env_text.push_back(fmt::format("SOFTHSM2_CONF={}", softhsm_conf.string()));
  env_text.push_back(fmt::format("CRATON_HSM_CONFIG={}", config.string()));
  env_text.push_back(pin_env());
  std::vector<char*> env;
  for (auto& entry : env_text) env.push_back(entry.data());
  env.push_back(nullptr);
  std::vector<std::string> argv_text{std::string(kCliPath)};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : argv_text) argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  pid_t pid = -1;
  const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  EXPECT_EQ(spawned, 0);
  return spawned == 0 ? pid : -1;
}

// Exit status, or 128 + signal.
int decode(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
int wait_for(pid_t pid) {
  int status = 0;
  return ::waitpid(pid, &status, 0) == pid ? decode(status) : -1;
}

// SoftHSM2's file store rewrites token.object in place when a user logs in, so a kill -9 at
// the wrong moment leaves the token unreadable. That is SoftHSM2's, not ours: each test gets a
// token of its own (labelled like the binary's, so the usual configuration selects it), and
// restore() puts back a copy taken before the kills.
class CliAuditCrash : public ::testing::Test {
 protected:
  CliAuditCrash() {
    key_ = key_file(dir_);
    config_ = audited_config(dir_, fmt::format("key_file = \"{}\"", key_.string()));
    trail_ = dir_.path() / "audit.jsonl";
    fs::create_directory(tokens_);
    softhsm_conf_ = dir_.write("softhsm2.conf", fmt::format("directories.tokendir = {}\n"
                                                            "objectstore.backend = file\n"
                                                            "log.level = ERROR\n",
                                                            tokens_.string()));
    const CommandResult made = run_command(fmt::format(
        "SOFTHSM2_CONF='{}' softhsm2-util --init-token --free --label {} --so-pin {} --pin {}",
        softhsm_conf_.string(), kTokenLabel, kSoPin, kUserPin));
    EXPECT_EQ(made.exit_code, 0) << made.output;
  }

  [[nodiscard]] CommandResult run(std::string_view args) const {
    return run_configured(config_, args, fmt::format("SOFTHSM2_CONF='{}'", softhsm_conf_.string()));
  }
  [[nodiscard]] pid_t spawn(const std::vector<std::string>& args) const {
    return spawn_cli(config_, softhsm_conf_, args);
  }
  void snapshot_token() const { fs::copy(tokens_, pristine_, fs::copy_options::recursive); }
  void restore_token() const {
    fs::remove_all(tokens_);
    fs::copy(pristine_, tokens_, fs::copy_options::recursive);
  }

  [[nodiscard]] CommandResult verify() const {
    return run_cli(
        fmt::format("audit verify --audit-key-file '{}' '{}'", key_.string(), trail_.string()));
  }

  TempDir dir_;
  fs::path key_;
  fs::path config_;
  fs::path trail_;
  fs::path tokens_ = dir_.path() / "tokens";
  fs::path pristine_ = dir_.path() / "tokens.pristine";
  fs::path softhsm_conf_;
};

// The review's reproduction: kill -9 just after --out appears lost 20 of 40 records.
TEST_F(CliAuditCrash, EveryReleasedSignatureHasItsRecordAcrossFortyKills) {
  constexpr int kRuns = 40;
  ASSERT_EQ(run("keygen --type ec --label audit-crash-ec").exit_code, 0);
  snapshot_token();
  // Each run signs a message of its own length, which its record states ("in":N).
  const auto message = [&](int run) { return dir_.path() / fmt::format("m{}", run); };
  const auto signature = [&](int run) { return dir_.path() / fmt::format("m{}.sig", run); };
  const auto sign_args = [&](int run) {
    return std::vector<std::string>{"sign",
                                    "--key",
                                    "pkcs11:object=audit-crash-ec",
                                    "--scheme",
                                    "ecdsa-p256-sha256",
                                    "--in",
                                    message(run).string(),
                                    "--out",
                                    signature(run).string()};
  };
  for (int run = 0; run < kRuns; ++run) {
    dir_.write(fmt::format("m{}", run), std::string(static_cast<std::size_t>(1000 + run), 'm'));
  }
  // How long an undisturbed run takes, so that the kills spread over its whole life.
  std::vector<Clock::duration> times;
  for (int i = 0; i < 3; ++i) {
    const auto start = Clock::now();
    ASSERT_EQ(wait_for(spawn(sign_args(0))), 0);
    times.push_back(Clock::now() - start);
  }
  std::ranges::sort(times);
  fs::remove(signature(0));
  const auto typical = times[1];

  // Even runs die the moment their --out file appears (the worst case: the review's
  // reproduction); odd runs at points spread evenly over 0..1.3 x a run, in a shuffled order
  // (seeded: reproducible).
  std::vector<int> order(kRuns / 2);
  for (int i = 0; i < kRuns / 2; ++i) order[static_cast<std::size_t>(i)] = i;
  std::mt19937 shuffle(20261203);
  std::ranges::shuffle(order, shuffle);
  int killed = 0;
  for (int run = 0; run < kRuns; ++run) {
    restore_token();
    const pid_t pid = spawn(sign_args(run));
    ASSERT_GT(pid, 0);
    int status = -1;  // set once the process is reaped
    if (run % 2 == 0) {
      int raw = 0;
      while (status < 0 && !fs::exists(signature(run))) {
        if (::waitpid(pid, &raw, WNOHANG) == pid) status = decode(raw);
      }
    } else {
      std::this_thread::sleep_for(typical * 13 * order[static_cast<std::size_t>(run / 2)] /
                                  (10 * kRuns / 2));
    }
    if (status < 0) {
      ::kill(pid, SIGKILL);  // harmless when it has just exited: it is not reaped yet
      status = wait_for(pid);
    }
    killed += status == 128 + SIGKILL ? 1 : 0;
  }
  int released = 0;
  std::vector<std::string> missing;
  const std::vector<std::string> lines = read_lines(trail_);
  for (int run = 0; run < kRuns; ++run) {
    if (!fs::exists(signature(run))) continue;
    ++released;
    const std::string wanted = fmt::format(R"("in":{},"out":)", 1000 + run);
    const bool recorded = std::ranges::any_of(lines, [&](const std::string& line) {
      return line.find(R"("op":"sign")") != std::string::npos &&
             line.find(wanted) != std::string::npos &&
             line.find(R"("outcome":"ok")") != std::string::npos;
    });
    if (!recorded) missing.push_back(signature(run).filename().string());
  }
  std::cout << fmt::format("{} runs, {} killed, {} signatures released (typical run {} ms)\n",
                           kRuns, killed, released,
                           std::chrono::duration_cast<std::chrono::milliseconds>(typical).count());
  EXPECT_GT(released, 0) << "no run got far enough: the test proved nothing";
  EXPECT_GT(killed, 0);
  EXPECT_TRUE(missing.empty()) << missing.size() << " of " << released
                               << " released signatures have no record, e.g. " << missing[0];

  // A run that is not killed cuts off a torn tail a kill may have left, and the chain holds.
  restore_token();
  const CommandResult next = run("random --bytes 4 --hex");
  EXPECT_EQ(next.exit_code, 0) << next.output;
  const CommandResult verified = verify();
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
}

// A process killed between the intent of a resident keygen and its outcome leaves an intent the
// verifier lists (an RSA-4096 keygen takes long enough to be caught in the act).
TEST_F(CliAuditCrash, KeygenKilledAfterItsIntentIsListedByAuditVerify) {
  std::string label;
  bool caught = false;
  for (int attempt = 0; attempt < 5 && !caught; ++attempt) {
    label = fmt::format("audit-crash-rsa-{}", attempt);
    const pid_t pid = spawn({"keygen", "--type", "rsa", "--size", "4096", "--label", label});
    ASSERT_GT(pid, 0);
    const std::string intent = fmt::format(R"(object={};)", label);
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    bool seen = false;
    while (!seen && Clock::now() < deadline) {
      for (const std::string& line : read_lines(trail_)) {
        seen = seen || (line.find(intent) != std::string::npos &&
                        line.find(R"("outcome":"intent")") != std::string::npos);
      }
      if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ::kill(pid, SIGKILL);
    const int status = wait_for(pid);
    ASSERT_TRUE(seen) << "no intent appeared before the keygen ended";
    caught = status == 128 + SIGKILL &&
             std::ranges::none_of(read_lines(trail_), [&](const std::string& line) {
               return line.find(intent) != std::string::npos &&
                      line.find(R"("intent":)") != std::string::npos;
             });
  }
  ASSERT_TRUE(caught) << "every keygen finished before it could be killed";
  const CommandResult verified = verify();
  EXPECT_EQ(verified.exit_code, 1) << verified.output;
  EXPECT_THAT(verified.output, HasSubstr("chain intact"));
  EXPECT_THAT(verified.output, HasSubstr("intent without outcome"));
  EXPECT_THAT(verified.output, HasSubstr(fmt::format("key_generate pkcs11:object={}", label)));
}

}  // namespace
}  // namespace craton::hsm::testing
