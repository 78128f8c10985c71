// SPDX-License-Identifier: Apache-2.0
// Helpers for running the built craton-hsm binary from tests and inspecting what it printed.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "support/fault_shim.h"
#include "support/softhsm_token.h"

namespace craton::hsm::testing {

// Runs `craton-hsm <args>` through the shell (args are shell syntax, so tests can redirect or
// prefix environment assignments with `env_prefix`). Output is stdout and stderr combined.
// The CLI's own variables are cleared first: a test gives what it needs in `env_prefix`, and a
// developer's shell that sourced a provisioned token (scripts/provision-token.sh) must not
// change what a test sees.
inline CommandResult run_cli(std::string_view args, std::string_view env_prefix = "") {
  return run_command(
      fmt::format("env -u CRATON_HSM_PIN -u CRATON_HSM_CONFIG -u CRATON_BUDGET_PW "
                  "{} '{}' {}",
                  env_prefix, kCliPath, args));
}

// The module path and selector every happy-path test uses.
inline std::string module_args() {
  return fmt::format("--module '{}'", kModulePath);
}

// The selector and PIN of the throwaway token, for commands that log in. Global options go
// before the subcommand so tests may append redirections and pipes to `args`.
inline std::string token_args() {
  return fmt::format("--module '{}' --token-label {}", kModulePath, kTokenLabel);
}
inline std::string pin_env() {
  return fmt::format("CRATON_HSM_PIN={}", kUserPin);
}
inline CommandResult run_on_token(std::string_view args) {
  return run_cli(fmt::format("{} {}", token_args(), args), pin_env());
}
// A config file in `dir` selecting the suite's token through the fault shim (no PIN in it);
// the shim's faults come from the CRATON_FAULT* environment of the run.
inline std::string shim_config(const TempDir& dir) {
  return dir
      .write("shim.toml", fmt::format("library_path = \"{}\"\ntoken_label = \"{}\"\n"
                                      "allow_unprotected_library_path = true\n",
                                      kFaultShimPath, kTokenLabel))
      .string();
}

inline std::size_t line_count(std::string_view output) {
  return static_cast<std::size_t>(std::ranges::count(output, '\n'));
}

}  // namespace craton::hsm::testing
