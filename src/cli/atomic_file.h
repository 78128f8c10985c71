// SPDX-License-Identifier: Apache-2.0
// Output files that appear whole or not at all: checked before the token is used, written to a
// temporary file in the same directory, synced, and renamed over the target.
#pragma once

#include <craton/hsm/backend.h>
#include <craton/hsm/error.h>

#include <filesystem>
#include <string_view>

namespace craton::hsm::cli {

// Secret outputs (plaintext, unwrapped keys, random bytes) land in files created with mode
// 0600; public ones with 0644 (both less the umask).
enum class Sensitivity { Public, Secret };

// Checks that `target` can be written, so that a command fails before it uses the token, not
// after (a signature made and recorded, then lost): its directory exists and is writable, and
// `target` is not a symbolic link (never followed: its target is never written or chmod'ed),
// nor anything but a regular file when it exists (a rename would replace a device node or
// FIFO). Creates nothing. Errors: InvalidArgument naming the path and the reason.
[[nodiscard]] Result<void> check_output_file(const std::filesystem::path& target);

// Replaces `target` with `data`: check_output_file, then a new file in the same directory
// (O_CREAT | O_EXCL | O_NOFOLLOW, mode per `sensitivity`), write, fsync, rename over `target`,
// fsync the directory. Readers see the old file or the whole new one. On any failure before the
// rename (disk full, file size limit, I/O error) the temporary file is removed and `target` is
// as it was: never a prefix, never an empty file. A process killed while writing can leave a
// hidden ".<name>.craton-XXXXXX" behind, never a partial `target`. Errors: InvalidArgument (as
// check_output_file), Internal naming the path and errno (the write, sync or rename; a failed
// directory sync after the rename leaves the complete new file in place).
[[nodiscard]] Result<void> write_file(const std::filesystem::path& target, ByteView data,
                                      Sensitivity sensitivity);

// Writes all of `data` to `fd`, retrying interrupted and short writes (also standard output's
// raw bytes). Errors: Internal naming `name` and the errno.
[[nodiscard]] Result<void> write_all(int fd, ByteView data, std::string_view name);

}  // namespace craton::hsm::cli
