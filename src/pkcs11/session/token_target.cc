// SPDX-License-Identifier: Apache-2.0
// Resolving token options to a loaded module and a slot.
#include "pkcs11/session/token_target.h"

#include <utility>

namespace craton::hsm::pkcs11 {

Result<TokenTarget> open_token(const TokenOptions& options) {
  CRATON_ASSIGN_OR_RETURN(std::shared_ptr<const Module> module, Module::acquire(options.module));
  CRATON_ASSIGN_OR_RETURN(const std::uint64_t slot, select_token(*module, options.selector));
  return TokenTarget{std::move(module), slot};
}

}  // namespace craton::hsm::pkcs11
