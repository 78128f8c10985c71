// SPDX-License-Identifier: Apache-2.0
// The concurrency setting of the configuration TOML: `concurrency = "adaptive" | N |
// "unlimited"` for every class, or a [concurrency] table with `default` and per-class keys.
#pragma once

#include <craton/hsm/concurrency.h>
#include <craton/hsm/error.h>

#include <toml++/toml.h>

namespace craton::hsm::config {

// Reads root["concurrency"] when present; absent: every class unlimited. Errors: ConfigInvalid
// "concurrency[.<key>]: ..." for a wrong type, an unknown key or a bad value.
[[nodiscard]] Result<ConcurrencyConfig> parse_concurrency(const toml::table& root);

}  // namespace craton::hsm::config
