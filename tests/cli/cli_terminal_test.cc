// SPDX-License-Identifier: Apache-2.0
// craton-hsm on a terminal (a pseudo-terminal from forkpty): a command that needs the user
// asks for the PIN with echo off and restores the terminal afterwards; and the process keeps
// the PIN out of core dumps (RLIMIT_CORE 0, not dumpable) unless told otherwise.
#include <craton/hsm/pkcs11_backend.h>

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/cli_runner.h"
#include "cli/process_hardening.h"
#include "support/matchers.h"
#include "support/softhsm_config.h"
#include "support/softhsm_token.h"

namespace craton::hsm::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view kPrompt = "enter the user PIN";

struct TerminalRun {
  int exit_code = -1;
  std::string output;                // everything the terminal showed
  bool prompted = false;             // the prompt appeared
  bool echo_at_prompt = true;        // ECHO while the prompt waited
  bool echo_after = false;           // ECHO once the command had ended
  std::string core_limit_at_prompt;  // "Max core file size" soft limit while prompting
};

// The soft core-size limit of a running process, as /proc/<pid>/limits shows it.
std::string core_limit_of(pid_t pid) {
  std::ifstream limits(fmt::format("/proc/{}/limits", pid));
  std::string line;
  while (std::getline(limits, line)) {
    if (!line.starts_with("Max core file size")) continue;
    std::istringstream fields(line.substr(std::string_view("Max core file size").size()));
    std::string soft;
    fields >> soft;
    return soft;
  }
  return "?";
}

bool echo_on(int master) {
  termios settings{};
  // On Linux the master reports the terminal's (the slave's) settings.
  return tcgetattr(master, &settings) == 0 && (settings.c_lflag & ECHO) != 0;
}

