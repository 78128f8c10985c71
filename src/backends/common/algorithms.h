// SPDX-License-Identifier: Apache-2.0
// Algorithms: the digests, AES ciphers and HMAC the backend uses, fetched from OpenSSL's
// providers once per backend instead of implicitly on every call.
#pragma once

#include <craton/hsm/error.h>
#include <craton/hsm/schemes.h>

#include <array>
#include <cstddef>
#include <cstdint>

#include "keys/openssl_ptr.h"

namespace craton::hsm::common {

enum class AesMode : std::uint8_t { Gcm, Cbc, Ctr, Kw, Kwp };

// Fetched objects are reference-counted and immutable, so one instance serves every thread.
// An algorithm the loaded providers lack (a FIPS-only configuration, say) stays null and its
// accessor answers MechanismUnsupported instead of failing construction.
class Algorithms {
 public:
  Algorithms();

  [[nodiscard]] Result<const EVP_MD*> digest(HashAlg hash) const;
  // Errors: KeySizeRange when `key_bytes` is not 16, 24 or 32.
  [[nodiscard]] Result<const EVP_CIPHER*> aes(AesMode mode, std::size_t key_bytes) const;
  [[nodiscard]] Result<EVP_MAC*> hmac() const;

 private:
  static constexpr std::size_t kHashes = 4;
  static constexpr std::size_t kModes = 5;
  static constexpr std::size_t kKeySizes = 3;

  std::array<ossl::MdPtr, kHashes> digests_;
  std::array<std::array<ossl::CipherPtr, kKeySizes>, kModes> ciphers_;
  ossl::MacPtr hmac_;
};

}  // namespace craton::hsm::common
