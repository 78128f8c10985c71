// SPDX-License-Identifier: Apache-2.0
// Files for the harnesses that read from disk (the audit trail): one private directory per
// process, under $TMPDIR, whose files each run overwrites.
#pragma once

#include <filesystem>
#include <span>
#include <string_view>

namespace craton::hsm::fuzz {

// The process's scratch directory (mode 0700), made on first use. scripts/fuzz.sh points
// TMPDIR at a directory it removes afterwards, so nothing is left behind when libFuzzer exits
// without running destructors.
[[nodiscard]] const std::filesystem::path& scratch_dir();

// Replaces `name` in the scratch directory by a 0600 file holding `content`; returns its path.
// Aborts when the file cannot be written (a broken harness, not a finding).
std::filesystem::path write_private_file(std::string_view name, std::string_view content);

// Removes `name` from the scratch directory if it is there.
void remove_file(std::string_view name);

}  // namespace craton::hsm::fuzz
