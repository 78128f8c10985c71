// SPDX-License-Identifier: Apache-2.0
// One libpq connection driven without blocking, so that connecting and every statement end
// by a deadline whatever the server or the network does.
#pragma once

#include <craton/hsm/error.h>

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "budget/password_source.h"

struct pg_conn;
struct pg_result;

namespace craton::hsm::budget {

using PgDeadline = std::chrono::steady_clock::time_point;

// The rows of one statement. Move-only; frees the libpq result.
class PgResult {
 public:
  explicit PgResult(pg_result* result) noexcept : result_(result) {}
  PgResult(PgResult&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}
  PgResult& operator=(PgResult&&) = delete;
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;
  ~PgResult();

  [[nodiscard]] int rows() const;
  [[nodiscard]] std::string_view text(int row, int column) const;
  // The column as a decimal integer; 0 when it is not one (the schema makes every such column
  // NOT NULL bigint).
  [[nodiscard]] std::int64_t integer(int row, int column) const;
  [[nodiscard]] bool boolean(int row, int column) const;

 private:
  pg_result* result_;
};

// Move-only; the destructor closes the connection. Not thread-safe: the store serialises calls.
class PgConnection {
 public:
  // Connects with the connection string `url` (libpq's expand_dbname) plus `password` when
  // given, finishing by `deadline`. `where` names the store in errors. Errors:
  // BudgetStoreUnavailable with libpq's reason (which never holds the password).
  [[nodiscard]] static Result<PgConnection> connect(const std::string& url,
                                                    const StorePassword* password,
                                                    std::string where, PgDeadline deadline);

  PgConnection(PgConnection&& other) noexcept
      : conn_(std::exchange(other.conn_, nullptr)),
        where_(std::move(other.where_)),
        broken_(other.broken_) {}
  PgConnection& operator=(PgConnection&&) = delete;
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;
  ~PgConnection();

  // Runs `sql` with text parameters $1.. (none: the simple protocol, which allows several
  // statements) and returns the last statement's rows. Errors: BudgetStoreUnavailable with the
  // server's message and SQLSTATE; after a timeout or a lost connection broken() is true and
  // the connection must be replaced.
  [[nodiscard]] Result<PgResult> exec(const char* sql, std::span<const std::string> params,
                                      PgDeadline deadline);
  [[nodiscard]] bool broken() const noexcept { return broken_; }

 private:
  PgConnection(pg_conn* conn, std::string where) : conn_(conn), where_(std::move(where)) {}
  // Waits until the socket is readable (or writable) or the deadline passes.
  [[nodiscard]] Result<void> wait(bool for_write, PgDeadline deadline, std::string_view what);
  [[nodiscard]] std::unexpected<HsmError> failure(std::string_view what, bool breaks);

  pg_conn* conn_;
  std::string where_;
  bool broken_ = false;
};

}  // namespace craton::hsm::budget
