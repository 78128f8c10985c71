// SPDX-License-Identifier: Apache-2.0
// "A label or id already used gives KeyAlreadyExists" holds under concurrency: threads of one
// backend, backends of one process, and separate processes racing to create the same key
// leave at most one key behind, and every loser is told KeyAlreadyExists.
#include <craton/hsm/diagnostics.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backends/pkcs11/host_lock.h"
#include "backends/pkcs11/resident_test_util.h"
#include "cli/cli_runner.h"
#include "support/matchers.h"

namespace craton::hsm::pkcs11 {
namespace {

using ::craton::hsm::testing::IsOk;

struct RaceOutcome {
  std::size_t created = 0;
  std::size_t already_exists = 0;
  std::size_t other = 0;
};

// Eight threads generate `spec` at once, each through backends[i % backends.size()].
RaceOutcome race(const std::vector<Pkcs11PassthroughBackend*>& backends,
                 const ResidentKeySpec& spec) {
  std::atomic<std::size_t> created{0};
  std::atomic<std::size_t> already_exists{0};
  std::atomic<std::size_t> other{0};
  std::atomic<bool> go{false};
  {
    std::vector<std::jthread> threads;
    for (std::size_t t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        while (!go.load()) std::this_thread::yield();
        auto key = backends[t % backends.size()]->generate_resident_key(spec);
        if (key) {
          ++created;
        } else if (key.error().code() == ErrorCode::KeyAlreadyExists) {
          ++already_exists;
        } else {
          ADD_FAILURE() << key.error();
          ++other;
        }
      });
    }
    go = true;
  }
  return {created.load(), already_exists.load(), other.load()};
}

TEST(ResidentUniquenessTest, EightThreadsOfOneBackendCreateOneKey) {
  auto backend = make_resident_backend();
  ASSERT_NE(backend, nullptr);
  for (int round = 0; round < 5; ++round) {
    const ResidentKeySpec spec =
        unique_spec(KeyAlgorithm::Aes128, fmt::format("unique-threads-{}", round));
    const RaceOutcome outcome = race({backend.get()}, spec);
    EXPECT_EQ(outcome.created, 1u) << "round " << round;
    EXPECT_EQ(outcome.already_exists, 7u) << "round " << round;
    EXPECT_EQ(raw_count_label(spec.label), 1u) << "round " << round;
    EXPECT_THAT(backend->destroy_key(by_label(spec.label)), IsOk());
  }
}

TEST(ResidentUniquenessTest, FourBackendsOfOneProcessCreateOneKeyPair) {
  std::vector<std::unique_ptr<Pkcs11PassthroughBackend>> owners;
  std::vector<Pkcs11PassthroughBackend*> backends;
  for (int i = 0; i < 4; ++i) {
    owners.push_back(make_resident_backend());
    ASSERT_NE(owners.back(), nullptr);
    backends.push_back(owners.back().get());
  }
  for (int round = 0; round < 3; ++round) {
    const ResidentKeySpec spec =
        unique_spec(KeyAlgorithm::EcP256, fmt::format("unique-backends-{}", round));
    const RaceOutcome outcome = race(backends, spec);
    EXPECT_EQ(outcome.created, 1u) << "round " << round;
    EXPECT_EQ(outcome.already_exists, 7u) << "round " << round;
    EXPECT_EQ(raw_count_label(spec.label), 2u) << "one private and one public object";
    EXPECT_THAT(backends[0]->destroy_key(by_label(spec.label)), IsOk());
  }
}

// Separate processes cannot share a lock: the create-then-recheck rule must leave at most one
// key, and never report success for a key it then removed.
TEST(ResidentUniquenessTest, FourProcessesLeaveAtMostOneKey) {
  using namespace ::craton::hsm::testing;
  for (int round = 0; round < 6; ++round) {
    const std::string label = fmt::format("unique-processes-{}", round);
    std::string script = "pids=''; ";
    for (int p = 0; p < 4; ++p) {
      script += fmt::format(
          "( {} '{}' {} keygen --type aes --size 128 --label {} --id 55{:02x}{:02x} "
          "> /dev/null 2>&1; echo \"exit=$?\" ) & pids=\"$pids $!\"; ",
          pin_env(), kCliPath, token_args(), label, round, p);
    }
    script += "wait $pids";
    const CommandResult result = run_command(script);
    std::size_t successes = 0;
    for (std::size_t at = result.output.find("exit=0"); at != std::string::npos;
         at = result.output.find("exit=0", at + 1)) {
      ++successes;
    }
    const auto exits =
        static_cast<std::size_t>(std::count(result.output.begin(), result.output.end(), '='));
    ASSERT_EQ(exits, 4u) << result.output;
    EXPECT_LE(successes, 1u) << "round " << round << ": " << result.output;
    EXPECT_EQ(raw_count_label(label), successes) << "round " << round << ": " << result.output;
    raw_destroy_label(label);
  }
}

// The recheck alone can be blind on a software token (SoftHSM2 caches objects per process):
// local processes also take the token's host-wide creation lock, and wait for each other.
TEST(ResidentUniquenessTest, AnotherLocalProcessWaitsForTheHostCreationLock) {
  using namespace ::craton::hsm::testing;
  auto backend = make_resident_backend();
  ASSERT_NE(backend, nullptr);
  std::optional<HostCreationLock> lock = HostCreationLock::acquire(backend->token().serial);
  ASSERT_TRUE(lock->held()) << HostCreationLock::directory();
  const std::string label = "unique-host-lock";
  std::future<CommandResult> keygen = std::async(std::launch::async, [&] {
    return run_command(fmt::format("{} '{}' {} keygen --type aes --size 128 --label {} --id 5566",
                                   pin_env(), kCliPath, token_args(), label));
  });
  EXPECT_EQ(keygen.wait_for(std::chrono::milliseconds(700)), std::future_status::timeout);
  EXPECT_EQ(raw_count_label(label), 0u) << "the other process waits for the lock";
  lock.reset();
  const CommandResult made = keygen.get();
  EXPECT_EQ(made.exit_code, 0) << made.output;
  EXPECT_EQ(raw_count_label(label), 1u);
  raw_destroy_label(label);
}

TEST(ResidentUniquenessTest, AnUnsafeLockDirectoryIsReportedAndNotUsed) {
  testing::TempDir runtime;
  std::filesystem::create_directory(runtime.path() / "craton-hsm");
  std::filesystem::permissions(runtime.path() / "craton-hsm", std::filesystem::perms::all);
  std::vector<std::string> reported;
  set_diagnostic_handler([&](const HsmError& error) { reported.push_back(error.message()); });
  const char* saved = std::getenv("XDG_RUNTIME_DIR");
  const std::string previous = saved != nullptr ? saved : "";
  ::setenv("XDG_RUNTIME_DIR", runtime.path().c_str(), 1);
  const HostCreationLock lock = HostCreationLock::acquire("0123");
  if (saved != nullptr) {
    ::setenv("XDG_RUNTIME_DIR", previous.c_str(), 1);
  } else {
    ::unsetenv("XDG_RUNTIME_DIR");
  }
  set_diagnostic_handler({});
  EXPECT_FALSE(lock.held()) << "a directory others can write to could hold a planted lock";
  ASSERT_EQ(reported.size(), 1u);
  EXPECT_THAT(reported.front(), ::testing::HasSubstr("open to other users"));
}

}  // namespace
}  // namespace craton::hsm::pkcs11
