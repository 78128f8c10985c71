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
#include <utility>

namespace craton::hsm::config {

enum class Symlinks : std::uint8_t { Follow, Refuse };

struct RegularFile {
  UniqueFd fd;
  std::uint32_t mode;  // st_mode permission bits (07777) of the opened file
};

// Opens `path` read-only and checks, on the opened descriptor, that it is a regular file (so a
// FIFO cannot hang us and a directory gives a clear message). With Symlinks::Refuse a symbolic
// link as the last path component is refused. Errors: ConfigInvalid "<field>: <path>: ...".
[[nodiscard]] Result<RegularFile> open_regular_file(std::string_view field,
                                                    const std::filesystem::path& path,
                                                    Symlinks symlinks);

// Reads until end of file or until `buffer` is full, retrying interrupted reads; returns the
// number of bytes read. Callers pass one byte more than they accept to detect oversized files.
// Errors: ConfigInvalid "<field>: <path>: ...".
[[nodiscard]] Result<std::size_t> read_up_to(std::string_view field,
                                             const std::filesystem::path& path, const UniqueFd& fd,
                                             std::span<char> buffer);

}  // namespace craton::hsm::config
