// SPDX-License-Identifier: Apache-2.0
// The trust check run before a vendor library is loaded (seed, "Limitations": the module is
// loaded and trusted at its configured path, so the path itself must be write-protected).
#pragma once

#include <craton/hsm/error.h>

#include <filesystem>

namespace craton::hsm::pkcs11 {

// Accepts `path` only if it is absolute, names an existing regular file, and the file and
// every directory above it (for the path as written and for its symlink-resolved target) are
// owned by root or by us and not writable by group or others (a sticky directory such as /tmp
// is accepted above an entry we or root own). With `allow_unprotected` the ownership and
// permission checks are skipped, the others are not.
// Errors: ConfigInvalid (relative), LibraryLoad (missing, not a file), LibraryPathUnprotected.
[[nodiscard]] Result<std::filesystem::path> check_library_path(const std::filesystem::path& path,
                                                               bool allow_unprotected);

}  // namespace craton::hsm::pkcs11
