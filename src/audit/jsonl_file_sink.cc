// SPDX-License-Identifier: Apache-2.0
// Appending, syncing and rotating the JSON Lines trail file.
#include "audit/jsonl_file_sink.h"

#include <cerrno>

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

Result<UniqueFd> JsonlFileSink::open_locked(const std::filesystem::path& path, OpenFor mode) {
  CRATON_ASSIGN_OR_RETURN(auto fd, open_private_file(path, mode));
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    return fail(ErrorCode::AuditUnavailable,
                fmt::format("audit trail {}: {}", path.string(),
                            error == EWOULDBLOCK ? "already in use by another audit writer"
                                                 : errno_text(error)));
  }
  return fd;
}

Result<std::unique_ptr<JsonlFileSink>> JsonlFileSink::open(const std::filesystem::path& path) {
  CRATON_ASSIGN_OR_RETURN(auto fd, open_locked(path, OpenFor::AppendTrail));
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
  CRATON_ASSIGN_OR_RETURN(auto fresh, open_locked(path_, OpenFor::CreateTrail));
  CRATON_ASSIGN_OR_RETURN(id_, id_of(fresh, path_));
  fd_ = std::move(fresh);
  size_ = 0;
  fragment_left_ = false;
  return sync_parent_directory(path_);
}

}  // namespace craton::hsm::audit
