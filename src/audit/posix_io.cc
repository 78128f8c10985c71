// SPDX-License-Identifier: Apache-2.0
// open/fstat/pread/write/fsync/rename for the audit trail; no exceptions, errno kept as text.
#include "audit/posix_io.h"

#include <craton/hsm/diagnostics.h>

#include <cerrno>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "core/checked_file.h"

namespace craton::hsm::audit {
namespace {

// Descriptors for the trail and anchor are checked for ownership too: a file planted by
// another user in a shared directory must not become (part of) our trail.
bool checks_owner(OpenFor mode) {
  return mode != OpenFor::ReadKey;
}

ErrorCode error_code_for(OpenFor mode) {
  return mode == OpenFor::ReadKey ? ErrorCode::ConfigInvalid : ErrorCode::AuditUnavailable;
}

std::string_view what(OpenFor mode) {
  switch (mode) {
    case OpenFor::ReadKey:
      return "audit key file";
    case OpenFor::ReadAnchor:
      return "audit anchor";
    default:
      return "audit trail";
  }
}

int access_flags(OpenFor mode) {
  switch (mode) {
    case OpenFor::AppendTrail:
      return O_CREAT | O_APPEND | O_WRONLY;
    case OpenFor::CreateTrail:
      return O_CREAT | O_EXCL | O_APPEND | O_WRONLY;
    default:
      return O_RDONLY;
  }
}

std::string refusal_text(const std::filesystem::path& path, OpenFor mode,
                         const FileRefusal& refusal) {
  using Reason = FileRefusal::Reason;
  switch (refusal.reason) {
    case Reason::IsSymlink:
      return fmt::format("{} {}: is a symbolic link; refusing to follow it", what(mode),
                         path.string());
    case Reason::Open:
      return fmt::format("{} {}: cannot open: {}", what(mode), path.string(),
                         errno_text(refusal.error));
    case Reason::Stat:
      return fmt::format("{} {}: cannot stat: {}", what(mode), path.string(),
                         errno_text(refusal.error));
    case Reason::NotRegular:
      return fmt::format("{} {}: not a regular file", what(mode), path.string());
    case Reason::ForeignOwner:
      return fmt::format("{} {}: owned by uid {}, not by us (uid {})", what(mode), path.string(),
                         refusal.uid, ::geteuid());
    case Reason::GroupOrOtherAccess:
      return fmt::format("{} {}: mode {:04o} gives group/other access; must be 0600", what(mode),
                         path.string(), refusal.mode);
    case Reason::Blocking:
      break;
  }
  return fmt::format("{} {}: fcntl: {}", what(mode), path.string(), errno_text(refusal.error));
}

}  // namespace

Result<UniqueFd> open_private_file(const std::filesystem::path& path, OpenFor mode, bool* missing) {
  auto opened = open_checked_file(path, {.access = access_flags(mode),
                                         .symlinks = Symlinks::Refuse,
                                         .owner_only = true,
                                         .owned_by_us = checks_owner(mode)});
  if (opened) return std::move(*opened);
  const FileRefusal& refusal = opened.error();
  if (missing != nullptr && (refusal.reason == FileRefusal::Reason::Open ||
                             refusal.reason == FileRefusal::Reason::IsSymlink)) {
    *missing = refusal.error == ENOENT;
  }
  return fail(error_code_for(mode), refusal_text(path, mode, refusal));
}

Result<std::size_t> read_fully(const UniqueFd& fd, std::span<std::uint8_t> buffer) {
  const auto read = read_into(fd, std::as_writable_bytes(buffer));
  if (!read) {
    return fail(ErrorCode::ConfigInvalid, fmt::format("read failed: {}", errno_text(read.error())));
  }
  return *read;
}

Result<std::uint64_t> file_size(const UniqueFd& fd) {
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) {
    const int error = errno;
    return fail(ErrorCode::AuditUnavailable, fmt::format("fstat failed: {}", errno_text(error)));
  }
  return static_cast<std::uint64_t>(info.st_size);
}

Result<std::string> read_tail(const UniqueFd& fd, std::uint64_t size, std::size_t max_bytes) {
  const std::size_t length = size < max_bytes ? static_cast<std::size_t>(size) : max_bytes;
  std::string tail(length, '\0');
  std::size_t done = 0;
  while (done < length) {
    const auto offset = static_cast<off_t>(size - length + done);
    const ssize_t n = ::pread(fd.get(), tail.data() + done, length - done, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = n < 0 ? errno : EIO;
      return fail(ErrorCode::AuditUnavailable,
                  fmt::format("cannot read the trail's tail: {}", errno_text(error)));
    }
    done += static_cast<std::size_t>(n);
  }
  return tail;
}

Result<void> append_all(const UniqueFd& fd, std::uint64_t size_before, std::string_view bytes,
                        const std::filesystem::path& path, bool& fragment_left) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = n < 0 ? errno : EIO;
      if (done > 0 && ::ftruncate(fd.get(), static_cast<off_t>(size_before)) != 0) {
        const int undo = errno;
        fragment_left = true;
        return fail(ErrorCode::AuditUnavailable,
                    fmt::format("audit trail {}: write failed ({}) and the partial record could "
                                "not be removed ({})",
                                path.string(), errno_text(error), errno_text(undo)));
      }
      return fail(ErrorCode::AuditUnavailable, fmt::format("audit trail {}: write failed: {}",
                                                           path.string(), errno_text(error)));
    }
    done += static_cast<std::size_t>(n);
  }
  return {};
}

Result<void> sync_parent_directory(const std::filesystem::path& path) {
  const auto parent = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  UniqueFd dir(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid() || ::fsync(dir.get()) != 0) {
    const int error = errno;
    return fail(ErrorCode::AuditUnavailable,
                fmt::format("cannot sync directory {}: {}", parent.string(), errno_text(error)));
  }
  return {};
}

Result<void> replace_file_atomically(const std::filesystem::path& path, std::string_view content,
                                     bool durable) {
  auto temp = path;
  temp += ".tmp";
  // A temp file left by a crash is ours to remove; unlink never follows a symlink.
  if (::unlink(temp.c_str()) != 0 && errno != ENOENT) {
    const int error = errno;
    return fail(ErrorCode::AuditUnavailable,
                fmt::format("cannot remove {}: {}", temp.string(), errno_text(error)));
  }
  UniqueFd fd(::open(temp.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd.valid()) {
    const int error = errno;
    return fail(ErrorCode::AuditUnavailable,
                fmt::format("cannot create {}: {}", temp.string(), errno_text(error)));
  }
  // A fragment left in the temp file is harmless: it is removed before the next attempt.
  bool fragment_left = false;
  CRATON_RETURN_IF_ERROR(append_all(fd, 0, content, temp, fragment_left));
  if (durable && ::fsync(fd.get()) != 0) {
    const int error = errno;
    return fail(ErrorCode::AuditUnavailable,
                fmt::format("cannot sync {}: {}", temp.string(), errno_text(error)));
  }
  fd.reset();
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    return fail(
        ErrorCode::AuditUnavailable,
        fmt::format("cannot rename {} to {}: {}", temp.string(), path.string(), errno_text(error)));
  }
  if (durable) CRATON_RETURN_IF_ERROR(sync_parent_directory(path));
  return {};
}

}  // namespace craton::hsm::audit
