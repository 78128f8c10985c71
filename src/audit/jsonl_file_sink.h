// SPDX-License-Identifier: Apache-2.0
// The default AuditSink: appends records as JSON Lines to a private, exclusively locked file,
// and rotates it on request.
#pragma once

#include "audit/posix_io.h"

#include <craton/hsm/audit.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include <sys/types.h>

namespace craton::hsm::audit {

// Owns the open trail file. Opening creates it 0600 (O_CREAT|O_APPEND|O_WRONLY|O_NOFOLLOW|
// O_CLOEXEC), refuses symlinks, non-regular files, files of other users and files with
// group/other permission bits, and takes an exclusive flock so that a second process cannot
// interleave its own chain into the same file: while another writer holds it, opening waits up
// to a timeout. Never truncates a record.
// The flock is on the open file, not on the path: once the path names another file (the trail
// was renamed or deleted), a second writer can start a chain there. check_identity() is how
// the writer notices and stops before it forks the chain.
// Thread-safety: none; the audit writer thread is its only user after open.
class JsonlFileSink final : public AuditSink {
 public:
  // Waits up to `lock_timeout` for another writer to release the file, polling (flock has no
  // timed wait); once locked, checks that the path still names the locked file, and reopens
  // the path when it does not (the holder rotated, or someone moved, the file meanwhile).
  // Errors: AuditUnavailable with the path and the reason ("already in use by another audit
  // writer" once lock_timeout has passed).
  static Result<std::unique_ptr<JsonlFileSink>> open(const std::filesystem::path& path,
                                                     std::chrono::milliseconds lock_timeout);

  // One write() for the whole batch (each line plus '\n'); a partial write is undone (and,
  // when even that fails, undone before the next append is attempted).
  Result<void> append(std::span<const std::string> lines) override;
  Result<void> sync() override;

  // AuditUnavailable when path() no longer names the file this sink has open (it was renamed,
  // deleted or replaced): appending on would fork the chain.
  [[nodiscard]] Result<void> check_identity() const;

  // Cuts the file back to `size` bytes and syncs: removes the torn tail a crash left (only
  // trail_resume calls it, before anything is appended). Errors: AuditUnavailable.
  [[nodiscard]] Result<void> cut_to(std::uint64_t size);

  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  // Bytes in the current file, as this sink has written or found them.
  [[nodiscard]] std::uint64_t size() const noexcept { return size_; }

  // Moves the current file to `rotated` (refusing to replace an existing file) and continues
  // in a new, empty file at path(). Errors: AuditUnavailable.
  [[nodiscard]] Result<void> rotate(const std::filesystem::path& rotated);

 private:
  struct FileId {
    dev_t device = 0;
    ino_t inode = 0;
  };

  JsonlFileSink(std::filesystem::path path, UniqueFd fd, std::uint64_t size, FileId id);
  static Result<UniqueFd> open_locked(const std::filesystem::path& path, OpenFor mode,
                                      std::chrono::milliseconds lock_timeout);
  static Result<FileId> id_of(const UniqueFd& fd, const std::filesystem::path& path);

  std::filesystem::path path_;
  UniqueFd fd_;
  std::uint64_t size_ = 0;
  FileId id_;
  bool fragment_left_ = false;  // a failed append left bytes past size_ that must go first
  std::string buffer_;          // reused across batches: no allocation in steady state
};

}  // namespace craton::hsm::audit
