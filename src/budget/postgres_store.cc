// SPDX-License-Identifier: Apache-2.0
// PostgresStore: one atomic INSERT ... ON CONFLICT DO UPDATE per reservation, on a connection
// that is rebuilt when it is lost.
#include "budget/postgres_store.h"

#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "budget/conninfo.h"
#include "budget/deadline_mutex.h"
#include "budget/host_name.h"
#include "budget/password_source.h"
#include "budget/pg_connection.h"
#include "budget/reserve_rules.h"

namespace craton::hsm::budget {
namespace {

using Clock = std::chrono::steady_clock;

// The schema of docs/budget-stores.md; an operator may create it beforehand and grant the
// store's role only SELECT, INSERT and UPDATE on it.
constexpr const char* kPgCreateTable = R"sql(
CREATE TABLE IF NOT EXISTS craton_gcm_budget (
  key_identity  text    PRIMARY KEY,
  used          bigint  NOT NULL CHECK (used >= 0),
  use_limit     bigint  NOT NULL,
  last_grant    bigint  NOT NULL DEFAULT 0,
  last_reserved bigint  NOT NULL DEFAULT 0,
  last_host     text    NOT NULL DEFAULT '',
  retired       boolean NOT NULL DEFAULT false
))sql";

// Checked first, so that a role without CREATE on the schema can use a table made for it.
constexpr const char* kPgTableExists = "SELECT to_regclass('craton_gcm_budget') IS NOT NULL";

// One statement, one transaction: adds LEAST(block, limit - used) under the row lock and says
// how much (SET evaluates every right-hand side on the old row). A key at its limit or retired
// fails the WHERE: no row comes back and nothing changes. Durable when it returns: the session
// runs with synchronous_commit on.
constexpr const char* kPgReserve = R"sql(
INSERT INTO craton_gcm_budget AS b
  (key_identity, used, use_limit, last_grant, last_reserved, last_host, retired)
VALUES ($1, LEAST($2::bigint, $3::bigint), $3::bigint, LEAST($2::bigint, $3::bigint),
        extract(epoch FROM clock_timestamp())::bigint, $4, false)
ON CONFLICT (key_identity) DO UPDATE SET
  used = b.used + LEAST($2::bigint, $3::bigint - b.used),
  use_limit = $3::bigint,
  last_grant = LEAST($2::bigint, $3::bigint - b.used),
  last_reserved = EXCLUDED.last_reserved,
  last_host = EXCLUDED.last_host
WHERE b.used < $3::bigint AND NOT b.retired
RETURNING used, last_grant)sql";

constexpr const char* kPgSelectOne =
    "SELECT key_identity, used, use_limit, last_reserved, last_host, retired "
    "FROM craton_gcm_budget WHERE key_identity = $1";
constexpr const char* kPgSelectAll =
    "SELECT key_identity, used, use_limit, last_reserved, last_host, retired "
    "FROM craton_gcm_budget ORDER BY key_identity COLLATE \"C\"";
constexpr const char* kPgRetire =
    "INSERT INTO craton_gcm_budget (key_identity, used, use_limit, retired) "
    "VALUES ($1, 0, 0, true) ON CONFLICT (key_identity) DO UPDATE SET retired = true";

bool read_pg_record(const PgResult& rows, int row, BudgetRecord& record) {
  const std::optional<KeyIdentity> key = KeyIdentity::from_hex(rows.text(row, 0));
  if (!key) return false;
  record.key = *key;
  record.used = static_cast<std::uint64_t>(rows.integer(row, 1));
  record.limit = static_cast<std::uint64_t>(rows.integer(row, 2));
  record.last_reserved_unix = rows.integer(row, 3);
  record.last_host = std::string(rows.text(row, 4));
  record.retired = rows.boolean(row, 5);
  return true;
}

class PostgresStore final : public BudgetStore {
 public:
  PostgresStore(std::string url, std::optional<StorePassword> password, std::string where,
                std::chrono::milliseconds timeout)
      : url_(std::move(url)),
        password_(std::move(password)),
        where_(std::move(where)),
        timeout_(timeout),
        host_(host_name()) {}

  // Connects and makes sure the table exists: open_postgres_store's work.
  Result<void> start() {
    const std::lock_guard lock(mutex_);
    const Clock::time_point deadline = Clock::now() + timeout_;
    CRATON_RETURN_IF_ERROR(ensure_connected(deadline));
    CRATON_ASSIGN_OR_RETURN(const PgResult exists, connection_->exec(kPgTableExists, {}, deadline));
    if (exists.rows() == 1 && exists.boolean(0, 0)) return {};
    Result<PgResult> created = connection_->exec(kPgCreateTable, {}, deadline);
    if (created) return {};
    // Another process may have created it between our check and our CREATE (two concurrent
    // CREATE TABLE IF NOT EXISTS can collide in the catalog): fine if it is there now.
    if (!connection_->broken()) {
      auto again = connection_->exec(kPgTableExists, {}, deadline);
      if (again && again->rows() == 1 && again->boolean(0, 0)) return {};
    }
    return std::unexpected(std::move(created).error());
  }

