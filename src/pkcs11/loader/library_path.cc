// SPDX-License-Identifier: Apache-2.0
// Refuses vendor libraries that someone other than their owner could replace.
#include "pkcs11/loader/library_path.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include <fmt/format.h>

namespace craton::hsm::pkcs11 {
namespace fs = std::filesystem;
namespace {

bool trusted_owner(uid_t uid) {
  return uid == 0 || uid == geteuid();
}

// Checks `path` and each of its parents, nearest first, so the error names the culprit.
// Each component must be owned by root or by us and not writable by group/others. One
// exception, the /tmp case: a sticky directory may be world-writable when the entry below it
// is owned by a trusted user, since the sticky bit stops others renaming or deleting it.
// lstat, so a symlink is judged by the directory holding it; check_library_path walks the
// resolved target separately.
Result<void> check_chain(const fs::path& path) {
  std::optional<uid_t> child_owner;  // owner of the component checked just before
  for (fs::path current = path;; current = current.parent_path()) {
    struct stat info {};
    if (lstat(current.c_str(), &info) != 0) {
      return fail(ErrorCode::LibraryLoad,
                  fmt::format("cannot stat '{}': {}", current.string(), std::strerror(errno)));
    }
    const bool is_link = S_ISLNK(info.st_mode);  // a link's own mode bits mean nothing
    if (!trusted_owner(info.st_uid)) {
      return fail(ErrorCode::LibraryPathUnprotected,
                  fmt::format("'{}' is owned by uid {}, neither root nor us; its owner could "
                              "replace the PKCS#11 module",
                              current.string(), info.st_uid));
    }
    const bool writable_by_others = (info.st_mode & (S_IWGRP | S_IWOTH)) != 0;
    const bool sticky_protects_child = S_ISDIR(info.st_mode) && (info.st_mode & S_ISVTX) != 0 &&
                                       child_owner && trusted_owner(*child_owner);
    if (!is_link && writable_by_others && !sticky_protects_child) {
      return fail(ErrorCode::LibraryPathUnprotected,
                  fmt::format("'{}' is writable by {} (mode {:04o}); anyone with that access could "
                              "replace the PKCS#11 module. Fix the permissions, or set "
                              "allow_unprotected_library_path = true to accept the risk",
                              current.string(), (info.st_mode & S_IWOTH) != 0 ? "others" : "group",
                              info.st_mode & 07777));
    }
    if (current == current.root_path()) return {};
    child_owner = info.st_uid;
  }
}

}  // namespace

Result<fs::path> check_library_path(const fs::path& path, bool allow_unprotected) {
  if (!path.is_absolute()) {
    return fail(ErrorCode::ConfigInvalid,
                fmt::format("library_path: must be an absolute path, got '{}'", path.string()));
  }
  std::error_code error;
  const fs::path resolved = fs::canonical(path, error);
  if (error) {
    return fail(ErrorCode::LibraryLoad,
                fmt::format("library_path '{}': {}", path.string(), error.message()));
  }
  if (!fs::is_regular_file(resolved)) {
    return fail(ErrorCode::LibraryLoad,
                fmt::format("library_path '{}' is not a regular file", path.string()));
  }
  if (!allow_unprotected) {
    CRATON_RETURN_IF_ERROR(check_chain(path.lexically_normal()));
    if (resolved != path.lexically_normal()) CRATON_RETURN_IF_ERROR(check_chain(resolved));
  }
  return resolved;
}

}  // namespace craton::hsm::pkcs11
