// SPDX-License-Identifier: Apache-2.0
// The PKCS#11 passthrough backend: every operation delegated to the vendor token through a
// pool of logged-in sessions with per-session key caches.
#pragma once

#include <craton/hsm/backend.h>
#include <craton/hsm/config.h>
#include <craton/hsm/export.h>

#include <memory>

namespace craton::hsm {

// Loads the configured module, selects the token, opens `pool_size` sessions and logs in
// once. Material keys are imported into the token on first use (session objects, CKA_TOKEN
// false, CKA_SENSITIVE true, only the usage attributes the operation needs) and cached per
// session; AES-GCM encryption is budgeted per key (gcm_max_messages_per_key).
// Errors: those of load_config's validation, Module loading, token selection and login.
[[nodiscard]] CRATON_HSM_API Result<std::unique_ptr<CryptoBackend>> make_pkcs11_backend(
    Pkcs11PassthroughConfig config);

}  // namespace craton::hsm
