// SPDX-License-Identifier: Apache-2.0
// Durable budgets on a real PostgreSQL server (tests/support/postgres_server.h): the fleet runs
// of budget_fleet_test.cc across processes, undisturbed and with SIGKILLs, and the server
// stopped mid-run: encryption fails closed once the reserved block is spent, decryption goes
// on, and encryption recovers when the server is back.
#include <craton/hsm/pkcs11_backend.h>

#include <openssl/rand.h>

#include <cstdlib>
#include <iostream>

#include <fmt/format.h>

#include <gtest/gtest.h>

#include "budget_e2e/fleet.h"
#include "budget_e2e/fleet_runs.h"
#include "support/matchers.h"
#include "support/postgres_server.h"
#include "support/softhsm_config.h"

namespace craton::hsm::testing {
namespace {

constexpr const char* kPasswordVariable = "CRATON_TEST_BUDGET_PG_PASSWORD";

// The server is started by the first test that needs it and stopped after the last test.
class PostgresEnvironment : public ::testing::Environment {
 public:
  void TearDown() override { PostgresServer::shut_down(); }
};

[[maybe_unused]] const ::testing::Environment* const kPostgresEnvironment =
    ::testing::AddGlobalTestEnvironment(new PostgresEnvironment);  // gtest takes ownership

// The binary's server, and its password where workers and backends look for it.
PostgresServer* server() {
  PostgresServer* server = PostgresServer::get();
  if (server != nullptr) ::setenv(kPasswordVariable, PostgresServer::password().c_str(), 1);
  return server;
}

// Each test's rows apart from the others': a fresh identity key names fresh keys anyway, so
// one database serves every test.
FleetOptions postgres_options(PostgresServer& pg) {
  FleetOptions options;
  options.store = "postgresql";
  options.target = pg.url();
  options.password_env = kPasswordVariable;
  return options;
}

TEST(BudgetPostgresTest, ProcessesTogetherStayWithinTheLimit) {
  PostgresServer* pg = server();
  if (pg == nullptr) GTEST_SKIP() << PostgresServer::skip_reason();
  TempDir dir;
  run_undisturbed(dir, postgres_options(*pg), "postgresql");
}

TEST(BudgetPostgresTest, ProcessesKilledAndRestartedNeverPassTheLimit) {
  PostgresServer* pg = server();
  if (pg == nullptr) GTEST_SKIP() << PostgresServer::skip_reason();
  TempDir dir;
  FleetOptions options = postgres_options(*pg);
  options.softhsm_conf = private_softhsm(dir);
  run_with_kills(dir, options, "postgresql");
}

TEST(BudgetPostgresTest, AStoppedServerFailsEncryptionClosedAndRecovers) {
  PostgresServer* pg = server();
  if (pg == nullptr) GTEST_SKIP() << PostgresServer::skip_reason();
  TempDir dir;
  std::string identity(32, '\0');
  ASSERT_EQ(RAND_bytes(reinterpret_cast<unsigned char*>(identity.data()), 32), 1);
  Pkcs11PassthroughConfig config = softhsm_config();
  config.gcm_max_messages_per_key = 1000;
  config.budget.store = BudgetStoreKind::Postgresql;
  config.budget.url = pg->url();
  config.budget.password_env = kPasswordVariable;
  config.budget.identity_key_file = dir.write("identity.key", identity);
  config.budget.block_min = 4;
  config.budget.block_max = 4;
  config.budget.timeout_ms = 500;
  auto backend = make_pkcs11_backend(std::move(config));
  ASSERT_THAT(backend, IsOk());
  Pkcs11Backend& hsm = **backend;
  std::string bytes(32, '\0');
  ASSERT_EQ(RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), 32), 1);
  const Key key = Key::aes(std::vector<std::uint8_t>(bytes.begin(), bytes.end())).value();
  const std::vector<std::uint8_t> message{'p', 'g'};
  auto sealed = hsm.aes_gcm_encrypt(key, message, {});
  ASSERT_THAT(sealed, IsOk());
  pg->stop();
  for (int i = 0; i < 3; ++i) EXPECT_THAT(hsm.aes_gcm_encrypt(key, message, {}), IsOk()) << i;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THAT(hsm.aes_gcm_encrypt(key, message, {}),
              HasErrorCode(ErrorCode::BudgetStoreUnavailable));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_THAT(hsm.aes_gcm_decrypt(key, *sealed, {}), IsOk());
  EXPECT_THAT(hsm.aes_gcm_encrypt(key, message, {}),
              HasErrorCode(ErrorCode::BudgetStoreUnavailable));
  pg->start();
  EXPECT_THAT(hsm.aes_gcm_encrypt(key, message, {}), IsOk());
  // A server down at start: the backend does not start.
  pg->stop();
  Pkcs11PassthroughConfig again = softhsm_config();
  again.budget.store = BudgetStoreKind::Postgresql;
  again.budget.url = pg->url();
  again.budget.password_env = kPasswordVariable;
  again.budget.identity_key_file = dir.path() / "identity.key";
  again.budget.timeout_ms = 500;
  EXPECT_THAT(make_pkcs11_backend(std::move(again)),
              HasErrorCode(ErrorCode::BudgetStoreUnavailable));
  pg->start();
}

// `craton-hsm bench --budget --budget-postgres`: aes256-gcm-1k with each durable store, beside
// the reservations each made (the figures are the debug build's; scripts/bench.sh measures).
TEST(BudgetPostgresTest, TheBenchMeasuresEachStoreBesideItsReservations) {
  PostgresServer* pg = server();
  if (pg == nullptr) GTEST_SKIP() << PostgresServer::skip_reason();
  const CommandResult run = run_command(fmt::format(
      "CRATON_HSM_PIN={} PGPASSWORD=\"${}\" '{}' --module '{}' --token-label {} bench --cases "
      "aes256-gcm-1k --threads 1 --rounds 2 --duration 0.1 --no-miss --no-software --budget "
      "--budget-postgres '{}' 2>/dev/null",
      kUserPin, kPasswordVariable, kCliPath, kModulePath, kTokenLabel, pg->url()));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  std::cout << run.output;
  EXPECT_NE(run.output.find("sqlite budget >= 0.97 x memory budget"), std::string::npos);
  EXPECT_NE(run.output.find("postgresql budget >= 0.97 x memory budget"), std::string::npos);
  EXPECT_NE(run.output.find(" reservations"), std::string::npos);
}

}  // namespace
}  // namespace craton::hsm::testing
