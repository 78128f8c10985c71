// SPDX-License-Identifier: Apache-2.0
// open/fstat/fcntl for the files the config and the audit trail name.
#include "core/checked_file.h"

#include <cerrno>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace craton::hsm {

std::expected<UniqueFd, FileRefusal> open_checked_file(const std::filesystem::path& path,
                                                       const FileRule& rule) {
  using Reason = FileRefusal::Reason;
  int flags = rule.access | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  if (rule.symlinks == Symlinks::Refuse) flags |= O_NOFOLLOW;
  UniqueFd fd(::open(path.c_str(), flags, 0600));
  if (!fd.valid()) {
    const int error = errno;
    // With O_NOFOLLOW, ELOOP means the last component is a link; without it, a link loop.
    const bool link = error == ELOOP && rule.symlinks == Symlinks::Refuse;
    return std::unexpected(
        FileRefusal{.reason = link ? Reason::IsSymlink : Reason::Open, .error = error});
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) {
    return std::unexpected(FileRefusal{.reason = Reason::Stat, .error = errno});
  }
  if (!S_ISREG(info.st_mode)) return std::unexpected(FileRefusal{.reason = Reason::NotRegular});
  if (rule.owned_by_us && info.st_uid != ::geteuid()) {
    return std::unexpected(FileRefusal{.reason = Reason::ForeignOwner, .uid = info.st_uid});
  }
  const auto mode = static_cast<std::uint32_t>(info.st_mode & 07777);
  if (rule.owner_only && (mode & 077) != 0) {
    return std::unexpected(FileRefusal{.reason = Reason::GroupOrOtherAccess, .mode = mode});
  }
  // O_NONBLOCK was for FIFOs; a regular file is read and written with ordinary blocking I/O.
  const int status = ::fcntl(fd.get(), F_GETFL);
  if (status < 0 || ::fcntl(fd.get(), F_SETFL, status & ~O_NONBLOCK) != 0) {
    return std::unexpected(FileRefusal{.reason = Reason::Blocking, .error = errno});
  }
  return fd;
}

}  // namespace craton::hsm
