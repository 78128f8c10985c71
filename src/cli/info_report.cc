// SPDX-License-Identifier: Apache-2.0
// Gathers the library, token and mechanism descriptions for `craton-hsm info`.
#include "cli/info_report.h"

#include <fmt/format.h>

namespace craton::hsm::cli {

Result<InfoReport> collect_info(const CliConfig& cli_config) {
  return describe_pkcs11_module(cli_config.config);
}

std::string version_string(const Pkcs11Version& version) {
  return fmt::format("{}.{}", version.major, version.minor);
}

}  // namespace craton::hsm::cli
