// SPDX-License-Identifier: Apache-2.0
// A durable store that stops answering (docs/budgets.md, "Faults"): the counts already
// reserved are spent, then encryption fails closed with BudgetStoreUnavailable within the
// store's timeout and before any token call, decryption goes on, and encryption recovers when
// the store answers again. SQLite is made unavailable by another connection holding its write
// lock (as a stuck process would); a read-only store file is refused at start.
#include <craton/hsm/pkcs11_backend.h>

#include <openssl/rand.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>

#include <gtest/gtest.h>

#include "support/matchers.h"
#include "support/softhsm_config.h"
#include "support/softhsm_token.h"

namespace craton::hsm {
namespace {

using ::craton::hsm::testing::HasErrorCode;
using ::craton::hsm::testing::IsOk;
using ::craton::hsm::testing::softhsm_config;
using ::craton::hsm::testing::TempDir;

const std::vector<std::uint8_t> kMessage{'f', 'a', 'u', 'l', 't'};

std::string random_bytes(std::size_t size) {
  std::string bytes(size, '\0');
  EXPECT_EQ(RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(size)), 1);
  return bytes;
}

// Another connection to the store holding its write lock (BEGIN EXCLUSIVE) while it lives.
class HeldWriteLock {
 public:
  explicit HeldWriteLock(const std::filesystem::path& file) {
    EXPECT_EQ(sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db_, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db_);
  }
  ~HeldWriteLock() {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(db_);
  }
  HeldWriteLock(const HeldWriteLock&) = delete;
  HeldWriteLock& operator=(const HeldWriteLock&) = delete;

 private:
  sqlite3* db_ = nullptr;
};

class BudgetFaultTest : public ::testing::Test {
 protected:
  Pkcs11PassthroughConfig config() {
    Pkcs11PassthroughConfig config = softhsm_config();
    config.gcm_max_messages_per_key = 1000;
    config.budget.store = BudgetStoreKind::Sqlite;
    config.budget.path = store_;
    config.budget.identity_key_file = identity_;
    config.budget.block_min = 4;
    config.budget.block_max = 4;
    config.budget.timeout_ms = 300;
    return config;
  }

  TempDir dir_;
  std::filesystem::path store_ = dir_.path() / "budgets.db";
  std::filesystem::path identity_ = dir_.write("identity.key", random_bytes(32));
};

TEST_F(BudgetFaultTest, ALockedStoreFailsEncryptionClosedAfterTheBlockAndRecovers) {
  auto backend = make_pkcs11_backend(config());
  ASSERT_THAT(backend, IsOk());
  Pkcs11Backend& hsm = **backend;
  const std::string bytes = random_bytes(32);
  const Key key = Key::aes(std::vector<std::uint8_t>(bytes.begin(), bytes.end())).value();
  auto sealed = hsm.aes_gcm_encrypt(key, kMessage, {});
  ASSERT_THAT(sealed, IsOk());
  {
    const HeldWriteLock lock(store_);
    for (int i = 0; i < 3; ++i) ASSERT_THAT(hsm.aes_gcm_encrypt(key, kMessage, {}), IsOk()) << i;
    const auto start = std::chrono::steady_clock::now();
    auto refused = hsm.aes_gcm_encrypt(key, kMessage, {});
    const auto waited = std::chrono::steady_clock::now() - start;
    EXPECT_THAT(refused, HasErrorCode(ErrorCode::BudgetStoreUnavailable));
    EXPECT_LT(waited, std::chrono::seconds(2)) << "bounded by the store's timeout";
    EXPECT_THAT(hsm.aes_gcm_decrypt(key, *sealed, {}), IsOk());
    const auto failures = hsm.stats().operations["aes_gcm_encrypt"].errors_by_code;
    EXPECT_EQ(failures.at("BudgetStoreUnavailable"), 1u);
  }
  EXPECT_THAT(hsm.aes_gcm_encrypt(key, kMessage, {}), IsOk());
}

TEST_F(BudgetFaultTest, AReadOnlyStoreFileIsRefusedAtStart) {
  if (::geteuid() == 0) GTEST_SKIP() << "root writes to a read-only file: run as a user";
  {
    auto backend = make_pkcs11_backend(config());  // creates the file
    ASSERT_THAT(backend, IsOk());
  }
  std::filesystem::permissions(store_, std::filesystem::perms::owner_read);
  EXPECT_THAT(make_pkcs11_backend(config()), HasErrorCode(ErrorCode::BudgetStoreUnavailable));
}

}  // namespace
}  // namespace craton::hsm
