// SPDX-License-Identifier: Apache-2.0
// The `status` subcommand: the token backend's health and stats (text, JSON or Prometheus).
#pragma once

#include <craton/hsm/pkcs11_backend.h>

#include <CLI/App.hpp>

#include <string>

#include "cli/command.h"
#include "cli/options.h"

namespace craton::hsm::cli {

// Adds `status [--json | --prometheus]` to `app`: opens the configured token (logging in when
// a PIN is configured, never prompting), asks health() and stats() and prints them. Exit 0 when
// ready, 0 with a note on stderr when degraded, 3 (DeviceUnavailable) when down.
// `global` must outlive the action.
void add_status_command(CLI::App& app, const GlobalOptions& global, CommandAction& action);

// The report as text and as the JSON object of docs/cli-json.md.
[[nodiscard]] std::string render_status_text(const Health& health, const BackendStats& stats);
[[nodiscard]] std::string render_status_json(const Health& health, const BackendStats& stats);

}  // namespace craton::hsm::cli
