// SPDX-License-Identifier: Apache-2.0
// Command-line errors that say what is wrong without repeating what was typed.
#pragma once

#include <span>
#include <string>

#include <CLI/App.hpp>

namespace craton::hsm::cli {

// One line for a CLI11 parse failure of `app` on `args` (argv without the program name). It
// never contains an argument's value: operators type PINs where they do not belong, and error
// lines end up in logs. An unknown option is named (with a suggestion when one is close), a
// missing or mistyped command gets "unknown command 'x'; did you mean 'y'?" only when x is close
// to a command (anything else could be a PIN), an invalid value names its option, and CLI11's
// own text is used only when it contains no argument value.
[[nodiscard]] std::string describe_parse_error(const CLI::ParseError& error, const CLI::App& app,
                                               std::span<char* const> args);

}  // namespace craton::hsm::cli
