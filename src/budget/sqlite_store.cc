// SPDX-License-Identifier: Apache-2.0
// SqliteStore: reservations as BEGIN IMMEDIATE transactions on one WAL-mode file.
#include "budget/sqlite_store.h"

#include <ctime>
#include <limits>
#include <mutex>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "budget/deadline_mutex.h"
#include "budget/host_name.h"
#include "budget/reserve_rules.h"
#include "budget/sqlite_db.h"
#include "budget/store_file.h"

namespace craton::hsm::budget {
namespace {

using Clock = std::chrono::steady_clock;

// The schema of docs/budget-stores.md. `limit` is a keyword in SQL, hence use_limit.
constexpr const char* kSqliteCreateTable = R"sql(
CREATE TABLE IF NOT EXISTS craton_gcm_budget (
  key_identity  TEXT    PRIMARY KEY NOT NULL,
  used          INTEGER NOT NULL,
  use_limit     INTEGER NOT NULL,
  last_grant    INTEGER NOT NULL DEFAULT 0,
  last_reserved INTEGER NOT NULL DEFAULT 0,
  last_host     TEXT    NOT NULL DEFAULT '',
  retired       INTEGER NOT NULL DEFAULT 0
))sql";

// One statement adds min(block, limit - used) and says how much: SET evaluates every
// right-hand side on the old row, so last_grant is what this reservation added. A key at its
// limit or retired matches no row (the WHERE), so nothing comes back and nothing changes.
constexpr std::string_view kSqliteReserve = R"sql(
INSERT INTO craton_gcm_budget AS b
  (key_identity, used, use_limit, last_grant, last_reserved, last_host, retired)
VALUES (?1, min(?2, ?3), ?3, min(?2, ?3), ?4, ?5, 0)
ON CONFLICT (key_identity) DO UPDATE SET
  used = b.used + min(?2, ?3 - b.used),
  use_limit = ?3,
  last_grant = min(?2, ?3 - b.used),
  last_reserved = ?4,
  last_host = ?5
WHERE b.used < ?3 AND b.retired = 0
RETURNING used, last_grant)sql";

constexpr std::string_view kSqliteSelectOne =
    "SELECT key_identity, used, use_limit, last_reserved, last_host, retired "
    "FROM craton_gcm_budget WHERE key_identity = ?1";
constexpr std::string_view kSqliteSelectAll =
    "SELECT key_identity, used, use_limit, last_reserved, last_host, retired "
    "FROM craton_gcm_budget ORDER BY key_identity";
constexpr std::string_view kSqliteRetire =
    "INSERT INTO craton_gcm_budget (key_identity, used, use_limit, retired) VALUES (?1, 0, 0, 1) "
    "ON CONFLICT (key_identity) DO UPDATE SET retired = 1";

std::chrono::milliseconds remaining(Clock::time_point deadline) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
}

struct Statements {
  SqliteStatement reserve;
  SqliteStatement select_one;
  SqliteStatement select_all;
  SqliteStatement retire;
};

Result<Statements> prepare_statements(SqliteDb& db) {
  CRATON_ASSIGN_OR_RETURN(SqliteStatement reserve, db.prepare(kSqliteReserve, "prepare reserve"));
  CRATON_ASSIGN_OR_RETURN(SqliteStatement select_one, db.prepare(kSqliteSelectOne, "prepare show"));
  CRATON_ASSIGN_OR_RETURN(SqliteStatement select_all, db.prepare(kSqliteSelectAll, "prepare list"));
  CRATON_ASSIGN_OR_RETURN(SqliteStatement retire, db.prepare(kSqliteRetire, "prepare retire"));
  return Statements{std::move(reserve), std::move(select_one), std::move(select_all),
                    std::move(retire)};
}

