// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the software backend's operation files: OpenSSL error reporting, checked
// int lengths, and chunked cipher updates.
#pragma once

#include <craton/hsm/backend.h>
#include <craton/hsm/error.h>
#include <craton/hsm/secret.h>

#include <cstddef>
#include <cstdint>
#include <expected>
#include <string_view>

#include <openssl/evp.h>

#include "keys/openssl_ptr.h"

namespace craton::hsm::software {

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

// `size` as the int many OpenSSL calls take. Errors: DataLenRange naming `what`.
[[nodiscard]] Result<int> checked_int(std::size_t size, std::string_view what);

enum class CipherDirection : std::uint8_t { Decrypt, Encrypt };

// A context for `cipher` under `key`, started at `iv` (nullptr: the mode's default IV, which
// key wrap uses). Wrap-mode ciphers are enabled explicitly: OpenSSL refuses them otherwise,
// because they do not stream like the other modes.
[[nodiscard]] Result<ossl::CipherCtxPtr> start_cipher(const EVP_CIPHER* cipher, ByteView key,
                                                      const std::uint8_t* iv,
                                                      CipherDirection direction);

// Feeds `in` through EVP_CipherUpdate in chunks small enough for its int lengths, writing to
// `out` (nullptr: `in` is AEAD associated data). Returns the bytes written.
[[nodiscard]] Result<std::size_t> cipher_update(EVP_CIPHER_CTX* ctx, std::uint8_t* out,
                                                ByteView in);

}  // namespace craton::hsm::software
