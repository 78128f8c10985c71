// SPDX-License-Identifier: Apache-2.0
// Appending, syncing and rotating the JSON Lines trail file.
#include "audit/jsonl_file_sink.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <thread>

#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

namespace craton::hsm::audit {

JsonlFileSink::JsonlFileSink(std::filesystem::path path, UniqueFd fd, std::uint64_t size, FileId id)
    : path_(std::move(path)), fd_(std::move(fd)), size_(size), id_(id) {}

Result<JsonlFileSink::FileId> JsonlFileSink::id_of(const UniqueFd& fd,
                                                   const std::filesystem::path& path) {
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) {
    const int error = errno;
    return fail(ErrorCode::AuditUnavailable,
                fmt::format("audit trail {}: fstat failed: {}", path.string(), errno_text(error)));
  }
  return FileId{info.st_dev, info.st_ino};
}

namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// Polling intervals grow from 1 ms to this: a waiter notices a release within a few ms while
// the holder is quick (a CLI command), and costs little while it is not.
constexpr milliseconds kMaxPoll{50};

// Whether `path` (not followed) names the open file `fd`. A missing path is "no".
Result<bool> path_names(const std::filesystem::path& path, const UniqueFd& fd) {
  struct stat at_path {};
  struct stat opened {};
  if (::fstat(fd.get(), &opened) != 0) {
    const int error = errno;
    return fail(ErrorCode::AuditUnavailable,
                fmt::format("audit trail {}: fstat failed: {}", path.string(), errno_text(error)));
  }
  if (::lstat(path.c_str(), &at_path) != 0) return false;
  return at_path.st_dev == opened.st_dev && at_path.st_ino == opened.st_ino;
}

}  // namespace

Result<UniqueFd> JsonlFileSink::open_locked(const std::filesystem::path& path, OpenFor mode,
                                            milliseconds lock_timeout) {
  const auto deadline = steady_clock::now() + lock_timeout;
  milliseconds poll{1};
  while (true) {
    CRATON_ASSIGN_OR_RETURN(auto fd, open_private_file(path, mode));
    while (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
      const int error = errno;
      if (error == EINTR) continue;
      if (error != EWOULDBLOCK) {
        return fail(ErrorCode::AuditUnavailable,
                    fmt::format("audit trail {}: {}", path.string(), errno_text(error)));
      }
      const auto now = steady_clock::now();
      if (now >= deadline) {
        return fail(ErrorCode::AuditUnavailable,
                    fmt::format("audit trail {}: already in use by another audit writer, still "
                                "after {} ms (audit.lock_timeout_ms)",
                                path.string(), lock_timeout.count()));
      }
      std::this_thread::sleep_for(std::min(poll, std::chrono::ceil<milliseconds>(deadline - now)));
      poll = std::min(poll * 2, kMaxPoll);
    }
    // The lock is on the file opened before the wait. Should the path name another file now,
    // appending here would start a chain nobody reads as the trail: open the path again.
    CRATON_ASSIGN_OR_RETURN(const bool current, path_names(path, fd));
    if (current) return fd;
    if (mode == OpenFor::CreateTrail || steady_clock::now() >= deadline) {
      return fail(ErrorCode::AuditUnavailable,
                  fmt::format("audit trail {}: the path named another file once it was locked "
                              "(moved or replaced meanwhile)",
                              path.string()));
    }
  }
}

Result<std::unique_ptr<JsonlFileSink>> JsonlFileSink::open(const std::filesystem::path& path,
                                                           milliseconds lock_timeout) {
  CRATON_ASSIGN_OR_RETURN(auto fd, open_locked(path, OpenFor::AppendTrail, lock_timeout));
  CRATON_ASSIGN_OR_RETURN(const std::uint64_t size, file_size(fd));
  CRATON_ASSIGN_OR_RETURN(const FileId id, id_of(fd, path));
  // The creation (if any) must survive a crash, or the first records would be orphaned.
  CRATON_RETURN_IF_ERROR(sync_parent_directory(path));
  return std::unique_ptr<JsonlFileSink>(new JsonlFileSink(path, std::move(fd), size, id));
}

Result<void> JsonlFileSink::append(std::span<const std::string> lines) {
  if (fragment_left_) {
    if (::ftruncate(fd_.get(), static_cast<off_t>(size_)) != 0) {
      const int error = errno;
      return fail(ErrorCode::AuditUnavailable,
                  fmt::format("audit trail {}: a partial record from a failed write is still in "
                              "the file and cannot be removed: {}",
                              path_.string(), errno_text(error)));
    }
    fragment_left_ = false;
  }
  buffer_.clear();
  for (const auto& line : lines) {
    buffer_ += line;
    buffer_ += '\n';
  }
  CRATON_RETURN_IF_ERROR(append_all(fd_, size_, buffer_, path_, fragment_left_));
  size_ += buffer_.size();
  return {};
}

Result<void> JsonlFileSink::check_identity() const {
  struct stat info {};
  if (::lstat(path_.c_str(), &info) != 0) {
    const int error = errno;
    return fail(ErrorCode::AuditUnavailable,
                fmt::format("audit trail {}: {}; this writer stops so that the chain cannot fork "
                            "(reopen the trail to continue)",
                            path_.string(),
                            error == ENOENT ? std::string("the file was deleted or renamed")
                                            : "cannot stat: " + errno_text(error)));
  }
  if (info.st_dev != id_.device || info.st_ino != id_.inode) {
    return fail(ErrorCode::AuditUnavailable,
                fmt::format("audit trail {}: the path now names another file (the trail was "
                            "renamed or replaced); this writer stops so that the chain cannot "
                            "fork (reopen the trail to continue)",
                            path_.string()));
  }
  return {};
}

Result<void> JsonlFileSink::cut_to(std::uint64_t size) {
  if (::ftruncate(fd_.get(), static_cast<off_t>(size)) != 0) {
    const int error = errno;
    return fail(ErrorCode::AuditUnavailable,
                fmt::format("audit trail {}: cannot cut off the incomplete last record: {}",
                            path_.string(), errno_text(error)));
  }
  size_ = size;
  return sync();
}

Result<void> JsonlFileSink::sync() {
  if (::fdatasync(fd_.get()) != 0) {
    const int error = errno;
    return fail(ErrorCode::AuditUnavailable,
                fmt::format("audit trail {}: fsync failed: {}", path_.string(), errno_text(error)));
  }
  return {};
}

Result<void> JsonlFileSink::rotate(const std::filesystem::path& rotated) {
  // link + unlink rather than rename: link refuses to replace an existing file.
  if (::link(path_.c_str(), rotated.c_str()) != 0) {
    const int error = errno;
    return fail(ErrorCode::AuditUnavailable,
                fmt::format("audit trail {}: cannot rotate to {}: {}", path_.string(),
                            rotated.string(), errno_text(error)));
  }
  if (::unlink(path_.c_str()) != 0) {
    const int error = errno;
    return fail(ErrorCode::AuditUnavailable,
                fmt::format("audit trail {}: cannot unlink after "
                            "rotating to {}: {}",
                            path_.string(), rotated.string(), errno_text(error)));
  }
  // Created here (must not exist): no other writer can hold it, so no waiting.
  CRATON_ASSIGN_OR_RETURN(auto fresh,
                          open_locked(path_, OpenFor::CreateTrail, std::chrono::milliseconds(0)));
  CRATON_ASSIGN_OR_RETURN(id_, id_of(fresh, path_));
  fd_ = std::move(fresh);
  size_ = 0;
  fragment_left_ = false;
  return sync_parent_directory(path_);
}

}  // namespace craton::hsm::audit