  Result<Reservation> reserve(const KeyIdentity& key, std::uint64_t block,
                              std::uint64_t limit) override {
    CRATON_RETURN_IF_ERROR(check_reserve_arguments(block, limit));
    const std::vector<std::string> params{key.hex(), std::to_string(block), std::to_string(limit),
                                          host_};
    const Clock::time_point deadline = Clock::now() + timeout_;
    CRATON_ASSIGN_OR_RETURN(std::unique_lock<DeadlineMutex> lock, acquire(deadline));
    // A retry after a lost connection may repeat a reservation the server did commit: those
    // counts are then lost, which only ever over-counts.
    CRATON_ASSIGN_OR_RETURN(const PgResult granted, run(kPgReserve, params, deadline));
    if (granted.rows() == 0) {
      const std::vector<std::string> one{key.hex()};
      CRATON_ASSIGN_OR_RETURN(const PgResult row, run(kPgSelectOne, one, deadline));
      BudgetRecord record;
      record.key = key;
      if (row.rows() == 1) read_pg_record(row, 0, record);
      return exhausted(record, limit);
    }
    const auto used = static_cast<std::uint64_t>(granted.integer(0, 0));
    const auto count = static_cast<std::uint64_t>(granted.integer(0, 1));
    return Reservation{.first = used - count, .count = count};
  }

  Result<std::vector<BudgetRecord>> list() override {
    const Clock::time_point deadline = Clock::now() + timeout_;
    CRATON_ASSIGN_OR_RETURN(std::unique_lock<DeadlineMutex> lock, acquire(deadline));
    CRATON_ASSIGN_OR_RETURN(const PgResult rows, run(kPgSelectAll, {}, deadline));
    std::vector<BudgetRecord> records;
    for (int i = 0; i < rows.rows(); ++i) {
      BudgetRecord record;
      if (read_pg_record(rows, i, record)) records.push_back(std::move(record));
    }
    return records;
  }

  Result<BudgetRecord> show(const KeyIdentity& key) override {
    const Clock::time_point deadline = Clock::now() + timeout_;
    CRATON_ASSIGN_OR_RETURN(std::unique_lock<DeadlineMutex> lock, acquire(deadline));
    const std::vector<std::string> params{key.hex()};
    CRATON_ASSIGN_OR_RETURN(const PgResult rows, run(kPgSelectOne, params, deadline));
    BudgetRecord record;
    if (rows.rows() != 1 || !read_pg_record(rows, 0, record)) {
      return fail(ErrorCode::KeyNotFound,
                  fmt::format("{}: no budget recorded for key {}", where_, key.hex()));
    }
    return record;
  }

  Result<void> retire(const KeyIdentity& key) override {
    const Clock::time_point deadline = Clock::now() + timeout_;
    CRATON_ASSIGN_OR_RETURN(std::unique_lock<DeadlineMutex> lock, acquire(deadline));
    const std::vector<std::string> params{key.hex()};
    CRATON_RETURN_IF_ERROR(run(kPgRetire, params, deadline));
    return {};
  }

  std::string describe() const override { return where_; }

 private:
  // The connection is one per store: threads take turns, all within the call's deadline.
  Result<std::unique_lock<DeadlineMutex>> acquire(Clock::time_point deadline) {
    std::unique_lock lock(mutex_, std::defer_lock);
    if (!lock.try_lock_until(deadline)) {
      return fail(
          ErrorCode::BudgetStoreUnavailable,
          fmt::format("{}: busy in this process for more than {} ms", where_, timeout_.count()));
    }
    return lock;
  }

  // A session of our own settings: the server gives up on a statement or a lock wait after
  // the timeout too, and commits are durable whatever the role's default says.
  Result<void> ensure_connected(Clock::time_point deadline) {
    if (connection_ && !connection_->broken()) return {};
    connection_.reset();
    CRATON_ASSIGN_OR_RETURN(
        PgConnection fresh,
        PgConnection::connect(url_, password_ ? &*password_ : nullptr, where_, deadline));
    const std::string settings = fmt::format(
        "SET statement_timeout = {0}; SET lock_timeout = {0}; SET synchronous_commit = on",
        timeout_.count());
    CRATON_RETURN_IF_ERROR(fresh.exec(settings.c_str(), {}, deadline));
    connection_.emplace(std::move(fresh));
    return {};
  }

  // One statement; when a connection that was already open turns out lost (the server
  // restarted since), once more on a new one, within the same deadline.
  Result<PgResult> run(const char* sql, std::span<const std::string> params,
                       Clock::time_point deadline) {
    const bool reused = connection_ && !connection_->broken();
    CRATON_RETURN_IF_ERROR(ensure_connected(deadline));
    Result<PgResult> result = connection_->exec(sql, params, deadline);
    if (result || !reused || !connection_->broken() || Clock::now() >= deadline) return result;
    CRATON_RETURN_IF_ERROR(ensure_connected(deadline));
    return connection_->exec(sql, params, deadline);
  }

  std::string url_;
  std::optional<StorePassword> password_;
  std::string where_;
  std::chrono::milliseconds timeout_;
  std::string host_;
  DeadlineMutex mutex_;
  std::optional<PgConnection> connection_;
};

}  // namespace

Result<std::unique_ptr<BudgetStore>> open_postgres_store(const BudgetConfig& config,
                                                         std::chrono::milliseconds timeout) {
  const std::string url = config.url.value_or("");
  CRATON_ASSIGN_OR_RETURN(const std::string described, conninfo_without_secrets(url));
  CRATON_ASSIGN_OR_RETURN(std::optional<StorePassword> password, read_store_password(config));
  auto store = std::make_unique<PostgresStore>(url, std::move(password),
                                               fmt::format("postgresql:{}", described), timeout);
  CRATON_RETURN_IF_ERROR(store->start());
  return std::unique_ptr<BudgetStore>(std::move(store));
}

}  // namespace craton::hsm::budget
