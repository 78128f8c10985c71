// SPDX-License-Identifier: Apache-2.0
// The software backend's cipher plumbing: checked int lengths, starting a cipher context, and
// chunked cipher updates.
#pragma once

#include <craton/hsm/backend.h>
#include <craton/hsm/error.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <openssl/evp.h>

#include "keys/openssl_ptr.h"

namespace craton::hsm::software {

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
