// SPDX-License-Identifier: Apache-2.0
// Creates or checks the SQLite store file with core's checked open (the audit files' rules).
#include "budget/store_file.h"

#include <cerrno>
#include <string>

#include <fcntl.h>

#include <fmt/format.h>

#include "core/checked_file.h"

namespace craton::hsm::budget {
namespace {

using Reason = FileRefusal::Reason;

std::expected<UniqueFd, FileRefusal> open_store(const std::filesystem::path& path, bool create) {
  return open_checked_file(path, {.access = O_RDWR | (create ? O_CREAT | O_EXCL : 0),
                                  .symlinks = Symlinks::Refuse,
                                  .owner_only = true});
}

std::unexpected<HsmError> refused(const std::filesystem::path& path, const FileRefusal& refusal) {
  const std::string where = fmt::format("budget.path: {}", path.string());
  switch (refusal.reason) {
    case Reason::IsSymlink:
      return fail(ErrorCode::ConfigInvalid,
                  fmt::format("{}: is a symbolic link; name the file itself", where));
    case Reason::NotRegular:
      return fail(ErrorCode::ConfigInvalid, fmt::format("{}: not a regular file", where));
    case Reason::GroupOrOtherAccess:
      // Anyone who can write the file can reset a key's count; anyone who can read it learns
      // which keys are in use and how much.
      return fail(ErrorCode::ConfigInvalid,
                  fmt::format("{}: mode {:04o} gives group/other access; must be 0600 (run "
                              "chmod 600 on it)",
                              where, refusal.mode));
    case Reason::ForeignOwner:
      return fail(ErrorCode::ConfigInvalid,
                  fmt::format("{}: owned by uid {}, not by us", where, refusal.uid));
    case Reason::Open:
      // EACCES/EROFS/EPERM: a read-only file, directory or file system; ENOENT: a missing
      // directory. The store cannot count there: fail closed.
      return fail(ErrorCode::BudgetStoreUnavailable,
                  fmt::format("{}: cannot open for reading and writing: {}", where,
                              errno_text(refusal.error)));
    case Reason::Stat:
    case Reason::Blocking:
      break;
  }
  return fail(ErrorCode::BudgetStoreUnavailable,
              fmt::format("{}: {}", where, errno_text(refusal.error)));
}

}  // namespace

Result<void> prepare_store_file(const std::filesystem::path& path) {
  auto opened = open_store(path, false);
  if (!opened && opened.error().reason == Reason::Open && opened.error().error == ENOENT) {
    opened = open_store(path, true);
    // Another process created it between our two opens: use theirs, with the same checks.
    if (!opened && opened.error().reason == Reason::Open && opened.error().error == EEXIST) {
      opened = open_store(path, false);
    }
  }
  if (!opened) return refused(path, opened.error());
  return {};
}

}  // namespace craton::hsm::budget
