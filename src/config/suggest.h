// SPDX-License-Identifier: Apache-2.0
// "Did you mean ...?" for misspelt configuration keys and command names.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace craton::hsm::config {

// The candidate closest to `word` by edit distance (a swap of two adjacent characters counts
// as one edit), if it is close enough (at most two edits, and fewer edits than half the word)
// to be a likely typo rather than a different word.
[[nodiscard]] std::optional<std::string_view> closest_match(
    std::string_view word, std::span<const std::string_view> candidates);

}  // namespace craton::hsm::config
