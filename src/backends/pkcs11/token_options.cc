// SPDX-License-Identifier: Apache-2.0
// Translating a configuration into module and token options.
#include "backends/pkcs11/token_options.h"

#include "config/rules.h"

namespace craton::hsm::pkcs11 {

ModuleOptions module_options(const Pkcs11PassthroughConfig& config) {
  return {.library_path = config::effective_library_path(config),
          .allow_unprotected_library_path = config.allow_unprotected_library_path,
          .init_reserved = config.init_reserved,
          .serialize_calls = config.serialize_calls.value_or(false)};
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

Result<TokenOptions> token_options(const Pkcs11PassthroughConfig& config) {
  CRATON_RETURN_IF_ERROR(config.validate());
  CRATON_ASSIGN_OR_RETURN(TokenSelector selector, token_selector(config));
  return TokenOptions{module_options(config), std::move(selector)};
}

Result<TokenTarget> open_configured_token(const Pkcs11PassthroughConfig& config) {
  CRATON_ASSIGN_OR_RETURN(const TokenOptions options, token_options(config));
  return open_token(options);
}

}  // namespace craton::hsm::pkcs11