// Reads a row of kSqliteSelectOne/kSqliteSelectAll; false for a key column that is not a
// KeyIdentity (a row someone wrote by hand), which list() leaves out.
bool read_sqlite_record(const SqliteStatement& row, BudgetRecord& record) {
  const std::optional<KeyIdentity> key = KeyIdentity::from_hex(row.column_text(0));
  if (!key) return false;
  record.key = *key;
  record.used = static_cast<std::uint64_t>(row.column_int64(1));
  record.limit = static_cast<std::uint64_t>(row.column_int64(2));
  record.last_reserved_unix = row.column_int64(3);
  record.last_host = row.column_text(4);
  record.retired = row.column_int64(5) != 0;
  return true;
}

class SqliteStore final : public BudgetStore {
 public:
  SqliteStore(SqliteDb db, Statements statements, std::string where,
              std::chrono::milliseconds timeout)
      : db_(std::move(db)),
        statements_(std::move(statements)),
        where_(std::move(where)),
        timeout_(timeout),
        host_(host_name()) {}

  Result<Reservation> reserve(const KeyIdentity& key, std::uint64_t block,
                              std::uint64_t limit) override {
    CRATON_RETURN_IF_ERROR(check_reserve_arguments(block, limit));
    CRATON_ASSIGN_OR_RETURN(std::unique_lock<DeadlineMutex> lock, acquire());
    if (db_.in_transaction()) rollback();
    CRATON_RETURN_IF_ERROR(db_.exec("BEGIN IMMEDIATE", "begin reservation"));
    Result<Reservation> granted = run_reserve(key, block, limit);
    if (!granted) {
      rollback();
      return granted;
    }
    if (Result<void> committed = db_.exec("COMMIT", "commit reservation"); !committed) {
      // Unknown whether it reached the disk: the counts are lost either way, which only ever
      // over-counts.
      rollback();
      return std::unexpected(std::move(committed).error());
    }
    return granted;
  }

  Result<std::vector<BudgetRecord>> list() override {
    CRATON_ASSIGN_OR_RETURN(std::unique_lock<DeadlineMutex> lock, acquire());
    SqliteStatement& select = statements_.select_all;
    std::vector<BudgetRecord> records;
    while (true) {
      CRATON_ASSIGN_OR_RETURN(const bool row, select.step());
      if (!row) break;
      BudgetRecord record;
      if (read_sqlite_record(select, record)) records.push_back(std::move(record));
    }
    select.reset();
    return records;
  }

  Result<BudgetRecord> show(const KeyIdentity& key) override {
    CRATON_ASSIGN_OR_RETURN(std::unique_lock<DeadlineMutex> lock, acquire());
    return select_one(key);
  }

  Result<void> retire(const KeyIdentity& key) override {
    CRATON_ASSIGN_OR_RETURN(std::unique_lock<DeadlineMutex> lock, acquire());
    const std::string hex = key.hex();
    SqliteStatement& statement = statements_.retire;
    statement.bind(1, hex);
    CRATON_ASSIGN_OR_RETURN(const bool row, statement.step());
    (void)row;
    statement.reset();
    return {};
  }

  std::string describe() const override { return where_; }

 private:
  // The connection is one per store: threads take turns, for at most the timeout.
  Result<std::unique_lock<DeadlineMutex>> acquire() {
    const Clock::time_point deadline = Clock::now() + timeout_;
    std::unique_lock lock(mutex_, std::defer_lock);
    if (!lock.try_lock_until(deadline)) {
      return fail(
          ErrorCode::BudgetStoreUnavailable,
          fmt::format("{}: busy in this process for more than {} ms", where_, timeout_.count()));
    }
    db_.set_busy_timeout(remaining(deadline));
    return lock;
  }

