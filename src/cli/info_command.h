// SPDX-License-Identifier: Apache-2.0
// The `info` subcommand: library, tokens and the selected token's mechanisms.
#pragma once

#include <CLI/App.hpp>

#include "cli/command.h"
#include "cli/options.h"

namespace craton::hsm::cli {

// Adds `info [--json]` to `app`. When it is chosen, `action` is set to build the config from
// `global`, collect the report and print it on stdout. Needs no PIN and never logs in.
// `global` must outlive the action.
void add_info_command(CLI::App& app, const GlobalOptions& global, CommandAction& action);

}  // namespace craton::hsm::cli
