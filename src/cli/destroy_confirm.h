// SPDX-License-Identifier: Apache-2.0
// The confirmation policy of `destroy`, separate from the terminal so tests can drive it.
#pragma once

#include <craton/hsm/error.h>
#include <craton/hsm/resident_keys.h>

#include <string>
#include <string_view>

namespace craton::hsm::cli {

// Without --yes someone must confirm, which needs a terminal on standard input. Errors:
// InvalidArgument (a usage error: exit 2) when neither is there.
[[nodiscard]] Result<void> check_destroy_allowed(bool yes, bool stdin_is_tty);

// What the operator types to confirm: the label, or the hex id when the URI names no label, or
// the handle when it names neither.
[[nodiscard]] std::string confirmation_word(const KeyRef& ref);

// Exact match after trimming surrounding whitespace (the newline of the typed line).
[[nodiscard]] bool confirmation_matches(std::string_view typed, std::string_view expected);

}  // namespace craton::hsm::cli
