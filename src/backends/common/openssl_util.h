// SPDX-License-Identifier: Apache-2.0
// OpenSSL helpers both backends use: error reporting, the empty-input pointer, key sizes and
// PKCS#8 export.
#pragma once

#include <craton/hsm/backend.h>
#include <craton/hsm/error.h>
#include <craton/hsm/secret.h>

#include <cstddef>
#include <expected>
#include <string_view>

#include <openssl/evp.h>

namespace craton::hsm::common {

// An Internal error for an OpenSSL call that should not have failed. OpenSSL's reason goes
// into the message for diagnosis only (nothing ever branches on it), and the thread's error
// queue is cleared so it cannot be blamed on a later call.
[[nodiscard]] std::unexpected<HsmError> openssl_failure(std::string_view operation);

// Clears the thread's error queue after an expected failure (a wrong tag, a bad signature).
void discard_openssl_errors() noexcept;

// OpenSSL may treat a null input pointer as "no input"; an empty span can carry one.
[[nodiscard]] const unsigned char* data_or_empty(ByteView bytes) noexcept;

// EVP_PKEY_get_size: the largest signature or ciphertext `pkey` produces (for RSA, the
// modulus length). Internal if OpenSSL cannot say.
[[nodiscard]] Result<std::size_t> pkey_output_size(const EVP_PKEY* pkey);

// The private key as PKCS#8 DER, written straight into wiping storage.
[[nodiscard]] Result<SecretBytes> pkcs8_der(const EVP_PKEY* pkey);

}  // namespace craton::hsm::common
