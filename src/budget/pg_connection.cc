// SPDX-License-Identifier: Apache-2.0
// libpq's asynchronous API under a deadline: PQconnectPoll, PQsendQuery*, PQconsumeInput.
#include "budget/pg_connection.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <optional>
#include <vector>

#include <libpq-fe.h>
#include <poll.h>

#include <fmt/format.h>

#include "core/unique_fd.h"

namespace craton::hsm::budget {
namespace {

// libpq's messages end with a newline and may span lines; one line reads better in logs.
std::string one_line(const char* message) {
  std::string text = message != nullptr ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  std::ranges::replace(text, '\n', ' ');
  return text;
}

// SQLSTATE classes after which the session is gone: 08 connection exception, 57P0x the
// server shutting down or starting, 53 out of resources (the server may be restarting).
bool breaks_session(std::string_view sqlstate) {
  return sqlstate.starts_with("08") || sqlstate.starts_with("57P") || sqlstate.starts_with("53");
}

}  // namespace

PgResult::~PgResult() {
  PQclear(result_);
}

int PgResult::rows() const {
  return PQntuples(result_);
}

std::string_view PgResult::text(int row, int column) const {
  return {PQgetvalue(result_, row, column),
          static_cast<std::size_t>(PQgetlength(result_, row, column))};
}

std::int64_t PgResult::integer(int row, int column) const {
  const std::string_view digits = text(row, column);
  std::int64_t value = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), value);
  return value;
}

bool PgResult::boolean(int row, int column) const {
  return text(row, column) == "t";
}

Result<PgConnection> PgConnection::connect(const std::string& url, const StorePassword* password,
                                           std::string where, PgDeadline deadline) {
  // Later keywords override what the expanded connection string sets; the url cannot carry a
  // password (conninfo_without_secrets refused it), so the password is always ours.
  std::vector<const char*> keywords{"dbname", "fallback_application_name"};
  std::vector<const char*> values{url.c_str(), "craton-hsm"};
  if (password != nullptr) {
    keywords.push_back("password");
    values.push_back(password->c_str());
  }
  keywords.push_back(nullptr);
  values.push_back(nullptr);
  PgConnection connection(PQconnectStartParams(keywords.data(), values.data(), 1),
                          std::move(where));
  if (connection.conn_ == nullptr) {
    return fail(ErrorCode::BudgetStoreUnavailable,
                fmt::format("{}: connect: out of memory", connection.where_));
  }
  // libpq prints the server's notices and warnings ("terminating connection due to immediate
  // shutdown") on the process's stderr by default; a library must not, and what matters
  // reaches the caller as an error.
  PQsetNoticeProcessor(
      connection.conn_, [](void* /*arg*/, const char* /*message*/) {}, nullptr);
  PostgresPollingStatusType status = PGRES_POLLING_WRITING;
  while (PQstatus(connection.conn_) != CONNECTION_BAD) {
    if (status == PGRES_POLLING_OK) {
      // Sends must not block either: exec() flushes under the deadline.
      if (PQsetnonblocking(connection.conn_, 1) != 0) break;
      return connection;
    }
    if (status == PGRES_POLLING_FAILED) break;
    CRATON_RETURN_IF_ERROR(connection.wait(status == PGRES_POLLING_WRITING, deadline, "connect"));
    status = PQconnectPoll(connection.conn_);
  }
  return connection.failure("connect", true);
}

PgConnection::~PgConnection() {
  PQfinish(conn_);
}

Result<void> PgConnection::wait(bool for_write, PgDeadline deadline, std::string_view what) {
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      broken_ = true;
      return fail(ErrorCode::BudgetStoreUnavailable,
                  fmt::format("{}: {}: no answer within the timeout", where_, what));
    }
    pollfd entry{.fd = PQsocket(conn_),
                 .events = static_cast<short>(for_write ? POLLOUT : POLLIN),
                 .revents = 0};
    if (entry.fd < 0) return failure(what, true);
    const int ready =
        ::poll(&entry, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 60'000)));
    if (ready > 0) return {};
    if (ready < 0 && errno != EINTR) {
      broken_ = true;
      return fail(ErrorCode::BudgetStoreUnavailable,
                  fmt::format("{}: {}: poll: {}", where_, what, errno_text(errno)));
    }
  }
}

std::unexpected<HsmError> PgConnection::failure(std::string_view what, bool breaks) {
  if (breaks || PQstatus(conn_) == CONNECTION_BAD) broken_ = true;
  return fail(ErrorCode::BudgetStoreUnavailable,
              fmt::format("{}: {}: {}", where_, what, one_line(PQerrorMessage(conn_))));
}

Result<PgResult> PgConnection::exec(const char* sql, std::span<const std::string> params,
                                    PgDeadline deadline) {
  if (broken_)
    return fail(ErrorCode::BudgetStoreUnavailable, fmt::format("{}: connection lost", where_));
  std::vector<const char*> values;
  for (const std::string& param : params) values.push_back(param.c_str());
  const int sent = params.empty() ? PQsendQuery(conn_, sql)
                                  : PQsendQueryParams(conn_, sql, static_cast<int>(values.size()),
                                                      nullptr, values.data(), nullptr, nullptr, 0);
  if (sent == 0) return failure("send", false);
  // Flush what the socket did not take at once; reading meanwhile keeps the server, which may
  // be writing to us, from deadlocking against our write.
  while (true) {
    const int flushed = PQflush(conn_);
    if (flushed == 0) break;
    if (flushed < 0) return failure("send", true);
    CRATON_RETURN_IF_ERROR(wait(true, deadline, "send"));
    if (PQconsumeInput(conn_) == 0) return failure("send", true);
  }
  // Every result up to the null one must be read before the connection takes another query;
  // the first error wins, otherwise the last statement's rows.
  std::optional<PgResult> last;
  std::optional<HsmError> first_error;
  while (true) {
    while (PQisBusy(conn_) != 0) {
      CRATON_RETURN_IF_ERROR(wait(false, deadline, "answer"));
      if (PQconsumeInput(conn_) == 0) return failure("answer", true);
    }
    PGresult* result = PQgetResult(conn_);
    if (result == nullptr) break;
    PgResult owned(result);
    const ExecStatusType status = PQresultStatus(result);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
      last.emplace(std::move(owned));
      continue;
    }
    if (first_error) continue;
    const char* sqlstate = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    const std::string_view code = sqlstate != nullptr ? sqlstate : "";
    if (breaks_session(code) || PQstatus(conn_) == CONNECTION_BAD) broken_ = true;
    const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
    first_error.emplace(
        ErrorCode::BudgetStoreUnavailable,
        fmt::format("{}: {} (SQLSTATE {})", where_,
                    one_line(primary != nullptr ? primary : PQresultErrorMessage(result)),
                    code.empty() ? "none" : code));
  }
  if (first_error) return std::unexpected(std::move(*first_error));
  if (!last) return failure("answer", true);
  return std::move(*last);
}

}  // namespace craton::hsm::budget
