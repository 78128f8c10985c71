// SPDX-License-Identifier: Apache-2.0
// InfoReport: everything `craton-hsm info` shows, gathered before anything is printed.
#pragma once

#include <craton/hsm/capabilities.h>
#include <craton/hsm/error.h>
#include <craton/hsm/pkcs11_info.h>

#include <optional>
#include <string>

#include "cli/options.h"

namespace craton::hsm::cli {

// Plain values only: the module is released before rendering starts. Gathering everything
// first means a failure prints one error line and no half-written report. With a selected
// token, also its capability table and session-object finding (describe_token_capabilities).
struct InfoReport : Pkcs11ModuleInfo {
  std::optional<TokenCapabilities> capabilities;
};

// describe_pkcs11_module on the command line's configuration: with a selector, the config is
// validated and the selected token's mechanisms and capabilities are described too (no login);
// without one, the module is loaded and its tokens listed. Errors: those of describe_pkcs11_module
// (ConfigInvalid, LibraryLoad, LibraryPathUnprotected, NotAPkcs11Module, TokenNotFound, ...).
[[nodiscard]] Result<InfoReport> collect_info(const CliConfig& cli_config);

// "2.40": PKCS#11 versions are major.minor with the minor as written by the module.
[[nodiscard]] std::string version_string(const Pkcs11Version& version);

}  // namespace craton::hsm::cli
