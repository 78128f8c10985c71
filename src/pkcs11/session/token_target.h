// SPDX-License-Identifier: Apache-2.0
// From the options that name a module and a token to the loaded module and the token's slot.
#pragma once

#include <craton/hsm/error.h>

#include <cstdint>
#include <memory>

#include "pkcs11/loader/module.h"
#include "pkcs11/session/token.h"

namespace craton::hsm::pkcs11 {

// What the session layer needs to reach one token: the module to load (path, path rules,
// C_Initialize arguments) and the token to select. No PIN: logging in is the pool's job, and
// the pool gets the only copy. The backend factory builds these from a configuration.
struct TokenOptions {
  ModuleOptions module;
  TokenSelector selector;
};

struct TokenTarget {
  std::shared_ptr<const Module> module;
  std::uint64_t slot = 0;
};

// Acquires the module and finds the token. Errors: those of Module::acquire and select_token.
[[nodiscard]] Result<TokenTarget> open_token(const TokenOptions& options);

}  // namespace craton::hsm::pkcs11
