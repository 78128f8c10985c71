// SPDX-License-Identifier: Apache-2.0
// From a Pkcs11PassthroughConfig to the session layer's TokenOptions: the one place that reads
// a configuration's module and token fields (the backend, `craton-hsm info`, the benchmark's
// raw baseline). The PIN stays in the config; the pool gets it from the backend factory.
#pragma once

#include <craton/hsm/config.h>
#include <craton/hsm/error.h>

#include "pkcs11/loader/module.h"
#include "pkcs11/session/token.h"
#include "pkcs11/session/token_target.h"

namespace craton::hsm::pkcs11 {

// The module to load: library_path, or the token URI's module-path when that is empty.
[[nodiscard]] ModuleOptions module_options(const Pkcs11PassthroughConfig& config);

// Errors: ConfigInvalid when not exactly one selector is set.
[[nodiscard]] Result<TokenSelector> token_selector(const Pkcs11PassthroughConfig& config);

// Validates the config, then translates it. Errors: those of Pkcs11PassthroughConfig::validate.
[[nodiscard]] Result<TokenOptions> token_options(const Pkcs11PassthroughConfig& config);

// token_options, then open_token. Errors: those of validate, Module::acquire and select_token.
[[nodiscard]] Result<TokenTarget> open_configured_token(const Pkcs11PassthroughConfig& config);

}  // namespace craton::hsm::pkcs11
