// SPDX-License-Identifier: Apache-2.0
// The exit-code table in every command's --help.
#include "cli/exit_codes.h"

#include <CLI/App.hpp>

namespace craton::hsm::cli {

void add_exit_code_help(CLI::App& app) {
  app.footer(app.get_footer() + kExitCodeHelp);
  for (CLI::App* command : app.get_subcommands({})) add_exit_code_help(*command);
}

}  // namespace craton::hsm::cli