  Result<Reservation> run_reserve(const KeyIdentity& key, std::uint64_t block,
                                  std::uint64_t limit) {
    const std::string hex = key.hex();
    SqliteStatement& statement = statements_.reserve;
    statement.bind(1, hex);
    statement.bind(2, static_cast<std::int64_t>(block));
    statement.bind(3, static_cast<std::int64_t>(limit));
    statement.bind(4, static_cast<std::int64_t>(std::time(nullptr)));
    statement.bind(5, host_);
    CRATON_ASSIGN_OR_RETURN(const bool row, statement.step());
    if (!row) {
      statement.reset();
      CRATON_ASSIGN_OR_RETURN(const BudgetRecord record, select_one(key));
      return exhausted(record, limit);
    }
    const auto used = static_cast<std::uint64_t>(statement.column_int64(0));
    const auto count = static_cast<std::uint64_t>(statement.column_int64(1));
    // RETURNING's rows come from the first step; the statement must still run to its end
    // before COMMIT.
    CRATON_ASSIGN_OR_RETURN(const bool more, statement.step());
    (void)more;
    statement.reset();
    return Reservation{.first = used - count, .count = count};
  }

  Result<BudgetRecord> select_one(const KeyIdentity& key) {
    const std::string hex = key.hex();
    SqliteStatement& select = statements_.select_one;
    select.bind(1, hex);
    Result<bool> row = select.step();
    BudgetRecord record;
    const bool found = row && *row && read_sqlite_record(select, record);
    select.reset();
    if (!row) return std::unexpected(std::move(row).error());
    if (!found) {
      return fail(ErrorCode::KeyNotFound,
                  fmt::format("{}: no budget recorded for key {}", where_, hex));
    }
    return record;
  }

  void rollback() {
    if (!db_.in_transaction()) return;
    // A failed rollback leaves the transaction to SQLite, which rolls it back when the
    // connection next begins one or closes; nothing was committed either way.
    (void)db_.exec("ROLLBACK", "rollback reservation");
  }

  SqliteDb db_;
  Statements statements_;  // after db_: finalized before the connection closes
  std::string where_;
  std::chrono::milliseconds timeout_;
  std::string host_;
  DeadlineMutex mutex_;
};

Result<void> check_mode(SqliteDb& db, const std::string& where) {
  CRATON_ASSIGN_OR_RETURN(SqliteStatement wal,
                          db.prepare("PRAGMA journal_mode=WAL", "switch to WAL mode"));
  CRATON_ASSIGN_OR_RETURN(const bool row, wal.step());
  const std::string mode = row ? wal.column_text(0) : std::string();
  if (mode != "wal") {
    return fail(ErrorCode::BudgetStoreUnavailable,
                fmt::format("{}: cannot switch to WAL mode (journal mode is {:?})", where, mode));
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<BudgetStore>> open_sqlite_store(const std::filesystem::path& path,
                                                       std::chrono::milliseconds timeout) {
  CRATON_RETURN_IF_ERROR(prepare_store_file(path));
  CRATON_ASSIGN_OR_RETURN(SqliteDb db, SqliteDb::open(path));
  std::string where = fmt::format("sqlite:{}", path.string());
  db.set_busy_timeout(timeout);
  if (db.read_only()) {
    return fail(ErrorCode::BudgetStoreUnavailable,
                fmt::format("{}: opened read-only; the store must be writable", where));
  }
  CRATON_RETURN_IF_ERROR(check_mode(db, where));
  // FULL: WAL mode's default (NORMAL) may lose the last commits on power loss, and a lost
  // reservation would be handed out a second time.
  CRATON_RETURN_IF_ERROR(db.exec("PRAGMA synchronous=FULL", "set synchronous=FULL"));
  CRATON_RETURN_IF_ERROR(db.exec(kSqliteCreateTable, "create table"));
  // Proves now, not at the first encryption, that this process can take the write lock.
  CRATON_RETURN_IF_ERROR(db.exec("BEGIN IMMEDIATE; COMMIT", "take the write lock"));
  CRATON_ASSIGN_OR_RETURN(Statements statements, prepare_statements(db));
  return std::unique_ptr<BudgetStore>(std::make_unique<SqliteStore>(
      std::move(db), std::move(statements), std::move(where), timeout));
}

}  // namespace craton::hsm::budget
