// SPDX-License-Identifier: Apache-2.0
// The SQLite C API behind SqliteDb and SqliteStatement.
#include "budget/sqlite_db.h"

#include <craton/hsm/diagnostics.h>

#include <algorithm>

#include <sqlite3.h>

#include <fmt/format.h>

namespace craton::hsm::budget {
namespace {

// "<where>: <what>: <SQLite's message> (<code>)".
HsmError sqlite_error(sqlite3* db, std::string_view where, int rc, std::string_view what) {
  // sqlite3_errmsg describes the connection's last failure, which is rc's unless a later call
  // (a rollback) replaced it; the code's own text is always right.
  const char* detail =
      db != nullptr && sqlite3_extended_errcode(db) == rc ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return HsmError(ErrorCode::BudgetStoreUnavailable,
                  fmt::format("{}: {}: {} ({})", where, what, detail, rc));
}

}  // namespace

Result<SqliteDb> SqliteDb::open(const std::filesystem::path& path) {
  std::string where = fmt::format("sqlite:{}", path.string());
  sqlite3* db = nullptr;
  // NOMUTEX: the store holds its own mutex around every use of the connection. EXRESCODE:
  // messages name SQLITE_BUSY_RECOVERY, SQLITE_IOERR_FSYNC and the like, not just the class.
  const int rc = sqlite3_open_v2(
      path.c_str(), &db,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_EXRESCODE,
      nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return fail(ErrorCode::BudgetStoreUnavailable,
                fmt::format("{}: cannot open: {}", where, message));
  }
  return SqliteDb(db, std::move(where));
}

SqliteDb::~SqliteDb() {
  if (db_ == nullptr) return;
  // Every statement is finalized before its connection goes (the store declares them after
  // it), so close cannot find one still open.
  if (const int rc = sqlite3_close(db_); rc != SQLITE_OK) {
    report_diagnostic(error(rc, "close"));
    sqlite3_close_v2(db_);
  }
}

Result<void> SqliteDb::exec(const char* sql, std::string_view what) {
  if (const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr); rc != SQLITE_OK) {
    return std::unexpected(error(rc, what));
  }
  return {};
}

Result<SqliteStatement> SqliteDb::prepare(std::string_view sql, std::string_view what) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return std::unexpected(error(rc, what));
  }
  return SqliteStatement(db_, stmt, where_, what);
}

void SqliteDb::set_busy_timeout(std::chrono::milliseconds timeout) {
  sqlite3_busy_timeout(db_, static_cast<int>(std::max<std::int64_t>(1, timeout.count())));
}

bool SqliteDb::in_transaction() const {
  return sqlite3_get_autocommit(db_) == 0;
}

bool SqliteDb::read_only() const {
  return sqlite3_db_readonly(db_, "main") == 1;
}

HsmError SqliteDb::error(int rc, std::string_view what) const {
  return sqlite_error(db_, where_, rc, what);
}

SqliteStatement::~SqliteStatement() {
  sqlite3_finalize(stmt_);
}

void SqliteStatement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
}

void SqliteStatement::bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

Result<bool> SqliteStatement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  HsmError failure = sqlite_error(db_, where_, rc, what_);
  reset();
  return std::unexpected(std::move(failure));
}

std::int64_t SqliteStatement::column_int64(int index) const {
  return sqlite3_column_int64(stmt_, index);
}

std::string SqliteStatement::column_text(int index) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, index));
  return text == nullptr ? std::string() : std::string(text, sqlite3_column_bytes(stmt_, index));
}

void SqliteStatement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

}  // namespace craton::hsm::budget
