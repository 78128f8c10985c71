// SPDX-License-Identifier: Apache-2.0
// describe_pkcs11_module: the library, its tokens and the configured token's mechanisms.
#include <craton/hsm/config.h>
#include <craton/hsm/pkcs11_info.h>

#include <memory>
#include <utility>

#include "backends/pkcs11/token_options.h"
#include "pkcs11/loader/module.h"
#include "pkcs11/session/token.h"
#include "pkcs11/session/token_target.h"

namespace craton::hsm {

Result<Pkcs11ModuleInfo> describe_pkcs11_module(const Pkcs11PassthroughConfig& config) {
  Pkcs11ModuleInfo info;
  std::shared_ptr<const pkcs11::Module> module;
  if (config.slot_id || config.token_label || config.token_serial || config.token_uri) {
    // Resolving the token first means a wrong selector fails before anything is described.
    CRATON_ASSIGN_OR_RETURN(pkcs11::TokenTarget target, pkcs11::open_configured_token(config));
    module = std::move(target.module);
    info.selected_slot = target.slot;
  } else {
    // validate() insists on a selector, which listing tokens does not need; acquire() still
    // applies the path rules (absolute, not group/world writable).
    CRATON_ASSIGN_OR_RETURN(module, pkcs11::Module::acquire(pkcs11::module_options(config)));
  }
  info.module_path = module->path();
  CRATON_ASSIGN_OR_RETURN(info.library, pkcs11::describe_library(*module));
  CRATON_ASSIGN_OR_RETURN(info.tokens, pkcs11::describe_tokens(*module));
  if (info.selected_slot) {
    CRATON_ASSIGN_OR_RETURN(info.mechanisms,
                            pkcs11::describe_mechanisms(*module, *info.selected_slot));
  }
  return info;
}

Pkcs11Uri token_uri_of(const Pkcs11TokenInfo& token) {
  Pkcs11Uri uri;
  uri.token = token.label;
  uri.manufacturer = token.manufacturer;
  uri.serial = token.serial;
  uri.model = token.model;
  return uri;
}

}  // namespace craton::hsm
