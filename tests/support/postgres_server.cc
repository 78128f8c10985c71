// SPDX-License-Identifier: Apache-2.0
// Builds, runs and removes the throwaway PostgreSQL cluster of postgres_server.h.
#include "support/postgres_server.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include <pwd.h>
#include <unistd.h>

#include <fmt/format.h>

#include "support/softhsm_token.h"

namespace craton::hsm::testing {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kBin = "/usr/lib/postgresql/15/bin";
constexpr std::string_view kStoreRole = "craton_store";
constexpr std::string_view kStorePassword = "budget-pw-3c1f9e";
constexpr int kPort = 5432;  // the socket's name; the directory is ours alone

std::unique_ptr<PostgresServer>& instance() {
  static std::unique_ptr<PostgresServer> server;
  return server;
}

std::string bin(std::string_view tool) {
  return fmt::format("{}/{}", kBin, tool);
}

void must(const CommandResult& result, std::string_view what) {
  if (result.exit_code != 0) {
    throw std::runtime_error(
        fmt::format("postgres fixture: {} failed ({}): {}", what, result.exit_code, result.output));
  }
}

}  // namespace

PostgresServer* PostgresServer::get() {
  if (!skip_reason().empty()) return nullptr;
  if (!instance()) {
    instance().reset(new PostgresServer());
    try {
      instance()->create();
    } catch (...) {
      instance().reset();
      throw;
    }
  }
  return instance().get();
}

std::string PostgresServer::skip_reason() {
  for (const char* tool : {"initdb", "pg_ctl", "postgres", "psql"}) {
    if (::access(bin(tool).c_str(), X_OK) != 0) {
      return fmt::format(
          "PostgreSQL 15 is not installed ({} is missing; "
          "scripts/install-deps.sh installs postgresql-15)",
          bin(tool));
    }
  }
  return "";
}

void PostgresServer::shut_down() {
  instance().reset();
}

void PostgresServer::create() {
  std::string pattern = (fs::temp_directory_path() / "craton-pg-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  // initdb and postgres refuse to run as root: the cluster belongs to the postgres account
  // (Debian's package creates it), else nobody.
  if (::geteuid() == 0) {
    const passwd* account = ::getpwnam("postgres");
    if (account == nullptr) account = ::getpwnam("nobody");
    if (account == nullptr) throw std::runtime_error("postgres fixture: no unprivileged account");
    if (::chown(dir_.c_str(), account->pw_uid, account->pw_gid) != 0) {
      throw std::runtime_error("postgres fixture: chown of the temporary directory failed");
    }
    prefix_ = fmt::format("setpriv --reuid={} --regid={} --clear-groups --", account->pw_uid,
                          account->pw_gid);
  }
  must(run_command(as_owner(fmt::format(
           "{} -D {}/data -U craton_admin --auth=trust --no-sync --no-instructions -E UTF8 "
           "--locale=C",
           bin("initdb"), dir_))),
       "initdb");
  // The superuser over the socket without a password (the fixture sets up with it); every
  // other role must give its password, so the store's password delivery is what is tested.
  // Files initdb made keep their owner when we, root, rewrite them.
  std::ofstream(fmt::format("{}/data/pg_hba.conf", dir_), std::ios::trunc)
      << "local all craton_admin trust\nlocal all all scram-sha-256\n";
  std::ofstream(fmt::format("{}/data/postgresql.conf", dir_), std::ios::app) << fmt::format(
      "listen_addresses = ''\nunix_socket_directories = '{}'\nport = {}\nfsync = off\n"
      "full_page_writes = off\nshared_buffers = 16MB\nmax_connections = 60\n",
      dir_, kPort);
  start();
  watch_this_process();
  admin_sql(fmt::format("CREATE ROLE {} LOGIN PASSWORD '{}'", kStoreRole, kStorePassword),
            "postgres");
  admin_sql(fmt::format("CREATE DATABASE craton OWNER {}", kStoreRole), "postgres");
}

PostgresServer::~PostgresServer() {
  if (running_) {
    (void)run_command(
        as_owner(fmt::format("{} -D {}/data stop -m immediate", bin("pg_ctl"), dir_)));
  }
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

std::string PostgresServer::url() const {
  return fmt::format("host={} port={} dbname=craton user={}", dir_, kPort, kStoreRole);
}

std::string PostgresServer::password() {
  return std::string(kStorePassword);
}

std::string PostgresServer::admin_url() const {
  return fmt::format("host={} port={} user=craton_admin", dir_, kPort);
}

std::string PostgresServer::admin_sql(const std::string& sql, const std::string& database) const {
  // Through a file, so that no shell reads the SQL ($$-quoted bodies, quotes).
  const std::string script = fmt::format("{}/admin.sql", dir_);
  std::ofstream(script, std::ios::trunc) << sql << "\n";
  const CommandResult result = run_command(
      fmt::format("{} -X -q -A -t -v ON_ERROR_STOP=1 -h {} -p {} -U craton_admin -d {} -f {}",
                  bin("psql"), dir_, kPort, database, script));
  must(result, fmt::format("psql: {}", sql));
  return result.output;
}

void PostgresServer::stop() {
  must(run_command(as_owner(fmt::format("{} -D {}/data stop -m immediate", bin("pg_ctl"), dir_))),
       "pg_ctl stop");
  running_ = false;
}

void PostgresServer::start() {
  must(run_command(as_owner(fmt::format("{} -D {}/data -l {}/server.log -w -t 30 start",
                                        bin("pg_ctl"), dir_, dir_))),
       "pg_ctl start");
  running_ = true;
}

std::vector<pid_t> PostgresServer::processes() const {
  std::vector<pid_t> pids;
  std::ifstream pid_file(fmt::format("{}/data/postmaster.pid", dir_));
  pid_t postmaster = 0;
  if (!(pid_file >> postmaster)) return pids;
  pids.push_back(postmaster);
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    std::getline(stat, line);
    // pid (comm) state ppid ...: comm may hold spaces, so read after the last ')'.
    const std::size_t close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 1));
    std::string state;
    pid_t parent = 0;
    if (rest >> state >> parent && parent == postmaster) pids.push_back(std::stoi(name));
  }
  return pids;
}

// A test binary that dies without its teardown (a crash, a timeout's SIGKILL, a closed pipe)
// must not leave the server running: a detached shell waits for this process to end, then
// stops the cluster and removes its directory (after a normal teardown it finds nothing to do).
void PostgresServer::watch_this_process() const {
  must(run_command(fmt::format(
           "setsid sh -c 'while kill -0 {0} 2>/dev/null; do sleep 1; done; {1} >/dev/null 2>&1; "
           "rm -rf \"{2}\"' </dev/null >/dev/null 2>&1 &",
           ::getpid(),
           as_owner(fmt::format("{} -D {}/data stop -m immediate", bin("pg_ctl"), dir_)), dir_)),
       "starting the cleanup watcher");
}

std::string PostgresServer::as_owner(const std::string& command) const {
  // From the cluster's own directory: the account may not enter the test's working directory,
  // and PostgreSQL's tools look it up.
  return fmt::format("cd \"{}\" && {} {}", dir_, prefix_, command);
}

}  // namespace craton::hsm::testing