// Runs craton-hsm with `args` as the session leader of a new pseudo-terminal (stdin, stdout
// and stderr), with no PIN in its environment and `env` added; types `typed` once the prompt
// shows. Gives up after 30 s.
TerminalRun run_on_terminal(const std::vector<std::string>& args, std::string_view typed,
                            const std::vector<std::pair<std::string, std::string>>& env = {},
                            std::optional<rlim_t> core_limit = std::nullopt) {
  TerminalRun run;
  int master = -1;
  const pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  if (pid < 0) {
    ADD_FAILURE() << "forkpty failed: " << errno;
    return run;
  }
  if (pid == 0) {
    unsetenv("CRATON_HSM_PIN");
    for (const auto& [name, value] : env) setenv(name.c_str(), value.c_str(), 1);
    if (core_limit) {
      const rlimit limit{*core_limit, *core_limit};
      setrlimit(RLIMIT_CORE, &limit);
    }
    std::vector<char*> argv;
    std::string program(kCliPath);
    argv.push_back(program.data());
    std::vector<std::string> copies(args);
    for (std::string& arg : copies) argv.push_back(arg.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (;;) {
    if (std::chrono::steady_clock::now() > deadline) {
      ADD_FAILURE() << "no end after 30 s; output so far:\n" << run.output;
      kill(pid, SIGKILL);
      break;
    }
    pollfd ready{master, POLLIN, 0};
    if (poll(&ready, 1, 100) <= 0) continue;
    char buffer[512];
    const ssize_t n = read(master, buffer, sizeof buffer);
    if (n <= 0) break;  // EIO: the terminal's last user has gone
    run.output.append(buffer, static_cast<std::size_t>(n));
    if (!run.prompted && run.output.find(kPrompt) != std::string::npos) {
      run.prompted = true;
      run.echo_at_prompt = echo_on(master);
      run.core_limit_at_prompt = core_limit_of(pid);
      EXPECT_EQ(write(master, typed.data(), typed.size()), static_cast<ssize_t>(typed.size()));
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  run.echo_after = echo_on(master);
  close(master);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

std::vector<std::string> keygen_args(const std::string& label) {
  return {"--module",
          std::string(kModulePath),
          "--token-label",
          std::string(kTokenLabel),
          "keygen",
          "--type",
          "aes",
          "--label",
          label};
}

bool token_has_label(const std::string& label) {
  auto backend = make_pkcs11_backend(softhsm_config());
  EXPECT_THAT(backend, IsOk());
  if (!backend) return false;
  KeyRef ref;
  ref.label = label;
  return (*backend)->find_key(ref).has_value();
}

TEST(CliTerminal, AsksForThePinWithoutEchoAndRestoresTheTerminal) {
  const TerminalRun run =
      run_on_terminal(keygen_args("terminal-key"), fmt::format("{}\n", kUserPin));
  ASSERT_TRUE(run.prompted) << run.output;
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_FALSE(run.echo_at_prompt) << "the PIN would be shown as it is typed";
  EXPECT_TRUE(run.echo_after) << "the terminal was left without echo";
  // Everything but the key's URI (whose serial and id are hex that could contain the digits).
  const std::string shown = run.output.substr(0, run.output.find("pkcs11:"));
  EXPECT_THAT(shown, Not(HasSubstr(kUserPin))) << run.output;
  EXPECT_THAT(run.output, HasSubstr("object=terminal-key"));
  EXPECT_TRUE(token_has_label("terminal-key"));
}

TEST(CliTerminal, NoPinTypedIsALoginErrorAndCreatesNothing) {
  for (const std::string_view typed : {std::string_view("\n"), std::string_view("\x04")}) {
    const TerminalRun run = run_on_terminal(keygen_args("terminal-none"), typed);
    ASSERT_TRUE(run.prompted) << run.output;
    EXPECT_EQ(run.exit_code, 2) << run.output;
    EXPECT_THAT(run.output, HasSubstr("LoginRequired")) << run.output;
    EXPECT_TRUE(run.echo_after);
  }
  EXPECT_FALSE(token_has_label("terminal-none"));
}

// Ctrl-C at the prompt ends the command (as the signal's default does), with echo restored.
TEST(CliTerminal, InterruptAtThePromptRestoresEcho) {
  const TerminalRun run = run_on_terminal(keygen_args("terminal-int"), "\x03");
  ASSERT_TRUE(run.prompted) << run.output;
  EXPECT_NE(run.exit_code, 0);
  EXPECT_TRUE(run.echo_after) << "the terminal was left without echo";
  EXPECT_FALSE(token_has_label("terminal-int"));
}

TEST(CliTerminal, CoreDumpsAreOffWhileThePinIsInMemory) {
  rlimit inherited{};
  ASSERT_EQ(getrlimit(RLIMIT_CORE, &inherited), 0);
  // Start the CLI with core dumps allowed (as far as this process may), so a 0 is its doing.
  const rlim_t allowed =
      inherited.rlim_max == 0 ? 0 : std::min<rlim_t>(inherited.rlim_max, 1 << 20);
  // AddressSanitizer sets the limit to 0 itself unless told not to (the asan preset): so that
  // the 0 seen here is craton-hsm's doing. Other builds ignore the variable.
  const char* asan = std::getenv("ASAN_OPTIONS");
  const std::pair<std::string, std::string> keep_asan_limit{
      "ASAN_OPTIONS", fmt::format("{}{}disable_coredump=0", asan != nullptr ? asan : "",
                                  asan != nullptr && *asan != '\0' ? ":" : "")};
  const TerminalRun run =
      run_on_terminal(keygen_args("terminal-core"), "\x04", {keep_asan_limit}, allowed);
  ASSERT_TRUE(run.prompted) << run.output;
  EXPECT_EQ(run.core_limit_at_prompt, "0");

  if (allowed == 0) GTEST_SKIP() << "the hard core limit is 0 here: the opt-out cannot be shown";
  const TerminalRun opted_out =
      run_on_terminal(keygen_args("terminal-core"), "\x04",
                      {keep_asan_limit, {std::string(cli::kAllowCoreDumpsEnv), "1"}}, allowed);
  ASSERT_TRUE(opted_out.prompted) << opted_out.output;
  EXPECT_EQ(opted_out.core_limit_at_prompt, std::to_string(allowed));
}

// The function main() calls first, run in a child so this test process keeps its settings.
int in_child(bool allow_core_dumps) {
  const pid_t pid = fork();
  if (pid == 0) {
    if (allow_core_dumps) {
      setenv(cli::kAllowCoreDumpsEnv, "1", 1);
    } else {
      unsetenv(cli::kAllowCoreDumpsEnv);
    }
    prctl(PR_SET_DUMPABLE, 1);
    const bool hardened = cli::keep_secrets_out_of_core_dumps().has_value();
    rlimit core{};
    getrlimit(RLIMIT_CORE, &core);
    const int dumpable = prctl(PR_GET_DUMPABLE);
    if (!hardened) _exit(10);
    if (allow_core_dumps) _exit(dumpable == 1 ? 0 : 11);
    _exit(dumpable == 0 && core.rlim_cur == 0 && core.rlim_max == 0 ? 0 : 12);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(CliCoreDumps, ProcessIsNotDumpableAndHasNoCoreLimit) {
  EXPECT_EQ(in_child(/*allow_core_dumps=*/false), 0);
}

TEST(CliCoreDumps, TheDocumentedOptOutLeavesThemAlone) {
  EXPECT_EQ(in_child(/*allow_core_dumps=*/true), 0);
}

}  // namespace
}  // namespace craton::hsm::testing
