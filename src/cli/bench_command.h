// SPDX-License-Identifier: Apache-2.0
// The `bench` subcommand: the benchmark suite's measurement against the configured token.
#pragma once

#include <CLI/App.hpp>

#include "cli/command.h"
#include "cli/options.h"

namespace craton::hsm::cli {

// Adds `bench` to `app`. Needs a token selector and the user PIN. Runs the cases the token's
// mechanism list supports through the raw PKCS#11 baseline, the passthrough backend and the
// software backend (and with --audit the backend with a throwaway audit trail), and prints
// the table (or JSON with --json). Cases the token cannot run are reported as skipped. Creates
// session objects only and fails (exit 3) if the token's object count differs afterwards;
// never writes into the configured audit trail.
void add_bench_command(CLI::App& app, const GlobalOptions& global, CommandAction& action);

}  // namespace craton::hsm::cli
