// SPDX-License-Identifier: Apache-2.0
// Resolving a configuration to a loaded module and a slot.
#include "pkcs11/session/token_target.h"

#include "config/rules.h"

namespace craton::hsm::pkcs11 {

ModuleOptions module_options(const Pkcs11PassthroughConfig& config) {
  return {.library_path = config::effective_library_path(config),
          .allow_unprotected_library_path = config.allow_unprotected_library_path,
          .init_reserved = std::nullopt};
}

Result<TokenSelector> token_selector(const Pkcs11PassthroughConfig& config) {
  const int selectors = int{config.slot_id.has_value()} + int{config.token_label.has_value()} +
                        int{config.token_serial.has_value()} + int{config.token_uri.has_value()};
  if (selectors != 1) {
    return fail(ErrorCode::ConfigInvalid,
                "slot_id/token_label/token_serial/token_uri: set exactly one to select the token");
  }
  if (config.slot_id) return BySlotId{*config.slot_id};
  if (config.token_label) return ByLabel{*config.token_label};
  if (config.token_serial) return BySerial{*config.token_serial};
  return ByUri{*config.token_uri};
}

Result<TokenTarget> open_token(const Pkcs11PassthroughConfig& config) {
  CRATON_RETURN_IF_ERROR(config.validate());
  CRATON_ASSIGN_OR_RETURN(const TokenSelector selector, token_selector(config));
  CRATON_ASSIGN_OR_RETURN(std::shared_ptr<const Module> module,
                          Module::acquire(module_options(config)));
  CRATON_ASSIGN_OR_RETURN(const std::uint64_t slot, select_token(*module, selector));
  return TokenTarget{std::move(module), slot};
}

}  // namespace craton::hsm::pkcs11
