// SPDX-License-Identifier: Apache-2.0
// destroy's confirmation rules: when asking is possible and what counts as a yes.
#include "cli/destroy_confirm.h"

#include "core/hex.h"

namespace craton::hsm::cli {

Result<void> check_destroy_allowed(bool yes, bool stdin_is_tty) {
  if (yes || stdin_is_tty) return {};
  return fail(ErrorCode::InvalidArgument,
              "destroy needs confirmation: standard input is not a terminal, so pass --yes to "
              "destroy without asking; nothing was destroyed");
}

std::string confirmation_word(const KeyRef& ref) {
  if (ref.label) return *ref.label;
  if (!ref.id && ref.handle) return std::to_string(*ref.handle);
  return to_hex(ref.id.value_or(std::vector<std::uint8_t>{}));
}

bool confirmation_matches(std::string_view typed, std::string_view expected) {
  constexpr std::string_view kSpace = " \t\r\n";
  const std::size_t first = typed.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return false;
  typed = typed.substr(first, typed.find_last_not_of(kSpace) - first + 1);
  return !expected.empty() && typed == expected;
}

}  // namespace craton::hsm::cli
