// SPDX-License-Identifier: Apache-2.0
// describe_token_capabilities: the capability table of the configured token, without a login.
#include <craton/hsm/capabilities.h>
#include <craton/hsm/config.h>

#include "backends/pkcs11/capabilities.h"
#include "backends/pkcs11/import_policy.h"
#include "backends/pkcs11/token_options.h"
#include "pkcs11/session/token_target.h"

namespace craton::hsm {

Result<TokenCapabilities> describe_token_capabilities(const Pkcs11PassthroughConfig& config) {
  CRATON_ASSIGN_OR_RETURN(const pkcs11::TokenTarget target, pkcs11::open_configured_token(config));
  CRATON_ASSIGN_OR_RETURN(pkcs11::Capabilities capabilities,
                          pkcs11::Capabilities::probe(*target.module, target.slot, config));
  // On public sessions of its own: one public data object, destroyed whatever the token did.
  capabilities.probe_session_objects(target.module, target.slot);
  TokenCapabilities described = capabilities.describe();
  // What a backend would start with; auto's switches happen on the first refused import.
  pkcs11::describe_import(
      pkcs11::ImportPolicy(config.import_method,
                           capabilities.vendor_profile().quirks.refuses_private_key_create),
      described);
  return described;
}

}  // namespace craton::hsm
