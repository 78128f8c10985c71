// SPDX-License-Identifier: Apache-2.0
// The exit-code table in every command's --help.
#include "cli/exit_codes.h"

// All of CLI11, not just App.hpp: Formatter's and ConfigBase's virtual functions are defined
// (inline) only in Formatter.hpp and Config.hpp, so their vtables are emitted only where those
// are included. App's constructor needs both; this file gives every user of the library one.
#include <CLI/CLI.hpp>

namespace craton::hsm::cli {

void add_exit_code_help(CLI::App& app) {
  app.footer(app.get_footer() + kExitCodeHelp);
  for (CLI::App* command : app.get_subcommands({})) add_exit_code_help(*command);
}

}  // namespace craton::hsm::cli
