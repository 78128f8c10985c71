// SPDX-License-Identifier: Apache-2.0
// Releasing key material: the secret storage wipes itself; the OpenSSL key is freed here
// (OpenSSL clears private BIGNUMs on free).
#include "keys/key_material.h"

namespace craton::hsm {

KeyMaterial::~KeyMaterial() {
  EVP_PKEY_free(evp);
}

}  // namespace craton::hsm
