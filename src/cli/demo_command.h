// SPDX-License-Identifier: Apache-2.0
// The `demo` subcommand: every operation once on the configured token, cross-checked.
#pragma once

#include <CLI/App.hpp>

#include "cli/command.h"
#include "cli/options.h"

namespace craton::hsm::cli {

// Adds `demo` to `app`. Needs a token selector and the user PIN. Fails (exit 3) when any step
// fails; schemes the token cannot do are reported as unsupported, not as failures.
void add_demo_command(CLI::App& app, const GlobalOptions& global, CommandAction& action);

}  // namespace craton::hsm::cli
