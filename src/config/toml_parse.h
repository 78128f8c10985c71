// SPDX-License-Identifier: Apache-2.0
// TOML text to Pkcs11PassthroughConfig fields; the schema is documented in toml_parse.cc.
#pragma once

#include <craton/hsm/config.h>

#include <filesystem>
#include <string_view>

namespace craton::hsm::config {

// Parses `text` and checks key names, TOML types and integer ranges (so narrowing into the
// struct is exact). Does not run validate() and does not resolve the PIN. A relative pin_file
// is made absolute against `base_dir` (left relative when base_dir is empty). Errors:
// ConfigInvalid, message starting with the field (or "line L, column C" for syntax errors),
// never containing a PIN.
[[nodiscard]] Result<Pkcs11PassthroughConfig> parse_toml(std::string_view text,
                                                         const std::filesystem::path& base_dir);

}  // namespace craton::hsm::config
