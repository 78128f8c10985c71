// SPDX-License-Identifier: Apache-2.0
// Where the user PIN comes from: the PIN file, else the environment, never the TOML.
#pragma once

#include <craton/hsm/config.h>

namespace craton::hsm::config {

// Sets config.user_pin from config.pin_file when that is set (read_pin_file's rules), else from
// the file the token_uri's pin-source names (the same rules), else from the environment variable
// config.pin_env when it is set and non-empty; otherwise leaves the PIN unset, which is allowed
// (commands such as `info` need no login). Errors: ConfigInvalid naming pin_file or "token_uri
// pin-source" and the path; messages never contain the PIN.
[[nodiscard]] Result<void> resolve_pin(Pkcs11PassthroughConfig& config);

}  // namespace craton::hsm::config
