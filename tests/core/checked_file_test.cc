// SPDX-License-Identifier: Apache-2.0
// The checked open behind the config's and the audit trail's files: each refusal, in order,
// on the opened descriptor, and a descriptor that is back to blocking I/O.
#include "core/checked_file.h"

#include <cerrno>
#include <filesystem>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "support/softhsm_token.h"

namespace craton::hsm {
namespace {

namespace fs = std::filesystem;
using Reason = FileRefusal::Reason;
using ::craton::hsm::testing::TempDir;

constexpr FileRule kRead{.access = O_RDONLY};
constexpr FileRule kPrivateRead{.access = O_RDONLY, .owner_only = true, .owned_by_us = true};
constexpr FileRule kAppend{
    .access = O_CREAT | O_APPEND | O_WRONLY, .owner_only = true, .owned_by_us = true};

TEST(CheckedFile, OpensARegularFileForBlockingIo) {
  const TempDir dir;
  auto fd = open_checked_file(dir.write("f", "text"), kPrivateRead);
  ASSERT_TRUE(fd.has_value());
  const int flags = ::fcntl(fd->get(), F_GETFL);
  EXPECT_EQ(flags & O_NONBLOCK, 0) << "O_NONBLOCK is only for opening FIFOs";
  EXPECT_NE(::fcntl(fd->get(), F_GETFD) & FD_CLOEXEC, 0);
}

TEST(CheckedFile, MissingFileKeepsItsErrno) {
  const TempDir dir;
  auto fd = open_checked_file(dir.path() / "none", kRead);
  ASSERT_FALSE(fd.has_value());
  EXPECT_EQ(fd.error().reason, Reason::Open);
  EXPECT_EQ(fd.error().error, ENOENT);
}

TEST(CheckedFile, SymlinkIsRefusedUnlessFollowed) {
  const TempDir dir;
  const fs::path link = dir.path() / "link";
  fs::create_symlink(dir.write("target", "x"), link);
  auto refused = open_checked_file(link, kRead);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().reason, Reason::IsSymlink);
  FileRule follow = kRead;
  follow.symlinks = Symlinks::Follow;
  EXPECT_TRUE(open_checked_file(link, follow).has_value());
}

TEST(CheckedFile, LinkLoopWhenFollowingIsAnOpenFailure) {
  const TempDir dir;
  fs::create_symlink(dir.path() / "b", dir.path() / "a");
  fs::create_symlink(dir.path() / "a", dir.path() / "b");
  FileRule follow = kRead;
  follow.symlinks = Symlinks::Follow;
  auto fd = open_checked_file(dir.path() / "a", follow);
  ASSERT_FALSE(fd.has_value());
  EXPECT_EQ(fd.error().reason, Reason::Open);
  EXPECT_EQ(fd.error().error, ELOOP);
}

TEST(CheckedFile, FifoAndDirectoryAreNotRegularAndNothingHangs) {
  const TempDir dir;
  const fs::path fifo = dir.path() / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto from_fifo = open_checked_file(fifo, kPrivateRead);
  ASSERT_FALSE(from_fifo.has_value());
  EXPECT_EQ(from_fifo.error().reason, Reason::NotRegular);
  auto from_dir = open_checked_file(dir.path(), kRead);
  ASSERT_FALSE(from_dir.has_value());
  EXPECT_EQ(from_dir.error().reason, Reason::NotRegular);
}

TEST(CheckedFile, GroupOrOtherBitsAreRefusedWithTheMode) {
  const TempDir dir;
  const fs::path file = dir.write("f", "x", fs::perms::owner_read | fs::perms::group_read);
  auto fd = open_checked_file(file, kPrivateRead);
  ASSERT_FALSE(fd.has_value());
  EXPECT_EQ(fd.error().reason, Reason::GroupOrOtherAccess);
  EXPECT_EQ(fd.error().mode, 0440u);
  EXPECT_TRUE(open_checked_file(file, kRead).has_value()) << "allowed when not owner_only";
}

TEST(CheckedFile, CreatesMissingFilesOwnerOnly) {
  const TempDir dir;
  const fs::path file = dir.path() / "trail";
  ASSERT_TRUE(open_checked_file(file, kAppend).has_value());
  struct stat info {};
  ASSERT_EQ(::stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0600u);
  FileRule exclusive = kAppend;
  exclusive.access |= O_EXCL;
  auto again = open_checked_file(file, exclusive);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().reason, Reason::Open);
  EXPECT_EQ(again.error().error, EEXIST);
}

TEST(CheckedFile, AnotherUsersFileIsRefusedWhenOwnershipMatters) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a file to another user";
  const TempDir dir;
  const fs::path file = dir.write("planted", "x");
  ASSERT_EQ(::chown(file.c_str(), 4321, 4321), 0);
  auto fd = open_checked_file(file, kPrivateRead);
  ASSERT_FALSE(fd.has_value());
  EXPECT_EQ(fd.error().reason, Reason::ForeignOwner);
  EXPECT_EQ(fd.error().uid, 4321u);
  FileRule anyone = kPrivateRead;
  anyone.owned_by_us = false;
  EXPECT_TRUE(open_checked_file(file, anyone).has_value());
}

}  // namespace
}  // namespace craton::hsm
