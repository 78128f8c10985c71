// SPDX-License-Identifier: Apache-2.0
// Pkcs11PassthroughBackend::set_user_pin: the pool holds the PIN and the login latch.
#include "backends/pkcs11/passthrough_backend.h"

namespace craton::hsm::pkcs11 {

Result<void> Pkcs11PassthroughBackend::set_user_pin(SecretString pin) {
  return pool_->set_user_pin(std::move(pin));
}

}  // namespace craton::hsm::pkcs11
