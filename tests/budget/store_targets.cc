// SPDX-License-Identifier: Apache-2.0
// Fresh SQLite files and the PostgreSQL server's connection settings for the store tests.
#include "budget/store_targets.h"

#include <gtest/gtest.h>

#include "support/postgres_server.h"

namespace craton::hsm::testing {
namespace {

// The server is started by the first test that needs it and stopped after the last test.
class PostgresEnvironment : public ::testing::Environment {
 public:
  void TearDown() override { PostgresServer::shut_down(); }
};

[[maybe_unused]] const ::testing::Environment* const kPostgresEnvironment =
    ::testing::AddGlobalTestEnvironment(new PostgresEnvironment);  // gtest takes ownership

}  // namespace

std::optional<StoreTarget> StoreTarget::make(BudgetStoreKind kind) {
  StoreTarget target;
  target.kind_ = kind;
  target.dir_ = std::make_shared<TempDir>();
  if (kind == BudgetStoreKind::Postgresql) {
    PostgresServer* server = PostgresServer::get();
    if (server == nullptr) return std::nullopt;
    target.url_ = server->url();
    target.dir_->write("store.pw", PostgresServer::password() + "\n");
  }
  return target;
}

std::string StoreTarget::skip_reason(BudgetStoreKind kind) {
  if (kind == BudgetStoreKind::Postgresql) return PostgresServer::skip_reason();
  return "no such store";
}

BudgetConfig StoreTarget::config() const {
  BudgetConfig config;
  config.store = kind_;
  config.timeout_ms = 2000;
  if (kind_ == BudgetStoreKind::Sqlite) {
    config.path = location();
  } else {
    config.url = url_;
    config.password_file = *password_file();
  }
  return config;
}

std::string StoreTarget::kind_name() const {
  return std::string(budget_store_name(kind_));
}

std::string StoreTarget::location() const {
  return kind_ == BudgetStoreKind::Sqlite ? (dir_->path() / "budgets.db").string() : url_;
}

std::optional<std::string> StoreTarget::password_file() const {
  if (kind_ != BudgetStoreKind::Postgresql) return std::nullopt;
  return (dir_->path() / "store.pw").string();
}

}  // namespace craton::hsm::testing
