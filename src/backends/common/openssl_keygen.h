// SPDX-License-Identifier: Apache-2.0
// Key generation on the host with OpenSSL: the software backend's generate_key, and the
// passthrough's opt-in fallback for algorithms its token cannot generate.
#pragma once

#include <craton/hsm/error.h>
#include <craton/hsm/keys.h>
#include <craton/hsm/schemes.h>

namespace craton::hsm::common {

// A fresh key of `algorithm` from OpenSSL's DRBG, built through the Key import factories. It
// comes back with their origin (Imported): marking it as generated is the caller's job, through
// the Key API (keys::with_origin), not something to patch in here.
// Errors: Internal for an OpenSSL failure, InvalidArgument for a value outside KeyAlgorithm.
[[nodiscard]] Result<Key> openssl_generate_key(KeyAlgorithm algorithm);

}  // namespace craton::hsm::common
