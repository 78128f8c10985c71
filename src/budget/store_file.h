// SPDX-License-Identifier: Apache-2.0
// The SQLite store's file: created 0600 when missing, refused when others could read or
// replace it, checked writable before SQLite opens it.
#pragma once

#include <craton/hsm/error.h>

#include <filesystem>

namespace craton::hsm::budget {

// Makes sure `path` names a store file this process may use: a regular file (a symbolic link
// in the last component is refused) with no group/other permission bits, which we can open
// for reading and writing; a missing file is created empty with mode 0600 (an empty file is
// an empty SQLite database). Several processes may race to create it: one wins, the others
// open the winner's file. Errors: ConfigInvalid for a symbolic link, a non-regular file or
// group/other permissions (a deployment error: chmod 600); BudgetStoreUnavailable when the
// file cannot be created or opened for writing (read-only file or file system, missing or
// unwritable directory).
[[nodiscard]] Result<void> prepare_store_file(const std::filesystem::path& path);

}  // namespace craton::hsm::budget
