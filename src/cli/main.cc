// SPDX-License-Identifier: Apache-2.0
// craton-hsm, the operator CLI: parses the command line, runs the chosen command, maps errors to
// exit codes.
#include <craton/hsm/error.h>

#include <csignal>
#include <cstdio>
#include <exception>
#include <span>
#include <string>
#include <utility>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/bench_command.h"
#include "cli/command.h"
#include "cli/demo_command.h"
#include "cli/error_report.h"
#include "cli/exit_codes.h"
#include "cli/info_command.h"
#include "cli/operator_commands.h"
#include "cli/options.h"
#include "cli/parse_errors.h"
#include "cli/process_hardening.h"
#include "cli/status_command.h"
#include "cli/version.h"

namespace {

using craton::hsm::cli::ExitCode;
using craton::hsm::cli::to_int;

constexpr const char* kFooter = R"(
The user PIN is read from --pin-file or the CRATON_HSM_PIN environment variable, never from
the command line. Commands that use private or secret keys (keygen, destroy, sign, encrypt,
decrypt, wrap, unwrap; audit verify with a chain key on the token) need it: on a terminal they
ask for it (not echoed), anywhere else they fail with LoginRequired (exit 2). list, info,
export-pub and verify run without it and then say "not logged in: public objects only" on
stderr.

Core dumps are off (RLIMIT_CORE 0, not dumpable) so they cannot hold the PIN; set
CRATON_HSM_ALLOW_CORE_DUMPS=1 to debug craton-hsm itself.

Example:
  craton-hsm info --module /usr/lib/softhsm/libsofthsm2.so --token-label ci-token)";

// Errors are one line on stderr so logs and scripts can grep them (with --json one JSON object,
// docs/cli-json.md). A line that cannot be written (stderr closed or full) is lost, but the exit
// code still says what happened: fwrite, because fmt::print throws on a failed write.
void print_error(const craton::hsm::HsmError& error, bool json) {
  const std::string line = craton::hsm::cli::render_error(error, json);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

// An invocation refused before any command ran.
template <typename... Args>
void print_usage_error(bool json, fmt::format_string<Args...> format, Args&&... args) {
  print_error(craton::hsm::HsmError(craton::hsm::ErrorCode::InvalidArgument,
                                    fmt::format(format, std::forward<Args>(args)...)),
              json);
}

int run(int argc, char** argv) {
  namespace cli = craton::hsm::cli;
  // Before any PIN is read (the prompt, --pin-file, the environment's copy).
  if (const auto hardened = cli::keep_secrets_out_of_core_dumps(); !hardened) {
    const std::string line =
        fmt::format("craton-hsm: warning: core dumps stay possible: {}\n", hardened.error());
    std::fwrite(line.data(), 1, line.size(), stderr);
  }

  const std::span<char* const> args = std::span(argv, argc).subspan(argc > 0 ? 1 : 0);
  const bool json = cli::json_requested(args);
  // Refused before CLI11 parses, with a message that says how to give a PIN instead (and,
  // like every parse error here, never repeats the value).
  if (const auto pin_option = cli::find_pin_argument(args)) {
    print_usage_error(
        json,
        "{}: PINs are never accepted on the command line (they leak through ps and shell "
        "history); use --pin-file FILE or the CRATON_HSM_PIN environment variable",
        *pin_option);
    return to_int(ExitCode::UsageError);
  }

  CLI::App app("craton-hsm: inspect and operate PKCS#11 tokens through Craton HSM", "craton-hsm");
  // Global options may come after the subcommand ("craton-hsm info --module ...").
  app.fallthrough();
  app.require_subcommand(1);
  app.set_version_flag("--version", cli::version_text(),
                       "print the versions of craton-hsm, its library and OpenSSL, and exit");
  cli::GlobalOptions global;
  cli::add_global_options(app, global);
  cli::CommandAction action;
  cli::add_info_command(app, global, action);
  cli::add_demo_command(app, global, action);
  cli::add_keygen_command(app, global, action);
  cli::add_import_command(app, global, action);
  cli::add_list_command(app, global, action);
  cli::add_export_pub_command(app, global, action);
  cli::add_export_cert_command(app, global, action);
  cli::add_destroy_command(app, global, action);
  cli::add_sign_command(app, global, action);
  cli::add_verify_command(app, global, action);
  cli::add_encrypt_command(app, global, action);
  cli::add_decrypt_command(app, global, action);
  cli::add_wrap_command(app, global, action);
  cli::add_unwrap_command(app, global, action);
  cli::add_random_command(app, global, action);
  cli::add_digest_command(app, global, action);
  cli::add_audit_command(app, global, action);
  cli::add_budget_command(app, global, action);
  cli::add_bench_command(app, global, action);
  cli::add_status_command(app, global, action);
  app.footer(kFooter);  // after the subcommands, which would otherwise inherit it
  cli::add_exit_code_help(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // --help and --version are "errors" with exit code 0 in CLI11.
    if (error.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(error);
    print_usage_error(json, "{} (run 'craton-hsm --help' for usage)",
                      cli::describe_parse_error(error, app, args));
    return to_int(ExitCode::UsageError);
  }
  if (const auto chosen = app.get_subcommands(); !chosen.empty()) {
    global.command = chosen.front()->get_name();
  }

  if (!action) {  // unreachable while every subcommand sets its action
    print_usage_error(json, "no command to run (run 'craton-hsm --help' for usage)");
    return to_int(ExitCode::UsageError);
  }
  if (const craton::hsm::Result<void> result = action(); !result) {
    print_error(result.error(), json);
    return to_int(cli::exit_code_for(result.error().code()));
  }
  return to_int(ExitCode::Ok);
}

// Nothing escapes: an exception (out of memory, a throwing library) is one error line and exit
// code 3, not an abort. A throw from a handler would abort after all, so when even the report
// cannot be built it falls back to fputs.
void report_exception(const char* what, std::span<char* const> args) noexcept {
  try {
    print_error(craton::hsm::HsmError(craton::hsm::ErrorCode::Internal, what),
                craton::hsm::cli::json_requested(args));
  } catch (...) {
    std::fputs("craton-hsm: error: Internal: ", stderr);
    std::fputs(what, stderr);
    std::fputs("\n", stderr);
  }
}

}  // namespace

int main(int argc, char** argv) {
  // Past RLIMIT_FSIZE a write then fails with EFBIG and --out and the audit trail take their
  // failure paths (nothing left behind, exit 3 or 4); the default action would kill the process
  // half-way through a file.
  (void)std::signal(SIGXFSZ, SIG_IGN);
  const std::span<char* const> args = std::span(argv, argc).subspan(argc > 0 ? 1 : 0);
  try {
    return run(argc, argv);
  } catch (const std::exception& error) {
    report_exception(error.what(), args);
  } catch (...) {
    report_exception("unknown exception", args);
  }
  return to_int(ExitCode::OperationFailed);
}
