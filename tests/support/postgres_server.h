// SPDX-License-Identifier: Apache-2.0
// A throwaway PostgreSQL 15 cluster for one test binary: initdb + pg_ctl of Debian's
// postgresql-15 in a temporary directory, run as an unprivileged account (initdb refuses
// root), listening on a Unix socket in that directory only, stopped and removed after the
// last test. Started on first use, so binaries whose filter selects no PostgreSQL test never
// start it.
//
// The cluster runs with fsync=off: it starts in about a second and no test needs it to
// survive an operating-system crash. Tests kill clients and stop the server (pg_ctl stop -m
// immediate, a crash as far as PostgreSQL knows), and the page cache keeps what was written,
// so a committed reservation is still there after a restart.
#pragma once

#include <sys/types.h>
#include <optional>
#include <string>
#include <vector>

namespace craton::hsm::testing {

class PostgresServer {
 public:
  // The binary's server, started now if it is not yet; nullptr when the PostgreSQL binaries
  // are missing (skip_reason() says so). Throws std::runtime_error when they are there but the
  // cluster does not start: a broken fixture must fail, not skip.
  static PostgresServer* get();
  [[nodiscard]] static std::string skip_reason();
  // Stops and removes the server if it was started (the test environment's TearDown).
  static void shut_down();

  // A libpq connection string (no password) for the store's role, which must authenticate with
  // password() (scram-sha-256), and its database.
  [[nodiscard]] std::string url() const;
  [[nodiscard]] static std::string password();
  // The superuser's connection string (trust over the socket), for setting up and inspecting.
  [[nodiscard]] std::string admin_url() const;
  // Runs SQL as the superuser through psql; returns psql's output. Throws on failure.
  std::string admin_sql(const std::string& sql, const std::string& database = "craton") const;

  // pg_ctl stop -m immediate (the server dies as in a crash) and pg_ctl start -w.
  void stop();
  void start();
  // The server's processes (postmaster and children), for SIGSTOP/SIGCONT.
  [[nodiscard]] std::vector<pid_t> processes() const;

  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

 private:
  PostgresServer() = default;
  void create();
  void watch_this_process() const;
  // Runs a command line as the cluster's account (through setpriv when we are root).
  std::string as_owner(const std::string& command) const;

  std::string dir_;     // the temporary directory: data/, the socket, the log
  std::string prefix_;  // "setpriv ... --" when the commands must change user, else ""
  bool running_ = false;
};

}  // namespace craton::hsm::testing
