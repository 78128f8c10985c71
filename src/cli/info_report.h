// SPDX-License-Identifier: Apache-2.0
// InfoReport: everything `craton-hsm info` shows, gathered before anything is printed.
#pragma once

#include <craton/hsm/error.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cli/options.h"
#include "pkcs11/session/token.h"

namespace craton::hsm::cli {

// Plain values only: the module is released before rendering starts. Gathering everything
// first means a failure prints one error line and no half-written report.
struct InfoReport {
  pkcs11::LibraryDescription library;
  std::filesystem::path module_path;  // as resolved by the loader
  std::vector<pkcs11::TokenDescription> tokens;
  std::optional<std::uint64_t> selected_slot;            // set when the config names a token
  std::vector<pkcs11::MechanismDescription> mechanisms;  // of the selected token only
};

// With a selector: open_token (validating the config first), then the selected token's
// mechanisms. Without one: loads the module and lists tokens only. Errors: those of open_token /
// Module::acquire (ConfigInvalid, LibraryLoad, LibraryPathUnprotected, NotAPkcs11Module,
// TokenNotFound, ...) and of the describe_* calls.
[[nodiscard]] Result<InfoReport> collect_info(const CliConfig& cli_config);

// "2.40": PKCS#11 versions are major.minor with the minor as written by the module.
[[nodiscard]] std::string version_string(const pkcs11::Version& version);

}  // namespace craton::hsm::cli
