// SPDX-License-Identifier: Apache-2.0
// Gathers the library, token and mechanism descriptions for `craton-hsm info`.
#include "cli/info_report.h"

#include <fmt/format.h>

namespace craton::hsm::cli {

Result<InfoReport> collect_info(const CliConfig& cli_config) {
  InfoReport report;
  CRATON_ASSIGN_OR_RETURN(static_cast<Pkcs11ModuleInfo&>(report),
                          describe_pkcs11_module(cli_config.config));
  if (report.selected_slot) {
    CRATON_ASSIGN_OR_RETURN(report.capabilities, describe_token_capabilities(cli_config.config));
  }
  return report;
}

std::string version_string(const Pkcs11Version& version) {
  return fmt::format("{}.{}", version.major, version.minor);
}

}  // namespace craton::hsm::cli
