// SPDX-License-Identifier: Apache-2.0
// The one opener for the local files whose identity matters (the config, the PIN file, the
// audit trail, its anchor and key file): every check runs on the opened descriptor, so the
// file checked is the file then read or written.
#pragma once

#include <cstdint>
#include <expected>
#include <filesystem>

#include "core/unique_fd.h"

namespace craton::hsm {

enum class Symlinks : std::uint8_t { Follow, Refuse };

struct FileRule {
  // O_RDONLY, or O_WRONLY | O_APPEND with O_CREAT (and O_EXCL); a created file gets 0600.
  int access = 0;
  // Refuse: a symbolic link as the last path component is refused (O_NOFOLLOW).
  Symlinks symlinks = Symlinks::Refuse;
  bool owner_only = false;   // refuse any group/other permission bit (mode & 077)
  bool owned_by_us = false;  // refuse a file the effective user does not own
};

// Why open_checked_file refused, for the caller to word for its field and error code.
struct FileRefusal {
  enum class Reason : std::uint8_t {
    Open,                // open() failed; `error` is its errno (ENOENT: the file is missing)
    IsSymlink,           // Symlinks::Refuse and the last component is a symbolic link
    Stat,                // fstat() failed; `error`
    NotRegular,          // a directory, FIFO, device or socket
    ForeignOwner,        // owned_by_us and `uid` is another user's
    GroupOrOtherAccess,  // owner_only and `mode` has group/other bits
    Blocking,            // clearing O_NONBLOCK failed; `error`
  };
  Reason reason;
  int error = 0;
  std::uint32_t uid = 0;
  std::uint32_t mode = 0;  // permission bits, 07777
};

// Opens `path` with `rule.access` plus O_CLOEXEC and O_NOCTTY, and O_NONBLOCK so that a FIFO
// cannot hang the caller; then checks, in this order, that it is a regular file, its owner and
// its mode, and switches the descriptor back to blocking I/O.
[[nodiscard]] std::expected<UniqueFd, FileRefusal> open_checked_file(
    const std::filesystem::path& path, const FileRule& rule);

}  // namespace craton::hsm
