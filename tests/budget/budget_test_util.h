// SPDX-License-Identifier: Apache-2.0
// Shared by the budget store tests: key identities, worker processes and their grant files.
#pragma once

#include <craton/hsm/budget.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <sys/types.h>

#include "budget/budget_store.h"

namespace craton::hsm::testing {

inline constexpr const char* kBudgetWorkerPath = CRATON_BUDGET_WORKER_PATH;

// A key identity whose 32 bytes are all `fill`: distinct fills, distinct keys.
[[nodiscard]] budget::KeyIdentity test_key(std::uint8_t fill);

// One reservation a worker recorded.
struct Grant {
  std::uint64_t first = 0;
  std::uint64_t count = 0;
};

// What the workers wrote: every grant ("G first count") and the counts they spent ("S count").
struct WorkerRecords {
  std::vector<Grant> grants;
  std::uint64_t spent = 0;
};
[[nodiscard]] WorkerRecords read_records(const std::vector<std::filesystem::path>& files);

// What the grants add up to: their sum, and whether they are pairwise disjoint and all below
// `limit` (no count was handed out twice, none past the limit).
struct GrantSummary {
  std::uint64_t total = 0;
  std::size_t reservations = 0;
  bool disjoint = true;
  bool below_limit = true;
};
[[nodiscard]] GrantSummary summarise(std::vector<Grant> grants, std::uint64_t limit);

// fork + exec of `program` with `args` (argv[1..]); the child's stdout/stderr are the test's.
[[nodiscard]] pid_t spawn(const std::string& program, const std::vector<std::string>& args);
// waitpid: the exit status, or -signal when the child was killed.
[[nodiscard]] int wait_exit(pid_t pid);

// The uid/gid of an unprivileged account (postgres, else nobody) for the parts of a test that
// root cannot do (initdb; a file root could write anyway).
struct Account {
  uid_t uid;
  gid_t gid;
  std::string name;
};
[[nodiscard]] Account unprivileged_account();

}  // namespace craton::hsm::testing
