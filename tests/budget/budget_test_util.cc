// SPDX-License-Identifier: Apache-2.0
// Key identities, worker processes and grant files for the budget store tests.
#include "budget/budget_test_util.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

namespace craton::hsm::testing {

budget::KeyIdentity test_key(std::uint8_t fill) {
  budget::KeyIdentity key;
  key.bytes.fill(fill);
  return key;
}

WorkerRecords read_records(const std::vector<std::filesystem::path>& files) {
  WorkerRecords records;
  for (const auto& file : files) {
    std::ifstream in(file);
    for (std::string kind; in >> kind;) {
      Grant grant;
      if (kind == "G" && in >> grant.first >> grant.count) {
        records.grants.push_back(grant);
      } else if (kind == "S" && in >> grant.count) {
        records.spent += grant.count;
      }
    }
  }
  return records;
}

GrantSummary summarise(std::vector<Grant> grants, std::uint64_t limit) {
  GrantSummary summary;
  std::ranges::sort(grants, {}, &Grant::first);
  std::uint64_t next_free = 0;
  for (const Grant& grant : grants) {
    summary.total += grant.count;
    ++summary.reservations;
    if (grant.first < next_free || grant.count == 0) summary.disjoint = false;
    if (grant.first + grant.count > limit) summary.below_limit = false;
    next_free = std::max(next_free, grant.first + grant.count);
  }
  return summary;
}

pid_t spawn(const std::string& program, const std::vector<std::string>& args) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(program.c_str()));
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::execv(program.c_str(), argv.data());
    ::_exit(127);
  }
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1000;
  }
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1000;
}

Account unprivileged_account() {
  for (const char* name : {"postgres", "nobody"}) {
    if (const passwd* entry = ::getpwnam(name)) {
      return {entry->pw_uid, entry->pw_gid, name};
    }
  }
  throw std::runtime_error("no postgres or nobody account on this machine");
}

}  // namespace craton::hsm::testing
