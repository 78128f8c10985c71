// SPDX-License-Identifier: Apache-2.0
// A fleet of budget_worker processes on one durable store: spawned with fork+exec (no backend
// exists in the test process when they start, and none is inherited), killed with SIGKILL,
// and tallied from their attempt logs.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "support/softhsm_token.h"

namespace craton::hsm::testing {

// What the logs of every worker say: successes counted after the call returned, and an upper
// bound that also counts calls a kill cut off (attempts without an outcome).
struct Tally {
  std::uint64_t successes = 0;
  std::uint64_t upper_bound = 0;  // attempts - failures
};

struct FleetOptions {
  std::string store = "sqlite";  // or "postgresql"
  std::string target;            // the SQLite file or the libpq connection string
  std::string password_env;      // postgresql: the variable the password is in (optional)
  std::uint64_t limit = 10000;
  std::uint64_t block_min = 8;
  std::uint64_t block_max = 256;
  int threads = 4;
  // How long each worker thread rests after a success (0: flat out).
  std::uint32_t pause_us = 0;
  // A SoftHSM2 configuration of its own (a kill during a login can tear SoftHSM2's token file):
  // empty for the binary's.
  std::filesystem::path softhsm_conf;
};

class Fleet {
 public:
  // A fresh AES key and identity key file in `dir`.
  Fleet(const TempDir& dir, FleetOptions options);

  // Starts one more worker; its log is its own.
  pid_t spawn();
  // Waits for `pid`; its exit status, or 128 + signal.
  static int wait(pid_t pid);
  // Whether the worker's log shows a success yet (it is past its login).
  [[nodiscard]] bool has_succeeded(pid_t pid) const;
  [[nodiscard]] Tally tally() const;
  [[nodiscard]] const std::filesystem::path& identity() const { return identity_; }
  [[nodiscard]] const std::string& key_hex() const { return key_hex_; }

 private:
  const TempDir& dir_;
  FleetOptions options_;
  std::filesystem::path identity_;
  std::string key_hex_;
  std::vector<std::pair<pid_t, std::filesystem::path>> logs_;
};

// A SoftHSM2 world of its own under `dir`: a token labelled as the binary's, for a test that
// kills processes. Returns the softhsm2.conf to point SOFTHSM2_CONF at.
std::filesystem::path private_softhsm(const TempDir& dir);

}  // namespace craton::hsm::testing
