// SPDX-License-Identifier: Apache-2.0
// What sign.cc and verify.cc share about a SignScheme: its family and curve, which keys may
// use it, and how an RSA context is padded for it.
#pragma once

#include <craton/hsm/backend.h>
#include <craton/hsm/error.h>
#include <craton/hsm/keys.h>
#include <craton/hsm/schemes.h>

#include <cstdint>
#include <optional>

#include <openssl/evp.h>

#include "backends/common/algorithms.h"

namespace craton::hsm::common {

enum class SignatureFamily : std::uint8_t { RsaPkcs1v15, RsaPss, Ecdsa, Ed25519 };

struct SchemeTraits {
  SignatureFamily family{};
  std::optional<EcCurve> curve;  // ECDSA only
};

[[nodiscard]] SchemeTraits scheme_traits(SignScheme scheme) noexcept;

// InvalidArgument for Ed25519, which hashes inside the signature and has no digest form.
[[nodiscard]] Result<void> require_prehash(SignScheme scheme);
// DataLenRange unless `digest` is as long as the scheme's hash output.
[[nodiscard]] Result<void> check_digest_length(SignScheme scheme, ByteView digest);

// The digest to initialise EVP_DigestSign/Verify with: the scheme's hash, or nullptr for
// Ed25519, which hashes internally.
[[nodiscard]] Result<const EVP_MD*> scheme_digest(const Algorithms& algorithms, SignScheme scheme);

enum class KeyUse : std::uint8_t { Sign, Verify };

// Whether `key` may sign or verify with `scheme`. Signing needs the private kind of the
// scheme's family; verifying takes the private or the public kind; ECDSA also needs the
// scheme's curve. Errors: KeyTypeInconsistent. Needs no OpenSSL key, so token backends share it.
[[nodiscard]] Result<void> check_scheme_key(const Key& key, SignScheme scheme, KeyUse use);
// check_scheme_key, then the key's EVP_PKEY.
[[nodiscard]] Result<EVP_PKEY*> scheme_key(const Key& key, SignScheme scheme, KeyUse use);

// For RSA schemes: PKCS#1 v1.5 padding, or PSS with MGF1 of `md` and a salt exactly as long
// as its output (fixed on verification too, never auto-detected). Nothing for other schemes.
[[nodiscard]] Result<void> configure_rsa_padding(EVP_PKEY_CTX* ctx, SignScheme scheme,
                                                 const EVP_MD* md);

}  // namespace craton::hsm::common
