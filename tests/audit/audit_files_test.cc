// SPDX-License-Identifier: Apache-2.0
// What the trail and the key file refuse: symlinks, directories, FIFOs, loose permissions,
// other owners, wrong key sizes; and what they create: 0600 files.
#include "audit_test_util.h"

#include "audit/hmac_sha256.h"
#include "audit/tail_anchor.h"

#include <thread>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <sys/stat.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/matchers.h"

namespace craton::hsm::testing {
namespace {

using ::testing::HasSubstr;

unsigned mode_of(const std::filesystem::path& path) {
  struct stat info {};
  EXPECT_EQ(::lstat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

void expect_unavailable(const AuditDir& dir, const AuditConfig& config, std::string_view why) {
  auto log = dir.try_open(config);
  ASSERT_THAT(log, HasErrorCode(ErrorCode::AuditUnavailable));
  EXPECT_THAT(log.error().message(), HasSubstr(std::string(why)));
}

TEST(AuditFiles, TrailAndAnchorAreCreatedOwnerOnly) {
  AuditDir dir;
  const mode_t old_umask = ::umask(0);  // even with a permissive umask
  { auto log = dir.open(dir.config()); }
  ::umask(old_umask);
  EXPECT_EQ(mode_of(dir.trail()), 0600u);
  EXPECT_EQ(mode_of(audit::anchor_path(dir.trail())), 0600u);
}

TEST(AuditFiles, SymlinkedTrailIsRefused) {
  AuditDir dir;
  write_file(dir / "real.jsonl", "", 0600);
  std::filesystem::create_symlink(dir / "real.jsonl", dir.trail());
  expect_unavailable(dir, dir.config(), "symbolic link");
  EXPECT_EQ(std::filesystem::file_size(dir / "real.jsonl"), 0u);
}

TEST(AuditFiles, DanglingSymlinkIsRefusedAndNothingCreated) {
  AuditDir dir;
  std::filesystem::create_symlink(dir / "elsewhere.jsonl", dir.trail());
  expect_unavailable(dir, dir.config(), "symbolic link");
  EXPECT_FALSE(std::filesystem::exists(dir / "elsewhere.jsonl"));
}

TEST(AuditFiles, DirectoryIsRefused) {
  AuditDir dir;
  std::filesystem::create_directory(dir.trail());
  expect_unavailable(dir, dir.config(), "audit.jsonl");
}

TEST(AuditFiles, FifoIsRefusedWithoutHanging) {
  AuditDir dir;
  ASSERT_EQ(::mkfifo(dir.trail().c_str(), 0600), 0);
  expect_unavailable(dir, dir.config(), "audit.jsonl");
}

TEST(AuditFiles, GroupReadableTrailIsRefused) {
  AuditDir dir;
  write_file(dir.trail(), "", 0640);
  expect_unavailable(dir, dir.config(), "group/other");
}

TEST(AuditFiles, TrailOfAnotherUserIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a file away";
  AuditDir dir;
  write_file(dir.trail(), "", 0600);
  ASSERT_EQ(::chown(dir.trail().c_str(), 12345, 12345), 0);
  expect_unavailable(dir, dir.config(), "owned by uid 12345");
}

TEST(AuditFiles, SecondWriterOnTheSameTrailIsRefused) {
  AuditDir dir;
  auto first = dir.open(dir.config());
  AuditConfig impatient = dir.config();
  impatient.lock_timeout = std::chrono::milliseconds(0);  // waiting: audit_lock_test.cc
  expect_unavailable(dir, impatient, "already in use");
}

TEST(AuditFiles, SymlinkedAnchorIsRefused) {
  AuditDir dir;
  { auto log = dir.open(dir.config()); }
  const auto anchor = audit::anchor_path(dir.trail());
  std::filesystem::rename(anchor, dir / "moved.head");
  std::filesystem::create_symlink(dir / "moved.head", anchor);
  expect_unavailable(dir, dir.config(), "symbolic link");
}

TEST(AuditFiles, OpenWithoutMacIsConfigInvalid) {
  AuditDir dir;
  EXPECT_THAT(AuditLog::open(dir.config(), nullptr, sample_origin()),
              HasErrorCode(ErrorCode::ConfigInvalid));
}

TEST(AuditKeyFile, SizesFrom32To64BytesAreAccepted) {
  AuditDir dir;
  for (const std::size_t size : {32u, 48u, 64u}) {
    write_key_file(dir / "k", size);
    EXPECT_THAT(make_key_file_audit_mac(dir / "k"), IsOk()) << size;
  }
}

TEST(AuditKeyFile, WrongSizesAreConfigInvalid) {
  AuditDir dir;
  for (const std::size_t size : {0u, 31u, 65u, 4096u}) {
    write_key_file(dir / "k", size);
    const auto mac = make_key_file_audit_mac(dir / "k");
    ASSERT_THAT(mac, HasErrorCode(ErrorCode::ConfigInvalid)) << size;
    EXPECT_THAT(mac.error().message(), HasSubstr("32..64 bytes"));
  }
}

TEST(AuditKeyFile, UnsafeFilesAreConfigInvalid) {
  AuditDir dir;
  write_key_file(dir / "loose", 32);
  ASSERT_EQ(::chmod((dir / "loose").c_str(), 0604), 0);
  EXPECT_THAT(make_key_file_audit_mac(dir / "loose"), HasErrorCode(ErrorCode::ConfigInvalid));
  std::filesystem::create_symlink(dir.key(), dir / "link");
  const auto linked = make_key_file_audit_mac(dir / "link");
  ASSERT_THAT(linked, HasErrorCode(ErrorCode::ConfigInvalid));
  EXPECT_THAT(linked.error().message(), HasSubstr("symbolic link"));
  std::filesystem::create_directory(dir / "dir");
  ASSERT_EQ(::chmod((dir / "dir").c_str(), 0700), 0);
  EXPECT_THAT(make_key_file_audit_mac(dir / "dir"), HasErrorCode(ErrorCode::ConfigInvalid));
  EXPECT_THAT(make_key_file_audit_mac(dir / "missing"), HasErrorCode(ErrorCode::ConfigInvalid));
}

// Checked against OpenSSL's one-shot HMAC(), a separate code path from our block-level one;
// key sizes at both ends of the key file's range, messages of zero to several blocks.
TEST(AuditKeyFile, MacIsHmacSha256OfTheKeyFileBytes) {
  for (const std::size_t key_size : {32, 40, 64}) {
    SCOPED_TRACE(key_size);
    AuditDir dir;
    const std::string key = write_key_file(dir / "k", key_size);
    auto mac = key_file_mac(dir / "k");
    // Several messages in a row: each must start from the keyed state afresh.
    for (const std::string& message :
         {std::string("{\"ts\":\"2026-11-27T19:08:30.123456Z\"}"), std::string(), std::string("x"),
          std::string("x"), std::string(55, 'p'), std::string(64, 'q'), std::string(1000, 'r')}) {
      std::array<unsigned char, 32> expected{};
      unsigned int length = 0;
      HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), expected.data(),
           &length);
      ASSERT_EQ(length, 32u);
      const auto got = mac->mac(
          std::span(reinterpret_cast<const std::uint8_t*>(message.data()), message.size()));
      ASSERT_THAT(got, IsOk());
      EXPECT_TRUE(std::equal(got->begin(), got->end(), expected.begin())) << message;
    }
  }
}

// RFC 2104: a key longer than SHA-256's block is hashed first (not reachable through a key
// file, which holds at most 64 bytes, but part of the MAC's contract).
TEST(AuditKeyFile, KeysLongerThanABlockAreHashedFirst) {
  const std::string key(100, 'k');
  auto mac = audit::HmacSha256::create(
      SecretBytes(std::span(reinterpret_cast<const std::uint8_t*>(key.data()), key.size())));
  ASSERT_THAT(mac, IsOk());
  const std::string message = "record";
  std::array<unsigned char, 32> expected{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), expected.data(),
       &length);
  const auto got =
      (*mac)->mac(std::span(reinterpret_cast<const std::uint8_t*>(message.data()), message.size()));
  ASSERT_THAT(got, IsOk());
  EXPECT_TRUE(std::equal(got->begin(), got->end(), expected.begin()));
}

TEST(AuditKeyFile, MacIsSafeToCallFromManyThreads) {
  AuditDir dir;
  auto mac = key_file_mac(dir.key());
  const std::array<std::uint8_t, 5> data{1, 2, 3, 4, 5};
  const auto expected = mac->mac(data);
  ASSERT_THAT(expected, IsOk());
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        const auto got = mac->mac(data);
        if (!got || *got != *expected) ++mismatches;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(mismatches, 0);
}

}  // namespace
}  // namespace craton::hsm::testing
