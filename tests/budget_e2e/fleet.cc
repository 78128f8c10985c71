// SPDX-License-Identifier: Apache-2.0
// Spawning, killing and tallying budget_worker processes.
#include "budget_e2e/fleet.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <openssl/rand.h>

extern char** environ;

namespace craton::hsm::testing {
namespace {

std::string random_bytes(std::size_t size) {
  std::string bytes(size, '\0');
  EXPECT_EQ(RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(size)), 1);
  return bytes;
}

std::string hex(const std::string& bytes) {
  std::string out;
  for (const char c : bytes) out += fmt::format("{:02x}", static_cast<unsigned char>(c));
  return out;
}

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

Fleet::Fleet(const TempDir& dir, FleetOptions options) : dir_(dir), options_(std::move(options)) {
  identity_ = dir_.write(fmt::format("identity-{}.key", hex(random_bytes(4))), random_bytes(32));
  key_hex_ = hex(random_bytes(32));
}

pid_t Fleet::spawn() {
  const std::filesystem::path log =
      dir_.path() / fmt::format("worker-{}-{}.log", logs_.size(), hex(random_bytes(4)));
  std::vector<std::string> args{CRATON_BUDGET_WORKER,
                                "--store",
                                options_.store,
                                "--target",
                                options_.target,
                                "--identity",
                                identity_.string(),
                                "--limit",
                                std::to_string(options_.limit),
                                "--block-min",
                                std::to_string(options_.block_min),
                                "--block-max",
                                std::to_string(options_.block_max),
                                "--threads",
                                std::to_string(options_.threads),
                                "--key",
                                key_hex_,
                                "--log",
                                log.string(),
                                "--pause-us",
                                std::to_string(options_.pause_us)};
  if (!options_.password_env.empty()) {
    args.insert(args.end(), {"--password-env", options_.password_env});
  }
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_text;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    if (!options_.softhsm_conf.empty() && text.starts_with("SOFTHSM2_CONF=")) continue;
    env_text.emplace_back(text);
  }
  if (!options_.softhsm_conf.empty()) {
    env_text.push_back(fmt::format("SOFTHSM2_CONF={}", options_.softhsm_conf.string()));
  }
  std::vector<char*> env;
  for (auto& entry : env_text) env.push_back(entry.data());
  env.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  pid_t pid = -1;
  const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  EXPECT_EQ(spawned, 0);
  logs_.emplace_back(pid, log);
  return spawned == 0 ? pid : -1;
}

int Fleet::wait(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool Fleet::has_succeeded(pid_t pid) const {
  for (const auto& [worker, log] : logs_) {
    if (worker == pid) return read_all(log).find('s') != std::string::npos;
  }
  return false;
}

Tally Fleet::tally() const {
  Tally tally;
  for (const auto& [worker, log] : logs_) {
    const std::string text = read_all(log);
    const auto count = [&](char c) {
      return static_cast<std::uint64_t>(std::count(text.begin(), text.end(), c));
    };
    tally.successes += count('s');
    tally.upper_bound += count('a') - count('f');
  }
  return tally;
}

std::filesystem::path private_softhsm(const TempDir& dir) {
  const std::filesystem::path tokens = dir.path() / "tokens";
  std::filesystem::create_directory(tokens);
  std::filesystem::path conf = dir.write("softhsm2.conf", fmt::format("directories.tokendir = {}\n"
                                                                      "objectstore.backend = file\n"
                                                                      "log.level = ERROR\n",
                                                                      tokens.string()));
  const CommandResult made = run_command(fmt::format(
      "SOFTHSM2_CONF='{}' softhsm2-util --init-token --free --label {} --so-pin {} --pin {}",
      conf.string(), kTokenLabel, kSoPin, kUserPin));
  EXPECT_EQ(made.exit_code, 0) << made.output;
  return conf;
}

}  // namespace craton::hsm::testing
