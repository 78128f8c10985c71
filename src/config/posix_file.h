// SPDX-License-Identifier: Apache-2.0
// Opens and reads the small local files the config names (the config itself, the PIN file)
// through one owned descriptor, so the checks and the read see the same file.
#pragma once

#include <craton/hsm/error.h>

#include "core/unique_fd.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>

namespace craton::hsm::config {

enum class FileUse : std::uint8_t {
  Config,  // may be a symbolic link, may be readable by others
  Secret,  // the PIN file: not a symbolic link, no group/other permission bits
};

// Opens `path` read-only with core's open_checked_file: a regular file (so a FIFO cannot hang
// us and a directory gives a clear message), plus the rules of `use`. Errors: ConfigInvalid
// "<field>: <path>: ...".
[[nodiscard]] Result<UniqueFd> open_regular_file(std::string_view field,
                                                 const std::filesystem::path& path, FileUse use);

// Reads until end of file or until `buffer` is full, retrying interrupted reads; returns the
// number of bytes read. Callers pass one byte more than they accept to detect oversized files.
// Errors: ConfigInvalid "<field>: <path>: ...".
[[nodiscard]] Result<std::size_t> read_up_to(std::string_view field,
                                             const std::filesystem::path& path, const UniqueFd& fd,
                                             std::span<char> buffer);

}  // namespace craton::hsm::config
