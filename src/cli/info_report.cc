// SPDX-License-Identifier: Apache-2.0
// Gathers the library, token and mechanism descriptions for `craton-hsm info`.
#include "cli/info_report.h"

#include <memory>

#include <fmt/format.h>

#include "pkcs11/loader/module.h"
#include "pkcs11/session/token_target.h"

namespace craton::hsm::cli {

Result<InfoReport> collect_info(const CliConfig& cli_config) {
  const Pkcs11PassthroughConfig& config = cli_config.config;
  InfoReport report;
  std::shared_ptr<const pkcs11::Module> module;
  if (cli_config.has_selector) {
    // Resolving the token first means a wrong selector fails before any output is produced.
    CRATON_ASSIGN_OR_RETURN(pkcs11::TokenTarget target, pkcs11::open_token(config));
    module = std::move(target.module);
    report.selected_slot = target.slot;
  } else {
    // validate() insists on a selector, which listing tokens does not need; acquire() still
    // applies the path rules (absolute, not group/world writable).
    CRATON_ASSIGN_OR_RETURN(module, pkcs11::Module::acquire(pkcs11::module_options(config)));
  }
  report.module_path = module->path();
  CRATON_ASSIGN_OR_RETURN(report.library, pkcs11::describe_library(*module));
  CRATON_ASSIGN_OR_RETURN(report.tokens, pkcs11::describe_tokens(*module));
  if (report.selected_slot) {
    CRATON_ASSIGN_OR_RETURN(report.mechanisms,
                            pkcs11::describe_mechanisms(*module, *report.selected_slot));
  }
  return report;
}

std::string version_string(const pkcs11::Version& version) {
  return fmt::format("{}.{}", version.major, version.minor);
}

}  // namespace craton::hsm::cli
