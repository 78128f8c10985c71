// SPDX-License-Identifier: Apache-2.0
// The [vendor_quirks] table and the import_method key of the configuration TOML.
#pragma once

#include <craton/hsm/config.h>
#include <craton/hsm/error.h>

#include <toml++/toml.h>

namespace craton::hsm::config {

// Reads root["vendor_quirks"] when present (empty when absent): an unknown key is
// ConfigInvalid "vendor_quirks.<key>: unknown key (did you mean ...?)", a value other than a
// boolean, integer or string, or of the wrong one of those for its switch, names the switch.
[[nodiscard]] Result<std::map<std::string, VendorQuirkValue, std::less<>>> parse_vendor_quirks(
    const toml::table& root);

// Reads root["import_method"] (Auto when absent): a string "auto", "create" or "unwrap";
// anything else is ConfigInvalid "import_method: ..." with the closest name for a misspelt one.
[[nodiscard]] Result<ImportMethod> parse_import_method(const toml::table& root);

}  // namespace craton::hsm::config
