// SPDX-License-Identifier: Apache-2.0
// The SQLite store's file and faults: created 0600, refused when others may touch it, a
// corrupt, read-only or locked file failing with a typed error in bounded time.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "budget/budget_test_util.h"
#include "budget/open_store.h"
#include "support/matchers.h"
#include "support/softhsm_token.h"

namespace craton::hsm::budget {
namespace {

namespace fs = std::filesystem;
using testing::HasErrorCode;
using ::testing::HasSubstr;
using testing::IsOk;

BudgetConfig sqlite_config(const fs::path& path, std::uint32_t timeout_ms = 2000) {
  BudgetConfig config;
  config.store = BudgetStoreKind::Sqlite;
  config.path = path;
  config.timeout_ms = timeout_ms;
  return config;
}

std::uint32_t mode_of(const fs::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0);
  return info.st_mode & 07777;
}

TEST(SqliteStoreTest, CreatesTheFileOwnerOnlyInWalMode) {
  testing::TempDir dir;
  const fs::path path = dir.path() / "budgets.db";
  const mode_t old_umask = ::umask(0);  // a lax umask must not leak into the file's mode
  auto store = open_budget_store(sqlite_config(path));
  ::umask(old_umask);
  ASSERT_THAT(store, IsOk());
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_EQ((*store)->describe(), "sqlite:" + path.string());
  ASSERT_THAT((*store)->reserve(testing::test_key(1), 4, 10), IsOk());
  // WAL mode: the -wal file exists beside the database while a connection is open, with the
  // database's mode.
  ASSERT_TRUE(fs::exists(path.string() + "-wal"));
  EXPECT_EQ(mode_of(path.string() + "-wal"), 0600u);
}

TEST(SqliteStoreTest, AFileOthersCanReadOrWriteIsConfigInvalid) {
  testing::TempDir dir;
  const fs::path path = dir.path() / "budgets.db";
  ASSERT_THAT(open_budget_store(sqlite_config(path)), IsOk());
  for (const fs::perms extra : {fs::perms::group_read, fs::perms::others_write}) {
    fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write | extra);
    auto refused = open_budget_store(sqlite_config(path));
    EXPECT_THAT(refused, HasErrorCode(ErrorCode::ConfigInvalid));
    if (!refused) {
      EXPECT_THAT(refused.error().message(), HasSubstr("chmod 600"));
    }
  }
}

TEST(SqliteStoreTest, ASymbolicLinkOrADirectoryIsConfigInvalid) {
  testing::TempDir dir;
  const fs::path real = dir.path() / "real.db";
  ASSERT_THAT(open_budget_store(sqlite_config(real)), IsOk());
  const fs::path link = dir.path() / "link.db";
  fs::create_symlink(real, link);
  EXPECT_THAT(open_budget_store(sqlite_config(link)), HasErrorCode(ErrorCode::ConfigInvalid));
  EXPECT_THAT(open_budget_store(sqlite_config(dir.path())),
              HasErrorCode(ErrorCode::BudgetStoreUnavailable));
}

TEST(SqliteStoreTest, AMissingPathOrDirectoryIsRefused) {
  BudgetConfig no_path;
  no_path.store = BudgetStoreKind::Sqlite;
  EXPECT_THAT(open_budget_store(no_path), HasErrorCode(ErrorCode::ConfigInvalid));
  testing::TempDir dir;
  EXPECT_THAT(open_budget_store(sqlite_config(dir.path() / "missing" / "budgets.db")),
              HasErrorCode(ErrorCode::BudgetStoreUnavailable));
}

TEST(SqliteStoreTest, TheMemoryStoreHasNothingToOpen) {
  EXPECT_THAT(open_budget_store(BudgetConfig{}), HasErrorCode(ErrorCode::InvalidArgument));
}

