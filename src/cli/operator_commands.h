// SPDX-License-Identifier: Apache-2.0
// The operator's commands on the configured token: keys, signatures, encryption, wrapping,
// randomness, digests and the audit trail. One registration function per command.
#pragma once

#include <memory>
#include <utility>

#include <CLI/App.hpp>

#include "cli/command.h"
#include "cli/options.h"

namespace craton::hsm::cli {

// Each adds its subcommand to `app`; when it is chosen, `action` is set to run it with the
// final `global` options (which must outlive the action). Every command needs a token
// selector and the user PIN, except `audit verify` with a key file. A command that used the
// token calls flush_audit() before it writes or prints anything: a result leaves the process
// only once its audit record is on disk (a kill -9 after --out appears cannot lose it), and a
// record the trail cannot take fails the command (exit code 4) with nothing released.
void add_keygen_command(CLI::App& app, const GlobalOptions& global, CommandAction& action);
void add_import_command(CLI::App& app, const GlobalOptions& global, CommandAction& action);
void add_list_command(CLI::App& app, const GlobalOptions& global, CommandAction& action);
void add_export_pub_command(CLI::App& app, const GlobalOptions& global, CommandAction& action);
void add_export_cert_command(CLI::App& app, const GlobalOptions& global, CommandAction& action);
void add_destroy_command(CLI::App& app, const GlobalOptions& global, CommandAction& action);
void add_sign_command(CLI::App& app, const GlobalOptions& global, CommandAction& action);
void add_verify_command(CLI::App& app, const GlobalOptions& global, CommandAction& action);
void add_encrypt_command(CLI::App& app, const GlobalOptions& global, CommandAction& action);
void add_decrypt_command(CLI::App& app, const GlobalOptions& global, CommandAction& action);
void add_wrap_command(CLI::App& app, const GlobalOptions& global, CommandAction& action);
void add_unwrap_command(CLI::App& app, const GlobalOptions& global, CommandAction& action);
void add_random_command(CLI::App& app, const GlobalOptions& global, CommandAction& action);
void add_digest_command(CLI::App& app, const GlobalOptions& global, CommandAction& action);
void add_audit_command(CLI::App& app, const GlobalOptions& global, CommandAction& action);
// `budget list|show|retire` works on the [budget] store alone: no token, no PIN.
void add_budget_command(CLI::App& app, const GlobalOptions& global, CommandAction& action);

// The shared registration pattern: `Options` lives as long as the parser (shared with the
// callback), and choosing `command` installs run(global, options) as the action.
template <typename Options, typename Run>
void install_action(CLI::App& command, const GlobalOptions& global, CommandAction& action,
                    std::shared_ptr<Options> options, Run run) {
  command.callback([&global, &action, options = std::move(options), run] {
    action = [&global, options, run] { return run(global, *options); };
  });
}

}  // namespace craton::hsm::cli
