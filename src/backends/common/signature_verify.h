// SPDX-License-Identifier: Apache-2.0
// Checking a signature with an OpenSSL key, answering Valid/Invalid: what the software backend
// runs for every verification, and what the passthrough runs on the host to prove that a
// token's private key belongs to a public value.
#pragma once

#include <craton/hsm/backend.h>
#include <craton/hsm/error.h>
#include <craton/hsm/schemes.h>

#include <cstdint>

#include <openssl/evp.h>

namespace craton::hsm::common {

// What a signature covers: the message itself, or a caller-computed digest of it.
enum class Signed : std::uint8_t { Message, Digest };

// Whether `signature` is a valid `scheme` signature over `data` under `pkey`. The caller has
// already checked the key (check_scheme_key) and, for a digest, the scheme and the digest's
// length (require_prehash, check_digest_length); `md` is the scheme's digest (scheme_digest:
// nullptr for Ed25519). A signature whose form alone is wrong (its length, non-strict DER, the
// other encoding) is Invalid without reaching OpenSSL, and so is an ECDSA point at infinity.
// Errors: Internal only, for an OpenSSL failure.
[[nodiscard]] Result<VerifyOutcome> verify_signature(EVP_PKEY* pkey, SignScheme scheme,
                                                     const EVP_MD* md, Signed form, ByteView data,
                                                     ByteView signature,
                                                     SignatureEncoding encoding);

}  // namespace craton::hsm::common
