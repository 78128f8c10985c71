// SPDX-License-Identifier: Apache-2.0
// What the backend does with its vendor profile (src/vendor): choosing it from the module's
// identity, applying it to the module and the pool, and refusing what the vendor's token
// cannot do correctly before any token call.
#pragma once

#include <craton/hsm/config.h>
#include <craton/hsm/error.h>
#include <craton/hsm/keys.h>

#include <string_view>

#include "pkcs11/loader/module.h"
#include "pkcs11/pool/session_pool.h"
#include "vendor/vendor_profile.h"

namespace craton::hsm::pkcs11 {

// Applies what must be in force before the pool opens sessions: serialised calls on the
// module, and the session limits in `pool` (a diagnostic, SessionCount, when the profile's
// limit is below pool_size). The profile itself is resolved with the capabilities
// (Capabilities::probe), which read the same identity strings.
void apply_vendor_profile(const vendor::VendorProfile& profile, const Module& module,
                          PoolOptions& pool);

// MechanismUnsupported naming the profile when its token chooses the GCM IV itself and refuses
// the caller's: our sealed format carries the IV we drew (and counted), never one we did not.
[[nodiscard]] Result<void> require_caller_gcm_iv(const vendor::VendorProfile& profile);

}  // namespace craton::hsm::pkcs11