TEST(SqliteStoreTest, ACorruptFileIsUnavailableAtOpen) {
  testing::TempDir dir;
  std::string garbage(8192, '\x5c');
  garbage.replace(0, 20, "not a sqlite file...");
  const fs::path path = dir.write("budgets.db", garbage);
  auto refused = open_budget_store(sqlite_config(path));
  ASSERT_THAT(refused, HasErrorCode(ErrorCode::BudgetStoreUnavailable));
  EXPECT_THAT(refused.error().message(), HasSubstr(path.string()));

  // A real store whose first page was overwritten: the header no longer says SQLite.
  const fs::path real = dir.path() / "real.db";
  {
    auto store = open_budget_store(sqlite_config(real));
    ASSERT_THAT(store, IsOk());
    ASSERT_THAT((*store)->reserve(testing::test_key(2), 4, 10), IsOk());
  }
  {
    std::fstream file(real, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(0);
    file.write(garbage.data(), 100);
  }
  fs::remove(real.string() + "-wal");
  fs::remove(real.string() + "-shm");
  EXPECT_THAT(open_budget_store(sqlite_config(real)),
              HasErrorCode(ErrorCode::BudgetStoreUnavailable));
}

// Root writes any file, so a read-only file is only read-only to another user: as root the
// check runs in a child that has become that user.
TEST(SqliteStoreTest, AReadOnlyFileIsUnavailableAtOpen) {
  const bool root = ::geteuid() == 0;
  std::string pattern = (fs::temp_directory_path() / "craton-budget-ro-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  const fs::path dir = pattern;
  const fs::path path = dir / "budgets.db";
  {
    auto store = open_budget_store(sqlite_config(path));
    ASSERT_THAT(store, IsOk());
  }
  fs::remove(path.string() + "-wal");
  fs::remove(path.string() + "-shm");
  fs::permissions(path, fs::perms::owner_read);
  int code = 0;
  if (root) {
    const testing::Account account = testing::unprivileged_account();
    ASSERT_EQ(::chown(dir.c_str(), account.uid, account.gid), 0);
    ASSERT_EQ(::chown(path.c_str(), account.uid, account.gid), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      if (::setgid(account.gid) != 0 || ::setuid(account.uid) != 0) ::_exit(100);
      auto refused = open_budget_store(sqlite_config(path));
      ::_exit(refused ? 101 : static_cast<int>(refused.error().code()));
    }
    code = testing::wait_exit(child);
  } else {
    auto refused = open_budget_store(sqlite_config(path));
    code = refused ? 101 : static_cast<int>(refused.error().code());
  }
  fs::remove_all(dir);
  EXPECT_EQ(code, static_cast<int>(ErrorCode::BudgetStoreUnavailable))
      << "100: could not drop privileges; 101: the read-only store opened";
}

// Another process holds the write lock (an open BEGIN IMMEDIATE): a reservation waits at most
// the timeout, fails as unavailable, and succeeds once the lock is gone.
TEST(SqliteStoreTest, ALockHeldElsewhereFailsWithinTheTimeoutThenClears) {
  testing::TempDir dir;
  const fs::path path = dir.path() / "budgets.db";
  auto store = open_budget_store(sqlite_config(path, 300));
  ASSERT_THAT(store, IsOk());
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &other, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  const auto start = std::chrono::steady_clock::now();
  auto blocked = (*store)->reserve(testing::test_key(3), 5, 100);
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_THAT(blocked, HasErrorCode(ErrorCode::BudgetStoreUnavailable));
  EXPECT_GE(waited, std::chrono::milliseconds(250));
  EXPECT_LT(waited, std::chrono::milliseconds(2000));
  // Reading is not blocked by a writer in WAL mode.
  EXPECT_THAT((*store)->list(), IsOk());
  ASSERT_EQ(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(other);
  auto granted = (*store)->reserve(testing::test_key(3), 5, 100);
  ASSERT_THAT(granted, IsOk());
  EXPECT_EQ(granted->first, 0u) << "the timed-out reservation must have added nothing";
}

// A row typed in by hand with a key that is no identity does not break list().
TEST(SqliteStoreTest, ListSkipsRowsThatNameNoKeyIdentity) {
  testing::TempDir dir;
  const fs::path path = dir.path() / "budgets.db";
  auto store = open_budget_store(sqlite_config(path));
  ASSERT_THAT(store, IsOk());
  ASSERT_THAT((*store)->reserve(testing::test_key(4), 1, 10), IsOk());
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &other, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other,
                         "INSERT INTO craton_gcm_budget (key_identity, used, use_limit) "
                         "VALUES ('not-hex', 1, 2)",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(other);
  auto rows = (*store)->list();
  ASSERT_THAT(rows, IsOk());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().key, testing::test_key(4));
}

}  // namespace
}  // namespace craton::hsm::budget
