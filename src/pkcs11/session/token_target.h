// SPDX-License-Identifier: Apache-2.0
// From a Pkcs11PassthroughConfig to the module and slot it names.
#pragma once

#include <craton/hsm/config.h>
#include <craton/hsm/error.h>

#include <cstdint>
#include <memory>

#include "pkcs11/loader/module.h"
#include "pkcs11/session/token.h"

namespace craton::hsm::pkcs11 {

struct TokenTarget {
  std::shared_ptr<const Module> module;
  std::uint64_t slot = 0;
};

// The module to load: library_path, or the token URI's module-path when that is empty.
[[nodiscard]] ModuleOptions module_options(const Pkcs11PassthroughConfig& config);

// Errors: ConfigInvalid when not exactly one selector is set.
[[nodiscard]] Result<TokenSelector> token_selector(const Pkcs11PassthroughConfig& config);

// Validates the config, acquires its module and finds its token. Errors: those of
// Pkcs11PassthroughConfig::validate, Module::acquire and select_token.
[[nodiscard]] Result<TokenTarget> open_token(const Pkcs11PassthroughConfig& config);

}  // namespace craton::hsm::pkcs11
