// SPDX-License-Identifier: Apache-2.0
// Test configurations for the SoftHSM2 token and the fault shim.
#include "support/softhsm_config.h"

#include "support/fault_shim.h"
#include "support/softhsm_token.h"

namespace craton::hsm::testing {

Pkcs11PassthroughConfig softhsm_config() {
  Pkcs11PassthroughConfig config;
  config.library_path = std::string(kModulePath);
  config.token_label = std::string(kTokenLabel);
  config.user_pin.emplace(kUserPin);
  return config;
}

Pkcs11PassthroughConfig fault_shim_config() {
  Pkcs11PassthroughConfig config = softhsm_config();
  config.library_path = std::string(kFaultShimPath);
  config.allow_unprotected_library_path = true;  // the build tree is not ours to vouch for
  return config;
}

}  // namespace craton::hsm::testing
