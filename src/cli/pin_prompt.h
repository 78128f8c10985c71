// SPDX-License-Identifier: Apache-2.0
// Asking the operator for the user PIN on a terminal, with echo off.
#pragma once

#include <craton/hsm/error.h>
#include <craton/hsm/secret.h>

#include <string_view>

namespace craton::hsm::cli {

// The longest PIN read from a terminal; PKCS#11 tokens take far shorter ones.
inline constexpr std::size_t kMaxTerminalPinBytes = 256;

// Writes `prompt` to `out_fd`, then reads one line from the terminal `in_fd` with echo off
// (the terminal's settings are restored on every path, and on SIGINT, SIGTERM, SIGQUIT and
// SIGHUP before the signal takes its usual effect; job control stops are held off meanwhile).
// The PIN only ever lives in wiped memory. Errors: LoginRequired when `in_fd` is not a
// terminal in the foreground, when nothing was entered (an empty line, end of input) or the
// line is longer than kMaxTerminalPinBytes; OperationCanceled when a signal interrupted the
// entry and its handler returned.
[[nodiscard]] Result<SecretString> prompt_for_pin(int in_fd, int out_fd, std::string_view prompt);

}  // namespace craton::hsm::cli
