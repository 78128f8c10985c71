// SPDX-License-Identifier: Apache-2.0
// Owners for an SQLite connection and its prepared statements, every failure mapped to
// BudgetStoreUnavailable with SQLite's own message.
#pragma once

#include <craton/hsm/error.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>

struct sqlite3;
struct sqlite3_stmt;

namespace craton::hsm::budget {

class SqliteStatement;

// One connection. Move-only; the destructor closes it (a failed close is reported through
// report_diagnostic). Not thread-safe: the store serialises calls.
class SqliteDb {
 public:
  // Opens an existing file for reading and writing (never creates it, never follows a
  // symbolic link). Errors: BudgetStoreUnavailable.
  [[nodiscard]] static Result<SqliteDb> open(const std::filesystem::path& path);

  SqliteDb(SqliteDb&& other) noexcept
      : db_(std::exchange(other.db_, nullptr)), where_(std::move(other.where_)) {}
  SqliteDb& operator=(SqliteDb&&) = delete;
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;
  ~SqliteDb();

  // Statements that return no rows we need (PRAGMA ... = ..., BEGIN, COMMIT). Errors:
  // BudgetStoreUnavailable "<where>: <what>: <SQLite's message>".
  [[nodiscard]] Result<void> exec(const char* sql, std::string_view what);
  [[nodiscard]] Result<SqliteStatement> prepare(std::string_view sql, std::string_view what);
  // How long a statement waits for another process's lock before failing as SQLITE_BUSY.
  void set_busy_timeout(std::chrono::milliseconds timeout);
  [[nodiscard]] bool in_transaction() const;
  [[nodiscard]] bool read_only() const;
  // "<where>: <what>: <SQLite's message for rc>".
  [[nodiscard]] HsmError error(int rc, std::string_view what) const;

 private:
  SqliteDb(sqlite3* db, std::string where) : db_(db), where_(std::move(where)) {}
  sqlite3* db_;
  std::string where_;  // "sqlite:<path>"
};

// One prepared statement of a connection that outlives it. Move-only.
class SqliteStatement {
 public:
  SqliteStatement(SqliteStatement&& other) noexcept
      : db_(other.db_),
        stmt_(std::exchange(other.stmt_, nullptr)),
        where_(std::move(other.where_)),
        what_(other.what_) {}
  SqliteStatement& operator=(SqliteStatement&&) = delete;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  ~SqliteStatement();

  // Parameters are numbered from 1, as in the SQL text (?1, ?2, ...). The text must outlive
  // the next reset().
  void bind(int index, std::int64_t value);
  void bind(int index, std::string_view text);
  // One step: true with a row to read, false when done. Errors: BudgetStoreUnavailable.
  [[nodiscard]] Result<bool> step();
  [[nodiscard]] std::int64_t column_int64(int index) const;
  [[nodiscard]] std::string column_text(int index) const;
  // Ready to bind and run again; bindings cleared.
  void reset();

 private:
  friend class SqliteDb;
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt, std::string where, std::string_view what)
      : db_(db), stmt_(stmt), where_(std::move(where)), what_(what) {}
  sqlite3* db_;  // the connection, for its error message
  sqlite3_stmt* stmt_;
  std::string where_;
  std::string_view what_;  // a string literal
};

}  // namespace craton::hsm::budget
