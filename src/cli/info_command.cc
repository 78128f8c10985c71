// SPDX-License-Identifier: Apache-2.0
// Registers `craton-hsm info` and runs it: build config, collect, render, print.
#include "cli/info_command.h"

#include <cstdio>
#include <memory>
#include <string>

#include "cli/info_render.h"
#include "cli/info_report.h"
#include "cli/token_access.h"

namespace craton::hsm::cli {
namespace {

constexpr const char* kInfoFooter = R"(
Without a token selector, lists the tokens only; with one, also the token's mechanisms and its
capability table: for each scheme and operation, whether the token does it and how ("token":
its own mechanism; "host-prehash": hashed here, signed by the token's raw mechanism, the same
bits; "unsupported", with the reason), and whether it keeps session objects (found with one
throwaway public session object, destroyed again).
Each token's PKCS#11 URI is printed (as p11tool --list-tokens does): put it in a config as
token_uri = "pkcs11:..." to select that token.
No PIN is needed and no login happens; without a PIN configured, a note on stderr says that
other commands would see public objects only. Global options (--config, --module, --slot,
--token-label, --token-serial) may come before or after "info"; see craton-hsm --help.

Examples:
  craton-hsm info --module /usr/lib/softhsm/libsofthsm2.so
  craton-hsm info --module /usr/lib/softhsm/libsofthsm2.so --token-label ci-token
  craton-hsm info --config /etc/craton/hsm.toml --json | jq '.mechanisms[].name')";

struct InfoOptions {
  bool json = false;
};

Result<void> run_info(const GlobalOptions& global, const InfoOptions& options) {
  CRATON_ASSIGN_OR_RETURN(const CliConfig config, build_config(global));
  CRATON_ASSIGN_OR_RETURN(const InfoReport report, collect_info(config));
  const std::string text = options.json ? render_info_json(report) : render_info_text(report);
  // `info --json > file` on a full disk must not exit 0 with a truncated file. Plain fwrite:
  // fmt::print would throw on a failed write instead of returning.
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0) {
    return fail(ErrorCode::Internal, "writing the report to standard output failed");
  }
  note_public_objects_only(global, config);
  return {};
}

}  // namespace

void add_info_command(CLI::App& app, const GlobalOptions& global, CommandAction& action) {
  auto options = std::make_shared<InfoOptions>();
  CLI::App* info = app.add_subcommand(
      "info", "show the PKCS#11 library, its tokens, their mechanisms and capabilities");
  info->add_flag("--json", options->json, "print one JSON object instead of text");
  info->footer(kInfoFooter);
  info->callback([&global, &action, options] {
    action = [&global, options] { return run_info(global, *options); };
  });
}

}  // namespace craton::hsm::cli
