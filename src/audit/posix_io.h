// SPDX-License-Identifier: Apache-2.0
// The POSIX file handling of the audit trail: an owned descriptor, opening with the ownership
// and permission checks the trail, its anchor and the key file need, reads, atomic replace.
#pragma once

#include <craton/hsm/error.h>

#include "core/unique_fd.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace craton::hsm::audit {

enum class OpenFor : std::uint8_t {
  ReadKey,      // the key file: ConfigInvalid on failure
  AppendTrail,  // the trail: created 0600 if missing, opened for appending
  CreateTrail,  // a new trail after rotation: must not exist yet
  ReadTrail,    // reading the tail of the trail we are about to continue
  ReadAnchor,   // the tail anchor sidecar
};

// Opens `path` with core's open_checked_file: without following a symbolic link in the last
// component, and checking on the opened descriptor that it is a regular file with no
// group/other permission bits (and, for the trail and its anchor, that it belongs to the
// effective user). Errors: ConfigInvalid
// (ReadKey) or AuditUnavailable (the others), with a message naming the path and the reason;
// a missing file is reported with ENOENT in `missing` when the caller wants to tell it apart.
[[nodiscard]] Result<UniqueFd> open_private_file(const std::filesystem::path& path, OpenFor mode,
                                                 bool* missing = nullptr);

// Reads until end of file or until `buffer` is full; returns the number of bytes read.
// Errors: ConfigInvalid (its first user is the key file; other callers re-label the error).
[[nodiscard]] Result<std::size_t> read_fully(const UniqueFd& fd, std::span<std::uint8_t> buffer);

// Size of the open file. Errors: AuditUnavailable.
[[nodiscard]] Result<std::uint64_t> file_size(const UniqueFd& fd);

// The last min(size, max_bytes) bytes of the file. Errors: AuditUnavailable.
[[nodiscard]] Result<std::string> read_tail(const UniqueFd& fd, std::uint64_t size,
                                            std::size_t max_bytes);

// Writes all of `bytes` at the end of the O_APPEND file `fd`, whose size before the write is
// `size_before`. A short or failed write is undone with ftruncate(size_before): the only
// truncation the trail ever sees removes our own unacknowledged fragment, never a record.
// When that undo fails too, `fragment_left` is set: nothing may be appended until a later
// ftruncate(size_before) succeeds, or the next record would be glued onto the fragment.
[[nodiscard]] Result<void> append_all(const UniqueFd& fd, std::uint64_t size_before,
                                      std::string_view bytes, const std::filesystem::path& path,
                                      bool& fragment_left);

// fsync of the directory holding `path`, so a create or rename in it is durable.
[[nodiscard]] Result<void> sync_parent_directory(const std::filesystem::path& path);

// Replaces `path` by a 0600 file holding `content`: write "<path>.tmp", optionally fsync,
// rename over `path`, optionally fsync the directory. Readers see the old or the new content.
[[nodiscard]] Result<void> replace_file_atomically(const std::filesystem::path& path,
                                                   std::string_view content, bool durable);

}  // namespace craton::hsm::audit
