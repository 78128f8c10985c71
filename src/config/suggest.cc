// SPDX-License-Identifier: Apache-2.0
// Levenshtein distance over the (short, fixed) list of known configuration keys.
#include "config/suggest.h"

#include <algorithm>
#include <cstddef>
#include <numeric>
#include <vector>

namespace craton::hsm::config {
namespace {

constexpr std::size_t kMaxEdits = 2;

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // One row of the classic dynamic programme; keys are short, so this is plenty.
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t substitute = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitute});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::optional<std::string_view> closest_match(std::string_view word,
                                              std::span<const std::string_view> candidates) {
  std::optional<std::string_view> best;
  std::size_t best_distance = kMaxEdits + 1;
  for (const std::string_view candidate : candidates) {
    const std::size_t distance = edit_distance(word, candidate);
    if (distance < best_distance && distance * 2 < word.size()) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

}  // namespace craton::hsm::config
